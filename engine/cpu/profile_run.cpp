// profile_forward: a warm-up prompt, the measured prompt, then sampled decoding steps, each
// with the CPU device's profiler attached to that phase's Profile.
#include "profile_run.h"

#include "engine/error.h"
#include "engine/sampler.h"

#include <algorithm>
#include <chrono>
#include <numeric>

namespace seekbench {

ProfileRun profile_forward(CpuBackend& cpu, int n_prompt, int n_gen)
{
    if (n_prompt < 1 || n_gen < 1 || n_prompt > 8192 || n_gen > 4096)
        throw Error(ErrorCode::InvalidArgument, "a profile takes 1..8192 prompt tokens and 1..4096 generated ones");
    ProfileRun run;
    run.n_prompt = n_prompt;
    run.n_gen = n_gen;
    run.bandwidth_gbs = memory_bandwidth(cpu.device().pool(), std::size_t(512) << 20);
    run.fma_peak_gflops = fma_peak(cpu.device().pool(), cpu.device().kernels());
    const int vocab = cpu.model().config().n_vocab;
    const auto context = cpu.new_context(n_prompt + n_gen, 1, KvType::F16);
    std::vector<float> logits;
    Batch batch;
    for (int i = 0; i < n_prompt; ++i)
        batch.add((i * 7919 + 13) % vocab, i, 0, i == n_prompt - 1);
    context->forward(batch, logits); // unmeasured: pages the weights in, sizes the scratch
    cpu.device().set_profile(&run.prefill);
    context->forward(batch, logits);

    // Decoding samples as a chat does (the default temperature, top-k, top-p, penalties).
    cpu.device().set_profile(&run.decode);
    Sampler sampler{SamplerParams{}};
    std::vector<int32_t> history;
    int32_t next = sampler.sample(logits.data(), vocab, history);
    for (int i = 0; i < n_gen; ++i) {
        history.push_back(next);
        batch.clear();
        batch.add(next, n_prompt + i, 0, true);
        context->forward(batch, logits);
        const ProfileScope sampling(&run.decode, "sampling", static_cast<uint64_t>(vocab) * 4);
        next = sampler.sample(logits.data(), vocab, history);
    }
    cpu.device().set_profile(nullptr);
    return run;
}

// Reads `bytes` of memory with every thread, returning GB/s (best of a few passes).
double memory_bandwidth(ThreadPool& pool, std::size_t bytes)
{
    std::vector<uint64_t> buf(bytes / 8);
    pool.parallel_for(pool.size(), [&](int t, int) { // touch pages on the thread that reads them
        const std::size_t per = buf.size() / static_cast<std::size_t>(pool.size());
        std::fill(buf.begin() + static_cast<std::ptrdiff_t>(per * static_cast<std::size_t>(t)),
                  buf.begin() + static_cast<std::ptrdiff_t>(per * static_cast<std::size_t>(t + 1)), uint64_t(t + 1));
    });
    double best = 0;
    std::vector<uint64_t> sums(static_cast<std::size_t>(pool.size()));
    for (int pass = 0; pass < 5; ++pass) {
        const auto t0 = std::chrono::steady_clock::now();
        pool.parallel_for(pool.size(), [&](int t, int) {
            const std::size_t per = buf.size() / static_cast<std::size_t>(pool.size());
            const uint64_t* p = buf.data() + per * static_cast<std::size_t>(t);
            uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (std::size_t i = 0; i + 4 <= per; i += 4) {
                s0 += p[i];
                s1 += p[i + 1];
                s2 += p[i + 2];
                s3 += p[i + 3];
            }
            sums[static_cast<std::size_t>(t)] = s0 + s1 + s2 + s3;
        });
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::max(best, static_cast<double>(bytes) / s / 1e9);
    }
    volatile uint64_t keep = std::accumulate(sums.begin(), sums.end(), uint64_t(0)); // the reads stay
    (void)keep;
    return best;
}

double fma_peak(ThreadPool& pool, const cpu::Kernels& kernels)
{
    // A step is kFmaChains multiply-adds, 6 cycles on two FMA pipes: ~40 ms a pass at 4 GHz.
    const int64_t steps = int64_t(24) << 20;
    std::vector<float> sums(static_cast<std::size_t>(pool.size()));
    double best = 0;
    for (int pass = 0; pass < 5; ++pass) {
        const auto t0 = std::chrono::steady_clock::now();
        pool.parallel_for(pool.size(), [&](int t, int) {
            sums[static_cast<std::size_t>(t)] = kernels.fma_chains(steps, static_cast<float>(t + pass));
        });
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double flops = 2.0 * static_cast<double>(steps) * cpu::kFmaChains * kernels.fma_lanes * pool.size();
        best = std::max(best, flops / s / 1e9);
    }
    volatile float keep = std::accumulate(sums.begin(), sums.end(), 0.0f); // the chains stay
    (void)keep;
    return best;
}

} // namespace seekbench
