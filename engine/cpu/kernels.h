// The CPU's inner loops behind one table of function pointers, chosen once per process
// from what the processor supports: AVX-512 (VNNI, BF16), AVX2+FMA, or portable C++.
// Weights are read in their GGUF layout; activations are first converted to the format
// each weight type pairs with (act_format), so the dot products run in integers.
#pragma once

#include "engine/tensor_type.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace seekbench::cpu {

// Activations for the legacy 32-blocks: int8 values, a scale, and the sum of the values
// (so unsigned weight levels can be re-centred without touching each element).
struct BlockQ8A {
    float d;
    int32_t sum;
    int8_t qs[32];
};
static_assert(sizeof(BlockQ8A) == 40);

// Q8K4: Q8_K values reordered to match the nibble order of Q4_K/Q5_K rows as 512-bit
// registers see them, with the sums of every 32 values, so those kernels need no shuffles.
struct BlockQ8K4 {
    float d;
    int16_t sums32[8];
    int8_t qs[256];
};
static_assert(sizeof(BlockQ8K4) == 276);

enum class ActFormat { F32, Q8A, Q8K, Q8K4 };

std::size_t act_row_bytes(ActFormat format, int64_t k);

struct Kernels {
    const char* name; // "avx512", "avxvnni", "avx2", "generic"

    // The activation format each weight type's dot product wants (F32 for types without
    // a dot kernel: their rows are dequantized first).
    ActFormat (*act_format)(TensorType weight_type);
    // Converts one row of k activations to `format` (k a multiple of 256 for Q8K, 32 for Q8A).
    void (*quantize_act)(ActFormat format, const float* x, void* out, int64_t k);

    // Sum over k of weight_row[i] * act_row[i]; nullptr when the type has no fast path. (x86
    // F16/BF16: the one-sum-per-row order of their GEMM, one value at a time; the reference
    // its kernels are checked against, while Gemm::run (and Gemm::direct) do the work.)
    using Dot = float (*)(int64_t k, const void* weight_row, const void* act_row);
    Dot dot[40];
    // Up to kDotMaxRows weight rows (`row_bytes` apart) against one activation row (out[r]),
    // for decode: the activation blocks are read once for all rows and the rows' float steps
    // run side by side. Each out[r] is dot()'s bits; nullptr when the type has no such kernel.
    static constexpr int kDotMaxRows = 4;
    using DotRows = void (*)(int64_t k, const void* rows, std::size_t row_bytes, int n_rows, const void* act_row,
                             float* out);
    DotRows dot_rows[40];
    // One weight row against n (1..kDotMaxActs) activation rows `act_stride` bytes apart:
    // the weights are unpacked once for all of them (batches: prompts, server slots). Each
    // out[i] is bit-identical to dot() of that row, so a batch changes no result.
    static constexpr int kDotMaxActs = 4;
    using DotM = void (*)(int64_t k, const void* weight_row, const void* acts, std::size_t act_stride, int n, float* out);
    DotM dotm[40];

    // Prompt-sized batches: rows(k) weight rows (kGemmRows for the quantized types) are
    // packed into a panel (pack; the rows interleaved, scales widened), which then meets every
    // activation row while it stays in cache (run: y[m * ldy + r] (=|+=) for m < M,
    // r < n_rows <= rows(k)). Results are dot()'s bits. All nullptr when the type has no GEMM.
    static constexpr int kGemmRows = 16;
    struct Gemm {
        int (*panel_rows)(int64_t k) = nullptr; // nullptr: kGemmRows
        int rows(int64_t k) const { return panel_rows ? panel_rows(k) : kGemmRows; }
        std::size_t (*panel_bytes)(int64_t k) = nullptr;
        void (*pack)(int64_t k, const void* rows, std::size_t row_bytes, int n_rows, void* panel) = nullptr;
        void (*run)(int64_t k, const void* panel, const void* acts, std::size_t act_stride, int M, float* y,
                    int64_t ldy, int n_rows, bool add) = nullptr;
        // Batches below prompt size (decode included) straight from the GGUF rows, in run's
        // order (F16/BF16, whose only fast order it is), for weights not packed at load
        // (PackedWeights off, not yet published, or rows not a multiple of group_rows);
        // nullptr: those go through the dot kernels.
        void (*direct)(int64_t k, const void* rows, std::size_t row_bytes, int n_rows, const void* acts,
                       std::size_t act_stride, int M, float* y, int64_t ldy, bool add) = nullptr;
        // Nonzero where a panel is its groups of this many rows one after another, each packed
        // alone and as large as the rows it holds (F16/BF16, Q4_K, Q6_K, Q8_0, and Q5_0 on
        // AVX-512: 16 rows): a weight packed whole, once, feeds run() from any group's first
        // row, for every batch size (PackedWeights). 0: panels are packed per task.
        int group_rows = 0;
        // Batches of at least this many tokens go through run(), a panel packed per task;
        // smaller ones through direct() or the dot kernels. Where packing a panel costs less
        // than the dot kernels lose on a few tokens, this is below the default.
        int min_tokens = 16;
        // Types with group_rows: row r (0..group_rows - 1) of one group as packed whole at load,
        // back into the row's GGUF bytes (row_bytes of them), as the file holds it. The token
        // embedding a tied output matrix shares is read this way once the file's pages go.
        void (*group_row)(int64_t k, const void* group, int r, void* row) = nullptr;
    };
    Gemm gemm[40];

    float (*dot_f32)(int64_t k, const float* a, const float* b);
    // y += a * x over n floats.
    void (*axpy_f32)(int64_t n, float a, const float* x, float* y);
    // Dot of a float row with an F16 row (the KV cache), and y += a * (F16 row).
    float (*dot_f16_f32)(int64_t k, const uint16_t* a, const float* b);
    void (*axpy_f16)(int64_t n, float a, const uint16_t* x, float* y);
    // Attention heads that share a KV head: the scores of n query rows (`q_stride` floats
    // apart) against n_keys F16 keys (`key_stride` elements apart), out[j * out_stride + p] =
    // scale * (key p . query j), the same bits on every tier; and the weighted sum of n_keys
    // F16 value rows (`x_stride` elements apart) for n heads at once: y_j = sum_p w_j[p] x_p,
    // w rows `w_stride` apart, y rows `y_stride` apart (overwritten).
    void (*scores_f16)(int64_t k, const uint16_t* key, int64_t key_stride, int n_keys, const float* q,
                       int64_t q_stride, int n, float scale, float* out, int64_t out_stride);
    void (*wsum_f16_n)(int64_t len, const uint16_t* x, int64_t x_stride, int n_keys, const float* w,
                       int64_t w_stride, int n, float* y, int64_t y_stride);
    // g = silu(g) * u over n values (SwiGLU), exp_steps.h's steps: the same bits on every tier.
    void (*silu_mul)(float* g, const float* u, int64_t n);
    // Attention's softmax over n finite scores, in place, exp_steps.h's steps and order.
    void (*softmax)(float* x, int64_t n);
    void (*f32_to_f16)(const float* x, uint16_t* y, int64_t n);
    void (*f32_to_bf16)(const float* x, uint16_t* y, int64_t n);
    // The bound a prompt's float matrices are read against (fma_peak() in profile_run.h):
    // n steps of kFmaChains independent multiply-add chains, fma_lanes floats wide (this
    // tier's widest vector); returns their sum, so that no step can be left out.
    float (*fma_chains)(int64_t n, float x);
    int fma_lanes;
};

constexpr int kFmaChains = 12;

const Kernels& kernels();                      // the best this CPU can run
std::vector<const Kernels*> runnable_kernels(); // all this CPU can run, generic first

// Per instruction set; each is only safe to call when the CPU supports it.
const Kernels& kernels_generic();
const Kernels* kernels_avx2();    // nullptr when not compiled in
const Kernels* kernels_avxvnni(); // AVX2 with AVX-VNNI (Intel from Alder Lake, AMD from Zen 5)
const Kernels* kernels_avx512();

} // namespace seekbench::cpu
