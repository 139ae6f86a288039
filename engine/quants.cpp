// Scalar dequantization for GGUF's block formats (quantization: quants_encode.cpp).
#include "quants.h"

#include "error.h"
#include "fp16.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace seekbench {
namespace {

inline float h2f(uint16_t h) { return fp16_to_f32(h); }

// --- dequantization ---------------------------------------------------------------------

void dq_q4_0(const BlockQ4_0* b, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, y += QK) {
        const float d = h2f(b[i].d);
        for (int j = 0; j < QK / 2; ++j) {
            y[j] = ((b[i].qs[j] & 0xF) - 8) * d;
            y[j + QK / 2] = ((b[i].qs[j] >> 4) - 8) * d;
        }
    }
}

void dq_q4_1(const BlockQ4_1* b, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, y += QK) {
        const float d = h2f(b[i].d), m = h2f(b[i].m);
        for (int j = 0; j < QK / 2; ++j) {
            y[j] = (b[i].qs[j] & 0xF) * d + m;
            y[j + QK / 2] = (b[i].qs[j] >> 4) * d + m;
        }
    }
}

template <typename Block> uint32_t q5_high_bits(const Block& b)
{
    uint32_t qh;
    std::memcpy(&qh, b.qh, 4);
    return qh;
}

void dq_q5_0(const BlockQ5_0* b, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, y += QK) {
        const float d = h2f(b[i].d);
        const uint32_t qh = q5_high_bits(b[i]);
        for (int j = 0; j < QK / 2; ++j) {
            const int lo = (b[i].qs[j] & 0xF) | static_cast<int>(((qh >> j) & 1) << 4);
            const int hi = (b[i].qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1) << 4);
            y[j] = (lo - 16) * d;
            y[j + QK / 2] = (hi - 16) * d;
        }
    }
}

void dq_q5_1(const BlockQ5_1* b, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, y += QK) {
        const float d = h2f(b[i].d), m = h2f(b[i].m);
        const uint32_t qh = q5_high_bits(b[i]);
        for (int j = 0; j < QK / 2; ++j) {
            const int lo = (b[i].qs[j] & 0xF) | static_cast<int>(((qh >> j) & 1) << 4);
            const int hi = (b[i].qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1) << 4);
            y[j] = lo * d + m;
            y[j + QK / 2] = hi * d + m;
        }
    }
}

void dq_q8_0(const BlockQ8_0* b, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, y += QK) {
        const float d = h2f(b[i].d);
        for (int j = 0; j < QK; ++j)
            y[j] = b[i].qs[j] * d;
    }
}

void dq_q2_k(const BlockQ2_K* b, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i) {
        const float d = h2f(b[i].d), dmin = h2f(b[i].dmin);
        const uint8_t* q = b[i].qs;
        int is = 0;
        for (int n = 0; n < QK_K; n += 128, q += 32) {
            for (int shift = 0; shift < 8; shift += 2) {
                for (int half = 0; half < 2; ++half) {
                    const uint8_t sc = b[i].scales[is++];
                    const float dl = d * (sc & 0xF), ml = dmin * (sc >> 4);
                    for (int l = 0; l < 16; ++l)
                        *y++ = dl * ((q[l + 16 * half] >> shift) & 3) - ml;
                }
            }
        }
    }
}

} // namespace

void q3k_scales(const uint8_t packed[12], int8_t out[16])
{
    // Low 4 bits: bytes 0..7 (two per byte); high 2 bits: bytes 8..11 (four per byte).
    for (int j = 0; j < 16; ++j) {
        const int low = j < 8 ? (packed[j] & 0xF) : (packed[j - 8] >> 4);
        const int high = (packed[8 + j % 4] >> (2 * (j / 4))) & 3;
        out[j] = static_cast<int8_t>((low | high << 4) - 32);
    }
}

namespace {

void dq_q3_k(const BlockQ3_K* b, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i) {
        const float d = h2f(b[i].d);
        int8_t scales[16];
        q3k_scales(b[i].scales, scales);
        const uint8_t* q = b[i].qs;
        const uint8_t* hm = b[i].hmask;
        uint8_t m = 1;
        int is = 0;
        for (int n = 0; n < QK_K; n += 128, q += 32) {
            for (int shift = 0; shift < 8; shift += 2, m = static_cast<uint8_t>(m << 1)) {
                for (int half = 0; half < 2; ++half) {
                    const float dl = d * scales[is++];
                    for (int l = 16 * half; l < 16 * half + 16; ++l)
                        *y++ = dl * (((q[l] >> shift) & 3) - ((hm[l] & m) ? 0 : 4));
                }
            }
        }
    }
}

void dq_q4_k(const BlockQ4_K* b, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i) {
        const float d = h2f(b[i].d), dmin = h2f(b[i].dmin);
        const uint8_t* q = b[i].qs;
        for (int j = 0; j < 8; j += 2, q += 32) {
            uint8_t sc, m;
            k4_scale_min(j, b[i].scales, sc, m);
            const float d1 = d * sc, m1 = dmin * m;
            k4_scale_min(j + 1, b[i].scales, sc, m);
            const float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; ++l)
                *y++ = d1 * (q[l] & 0xF) - m1;
            for (int l = 0; l < 32; ++l)
                *y++ = d2 * (q[l] >> 4) - m2;
        }
    }
}

void dq_q5_k(const BlockQ5_K* b, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i) {
        const float d = h2f(b[i].d), dmin = h2f(b[i].dmin);
        const uint8_t* ql = b[i].qs;
        const uint8_t* qh = b[i].qh;
        uint8_t u1 = 1, u2 = 2;
        for (int j = 0; j < 8; j += 2, ql += 32) {
            uint8_t sc, m;
            k4_scale_min(j, b[i].scales, sc, m);
            const float d1 = d * sc, m1 = dmin * m;
            k4_scale_min(j + 1, b[i].scales, sc, m);
            const float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; ++l)
                *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
            for (int l = 0; l < 32; ++l)
                *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
            u1 = static_cast<uint8_t>(u1 << 2);
            u2 = static_cast<uint8_t>(u2 << 2);
        }
    }
}

void dq_q6_k(const BlockQ6_K* b, float* y, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i) {
        const float d = h2f(b[i].d);
        const uint8_t* ql = b[i].ql;
        const uint8_t* qh = b[i].qh;
        const int8_t* sc = b[i].scales;
        for (int n = 0; n < QK_K; n += 128, y += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0xF) | ((qh[l] >> 0) & 3) << 4) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | ((qh[l] >> 2) & 3) << 4) - 32;
                const int q3 = ((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32;
                const int q4 = ((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32;
                y[l] = d * sc[is] * q1;
                y[l + 32] = d * sc[is + 2] * q2;
                y[l + 64] = d * sc[is + 4] * q3;
                y[l + 96] = d * sc[is + 6] * q4;
            }
        }
    }
}

} // namespace

void check_blocks(TensorType type, int64_t n)
{
    const int bs = traits(type).block_size;
    if (n % bs != 0)
        throw Error(ErrorCode::InvalidArgument, std::string("row of ") + std::to_string(n) +
                                                    " values is not a multiple of the " +
                                                    type_name(type) + " block size " +
                                                    std::to_string(bs));
}


void dequantize_row(TensorType type, const void* src, float* y, int64_t n)
{
    check_blocks(type, n);
    const int64_t nb = n / traits(type).block_size;
    switch (type) {
    case TensorType::F32: std::memcpy(y, src, static_cast<size_t>(n) * 4); return;
    case TensorType::F16: {
        const auto* h = static_cast<const uint16_t*>(src);
        for (int64_t i = 0; i < n; ++i)
            y[i] = fp16_to_f32(h[i]);
        return;
    }
    case TensorType::BF16: {
        const auto* h = static_cast<const uint16_t*>(src);
        for (int64_t i = 0; i < n; ++i)
            y[i] = bf16_to_f32(h[i]);
        return;
    }
    case TensorType::Q4_0: return dq_q4_0(static_cast<const BlockQ4_0*>(src), y, nb);
    case TensorType::Q4_1: return dq_q4_1(static_cast<const BlockQ4_1*>(src), y, nb);
    case TensorType::Q5_0: return dq_q5_0(static_cast<const BlockQ5_0*>(src), y, nb);
    case TensorType::Q5_1: return dq_q5_1(static_cast<const BlockQ5_1*>(src), y, nb);
    case TensorType::Q8_0: return dq_q8_0(static_cast<const BlockQ8_0*>(src), y, nb);
    case TensorType::Q2_K: return dq_q2_k(static_cast<const BlockQ2_K*>(src), y, nb);
    case TensorType::Q3_K: return dq_q3_k(static_cast<const BlockQ3_K*>(src), y, nb);
    case TensorType::Q4_K: return dq_q4_k(static_cast<const BlockQ4_K*>(src), y, nb);
    case TensorType::Q5_K: return dq_q5_k(static_cast<const BlockQ5_K*>(src), y, nb);
    case TensorType::Q6_K: return dq_q6_k(static_cast<const BlockQ6_K*>(src), y, nb);
    case TensorType::Q8_K: {
        const auto* b = static_cast<const BlockQ8_K*>(src);
        for (int64_t i = 0; i < nb; ++i)
            for (int j = 0; j < QK_K; ++j)
                *y++ = b[i].d * b[i].qs[j];
        return;
    }
    default:
        throw Error(ErrorCode::Unsupported,
                    std::string("cannot dequantize tensors of type ") + type_name(type));
    }
}

} // namespace seekbench
