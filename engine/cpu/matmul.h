// Matrix products against weights in their GGUF layout: y (M x N) = x (M x K) * W^T, where
// W has N rows of K values. Few tokens (decode) use integer dot products over each
// weight row, which reads every weight byte once; many tokens (prompt processing)
// dequantize panels of W to bf16 and multiply them on AMX tiles when the CPU has them.
#pragma once

#include "kernels.h"
#include "threadpool.h"

#include "engine/tensor_type.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace seekbench::cpu {

// A 2-D weight: `rows` rows of `cols` values, each row `row_bytes` apart.
struct WeightView {
    TensorType type = TensorType::F32;
    int64_t rows = 0, cols = 0;
    std::size_t row_bytes = 0;
    const uint8_t* data = nullptr;
};

class Matmul {
public:
    Matmul(ThreadPool& pool, const Kernels& kernels);
    ~Matmul();

    // y[m * ldy + n] = sum_k W[n][k] * x[m * ldx + k], for m < M, n < W.rows.
    void run(const WeightView& w, const float* x, int64_t ldx, int M, float* y, int64_t ldy);

    // Same, but y += instead of y = (saves a pass for residual connections).
    void run_add(const WeightView& w, const float* x, int64_t ldx, int M, float* y, int64_t ldy);

    bool amx_enabled() const { return m_amx; }
    void set_amx(bool enabled);       // tests compare both paths
    int gemm_min_tokens() const { return m_gemm_min_tokens; }

private:
    void run_dot(const WeightView& w, const float* x, int64_t ldx, int M, float* y, int64_t ldy, bool add);
    void run_amx(const WeightView& w, const float* x, int64_t ldx, int M, float* y, int64_t ldy, bool add);

    ThreadPool& m_pool;
    const Kernels& m_k;
    bool m_amx = false;
    int m_gemm_min_tokens = 16;
    std::vector<uint8_t> m_act;        // quantized activations
    std::vector<uint16_t> m_act_bf16;  // bf16 activations for the AMX path
    struct ThreadScratch;
    std::vector<std::unique_ptr<ThreadScratch>> m_scratch;
};

// True when this CPU has AMX-BF16 and the kernel granted this process the tile state.
bool amx_available();

} // namespace seekbench::cpu
