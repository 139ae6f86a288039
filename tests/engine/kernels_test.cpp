// CPU kernels and matmul against a float64 reference, on fresh random inputs of awkward
// sizes, for every instruction set this CPU runs (portable, AVX2, AVX2 with AVX-VNNI,
// AVX-512) and both matmul paths (integer dot products; AMX tiles when present). Error
// bounds are stated per case relative to |w| |x|, since a dot product itself can be near zero.
#include "engine/cpu/cpu_device.h"
#include "engine/cpu/exp_steps.h"
#include "engine/cpu/kernels.h"
#include "engine/cpu/matmul.h"
#include "engine/fp16.h"
#include "engine/quants.h"
#include "testing.h"

#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#ifdef __linux__
#include <sched.h>
#endif

using namespace seekbench;
using namespace seekbench::cpu;

namespace {

struct Case {
    TensorType type;
    double bound; // |got - ref| / (|w| |x|)
};

// Activations are quantized to 8 bits for the integer formats: ~1/254 of each block's
// range per value, which averages down over a row.
const Case kCases[] = {
    {TensorType::F32, 1e-6},  {TensorType::F16, 1e-6},  {TensorType::BF16, 1e-6},
    {TensorType::Q8_0, 4e-3}, {TensorType::Q4_0, 4e-3}, {TensorType::Q4_K, 4e-3},
    {TensorType::Q5_K, 4e-3}, {TensorType::Q6_K, 4e-3}, {TensorType::Q4_1, 4e-3},
    {TensorType::Q5_0, 4e-3}, {TensorType::Q5_1, 4e-3}, {TensorType::Q2_K, 1e-6},
    {TensorType::Q3_K, 1e-6},
};

std::vector<float> random_vector(std::mt19937& rng, int64_t n, float scale = 1.0f)
{
    std::normal_distribution<float> normal(0.0f, scale);
    std::vector<float> v(static_cast<std::size_t>(n));
    for (float& x : v)
        x = normal(rng);
    return v;
}

// Weights as the file would hold them. Q2_K/Q3_K cannot be quantized to: random bytes with
// small scales stand in (they only need to decode to something).
std::vector<uint8_t> make_weights(std::mt19937& rng, TensorType t, int64_t rows, int64_t k)
{
    const std::size_t rb = row_bytes(t, k);
    std::vector<uint8_t> w(rb * static_cast<std::size_t>(rows));
    if (!can_quantize(t)) {
        for (uint8_t& b : w)
            b = static_cast<uint8_t>(rng());
        const int bb = traits(t).block_bytes;
        const uint16_t scale = f32_to_fp16(0.01f);
        for (std::size_t off = 0; off < w.size(); off += static_cast<std::size_t>(bb)) {
            if (t == TensorType::Q2_K) {
                std::memcpy(&w[off + 80], &scale, 2);
                std::memcpy(&w[off + 82], &scale, 2);
            } else {
                std::memcpy(&w[off + 108], &scale, 2);
            }
        }
        return w;
    }
    for (int64_t r = 0; r < rows; ++r) {
        const std::vector<float> row = random_vector(rng, k);
        quantize_row(t, row.data(), w.data() + static_cast<std::size_t>(r) * rb, k);
    }
    return w;
}

double norm(const std::vector<double>& v)
{
    double s = 0;
    for (double x : v)
        s += x * x;
    return std::sqrt(s);
}

} // namespace

TEST_CASE("thread pool runs every task exactly once")
{
    // Many short jobs back to back, more threads than cores: workers are often late for a
    // job (one that claimed a task of a finished job once ran a task of the next one).
    for (int threads : {2, 3, 2 * ThreadPool::hardware_threads() + 1}) {
        ThreadPool pool(threads);
        std::atomic<long> runs{0};
        long expected = 0;
        for (int round = 0; round < 100000; ++round) {
            const int n = 2 + round % 5;
            expected += n;
            pool.parallel_for(n, [&](int task, int) {
                volatile int spin = 0;
                for (int i = 0; i < (task * 37 + round) % 64; ++i)
                    spin = spin + i;
                runs.fetch_add(1, std::memory_order_relaxed);
            });
            if (runs.load() != expected) {
                CHECK_MSG(false, threads << " threads, round " << round << ": " << runs.load() << " task runs, " << expected
                                         << " expected");
                break;
            }
        }
    }
    ThreadPool pool(3);
    for (int round = 0; round < 200; ++round) {
        const int n = 1 + round % 37;
        std::vector<std::atomic<int>> hits(static_cast<std::size_t>(n));
        pool.parallel_for(n, [&](int task, int thread) {
            CHECK(thread >= 0 && thread < 3);
            hits[static_cast<std::size_t>(task)].fetch_add(1);
        });
        for (auto& h : hits)
            CHECK_EQ(h.load(), 1);
    }
}

TEST_CASE("thread pool: fewer threads while the cores are busy and that is faster")
{
    using namespace std::chrono_literals;
    const auto t0 = ThreadCount::Clock::time_point{};
    auto steps = [](ThreadCount& c, ThreadCount::Clock::time_point& t, int n, auto fewer, auto all) {
        for (int i = 0; i < n; ++i) {
            t += c.active() < 2 ? fewer : all;
            c.at_step(t);
        }
    };
    ThreadCount two(2, t0);
    auto t = t0;
    CHECK_EQ(two.after_window(0.05, t0 + 100ms), 2);
    CHECK_EQ(two.after_window(0.20, t0 + 200ms), 2); // a GUI's share stays under the line
    CHECK_EQ(two.after_window(0.35, t0 + 300ms), 2); // one busy window is not enough
    CHECK_EQ(two.after_window(0.20, t0 + 400ms), 2);
    CHECK_EQ(two.after_window(0.35, t0 + 500ms), 2);
    CHECK_EQ(two.after_window(0.35, t0 + 600ms), 1); // two in a row: a trial, one thread first
    t = t0 + 600ms;
    two.at_step(t); // the step under way is not timed
    steps(two, t, 4, 30ms, 40ms);
    CHECK_EQ(two.active(), 2); // then a block with both
    steps(two, t, 4, 30ms, 40ms);
    CHECK_EQ(two.active(), 1);
    steps(two, t, 8, 30ms, 40ms);
    CHECK_EQ(two.active(), 1); // one thread was faster: kept
    CHECK_EQ(two.after_window(-1, t + 3s), 1);
    CHECK_EQ(two.after_window(-1, t + 4s), 2); // held 4 s, then watching again with both
    t += 4s;
    CHECK_EQ(two.after_window(0.4, t + 100ms), 2);
    CHECK_EQ(two.after_window(0.4, t + 200ms), 1);
    t += 200ms;
    two.at_step(t);
    steps(two, t, 16, 40ms, 35ms); // both faster despite the wait: kept
    CHECK_EQ(two.active(), 2);
    CHECK_EQ(two.after_window(0.4, t + 100ms), 2); // held, whatever the windows say
    CHECK_EQ(two.after_window(0.4, t + 200ms), 2);
    // Jobs without forward steps (a conversion): the trial gives up, one fewer for a while.
    t += 5s;
    CHECK_EQ(two.after_window(0.4, t), 2); // the hold is over: watching from the next window
    CHECK_EQ(two.after_window(0.4, t + 100ms), 2);
    CHECK_EQ(two.after_window(0.4, t + 200ms), 1);
    CHECK_EQ(two.after_window(-1, t + 3100ms), 1);
    CHECK_EQ(two.after_window(-1, t + 3200ms), 1);
    CHECK_EQ(two.after_window(-1, t + 7100ms), 1);
    CHECK_EQ(two.after_window(-1, t + 7200ms), 2);

    ThreadCount agreeing(2, t0); // trials that agree: held twice as long each time
    t = t0;
    for (const auto hold : {4s, 8s, 16s, 32s, 32s}) {
        agreeing.after_window(0.4, t += 100ms);
        CHECK_EQ(agreeing.after_window(0.4, t += 100ms), 1);
        agreeing.at_step(t);
        steps(agreeing, t, 16, 30ms, 40ms);
        CHECK_EQ(agreeing.after_window(-1, t + hold - 100ms), 1);
        CHECK_EQ(agreeing.after_window(-1, t += hold), 2);
    }

    ThreadCount single(1, t0); // nothing to leave out
    CHECK_EQ(single.after_window(0.9, t0 + 100ms), 1);
    CHECK_EQ(single.after_window(0.9, t0 + 200ms), 1);
    CHECK_EQ(single.at_step(t0 + 300ms), 1);

#ifdef __linux__
    // A real pool with both threads on one core: they wait half the time, and one steps out
    // (a trial begins); every task still runs once, through the trial too.
    cpu_set_t before, one;
    REQUIRE(sched_getaffinity(0, sizeof before, &before) == 0);
    CPU_ZERO(&one);
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &before)) {
            CPU_SET(c, &one);
            break;
        }
    REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);
    {
        ThreadPool pool(2); // the workers start on the one core too
        std::atomic<long> runs{0};
        long expected = 0;
        auto job = [&](int spin_rounds) { // 8 tasks of busy work, counted
            pool.parallel_for(8, [&](int, int) {
                volatile int spin = 0;
                for (int i = 0; i < spin_rounds; ++i)
                    spin = spin + i;
                runs.fetch_add(1, std::memory_order_relaxed);
            });
            expected += 8;
        };
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (pool.active_threads() == 2 && std::chrono::steady_clock::now() < deadline)
            job(20000);
        CHECK_EQ(pool.active_threads(), 1);
        // Forward steps through the trial: the left-out worker wakes for the blocks with both
        // threads and steps out again.
        int both = 0;
        for (int step = 0; step < 4 * ThreadCount::kBlockSteps + 1; ++step) {
            pool.step();
            both += pool.active_threads() == 2;
            for (int i = 0; i < 20; ++i)
                job(2000);
        }
        CHECK(both >= ThreadCount::kBlockSteps);
        CHECK_EQ(runs.load(), expected);
    }
    sched_setaffinity(0, sizeof before, &before);
#endif
}

TEST_CASE("dot products of every format and instruction set")
{
    std::mt19937 rng(7);
    const auto tables = runnable_kernels();
    std::printf("    kernel tables: ");
    for (const Kernels* k : tables)
        std::printf("%s ", k->name);
    std::printf("\n");
    for (const Case& c : kCases) {
        // 160 and 224: five and seven 32-blocks, the tails of kernels that take four at a time.
        for (int64_t k : {256, 768, 4864, 8960, 160, 224}) {
            if (k % traits(c.type).block_size != 0)
                continue;
            const std::vector<uint8_t> w = make_weights(rng, c.type, 1, k);
            const std::vector<float> x = random_vector(rng, k, 0.7f);
            std::vector<float> wf(static_cast<std::size_t>(k));
            dequantize_row(c.type, w.data(), wf.data(), k);
            std::vector<double> wd(wf.begin(), wf.end()), xd(x.begin(), x.end());
            double ref = 0;
            for (int64_t i = 0; i < k; ++i)
                ref += wd[static_cast<std::size_t>(i)] * xd[static_cast<std::size_t>(i)];
            const double scale = norm(wd) * norm(xd);
            // Quantized rows: integer sums are exact and every tier takes the same float steps,
            // so each tier's result is the portable one's to the bit (a model answers the same
            // whichever tier runs it).
            const bool integer = c.type != TensorType::F32 && c.type != TensorType::F16 && c.type != TensorType::BF16;
            double portable = 0;
            for (const Kernels* table : tables) {
                Kernels::Dot dot = table->dot[static_cast<int>(c.type)];
                double got;
                if (dot) {
                    const ActFormat f = table->act_format(c.type);
                    std::vector<uint8_t> act(act_row_bytes(f, k));
                    table->quantize_act(f, x.data(), act.data(), k);
                    got = dot(k, w.data(), act.data());
                    if (integer && table == tables.front())
                        portable = got;
                    else if (integer)
                        CHECK_MSG(got == portable, table->name << " " << type_name(c.type) << " k=" << k << ": " << got
                                                               << " vs the portable " << portable);
                } else { // no kernel: the matmul dequantizes and uses the f32 dot
                    got = table->dot_f32(k, wf.data(), x.data());
                }
                const double err = std::fabs(got - ref) / scale;
                CHECK_MSG(err <= c.bound, table->name << " " << type_name(c.type) << " k=" << k
                                                      << ": error " << err << " > " << c.bound);
            }
        }
    }
}

TEST_CASE("batched dot products equal single ones to the bit")
{
    // A row against 1..4 activation rows at once must give exactly dot()'s results, so a
    // request's text does not depend on what else is in its batch.
    std::mt19937 rng(5);
    int tested = 0;
    for (const Kernels* table : runnable_kernels())
        for (int t = 0; t < 40; ++t) {
            const Kernels::DotM dotm = table->dotm[t];
            if (!dotm)
                continue;
            const auto type = static_cast<TensorType>(t);
            for (int64_t k : {256, 1536, 8960}) {
                const std::vector<uint8_t> w = make_weights(rng, type, 1, k);
                const ActFormat f = table->act_format(type);
                const std::size_t stride = act_row_bytes(f, k);
                std::vector<uint8_t> acts(stride * Kernels::kDotMaxActs);
                for (int m = 0; m < Kernels::kDotMaxActs; ++m) {
                    const std::vector<float> x = random_vector(rng, k, 0.5f + m);
                    table->quantize_act(f, x.data(), acts.data() + stride * static_cast<std::size_t>(m), k);
                }
                for (int n = 1; n <= Kernels::kDotMaxActs; ++n) {
                    float out[Kernels::kDotMaxActs];
                    dotm(k, w.data(), acts.data(), stride, n, out);
                    for (int m = 0; m < n; ++m) {
                        const float single = table->dot[t](k, w.data(), acts.data() + stride * static_cast<std::size_t>(m));
                        CHECK_MSG(out[m] == single, table->name << " " << type_name(type) << " k=" << k << " n=" << n
                                                                << " row " << m << ": " << out[m] << " vs " << single);
                    }
                }
                ++tested;
            }
        }
    std::printf("    batched kernels checked: %d shapes\n", tested);
}

TEST_CASE("decode's rows at once equal single dot products to the bit")
{
    // dot_rows: 1..4 weight rows against one activation row, as a decode step runs them;
    // each must be dot()'s result, so a row's value does not depend on its neighbours.
    std::mt19937 rng(8);
    int tested = 0;
    for (const Kernels* table : runnable_kernels())
        for (int t = 0; t < 40; ++t) {
            const Kernels::DotRows rows = table->dot_rows[t];
            if (!rows)
                continue;
            const auto type = static_cast<TensorType>(t);
            for (int64_t k : {256, 1536, 8960}) {
                constexpr int kMax = Kernels::kDotMaxRows;
                const std::size_t wb = row_bytes(type, k);
                const std::vector<uint8_t> w = make_weights(rng, type, kMax, k);
                const ActFormat f = table->act_format(type);
                std::vector<uint8_t> act(act_row_bytes(f, k));
                const std::vector<float> x = random_vector(rng, k);
                table->quantize_act(f, x.data(), act.data(), k);
                for (int n = 1; n <= kMax; ++n) {
                    float out[kMax];
                    rows(k, w.data(), wb, n, act.data(), out);
                    for (int r = 0; r < n; ++r) {
                        const float single = table->dot[t](k, w.data() + wb * static_cast<std::size_t>(r), act.data());
                        CHECK_MSG(out[r] == single, table->name << " " << type_name(type) << " k=" << k << " n=" << n
                                                                << " row " << r << ": " << out[r] << " vs " << single);
                    }
                    ++tested;
                }
            }
        }
    if (runnable_kernels().size() > 1) // the x86 tiers have one for Q4_K
        CHECK(tested > 0);
    std::printf("    decode row kernels checked: %d shapes\n", tested);
}

// M activation rows of k values in `format`, each of a larger spread than the last.
std::vector<uint8_t> quantized_acts(std::mt19937& rng, const Kernels& table, ActFormat format, int64_t k, int M, float spread)
{
    const std::size_t stride = act_row_bytes(format, k);
    std::vector<uint8_t> acts(stride * static_cast<std::size_t>(M));
    for (int m = 0; m < M; ++m) {
        const std::vector<float> x = random_vector(rng, k, spread * static_cast<float>(m + 1));
        table.quantize_act(format, x.data(), acts.data() + stride * static_cast<std::size_t>(m), k);
    }
    return acts;
}

// y (M rows, ldy apart, 0.5 before the kernel ran) against dot() of weight rows [r0, r1)
// (`what` names the case): those equal to the bit, every other column untouched.
struct GemmCheck {
    const Kernels& table;
    TensorType type;
    int64_t k;
    const uint8_t* w;
    const uint8_t* acts;
    void operator()(const std::vector<float>& y, int M, int64_t ldy, int64_t r0, int64_t r1, bool add, const std::string& what) const
    {
        const std::size_t wb = row_bytes(type, k), stride = act_row_bytes(table.act_format(type), k);
        for (int m = 0; m < M; ++m)
            for (int64_t c = 0; c < ldy; ++c) {
                const float got = y[static_cast<std::size_t>(m * ldy + c)];
                if (c < r0 || c >= r1) {
                    CHECK_MSG(got == 0.5f, table.name << " " << type_name(type) << " wrote column " << c);
                    continue;
                }
                const float dot = table.dot[static_cast<int>(type)](k, w + wb * static_cast<std::size_t>(c),
                                                                    acts + stride * static_cast<std::size_t>(m));
                const float want = add ? 0.5f + dot : dot;
                CHECK_MSG(got == want, table.name << " " << type_name(type) << " k=" << k << " " << what << " M=" << M
                                                  << (add ? " add" : "") << " [" << m << "," << c << "]: " << got << " vs " << want);
            }
    }
};

uint8_t* aligned64(std::vector<uint8_t>& bytes)
{
    return bytes.data() + (64 - reinterpret_cast<std::uintptr_t>(bytes.data()) % 64) % 64;
}

TEST_CASE("packed-panel GEMM equals the dot kernels to the bit")
{
    // Panel widths of 1, 5 and all rows, token counts around the kernels' tiles (4 and 8; F16:
    // 12 and 6, and 1 or 2 tokens left for the wider tiles of few tokens),
    // both = and +=: the integer sums are exact and the float steps are dot()'s, in its order,
    // so a token's result does not depend on the batch it came in (a server's requests).
    // F16/BF16 also with k = 200 (a 16-value chunk and a tail of 8).
    std::mt19937 rng(17);
    int tested = 0;
    for (const Kernels* table : runnable_kernels())
        for (int t = 0; t < 40; ++t) {
            const Kernels::Gemm& gemm = table->gemm[t];
            if (!gemm.run)
                continue;
            const auto type = static_cast<TensorType>(t);
            const ActFormat f = table->act_format(type);
            const bool half = type == TensorType::F16 || type == TensorType::BF16;
            for (int64_t k : {200, 256, 1536}) {
                if (k == 200 && !half)
                    continue;
                const int panel_rows = gemm.rows(k);
                const std::size_t wb = row_bytes(type, k), stride = act_row_bytes(f, k);
                const std::vector<uint8_t> w = make_weights(rng, type, panel_rows, k);
                const std::vector<uint8_t> acts = quantized_acts(rng, *table, f, k, 19, 0.2f);
                const GemmCheck check{*table, type, k, w.data(), acts.data()};
                std::vector<uint8_t> panel(gemm.panel_bytes(k) + 64);
                uint8_t* aligned = aligned64(panel);
                for (int n_rows : {1, 5, panel_rows - 11, panel_rows})
                    for (int M : {1, 2, 7, 8, 9, 14, 16, 19})
                        for (bool add : {false, true}) {
                            gemm.pack(k, w.data(), wb, n_rows, aligned);
                            const int64_t ldy = panel_rows + 5;
                            std::vector<float> y(static_cast<std::size_t>(M * ldy), 0.5f);
                            gemm.run(k, aligned, acts.data(), stride, M, y.data(), ldy, n_rows, add);
                            check(y, M, ldy, 0, n_rows, add, "rows=" + std::to_string(n_rows));
                            ++tested;
                        }
            }
        }
    std::printf("    GEMM kernels checked: %d shapes\n", tested);
}

TEST_CASE("weights packed whole in groups equal the dot kernels to the bit")
{
    // Types with Gemm::group_rows are packed once at load (PackedWeights): a weight's groups
    // one after another, each group_rows x row_bytes, and run() takes any span of whole
    // groups from any group's first row, for every batch size, decode (one token) included:
    // sizes on both sides of where the tiers leave the one-token kernels for the tiles.
    // Five groups and a short last one, spans from each group: decode takes up to four
    // groups side by side (Q8_0), so spans of one to six groups, the last one short.
    std::mt19937 rng(29);
    int tested = 0;
    for (const Kernels* table : runnable_kernels())
        for (int t = 0; t < 40; ++t) {
            const Kernels::Gemm& gemm = table->gemm[t];
            if (!gemm.group_rows)
                continue;
            const auto type = static_cast<TensorType>(t);
            const ActFormat f = table->act_format(type);
            const int group = gemm.group_rows;
            for (int64_t k : {256, 1536}) {
                const int kRows = 5 * group + 5;
                const std::size_t wb = row_bytes(type, k), stride = act_row_bytes(f, k);
                const std::size_t group_bytes = wb * static_cast<std::size_t>(group);
                std::vector<uint8_t> w = make_weights(rng, type, kRows, k);
                if (type == TensorType::Q8_0) // -128, which no quantizer here writes but a file may hold
                    for (std::size_t off = 2; off < w.size(); off += 34 * 3)
                        w[off + off % 32] = 0x80;
                const std::vector<uint8_t> acts = quantized_acts(rng, *table, f, k, 33, 0.05f);
                const GemmCheck check{*table, type, k, w.data(), acts.data()};
                std::vector<uint8_t> packed(group_bytes * 6 + 64);
                uint8_t* aligned = aligned64(packed);
                gemm.pack(k, w.data(), wb, kRows, aligned);
                // And each row back out of its group as the file holds it (the token embedding
                // of a tied output matrix is read so).
                REQUIRE(gemm.group_row);
                std::vector<uint8_t> row(wb);
                for (int r = 0; r < kRows; ++r) {
                    gemm.group_row(k, aligned + group_bytes * static_cast<std::size_t>(r / group), r % group, row.data());
                    CHECK_MSG(std::memcmp(row.data(), w.data() + wb * static_cast<std::size_t>(r), wb) == 0,
                              table->name << " " << type_name(type) << " k=" << k << " row " << r << " back from its group");
                }
                for (int first_group = 0; first_group < 6; ++first_group)
                    for (int M : {1, 2, 5, 23, 33})
                        for (bool add : {false, true}) {
                            const int r0 = first_group * group;
                            const int64_t ldy = kRows + 3;
                            std::vector<float> y(static_cast<std::size_t>(M * ldy), 0.5f);
                            gemm.run(k, aligned + group_bytes * static_cast<std::size_t>(first_group), acts.data(), stride, M,
                                     y.data() + r0, ldy, kRows - r0, add);
                            check(y, M, ldy, r0, kRows, add, "from group " + std::to_string(first_group));
                            ++tested;
                        }
            }
        }
    if (runnable_kernels().size() > 1) // the x86 tiers pack F16/BF16, AVX2 Q4_K too
        CHECK(tested > 0);
    std::printf("    packed groups checked: %d spans\n", tested);
}

TEST_CASE("small batches straight from the rows equal the dot kernels to the bit")
{
    // Kernels::Gemm::direct (F16, BF16): decode and batches below prompt size read the GGUF
    // rows in the GEMM's order. Row counts around its groups (8 or 16 rows), every token
    // count it takes, lengths with tails, both = and +=.
    std::mt19937 rng(23);
    int tested = 0;
    for (const Kernels* table : runnable_kernels())
        for (int t = 0; t < 40; ++t) {
            const auto direct = table->gemm[t].direct;
            if (!direct)
                continue;
            const auto type = static_cast<TensorType>(t);
            for (int64_t k : {16, 37, 200, 1536}) {
                constexpr int kRows = 41, kMaxM = 15;
                const std::size_t wb = row_bytes(type, k), stride = static_cast<std::size_t>(k) * sizeof(float);
                const std::vector<uint8_t> w = make_weights(rng, type, kRows, k);
                const std::vector<float> acts = random_vector(rng, k * kMaxM);
                for (int n_rows : {1, 7, 8, 9, 16, 17, kRows})
                    for (int M : {1, 2, 3, 4, 5, 9, kMaxM})
                        for (bool add : {false, true}) {
                            const int64_t ldy = kRows + 3;
                            std::vector<float> y(static_cast<std::size_t>(M * ldy), 0.5f);
                            direct(k, w.data(), wb, n_rows, acts.data(), stride, M, y.data(), ldy, add);
                            for (int m = 0; m < M; ++m)
                                for (int64_t c = 0; c < ldy; ++c) {
                                    const float got = y[static_cast<std::size_t>(m * ldy + c)];
                                    if (c >= n_rows) {
                                        CHECK_MSG(got == 0.5f, table->name << " " << type_name(type) << " wrote column " << c);
                                        continue;
                                    }
                                    const float dot = table->dot[t](k, w.data() + wb * static_cast<std::size_t>(c), acts.data() + k * m);
                                    const float want = add ? 0.5f + dot : dot;
                                    CHECK_MSG(got == want, table->name << " " << type_name(type) << " k=" << k << " rows=" << n_rows
                                                                       << " M=" << M << (add ? " add" : "") << " [" << m << "," << c
                                                                       << "]: " << got << " vs " << want);
                                }
                            ++tested;
                        }
            }
        }
    CHECK(tested > 0);
    std::printf("    direct kernels checked: %d shapes\n", tested);
}

TEST_CASE("activation quantization is the same bytes on every instruction set")
{
    std::mt19937 rng(5);
    for (ActFormat f : {ActFormat::F32, ActFormat::Q8A, ActFormat::Q8K, ActFormat::Q8K4}) {
        for (int64_t k : {256, 1536, 8960}) {
            std::vector<float> x = random_vector(rng, k, 3.0f);
            x[7] = 0.5f / 127.0f * 3.0f; // values near rounding ties
            std::vector<uint8_t> ref(act_row_bytes(f, k)), got(act_row_bytes(f, k));
            kernels_generic().quantize_act(f, x.data(), ref.data(), k);
            for (const Kernels* table : runnable_kernels()) {
                std::fill(got.begin(), got.end(), uint8_t(0xAB));
                table->quantize_act(f, x.data(), got.data(), k);
                CHECK_MSG(got == ref, table->name << " format " << static_cast<int>(f) << " k=" << k);
            }
        }
    }
}

TEST_CASE("SwiGLU is the same bits on every instruction set, and its exp within 2 ulp")
{
    // Every 4096th float (all exponents, both signs: NaN, infinities, denormals, zeros
    // included), the edges where exp's input is held, and lengths that leave tails.
    std::vector<float> g;
    for (uint64_t b = 0; b < (1ull << 32); b += 4093)
        g.push_back(std::bit_cast<float>(static_cast<uint32_t>(b)));
    for (float v : {0.0f, -0.0f, 86.9f, 87.0f, 87.1f, 88.0f, 88.1f, -87.0f, -88.0f, -88.1f, 1e-40f, -1e-40f})
        g.push_back(v);
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> dist(-3.0f, 3.0f);
    std::vector<float> u(g.size());
    for (float& v : u)
        v = dist(rng);
    std::vector<float> want = g;
    kernels_generic().silu_mul(want.data(), u.data(), static_cast<int64_t>(want.size()));
    for (const Kernels* table : runnable_kernels()) {
        for (int64_t n : {int64_t(g.size()), int64_t(13), int64_t(1)}) {
            std::vector<float> got(g.begin(), g.begin() + n);
            table->silu_mul(got.data(), u.data(), n);
            int differ = 0;
            for (int64_t i = 0; i < n; ++i)
                differ += std::memcmp(&got[std::size_t(i)], &want[std::size_t(i)], sizeof(float)) != 0 &&
                          !(std::isnan(got[std::size_t(i)]) && std::isnan(want[std::size_t(i)]));
            CHECK_MSG(differ == 0, table->name << " n=" << n << ": " << differ << " values differ from generic's");
        }
    }
    // exp itself against float64's, where it is not held: at most 2 units in the last place.
    double worst = 0;
    for (float x = -87.0f; x <= 88.0f; x += 0.00731f) {
        const double exact = std::exp(double(x));
        const double ulp = std::ldexp(1.0, std::ilogb(float(exact)) - 23);
        worst = std::max(worst, std::abs(double(cpu::exp_steps::exp(x)) - exact) / ulp);
    }
    std::printf("    exp_steps: worst error %.2f ulp over [-87, 88]\n", worst);
    CHECK(worst <= 2.0);
    // SwiGLU's values near those of std::exp's formula.
    for (float x : {-20.0f, -3.0f, -0.5f, 0.0f, 0.25f, 2.0f, 15.0f}) {
        float v = x;
        const float one = 1.0f;
        kernels_generic().silu_mul(&v, &one, 1);
        CHECK_MSG(std::abs(double(v) - double(x) / (1.0 + std::exp(-double(x)))) <= 1e-6 * (1.0 + std::abs(double(x))), x);
    }
}

TEST_CASE("attention's softmax is the same bits on every instruction set, near float64's")
{
    std::mt19937 rng(9);
    for (int64_t n : {1, 7, 16, 17, 31, 100, 1000, 4099}) {
        for (float spread : {0.5f, 8.0f, 60.0f}) {
            std::normal_distribution<float> dist(0.0f, spread);
            std::vector<float> x(static_cast<std::size_t>(n));
            for (float& v : x)
                v = dist(rng);
            std::vector<float> want = x;
            kernels_generic().softmax(want.data(), n);
            for (const Kernels* table : runnable_kernels()) {
                std::vector<float> got = x;
                table->softmax(got.data(), n);
                CHECK_MSG(std::memcmp(got.data(), want.data(), sizeof(float) * std::size_t(n)) == 0,
                          table->name << " n=" << n << " spread " << spread);
            }
            double mx = x[0], sum = 0;
            for (float v : x)
                mx = std::max(mx, double(v));
            for (float v : x)
                sum += std::exp(double(v) - mx);
            // Relative error 1e-6, growing with how far below the max a score is (x - max is
            // rounded to float first, as in any float softmax).
            for (int64_t i = 0; i < n; ++i) {
                const double d = double(x[std::size_t(i)]) - mx, p = std::exp(d) / sum;
                CHECK_MSG(std::abs(double(want[std::size_t(i)]) - p) <= 1e-6 * (1.0 - d) * p + 1e-37,
                          "n=" << n << " [" << i << "]: " << want[std::size_t(i)] << " vs " << p);
            }
        }
    }
}

TEST_CASE("f16 cache helpers")
{
    std::mt19937 rng(3);
    for (const Kernels* table : runnable_kernels()) {
        for (int64_t n : {8, 13, 64, 128, 131}) {
            const std::vector<float> a = random_vector(rng, n), b = random_vector(rng, n);
            std::vector<uint16_t> h(static_cast<std::size_t>(n));
            table->f32_to_f16(a.data(), h.data(), n);
            double ref = 0;
            for (int64_t i = 0; i < n; ++i) {
                CHECK_EQ(h[static_cast<std::size_t>(i)], f32_to_fp16(a[static_cast<std::size_t>(i)]));
                ref += static_cast<double>(fp16_to_f32(h[static_cast<std::size_t>(i)])) * b[static_cast<std::size_t>(i)];
            }
            CHECK(std::fabs(table->dot_f16_f32(n, h.data(), b.data()) - ref) < 1e-4 * n);
            std::vector<float> y(b);
            table->axpy_f16(n, 0.5f, h.data(), y.data());
            for (int64_t i = 0; i < n; ++i)
                CHECK(std::fabs(y[static_cast<std::size_t>(i)] -
                                (b[static_cast<std::size_t>(i)] + 0.5f * fp16_to_f32(h[static_cast<std::size_t>(i)]))) < 1e-5);
        }
    }
}

TEST_CASE("attention helpers: heads sharing a key and value rows")
{
    // n heads against one F16 key, and the weighted sum of F16 value rows for n heads, with
    // head counts across the kernels' groups of 8 and lengths with tails, against float64.
    std::mt19937 rng(4);
    for (const Kernels* table : runnable_kernels())
        for (int64_t len : {8, 20, 128, 576})
            for (int n : {1, 3, 8, 9, 16}) {
                const int n_keys = 37;
                const std::vector<float> keys = random_vector(rng, len * n_keys), q = random_vector(rng, len * n);
                std::vector<uint16_t> h(keys.size());
                table->f32_to_f16(keys.data(), h.data(), static_cast<int64_t>(keys.size()));
                std::vector<float> out(static_cast<std::size_t>(n));
                table->scores_f16(len, h.data() + len, len, 1, q.data(), len, n, 1.0f, out.data(), 1); // key 1
                for (int j = 0; j < n; ++j) {
                    double ref = 0, scale = 0;
                    for (int64_t i = 0; i < len; ++i) {
                        const double term = static_cast<double>(fp16_to_f32(h[static_cast<std::size_t>(len + i)])) * q[static_cast<std::size_t>(j * len + i)];
                        ref += term;
                        scale += std::fabs(term);
                    }
                    CHECK_MSG(std::fabs(out[static_cast<std::size_t>(j)] - ref) <= 1e-6 * (1 + scale),
                              table->name << " scores_f16 len=" << len << " n=" << n << " head " << j);
                }
                const std::vector<float> w = random_vector(rng, int64_t(n) * n_keys);
                std::vector<float> y(static_cast<std::size_t>(n * (len + 3)), NAN);
                table->wsum_f16_n(len, h.data(), len, n_keys, w.data(), n_keys, n, y.data(), len + 3);
                for (int j = 0; j < n; ++j)
                    for (int64_t i = 0; i < len; ++i) {
                        double ref = 0, scale = 0;
                        for (int p = 0; p < n_keys; ++p) {
                            const double term = static_cast<double>(w[static_cast<std::size_t>(j * n_keys + p)]) *
                                                fp16_to_f32(h[static_cast<std::size_t>(p * len + i)]);
                            ref += term;
                            scale += std::fabs(term);
                        }
                        CHECK_MSG(std::fabs(y[static_cast<std::size_t>(j * (len + 3) + i)] - ref) <= 1e-6 * (1 + scale),
                                  table->name << " wsum_f16_n len=" << len << " n=" << n << " [" << j << "," << i << "]");
                    }
            }
}

TEST_CASE("attention's scores and weighted sums are the same bits on every instruction set")
{
    // The tiles of keys and heads (4 x 6 on AVX-512, 2 x 3 on AVX2), the keys and heads
    // left over, the 32/16/8-value chunks and the tails: none of it changes a (query, key)
    // score or an output value.
    std::mt19937 rng(5);
    const Kernels& generic = kernels_generic();
    const float scale = 0.37f;
    for (int64_t len : {8, 20, 40, 128, 131, 576})
        for (int n : {1, 2, 3, 5, 6, 7, 8, 9, 16, 17}) {
            const int n_keys = 31, key_stride = static_cast<int>(len) + 5;
            const std::vector<float> keys = random_vector(rng, int64_t(key_stride) * n_keys), q = random_vector(rng, len * n);
            std::vector<uint16_t> h(keys.size());
            generic.f32_to_f16(keys.data(), h.data(), static_cast<int64_t>(keys.size()));
            const std::vector<float> w = random_vector(rng, int64_t(n) * n_keys);
            std::vector<float> want_scores(static_cast<std::size_t>(n * n_keys)), want_sum(static_cast<std::size_t>(n * len));
            generic.scores_f16(len, h.data(), key_stride, n_keys, q.data(), len, n, scale, want_scores.data(), n_keys);
            generic.wsum_f16_n(len, h.data(), key_stride, n_keys, w.data(), n_keys, n, want_sum.data(), len);
            for (const Kernels* table : runnable_kernels()) {
                std::vector<float> got(want_scores.size()), sum(want_sum.size());
                table->scores_f16(len, h.data(), key_stride, n_keys, q.data(), len, n, scale, got.data(), n_keys);
                table->wsum_f16_n(len, h.data(), key_stride, n_keys, w.data(), n_keys, n, sum.data(), len);
                CHECK_MSG(std::memcmp(got.data(), want_scores.data(), sizeof(float) * got.size()) == 0,
                          table->name << " scores_f16 len=" << len << " n=" << n);
                CHECK_MSG(std::memcmp(sum.data(), want_sum.data(), sizeof(float) * sum.size()) == 0,
                          table->name << " wsum_f16_n len=" << len << " n=" << n);
                if (std::strcmp(table->name, "generic") != 0) // x86: one key, one head, the same order
                    for (int j = 0; j < n; ++j)
                        for (int p = 0; p < n_keys; ++p)
                            CHECK_MSG(scale * table->dot_f16_f32(len, h.data() + int64_t(p) * key_stride, q.data() + j * len) ==
                                          got[std::size_t(j * n_keys + p)],
                                      table->name << " dot_f16_f32 len=" << len << " head " << j << " key " << p);
            }
        }
}

TEST_CASE("matmul paths against float64, awkward shapes")
{
    // Every kernel table this CPU runs, each through every path it has: dot products, the
    // packed-panel GEMM (batches of its type's min_tokens or more, 5 to 14: the 7- and 8-token
    // shapes take it for some types) and AMX tiles.
    std::mt19937 rng(11);
    std::vector<std::unique_ptr<CpuDevice>> devices;
    for (const Kernels* table : runnable_kernels())
        devices.push_back(std::make_unique<CpuDevice>(2, table));
    const bool has_amx = amx_available();
    std::printf("    AMX: %s\n", has_amx ? "yes (all paths tested)" : "no (dot and GEMM paths)");
    enum class Path { Dot, Gemm, Amx };
    struct Shape {
        int64_t rows, k;
        int M;
    };
    const Shape shapes[] = {{70, 256, 1}, {33, 512, 3}, {24, 256, 7}, {50, 512, 8}, {96, 768, 17}, {40, 256, 64}, {130, 512, 100}, {7, 256, 23}};
    for (const Case& c : kCases) {
        for (const Shape& s : shapes) {
            const std::vector<uint8_t> w = make_weights(rng, c.type, s.rows, s.k);
            const std::vector<float> x = random_vector(rng, s.M * s.k, 0.7f);
            const WeightView view{c.type, s.rows, s.k, row_bytes(c.type, s.k), w.data()};
            // Reference, and |w_r| |x_m| for the bound.
            std::vector<double> ref(static_cast<std::size_t>(s.M * s.rows)), wn(static_cast<std::size_t>(s.rows)),
                xn(static_cast<std::size_t>(s.M));
            std::vector<float> wf(static_cast<std::size_t>(s.k));
            for (int64_t r = 0; r < s.rows; ++r) {
                dequantize_row(c.type, w.data() + static_cast<std::size_t>(r) * view.row_bytes, wf.data(), s.k);
                double n2 = 0;
                for (float v : wf)
                    n2 += static_cast<double>(v) * v;
                wn[static_cast<std::size_t>(r)] = std::sqrt(n2);
                for (int m = 0; m < s.M; ++m) {
                    double acc = 0;
                    for (int64_t i = 0; i < s.k; ++i)
                        acc += static_cast<double>(wf[static_cast<std::size_t>(i)]) * x[static_cast<std::size_t>(m * s.k + i)];
                    ref[static_cast<std::size_t>(m * s.rows + r)] = acc;
                }
            }
            for (int m = 0; m < s.M; ++m) {
                double n2 = 0;
                for (int64_t i = 0; i < s.k; ++i)
                    n2 += static_cast<double>(x[static_cast<std::size_t>(m * s.k + i)]) * x[static_cast<std::size_t>(m * s.k + i)];
                xn[static_cast<std::size_t>(m)] = std::sqrt(n2);
            }
            for (const auto& device : devices) {
                std::vector<float> y_dot; // the GEMM must give the dot path's bits
                for (Path path : {Path::Dot, Path::Gemm, Path::Amx}) {
                    const bool amx = path == Path::Amx;
                    if (amx && !has_amx)
                        continue;
                    Matmul& mm = device->matmul();
                    mm.set_amx(amx);
                    mm.set_gemm(path == Path::Gemm);
                    const char* path_name = amx ? "amx" : path == Path::Gemm ? "gemm" : "dot";
                    // bf16 tiles round weights and activations to 8 significant bits.
                    const double bound = amx && s.M >= mm.amx_min_tokens() ? std::max(c.bound, 8e-3) : c.bound;
                    std::vector<float> y(static_cast<std::size_t>(s.M * s.rows), NAN);
                    mm.run(view, x.data(), s.k, s.M, y.data(), s.rows);
                    std::vector<float> y2(static_cast<std::size_t>(s.M * s.rows), 1.0f);
                    mm.run_add(view, x.data(), s.k, s.M, y2.data(), s.rows);
                    double worst = 0, worst_add = 0;
                    for (int m = 0; m < s.M; ++m)
                        for (int64_t r = 0; r < s.rows; ++r) {
                            const std::size_t i = static_cast<std::size_t>(m * s.rows + r);
                            const double scale = wn[static_cast<std::size_t>(r)] * xn[static_cast<std::size_t>(m)];
                            worst = std::max(worst, std::fabs(y[i] - ref[i]) / scale);
                            worst_add = std::max(worst_add, std::fabs(y2[i] - 1.0 - ref[i]) / scale);
                        }
                    CHECK_MSG(worst <= bound && std::isfinite(worst),
                              device->kernels().name << " " << type_name(c.type) << " " << path_name << " " << s.rows << "x"
                                                     << s.k << " M=" << s.M << ": error " << worst << " > " << bound);
                    CHECK_MSG(worst_add <= bound + 1e-6, device->kernels().name << " " << type_name(c.type) << " "
                                                                                << path_name << " run_add: error " << worst_add);
                    if (path == Path::Dot)
                        y_dot = y;
                    if (path == Path::Gemm)
                        CHECK_MSG(std::memcmp(y.data(), y_dot.data(), y.size() * sizeof(float)) == 0,
                                  device->kernels().name << " " << type_name(c.type) << " GEMM and dot paths differ, M=" << s.M);
                    mm.set_amx(true);
                    mm.set_gemm(true);
                }
            }
        }
    }
}
