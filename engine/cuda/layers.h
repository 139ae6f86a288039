// The GPU's transformer layer, in blocks that read like the CPU's forward passes
// (engine/arch/llama.cpp, deepseek2.cpp, ffn.cpp): grouped-query or latent attention,
// then a dense or mixture-of-experts feed-forward, each adding into the residual x.
// Buffers is a context's device memory for one pass of up to `max` tokens.
#pragma once

#include "weights.h"

#include "engine/arch/ffn.h"
#include "engine/backend.h"
#include "engine/trace.h"

#include <vector>

namespace seekbench::cuda {

struct Buffers {
    int max = 0;                  // tokens per pass
    int att_rows = 0;             // tokens per attention launch (bounds `partials`)
    float *x, *xn;                // (max, dim): the residual and its norm
    float *q, *k, *v, *att;       // (max, H*head_dim), (max, kv_dim), (max, v_dim), (max, H*head_dim_v)
    float *gate, *up;             // (max, largest dense or shared hidden)
    float *out_rows, *logits;     // (max, dim), (max, n_vocab)
    float* partials;              // attention_scratch_floats(att_rows, ...)
    float* probs = nullptr;       // (att_rows, H, n_ctx), made when a trace first asks
    int *pos, *seq, *rows;        // (max)
    MatmulScratch mm;

    // MLA
    float *q_a = nullptr, *kv_a = nullptr;   // (max, q_lora), (max, lora + rope)
    float *q_lat = nullptr, *o_lat = nullptr; // (max, H*(lora + rope)), (max, H*lora)
    __half* heads_h = nullptr;               // (max, H*max(nope, lora)): cuBLAS's FP16 input

    // MoE: per token k slots
    float *router_logits = nullptr, *scores = nullptr; // (max, E)
    float *weights = nullptr, *shared_gate = nullptr;  // (max, k), (max)
    int* experts = nullptr;                            // (max, k)
    float *e_rows = nullptr, *e_out = nullptr;         // (max*k, dim): grouped inputs, outputs
    float *e_gate = nullptr, *e_up = nullptr;          // (max*k, expert_hidden)
    int *e_gather = nullptr, *e_slot_rows = nullptr;   // (max*k): grouped row -> token, slot -> row
    BlockQ8_1* e_xq = nullptr;                         // kMatvecMaxTokens*k rows of max(dim, hidden)
    std::vector<int> host_experts, host_gather, host_slot_rows;
    std::vector<float> host_weights;
};

// Allocates a context's buffers for passes of up to `max` tokens over `n_ctx` positions.
Buffers make_buffers(const ModelConfig& c, const DeviceWeights& w, int max, int n_ctx, DeviceMemory& memory);

// Routed experts whose weights stay in host memory: the GPU routes, the CPU multiplies.
struct HostExperts {
    const Model& model;
    CpuDevice& cpu;
    FfnScratch scratch;
    std::vector<float> xn, out, weights; // (M, dim), (M, dim), (M, k)
    std::vector<int> experts;            // (M, k)
};

// One pass of M tokens through the layers: positions, slots and the residual x are on the
// device already. With a trace (and its batch), attention rows and routing are copied back.
struct Pass {
    const ModelConfig& c;
    const DeviceWeights& w;
    Buffers& b;
    DeviceMemory& memory;          // for buffers a trace makes on first use
    const std::vector<KvLayer>& kv;
    Stream stream;
    Blas blas;
    int M;
    Trace* trace = nullptr;
    const Batch* batch = nullptr;
    HostExperts* host = nullptr;   // where layers' routed experts are not on the GPU
    int first_layer = 0;           // the first layer on the GPU
};

// x += attention(norm(x)) of layer l: grouped-query heads or MLA, the cache written first.
void attention_block(const Pass& p, int l);
// x += ffn(norm(x)) of layer l: SwiGLU, or the router, shared experts and routed experts.
void ffn_block(const Pass& p, int l);

} // namespace seekbench::cuda
