// The small per-element operations of a layer on the GPU: SwiGLU, residual adds, biases,
// conversions to half precision for cuBLAS, and gathering the rows that want logits.
#include "cuda_compat.cuh"
#include "kernels.h"

#include <algorithm>

namespace seekbench::cuda {
namespace {

constexpr int kThreads = 256;

dim3 grid_for(int64_t n) { return dim3(unsigned((n + kThreads - 1) / kThreads)); }

__global__ void silu_mul_kernel(float* g, const float* u, int64_t n)
{
    const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n)
        g[i] = g[i] / (1.0f + expf(-g[i])) * u[i];
}

__global__ void add_kernel(float* y, const float* x, int64_t n)
{
    const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n)
        y[i] += x[i];
}

__global__ void add_bias_kernel(float* y, const float* b, int64_t n, int64_t total)
{
    const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < total)
        y[i] += b[i % n];
}

__global__ void to_half_kernel(const float* x, __half* y, int64_t n)
{
    const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n)
        y[i] = __float2half(x[i]);
}

__global__ void to_bf16_kernel(const float* x, uint16_t* y, int64_t n)
{
    const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) { // round to nearest even, as __float2bfloat16_rn
        const unsigned u = __float_as_uint(x[i]);
        y[i] = static_cast<uint16_t>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
    }
}

__global__ void gather_rows_kernel(const float* src, const int* rows, int64_t n, float* dst)
{
    const float* s = src + int64_t(rows[blockIdx.y]) * n;
    float* d = dst + int64_t(blockIdx.y) * n;
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
        d[i] = s[i];
}

} // namespace

void silu_mul(float* g, const float* u, int64_t n, Stream stream)
{
    if (n > 0)
        SB_LAUNCH(silu_mul_kernel, grid_for(n), dim3(kThreads), 0, stream, g, u, n);
}

void add(float* y, const float* x, int64_t n, Stream stream)
{
    if (n > 0)
        SB_LAUNCH(add_kernel, grid_for(n), dim3(kThreads), 0, stream, y, x, n);
}

void add_bias(float* y, const float* b, int M, int64_t n, Stream stream)
{
    if (M > 0 && n > 0)
        SB_LAUNCH(add_bias_kernel, grid_for(int64_t(M) * n), dim3(kThreads), 0, stream, y, b, n, int64_t(M) * n);
}

void to_half(const float* x, __half* y, int64_t n, Stream stream)
{
    if (n > 0)
        SB_LAUNCH(to_half_kernel, grid_for(n), dim3(kThreads), 0, stream, x, y, n);
}

void to_bf16(const float* x, void* y, int64_t n, Stream stream)
{
    if (n > 0)
        SB_LAUNCH(to_bf16_kernel, grid_for(n), dim3(kThreads), 0, stream, x, static_cast<uint16_t*>(y), n);
}

void gather_rows(const float* src, const int* rows, int count, int64_t n, float* dst, Stream stream)
{
    if (count > 0)
        SB_LAUNCH(gather_rows_kernel, dim3(unsigned(std::min<int64_t>((n + kThreads - 1) / kThreads, 64)), unsigned(count)),
                  dim3(kThreads), 0, stream, src, rows, n, dst);
}

} // namespace seekbench::cuda
