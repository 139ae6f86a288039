// The CUDA backend's operations, as host functions that launch on a stream: what
// backend.cpp composes into a forward pass, and what the kernel tests call one by one.
// Pointers are device pointers; shapes are (rows, cols) with cols contiguous. Every function
// throws Error (Device) when a launch fails. The kernels are in one .cu per family:
// matmul.cu, norm.cu, rope.cu, attention.cu, mla.cu, moe.cu, elementwise.cu.
#pragma once

#include "engine/tensor_type.h"

#include <cstddef>
#include <cstdint>

struct CUstream_st;
struct cublasContext;
struct __half;

namespace seekbench::cuda {

using Stream = CUstream_st*;
using Blas = cublasContext*;

// The formats the GPU runs: their weights stay in this form on the device.
bool runs_format(TensorType type);

// A weight matrix on the device, in its file's format.
struct DeviceMatrix {
    TensorType type = TensorType::F32;
    int64_t rows = 0, cols = 0;
    std::size_t row_bytes = 0;
    const void* data = nullptr; // rows x row_bytes
};

// --- matmul.cu -------------------------------------------------------------------------------
// Activations quantized for the integer dot products: per 32 values one scale d, the sum of
// the quantized values times d, and the 32 int8 values.
struct BlockQ8_1 {
    float d, s;
    int8_t qs[32];
};
constexpr int kMatvecMaxTokens = 8; // more tokens than this take the cuBLAS path

// Scratch a matmul may use: quantized activations (kMatvecMaxTokens x cols / 32 blocks),
// and for the cuBLAS path half-precision activations and a weight tile.
struct MatmulScratch {
    BlockQ8_1* xq = nullptr;
    std::size_t xq_blocks = 0;
    __half* xh = nullptr;         // tokens x cols
    std::size_t xh_elems = 0;
    __half* tile = nullptr;       // tile_rows x cols
    std::size_t tile_elems = 0;
};

// y (M x w.rows) = x (M x w.cols) w^T, or y += that when `accumulate`. M <= kMatvecMaxTokens
// reads each weight byte once (own kernels, int8 dot products on quantized activations for
// the quantized formats); larger M dequantizes weight tiles to FP16 for cublasGemmEx.
void matmul(const DeviceMatrix& w, const float* x, int M, float* y, bool accumulate, MatmulScratch& scratch,
            Blas blas, Stream stream);

// The pieces, for tests.
void quantize_q8_1(const float* x, BlockQ8_1* xq, int M, int64_t cols, Stream stream);
void matvec(const DeviceMatrix& w, const float* x, const BlockQ8_1* xq, int M, float* y, bool accumulate,
            Stream stream);
// Products with matrices picked on the device (MoE decode, capturable in a graph): `w` is
// expert 0 of a stack whose experts lie `expert_bytes` apart; slot s (0..slots) multiplies
// expert ids[s] by input row s / x_per (x_per = k: each token's k slots share its row; 1: a
// row per slot) into y row s (slots x w.rows). xq: the input rows quantized (quantized w).
void matvec_experts(const DeviceMatrix& w, std::size_t expert_bytes, const int* ids, int slots, int x_per,
                    const float* x, const BlockQ8_1* xq, float* y, Stream stream);
void dequantize_f16(const DeviceMatrix& w, int64_t row0, int64_t rows, __half* out, Stream stream);

// --- norm.cu ---------------------------------------------------------------------------------
// y = x / rms(x) * w for each of `rows` rows of n values (y may be x); rows lie `stride`
// floats apart in x and y (0: n), so the first n values of wider rows can be normalized.
void rms_norm(const float* x, const float* w, float* y, int rows, int64_t n, float eps, Stream stream,
              int64_t stride = 0);

// --- rope.cu ---------------------------------------------------------------------------------
struct RopeParams {
    const double* inv_freq = nullptr; // dims/2 values on the device (YaRN and factors applied); double,
                                      // as the CPU's: pos x a float frequency drifts at long contexts
    int dims = 0;                    // rotated dims per head
    bool neox = false;               // pairs (i, i + dims/2), else (2i, 2i + 1)
    float mscale = 1.0f;             // YaRN's magnitude correction
};
// Rotates M rows of n_heads heads (stride head_dim, row stride row_stride) at positions pos[m].
void rope(float* x, const int* pos, int M, int n_heads, int head_dim, int64_t row_stride, const RopeParams& p,
          Stream stream);
// Rotates cached F16 keys of `count` rows (row stride row_stride) by `delta` positions
// (a context shift; no magnitude correction).
void rope_shift(__half* keys, int count, int n_heads, int head_dim, int64_t row_stride, int delta,
                const RopeParams& p, Stream stream);

// --- attention.cu ----------------------------------------------------------------------------
// The KV cache of one layer: [n_seq][n_ctx] rows of k_dim (v_dim) halves. MLA caches only
// keys (the latent and the rotary key): v == k and v_dim == k_dim, the values being the
// first head_dim_v halves of each key row.
struct KvLayer {
    __half* k = nullptr;
    __half* v = nullptr;
    int n_ctx = 0, n_seq = 0;
    int64_t k_dim = 0, v_dim = 0;
};
struct AttentionDims {
    int n_heads = 0, n_kv_heads = 0, head_dim = 0, head_dim_v = 0;
    float scale = 1.0f;
};
constexpr int kMaxHeadDim = 576; // DeepSeek's latent keys: 512 + 64
// Writes the M rows of k and v (floats, kv layout) into the cache at (seq[m], pos[m]);
// v is not read when the cache keeps values in its keys.
void kv_store(const float* k, const float* v, const KvLayer& cache, const int* seq, const int* pos, int M,
              Stream stream);
// Split-K flash decoding: out (M x n_heads*head_dim_v) = softmax(q k^T scale) v over keys
// 0..pos[m] of seq[m]. `partials` holds attention_scratch_floats() floats.
constexpr int kAttentionChunk = 256; // keys per split
std::size_t attention_scratch_floats(int M, const AttentionDims& d, int n_ctx);
// `max_keys` (> 0): no token attends to more keys than this (known on the host for a prompt),
// so only the splits that hold keys are launched; 0: as many as the context has (a captured
// decode step, whose positions are read on the device).
void attention(const float* q, const KvLayer& cache, const int* seq, const int* pos, int M, const AttentionDims& d,
               float* partials, float* out, Stream stream, int max_keys = 0);
// The softmax rows themselves, for traces: probs (M x n_heads x n_ctx), row (m, h) valid over
// keys 0..pos[m].
void attention_probs(const float* q, const KvLayer& cache, const int* seq, const int* pos, int M,
                     const AttentionDims& d, float* probs, Stream stream);
// Moves rows [from, to) of `seq` down by `by` in every layer's keys and values (a context
// shift); `tmp` holds (to - from) x max(k_dim, v_dim) halves.
void kv_move(const KvLayer& cache, int seq, int from, int to, int by, __half* tmp, Stream stream);

// --- mla.cu ----------------------------------------------------------------------------------
// Per-head products of multi-head latent attention with F16 matrices W (H x rows x cols):
// y[m][h] (rows) = W_h x[m][h] (cols), where x[m][h] starts at x + m*x_stride + h*x_head
// and y[m][h] at y + m*y_stride + h*y_head. Few tokens: one warp per output value (no
// cuBLAS, so a decode step stays capturable); more: cuBLAS strided-batched GEMM on the
// activations converted to FP16 in `xh` (M x H x cols halves).
struct HeadMatrices {
    const __half* w = nullptr;
    int heads = 0, rows = 0, cols = 0;
};
struct HeadRows { // where each (token, head) vector lies
    int64_t stride = 0, head = 0;
};
void head_matmul(const HeadMatrices& w, const float* x, HeadRows xr, int M, float* y, HeadRows yr, __half* xh, Blas blas,
                 Stream stream);
// dst row r (n floats at dst + r*dst_stride) = src row r (at src + r*src_stride).
void copy_rows(const float* src, int64_t src_stride, float* dst, int64_t dst_stride, int rows, int64_t n, Stream stream);

// --- moe.cu ----------------------------------------------------------------------------------
constexpr int kMaxExperts = 256, kMaxExpertsUsed = 16, kMaxExpertGroups = 32;
// What engine/arch/ffn.cpp's route() does, per token on the device.
struct RouteParams {
    int n_experts = 0, k = 0;
    bool sigmoid = false;         // else softmax
    int n_groups = 1, n_groups_used = 1;
    bool norm = false;            // chosen weights renormalized to sum to 1
    float scale = 1.0f;           // then multiplied by this
};
// logits (M x E) -> scores (M x E), experts and weights (M x k each), best first. `bias`
// (E, or null) shifts the selection only.
void moe_route(const float* logits, const float* bias, const RouteParams& p, int M, float* scores, int* experts,
               float* weights, Stream stream);
// x[m] += sum over i < k of weights[m*k+i] * out[row], row = rows[m*k+i] (or m*k+i when
// rows is null), in slot order: each token sums its own experts, no atomics.
void moe_combine(const float* out, const int* rows, const float* weights, int M, int k, int64_t dim, float* x,
                 Stream stream);
// qwen2moe's gated shared expert: g = sigmoid(xn[m] . gate); x[m] += g out[m]; gates[m] = g.
void gated_add(const float* out, const float* xn, const float* gate, int M, int64_t dim, float* x, float* gates,
               Stream stream);

// --- elementwise.cu --------------------------------------------------------------------------
void silu_mul(float* g, const float* u, int64_t n, Stream stream);                 // g = silu(g) u
void add(float* y, const float* x, int64_t n, Stream stream);                      // y += x
void add_bias(float* y, const float* b, int M, int64_t n, Stream stream);          // each row += b
void to_half(const float* x, __half* y, int64_t n, Stream stream);
void to_bf16(const float* x, void* y, int64_t n, Stream stream);
// dst row i = src row rows[i] (n floats each), for the rows that want logits.
void gather_rows(const float* src, const int* rows, int count, int64_t n, float* dst, Stream stream);

} // namespace seekbench::cuda
