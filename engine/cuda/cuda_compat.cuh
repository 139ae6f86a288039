// What every CUDA source of the engine includes, so that nvcc (for the GPU) and g++ (against
// the emulator in tests/cudaemu, SEEKBENCH_CUDA_EMULATED) compile the same kernels: the
// headers, one launch wrapper instead of <<<>>>, one macro for shared memory, CUDA_CHECK /
// CUBLAS_CHECK for host calls, and the warp reductions. No CUB, Thrust or inline PTX.
#pragma once

#if defined(SEEKBENCH_CUDA_EMULATED)
#include <cudaemu.h>
#else
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#endif

#include "engine/error.h"

#include <cstdlib>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#define SB_DEVICE __device__ __forceinline__

// Block-shared memory: SB_SHARED(float, tile, [32][33]) declares `tile` as float[32][33].
// The emulator hands every thread of a block the same storage, poisoned before the block.
#if defined(SEEKBENCH_CUDA_EMULATED)
#define SB_SHARED(type, name, dims)                                                                  \
    auto& name = *static_cast<std::type_identity_t<type dims>*>(::cudaemu::block_shared(            \
        [] { static const char key = 0; return &key; }(), sizeof(type dims), alignof(type dims)))
#define SB_DYNAMIC_SHARED(type, name) type* name = static_cast<type*>(::cudaemu::dynamic_shared())
#else
#define SB_SHARED(type, name, dims) __shared__ type name dims
#define SB_DYNAMIC_SHARED(type, name)                                                                \
    extern __shared__ __align__(16) unsigned char sb_dynamic_smem[];                                 \
    type* name = reinterpret_cast<type*>(sb_dynamic_smem)
#endif

namespace seekbench::cuda {

// Host side: a failing CUDA or cuBLAS call becomes seekbench::Error (Device) naming the
// file, line and call. Kernels never throw.
inline void check_cuda(cudaError_t e, const char* call, const char* file, int line)
{
    if (e != cudaSuccess)
        throw Error(ErrorCode::Device, std::string(file) + ":" + std::to_string(line) + ": " + call + ": " +
                                           cudaGetErrorString(e));
}
inline void check_cublas(cublasStatus_t s, const char* call, const char* file, int line)
{
    if (s != CUBLAS_STATUS_SUCCESS)
        throw Error(ErrorCode::Device, std::string(file) + ":" + std::to_string(line) + ": " + call + ": " +
                                           cublasGetStatusString(s));
}

#define CUDA_CHECK(call) ::seekbench::cuda::check_cuda((call), #call, __FILE__, __LINE__)
#define CUBLAS_CHECK(call) ::seekbench::cuda::check_cublas((call), #call, __FILE__, __LINE__)

#if defined(__CUDACC__) || defined(SEEKBENCH_CUDA_EMULATED)

// The one way kernels are launched (SB_LAUNCH names the kernel for the emulator's reports).
template <typename... P, typename... A>
void launch(const char* name, void (*kernel)(P...), dim3 grid, dim3 block, std::size_t smem, cudaStream_t stream,
            A&&... args)
{
#if defined(SEEKBENCH_CUDA_EMULATED)
    const cudaError_t e = cudaemu::launch(
        name, reinterpret_cast<const void*>(kernel), grid, block, smem, stream,
        [kernel, frozen = std::tuple<std::decay_t<P>...>(std::forward<A>(args)...)] { std::apply(kernel, frozen); });
#else
    kernel<<<grid, block, smem, stream>>>(std::forward<A>(args)...);
    cudaError_t e = cudaGetLastError();
    // SEEKBENCH_CUDA_SYNC=1: wait for each kernel outside a graph capture, so that a fault
    // names the kernel that made it (packaging/gpu-check.sh reruns a failed test this way).
    static const bool sync_each = std::getenv("SEEKBENCH_CUDA_SYNC") != nullptr;
    cudaStreamCaptureStatus capturing = cudaStreamCaptureStatusNone;
    if (e == cudaSuccess && sync_each && cudaStreamIsCapturing(stream, &capturing) == cudaSuccess &&
        capturing == cudaStreamCaptureStatusNone)
        e = cudaStreamSynchronize(stream);
#endif
    check_cuda(e, name, __FILE__, __LINE__);
}
#define SB_LAUNCH(kernel, grid, block, smem, stream, ...)                                            \
    ::seekbench::cuda::launch(#kernel, kernel, grid, block, smem, stream, __VA_ARGS__)

// --- device helpers ---------------------------------------------------------------------------

constexpr unsigned kFullMask = 0xffffffffu;

SB_DEVICE int imin(int a, int b) { return a < b ? a : b; }

// The emulator runs each of these as one warp operation giving the loop's exact results
// (tests/cudaemu's emulator_test holds it to the loop); a GPU runs the loop.
SB_DEVICE float warp_sum(float v)
{
#if defined(SEEKBENCH_CUDA_EMULATED)
    return cudaemu::warp_xor_reduce(kFullMask, v, cudaemu::Exchange::XorSum);
#else
    for (int offset = 16; offset > 0; offset >>= 1)
        v += __shfl_xor_sync(kFullMask, v, offset);
    return v;
#endif
}

SB_DEVICE float warp_max(float v)
{
#if defined(SEEKBENCH_CUDA_EMULATED)
    return cudaemu::warp_xor_reduce(kFullMask, v, cudaemu::Exchange::XorMax);
#else
    for (int offset = 16; offset > 0; offset >>= 1)
        v = fmaxf(v, __shfl_xor_sync(kFullMask, v, offset));
    return v;
#endif
}

// Sum over a block of up to 1024 threads; every thread gets it. `scratch`: 32 floats.
SB_DEVICE float block_sum(float v, float* scratch)
{
    const int lane = int(threadIdx.x) % 32, warp = int(threadIdx.x) / 32;
    const int warps = (int(blockDim.x) + 31) / 32;
    v = warp_sum(v);
    if (warps == 1)
        return v; // one warp: its sum is the block's
    __syncthreads(); // scratch may still be read from a previous call
    if (lane == 0)
        scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : 0.0f;
    return warp_sum(v);
}

SB_DEVICE float block_max(float v, float* scratch)
{
    const int lane = int(threadIdx.x) % 32, warp = int(threadIdx.x) / 32;
    const int warps = (int(blockDim.x) + 31) / 32;
    v = warp_max(v);
    if (warps == 1)
        return v;
    __syncthreads();
    if (lane == 0)
        scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : -INFINITY;
    return warp_max(v);
}

#endif

} // namespace seekbench::cuda
