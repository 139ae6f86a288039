// Matmul: the decode path (integer dot products over weight rows, split across threads)
// and the dispatch to the AMX path in gemm_amx.cpp for larger batches.
#include "matmul.h"

#include "engine/profile.h"

#include "gemm_amx.h"
#include "packed_weights.h"

#include "engine/quants.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace seekbench::cpu {

namespace {
// Software prefetch distances for streaming weight rows, measured on the decode path
// (a 2-core Sapphire Rapids VM: +25% tokens/s over hardware prefetching alone): into L1
// 2 KiB ahead of the row being read, into L2 4 KiB ahead.
constexpr std::size_t kPrefetchBytes = 2048;
constexpr std::size_t kPrefetchL2 = 4096;
// On AMD's cores the same prefetches cost: a 2-core Zen 4 VM, tg32 of qwen2.5-1.5b synth
// files on 2 threads, 2026-12-01, without / with them: F16 13.4-13.9 / 10.4-10.8, Q8_0
// 19.2-19.5 / 16.4-17.1, Q4_K 31.9-33.6 / 31.3-33.9 tokens/s. There the hardware
// prefetchers are left alone.
bool software_prefetch()
{
    static const bool helps = !__builtin_cpu_is("amd");
    return helps;
}
// Rows per task: enough tasks to balance the threads, few enough to keep each stream long.
constexpr int64_t kMaxRowsPerTask = 512;
// Batches on the dot kernels (types without a GEMM): the weight rows met by every group
// of tokens, at most this many bytes, so they are read from L2 rather than memory.
constexpr std::size_t kBatchRowBytes = 256 * 1024;
} // namespace

struct Matmul::ThreadScratch {
    std::vector<float> row;            // one dequantized weight row (types without a dot kernel)
    std::vector<uint16_t> panel;       // AMX: a dequantized bf16 panel of weight rows
    std::vector<float> panel_f32;
    std::vector<float> tile;           // AMX: one 32 x 32 block of results
    std::vector<uint8_t> gemm_bytes;   // GEMM: one packed panel, 64-byte aligned within

    uint8_t* gemm_panel(std::size_t bytes)
    {
        if (gemm_bytes.size() < bytes + 64)
            gemm_bytes.resize(bytes + 64);
        const auto addr = reinterpret_cast<std::uintptr_t>(gemm_bytes.data());
        return gemm_bytes.data() + ((64 - addr % 64) % 64);
    }
};

Matmul::Matmul(ThreadPool& pool, const Kernels& kernels) : m_pool(pool), m_k(kernels)
{
    m_amx = amx_available();
    for (int t = 0; t < pool.size(); ++t)
        m_scratch.push_back(std::make_unique<ThreadScratch>());
}

Matmul::~Matmul() = default;

void Matmul::set_amx(bool enabled) { m_amx = enabled && amx_available(); }

bool Matmul::use_amx(const WeightView& w, int M) const
{
    return m_amx && M >= m_amx_min_tokens && amx_supports(w.type, w.cols);
}

void Matmul::run(const WeightView& w, const float* x, int64_t ldx, int M, float* y, int64_t ldy)
{
    run({MatmulJob{w, y, ldy, false}}, x, ldx, M);
}

void Matmul::run_add(const WeightView& w, const float* x, int64_t ldx, int M, float* y, int64_t ldy)
{
    run({MatmulJob{w, y, ldy, true}}, x, ldx, M);
}

void Matmul::run(std::initializer_list<MatmulJob> jobs, const float* x, int64_t ldx, int M)
{
    run_jobs(jobs.begin(), jobs.size(), x, ldx, M);
}

void Matmul::run(const std::vector<MatmulJob>& jobs, const float* x, int64_t ldx, int M)
{
    run_jobs(jobs.data(), jobs.size(), x, ldx, M);
}

void Matmul::run_jobs(const MatmulJob* jobs, std::size_t n_jobs, const float* x, int64_t ldx, int M)
{
    if (m_observer)
        for (std::size_t j = 0; j < n_jobs; ++j)
            m_observer->inputs(jobs[j].w, jobs[j].x ? jobs[j].x : x, ldx, jobs[j].M ? jobs[j].M : M);
    const auto start = m_profile ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    dispatch_jobs(jobs, n_jobs, x, ldx, M);
    if (!m_profile)
        return;
    // One dispatch, several weights: its time is shared out by the bytes each weight moved.
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    uint64_t total = 0;
    for (std::size_t j = 0; j < n_jobs; ++j)
        total += static_cast<uint64_t>(jobs[j].w.rows) * jobs[j].w.row_bytes;
    for (std::size_t j = 0; j < n_jobs; ++j) {
        const uint64_t bytes = static_cast<uint64_t>(jobs[j].w.rows) * jobs[j].w.row_bytes;
        const uint64_t flops = 2 * static_cast<uint64_t>(jobs[j].w.rows) * static_cast<uint64_t>(jobs[j].w.cols) *
                               static_cast<uint64_t>(jobs[j].M ? jobs[j].M : M); // a multiply and an add per weight and row
        m_profile->add(std::string("matmul ") + type_name(jobs[j].w.type),
                       total ? seconds * double(bytes) / double(total) : seconds / double(n_jobs), bytes, flops);
    }
}

void Matmul::dispatch_jobs(const MatmulJob* jobs, std::size_t n_jobs, const float* x, int64_t ldx, int M)
{
    std::vector<MatmulJob> dot_jobs;
    m_bf16_of = nullptr;
    for (std::size_t j = 0; j < n_jobs; ++j) {
        MatmulJob job = jobs[j];
        if (!job.x)
            job.x = x;
        if (job.M == 0)
            job.M = M;
        if (job.M == 0)
            continue;
        if (use_amx(job.w, job.M))
            run_amx(job, ldx);
        else
            dot_jobs.push_back(job);
    }
    if (!dot_jobs.empty())
        run_dot(dot_jobs.data(), dot_jobs.size(), ldx);
}

void Matmul::run_dot(const MatmulJob* jobs, std::size_t n_jobs, int64_t ldx)
{
    const int64_t K = jobs[0].w.cols;
    // Convert each distinct input once per activation format its jobs need.
    auto format_of = [&](TensorType t) { return m_k.dot[static_cast<int>(t)] ? m_k.act_format(t) : ActFormat::F32; };
    m_n_converted = 0;
    std::vector<std::size_t> job_input(n_jobs);
    for (std::size_t j = 0; j < n_jobs; ++j) {
        const ActFormat f = format_of(jobs[j].w.type);
        std::size_t c = 0;
        while (c < m_n_converted && !(m_converted[c].x == jobs[j].x && m_converted[c].format == f))
            ++c;
        if (c == m_n_converted) {
            if (m_converted.size() <= c)
                m_converted.push_back({});
            m_converted[c].x = jobs[j].x;
            m_converted[c].format = f;
            m_converted[c].M = jobs[j].M;
            m_converted[c].bytes.resize(act_row_bytes(f, K) * static_cast<std::size_t>(jobs[j].M));
            ++m_n_converted;
        }
        job_input[j] = c;
    }
    std::vector<std::pair<std::size_t, int>> rows; // (input, row) to convert
    for (std::size_t c = 0; c < m_n_converted; ++c)
        for (int m = 0; m < m_converted[c].M; ++m)
            rows.emplace_back(c, m);
    m_pool.parallel_for(static_cast<int>(rows.size()), [&](int task, int) {
        Converted& c = m_converted[rows[static_cast<std::size_t>(task)].first];
        const int m = rows[static_cast<std::size_t>(task)].second;
        const std::size_t bytes = act_row_bytes(c.format, K);
        m_k.quantize_act(c.format, c.x + m * ldx, c.bytes.data() + bytes * static_cast<std::size_t>(m), K);
    });

    // Prompt-sized batches of types with a GEMM kernel go panel by panel.
    auto gemm_of = [&](const MatmulJob& job) -> const Kernels::Gemm* {
        const Kernels::Gemm& g = m_k.gemm[static_cast<int>(job.w.type)];
        return g.run && m_gemm && job.M >= g.min_tokens ? &g : nullptr;
    };
    // Smaller ones of types whose only fast order is the GEMM's: its kernel for them.
    auto direct_of = [&](const MatmulJob& job) {
        const Kernels::Gemm& g = m_k.gemm[static_cast<int>(job.w.type)];
        return m_gemm && job.M < g.min_tokens ? g.direct : nullptr;
    };

    // Weights packed at load (PackedWeights): the GEMM's kernel straight from them, any batch.
    std::vector<const uint8_t*>& packed = m_packed_rows;
    packed.assign(n_jobs, nullptr);
    for (std::size_t j = 0; j < n_jobs && m_packed && m_gemm; ++j)
        packed[j] = m_packed->find(jobs[j].w);

    // Tasks of consecutive rows, across all jobs.
    std::vector<Span>& spans = m_spans;
    spans.clear();
    int64_t total_rows = 0;
    for (std::size_t j = 0; j < n_jobs; ++j)
        total_rows += jobs[j].w.rows;
    const int64_t rows_per_task = std::clamp<int64_t>(total_rows / (16 * m_pool.size()), 4, kMaxRowsPerTask);
    for (std::size_t j = 0; j < n_jobs; ++j) {
        const Kernels::Gemm* gemm = gemm_of(jobs[j]);
        const int group = m_k.gemm[static_cast<int>(jobs[j].w.type)].group_rows;
        // A GEMM task: one panel; a direct or packed one: whole groups of rows.
        const int64_t step = gemm                               ? gemm->rows(K)
                             : direct_of(jobs[j]) || packed[j] ? (rows_per_task + group - 1) / group * group
                                                               : rows_per_task;
        for (int64_t r = 0; r < jobs[j].w.rows; r += step)
            spans.push_back({j, r, std::min(jobs[j].w.rows, r + step)});
    }

    m_pool.parallel_for(static_cast<int>(spans.size()), [&](int task, int thread) {
        const Span sp = spans[static_cast<std::size_t>(task)];
        const MatmulJob& job = jobs[sp.job];
        const WeightView& w = job.w;
        const int M = job.M;
        Kernels::Dot dot = m_k.dot[static_cast<int>(w.type)];
        const Kernels::DotRows dot_rows = m_k.dot_rows[static_cast<int>(w.type)];
        // Batches: one weight row against several activation rows, unpacked once.
        const Kernels::DotM dotm = M >= 2 ? m_k.dotm[static_cast<int>(w.type)] : nullptr;
        const Converted& input = m_converted[job_input[sp.job]];
        const std::size_t act_bytes = act_row_bytes(input.format, K);
        const uint8_t* act = input.bytes.data();
        ThreadScratch& s = *m_scratch[static_cast<std::size_t>(thread)];
        if (const uint8_t* from = packed[sp.job]) {
            m_k.gemm[static_cast<int>(w.type)].run(K, from + static_cast<std::size_t>(sp.r0) * w.row_bytes, act, act_bytes, M,
                                                   job.y + sp.r0, job.ldy, static_cast<int>(sp.r1 - sp.r0), job.add);
            return;
        }
        if (const auto direct = direct_of(job)) {
            direct(K, w.data + static_cast<std::size_t>(sp.r0) * w.row_bytes, w.row_bytes, static_cast<int>(sp.r1 - sp.r0), act,
                   act_bytes, M, job.y + sp.r0, job.ldy, job.add);
            return;
        }
        if (const Kernels::Gemm* gemm = gemm_of(job)) {
            uint8_t* panel = s.gemm_panel(gemm->panel_bytes(K));
            const int n_rows = static_cast<int>(sp.r1 - sp.r0);
            gemm->pack(K, w.data + static_cast<std::size_t>(sp.r0) * w.row_bytes, w.row_bytes, n_rows, panel);
            gemm->run(K, panel, act, act_bytes, M, job.y + sp.r0, job.ldy, n_rows, job.add);
            return;
        }
        auto store = [&](int m, int64_t r, float v) {
            float& out = job.y[m * job.ldy + r];
            out = job.add ? out + v : v;
        };
        if (dotm && M > Kernels::kDotMaxActs) { // a batch: blocks of rows that stay in L2
            constexpr int kStep = Kernels::kDotMaxActs;
            const int64_t block = std::max<int64_t>(1, static_cast<int64_t>(kBatchRowBytes / w.row_bytes));
            float v[kStep];
            for (int64_t r0 = sp.r0; r0 < sp.r1; r0 += block)
                for (int m = 0; m < M; m += kStep) { // these tokens' activations stay in L1
                    const int n = std::min(M - m, kStep);
                    const uint8_t* a = act + act_bytes * static_cast<std::size_t>(m);
                    for (int64_t r = r0; r < std::min(sp.r1, r0 + block); ++r) {
                        dotm(K, w.data + static_cast<std::size_t>(r) * w.row_bytes, a, act_bytes, n, v);
                        for (int j = 0; j < n; ++j)
                            store(m + j, r, v[j]);
                    }
                }
            return;
        }
        // Software prefetch a fixed distance ahead of the row being read where it helps
        // (software_prefetch(): Intel's hardware prefetchers alone leave DRAM half idle on
        // this access pattern). The start of a task is fetched at once, and the stream runs
        // on into the next task's rows.
        const bool prefetch = software_prefetch();
        const uint8_t* matrix_end = w.data + static_cast<std::size_t>(w.rows) * w.row_bytes;
        const uint8_t* first = w.data + static_cast<std::size_t>(sp.r0) * w.row_bytes;
        for (std::size_t off = 0; prefetch && off < kPrefetchBytes && first + off < matrix_end; off += 64)
            __builtin_prefetch(first + off);
        for (int64_t r = sp.r0; r < sp.r1; ++r) {
            const uint8_t* row = w.data + static_cast<std::size_t>(r) * w.row_bytes;
            // Decode: a few rows per pass where the type has a kernel for it.
            const int n_rows = !dotm && dot_rows ? static_cast<int>(std::min<int64_t>(Kernels::kDotMaxRows, sp.r1 - r)) : 1;
            const uint8_t* ahead = row + kPrefetchBytes;
            // Long rows get their prefetches spread out (kernels with in-row prefetch) or
            // left to the hardware: a burst of more than a few KiB would only queue up.
            const std::size_t span_bytes = prefetch ? std::min<std::size_t>(static_cast<std::size_t>(n_rows) * w.row_bytes, kPrefetchBytes) : 0;
            for (std::size_t off = 0; off < span_bytes && ahead + off < matrix_end; off += 64)
                __builtin_prefetch(ahead + off);
            const uint8_t* far = row + kPrefetchL2;
            for (std::size_t off = 0; off < span_bytes && far + off < matrix_end; off += 64)
                __builtin_prefetch(far + off, 0, 2);
            if (dotm) {
                float v[Kernels::kDotMaxActs];
                for (int m = 0; m < M; m += Kernels::kDotMaxActs) {
                    const int n = std::min(M - m, Kernels::kDotMaxActs);
                    dotm(K, row, act + act_bytes * static_cast<std::size_t>(m), act_bytes, n, v);
                    for (int i = 0; i < n; ++i)
                        store(m + i, r, v[i]);
                }
                continue;
            }
            if (dot_rows && !dotm) {
                float v[Kernels::kDotMaxRows];
                for (int m = 0; m < M; ++m) {
                    dot_rows(K, row, w.row_bytes, n_rows, act + act_bytes * static_cast<std::size_t>(m), v);
                    for (int i = 0; i < n_rows; ++i)
                        store(m, r + i, v[i]);
                }
                r += n_rows - 1;
                continue;
            }
            const void* weights = row;
            Kernels::Dot row_dot = dot;
            if (!dot) { // no kernel for this format: dequantize the row, then an f32 dot
                s.row.resize(static_cast<std::size_t>(K));
                dequantize_row(w.type, row, s.row.data(), K);
                weights = s.row.data();
                row_dot = m_k.dot[static_cast<int>(TensorType::F32)];
            }
            for (int m = 0; m < M; ++m)
                store(m, r, row_dot(K, weights, act + act_bytes * static_cast<std::size_t>(m)));
        }
    });
}

void Matmul::run_amx(const MatmulJob& job, int64_t ldx)
{
    const WeightView& w = job.w;
    const int M = job.M;
    const int64_t K = w.cols, N = w.rows, m_pad = (M + 31) / 32 * 32;
    if (m_bf16_of != job.x) { // bf16 activations padded to 32 rows, shared by jobs with this input
        m_act_bf16.assign(static_cast<std::size_t>(m_pad * K), 0);
        m_pool.parallel_for(M, [&](int m, int) { m_k.f32_to_bf16(job.x + m * ldx, m_act_bf16.data() + m * K, K); });
        m_bf16_of = job.x;
    }
    const int n_panels = static_cast<int>((N + kAmxPanelRows - 1) / kAmxPanelRows);
    m_pool.parallel_for(n_panels, [&](int panel, int thread) {
        ThreadScratch& s = *m_scratch[static_cast<std::size_t>(thread)];
        const int64_t n0 = static_cast<int64_t>(panel) * kAmxPanelRows;
        const int rows = static_cast<int>(std::min<int64_t>(kAmxPanelRows, N - n0));
        s.panel.resize(static_cast<std::size_t>(kAmxPanelRows * K));
        s.panel_f32.resize(static_cast<std::size_t>(K));
        s.tile.resize(32 * 32);
        amx_pack_panel(w.type, w.data + static_cast<std::size_t>(n0) * w.row_bytes, w.row_bytes, rows, K,
                       s.panel.data(), s.panel_f32.data());
        amx_gemm_panel(m_act_bf16.data(), M, static_cast<int>(m_pad), K, s.panel.data(), rows, job.y + n0,
                       job.ldy, job.add, s.tile.data());
    });
}

} // namespace seekbench::cpu
