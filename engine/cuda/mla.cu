// Multi-head latent attention's per-head products on the GPU: each head's query mapped into
// the latent space (W_UK^T q_nope) before attention, and each head's latent output mapped
// back to values (W_UV o) after it, with F16 matrices made once at load. engine/arch/
// deepseek2.cpp is the reference; the attention itself is attention.cu's.
#include "cuda_compat.cuh"
#include "kernels.h"

namespace seekbench::cuda {
namespace {

constexpr int kWarps = 4; // output values per block of the few-token kernel

// One warp per output value y[m][h][r]: a row of W_h against x[m][h].
__global__ void __launch_bounds__(128) head_matvec_kernel(HeadMatrices w, const float* x, HeadRows xr, float* y,
                                                         HeadRows yr)
{
    const int lane = int(threadIdx.x) % 32;
    const int r = int(blockIdx.x) * kWarps + int(threadIdx.x) / 32;
    if (r >= w.rows)
        return; // a whole warp leaves: no barrier follows
    const int h = int(blockIdx.y), m = int(blockIdx.z);
    const __half* wr = w.w + (int64_t(h) * w.rows + r) * w.cols;
    const float* xv = x + int64_t(m) * xr.stride + int64_t(h) * xr.head;
    float acc = 0.0f;
    for (int c = lane; c < w.cols; c += 32)
        acc += __half2float(wr[c]) * xv[c];
    acc = warp_sum(acc);
    if (lane == 0)
        y[int64_t(m) * yr.stride + int64_t(h) * yr.head + r] = acc;
}

// x[m][h] (cols floats) -> xh[m][h] (cols halves, packed), for cuBLAS.
__global__ void __launch_bounds__(256) pack_half_kernel(const float* x, HeadRows xr, int cols, __half* xh)
{
    const int h = int(blockIdx.x), m = int(blockIdx.y), heads = int(gridDim.x);
    const float* xv = x + int64_t(m) * xr.stride + int64_t(h) * xr.head;
    __half* out = xh + (int64_t(m) * heads + h) * cols;
    for (int c = int(threadIdx.x); c < cols; c += int(blockDim.x))
        out[c] = __float2half(xv[c]);
}

__global__ void __launch_bounds__(256) copy_rows_kernel(const float* src, int64_t src_stride, float* dst,
                                                       int64_t dst_stride, int64_t n)
{
    const float* s = src + int64_t(blockIdx.x) * src_stride;
    float* d = dst + int64_t(blockIdx.x) * dst_stride;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
        d[i] = s[i];
}

} // namespace

void head_matmul(const HeadMatrices& w, const float* x, HeadRows xr, int M, float* y, HeadRows yr, __half* xh, Blas blas,
                 Stream stream)
{
    if (M <= 0 || w.heads <= 0)
        return;
    if (M <= kMatvecMaxTokens) {
        SB_LAUNCH(head_matvec_kernel, dim3(unsigned((w.rows + kWarps - 1) / kWarps), unsigned(w.heads), unsigned(M)),
                  dim3(32 * kWarps), 0, stream, w, x, xr, y, yr);
        return;
    }
    SB_LAUNCH(pack_half_kernel, dim3(unsigned(w.heads), unsigned(M)), dim3(256), 0, stream, x, xr, w.cols, xh);
    // Column-major, per head h: Y_h (rows x M, ldc yr.stride) = W_h^T(stored: cols x rows) X_h
    // (cols x M, ldb heads*cols).
    CUBLAS_CHECK(cublasSetStream(blas, stream));
    const float one = 1.0f, zero = 0.0f;
    CUBLAS_CHECK(cublasGemmStridedBatchedEx(blas, CUBLAS_OP_T, CUBLAS_OP_N, w.rows, M, w.cols, &one, w.w, CUDA_R_16F,
                                            w.cols, int64_t(w.rows) * w.cols, xh, CUDA_R_16F, w.heads * w.cols, w.cols,
                                            &zero, y, CUDA_R_32F, int(yr.stride), yr.head, w.heads, CUBLAS_COMPUTE_32F,
                                            CUBLAS_GEMM_DEFAULT));
}

void copy_rows(const float* src, int64_t src_stride, float* dst, int64_t dst_stride, int rows, int64_t n, Stream stream)
{
    if (rows > 0 && n > 0)
        SB_LAUNCH(copy_rows_kernel, dim3(unsigned(rows)), dim3(256), 0, stream, src, src_stride, dst, dst_stride, n);
}

} // namespace seekbench::cuda
