// Mixture-of-experts routing and combining on the GPU: per token the router's scores
// (softmax or sigmoid), group-limited top-k selection with DeepSeek-V3's score-correction
// bias, the chosen experts' weights; then each token's weighted sum of its experts'
// outputs, in slot order (no atomics, so the sum does not depend on scheduling). The
// experts' products themselves are matmul.cu's. engine/arch/ffn.cpp's route() is the
// reference: the same choices but at exact ties, lower expert index first in both.
#include "cuda_compat.cuh"
#include "kernels.h"

namespace seekbench::cuda {
namespace {

// (value, index) with the larger value winning, the lower index on ties; -INFINITY and
// index kMaxExperts for "none".
SB_DEVICE bool better(float v, int i, float w, int j) { return v > w || (v == w && i < j); }

SB_DEVICE void warp_best(float& v, int& i)
{
    for (int offset = 16; offset > 0; offset >>= 1) {
        const float w = __shfl_xor_sync(kFullMask, v, offset);
        const int j = __shfl_xor_sync(kFullMask, i, offset);
        if (better(w, j, v, i)) {
            v = w;
            i = j;
        }
    }
}

// The best candidate of the block; every thread gets its index. `vals`/`idx`: 32 each.
SB_DEVICE int block_best(float v, int i, float* vals, int* idx)
{
    const int lane = int(threadIdx.x) % 32, warp = int(threadIdx.x) / 32;
    const int warps = (int(blockDim.x) + 31) / 32;
    warp_best(v, i);
    if (warps == 1)
        return i;
    __syncthreads(); // the scratch may still be read from the previous call
    if (lane == 0) {
        vals[warp] = v;
        idx[warp] = i;
    }
    __syncthreads();
    v = lane < warps ? vals[lane] : -INFINITY;
    i = lane < warps ? idx[lane] : kMaxExperts;
    warp_best(v, i);
    return i;
}

// One block per token, one thread per expert (blockDim >= E, a multiple of 32).
__global__ void __launch_bounds__(kMaxExperts) route_kernel(const float* logits, const float* bias, RouteParams p,
                                                           float* scores, int* experts, float* weights)
{
    SB_SHARED(float, select, [kMaxExperts]);
    SB_SHARED(int, taken, [kMaxExperts]);
    SB_SHARED(int, keep_group, [kMaxExpertGroups]);
    SB_SHARED(float, red, [32]);
    SB_SHARED(int, red_idx, [32]);
    SB_SHARED(int, chosen, [kMaxExpertsUsed]);
    const int m = int(blockIdx.x), e = int(threadIdx.x), E = p.n_experts;
    const bool mine = e < E;
    const float logit = mine ? logits[int64_t(m) * E + e] : -INFINITY;
    float score;
    if (p.sigmoid) {
        score = mine ? 1.0f / (1.0f + expf(-logit)) : 0.0f;
    } else {
        const float mx = block_max(logit, red);
        const float ex = mine ? expf(logit - mx) : 0.0f;
        const float sum = block_sum(ex, red);
        score = ex * (1.0f / sum);
    }
    if (mine) {
        scores[int64_t(m) * E + e] = score;
        select[e] = score + (bias ? bias[e] : 0.0f);
        taken[e] = 0;
    }
    __syncthreads();
    if (p.n_groups > 1) {
        const int per = E / p.n_groups;
        if (e < p.n_groups) { // a group's strength: its best score, or (sigmoid) its two best summed
            const float* s = select + e * per;
            float best = -INFINITY, second = -INFINITY;
            for (int i = 0; i < per; ++i) {
                if (s[i] > best) {
                    second = best;
                    best = s[i];
                } else if (s[i] > second) {
                    second = s[i];
                }
            }
            red[e] = p.sigmoid && per >= 2 ? best + second : best;
            keep_group[e] = 0;
        }
        __syncthreads();
        if (e == 0) // the best n_groups_used groups (a handful): serial is shortest
            for (int g = 0; g < p.n_groups_used; ++g) {
                int pick = -1;
                for (int j = 0; j < p.n_groups; ++j)
                    if (!keep_group[j] && (pick < 0 || red[j] > red[pick]))
                        pick = j;
                keep_group[pick] = 1;
            }
        __syncthreads();
        if (mine && !keep_group[e / per])
            select[e] = -INFINITY;
        __syncthreads();
    }
    for (int i = 0; i < p.k; ++i) {
        const bool open = mine && !taken[e];
        const int best = block_best(open ? select[e] : -INFINITY, open ? e : kMaxExperts, red, red_idx);
        if (e == 0) {
            chosen[i] = best;
            taken[best] = 1;
        }
        __syncthreads();
    }
    if (e == 0) {
        float sum = 0.0f;
        for (int i = 0; i < p.k; ++i)
            sum += scores[int64_t(m) * E + chosen[i]];
        for (int i = 0; i < p.k; ++i) {
            float w = scores[int64_t(m) * E + chosen[i]];
            if (p.norm)
                w /= sum + 1e-20f;
            experts[int64_t(m) * p.k + i] = chosen[i];
            weights[int64_t(m) * p.k + i] = w * p.scale;
        }
    }
}

__global__ void __launch_bounds__(256) combine_kernel(const float* out, const int* rows, const float* weights, int k,
                                                     int64_t dim, float* x)
{
    const int m = int(blockIdx.y);
    const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= dim)
        return;
    float acc = x[int64_t(m) * dim + i];
    for (int s = 0; s < k; ++s) {
        const int slot = m * k + s;
        const int row = rows ? rows[slot] : slot;
        acc += weights[slot] * out[int64_t(row) * dim + i];
    }
    x[int64_t(m) * dim + i] = acc;
}

__global__ void __launch_bounds__(256) gated_add_kernel(const float* out, const float* xn, const float* gate,
                                                       int64_t dim, float* x, float* gates)
{
    SB_SHARED(float, red, [32]);
    const int m = int(blockIdx.x);
    float dot = 0.0f;
    for (int64_t i = threadIdx.x; i < dim; i += blockDim.x)
        dot += xn[int64_t(m) * dim + i] * gate[i];
    dot = block_sum(dot, red);
    const float g = 1.0f / (1.0f + expf(-dot));
    for (int64_t i = threadIdx.x; i < dim; i += blockDim.x)
        x[int64_t(m) * dim + i] += g * out[int64_t(m) * dim + i];
    if (threadIdx.x == 0)
        gates[m] = g;
}

} // namespace

void moe_route(const float* logits, const float* bias, const RouteParams& p, int M, float* scores, int* experts,
               float* weights, Stream stream)
{
    if (M <= 0)
        return;
    if (p.n_experts < 1 || p.n_experts > kMaxExperts || p.k < 1 || p.k > kMaxExpertsUsed || p.k > p.n_experts ||
        p.n_groups > kMaxExpertGroups || (p.n_groups > 1 && (p.n_experts % p.n_groups != 0 ||
                                                             p.n_groups_used < 1 || p.n_groups_used > p.n_groups)))
        throw Error(ErrorCode::Unsupported, "the GPU routes up to " + std::to_string(kMaxExperts) + " experts, top-" +
                                                std::to_string(kMaxExpertsUsed) + ", in up to " +
                                                std::to_string(kMaxExpertGroups) + " groups; this model has " +
                                                std::to_string(p.n_experts) + " experts, top-" + std::to_string(p.k));
    const unsigned threads = unsigned((p.n_experts + 31) / 32 * 32);
    SB_LAUNCH(route_kernel, dim3(unsigned(M)), dim3(threads), 0, stream, logits, bias, p, scores, experts, weights);
}

void moe_combine(const float* out, const int* rows, const float* weights, int M, int k, int64_t dim, float* x,
                 Stream stream)
{
    if (M > 0 && k > 0)
        SB_LAUNCH(combine_kernel, dim3(unsigned((dim + 255) / 256), unsigned(M)), dim3(256), 0, stream, out, rows,
                  weights, k, dim, x);
}

void gated_add(const float* out, const float* xn, const float* gate, int M, int64_t dim, float* x, float* gates,
               Stream stream)
{
    if (M > 0)
        SB_LAUNCH(gated_add_kernel, dim3(unsigned(M)), dim3(256), 0, stream, out, xn, gate, dim, x, gates);
}

} // namespace seekbench::cuda
