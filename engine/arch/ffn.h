// The feed-forward half of a layer, shared by the architectures: a dense SwiGLU FFN, or a
// Mixture of Experts (router, top-k routed experts, optional shared experts) with the
// router's decisions recorded in a Trace when one is given.
#pragma once

#include "engine/cpu/cpu_device.h"
#include "engine/forward.h"
#include "engine/model.h"
#include "engine/trace.h"

#include <vector>

namespace seekbench {

// One token's routing: `scores` (n_experts) from the logits; the chosen experts, best
// first, and their gate weights. `bias` (or null) shifts the selection only (DeepSeek-V3's
// score correction); groups limit which experts may compete, as DeepSeek's routing does:
// a group's strength is its best score (softmax gating, V2) or the sum of its two best
// biased scores (sigmoid gating, V3).
void route(const ModelConfig& c, const float* logits, const float* bias, float* scores, int* experts,
           float* weights);

struct FfnScratch {
    std::vector<float> gate, up, logits, scores, weights, rows, out, shared_gate;
    std::vector<int> experts;
};

// x (M x dim) += FFN(xn) for layer `layer`.
void ffn_block(const Model& model, CpuDevice& cpu, int layer, const float* xn, float* x, const Batch& batch,
               FfnScratch& s, Trace* trace);

// x (M x dim) += the routed experts of MoE layer `layer`: token m's chosen experts
// (experts[m*k..], best first) applied to its row of xn and summed with weights[m*k..].
// Also what a GPU backend runs on the CPU when the experts' weights stay in host memory.
void add_routed_experts(const Model& model, CpuDevice& cpu, int layer, const float* xn, int M, const int* experts,
                        const float* weights, float* x, FfnScratch& s);

} // namespace seekbench
