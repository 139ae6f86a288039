// A fixed pool of worker threads for the CPU kernels. parallel_for hands out task indices
// dynamically; the calling thread works too. Each thread starts on its own run of
// consecutive tasks (thread t on the t-th of size() equal runs) and, that run done, takes
// the tasks left in the others': consecutive tasks read consecutive memory (a matmul's
// rows), and one stream per thread keeps the hardware prefetchers fed. Workers spin
// briefly between jobs (a decode step dispatches a few hundred small jobs) and then sleep,
// so an idle pool costs nothing.
// A job ends when its tasks are done, not when every worker has looked in: on a busy
// desktop a worker the OS has not scheduled simply misses the job, and the threads that
// run take its share; a caller left waiting on a task sleeps after a short spin.
// And when the pool's threads keep waiting for a core (another busy process), it times one
// thread fewer against all and keeps the faster for a while (ThreadCount below).
// SEEKBENCH_ADAPTIVE_THREADS=0 keeps every thread, for comparisons.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace seekbench {

// How many of a pool's threads take part. Every thread, until windows of its jobs show them
// waiting for cores (another busy process); then a trial: blocks of forward steps alternate
// between one thread fewer and all, and the faster by median step time is kept for a while
// (longer while trials agree), then the watch starts again. See threadpool.cpp for the figures.
class ThreadCount {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr auto kWindow = std::chrono::milliseconds(100);
    static constexpr double kContendedShare = 0.25;
    static constexpr int kBlockSteps = 4;   // a trial: fewer, all, fewer, all
    static constexpr auto kTrialLimit = std::chrono::seconds(3); // jobs but too few steps: give up
    static constexpr auto kHold = std::chrono::seconds(4); // doubling, to 32 s, while trials agree
    static constexpr auto kHoldMax = std::chrono::seconds(32);

    ThreadCount(int n_threads, Clock::time_point start);
    int active() const { return m_active; }
    // After a window of the pool's jobs in which the threads taking part waited for a core this
    // share of the time (< 0: not measured): how many take part from now on.
    int after_window(double waiting_share, Clock::time_point now);
    // At the start of each forward step (a token, or a prompt's chunk): the same.
    int at_step(Clock::time_point now);

private:
    enum class Phase { Watching, Trial, Holding };
    void decide(Clock::time_point now);

    int m_n_threads;
    int m_active;
    Phase m_phase = Phase::Watching;
    int m_contended_windows = 0; // in a row
    Clock::time_point m_phase_start;
    Clock::duration m_hold = kHold;
    int m_last_answer = 0; // the last trial's faster count
    Clock::time_point m_last_step{};
    bool m_have_step = false;
    int m_block = 0, m_block_steps = 0;
    std::vector<double> m_fewer, m_all; // a trial's step times, in seconds
};

class ThreadPool {
public:
    // n_threads counts the caller; 0 means one per core; more than max_threads() gets
    // max_threads(). Throws Error (Io) when the system cannot start a thread.
    explicit ThreadPool(int n_threads = 0);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return m_n_threads; }
    // The threads taking part in jobs now: size(), or fewer while the OS keeps them waiting
    // for a core. Tasks' thread indices stay below size() either way.
    int active_threads() const { return m_active.load(std::memory_order_relaxed); }
    // Called by the forward pass as each step starts (see ThreadCount); one caller at a time,
    // as for jobs.
    void step();

    // Calls f(task, thread) for every task in [0, n_tasks); returns when all are done.
    template <typename F> void parallel_for(int n_tasks, F&& f)
    {
        if (n_tasks <= 0)
            return;
        if (n_tasks == 1 || m_n_threads == 1) {
            for (int t = 0; t < n_tasks; ++t)
                f(t, 0);
            return;
        }
        run(n_tasks, &trampoline<std::remove_reference_t<F>>, &f);
    }

    // The number of hardware threads, at least 1; and the most a pool starts (spinning
    // workers beyond the cores only take turns).
    static int hardware_threads();
    static int max_threads();

private:
    using Fn = void (*)(void* ctx, int task, int thread);
    template <typename F> static void trampoline(void* ctx, int task, int thread)
    {
        (*static_cast<F*>(ctx))(task, thread);
    }
    void run(int n_tasks, Fn fn, void* ctx);
    void dispatch(int n_tasks, Fn fn, void* ctx); // to the threads taking part, the caller too
    void worker(int index);
    void stop_workers();
    void work(uint32_t generation, int thread);
    void watch_contention();
    void start_window(ThreadCount::Clock::time_point now, int caller);
    void set_active(int next);
    int64_t waiting_ns(int active) const;

    int m_n_threads;
    std::vector<std::thread> m_threads;
    // One job at a time. Workers wake on a new generation and claim tasks from the runs,
    // whose claims hold (generation << 32 | next task): a claim made for an older job fails,
    // so a late worker never runs a task of the wrong job. m_fn, m_ctx, m_n_tasks and the
    // runs' ends are the current job's; they change only after all its tasks are done.
    struct alignas(64) Run {
        std::atomic<uint64_t> claim{0};
        std::atomic<uint32_t> end{0}; // one past its last task
    };
    alignas(64) std::atomic<uint32_t> m_generation{0};
    std::vector<Run> m_runs; // one per thread
    alignas(64) std::atomic<int> m_done{0};      // tasks of the current job finished
    alignas(64) std::atomic<bool> m_caller_asleep{false};
    std::atomic<int> m_n_tasks{0};
    std::atomic<Fn> m_fn{nullptr};
    std::atomic<void*> m_ctx{nullptr};
    std::atomic<bool> m_stop{false};

    // Contention: workers [active, size) sleep until m_active grows. The window's fields
    // belong to the caller (one job at a time).
    alignas(64) std::atomic<int> m_active;
    std::vector<std::atomic<int>> m_tids; // each worker's kernel thread id, 0 until known
    bool m_adapt = true;                  // SEEKBENCH_ADAPTIVE_THREADS=0 turns it off
    ThreadCount m_count;
    int m_jobs_in_window = 0;
    int m_window_caller = 0;
    int64_t m_window_waiting_ns = -1; // -1: no reading at the window's start
    ThreadCount::Clock::time_point m_window_start;
};

} // namespace seekbench
