// Attention over the GPU's F16 KV cache. Split-K flash decoding: the keys of each query are
// cut into chunks of kAttentionChunk; one block per (chunk, head, token) computes its part of
// the softmax (its max, its sum and its weighted values), and a second kernel combines the
// parts. MLA attends over its latent cache the same way: one KV head, keys of 576 values,
// values the first 512 of each key row. The grid depends on the context size only, so a decode step can be captured once
// as a CUDA graph and replayed at every position (positions are read on the device).
// The CPU's cpu::attention is the reference.
#include "cuda_compat.cuh"
#include "kernels.h"

#include <algorithm>

namespace seekbench::cuda {
namespace {

constexpr int kThreads = 64; // two warps: a chunk of 256 keys is four per thread

struct Where { // a token's query and its keys and values in one layer's cache
    const float* q;
    const __half* k;
    const __half* v;
    int n_keys;
};

SB_DEVICE Where where(const float* q, const KvLayer& c, const int* seq, const int* pos, const AttentionDims& d, int m,
                      int h)
{
    const int kvh = h / (d.n_heads / d.n_kv_heads);
    const int64_t first = int64_t(seq[m]) * c.n_ctx;
    return {q + (int64_t(m) * d.n_heads + h) * d.head_dim, c.k + first * c.k_dim + int64_t(kvh) * d.head_dim,
            c.v + first * c.v_dim + int64_t(kvh) * d.head_dim_v, pos[m] + 1};
}

__global__ void __launch_bounds__(256) kv_store_kernel(const float* k, const float* v, KvLayer c, const int* seq,
                                                      const int* pos)
{
    const int m = int(blockIdx.x);
    const int64_t row = int64_t(seq[m]) * c.n_ctx + pos[m];
    for (int64_t i = threadIdx.x; i < c.k_dim; i += blockDim.x)
        c.k[row * c.k_dim + i] = __float2half(k[int64_t(m) * c.k_dim + i]);
    if (c.v == c.k)
        return; // MLA: the values are in the keys
    for (int64_t i = threadIdx.x; i < c.v_dim; i += blockDim.x)
        c.v[row * c.v_dim + i] = __float2half(v[int64_t(m) * c.v_dim + i]);
}

// Scores of keys [start, end) into `scores`, one thread per key: a key row is a few hundred
// contiguous bytes, and no warp-wide sum is needed per key.
SB_DEVICE void chunk_scores(const Where& w, const KvLayer& c, const AttentionDims& d, int start, int end, const float* q,
                            float* scores)
{
    for (int j = start + int(threadIdx.x); j < end; j += int(blockDim.x)) {
        const __half* key = w.k + int64_t(j) * c.k_dim;
        float acc = 0.0f;
        for (int i = 0; i < d.head_dim; ++i)
            acc += q[i] * __half2float(key[i]);
        scores[j - start] = acc * d.scale;
    }
}

// partials: [M][n_heads][n_splits][2 + head_dim_v]: the chunk's max, sum and weighted values.
__global__ void __launch_bounds__(kThreads) attention_chunk_kernel(const float* q, KvLayer c, const int* seq,
                                                                   const int* pos, AttentionDims d, float* partials)
{
    SB_SHARED(float, qs, [kMaxHeadDim]);
    SB_SHARED(float, scores, [kAttentionChunk]);
    SB_SHARED(float, red, [32]);
    const int split = int(blockIdx.x), h = int(blockIdx.y), m = int(blockIdx.z);
    const int n_splits = int(gridDim.x);
    const Where w = where(q, c, seq, pos, d, m, h);
    float* out = partials + ((int64_t(m) * d.n_heads + h) * n_splits + split) * (2 + d.head_dim_v);
    const int start = split * kAttentionChunk, end = imin(start + kAttentionChunk, w.n_keys);
    if (start >= end) { // past this query's keys: an empty part (the same for the whole block)
        if (threadIdx.x == 0) {
            out[0] = -INFINITY;
            out[1] = 0.0f;
        }
        return;
    }
    for (int i = int(threadIdx.x); i < d.head_dim; i += kThreads)
        qs[i] = w.q[i];
    __syncthreads();
    chunk_scores(w, c, d, start, end, qs, scores);
    __syncthreads();
    float mx = -INFINITY;
    for (int j = int(threadIdx.x); j < end - start; j += kThreads)
        mx = fmaxf(mx, scores[j]);
    mx = block_max(mx, red);
    float sum = 0.0f;
    for (int j = int(threadIdx.x); j < end - start; j += kThreads) {
        const float p = expf(scores[j] - mx);
        scores[j] = p;
        sum += p;
    }
    sum = block_sum(sum, red); // its barriers also publish the probabilities
    for (int i = int(threadIdx.x); i < d.head_dim_v; i += kThreads) {
        float acc = 0.0f;
        for (int j = 0; j < end - start; ++j)
            acc += scores[j] * __half2float(w.v[int64_t(start + j) * c.v_dim + i]);
        out[2 + i] = acc;
    }
    if (threadIdx.x == 0) {
        out[0] = mx;
        out[1] = sum;
    }
}

__global__ void __launch_bounds__(kThreads) attention_combine_kernel(const float* partials, const int* pos,
                                                                     AttentionDims d, int n_splits, float* out)
{
    const int h = int(blockIdx.x), m = int(blockIdx.y);
    const int used = (pos[m] + 1 + kAttentionChunk - 1) / kAttentionChunk;
    const float* p = partials + (int64_t(m) * d.n_heads + h) * n_splits * (2 + d.head_dim_v);
    float mx = -INFINITY;
    for (int s = 0; s < used; ++s)
        mx = fmaxf(mx, p[int64_t(s) * (2 + d.head_dim_v)]);
    float total = 0.0f;
    for (int s = 0; s < used; ++s) {
        const float* part = p + int64_t(s) * (2 + d.head_dim_v);
        total += part[1] * expf(part[0] - mx);
    }
    float* o = out + (int64_t(m) * d.n_heads + h) * d.head_dim_v;
    for (int i = int(threadIdx.x); i < d.head_dim_v; i += kThreads) {
        float acc = 0.0f;
        for (int s = 0; s < used; ++s) {
            const float* part = p + int64_t(s) * (2 + d.head_dim_v);
            acc += part[2 + i] * expf(part[0] - mx);
        }
        o[i] = acc / total;
    }
}

// The whole softmax row of (token, head) for a trace, written over probs[m][h][0..pos].
__global__ void __launch_bounds__(kThreads) attention_probs_kernel(const float* q, KvLayer c, const int* seq,
                                                                   const int* pos, AttentionDims d, float* probs)
{
    SB_SHARED(float, qs, [kMaxHeadDim]);
    SB_SHARED(float, red, [32]);
    const int h = int(blockIdx.x), m = int(blockIdx.y);
    const Where w = where(q, c, seq, pos, d, m, h);
    float* row = probs + (int64_t(m) * d.n_heads + h) * c.n_ctx;
    for (int i = int(threadIdx.x); i < d.head_dim; i += kThreads)
        qs[i] = w.q[i];
    __syncthreads();
    for (int start = 0; start < w.n_keys; start += kAttentionChunk)
        chunk_scores(w, c, d, start, imin(start + kAttentionChunk, w.n_keys), qs, row + start);
    __syncthreads();
    float mx = -INFINITY;
    for (int j = int(threadIdx.x); j < w.n_keys; j += kThreads)
        mx = fmaxf(mx, row[j]);
    mx = block_max(mx, red);
    float sum = 0.0f;
    for (int j = int(threadIdx.x); j < w.n_keys; j += kThreads) {
        const float p = expf(row[j] - mx);
        row[j] = p;
        sum += p;
    }
    sum = block_sum(sum, red);
    for (int j = int(threadIdx.x); j < w.n_keys; j += kThreads)
        row[j] /= sum;
}

void check_dims(const AttentionDims& d)
{
    if (d.head_dim > kMaxHeadDim || d.head_dim_v > kMaxHeadDim || d.n_kv_heads <= 0 || d.n_heads % d.n_kv_heads != 0)
        throw Error(ErrorCode::Unsupported, "attention heads of " + std::to_string(d.head_dim) +
                                                " values (the GPU kernels take up to " + std::to_string(kMaxHeadDim) + ")");
}

int splits(int n_ctx) { return (n_ctx + kAttentionChunk - 1) / kAttentionChunk; }

} // namespace

void kv_store(const float* k, const float* v, const KvLayer& cache, const int* seq, const int* pos, int M, Stream stream)
{
    if (M > 0)
        SB_LAUNCH(kv_store_kernel, dim3(unsigned(M)), dim3(256), 0, stream, k, v, cache, seq, pos);
}

std::size_t attention_scratch_floats(int M, const AttentionDims& d, int n_ctx)
{
    return std::size_t(M) * std::size_t(d.n_heads) * std::size_t(splits(n_ctx)) * std::size_t(2 + d.head_dim_v);
}

void attention(const float* q, const KvLayer& cache, const int* seq, const int* pos, int M, const AttentionDims& d,
               float* partials, float* out, Stream stream, int max_keys)
{
    if (M <= 0)
        return;
    check_dims(d);
    const int n_splits = splits(max_keys > 0 ? std::min(max_keys, cache.n_ctx) : cache.n_ctx);
    SB_LAUNCH(attention_chunk_kernel, dim3(unsigned(n_splits), unsigned(d.n_heads), unsigned(M)), dim3(kThreads), 0,
              stream, q, cache, seq, pos, d, partials);
    SB_LAUNCH(attention_combine_kernel, dim3(unsigned(d.n_heads), unsigned(M)), dim3(kThreads), 0, stream, partials,
              pos, d, n_splits, out);
}

void attention_probs(const float* q, const KvLayer& cache, const int* seq, const int* pos, int M,
                     const AttentionDims& d, float* probs, Stream stream)
{
    if (M <= 0)
        return;
    check_dims(d);
    SB_LAUNCH(attention_probs_kernel, dim3(unsigned(d.n_heads), unsigned(M)), dim3(kThreads), 0, stream, q, cache, seq,
              pos, d, probs);
}

void kv_move(const KvLayer& c, int seq, int from, int to, int by, __half* tmp, Stream stream)
{
    if (to <= from || by == 0)
        return;
    const int64_t first = int64_t(seq) * c.n_ctx;
    const bool values_in_keys = c.v == c.k; // MLA: the keys rows hold everything
    for (const auto& [base, dim] : {std::pair<__half*, int64_t>{c.k, c.k_dim}, {values_in_keys ? nullptr : c.v, c.v_dim}}) {
        if (dim == 0 || !base)
            continue;
        const std::size_t bytes = std::size_t(to - from) * std::size_t(dim) * sizeof(__half);
        CUDA_CHECK(cudaMemcpyAsync(tmp, base + (first + from) * dim, bytes, cudaMemcpyDeviceToDevice, stream));
        CUDA_CHECK(cudaMemcpyAsync(base + (first + from - by) * dim, tmp, bytes, cudaMemcpyDeviceToDevice, stream));
    }
}

} // namespace seekbench::cuda
