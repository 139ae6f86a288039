// ThreadPool: generation counter + atomic wait/notify (futexes on Linux).
#include "threadpool.h"

#include "engine/error.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>

#ifdef __linux__
#include <fcntl.h>
#include <unistd.h>
#endif

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

// Contention. With a busy process beside it on 2 cores, a pool of 2 threads gets 4/3 of a
// core but stalls whenever the OS preempts one of them mid-job (the caller above all: no job
// starts until it runs again); 1 thread beside that process has a core of its own. Which is
// faster changed by the hour on our shared test machine: 2 threads ran 0.85-1.26x of 1 (the
// median of nine interleaved rounds 0.93x in one hour, 1.10x in another). So the pool
// measures rather than guesses. It watches the time its threads spend runnable but not
// running (the kernel's run_delay): over a quarter of two windows in a row means more
// threads than free cores. Then it tries one thread fewer against all, in alternating blocks
// of forward steps, keeps the faster for a while and watches again. Measured on 2 cores: a
// busy loop beside 2 threads makes that share 0.30-0.44; the app's GUI thread drawing a
// reply beside them 0.04 at the median, 0.18 at the 99th percentile, 0.26 at most.
constexpr int kContendedWindows = 2;
constexpr int kJobsBetweenClockReads = 16; // a job takes 10 us or more; a clock read ~20 ns

// The run_delay of a thread of this process (0: the calling thread), in ns; -1 if unknown.
int64_t run_delay_ns(int tid)
{
#ifdef __linux__
    const std::string path = tid == 0 ? "/proc/thread-self/schedstat" : "/proc/self/task/" + std::to_string(tid) + "/schedstat";
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char text[96];
    const ssize_t n = ::read(fd, text, sizeof text - 1);
    ::close(fd);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    // "run_ns run_delay_ns timeslices"
    char* end = nullptr;
    std::strtoull(text, &end, 10);
    const char* delay = end;
    const unsigned long long value = std::strtoull(delay, &end, 10);
    return end == delay ? -1 : static_cast<int64_t>(value);
#else
    (void)tid;
    return -1;
#endif
}

int this_thread_id()
{
#ifdef __linux__
    return static_cast<int>(::gettid());
#else
    return 0;
#endif
}
} // namespace

ThreadCount::ThreadCount(int n_threads, Clock::time_point start)
    : m_n_threads(n_threads), m_active(n_threads), m_phase_start(start)
{
}

int ThreadCount::after_window(double waiting_share, Clock::time_point now)
{
    switch (m_phase) {
    case Phase::Watching:
        if (m_active > 1 && waiting_share >= 0) {
            m_contended_windows = waiting_share > kContendedShare ? m_contended_windows + 1 : 0;
            if (m_contended_windows >= kContendedWindows) {
                m_phase = Phase::Trial;
                m_phase_start = now;
                m_contended_windows = 0;
                m_block = m_block_steps = 0;
                m_fewer.clear();
                m_all.clear();
                m_have_step = false; // the step under way began with every thread
                m_active = m_n_threads - 1;
            }
        }
        break;
    case Phase::Trial:
        if (now - m_phase_start >= kTrialLimit) { // not forward steps: keep one fewer a while
            m_phase = Phase::Holding;
            m_phase_start = now;
            m_hold = kHold;
            m_active = m_n_threads - 1;
        }
        break;
    case Phase::Holding:
        if (now - m_phase_start >= m_hold) {
            m_phase = Phase::Watching;
            m_active = m_n_threads;
        }
        break;
    }
    return m_active;
}

int ThreadCount::at_step(Clock::time_point now)
{
    if (m_phase == Phase::Trial && m_have_step) {
        (m_active < m_n_threads ? m_fewer : m_all).push_back(std::chrono::duration<double>(now - m_last_step).count());
        if (++m_block_steps == kBlockSteps) {
            m_block_steps = 0;
            if (++m_block == 4)
                decide(now);
            else
                m_active = m_block % 2 == 0 ? m_n_threads - 1 : m_n_threads;
        }
    }
    m_last_step = now;
    m_have_step = true;
    return m_active;
}

void ThreadCount::decide(Clock::time_point now)
{
    auto median = [](std::vector<double>& v) {
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
        return v[v.size() / 2];
    };
    const int faster = median(m_fewer) < median(m_all) ? m_n_threads - 1 : m_n_threads;
    // The same answer as last time: hold it twice as long (a trial spends half its steps on
    // the slower count).
    m_hold = faster == m_last_answer ? std::min<Clock::duration>(2 * m_hold, kHoldMax) : Clock::duration(kHold);
    m_last_answer = m_active = faster;
    m_phase = Phase::Holding;
    m_phase_start = now;
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
      m_runs(static_cast<std::size_t>(m_n_threads)), m_active(m_n_threads), m_tids(static_cast<std::size_t>(m_n_threads)),
      m_count(m_n_threads, ThreadCount::Clock::now()), m_window_start(ThreadCount::Clock::now())
{
    if (const char* v = std::getenv("SEEKBENCH_ADAPTIVE_THREADS"); v && std::strcmp(v, "0") == 0)
        m_adapt = false;
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
    m_active.store(m_n_threads); // wakes the workers left out, to see m_stop
    m_active.notify_all();
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
    if (m_active.load(std::memory_order_relaxed) == 1) {
        for (int task = 0; task < n_tasks; ++task)
            fn(ctx, task, 0); // the workers sleep: no job to post
    } else {
        dispatch(n_tasks, fn, ctx);
    }
    if (m_adapt && ++m_jobs_in_window % kJobsBetweenClockReads == 0)
        watch_contention();
}

void ThreadPool::dispatch(int n_tasks, Fn fn, void* ctx)
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
    // Thread t's run: tasks [ceil(t n / T), ceil((t + 1) n / T)), the first runs the longer;
    // T counts the threads taking part, and the others' runs are empty.
    const auto n = static_cast<uint64_t>(n_tasks), threads = static_cast<uint64_t>(m_active.load(std::memory_order_relaxed));
    for (uint64_t t = 0; t < m_runs.size(); ++t)
        m_runs[t].end.store(t < threads ? static_cast<uint32_t>(((t + 1) * n + threads - 1) / threads) : 0,
                            std::memory_order_relaxed);
    for (uint64_t t = 0; t < m_runs.size(); ++t)
        m_runs[t].claim.store(static_cast<uint64_t>(generation) << 32 | (t < threads ? (t * n + threads - 1) / threads : 0),
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

// The summed run_delay of the caller and the workers taking part; -1 if any is unknown.
int64_t ThreadPool::waiting_ns(int active) const
{
    int64_t sum = run_delay_ns(0);
    for (int i = 1; i < active && sum >= 0; ++i) {
        const int tid = m_tids[static_cast<std::size_t>(i)].load(std::memory_order_relaxed);
        const int64_t d = tid == 0 ? -1 : run_delay_ns(tid);
        sum = d < 0 ? -1 : sum + d;
    }
    return sum;
}

void ThreadPool::watch_contention()
{
    const auto now = ThreadCount::Clock::now();
    if (now - m_window_start < ThreadCount::kWindow)
        return;
    const int active = m_active.load(std::memory_order_relaxed);
    const int caller = this_thread_id();
    double share = -1;
    if (active > 1 && caller == m_window_caller && m_window_waiting_ns >= 0) {
        const int64_t waited = waiting_ns(active);
        const auto window_ns = static_cast<double>(std::chrono::nanoseconds(now - m_window_start).count());
        if (waited >= 0)
            share = static_cast<double>(waited - m_window_waiting_ns) / (active * window_ns);
    }
    set_active(m_count.after_window(share, now));
    start_window(now, caller);
}

void ThreadPool::start_window(ThreadCount::Clock::time_point now, int caller)
{
    m_window_start = now;
    m_window_caller = caller;
    m_window_waiting_ns = waiting_ns(m_active.load(std::memory_order_relaxed));
}

void ThreadPool::set_active(int next)
{
    const int active = m_active.load(std::memory_order_relaxed);
    if (next == active)
        return;
    m_active.store(next, std::memory_order_relaxed);
    if (next > active)
        m_active.notify_all();
}

void ThreadPool::step()
{
    if (!m_adapt || m_n_threads == 1)
        return;
    const auto now = ThreadCount::Clock::now();
    const int active = m_active.load(std::memory_order_relaxed);
    set_active(m_count.at_step(now));
    if (m_active.load(std::memory_order_relaxed) != active)
        start_window(now, this_thread_id()); // a window measures one thread count
}

void ThreadPool::worker(int index)
{
    m_tids[static_cast<std::size_t>(index)].store(this_thread_id(), std::memory_order_relaxed);
    uint32_t seen = 0;
    for (;;) {
        if (const int active = m_active.load(std::memory_order_acquire); index >= active) {
            if (m_stop.load())
                return;
            m_active.wait(active, std::memory_order_acquire); // left out while cores are scarce
            continue;
        }
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
