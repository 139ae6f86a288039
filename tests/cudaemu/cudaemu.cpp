// The emulator's scheduler (a block's threads as fibers) and the CUDA runtime functions the
// backend calls, on host memory: one emulated H200, streams that run in order, graph capture
// as recorded closures, errors sticky the way the runtime's are.
// Threads switch straight from one fiber to the next: on x86-64 by six pushes, a stack
// pointer swap and six pops (no system call, no signal mask); elsewhere by swapcontext.
#include "cudaemu.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <numeric>
#include <random>
#include <sys/mman.h>
#if !defined(__x86_64__)
#include <ucontext.h>
#endif
#include <unordered_map>
#include <utility>
#include <vector>

// The runtime's opaque handles (only declared by its headers): streams run in order, or
// record what is put on them while a graph is being captured.
struct CUstream_st {
    bool capturing = false;
    std::vector<std::function<void()>> captured;
};
struct CUevent_st {
    double seconds = 0;
};
struct CUgraph_st {
    std::vector<std::function<void()>> ops;
};
struct CUgraphExec_st {
    std::vector<std::function<void()>> ops;
};

thread_local uint3 threadIdx;
thread_local uint3 blockIdx;
thread_local dim3 blockDim;
thread_local dim3 gridDim;

namespace cudaemu {

// The runtime's last error, per host thread as in CUDA; cudaGetLastError clears it.
thread_local cudaError_t t_last_error = cudaSuccess;

cudaError_t fail(cudaError_t e)
{
    t_last_error = e;
    return e;
}

namespace {

constexpr std::size_t kStackBytes = 256 * 1024;      // per fiber; kernels keep little on the stack
constexpr std::size_t kStaticShared = 48 * 1024;     // per block, as on every GPU
constexpr std::size_t kSharedOptIn = 227 * 1024;     // an H100/H200's most per block, opted in
constexpr std::size_t kDefaultMemory = 141ull << 30; // an H200

struct Settings {
    std::mutex mutex;
    Order order = Order::Forward;
    uint64_t seed = 1;
    std::size_t limit = kDefaultMemory, used = 0;
    int devices = 1;
    cudaError_t failure = cudaSuccess;
    uint64_t launches = 0;
    std::unordered_map<void*, std::size_t> allocations;
    std::unordered_map<const void*, int> max_dynamic_smem; // cudaFuncSetAttribute per kernel
    std::string kernel_error;
};

Settings& settings()
{
    static Settings s;
    return s;
}

thread_local bool t_launch_failed = false; // set by a kernel that failed in the emulator

// --- the block scheduler ---------------------------------------------------------------------

// Where a suspended fiber (or the scheduler) continues.
#if defined(__x86_64__)
struct Context {
    void* sp = nullptr; // its stack pointer, with its callee-saved registers and return address above
};
#else
struct Context {
    ucontext_t uc{};
};
#endif

struct Fiber {
    Context context;
    void* stack = nullptr;
    std::size_t stack_used = 0; // bytes left unused at the top (see launch)
    uint3 tid{};
    bool started = false, done = false;
};

struct Slot { // one warp collective in flight for one mask
    uint32_t arrived = 0, departed = 0;
    bool departing = false;
    uint64_t value[32] = {};
};

struct Warp {
    uint32_t live = 0; // lanes that exist and have not exited
    // The collectives in flight, by mask: almost always one (the full warp).
    std::vector<std::pair<uint32_t, Slot>> slots;
    Slot& slot(uint32_t mask)
    {
        for (auto& [m, s] : slots)
            if (m == mask)
                return s;
        slots.emplace_back(mask, Slot{});
        return slots.back().second;
    }
};

struct Block {
    const std::function<void()>* body = nullptr;
    std::vector<Fiber> fibers;
    std::vector<Warp> warps;
    Context scheduler;                       // run_block's, while a block runs
    const std::vector<int>* order = nullptr; // the threads in the order they take turns
    std::size_t turn = 0;                    // the index into order of the thread running now
    int current = 0, live = 0;
    int bar_arrived = 0;
    uint64_t bar_generation = 0;
    bool progress = false;
    std::vector<unsigned char> shared;   // static shared memory
    std::size_t shared_used = 0;
    std::unordered_map<const void*, void*> shared_by_key;
    std::vector<unsigned char> dynamic;  // dynamic shared memory
    std::string error;
};

thread_local Block* t_block = nullptr;

std::vector<void*>& stack_pool()
{
    static thread_local std::vector<void*> pool;
    return pool;
}

void* take_stack()
{
    auto& pool = stack_pool();
    if (!pool.empty()) {
        void* s = pool.back();
        pool.pop_back();
        return s;
    }
    void* s = mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (s == MAP_FAILED) {
        std::fprintf(stderr, "cudaemu: cannot map a fiber stack\n");
        std::abort();
    }
    return s;
}

int linear(const uint3& t) { return int(t.x + t.y * blockDim.x + t.z * blockDim.x * blockDim.y); }

Fiber& me() { return t_block->fibers[static_cast<std::size_t>(t_block->current)]; }

void kernel_error(Block& b, const std::string& what)
{
    if (b.error.empty())
        b.error = what;
}

#if defined(__x86_64__)
// Saves the callee-saved registers and the stack pointer of the running code in *save and
// continues where `to` was saved (or, for a fresh stack, at the function prepare put there).
// The kernels leave the floating-point control words as they are, so they are not switched.
extern "C" void cudaemu_switch(void** save, void* to);
asm(R"(
    .text
    .p2align 4
    .type cudaemu_switch, @function
cudaemu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size cudaemu_switch, .-cudaemu_switch
)");

void switch_to(Context& save, const Context& to) { cudaemu_switch(&save.sp, to.sp); }

// Lays out a fresh stack as a switch would have left it, returning into entry.
void prepare(Context& c, void* stack, std::size_t bytes, void (*entry)())
{
    auto* top = reinterpret_cast<uintptr_t*>(static_cast<char*>(stack) + bytes); // 16-byte aligned
    top[-1] = 0;                                  // entry's own return address: it never returns
    top[-2] = reinterpret_cast<uintptr_t>(entry); // where the switch's ret lands
    for (int r = 3; r <= 8; ++r)
        top[-r] = 0;                              // rbp, rbx, r12 to r15
    c.sp = top - 8;
}
#else
void switch_to(Context& save, Context& to) { swapcontext(&save.uc, &to.uc); }

void prepare(Context& c, void* stack, std::size_t bytes, void (*entry)())
{
    getcontext(&c.uc);
    c.uc.uc_stack.ss_sp = stack;
    c.uc.uc_stack.ss_size = bytes;
    c.uc.uc_link = nullptr;
    makecontext(&c.uc, entry, 0);
}
#endif

[[noreturn]] void fiber_main();

// The next unfinished thread in turn order, its fiber made ready to enter; or the scheduler,
// once the block has ended, failed, or deadlocked (a whole round of turns in which no thread
// got further). Threads hand over to one another directly: the scheduler's stack is not
// entered between turns.
Context& next_turn(Block& b)
{
    for (;;) {
        if (b.live == 0 || !b.error.empty())
            return b.scheduler;
        if (++b.turn == b.order->size()) {
            b.turn = 0;
            if (!b.progress) {
                kernel_error(b, "deadlock: " + std::to_string(b.live) +
                                    " threads wait at a barrier or warp operation that the others never reach");
                return b.scheduler;
            }
            b.progress = false;
        }
        const int i = (*b.order)[b.turn];
        Fiber& f = b.fibers[static_cast<std::size_t>(i)];
        if (f.done)
            continue;
        b.current = i;
        threadIdx = f.tid;
        if (!f.started) {
            f.started = true;
            prepare(f.context, f.stack, kStackBytes - f.stack_used, fiber_main);
        }
        return f.context;
    }
}

void yield()
{
    Block& b = *t_block;
    Fiber& f = me();
    Context& to = next_turn(b);
    if (&to != &f.context) // the only thread that can go on is this one
        switch_to(f.context, to);
}

// Releases a barrier whose waiters are now every live thread.
void check_barrier(Block& b)
{
    if (b.bar_arrived > 0 && b.bar_arrived >= b.live) {
        b.bar_arrived = 0;
        ++b.bar_generation;
    }
}

[[noreturn]] void fiber_main()
{
    Block& b = *t_block;
    (*b.body)();
    Fiber& f = me();
    f.done = true;
    --b.live;
    const int lin = linear(f.tid);
    b.warps[static_cast<std::size_t>(lin / 32)].live &= ~(1u << (lin % 32));
    check_barrier(b);
    b.progress = true;
    switch_to(f.context, next_turn(b)); // never comes back: the stack is prepared afresh
    std::abort();
}

// Runs every thread of one block to completion (or to a deadlock, reported).
void run_block(Block& b, const std::function<void()>& body, uint3 block_index, const std::vector<int>& thread_order)
{
    b.body = &body;
    b.live = static_cast<int>(b.fibers.size());
    b.bar_arrived = 0;
    b.error.clear();
    for (Warp& w : b.warps) {
        w.slots.clear();
        w.live = 0;
    }
    for (std::size_t i = 0; i < b.fibers.size(); ++i)
        b.warps[i / 32].live |= 1u << (i % 32);
    std::fill(b.shared.begin(), b.shared.end(), 0xFF);
    std::fill(b.dynamic.begin(), b.dynamic.end(), 0xFF);
    b.shared_used = 0;
    b.shared_by_key.clear();
    blockIdx = block_index;
    for (Fiber& f : b.fibers) {
        f.done = false;
        f.started = false;
    }
    Block* outer = t_block;
    t_block = &b;
    b.order = &thread_order;
    b.turn = thread_order.size() - 1; // so that the first turn is thread_order[0]'s
    b.progress = true;
    switch_to(b.scheduler, next_turn(b));
    t_block = outer;
}

} // namespace

// --- settings ------------------------------------------------------------------------------

void set_order(Order o, uint64_t seed)
{
    std::lock_guard lock(settings().mutex);
    settings().order = o;
    settings().seed = seed;
}

Order order()
{
    std::lock_guard lock(settings().mutex);
    return settings().order;
}

void set_memory_limit(std::size_t bytes)
{
    std::lock_guard lock(settings().mutex);
    settings().limit = bytes ? bytes : kDefaultMemory;
}

std::size_t memory_in_use()
{
    std::lock_guard lock(settings().mutex);
    return settings().used;
}

void set_device_count(int count)
{
    std::lock_guard lock(settings().mutex);
    settings().devices = count;
}

void set_failure(cudaError_t error)
{
    std::lock_guard lock(settings().mutex);
    settings().failure = error;
}

uint64_t launches()
{
    std::lock_guard lock(settings().mutex);
    return settings().launches;
}

std::string take_kernel_error()
{
    std::lock_guard lock(settings().mutex);
    return std::exchange(settings().kernel_error, std::string());
}

// --- kernel side -----------------------------------------------------------------------------

void syncthreads()
{
    Block& b = *t_block;
    const uint64_t generation = b.bar_generation;
    ++b.bar_arrived;
    b.progress = true;
    check_barrier(b);
    while (b.bar_generation == generation && b.error.empty())
        yield();
    b.progress = true;
}

namespace {
// Replaces each arrived lane's value with its warp sum or max, step by step as
// `v = v + __shfl_xor_sync(mask, v, offset)` (or fmaxf) would: a lane whose partner did not
// arrive gets its own value back from that step's shuffle.
void xor_reduce(Slot& s, Exchange kind)
{
    float v[32], next[32];
    for (int l = 0; l < 32; ++l)
        v[l] = detail::from_bits<float>(s.value[l]);
    for (int offset = 16; offset > 0; offset >>= 1) {
        for (int l = 0; l < 32; ++l) {
            const int p = l ^ offset;
            const float other = (s.arrived & (1u << p)) ? v[p] : v[l];
            next[l] = kind == Exchange::XorSum ? v[l] + other : fmaxf(v[l], other);
        }
        std::copy(std::begin(next), std::end(next), std::begin(v));
    }
    for (int l = 0; l < 32; ++l)
        if (s.arrived & (1u << l))
            s.value[l] = detail::bits(v[l]);
}
} // namespace

uint64_t warp_exchange(unsigned mask, uint64_t value, Exchange kind, int arg, int width)
{
    Block& b = *t_block;
    const int lin = linear(me().tid);
    const int lane = lin % 32;
    Warp& w = b.warps[static_cast<std::size_t>(lin / 32)];
    if (!(mask & (1u << lane))) {
        kernel_error(b, "lane " + std::to_string(lane) + " calls a warp operation whose mask does not include it");
        yield();
        return value;
    }
    if (width <= 0 || width > 32 || (width & (width - 1)) != 0) {
        kernel_error(b, "a warp shuffle's width must be a power of two up to 32");
        yield();
        return value;
    }
    Slot& s = w.slot(mask);
    while (s.departing && b.error.empty()) // the previous round is still being read
        yield();
    s.value[lane] = value;
    s.arrived |= 1u << lane;
    b.progress = true;
    while (!s.departing && b.error.empty()) {
        const uint32_t need = mask & w.live;
        if ((s.arrived & need) == need) {
            s.departing = true;
            if (kind == Exchange::XorSum || kind == Exchange::XorMax)
                xor_reduce(s, kind);
            break;
        }
        yield();
    }
    b.progress = true;
    const int base = lane & ~(width - 1);
    int src = lane;
    switch (kind) {
    case Exchange::Index: src = base + (arg & (width - 1)); break;
    case Exchange::Xor: src = base + ((lane - base) ^ arg) % width; break;
    case Exchange::Down: src = lane - base + arg < width ? lane + arg : lane; break;
    case Exchange::Up: src = lane - base - arg >= 0 ? lane - arg : lane; break;
    case Exchange::Ballot: case Exchange::None: case Exchange::XorSum: case Exchange::XorMax: break;
    }
    uint64_t result = value;
    if (kind == Exchange::Ballot) {
        result = 0;
        for (int l = 0; l < 32; ++l)
            if ((s.arrived & (1u << l)) && s.value[l])
                result |= 1ull << l;
    } else if (kind == Exchange::XorSum || kind == Exchange::XorMax) {
        result = s.value[lane];
    } else if (kind != Exchange::None && (s.arrived & (1u << src))) {
        result = s.value[src];
    }
    s.departed |= 1u << lane;
    if (s.departed == s.arrived) {
        s.arrived = s.departed = 0;
        s.departing = false;
    }
    return result;
}

void syncwarp(unsigned mask) { warp_exchange(mask, 0, Exchange::None, 0, 32); }

void* block_shared(const void* key, std::size_t bytes, std::size_t align)
{
    Block& b = *t_block;
    if (auto it = b.shared_by_key.find(key); it != b.shared_by_key.end())
        return it->second;
    const std::size_t at = (b.shared_used + align - 1) / align * align;
    if (at + bytes > kStaticShared) {
        kernel_error(b, "more than 48 KB of static shared memory in one block");
        yield();
        return b.shared.data();
    }
    b.shared_used = at + bytes;
    return b.shared_by_key[key] = b.shared.data() + at;
}

void* dynamic_shared() { return t_block->dynamic.data(); }

// --- launches and streams ----------------------------------------------------------------------

void on_stream(cudaStream_t stream, std::function<void()> op)
{
    if (stream && stream->capturing)
        stream->captured.push_back(std::move(op));
    else
        op();
}

cudaError_t launch(const char* name, const void* kernel, dim3 grid, dim3 block, std::size_t dynamic_smem,
                   cudaStream_t stream, std::function<void()> body)
{
    int opt_in = 0;
    {
        std::lock_guard lock(settings().mutex);
        if (settings().failure != cudaSuccess)
            return fail(settings().failure);
        if (auto it = settings().max_dynamic_smem.find(kernel); it != settings().max_dynamic_smem.end())
            opt_in = it->second;
    }
    const uint64_t threads = uint64_t(block.x) * block.y * block.z;
    std::string bad;
    if (threads == 0 || grid.x == 0 || grid.y == 0 || grid.z == 0)
        bad = "an empty grid or block";
    else if (threads > 1024 || block.x > 1024 || block.y > 1024 || block.z > 64)
        bad = "more than 1024 threads in a block (or a block dimension over its limit)";
    else if (grid.x > 2147483647u || grid.y > 65535 || grid.z > 65535)
        bad = "a grid dimension over its limit";
    else if (dynamic_smem > std::max<std::size_t>(kStaticShared, std::size_t(opt_in)) || dynamic_smem > kSharedOptIn)
        bad = "more dynamic shared memory than the kernel may have (48 KB unless opted in)";
    if (!bad.empty()) {
        std::lock_guard lock(settings().mutex);
        settings().kernel_error = std::string(name) + ": invalid launch: " + bad;
        return fail(cudaErrorInvalidConfiguration);
    }
    t_launch_failed = false;
    on_stream(stream, [name = std::string(name), grid, block, dynamic_smem, body = std::move(body)] {
        Order o;
        uint64_t seed;
        {
            std::lock_guard lock(settings().mutex);
            ++settings().launches;
            o = settings().order;
            seed = settings().seed;
        }
        const dim3 saved_grid = gridDim, saved_block = blockDim;
        gridDim = grid;
        blockDim = block;
        Block b;
        const int n = int(block.x * block.y * block.z);
        b.fibers.resize(static_cast<std::size_t>(n));
        b.warps.resize(static_cast<std::size_t>((n + 31) / 32));
        b.shared.resize(kStaticShared);
        b.dynamic.resize(std::max<std::size_t>(dynamic_smem, 16));
        for (int i = 0; i < n; ++i) {
            Fiber& f = b.fibers[static_cast<std::size_t>(i)];
            f.stack = take_stack();
            // Each stack starts at its own distance from its mapping's end: the mappings lie
            // 256 KB apart, so the threads' live frames would otherwise share the few cache
            // sets of one offset and evict one another at every switch (L1 and L2 alike).
            f.stack_used = std::size_t(i % 61) * 1088;
            f.tid = uint3{unsigned(i) % block.x, unsigned(i) / block.x % block.y, unsigned(i) / (block.x * block.y)};
        }
        std::vector<int> threads_order(static_cast<std::size_t>(n));
        std::iota(threads_order.begin(), threads_order.end(), 0);
        const uint64_t blocks = uint64_t(grid.x) * grid.y * grid.z;
        std::vector<uint64_t> blocks_order(blocks);
        std::iota(blocks_order.begin(), blocks_order.end(), uint64_t(0));
        if (o == Order::Reverse) {
            std::reverse(threads_order.begin(), threads_order.end());
            std::reverse(blocks_order.begin(), blocks_order.end());
        } else if (o == Order::Shuffled) {
            std::mt19937_64 rng(seed);
            std::shuffle(threads_order.begin(), threads_order.end(), rng);
            std::shuffle(blocks_order.begin(), blocks_order.end(), rng);
        }
        for (uint64_t i : blocks_order) {
            const uint3 index{unsigned(i % grid.x), unsigned(i / grid.x % grid.y), unsigned(i / (uint64_t(grid.x) * grid.y))};
            run_block(b, body, index, threads_order);
            if (!b.error.empty()) {
                const std::string what = name + ": block (" + std::to_string(index.x) + "," + std::to_string(index.y) +
                                         "," + std::to_string(index.z) + "): " + b.error;
                std::fprintf(stderr, "cudaemu: %s\n", what.c_str());
                std::lock_guard lock(settings().mutex);
                settings().kernel_error = what;
                t_last_error = cudaErrorLaunchFailure;
                t_launch_failed = true;
                break;
            }
        }
        for (Fiber& f : b.fibers)
            stack_pool().push_back(f.stack);
        gridDim = saved_grid;
        blockDim = saved_block;
    });
    return t_launch_failed ? cudaErrorLaunchFailure : cudaSuccess;
}

} // namespace cudaemu

// --- the CUDA runtime API, as much of it as the backend uses ----------------------------------

using cudaemu::settings;
using cudaemu::t_last_error;

namespace {
cudaError_t gate()
{
    std::lock_guard lock(settings().mutex);
    if (settings().failure != cudaSuccess)
        return cudaemu::fail(settings().failure);
    return cudaSuccess;
}
#define CUDAEMU_GATE()                        \
    if (const cudaError_t e = gate(); e != cudaSuccess) \
        return e
} // namespace

cudaError_t cudaGetDeviceCount(int* count)
{
    CUDAEMU_GATE();
    std::lock_guard lock(settings().mutex);
    *count = settings().devices;
    return settings().devices > 0 ? cudaSuccess : cudaemu::fail(cudaErrorNoDevice);
}

cudaError_t cudaSetDevice(int device)
{
    CUDAEMU_GATE();
    std::lock_guard lock(settings().mutex);
    if (settings().devices == 0)
        return cudaemu::fail(cudaErrorNoDevice);
    return device >= 0 && device < settings().devices ? cudaSuccess : cudaemu::fail(cudaErrorInvalidDevice);
}

cudaError_t cudaGetDevice(int* device)
{
    *device = 0;
    return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device)
{
    CUDAEMU_GATE();
    {
        std::lock_guard lock(settings().mutex);
        if (settings().devices == 0)
            return cudaemu::fail(cudaErrorNoDevice);
        if (device < 0 || device >= settings().devices)
            return cudaemu::fail(cudaErrorInvalidDevice);
    }
    *prop = cudaDeviceProp{};
    std::snprintf(prop->name, sizeof prop->name, "NVIDIA H200 (cudaemu)");
    prop->totalGlobalMem = settings().limit;
    prop->sharedMemPerBlock = 48 * 1024;
    prop->sharedMemPerBlockOptin = 227 * 1024;
    prop->sharedMemPerMultiprocessor = 228 * 1024;
    prop->regsPerBlock = 65536;
    prop->warpSize = 32;
    prop->maxThreadsPerBlock = 1024;
    prop->maxThreadsDim[0] = prop->maxThreadsDim[1] = 1024;
    prop->maxThreadsDim[2] = 64;
    prop->maxGridSize[0] = 2147483647;
    prop->maxGridSize[1] = prop->maxGridSize[2] = 65535;
    prop->major = 9;
    prop->minor = 0;
    prop->multiProcessorCount = 132;
    prop->l2CacheSize = 60 * 1024 * 1024;
    prop->memoryBusWidth = 6144;
    return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device)
{
    cudaDeviceProp p;
    if (const cudaError_t e = cudaGetDeviceProperties(&p, device); e != cudaSuccess)
        return e;
    switch (attr) {
    case cudaDevAttrMultiProcessorCount: *value = p.multiProcessorCount; break;
    case cudaDevAttrComputeCapabilityMajor: *value = p.major; break;
    case cudaDevAttrComputeCapabilityMinor: *value = p.minor; break;
    case cudaDevAttrMaxSharedMemoryPerBlockOptin: *value = int(p.sharedMemPerBlockOptin); break;
    default: *value = 0; break;
    }
    return cudaSuccess;
}

cudaError_t cudaDriverGetVersion(int* version)
{
    *version = 13000;
    return cudaSuccess;
}

cudaError_t cudaRuntimeGetVersion(int* version)
{
    *version = 13000;
    return cudaSuccess;
}

cudaError_t cudaMalloc(void** ptr, size_t size)
{
    CUDAEMU_GATE();
    std::lock_guard lock(settings().mutex);
    if (settings().used + size > settings().limit) {
        *ptr = nullptr;
        return cudaemu::fail(cudaErrorMemoryAllocation);
    }
    void* p = std::aligned_alloc(256, std::max<std::size_t>(256, (size + 255) / 256 * 256));
    if (!p)
        return cudaemu::fail(cudaErrorMemoryAllocation);
    std::memset(p, 0xA5, size); // fresh device memory is garbage, not zeros
    settings().used += size;
    settings().allocations[p] = size;
    *ptr = p;
    return cudaSuccess;
}

cudaError_t cudaFree(void* ptr)
{
    if (!ptr)
        return cudaSuccess;
    std::lock_guard lock(settings().mutex);
    const auto it = settings().allocations.find(ptr);
    if (it == settings().allocations.end())
        return cudaemu::fail(cudaErrorInvalidValue);
    settings().used -= it->second;
    settings().allocations.erase(it);
    std::free(ptr);
    return cudaSuccess;
}

cudaError_t cudaMallocHost(void** ptr, size_t size)
{
    *ptr = std::malloc(std::max<std::size_t>(size, 1));
    return *ptr ? cudaSuccess : cudaemu::fail(cudaErrorMemoryAllocation);
}

cudaError_t cudaFreeHost(void* ptr)
{
    std::free(ptr);
    return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t* free, size_t* total)
{
    CUDAEMU_GATE();
    std::lock_guard lock(settings().mutex);
    *total = settings().limit;
    *free = settings().limit - settings().used;
    return cudaSuccess;
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t count, cudaMemcpyKind)
{
    CUDAEMU_GATE();
    if (count)
        std::memmove(dst, src, count);
    return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t count, cudaMemcpyKind, cudaStream_t stream)
{
    CUDAEMU_GATE();
    cudaemu::on_stream(stream, [=] {
        if (count)
            std::memmove(dst, src, count);
    });
    return cudaSuccess;
}

cudaError_t cudaMemset(void* dst, int value, size_t count)
{
    CUDAEMU_GATE();
    std::memset(dst, value, count);
    return cudaSuccess;
}

cudaError_t cudaMemsetAsync(void* dst, int value, size_t count, cudaStream_t stream)
{
    CUDAEMU_GATE();
    cudaemu::on_stream(stream, [=] { std::memset(dst, value, count); });
    return cudaSuccess;
}

cudaError_t cudaStreamCreate(cudaStream_t* stream)
{
    CUDAEMU_GATE();
    *stream = new CUstream_st;
    return cudaSuccess;
}

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int)
{
    return cudaStreamCreate(stream);
}

cudaError_t cudaStreamDestroy(cudaStream_t stream)
{
    delete stream;
    return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream)
{
    if (stream && stream->capturing)
        return cudaemu::fail(cudaErrorStreamCaptureUnsupported);
    return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize() { return t_last_error; }

cudaError_t cudaStreamBeginCapture(cudaStream_t stream, cudaStreamCaptureMode)
{
    if (!stream)
        return cudaemu::fail(cudaErrorStreamCaptureUnsupported);
    stream->capturing = true;
    stream->captured.clear();
    return cudaSuccess;
}

cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t* graph)
{
    if (!stream || !stream->capturing)
        return cudaemu::fail(cudaErrorIllegalState);
    stream->capturing = false;
    *graph = new CUgraph_st{std::move(stream->captured)};
    stream->captured.clear();
    return cudaSuccess;
}

cudaError_t cudaStreamIsCapturing(cudaStream_t stream, cudaStreamCaptureStatus* status)
{
    *status = stream && stream->capturing ? cudaStreamCaptureStatusActive : cudaStreamCaptureStatusNone;
    return cudaSuccess;
}

cudaError_t cudaGraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long)
{
    CUDAEMU_GATE();
    *exec = new CUgraphExec_st{graph->ops};
    return cudaSuccess;
}

cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream)
{
    CUDAEMU_GATE();
    cudaemu::on_stream(stream, [ops = exec->ops] {
        for (const auto& op : ops)
            op();
    });
    return t_last_error;
}

cudaError_t cudaGraphDestroy(cudaGraph_t graph)
{
    delete graph;
    return cudaSuccess;
}

cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec)
{
    delete exec;
    return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t* event)
{
    *event = new CUevent_st;
    return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t event)
{
    delete event;
    return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)
{
    cudaemu::on_stream(stream, [event] {
        event->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    });
    return cudaSuccess;
}

cudaError_t cudaEventSynchronize(cudaEvent_t) { return cudaSuccess; }

cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end)
{
    *ms = static_cast<float>((end->seconds - start->seconds) * 1000.0);
    return cudaSuccess;
}

cudaError_t cudaFuncSetAttribute(const void* func, cudaFuncAttribute attr, int value)
{
    if (attr == cudaFuncAttributeMaxDynamicSharedMemorySize) {
        if (value < 0 || std::size_t(value) > 227 * 1024)
            return cudaemu::fail(cudaErrorInvalidValue);
        std::lock_guard lock(settings().mutex);
        settings().max_dynamic_smem[func] = value;
    }
    return cudaSuccess;
}

cudaError_t cudaGetLastError() { return std::exchange(t_last_error, cudaSuccess); }

cudaError_t cudaPeekAtLastError() { return t_last_error; }

const char* cudaGetErrorString(cudaError_t error)
{
    switch (error) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInsufficientDriver: return "CUDA driver version is insufficient for CUDA runtime version";
    case cudaErrorNoDevice: return "no CUDA-capable device is detected";
    case cudaErrorInvalidDevice: return "invalid device ordinal";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorLaunchFailure: return "unspecified launch failure";
    case cudaErrorStreamCaptureUnsupported: return "operation not permitted when stream is capturing";
    case cudaErrorIllegalState: return "the operation cannot be performed in the present state";
    default: return "unknown error";
    }
}

const char* cudaGetErrorName(cudaError_t error)
{
    switch (error) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorInsufficientDriver: return "cudaErrorInsufficientDriver";
    case cudaErrorNoDevice: return "cudaErrorNoDevice";
    case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
    case cudaErrorLaunchFailure: return "cudaErrorLaunchFailure";
    default: return "cudaError";
    }
}
