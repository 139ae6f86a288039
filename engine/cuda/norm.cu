// RMSNorm on the GPU: one block per row (a single warp for rows of up to 1,024 values); the
// sum of squares reduced in the block, then every value scaled and multiplied by the weight
// in the same pass (the norm and its weight fused).
// The CPU's cpu::rmsnorm is the reference.
#include "cuda_compat.cuh"
#include "kernels.h"

namespace seekbench::cuda {
namespace {

__global__ void __launch_bounds__(256) rms_norm_kernel(const float* x, const float* w, float* y, int64_t n,
                                                      int64_t stride, float eps)
{
    SB_SHARED(float, scratch, [32]);
    const float* xr = x + int64_t(blockIdx.x) * stride;
    float* yr = y + int64_t(blockIdx.x) * stride;
    float ss = 0.0f;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
        ss += xr[i] * xr[i];
    ss = block_sum(ss, scratch);
    const float scale = 1.0f / sqrtf(ss / float(n) + eps);
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
        yr[i] = xr[i] * scale * w[i];
}

} // namespace

void rms_norm(const float* x, const float* w, float* y, int rows, int64_t n, float eps, Stream stream, int64_t stride)
{
    // One warp a row up to 1,024 values (no block-wide barrier), eight warps above.
    if (rows > 0)
        SB_LAUNCH(rms_norm_kernel, dim3(unsigned(rows)), dim3(n <= 1024 ? 32 : 256), 0, stream, x, w, y, n,
                  stride > 0 ? stride : n, eps);
}

} // namespace seekbench::cuda
