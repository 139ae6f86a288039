// Matrix products on the GPU. Decode (a few tokens): one warp per weight row reads every
// weight byte once; the quantized formats take int8 dot products (__dp4a) against
// activations quantized to Q8_1 blocks, as llama.cpp's MMVQ does; F32/F16/BF16 rows take
// float dot products. Prompts: weight tiles dequantized to FP16 and cublasGemmEx.
// Block layouts are GGUF's (engine/quants.h); the CPU's dequantize_row is the reference.
#include "cuda_compat.cuh"
#include "kernels.h"

#include <algorithm>

namespace seekbench::cuda {
namespace {

constexpr int kWarpsPerBlock = 4; // weight rows per block of the matvec kernels

// --- reading GGUF blocks on the device ----------------------------------------------------------

SB_DEVICE float half_bits(const uint8_t* p)
{
    __half_raw r;
    r.x = static_cast<unsigned short>(p[0] | (p[1] << 8));
    return __half2float(__half(r));
}

// Four bytes at p + 4i, from a 2-byte aligned address (GGUF blocks are 18, 34, 210 bytes).
SB_DEVICE int int_b2(const uint8_t* p, int i)
{
    const uint16_t* q = reinterpret_cast<const uint16_t*>(p) + 2 * i;
    return int(unsigned(q[0]) | (unsigned(q[1]) << 16));
}

// Q4_K/Q5_K's 6-bit scale and min of sub-block j (quants.h's k4_scale_min).
SB_DEVICE void scale_min_k4(int j, const uint8_t* q, int& scale, int& min)
{
    if (j < 4) {
        scale = q[j] & 63;
        min = q[j + 4] & 63;
    } else {
        scale = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        min = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

SB_DEVICE int act_int(const BlockQ8_1& a, int i) { return reinterpret_cast<const int*>(a.qs)[i]; }

// Values a "task" of 32 weights covers: one Q8_1 activation block each.
template <int T> SB_DEVICE float dot_task(const uint8_t* row, int64_t t, const BlockQ8_1& a);

template <> SB_DEVICE float dot_task<int(TensorType::Q8_0)>(const uint8_t* row, int64_t t, const BlockQ8_1& a)
{
    const uint8_t* b = row + t * 34;
    int sumi = 0;
    for (int i = 0; i < 8; ++i)
        sumi = __dp4a(int_b2(b + 2, i), act_int(a, i), sumi);
    return half_bits(b) * a.d * float(sumi);
}

template <> SB_DEVICE float dot_task<int(TensorType::Q4_0)>(const uint8_t* row, int64_t t, const BlockQ8_1& a)
{
    const uint8_t* b = row + t * 18;
    int sumi = 0;
    for (int i = 0; i < 4; ++i) {
        const int v = int_b2(b + 2, i);
        sumi = __dp4a(v & 0x0F0F0F0F, act_int(a, i), sumi);
        sumi = __dp4a((v >> 4) & 0x0F0F0F0F, act_int(a, i + 4), sumi);
    }
    return half_bits(b) * (a.d * float(sumi) - 8.0f * a.s);
}

// Q5_0/Q5_1's fifth bits: bits 0..3 of `h` moved to bit 4 of bytes 0..3.
SB_DEVICE int spread_high_bits(unsigned h)
{
    return int(((h & 1u) << 4) | ((h & 2u) << 11) | ((h & 4u) << 18) | ((h & 8u) << 25));
}

SB_DEVICE unsigned bits32(const uint8_t* p)
{
    return unsigned(p[0]) | (unsigned(p[1]) << 8) | (unsigned(p[2]) << 16) | (unsigned(p[3]) << 24);
}

// Values d q + m: the activations' scaled sum carries m.
template <> SB_DEVICE float dot_task<int(TensorType::Q4_1)>(const uint8_t* row, int64_t t, const BlockQ8_1& a)
{
    const uint8_t* b = row + t * 20;
    int sumi = 0;
    for (int i = 0; i < 4; ++i) {
        const int v = int_b2(b + 4, i);
        sumi = __dp4a(v & 0x0F0F0F0F, act_int(a, i), sumi);
        sumi = __dp4a((v >> 4) & 0x0F0F0F0F, act_int(a, i + 4), sumi);
    }
    return half_bits(b) * a.d * float(sumi) + half_bits(b + 2) * a.s;
}

// Values d (q - 16), q five bits: the low four in qs, the fifth in qh.
template <> SB_DEVICE float dot_task<int(TensorType::Q5_0)>(const uint8_t* row, int64_t t, const BlockQ8_1& a)
{
    const uint8_t* b = row + t * 22;
    const unsigned qh = bits32(b + 2);
    int sumi = 0;
    for (int i = 0; i < 4; ++i) {
        const int v = int_b2(b + 6, i);
        sumi = __dp4a((v & 0x0F0F0F0F) | spread_high_bits(qh >> (4 * i)), act_int(a, i), sumi);
        sumi = __dp4a(((v >> 4) & 0x0F0F0F0F) | spread_high_bits(qh >> (16 + 4 * i)), act_int(a, i + 4), sumi);
    }
    return half_bits(b) * (a.d * float(sumi) - 16.0f * a.s);
}

template <> SB_DEVICE float dot_task<int(TensorType::Q5_1)>(const uint8_t* row, int64_t t, const BlockQ8_1& a)
{
    const uint8_t* b = row + t * 24;
    const unsigned qh = bits32(b + 4);
    int sumi = 0;
    for (int i = 0; i < 4; ++i) {
        const int v = int_b2(b + 8, i);
        sumi = __dp4a((v & 0x0F0F0F0F) | spread_high_bits(qh >> (4 * i)), act_int(a, i), sumi);
        sumi = __dp4a(((v >> 4) & 0x0F0F0F0F) | spread_high_bits(qh >> (16 + 4 * i)), act_int(a, i + 4), sumi);
    }
    return half_bits(b) * a.d * float(sumi) + half_bits(b + 2) * a.s;
}

template <> SB_DEVICE float dot_task<int(TensorType::Q4_K)>(const uint8_t* row, int64_t t, const BlockQ8_1& a)
{
    const uint8_t* b = row + (t / 8) * 144;
    const int j = int(t % 8);
    const uint8_t* q = b + 16 + 32 * (j / 2);
    const int shift = 4 * (j & 1);
    int sumi = 0;
    for (int i = 0; i < 8; ++i)
        sumi = __dp4a((int_b2(q, i) >> shift) & 0x0F0F0F0F, act_int(a, i), sumi);
    int sc, m;
    scale_min_k4(j, b + 4, sc, m);
    return half_bits(b) * float(sc) * a.d * float(sumi) - half_bits(b + 2) * float(m) * a.s;
}

template <> SB_DEVICE float dot_task<int(TensorType::Q5_K)>(const uint8_t* row, int64_t t, const BlockQ8_1& a)
{
    const uint8_t* b = row + (t / 8) * 176;
    const int j = int(t % 8);
    const uint8_t* q = b + 48 + 32 * (j / 2);
    const uint8_t* qh = b + 16;
    const int shift = 4 * (j & 1);
    int sumi = 0;
    for (int i = 0; i < 8; ++i) {
        const int lo = (int_b2(q, i) >> shift) & 0x0F0F0F0F;
        const int hi = ((int_b2(qh, i) >> j) & 0x01010101) << 4;
        sumi = __dp4a(lo | hi, act_int(a, i), sumi);
    }
    int sc, m;
    scale_min_k4(j, b + 4, sc, m);
    return half_bits(b) * float(sc) * a.d * float(sumi) - half_bits(b + 2) * float(m) * a.s;
}

template <> SB_DEVICE float dot_task<int(TensorType::Q6_K)>(const uint8_t* row, int64_t t, const BlockQ8_1& a)
{
    const uint8_t* b = row + (t / 8) * 210;
    const int c = int(t % 8), h = c / 4, u = c % 4;
    const uint8_t* ql = b + 64 * h + 32 * (u & 1);
    const uint8_t* qh = b + 128 + 32 * h;
    const int8_t* sc = reinterpret_cast<const int8_t*>(b + 192) + 8 * h + 2 * u;
    const int low_shift = u >= 2 ? 4 : 0, high_shift = 2 * u;
    int sum0 = 0, sum1 = 0; // values 0..15 and 16..31, each with its own scale
    for (int i = 0; i < 8; ++i) {
        const int raw = ((int_b2(ql, i) >> low_shift) & 0x0F0F0F0F) | (((int_b2(qh, i) >> high_shift) & 0x03030303) << 4);
        const int x = act_int(a, i);
        const int part = __dp4a(raw, x, 0) - 32 * __dp4a(0x01010101, x, 0); // the values are raw - 32
        (i < 4 ? sum0 : sum1) += part;
    }
    return half_bits(b + 208) * a.d * (float(sc[0]) * float(sum0) + float(sc[1]) * float(sum1));
}

// Which matrix and input row a slot (blockIdx.y) takes: ids == null for a plain product.
struct Slots {
    const int* ids;
    int64_t expert_bytes;
    int x_per;
};

// One warp per row of `w`, blockIdx.y the token (or slot): y[s][row] (+)= w[row] . x[s / x_per].
template <int T>
__global__ void __launch_bounds__(128) matvec_q(const uint8_t* w, std::size_t row_bytes, int64_t rows, int64_t cols,
                                               const BlockQ8_1* xq, float* y, int accumulate, Slots slots)
{
    const int lane = int(threadIdx.x) % 32;
    const int64_t row = int64_t(blockIdx.x) * kWarpsPerBlock + int(threadIdx.x) / 32;
    if (row >= rows)
        return; // a whole warp leaves: no block-wide barrier follows
    const int m = int(blockIdx.y);
    if (slots.ids)
        w += int64_t(slots.ids[m]) * slots.expert_bytes;
    const uint8_t* wr = w + row * int64_t(row_bytes);
    const BlockQ8_1* xm = xq + int64_t(m / slots.x_per) * (cols / 32);
    float acc = 0.0f;
    for (int64_t t = lane; t < cols / 32; t += 32) // a task: 32 weights, one activation block
        acc += dot_task<T>(wr, t, xm[t]);
    acc = warp_sum(acc);
    if (lane == 0) {
        float* out = y + int64_t(m) * rows + row;
        *out = accumulate ? *out + acc : acc;
    }
}

template <int T> SB_DEVICE float float_weight(const uint8_t* row, int64_t c);
template <> SB_DEVICE float float_weight<int(TensorType::F32)>(const uint8_t* row, int64_t c)
{
    return reinterpret_cast<const float*>(row)[c];
}
template <> SB_DEVICE float float_weight<int(TensorType::F16)>(const uint8_t* row, int64_t c)
{
    return half_bits(row + 2 * c);
}
template <> SB_DEVICE float float_weight<int(TensorType::BF16)>(const uint8_t* row, int64_t c)
{
    const uint16_t* p = reinterpret_cast<const uint16_t*>(row);
    return __uint_as_float(unsigned(p[c]) << 16);
}

template <int T>
__global__ void __launch_bounds__(128) matvec_f(const uint8_t* w, std::size_t row_bytes, int64_t rows, int64_t cols,
                                               const float* x, float* y, int accumulate, Slots slots)
{
    const int lane = int(threadIdx.x) % 32;
    const int64_t row = int64_t(blockIdx.x) * kWarpsPerBlock + int(threadIdx.x) / 32;
    if (row >= rows)
        return;
    const int m = int(blockIdx.y);
    if (slots.ids)
        w += int64_t(slots.ids[m]) * slots.expert_bytes;
    const uint8_t* wr = w + row * int64_t(row_bytes);
    const float* xm = x + int64_t(m / slots.x_per) * cols;
    float acc = 0.0f;
    for (int64_t c = lane; c < cols; c += 32)
        acc += float_weight<T>(wr, c) * xm[c];
    acc = warp_sum(acc);
    if (lane == 0) {
        float* out = y + int64_t(m) * rows + row;
        *out = accumulate ? *out + acc : acc;
    }
}

// One warp per 32 activations: the block's largest magnitude sets its scale.
__global__ void __launch_bounds__(128) quantize_q8_1_kernel(const float* x, BlockQ8_1* xq, int64_t cols)
{
    const int lane = int(threadIdx.x) % 32;
    const int64_t block = int64_t(blockIdx.x) * kWarpsPerBlock + int(threadIdx.x) / 32;
    const int64_t nb = cols / 32;
    if (block >= nb)
        return;
    const int m = int(blockIdx.y);
    const float v = x[int64_t(m) * cols + block * 32 + lane];
    const float amax = warp_max(fabsf(v));
    const float d = amax / 127.0f;
    const int q = amax == 0.0f ? 0 : int(rintf(v / d));
    const float sum = warp_sum(float(q));
    BlockQ8_1& out = xq[int64_t(m) * nb + block];
    out.qs[lane] = static_cast<int8_t>(q);
    if (lane == 0) {
        out.d = d;
        out.s = d * sum;
    }
}

// --- dequantization to FP16, for the cuBLAS path --------------------------------------------------

template <int T> SB_DEVICE float weight_at(const uint8_t* row, int64_t c);
template <> SB_DEVICE float weight_at<int(TensorType::F32)>(const uint8_t* row, int64_t c)
{
    return float_weight<int(TensorType::F32)>(row, c);
}
template <> SB_DEVICE float weight_at<int(TensorType::F16)>(const uint8_t* row, int64_t c)
{
    return float_weight<int(TensorType::F16)>(row, c);
}
template <> SB_DEVICE float weight_at<int(TensorType::BF16)>(const uint8_t* row, int64_t c)
{
    return float_weight<int(TensorType::BF16)>(row, c);
}
template <> SB_DEVICE float weight_at<int(TensorType::Q8_0)>(const uint8_t* row, int64_t c)
{
    const uint8_t* b = row + (c / 32) * 34;
    return half_bits(b) * float(reinterpret_cast<const int8_t*>(b + 2)[c % 32]);
}
template <> SB_DEVICE float weight_at<int(TensorType::Q4_0)>(const uint8_t* row, int64_t c)
{
    const uint8_t* b = row + (c / 32) * 18;
    const int i = int(c % 32);
    const int nib = i < 16 ? b[2 + i] & 0xF : b[2 + i - 16] >> 4;
    return half_bits(b) * float(nib - 8);
}
template <> SB_DEVICE float weight_at<int(TensorType::Q4_1)>(const uint8_t* row, int64_t c)
{
    const uint8_t* b = row + (c / 32) * 20;
    const int i = int(c % 32);
    const int nib = i < 16 ? b[4 + i] & 0xF : b[4 + i - 16] >> 4;
    return half_bits(b) * float(nib) + half_bits(b + 2);
}
template <> SB_DEVICE float weight_at<int(TensorType::Q5_0)>(const uint8_t* row, int64_t c)
{
    const uint8_t* b = row + (c / 32) * 22;
    const int i = int(c % 32);
    const int nib = i < 16 ? b[6 + i] & 0xF : b[6 + i - 16] >> 4;
    const int hi = int((bits32(b + 2) >> i) & 1u);
    return half_bits(b) * float((nib | (hi << 4)) - 16);
}
template <> SB_DEVICE float weight_at<int(TensorType::Q5_1)>(const uint8_t* row, int64_t c)
{
    const uint8_t* b = row + (c / 32) * 24;
    const int i = int(c % 32);
    const int nib = i < 16 ? b[8 + i] & 0xF : b[8 + i - 16] >> 4;
    const int hi = int((bits32(b + 4) >> i) & 1u);
    return half_bits(b) * float(nib | (hi << 4)) + half_bits(b + 2);
}
template <> SB_DEVICE float weight_at<int(TensorType::Q4_K)>(const uint8_t* row, int64_t c)
{
    const uint8_t* b = row + (c / 256) * 144;
    const int e = int(c % 256), j = e / 32, l = e % 32;
    const int q = (b[16 + 32 * (j / 2) + l] >> (4 * (j & 1))) & 0xF;
    int sc, m;
    scale_min_k4(j, b + 4, sc, m);
    return half_bits(b) * float(sc) * float(q) - half_bits(b + 2) * float(m);
}
template <> SB_DEVICE float weight_at<int(TensorType::Q5_K)>(const uint8_t* row, int64_t c)
{
    const uint8_t* b = row + (c / 256) * 176;
    const int e = int(c % 256), j = e / 32, l = e % 32;
    const int q = ((b[48 + 32 * (j / 2) + l] >> (4 * (j & 1))) & 0xF) | (((b[16 + l] >> j) & 1) << 4);
    int sc, m;
    scale_min_k4(j, b + 4, sc, m);
    return half_bits(b) * float(sc) * float(q) - half_bits(b + 2) * float(m);
}
template <> SB_DEVICE float weight_at<int(TensorType::Q6_K)>(const uint8_t* row, int64_t c)
{
    const uint8_t* b = row + (c / 256) * 210;
    const int e = int(c % 256), h = e / 128, u = (e % 128) / 32, l = e % 32;
    const int lo = (b[64 * h + 32 * (u & 1) + l] >> (u >= 2 ? 4 : 0)) & 0xF;
    const int hi = (b[128 + 32 * h + l] >> (2 * u)) & 3;
    const int8_t sc = reinterpret_cast<const int8_t*>(b + 192)[8 * h + 2 * u + l / 16];
    return half_bits(b + 208) * float(sc) * float((lo | (hi << 4)) - 32);
}

template <int T>
__global__ void __launch_bounds__(256) dequantize_f16_kernel(const uint8_t* w, std::size_t row_bytes, int64_t row0,
                                                            int64_t rows, int64_t cols, __half* out)
{
    const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= rows * cols)
        return;
    const int64_t r = i / cols, c = i % cols;
    out[i] = __float2half(weight_at<T>(w + (row0 + r) * int64_t(row_bytes), c));
}

// --- dispatch ------------------------------------------------------------------------------------

#define SB_FOR_QUANT(X) X(Q8_0) X(Q4_0) X(Q4_1) X(Q5_0) X(Q5_1) X(Q4_K) X(Q5_K) X(Q6_K)
#define SB_FOR_FLOAT(X) X(F32) X(F16) X(BF16)

bool is_float(TensorType t) { return t == TensorType::F32 || t == TensorType::F16 || t == TensorType::BF16; }

dim3 matvec_grid(int64_t rows, int M) { return dim3(unsigned((rows + kWarpsPerBlock - 1) / kWarpsPerBlock), unsigned(M)); }

} // namespace

bool runs_format(TensorType type)
{
    switch (type) {
#define SB_CASE(F) case TensorType::F:
        SB_FOR_QUANT(SB_CASE) SB_FOR_FLOAT(SB_CASE) return true;
#undef SB_CASE
    default: return false;
    }
}

void quantize_q8_1(const float* x, BlockQ8_1* xq, int M, int64_t cols, Stream stream)
{
    const int64_t nb = cols / 32;
    SB_LAUNCH(quantize_q8_1_kernel, dim3(unsigned((nb + kWarpsPerBlock - 1) / kWarpsPerBlock), unsigned(M)),
              dim3(32 * kWarpsPerBlock), 0, stream, x, xq, cols);
}

namespace {

void matvec_slots(const DeviceMatrix& w, const float* x, const BlockQ8_1* xq, int M, float* y, bool accumulate,
                  Slots slots, Stream stream)
{
    const auto* data = static_cast<const uint8_t*>(w.data);
    const dim3 grid = matvec_grid(w.rows, M), block(32 * kWarpsPerBlock);
    switch (w.type) {
#define SB_CASE(F)                                                                                          \
    case TensorType::F:                                                                                     \
        SB_LAUNCH(matvec_q<int(TensorType::F)>, grid, block, 0, stream, data, w.row_bytes, w.rows, w.cols, xq, y, \
                  int(accumulate), slots);                                                                  \
        return;
        SB_FOR_QUANT(SB_CASE)
#undef SB_CASE
#define SB_CASE(F)                                                                                          \
    case TensorType::F:                                                                                     \
        SB_LAUNCH(matvec_f<int(TensorType::F)>, grid, block, 0, stream, data, w.row_bytes, w.rows, w.cols, x, y,  \
                  int(accumulate), slots);                                                                  \
        return;
        SB_FOR_FLOAT(SB_CASE)
#undef SB_CASE
    default: throw Error(ErrorCode::Unsupported, std::string("the GPU does not run ") + type_name(w.type) + " weights");
    }
}

} // namespace

void matvec(const DeviceMatrix& w, const float* x, const BlockQ8_1* xq, int M, float* y, bool accumulate, Stream stream)
{
    matvec_slots(w, x, xq, M, y, accumulate, Slots{nullptr, 0, 1}, stream);
}

void matvec_experts(const DeviceMatrix& w, std::size_t expert_bytes, const int* ids, int slots, int x_per,
                    const float* x, const BlockQ8_1* xq, float* y, Stream stream)
{
    if (slots > 0)
        matvec_slots(w, x, xq, slots, y, false, Slots{ids, int64_t(expert_bytes), std::max(1, x_per)}, stream);
}

void dequantize_f16(const DeviceMatrix& w, int64_t row0, int64_t rows, __half* out, Stream stream)
{
    const auto* data = static_cast<const uint8_t*>(w.data);
    const int64_t n = rows * w.cols;
    const dim3 grid(unsigned((n + 255) / 256)), block(256);
    switch (w.type) {
#define SB_CASE(F)                                                                                          \
    case TensorType::F:                                                                                     \
        SB_LAUNCH(dequantize_f16_kernel<int(TensorType::F)>, grid, block, 0, stream, data, w.row_bytes, row0, rows, \
                  w.cols, out);                                                                             \
        return;
        SB_FOR_QUANT(SB_CASE) SB_FOR_FLOAT(SB_CASE)
#undef SB_CASE
    default: throw Error(ErrorCode::Unsupported, std::string("the GPU does not run ") + type_name(w.type) + " weights");
    }
}

void matmul(const DeviceMatrix& w, const float* x, int M, float* y, bool accumulate, MatmulScratch& s, Blas blas,
            Stream stream)
{
    if (M <= 0)
        return;
    if (M <= kMatvecMaxTokens) {
        if (!is_float(w.type)) { // quantized rows are whole blocks of 32 (or 256)
            if (std::size_t(M) * std::size_t(w.cols / 32) > s.xq_blocks)
                throw Error(ErrorCode::InvalidArgument, "matmul scratch too small for the activations");
            quantize_q8_1(x, s.xq, M, w.cols, stream);
        }
        matvec(w, x, s.xq, M, y, accumulate, stream);
        return;
    }
    // Column-major cuBLAS: C (rows x M, ldc rows) = W^T(as stored: cols x rows) X (cols x M).
    CUBLAS_CHECK(cublasSetStream(blas, stream));
    const float one = 1.0f, beta = accumulate ? 1.0f : 0.0f;
    if (w.type == TensorType::F32) {
        CUBLAS_CHECK(cublasGemmEx(blas, CUBLAS_OP_T, CUBLAS_OP_N, int(w.rows), M, int(w.cols), &one, w.data, CUDA_R_32F,
                                  int(w.cols), x, CUDA_R_32F, int(w.cols), &beta, y, CUDA_R_32F, int(w.rows),
                                  CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
        return;
    }
    if (std::size_t(M) * std::size_t(w.cols) > s.xh_elems)
        throw Error(ErrorCode::InvalidArgument, "matmul scratch too small for the activations");
    if (w.type == TensorType::BF16) {
        to_bf16(x, s.xh, int64_t(M) * w.cols, stream);
        CUBLAS_CHECK(cublasGemmEx(blas, CUBLAS_OP_T, CUBLAS_OP_N, int(w.rows), M, int(w.cols), &one, w.data, CUDA_R_16BF,
                                  int(w.cols), s.xh, CUDA_R_16BF, int(w.cols), &beta, y, CUDA_R_32F, int(w.rows),
                                  CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
        return;
    }
    to_half(x, s.xh, int64_t(M) * w.cols, stream);
    if (w.type == TensorType::F16) {
        CUBLAS_CHECK(cublasGemmEx(blas, CUBLAS_OP_T, CUBLAS_OP_N, int(w.rows), M, int(w.cols), &one, w.data, CUDA_R_16F,
                                  int(w.cols), s.xh, CUDA_R_16F, int(w.cols), &beta, y, CUDA_R_32F, int(w.rows),
                                  CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
        return;
    }
    // Quantized: as many rows at a time as the tile holds, dequantized to FP16.
    const int64_t tile_rows = std::min<int64_t>(w.rows, int64_t(s.tile_elems) / w.cols);
    if (tile_rows < 1)
        throw Error(ErrorCode::InvalidArgument, "matmul scratch too small for a weight tile");
    for (int64_t r0 = 0; r0 < w.rows; r0 += tile_rows) {
        const int64_t n = std::min(tile_rows, w.rows - r0);
        dequantize_f16(w, r0, n, s.tile, stream);
        CUBLAS_CHECK(cublasGemmEx(blas, CUBLAS_OP_T, CUBLAS_OP_N, int(n), M, int(w.cols), &one, s.tile, CUDA_R_16F,
                                  int(w.cols), s.xh, CUDA_R_16F, int(w.cols), &beta, y + r0, CUDA_R_32F, int(w.rows),
                                  CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    }
}

} // namespace seekbench::cuda
