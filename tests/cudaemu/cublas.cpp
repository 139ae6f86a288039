// cuBLAS for the emulator: GemmEx and GemmStridedBatchedEx as a plain column-major
// reference GEMM (F32, F16 or BF16 inputs and outputs, float32 compute as cuBLAS's, in eight
// partial sums), on the handle's stream so that graph capture records them like kernels.
#include "cudaemu.h"

#include <vector>

struct cublasContext {
    cudaStream_t stream = nullptr;
};

namespace {

float load(cudaDataType type, const void* base, long long i)
{
    switch (type) {
    case CUDA_R_32F: return static_cast<const float*>(base)[i];
    case CUDA_R_16F: return __half2float(static_cast<const __half*>(base)[i]);
    case CUDA_R_16BF: return __bfloat162float(static_cast<const __nv_bfloat16*>(base)[i]);
    default: return 0.0f;
    }
}

void store(cudaDataType type, void* base, long long i, float v)
{
    switch (type) {
    case CUDA_R_32F: static_cast<float*>(base)[i] = v; break;
    case CUDA_R_16F: static_cast<__half*>(base)[i] = __float2half_rn(v); break;
    case CUDA_R_16BF: static_cast<__nv_bfloat16*>(base)[i] = __float2bfloat16_rn(v); break;
    default: break;
    }
}

bool known(cudaDataType t) { return t == CUDA_R_32F || t == CUDA_R_16F || t == CUDA_R_16BF; }

// C (m x n) = alpha op(A) (m x k) op(B) (k x n) + beta C, column-major.
void gemm(cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, float alpha, const void* A,
          cudaDataType at, int lda, const void* B, cudaDataType bt, int ldb, float beta, void* C, cudaDataType ct,
          int ldc)
{
    std::vector<float> a(static_cast<std::size_t>(m) * k), b(static_cast<std::size_t>(k) * n);
    for (int i = 0; i < m; ++i)
        for (int l = 0; l < k; ++l)
            a[static_cast<std::size_t>(i) * k + l] =
                load(at, A, ta == CUBLAS_OP_N ? i + static_cast<long long>(l) * lda : l + static_cast<long long>(i) * lda);
    for (int j = 0; j < n; ++j)
        for (int l = 0; l < k; ++l)
            b[static_cast<std::size_t>(j) * k + l] =
                load(bt, B, tb == CUBLAS_OP_N ? l + static_cast<long long>(j) * ldb : j + static_cast<long long>(l) * ldb);
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < m; ++i) {
            const float* ar = &a[static_cast<std::size_t>(i) * k];
            const float* bc = &b[static_cast<std::size_t>(j) * k];
            float part[8] = {};
            int l = 0;
            for (; l + 8 <= k; l += 8)
                for (int u = 0; u < 8; ++u)
                    part[u] += ar[l + u] * bc[l + u];
            for (; l < k; ++l)
                part[0] += ar[l] * bc[l];
            double acc = 0;
            for (float p : part)
                acc += p;
            const long long at_c = i + static_cast<long long>(j) * ldc;
            const double old = beta != 0.0f ? load(ct, C, at_c) : 0.0;
            store(ct, C, at_c, static_cast<float>(alpha * acc + beta * old));
        }
}

} // namespace

cublasStatus_t cublasCreate_v2(cublasHandle_t* handle)
{
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
        cudaGetLastError();
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    *handle = new cublasContext;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)
{
    delete handle;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t stream)
{
    handle->stream = stream;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetMathMode(cublasHandle_t, cublasMath_t) { return CUBLAS_STATUS_SUCCESS; }

cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n,
                            int k, const void* alpha, const void* A, cudaDataType Atype, int lda, const void* B,
                            cudaDataType Btype, int ldb, const void* beta, void* C, cudaDataType Ctype, int ldc,
                            cublasComputeType_t, cublasGemmAlgo_t)
{
    return cublasGemmStridedBatchedEx(handle, transa, transb, m, n, k, alpha, A, Atype, lda, 0, B, Btype, ldb, 0, beta,
                                      C, Ctype, ldc, 0, 1, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
}

cublasStatus_t cublasGemmStridedBatchedEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                                          int m, int n, int k, const void* alpha, const void* A, cudaDataType Atype,
                                          int lda, long long strideA, const void* B, cudaDataType Btype, int ldb,
                                          long long strideB, const void* beta, void* C, cudaDataType Ctype, int ldc,
                                          long long strideC, int batchCount, cublasComputeType_t, cublasGemmAlgo_t)
{
    if (m < 0 || n < 0 || k < 0 || batchCount < 0 || !known(Atype) || !known(Btype) || !known(Ctype))
        return CUBLAS_STATUS_INVALID_VALUE;
    if (lda < (transa == CUBLAS_OP_N ? m : k) || ldb < (transb == CUBLAS_OP_N ? k : n) || ldc < m)
        return CUBLAS_STATUS_INVALID_VALUE;
    const float a = *static_cast<const float*>(alpha), b = *static_cast<const float*>(beta);
    cudaemu::on_stream(handle->stream, [=] {
        for (int i = 0; i < batchCount; ++i) {
            const std::size_t ea = Atype == CUDA_R_32F ? 4 : 2, eb = Btype == CUDA_R_32F ? 4 : 2,
                              ec = Ctype == CUDA_R_32F ? 4 : 2;
            gemm(transa, transb, m, n, k, a, static_cast<const char*>(A) + i * strideA * static_cast<long long>(ea),
                 Atype, lda, static_cast<const char*>(B) + i * strideB * static_cast<long long>(eb), Btype, ldb, b,
                 static_cast<char*>(C) + i * strideC * static_cast<long long>(ec), Ctype, ldc);
        }
    });
    return CUBLAS_STATUS_SUCCESS;
}

const char* cublasGetStatusString(cublasStatus_t status)
{
    switch (status) {
    case CUBLAS_STATUS_SUCCESS: return "success";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "the library was not initialized";
    case CUBLAS_STATUS_ALLOC_FAILED: return "the resource allocation failed";
    case CUBLAS_STATUS_INVALID_VALUE: return "an invalid numeric value was used as an argument";
    default: return "cuBLAS error";
    }
}
