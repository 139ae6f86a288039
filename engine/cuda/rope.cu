// Rotary positions on the GPU, normal (adjacent pairs) and NeoX (halves), with the
// frequencies the model asks for (linear scaling, YaRN, per-pair factors) computed once on
// the host; the angle itself in double, as the CPU's cpu::Rope (the reference) does.
#include "cuda_compat.cuh"
#include "kernels.h"

namespace seekbench::cuda {
namespace {

// The angle reduced to [-pi, pi] in double (exact enough for any context), then the fast
// float sine and cosine (2^-21 absolute error there): the double library sine's range
// reduction for large arguments would need a stack frame (local memory) in every kernel.
SB_DEVICE void rotate_pair(float& a, float& b, double theta, float mscale)
{
    const double r = theta - 6.283185307179586 * rint(theta * 0.15915494309189535);
    float s, c;
    __sincosf(float(r), &s, &c);
    c *= mscale;
    s *= mscale;
    const float x0 = a, x1 = b;
    a = x0 * c - x1 * s;
    b = x0 * s + x1 * c;
}

// One block per row; threads over (head, pair).
__global__ void __launch_bounds__(256) rope_kernel(float* x, const int* pos, int n_heads, int head_dim,
                                                  int64_t row_stride, const double* inv_freq, int dims, int neox,
                                                  float mscale)
{
    const int half = dims / 2;
    float* row = x + int64_t(blockIdx.x) * row_stride;
    const double p = double(pos[blockIdx.x]);
    for (int t = int(threadIdx.x); t < n_heads * half; t += int(blockDim.x)) {
        const int h = t / half, i = t % half;
        float* v = row + int64_t(h) * head_dim;
        const int a = neox ? i : 2 * i, b = neox ? i + half : 2 * i + 1;
        rotate_pair(v[a], v[b], p * inv_freq[i], mscale);
    }
}

__global__ void __launch_bounds__(256) rope_shift_kernel(__half* keys, int n_heads, int head_dim, int64_t row_stride,
                                                        int delta, const double* inv_freq, int dims, int neox)
{
    const int half = dims / 2;
    __half* row = keys + int64_t(blockIdx.x) * row_stride;
    for (int t = int(threadIdx.x); t < n_heads * half; t += int(blockDim.x)) {
        const int h = t / half, i = t % half;
        __half* v = row + int64_t(h) * head_dim;
        const int a = neox ? i : 2 * i, b = neox ? i + half : 2 * i + 1;
        float x0 = __half2float(v[a]), x1 = __half2float(v[b]);
        rotate_pair(x0, x1, double(delta) * inv_freq[i], 1.0f);
        v[a] = __float2half(x0);
        v[b] = __float2half(x1);
    }
}

} // namespace

void rope(float* x, const int* pos, int M, int n_heads, int head_dim, int64_t row_stride, const RopeParams& p,
          Stream stream)
{
    if (M > 0 && p.dims > 0)
        SB_LAUNCH(rope_kernel, dim3(unsigned(M)), dim3(128), 0, stream, x, pos, n_heads, head_dim, row_stride,
                  p.inv_freq, p.dims, int(p.neox), p.mscale);
}

void rope_shift(__half* keys, int count, int n_heads, int head_dim, int64_t row_stride, int delta,
                const RopeParams& p, Stream stream)
{
    if (count > 0 && p.dims > 0)
        SB_LAUNCH(rope_shift_kernel, dim3(unsigned(count)), dim3(128), 0, stream, keys, n_heads, head_dim, row_stride,
                  delta, p.inv_freq, p.dims, int(p.neox));
}

} // namespace seekbench::cuda
