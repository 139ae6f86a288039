// Matmul: the decode path (integer dot products over weight rows, split across threads)
// and the dispatch to the AMX path in gemm_amx.cpp for larger batches.
#include "matmul.h"

#include "gemm_amx.h"

#include "engine/quants.h"

#include <algorithm>
#include <cstring>

namespace seekbench::cpu {

struct Matmul::ThreadScratch {
    std::vector<float> row;            // one dequantized weight row (types without a dot kernel)
    std::vector<uint16_t> panel;       // AMX: a dequantized bf16 panel of weight rows
    std::vector<float> panel_f32;
    std::vector<float> tile;           // AMX: one 32 x 32 block of results
};

Matmul::Matmul(ThreadPool& pool, const Kernels& kernels) : m_pool(pool), m_k(kernels)
{
    m_amx = amx_available();
    for (int t = 0; t < pool.size(); ++t)
        m_scratch.push_back(std::make_unique<ThreadScratch>());
}

Matmul::~Matmul() = default;

void Matmul::set_amx(bool enabled) { m_amx = enabled && amx_available(); }

void Matmul::run(const WeightView& w, const float* x, int64_t ldx, int M, float* y, int64_t ldy)
{
    if (m_amx && M >= m_gemm_min_tokens && amx_supports(w.type, w.cols))
        run_amx(w, x, ldx, M, y, ldy, false);
    else
        run_dot(w, x, ldx, M, y, ldy, false);
}

void Matmul::run_add(const WeightView& w, const float* x, int64_t ldx, int M, float* y, int64_t ldy)
{
    if (m_amx && M >= m_gemm_min_tokens && amx_supports(w.type, w.cols))
        run_amx(w, x, ldx, M, y, ldy, true);
    else
        run_dot(w, x, ldx, M, y, ldy, true);
}

void Matmul::run_dot(const WeightView& w, const float* x, int64_t ldx, int M, float* y,
                     int64_t ldy, bool add)
{
    const int64_t K = w.cols, N = w.rows;
    Kernels::Dot dot = m_k.dot[static_cast<int>(w.type)];
    const ActFormat format = dot ? act_format(w.type) : ActFormat::F32;
    const std::size_t act_bytes = act_row_bytes(format, K);
    m_act.resize(act_bytes * static_cast<std::size_t>(M));
    m_pool.parallel_for(M, [&](int m, int) {
        m_k.quantize_act(format, x + m * ldx, m_act.data() + act_bytes * static_cast<std::size_t>(m), K);
    });

    // Tasks of consecutive rows: enough tasks to balance, few enough to keep rows streaming.
    const int64_t rows_per_task = std::clamp<int64_t>(N / (16 * m_pool.size()), 4, 256);
    const int n_tasks = static_cast<int>((N + rows_per_task - 1) / rows_per_task);
    m_pool.parallel_for(n_tasks, [&](int task, int thread) {
        const int64_t r0 = task * rows_per_task, r1 = std::min(N, r0 + rows_per_task);
        ThreadScratch& s = *m_scratch[static_cast<std::size_t>(thread)];
        for (int64_t r = r0; r < r1; ++r) {
            const uint8_t* row = w.data + static_cast<std::size_t>(r) * w.row_bytes;
            const void* weights = row;
            Kernels::Dot row_dot = dot;
            if (!dot) { // no kernel for this format: dequantize the row, then an f32 dot
                s.row.resize(static_cast<std::size_t>(K));
                dequantize_row(w.type, row, s.row.data(), K);
                weights = s.row.data();
                row_dot = m_k.dot[static_cast<int>(TensorType::F32)];
            }
            for (int m = 0; m < M; ++m) {
                const float v = row_dot(K, weights, m_act.data() + act_bytes * static_cast<std::size_t>(m));
                float& out = y[m * ldy + r];
                out = add ? out + v : v;
            }
        }
    });
}

void Matmul::run_amx(const WeightView& w, const float* x, int64_t ldx, int M, float* y,
                     int64_t ldy, bool add)
{
    const int64_t K = w.cols, N = w.rows;
    const int64_t m_pad = (M + 31) / 32 * 32;
    m_act_bf16.assign(static_cast<std::size_t>(m_pad * K), 0);
    m_pool.parallel_for(M, [&](int m, int) {
        m_k.f32_to_bf16(x + m * ldx, m_act_bf16.data() + m * K, K);
    });
    const int n_panels = static_cast<int>((N + kAmxPanelRows - 1) / kAmxPanelRows);
    m_pool.parallel_for(n_panels, [&](int panel, int thread) {
        ThreadScratch& s = *m_scratch[static_cast<std::size_t>(thread)];
        const int64_t n0 = static_cast<int64_t>(panel) * kAmxPanelRows;
        const int rows = static_cast<int>(std::min<int64_t>(kAmxPanelRows, N - n0));
        s.panel.resize(static_cast<std::size_t>(kAmxPanelRows * K));
        s.panel_f32.resize(static_cast<std::size_t>(K));
        s.tile.resize(32 * 32);
        amx_pack_panel(w.type, w.data + static_cast<std::size_t>(n0) * w.row_bytes, w.row_bytes,
                       rows, K, s.panel.data(), s.panel_f32.data());
        amx_gemm_panel(m_act_bf16.data(), M, static_cast<int>(m_pad), K, s.panel.data(), rows,
                       y + n0, ldy, add, s.tile.data());
    });
}

} // namespace seekbench::cpu
