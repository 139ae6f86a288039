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
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace seekbench {

class ThreadPool {
public:
    // n_threads counts the caller; 0 means one per core; more than max_threads() gets
    // max_threads(). Throws Error (Io) when the system cannot start a thread.
    explicit ThreadPool(int n_threads = 0);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return m_n_threads; }

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
    void worker(int index);
    void stop_workers();
    void work(uint32_t generation, int thread);

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
};

} // namespace seekbench
