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
#include <initializer_list>
#include <memory>
#include <vector>

namespace seekbench {
class Profile;
}

namespace seekbench::cpu {

// A 2-D weight: `rows` rows of `cols` values, each row `row_bytes` apart.
struct WeightView {
    TensorType type = TensorType::F32;
    int64_t rows = 0, cols = 0;
    std::size_t row_bytes = 0;
    const uint8_t* data = nullptr;
};

class PackedWeights;

// One product of a batch: y[m * ldy + n] (= or +=) sum_k W[n][k] * x[m * ldx + k].
struct MatmulJob {
    WeightView w;
    float* y = nullptr;
    int64_t ldy = 0;
    bool add = false;         // y += (a residual connection) instead of y =
    const float* x = nullptr; // this job's own input (same ldx); null: the shared one
    int M = 0;                // this job's own number of input rows; 0: the shared M
};

// Sees every product's input before it runs (the importance-matrix collector).
class MatmulObserver {
public:
    virtual ~MatmulObserver() = default;
    virtual void inputs(const WeightView& w, const float* x, int64_t ldx, int M) = 0;
};

class Matmul {
public:
    Matmul(ThreadPool& pool, const Kernels& kernels);
    ~Matmul();

    // y[m * ldy + n] = sum_k W[n][k] * x[m * ldx + k], for m < M, n < W.rows.
    void run(const WeightView& w, const float* x, int64_t ldx, int M, float* y, int64_t ldy);
    // Same, but y += instead of y = (saves a pass for residual connections).
    void run_add(const WeightView& w, const float* x, int64_t ldx, int M, float* y, int64_t ldy);
    // Several products in one dispatch (q, k, v; gate, up; a token's experts): each input
    // is converted once and all rows are shared out among the threads together.
    void run(std::initializer_list<MatmulJob> jobs, const float* x, int64_t ldx, int M);
    void run(const std::vector<MatmulJob>& jobs, const float* x, int64_t ldx, int M);

    bool amx_enabled() const { return m_amx; }
    void set_amx(bool enabled);       // tests compare both paths
    int amx_min_tokens() const { return m_amx_min_tokens; } // batches that AMX tiles take
    // The packed-panel integer GEMM (Kernels::gemm) for batches of its type's min_tokens or
    // more; off, those go through the dot kernels (tests compare both).
    bool gemm_enabled() const { return m_gemm; }
    void set_gemm(bool enabled) { m_gemm = enabled; }
    // Time each dispatch into `profile` as "matmul TYPE" (null: off).
    void set_profile(Profile* profile) { m_profile = profile; }
    void set_observer(MatmulObserver* observer) { m_observer = observer; }
    // Weights packed once for the GEMM (null: none); it must outlive their products here.
    void set_packed(const PackedWeights* packed) { m_packed = packed; }
    const PackedWeights* packed() const { return m_packed; }

private:
    void run_jobs(const MatmulJob* jobs, std::size_t n_jobs, const float* x, int64_t ldx, int M);
    void dispatch_jobs(const MatmulJob* jobs, std::size_t n_jobs, const float* x, int64_t ldx, int M);
    void run_dot(const MatmulJob* jobs, std::size_t n_jobs, int64_t ldx);
    void run_amx(const MatmulJob& job, int64_t ldx);
    bool use_amx(const WeightView& w, int M) const;

    ThreadPool& m_pool;
    const Kernels& m_k;
    bool m_amx = false;
    bool m_gemm = true;
    int m_amx_min_tokens = 16;
    // Converted inputs: one buffer per (input, activation format) of a dispatch.
    struct Converted {
        const float* x;
        ActFormat format;
        int M;
        std::vector<uint8_t> bytes;
    };
    std::vector<Converted> m_converted;
    std::size_t m_n_converted = 0;
    std::vector<uint16_t> m_act_bf16;  // bf16 activations for the AMX path
    const float* m_bf16_of = nullptr;
    struct Span {
        std::size_t job;
        int64_t r0, r1;
    };
    Profile* m_profile = nullptr;
    MatmulObserver* m_observer = nullptr;
    std::vector<Span> m_spans;         // the rows of one dispatch, in tasks
    const PackedWeights* m_packed = nullptr;
    std::vector<const uint8_t*> m_packed_rows; // per job of a dispatch: its packed rows, or null
    struct ThreadScratch;
    std::vector<std::unique_ptr<ThreadScratch>> m_scratch;
};

// True when this CPU has AMX-BF16 and the kernel granted this process the tile state.
bool amx_available();

} // namespace seekbench::cpu
