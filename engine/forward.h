// One forward pass over a batch of tokens (backend.h's Batch) on the CPU, the CPU
// backend's inside. The architecture's function is picked from the model.
#pragma once

#include "backend.h"
#include "cpu/cpu_device.h"
#include "kv_cache.h"
#include "model.h"
#include "trace.h"

#include "cpu/attention.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace seekbench {

struct FfnScratch;

// Scratch buffers, kept between calls so decoding allocates nothing.
struct ForwardState {
    ForwardState();
    ~ForwardState();
    std::vector<float> x, xn, q, k, v, att, out_rows;
    std::vector<float> q_a, kv_a, q_lat, o_lat, heads_v; // MLA
    std::vector<float> rope_cos, rope_sin;
    std::vector<float> ff_up, ff_gate, scores; // encoders: feed-forward, attention rows per thread
    std::unique_ptr<FfnScratch> ffn;
    bool mla_expanded = false; // MLA: expand keys and values per head instead of absorbing
    // >= 0: run the embedding and layers [0, stop_layer) only, leaving the residual in x
    // (M x dim) and no logits: a GPU runs the rest (--gpu-layers).
    int stop_layer = -1;
};

// Throws Error (InvalidArgument) for a token id, slot or position the model or cache
// cannot take. `logits` is resized to (flagged tokens) x n_vocab. With a trace, records
// what trace->options select; without one, nothing is recorded and nothing is paid.
void forward_cpu(const Model& model, CpuDevice& cpu, KvCache& cache, const Batch& batch,
                 ForwardState& state, std::vector<float>& logits, Trace* trace = nullptr);

// The embedding and the first `layers` layers of a batch already checked, for a backend that
// runs the others: the residual is left in state.x (M x dim). `cache` holds those layers.
void forward_cpu_first_layers(const Model& model, CpuDevice& cpu, KvCache& cache, const Batch& batch,
                              ForwardState& state, int layers, Trace* trace);

// Per architecture (arch/*.cpp).
void forward_llama(const Model& model, CpuDevice& cpu, KvCache& cache, const Batch& batch,
                   ForwardState& state, std::vector<float>& logits, Trace* trace);
void forward_deepseek2(const Model& model, CpuDevice& cpu, KvCache& cache, const Batch& batch,
                       ForwardState& state, std::vector<float>& logits, Trace* trace);

// Encoders (arch/bert.cpp): the final vector of every token of one text, tokens.size() x
// dim into `out`. Throws Error (InvalidArgument) when the tokens do not fit the context.
void forward_encoder(const Model& model, CpuDevice& cpu, const std::vector<int32_t>& tokens, ForwardState& state,
                     std::vector<float>& out);

// Each token's row of the (possibly quantized) embedding table into x (M x dim).
void embed_tokens(const Model& model, CpuDevice& cpu, const Batch& batch, float* x);

// Each of M rows of x (dim values) RMS-normalized with `weight` into out (profiled as "norm").
void norm_rows(CpuDevice& cpu, const float* x, const float* weight, float* out, int M, int64_t dim, float eps);

// Bytes of cached keys and values a batch's attention reads (for the profiler).
uint64_t attention_read_bytes(const KvCache& cache, const Batch& batch);

// The KV cache a session of this model needs (of its first `layers` layers; -1: all).
KvCache make_kv_cache(const ModelConfig& config, int n_ctx, int n_seq, KvType type, int layers = -1);

// Re-rotates the keys of positions [from, to) of `seq` after they moved by `delta`, in
// every layer the cache holds.
void rope_shift_keys(const Model& model, KvCache& cache, int seq, int from, int to, int delta);

} // namespace seekbench
