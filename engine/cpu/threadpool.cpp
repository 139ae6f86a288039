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
constexpr int kSpinRounds = 20000; // ~0.1 ms of pausing before a worker sleeps
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
    : m_n_threads(n_threads > 0 ? std::min(n_threads, max_threads()) : hardware_threads())
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

void ThreadPool::work(int thread)
{
    for (;;) {
        const int task = m_next.fetch_add(1, std::memory_order_relaxed);
        if (task >= m_n_tasks)
            break;
        m_fn(m_ctx, task, thread);
    }
}

void ThreadPool::run(int n_tasks, Fn fn, void* ctx)
{
    m_n_tasks = n_tasks;
    m_fn = fn;
    m_ctx = ctx;
    m_next.store(0, std::memory_order_relaxed);
    m_busy.store(m_n_threads - 1, std::memory_order_relaxed);
    m_generation.fetch_add(1, std::memory_order_release);
    m_generation.notify_all();
    work(0);
    while (m_busy.load(std::memory_order_acquire) != 0)
        SB_PAUSE();
}

void ThreadPool::worker(int index)
{
    uint64_t seen = 0;
    for (;;) {
        uint64_t gen = m_generation.load(std::memory_order_acquire);
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
        work(index);
        m_busy.fetch_sub(1, std::memory_order_release);
    }
}

} // namespace seekbench
