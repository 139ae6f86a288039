// The emulator itself: barriers, warp shuffles with their masks (the half-warp shuffle
// followed by __syncthreads that a per-warp barrier deadlocks on), ballots, shared memory
// poisoned per block, a missing __syncthreads caught by running blocks in another order,
// deadlocks and bad launches reported, graph capture with arguments frozen, memory limits.
#include "../engine/testing.h"

#include "engine/cuda/cuda_compat.cuh"

#include <cmath>
#include <cstring>
#include <vector>

using namespace seekbench;
using namespace seekbench::cuda;

namespace {

__global__ void block_sum_kernel(const float* x, float* out, int n)
{
    SB_SHARED(float, scratch, [32]);
    float v = 0;
    for (int i = int(threadIdx.x); i < n; i += int(blockDim.x))
        v += x[i];
    v = block_sum(v, scratch);
    if (threadIdx.x == 0)
        out[blockIdx.x] = v;
}

// Lanes 0..15 shuffle among themselves while 16..31 go straight to the barrier.
__global__ void half_warp_kernel(int* out)
{
    const int lane = int(threadIdx.x);
    int v = lane;
    if (lane < 16)
        v = __shfl_xor_sync(0x0000ffffu, v, 1);
    __syncthreads();
    out[lane] = v;
}

__global__ void shuffles_kernel(int* out)
{
    const int lane = int(threadIdx.x) % 32;
    out[0 * 64 + threadIdx.x] = __shfl_sync(kFullMask, lane * 10, 3);
    out[1 * 64 + threadIdx.x] = __shfl_down_sync(kFullMask, lane, 2);
    out[2 * 64 + threadIdx.x] = __shfl_up_sync(kFullMask, lane, 1);
    out[3 * 64 + threadIdx.x] = __shfl_xor_sync(kFullMask, lane, 8, 16); // within halves of 16
    out[4 * 64 + threadIdx.x] = int(__ballot_sync(kFullMask, lane % 3 == 0));
}

// Lanes 20..31 have exited: the survivors still meet, over the full mask and their own.
__global__ void exited_lanes_kernel(float* out)
{
    if (threadIdx.x >= 20)
        return;
    __syncwarp();
    out[threadIdx.x] = __shfl_sync(0x000fffffu, float(threadIdx.x) + 7.0f, 3);
}

// warp_sum and warp_max (one warp operation each in the emulator) beside the five shuffles
// they stand for, written out.
__global__ void warp_reductions_kernel(const float* x, float* out)
{
    const int t = int(threadIdx.x), n = int(blockDim.x);
    float sum = x[t], max = x[t];
    for (int offset = 16; offset > 0; offset >>= 1) {
        sum += __shfl_xor_sync(kFullMask, sum, offset);
        max = fmaxf(max, __shfl_xor_sync(kFullMask, max, offset));
    }
    out[0 * n + t] = sum;
    out[1 * n + t] = warp_sum(x[t]);
    out[2 * n + t] = max;
    out[3 * n + t] = warp_max(x[t]);
}

// Reads what another thread wrote into shared memory without a barrier between.
__global__ void missing_barrier_kernel(int* out)
{
    SB_SHARED(int, cell, [128]);
    cell[threadIdx.x] = int(threadIdx.x) + 1;
    // __syncthreads() belongs here.
    out[blockIdx.x * 128 + threadIdx.x] = cell[127 - threadIdx.x];
}

__global__ void poisoned_kernel(int* out)
{
    SB_SHARED(int, cell, [4]);
    if (blockIdx.x == 0 && threadIdx.x == 0)
        cell[0] = 42;
    __syncthreads();
    if (threadIdx.x == 0)
        out[blockIdx.x] = cell[0];
}

// Lanes 0..15 wait in a full-warp shuffle for lanes 16..31, which wait at the barrier.
__global__ void deadlock_kernel(int* out)
{
    if (threadIdx.x < 16)
        out[0] = __shfl_sync(kFullMask, 1, 0);
    __syncthreads();
}

__global__ void add_kernel(float* y, float v) { y[threadIdx.x] += v; }

__global__ void dp4a_kernel(int* out) { *out = __dp4a(int(0x7F80FF01), int(0x01020304), 5); }

std::vector<float> host(const float* dev, std::size_t n)
{
    std::vector<float> h(n);
    CUDA_CHECK(cudaMemcpy(h.data(), dev, n * sizeof(float), cudaMemcpyDeviceToHost));
    return h;
}

template <typename T> T* device(std::size_t n)
{
    T* p = nullptr;
    CUDA_CHECK(cudaMalloc(&p, n * sizeof(T)));
    return p;
}

} // namespace

TEST_CASE("block reductions over many threads and blocks")
{
    std::vector<float> x(1000);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = float(i % 7) - 3.0f;
    float* dx = device<float>(x.size());
    float* dout = device<float>(3);
    CUDA_CHECK(cudaMemcpy(dx, x.data(), x.size() * sizeof(float), cudaMemcpyHostToDevice));
    for (int threads : {32, 96, 256, 1024}) {
        SB_LAUNCH(block_sum_kernel, dim3(3), dim3(unsigned(threads)), 0, nullptr, dx, dout, 1000);
        double expect = 0;
        for (float v : x)
            expect += v;
        for (float got : host(dout, 3))
            CHECK_MSG(got == float(expect), threads << " threads: " << got);
    }
    cudaFree(dx);
    cudaFree(dout);
}

TEST_CASE("warp_sum and warp_max give the bits of the shuffles they stand for")
{
    // Magnitudes 2^-12 to 2^12 and both signs: any other order of the additions rounds differently.
    for (int threads : {64, 40}) { // 40: the second warp has 8 lanes, whose partners are missing
        std::vector<float> x(std::size_t(threads), 0.0f);
        uint64_t rng = 12345;
        for (float& v : x) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            v = std::ldexp(float((rng >> 40) % 1000) - 500.0f, int((rng >> 20) % 25) - 12) / 512.0f;
        }
        x[3] = -0.0f;
        float* dx = device<float>(x.size());
        float* dout = device<float>(4 * x.size());
        CUDA_CHECK(cudaMemcpy(dx, x.data(), x.size() * sizeof(float), cudaMemcpyHostToDevice));
        SB_LAUNCH(warp_reductions_kernel, dim3(1), dim3(unsigned(threads)), 0, nullptr, dx, dout);
        const std::vector<float> h = host(dout, 4 * x.size());
        for (int t = 0; t < threads; ++t) {
            const auto at = [&](int row) { return h[std::size_t(row * threads + t)]; };
            CHECK_MSG(std::memcmp(&h[std::size_t(t)], &h[std::size_t(threads + t)], sizeof(float)) == 0,
                      threads << " threads, lane " << t << ": sum " << std::hexfloat << at(0) << " vs " << at(1));
            CHECK_MSG(std::memcmp(&h[std::size_t(2 * threads + t)], &h[std::size_t(3 * threads + t)], sizeof(float)) == 0,
                      threads << " threads, lane " << t << ": max " << std::hexfloat << at(2) << " vs " << at(3));
        }
        // The input tells orders apart: the first warp's sum in plain order rounds differently.
        float plain = 0.0f;
        for (int t = 0; t < 32; ++t)
            plain += x[std::size_t(t)];
        CHECK_MSG(plain != h[0], "the plain-order sum " << plain << " equals the butterfly's: the test cannot fail");
        cudaFree(dx);
        cudaFree(dout);
    }
    CHECK_EQ(cudaemu::take_kernel_error(), std::string());
}

TEST_CASE("a half-warp shuffle followed by __syncthreads does not deadlock")
{
    int* d = device<int>(32);
    SB_LAUNCH(half_warp_kernel, dim3(1), dim3(32), 0, nullptr, d);
    std::vector<int> h(32);
    CUDA_CHECK(cudaMemcpy(h.data(), d, sizeof(int) * 32, cudaMemcpyDeviceToHost));
    for (int lane = 0; lane < 32; ++lane)
        CHECK_EQ(h[std::size_t(lane)], lane < 16 ? lane ^ 1 : lane);
    CHECK_EQ(cudaemu::take_kernel_error(), std::string());
    cudaFree(d);
}

TEST_CASE("shuffles, ballots and dp4a give what CUDA defines")
{
    int* d = device<int>(5 * 64);
    SB_LAUNCH(shuffles_kernel, dim3(1), dim3(64), 0, nullptr, d);
    std::vector<int> h(5 * 64);
    CUDA_CHECK(cudaMemcpy(h.data(), d, h.size() * sizeof(int), cudaMemcpyDeviceToHost));
    for (int t = 0; t < 64; ++t) {
        const int lane = t % 32;
        CHECK_EQ(h[std::size_t(t)], 30);
        CHECK_EQ(h[std::size_t(64 + t)], lane + 2 < 32 ? lane + 2 : lane);
        CHECK_EQ(h[std::size_t(128 + t)], lane >= 1 ? lane - 1 : lane);
        CHECK_EQ(h[std::size_t(192 + t)], (lane & ~15) + ((lane & 15) ^ 8));
        CHECK_EQ(static_cast<unsigned>(h[std::size_t(256 + t)]), 0x49249249u);
    }
    int* one = device<int>(1);
    SB_LAUNCH(dp4a_kernel, dim3(1), dim3(1), 0, nullptr, one);
    int r = 0;
    CUDA_CHECK(cudaMemcpy(&r, one, sizeof r, cudaMemcpyDeviceToHost));
    CHECK_EQ(r, 5 + 1 * 4 + (-1) * 3 + (-128) * 2 + 127 * 1);
    float* f = device<float>(20);
    SB_LAUNCH(exited_lanes_kernel, dim3(1), dim3(32), 0, nullptr, f);
    for (float v : host(f, 20))
        CHECK_EQ(v, 10.0f);
    cudaFree(d);
    cudaFree(one);
    cudaFree(f);
}

TEST_CASE("shared memory is poisoned per block; a missing barrier shows in another order")
{
    int* d = device<int>(4 * 128);
    SB_LAUNCH(poisoned_kernel, dim3(4), dim3(32), 0, nullptr, d);
    std::vector<int> h(4);
    CUDA_CHECK(cudaMemcpy(h.data(), d, sizeof(int) * 4, cudaMemcpyDeviceToHost));
    CHECK_EQ(h[0], 42);
    for (int b = 1; b < 4; ++b)
        CHECK_EQ(h[std::size_t(b)], -1); // 0xFFFFFFFF: block 1 never sees block 0's value

    // Threads in forward order: thread t reads cell 127 - t before its owner wrote it when
    // t < 64; in reverse order it is the other half. Either way the poison shows.
    auto run = [&](cudaemu::Order order) {
        cudaemu::set_order(order, 3);
        SB_LAUNCH(missing_barrier_kernel, dim3(4), dim3(128), 0, nullptr, d);
        std::vector<int> out(4 * 128);
        CUDA_CHECK(cudaMemcpy(out.data(), d, out.size() * sizeof(int), cudaMemcpyDeviceToHost));
        int poisoned = 0;
        for (int v : out)
            poisoned += v == -1;
        return poisoned;
    };
    CHECK(run(cudaemu::Order::Forward) > 0);
    CHECK(run(cudaemu::Order::Reverse) > 0);
    CHECK(run(cudaemu::Order::Shuffled) > 0);
    cudaemu::set_order(cudaemu::Order::Forward);
    cudaFree(d);
}

TEST_CASE("a deadlock and a bad launch are reported, not hung or crashed")
{
    int* d = device<int>(1);
    CHECK_THROWS_WITH(SB_LAUNCH(deadlock_kernel, dim3(1), dim3(32), 0, nullptr, d), "launch failure");
    CHECK(cudaemu::take_kernel_error().find("deadlock") != std::string::npos);
    cudaGetLastError();
    CHECK_THROWS_WITH(SB_LAUNCH(add_kernel, dim3(1), dim3(2048), 0, nullptr, reinterpret_cast<float*>(d), 1.0f),
                      "invalid configuration");
    CHECK(cudaemu::take_kernel_error().find("1024 threads") != std::string::npos);
    CHECK_THROWS_WITH(SB_LAUNCH(add_kernel, dim3(1, 70000), dim3(1), 0, nullptr, reinterpret_cast<float*>(d), 1.0f),
                      "invalid configuration");
    CHECK_THROWS_WITH(SB_LAUNCH(add_kernel, dim3(1), dim3(1), 64 * 1024, nullptr, reinterpret_cast<float*>(d), 1.0f),
                      "invalid configuration");
    cudaGetLastError();
    CUDA_CHECK(cudaFuncSetAttribute(reinterpret_cast<const void*>(&add_kernel),
                                    cudaFuncAttributeMaxDynamicSharedMemorySize, 64 * 1024));
    SB_LAUNCH(add_kernel, dim3(1), dim3(1), 64 * 1024, nullptr, reinterpret_cast<float*>(d), 1.0f); // opted in
    cudaFree(d);
}

TEST_CASE("a captured graph replays with the arguments it was captured with")
{
    cudaStream_t s = nullptr;
    CUDA_CHECK(cudaStreamCreate(&s));
    float* y = device<float>(4);
    CUDA_CHECK(cudaMemset(y, 0, 4 * sizeof(float)));
    cudaGraph_t graph = nullptr;
    CUDA_CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
    float v = 2.0f;
    SB_LAUNCH(add_kernel, dim3(1), dim3(4), 0, s, y, v);
    v = 100.0f; // frozen at capture: the graph keeps adding 2
    CUDA_CHECK(cudaStreamEndCapture(s, &graph));
    CHECK_EQ(host(y, 4)[0], 0.0f); // captured, not run
    cudaGraphExec_t exec = nullptr;
    CUDA_CHECK(cudaGraphInstantiate(&exec, graph, 0));
    const uint64_t before = cudaemu::launches();
    for (int i = 0; i < 3; ++i)
        CUDA_CHECK(cudaGraphLaunch(exec, s));
    CHECK_EQ(cudaemu::launches() - before, 3u);
    CHECK_EQ(host(y, 4)[3], 6.0f);
    cudaGraphExecDestroy(exec);
    cudaGraphDestroy(graph);
    cudaStreamDestroy(s);
    cudaFree(y);
}

TEST_CASE("memory limits, a machine without a device, and an old driver")
{
    cudaemu::set_memory_limit(1 << 20);
    void* p = nullptr;
    CHECK_EQ(cudaMalloc(&p, 2 << 20), cudaErrorMemoryAllocation);
    cudaGetLastError();
    CHECK_EQ(cudaMalloc(&p, 1 << 19), cudaSuccess);
    std::size_t free = 0, total = 0;
    CUDA_CHECK(cudaMemGetInfo(&free, &total));
    CHECK_EQ(total, std::size_t(1) << 20);
    CHECK_EQ(free, std::size_t(1) << 19);
    cudaFree(p);
    cudaemu::set_memory_limit(0);
    cudaemu::set_device_count(0);
    int n = -1;
    CHECK_EQ(cudaGetDeviceCount(&n), cudaErrorNoDevice);
    CHECK_EQ(n, 0);
    cudaemu::set_device_count(1);
    cudaemu::set_failure(cudaErrorInsufficientDriver);
    CHECK_EQ(cudaMalloc(&p, 16), cudaErrorInsufficientDriver);
    CHECK(std::string(cudaGetErrorString(cudaErrorInsufficientDriver)).find("driver version is insufficient") !=
          std::string::npos);
    cudaemu::set_failure(cudaSuccess);
    cudaGetLastError();
}
