// What happened inside the model for a request, as plain data for the app's panels and
// `seekbench-cli trace`: attention probabilities for the layers and heads asked for, and
// per layer x token the router's decision. Opt-in: forward() gets a Trace* that is null
// unless the caller wants one, and then records only what options select.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace seekbench {

struct TraceOptions {
    bool attention = false;
    std::vector<int> layers;   // attention layers to keep; empty = all
    std::vector<int> heads;    // attention heads to keep; empty = all
    bool routing = false;      // router decisions of every MoE layer
    bool wants_layer(int l) const;
    bool wants_head(int h) const;
};

// Attention of one (layer, head): for query i (position query_pos[i]) the softmax over
// keys 0..query_pos[i] of its sequence.
struct AttentionMap {
    int layer = 0, head = 0;
    std::vector<int> query_pos;
    std::vector<std::vector<float>> probs;
};

// The router's decision for one token in one MoE layer.
struct RoutingRecord {
    int layer = 0, pos = 0, token = 0;
    std::vector<float> scores;   // per expert: softmax or sigmoid of the router logits
    std::vector<int> experts;    // chosen, best first
    std::vector<float> weights;  // their gate weights as applied (normalized and scaled)
    float shared_gate = -1.0f;   // qwen2moe's shared-expert gate; -1 when the model has none
};

struct Trace {
    TraceOptions options;
    std::string model;           // general.name or architecture
    int n_layers = 0, n_heads = 0, n_experts = 0, n_experts_used = 0;
    std::vector<int> tokens;     // traced tokens, in order
    std::vector<int> positions;  // their positions
    std::vector<std::string> pieces; // their bytes (a byte-level token may be part of a character),
                                     // filled by the caller that has the tokenizer
    std::vector<AttentionMap> attention;
    std::vector<RoutingRecord> routing;

    AttentionMap& map(int layer, int head); // finds or adds
    std::size_t bytes() const;              // memory held, for the app to report and bound
};

// The statistics the CLI and the app's panels show, computed here once.

// How the router spread one MoE layer's choices over its experts, counted over the traced
// tokens from index `first_token` of trace.tokens on.
struct ExpertLoad {
    std::vector<int> chosen; // per expert: how often it was among a token's chosen ones
    int tokens = 0;          // tokens the layer routed
    int total() const;       // all choices
    // chosen / what a perfectly balanced router gives (tokens x k / experts): 1 is even.
    std::vector<double> relative(int experts_used) const;
    // Entropy (bits) of the choices' distribution; log2(experts) is perfectly even.
    double entropy_bits() const;
};
ExpertLoad expert_load(const Trace& trace, int layer, int first_token = 0);

// Entropy (bits) of a probability distribution, e.g. one query's attention row.
double entropy_bits(const float* p, std::size_t n);
// The mean entropy (bits) of a map's rows: how spread out a head's attention is.
double mean_entropy_bits(const AttentionMap& map);

// The documented JSON form (see README, "Traces"). Throws Error (Io) if it cannot write.
void write_trace_json(const Trace& trace, const std::string& path);
std::string trace_json(const Trace& trace);

} // namespace seekbench
