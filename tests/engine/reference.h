// A slow, obvious float64 forward pass for tests: every weight dequantized to double,
// attention recomputed over the whole sequence, no cache, no batching, no SIMD. What the
// engine computes must agree with it within each format's stated bound.
#pragma once

#include "engine/model.h"

#include <vector>

namespace seekbench::test {

struct RefRouting {
    std::vector<int> experts;
    std::vector<double> weights, logits;
};

// What the reference saw inside: attention[layer][token][head] = probabilities over keys
// 0..token; routing[layer][token] for MoE layers.
struct RefTrace {
    std::vector<std::vector<std::vector<std::vector<double>>>> attention;
    std::vector<std::vector<RefRouting>> routing;
};

// Routing choices another computation made, by [layer][token]: where the reference's own
// choice is a near tie (the k-th and next selection scores within `tie` of each other),
// it takes these instead, so that 8-bit rounding upstream cannot flip a discrete choice
// and make two correct computations look different.
struct RoutingHint {
    std::vector<std::vector<std::vector<int>>> experts;
    double tie = 1e-3;
};

// Logits for every position of `tokens` (tokens.size() rows of n_vocab).
std::vector<std::vector<double>> reference_logits(const Model& model, const std::vector<int32_t>& tokens,
                                                  RefTrace* trace = nullptr, const RoutingHint* hint = nullptr);

// Routing as the model papers define it (softmax or sigmoid scores, bias for selection
// only, group limit, top-k, normalize, scale), in double precision. Returns the chosen
// experts best first and their weights.
std::vector<int> reference_route(const ModelConfig& c, const std::vector<double>& logits,
                                 const std::vector<double>& bias, std::vector<double>& weights,
                                 const std::vector<int>* prefer = nullptr, double tie = 0);

// An encoder's pooled, unit-length embedding of `tokens` (reference_bert.cpp).
std::vector<double> reference_embedding(const Model& model, const std::vector<int32_t>& tokens);

// ||a - b|| / ||b||
double rel_error(const float* a, const std::vector<double>& b);

} // namespace seekbench::test
