// The CUDA emulator: the engine's kernel sources, which nvcc compiles for the GPU, compiled
// by g++ against the real CUDA 13 headers and run on the CPU, so CI proves them without a
// GPU. CUDA threads are fibers, each running to its next sync point and handing over
// straight to the next; warp_sum and warp_max are one warp operation each; blocks run
// one at a time, in forward, reverse or seeded order; shared memory is poisoned before
// every block; warp operations honour their masks and let exited lanes drop out; launch
// limits are enforced. The runtime and cuBLAS functions the backend calls are defined in
// cudaemu.cpp and cublas.cpp, so its host code links against them, unchanged.
// Leaves out: concurrency between streams (everything runs in order), tensor cores,
// inline PTX, and speed.
#pragma once

#if defined(__CUDACC__)
#error "cudaemu.h is for g++ builds of CUDA sources; nvcc has the real thing"
#endif

// The qualifiers, before the CUDA headers (crt/host_defines.h keeps what is defined).
#define __host__
#define __device__
#define __global__
#define __shared__ static // kernels use SB_SHARED (cuda_compat.cuh), which poisons
#define __constant__ static
#define __managed__
#define __launch_bounds__(...)

#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <type_traits>

// Per CUDA thread (the scheduler sets them before it resumes a fiber). Variables, not
// macros: cuda_runtime.h has parameters named gridDim and blockDim.
extern thread_local uint3 threadIdx;
extern thread_local uint3 blockIdx;
extern thread_local dim3 blockDim;
extern thread_local dim3 gridDim;
inline constexpr int warpSize = 32;

namespace cudaemu {

// --- settings, for tests ------------------------------------------------------------------
enum class Order { Forward, Reverse, Shuffled };
// Blocks (and threads within a block) run in this order; Shuffled uses `seed`.
void set_order(Order order, uint64_t seed = 1);
Order order();
// Device memory above this fails with cudaErrorMemoryAllocation (default: an H200's 141 GB).
void set_memory_limit(std::size_t bytes);
std::size_t memory_in_use();
// How many devices the runtime reports (default 1; 0 is a machine without a GPU).
void set_device_count(int count);
// Every runtime call fails with `error` until it is set back to cudaSuccess (an old driver:
// cudaErrorInsufficientDriver).
void set_failure(cudaError_t error);
uint64_t launches(); // kernel launches run so far (graph replays included)
// The last failure the emulator found in a kernel (deadlock, a lane outside its mask,
// shared memory overflow, a bad launch), "" when none since the last call.
std::string take_kernel_error();

// --- what kernels call ----------------------------------------------------------------------
void syncthreads();
void syncwarp(unsigned mask);
// XorSum and XorMax: the five steps of a float warp sum or max by xor shuffles (offsets
// 16, 8, 4, 2, 1 over the whole warp) as one collective, every step's operands as the
// shuffles would give them, so the results are the same bits for a fifth of the meetings.
enum class Exchange { Index, Xor, Down, Up, Ballot, None, XorSum, XorMax };
// A warp collective of the lanes in `mask` (exited lanes drop out): each lane offers
// `value`; returns the value of the lane `kind`/`arg`/`width` names (or the ballot, or the
// lane's reduction).
uint64_t warp_exchange(unsigned mask, uint64_t value, Exchange kind, int arg, int width);
// Block-shared memory: the same `bytes` for every thread of the block that names `key`,
// poisoned (0xFF) before the block starts.
void* block_shared(const void* key, std::size_t bytes, std::size_t align);
void* dynamic_shared(); // the launch's dynamic shared memory, poisoned likewise

// --- what the launch wrapper calls -----------------------------------------------------------
// Runs `body` as every thread of every block (or records it into the stream's graph
// capture, arguments frozen in `body`). Checks the launch against the device's limits.
cudaError_t launch(const char* name, const void* kernel, dim3 grid, dim3 block, std::size_t dynamic_smem,
                   cudaStream_t stream, std::function<void()> body);
// Runs `op` on the stream (now, in order) or records it when the stream is capturing.
void on_stream(cudaStream_t stream, std::function<void()> op);

} // namespace cudaemu

// --- device intrinsics the kernels use ----------------------------------------------------
inline void __syncthreads() { cudaemu::syncthreads(); }
inline void __syncwarp(unsigned mask = 0xffffffffu) { cudaemu::syncwarp(mask); }

namespace cudaemu::detail {
template <typename T> uint64_t bits(T v)
{
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "warp values are 8 bytes at most");
    uint64_t u = 0;
    std::memcpy(&u, &v, sizeof(T));
    return u;
}
template <typename T> T from_bits(uint64_t u)
{
    T v;
    std::memcpy(&v, &u, sizeof(T));
    return v;
}
} // namespace cudaemu::detail

template <typename T> T __shfl_sync(unsigned mask, T v, int src, int width = 32)
{
    return cudaemu::detail::from_bits<T>(
        cudaemu::warp_exchange(mask, cudaemu::detail::bits(v), cudaemu::Exchange::Index, src, width));
}
template <typename T> T __shfl_xor_sync(unsigned mask, T v, int lane_mask, int width = 32)
{
    return cudaemu::detail::from_bits<T>(
        cudaemu::warp_exchange(mask, cudaemu::detail::bits(v), cudaemu::Exchange::Xor, lane_mask, width));
}
template <typename T> T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32)
{
    return cudaemu::detail::from_bits<T>(
        cudaemu::warp_exchange(mask, cudaemu::detail::bits(v), cudaemu::Exchange::Down, int(delta), width));
}
template <typename T> T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32)
{
    return cudaemu::detail::from_bits<T>(
        cudaemu::warp_exchange(mask, cudaemu::detail::bits(v), cudaemu::Exchange::Up, int(delta), width));
}
inline unsigned __ballot_sync(unsigned mask, int predicate)
{
    return static_cast<unsigned>(cudaemu::warp_exchange(mask, predicate != 0, cudaemu::Exchange::Ballot, 0, 32));
}
namespace cudaemu {
// engine/cuda's warp_sum and warp_max as one collective (see Exchange::XorSum).
inline float warp_xor_reduce(unsigned mask, float v, Exchange kind)
{
    return detail::from_bits<float>(warp_exchange(mask, detail::bits(v), kind, 0, 32));
}
} // namespace cudaemu
inline int __any_sync(unsigned mask, int predicate) { return __ballot_sync(mask, predicate) != 0; }
inline int __all_sync(unsigned mask, int predicate) { return __ballot_sync(mask, predicate) == (mask & __ballot_sync(mask, 1)); }

// Four int8 products summed into c (signed x signed).
inline int __dp4a(int a, int b, int c)
{
    for (int i = 0; i < 4; ++i)
        c += static_cast<int8_t>(a >> (8 * i)) * static_cast<int8_t>(b >> (8 * i));
    return c;
}

inline float __int_as_float(int x) { return cudaemu::detail::from_bits<float>(static_cast<uint32_t>(x)); }
inline int __float_as_int(float x) { return static_cast<int>(cudaemu::detail::bits(x)); }
inline float __uint_as_float(unsigned x) { return cudaemu::detail::from_bits<float>(x); }
inline unsigned __float_as_uint(float x) { return static_cast<unsigned>(cudaemu::detail::bits(x)); }
inline float __expf(float x) { return std::exp(x); }
inline void __sincosf(float x, float* s, float* c)
{
    *s = std::sin(x);
    *c = std::cos(x);
}
inline float __logf(float x) { return std::log(x); }
inline float __fdividef(float a, float b) { return a / b; }
template <typename T> T __ldg(const T* p) { return *p; }

// Atomics: fibers never run at the same time, so a plain read-modify-write is atomic.
template <typename T> T atomicAdd(T* p, T v)
{
    const T old = *p;
    *p = old + v;
    return old;
}
template <typename T> T atomicMax(T* p, T v)
{
    const T old = *p;
    *p = old > v ? old : v;
    return old;
}
