// ThreadPool: generation counter + atomic wait/notify (futexes on Linux).
#include "threadpool.h"

#include "engine/error.h"

#include <algorithm>
#include <system_error>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SB_PAUSE() _mm_pause()
#else
#define SB_PAUSE() ((void)0)
#endif

namespace seekbench {

namespace {
// ~50 us of pausing (25 ns a pause on Zen 4) before a worker sleeps: long enough to bridge
// the gaps between a decode step's jobs, short enough that a worker waiting for a caller the OS
// preempted soon gives its core back (2 threads beside a busy process: 0.96-1.02x of 1 thread
// with this, 0.92x with 10 times the spin).
constexpr int kSpinRounds = 2000;
// A caller whose last tasks run on other threads: a task takes tens of microseconds, so a
// longer wait means the OS preempted that worker, and sleeping frees this core for it.
constexpr int kCallerSpinRounds = 2000;
constexpr uint64_t kClosed = 0xffffffffu; // a claim's task index while a job is being set up
}

int ThreadPool::hardware_threads()
{
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

int ThreadPool::max_threads()
{
    return 4 * hardware_threads();
}

ThreadPool::ThreadPool(int n_threads)
    : m_n_threads(n_threads > 0 ? std::min(n_threads, max_threads()) : hardware_threads()),
      m_runs(static_cast<std::size_t>(m_n_threads))
{
    for (int i = 1; i < m_n_threads; ++i) {
        try {
            m_threads.emplace_back([this, i] { worker(i); });
        } catch (const std::system_error& e) {
            stop_workers(); // the threads already started, before the members go

            throw Error(ErrorCode::Io, "cannot start CPU thread " + std::to_string(i + 1) + " of " +
                                           std::to_string(m_n_threads) + ": " + e.what());
        }
    }
}

ThreadPool::~ThreadPool()
{
    stop_workers();
}

void ThreadPool::stop_workers()
{
    m_stop.store(true);
    m_generation.fetch_add(1);
    m_generation.notify_all();
    for (std::thread& t : m_threads)
        t.join();
    m_threads.clear();
}

void ThreadPool::work(uint32_t generation, int thread)
{
    // This thread's own run first, then what is left of the others'.
    for (int i = 0; i < m_n_threads; ++i) {
        Run& run = m_runs[static_cast<std::size_t>((thread + i) % m_n_threads)];
        uint64_t claim = run.claim.load(std::memory_order_acquire);
        for (;;) {
            if (static_cast<uint32_t>(claim >> 32) != generation)
                return; // a later job: this one is over
            const auto task = static_cast<uint32_t>(claim & 0xffffffffu);
            if (task >= run.end.load(std::memory_order_relaxed))
                break; // this run is done
            if (!run.claim.compare_exchange_weak(claim, claim + 1, std::memory_order_acquire, std::memory_order_acquire))
                continue; // `claim` now holds the current value
            m_fn.load(std::memory_order_relaxed)(m_ctx.load(std::memory_order_relaxed), static_cast<int>(task), thread);
            const int n_tasks = m_n_tasks.load(std::memory_order_relaxed);
            if (m_done.fetch_add(1, std::memory_order_seq_cst) + 1 == n_tasks &&
                m_caller_asleep.load(std::memory_order_seq_cst))
                m_done.notify_all();
            claim = run.claim.load(std::memory_order_acquire);
        }
    }
}

void ThreadPool::run(int n_tasks, Fn fn, void* ctx)
{
    // Close the old job's claims first: a worker still holding one would otherwise pair
    // it with the new job's run ends and win a task that does not exist.
    const uint32_t generation = m_generation.load(std::memory_order_relaxed) + 1;
    for (Run& run : m_runs)
        run.claim.store(static_cast<uint64_t>(generation) << 32 | kClosed, std::memory_order_seq_cst);
    m_n_tasks.store(n_tasks, std::memory_order_relaxed);
    m_fn.store(fn, std::memory_order_relaxed);
    m_ctx.store(ctx, std::memory_order_relaxed);
    m_done.store(0, std::memory_order_relaxed);
    // Thread t's run: tasks [ceil(t n / T), ceil((t + 1) n / T)), the first runs the longer.
    const auto n = static_cast<uint64_t>(n_tasks), threads = static_cast<uint64_t>(m_n_threads);
    for (uint64_t t = 0; t < threads; ++t)
        m_runs[t].end.store(static_cast<uint32_t>(((t + 1) * n + threads - 1) / threads), std::memory_order_relaxed);
    for (uint64_t t = 0; t < threads; ++t)
        m_runs[t].claim.store(static_cast<uint64_t>(generation) << 32 | ((t * n + threads - 1) / threads),
                              std::memory_order_release);
    m_generation.store(generation, std::memory_order_release);
    m_generation.notify_all();
    work(generation, 0);
    // The last tasks may still run on workers: spin a little, then sleep until the last
    // one finishes (a worker the OS preempted mid-task may take a while).
    for (int spin = 0; m_done.load(std::memory_order_acquire) != n_tasks; ++spin) {
        if (spin < kCallerSpinRounds) {
            SB_PAUSE();
            continue;
        }
        m_caller_asleep.store(true, std::memory_order_seq_cst);
        const int done = m_done.load(std::memory_order_seq_cst);
        if (done != n_tasks)
            m_done.wait(done, std::memory_order_acquire);
        m_caller_asleep.store(false, std::memory_order_relaxed);
    }
}

void ThreadPool::worker(int index)
{
    uint32_t seen = 0;
    for (;;) {
        uint32_t gen = m_generation.load(std::memory_order_acquire);
        for (int spin = 0; gen == seen && spin < kSpinRounds; ++spin) {
            SB_PAUSE();
            gen = m_generation.load(std::memory_order_acquire);
        }
        if (gen == seen) {
            m_generation.wait(seen, std::memory_order_acquire);
            continue;
        }
        seen = gen;
        if (m_stop.load())
            return;
        work(gen, index);
    }
}

} // namespace seekbench
