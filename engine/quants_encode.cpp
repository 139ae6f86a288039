// Quantization for GGUF's block formats: each block's scales (and mins) by a small
// least-squares search, with importance weights or without. They aim at low error, not at
// reproducing llama.cpp's bytes. Decoding is in quants.cpp.
#include "quants.h"

#include "error.h"
#include "fp16.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace seekbench {
namespace {

inline float h2f(uint16_t h) { return fp16_to_f32(h); }
inline uint16_t f2h(float f) { return f32_to_fp16(f); }
inline int nearest(float x) { return static_cast<int>(std::lrintf(x)); }

void q_q8_0(const float* x, BlockQ8_0* b, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, x += QK) {
        float amax = 0;
        for (int j = 0; j < QK; ++j)
            amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127.0f, id = d > 0 ? 1.0f / d : 0.0f;
        b[i].d = f2h(d);
        for (int j = 0; j < QK; ++j)
            b[i].qs[j] = static_cast<int8_t>(std::clamp(nearest(x[j] * id), -127, 127));
    }
}

// 32 levels (0 .. 2^Bits - 1) into a legacy block: low nibbles of the first and second half
// share a byte; 5-bit blocks keep each level's fifth bit in qh.
template <int Bits, typename Block> void pack_levels(const int* L, Block& b)
{
    uint32_t qh = 0;
    for (int j = 0; j < QK / 2; ++j) {
        b.qs[j] = static_cast<uint8_t>((L[j] & 0xF) | (L[j + QK / 2] & 0xF) << 4);
        if constexpr (Bits == 5) {
            qh |= static_cast<uint32_t>((L[j] >> 4) & 1) << j;
            qh |= static_cast<uint32_t>((L[j + QK / 2] >> 4) & 1) << (j + 16);
        }
    }
    if constexpr (Bits == 5)
        std::memcpy(b.qh, &qh, 4);
}

// With importance weights w: x ~ d q, q in [-half, half - 1], the d among a few around the
// range-based one whose rounded levels give the least weighted squared error (each refit
// by weighted least squares). Without weights: the range-based d.
float symmetric_scale(const float* x, const float* w, int n, int half)
{
    float amax = 0, extreme = 0;
    for (int j = 0; j < n; ++j)
        if (std::fabs(x[j]) > amax) {
            amax = std::fabs(x[j]);
            extreme = x[j];
        }
    float best = extreme / -half;
    if (!w || amax == 0)
        return best;
    const auto error = [&](float d) {
        const float id = d != 0 ? 1.0f / d : 0.0f;
        float e = 0;
        for (int j = 0; j < n; ++j) {
            const float r = x[j] - d * static_cast<float>(std::clamp(nearest(x[j] * id), -half, half - 1));
            e += w[j] * r * r;
        }
        return e;
    };
    float best_err = error(best);
    for (int step = -9; step <= 9; ++step) {
        const float iscale = -(static_cast<float>(half) + 0.1f * static_cast<float>(step)) / extreme;
        float sum_wqx = 0, sum_wqq = 0;
        for (int j = 0; j < n; ++j) {
            const float q = static_cast<float>(std::clamp(nearest(x[j] * iscale), -half, half - 1));
            sum_wqx += w[j] * q * x[j];
            sum_wqq += w[j] * q * q;
        }
        if (sum_wqq <= 0)
            continue;
        const float d = sum_wqx / sum_wqq, e = error(d);
        if (e < best_err) {
            best_err = e;
            best = d;
        }
    }
    return best;
}

// Symmetric 4/5-bit: the value of largest magnitude maps to the most negative level, so the
// whole range is used; d keeps its sign. With weights, the scale is searched.
template <int Bits, typename Block> void q_symmetric(const float* x, Block* b, int64_t nb, const float* w = nullptr)
{
    constexpr int kHalf = 1 << (Bits - 1); // 8 or 16
    for (int64_t i = 0; i < nb; ++i, x += QK, w = w ? w + QK : nullptr) {
        const float d = symmetric_scale(x, w, QK, kHalf), id = d != 0 ? 1.0f / d : 0.0f;
        b[i].d = f2h(d);
        int L[QK];
        for (int j = 0; j < QK; ++j)
            L[j] = std::clamp(nearest(x[j] * id) + kHalf, 0, 2 * kHalf - 1);
        pack_levels<Bits>(L, b[i]);
    }
}

float fit_scale_min(const float* x, int n, int kMax, float& min_out, const float* w = nullptr);

// Asymmetric 4/5-bit over [min, max]: x = q d + m. With weights, (d, m) by weighted least
// squares.
template <int Bits, typename Block> void q_affine(const float* x, Block* b, int64_t nb, const float* w = nullptr)
{
    constexpr int kMax = (1 << Bits) - 1;
    for (int64_t i = 0; i < nb; ++i, x += QK, w = w ? w + QK : nullptr) {
        float lo = x[0], hi = x[0];
        for (int j = 1; j < QK; ++j) {
            lo = std::min(lo, x[j]);
            hi = std::max(hi, x[j]);
        }
        float d = (hi - lo) / kMax;
        if (w) {
            float min = 0;
            d = fit_scale_min(x, QK, kMax, min, w);
            lo = -min;
        }
        const float id = d != 0 ? 1.0f / d : 0.0f;
        b[i].d = f2h(d);
        b[i].m = f2h(lo);
        const float m = h2f(b[i].m);
        int L[QK];
        for (int j = 0; j < QK; ++j)
            L[j] = std::clamp(nearest((x[j] - m) * id), 0, kMax);
        pack_levels<Bits>(L, b[i]);
    }
}

// Best (scale, min) for x ~ q*scale - min with q in [0, kMax], min >= 0: tries a few
// scales around the range-based one, rounds, then solves the least squares for the
// rounded levels. Returns scale; `min_out` gets the (positive) offset.
float fit_scale_min(const float* x, int n, int kMax, float& min_out, const float* w)
{
    float lo = x[0], hi = x[0];
    for (int i = 1; i < n; ++i) {
        lo = std::min(lo, x[i]);
        hi = std::max(hi, x[i]);
    }
    lo = std::min(lo, 0.0f);
    if (hi <= lo) {
        min_out = -lo;
        return 0;
    }
    float best_scale = (hi - lo) / kMax, best_min = -lo, best_err = INFINITY;
    int q[QK_K];
    for (int step = -6; step <= 10; ++step) {
        const float iscale = (kMax + 0.1f * step) / (hi - lo);
        // Weight 1 each without importance weights: the same sums, bit for bit.
        float sum_w = 0, sum_q = 0, sum_qq = 0, sum_x = 0, sum_qx = 0;
        for (int i = 0; i < n; ++i) {
            const float wi = w ? w[i] : 1.0f;
            q[i] = std::clamp(nearest(iscale * (x[i] - lo)), 0, kMax);
            sum_w += wi;
            sum_q += wi * q[i];
            sum_qq += wi * float(q[i]) * q[i];
            sum_x += wi * x[i];
            sum_qx += wi * q[i] * x[i];
        }
        const float det = sum_w * sum_qq - sum_q * sum_q;
        if (det <= 0)
            continue;
        float scale = (sum_w * sum_qx - sum_q * sum_x) / det;
        float offset = (sum_qq * sum_x - sum_q * sum_qx) / det; // x ~ q*scale + offset
        if (offset > 0) { // min must stay >= 0: refit scale with offset 0
            offset = 0;
            scale = sum_qq > 0 ? sum_qx / sum_qq : 0;
        }
        float err = 0;
        for (int i = 0; i < n; ++i) {
            const float e = q[i] * scale + offset - x[i];
            err += (w ? w[i] : 1.0f) * e * e;
        }
        if (err < best_err && scale > 0) {
            best_err = err;
            best_scale = scale;
            best_min = -offset;
        }
    }
    min_out = best_min;
    return best_scale;
}

// Shared by Q4_K (4-bit) and Q5_K (5-bit): 8 sub-blocks of 32 with 6-bit scales and mins.
template <int Bits> void k_scales_mins(const float* x, uint16_t& d_out, uint16_t& dmin_out,
                                       uint8_t packed[12], uint8_t levels[QK_K], const float* w = nullptr)
{
    constexpr int kMax = (1 << Bits) - 1;
    float scales[8], mins[8];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 8; ++j) {
        scales[j] = fit_scale_min(x + 32 * j, 32, kMax, mins[j], w ? w + 32 * j : nullptr);
        max_scale = std::max(max_scale, scales[j]);
        max_min = std::max(max_min, mins[j]);
    }
    const float d = max_scale / 63, dmin = max_min / 63;
    d_out = f2h(d);
    dmin_out = f2h(dmin);
    const float dq = h2f(d_out), dminq = h2f(dmin_out);
    uint8_t ls[8], lm[8];
    for (int j = 0; j < 8; ++j) {
        ls[j] = static_cast<uint8_t>(std::clamp(dq > 0 ? nearest(scales[j] / dq) : 0, 0, 63));
        lm[j] = static_cast<uint8_t>(std::clamp(dminq > 0 ? nearest(mins[j] / dminq) : 0, 0, 63));
    }
    for (int j = 0; j < 4; ++j) {
        packed[j] = ls[j];
        packed[j + 4] = lm[j];
    }
    for (int j = 4; j < 8; ++j) {
        packed[j + 4] = static_cast<uint8_t>((ls[j] & 0xF) | (lm[j] & 0xF) << 4);
        packed[j - 4] |= static_cast<uint8_t>((ls[j] >> 4) << 6);
        packed[j] |= static_cast<uint8_t>((lm[j] >> 4) << 6);
    }
    for (int j = 0; j < 8; ++j) {
        const float sd = dq * ls[j], sm = dminq * lm[j];
        for (int i = 0; i < 32; ++i)
            levels[32 * j + i] = static_cast<uint8_t>(
                std::clamp(sd > 0 ? nearest((x[32 * j + i] + sm) / sd) : 0, 0, kMax));
    }
}

void q_q4_k(const float* x, BlockQ4_K* b, int64_t nb, const float* w = nullptr)
{
    uint8_t L[QK_K];
    for (int64_t i = 0; i < nb; ++i, x += QK_K, w = w ? w + QK_K : nullptr) {
        std::memset(b[i].scales, 0, 12);
        k_scales_mins<4>(x, b[i].d, b[i].dmin, b[i].scales, L, w);
        for (int j = 0; j < QK_K; j += 64)
            for (int l = 0; l < 32; ++l)
                b[i].qs[j / 2 + l] = static_cast<uint8_t>(L[j + l] | L[j + l + 32] << 4);
    }
}

void q_q5_k(const float* x, BlockQ5_K* b, int64_t nb, const float* w = nullptr)
{
    uint8_t L[QK_K];
    for (int64_t i = 0; i < nb; ++i, x += QK_K, w = w ? w + QK_K : nullptr) {
        std::memset(b[i].scales, 0, 12);
        std::memset(b[i].qh, 0, sizeof b[i].qh);
        k_scales_mins<5>(x, b[i].d, b[i].dmin, b[i].scales, L, w);
        uint8_t m1 = 1, m2 = 2;
        for (int j = 0; j < QK_K; j += 64) {
            for (int l = 0; l < 32; ++l) {
                int lo = L[j + l], hi = L[j + l + 32];
                if (lo > 15) {
                    lo -= 16;
                    b[i].qh[l] |= m1;
                }
                if (hi > 15) {
                    hi -= 16;
                    b[i].qh[l] |= m2;
                }
                b[i].qs[j / 2 + l] = static_cast<uint8_t>(lo | hi << 4);
            }
            m1 = static_cast<uint8_t>(m1 << 2);
            m2 = static_cast<uint8_t>(m2 << 2);
        }
    }
}

void q_q6_k(const float* x, BlockQ6_K* b, int64_t nb, const float* w = nullptr)
{
    for (int64_t i = 0; i < nb; ++i, x += QK_K, w = w ? w + QK_K : nullptr) {
        float scales[16], max_abs_scale = 0, max_scale = 0;
        for (int j = 0; j < 16; ++j) {
            // The extreme value maps to level -32 (with weights: the best scale near it).
            scales[j] = symmetric_scale(x + 16 * j, w ? w + 16 * j : nullptr, 16, 32);
            if (std::fabs(scales[j]) > max_abs_scale) {
                max_abs_scale = std::fabs(scales[j]);
                max_scale = scales[j];
            }
        }
        const float d = max_scale / -128.0f;
        b[i].d = f2h(d);
        const float dq = h2f(b[i].d);
        uint8_t L[QK_K];
        for (int j = 0; j < 16; ++j) {
            const int ls = dq != 0 ? std::clamp(nearest(scales[j] / dq), -128, 127) : 0;
            b[i].scales[j] = static_cast<int8_t>(ls);
            const float sd = dq * ls;
            for (int l = 0; l < 16; ++l)
                L[16 * j + l] = static_cast<uint8_t>(
                    std::clamp(sd != 0 ? nearest(x[16 * j + l] / sd) : 0, -32, 31) + 32);
        }
        uint8_t* ql = b[i].ql;
        uint8_t* qh = b[i].qh;
        for (int j = 0; j < QK_K; j += 128, ql += 64, qh += 32) {
            for (int l = 0; l < 32; ++l) {
                const uint8_t q1 = L[j + l], q2 = L[j + l + 32], q3 = L[j + l + 64], q4 = L[j + l + 96];
                ql[l] = static_cast<uint8_t>((q1 & 0xF) | (q3 & 0xF) << 4);
                ql[l + 32] = static_cast<uint8_t>((q2 & 0xF) | (q4 & 0xF) << 4);
                qh[l] = static_cast<uint8_t>((q1 >> 4) | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6);
            }
        }
    }
}

void q_q8_k(const float* x, BlockQ8_K* b, int64_t nb)
{
    for (int64_t i = 0; i < nb; ++i, x += QK_K) {
        float amax = 0;
        for (int j = 0; j < QK_K; ++j)
            amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127.0f, id = d > 0 ? 1.0f / d : 0.0f;
        b[i].d = d;
        for (int j = 0; j < QK_K; ++j)
            b[i].qs[j] = static_cast<int8_t>(std::clamp(nearest(x[j] * id), -127, 127));
        for (int j = 0; j < QK_K / 16; ++j) {
            int sum = 0;
            for (int l = 0; l < 16; ++l)
                sum += b[i].qs[16 * j + l];
            b[i].bsums[j] = static_cast<int16_t>(sum);
        }
    }
}

} // namespace

void quantize_row_weighted(TensorType type, const float* x, const float* importance, void* dst, int64_t n)
{
    if (!importance)
        return quantize_row(type, x, dst, n);
    check_blocks(type, n);
    double sum_x2 = 0;
    for (int64_t i = 0; i < n; ++i)
        sum_x2 += double(x[i]) * x[i];
    const float sigma2 = static_cast<float>(sum_x2 / double(n));
    std::vector<float> w(static_cast<std::size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        w[static_cast<std::size_t>(i)] = importance[i] * std::sqrt(sigma2 + x[i] * x[i]);
    const int64_t nb = n / traits(type).block_size;
    switch (type) {
    case TensorType::Q4_0: return q_symmetric<4>(x, static_cast<BlockQ4_0*>(dst), nb, w.data());
    case TensorType::Q5_0: return q_symmetric<5>(x, static_cast<BlockQ5_0*>(dst), nb, w.data());
    case TensorType::Q4_1: return q_affine<4>(x, static_cast<BlockQ4_1*>(dst), nb, w.data());
    case TensorType::Q5_1: return q_affine<5>(x, static_cast<BlockQ5_1*>(dst), nb, w.data());
    case TensorType::Q4_K: return q_q4_k(x, static_cast<BlockQ4_K*>(dst), nb, w.data());
    case TensorType::Q5_K: return q_q5_k(x, static_cast<BlockQ5_K*>(dst), nb, w.data());
    case TensorType::Q6_K: return q_q6_k(x, static_cast<BlockQ6_K*>(dst), nb, w.data());
    default: return quantize_row(type, x, dst, n); // Q8_0 and the float types: no fit to weigh
    }
}

bool can_quantize(TensorType type)
{
    switch (type) {
    case TensorType::F32: case TensorType::F16: case TensorType::BF16: case TensorType::Q4_0:
    case TensorType::Q4_1: case TensorType::Q5_0: case TensorType::Q5_1: case TensorType::Q8_0:
    case TensorType::Q4_K: case TensorType::Q5_K: case TensorType::Q6_K: case TensorType::Q8_K:
        return true;
    default:
        return false;
    }
}

void quantize_row(TensorType type, const float* x, void* dst, int64_t n)
{
    check_blocks(type, n);
    const int64_t nb = n / traits(type).block_size;
    switch (type) {
    case TensorType::F32: std::memcpy(dst, x, static_cast<size_t>(n) * 4); return;
    case TensorType::F16: {
        auto* h = static_cast<uint16_t*>(dst);
        for (int64_t i = 0; i < n; ++i)
            h[i] = f32_to_fp16(x[i]);
        return;
    }
    case TensorType::BF16: {
        auto* h = static_cast<uint16_t*>(dst);
        for (int64_t i = 0; i < n; ++i)
            h[i] = f32_to_bf16(x[i]);
        return;
    }
    case TensorType::Q4_0: return q_symmetric<4>(x, static_cast<BlockQ4_0*>(dst), nb);
    case TensorType::Q5_0: return q_symmetric<5>(x, static_cast<BlockQ5_0*>(dst), nb);
    case TensorType::Q4_1: return q_affine<4>(x, static_cast<BlockQ4_1*>(dst), nb);
    case TensorType::Q5_1: return q_affine<5>(x, static_cast<BlockQ5_1*>(dst), nb);
    case TensorType::Q8_0: return q_q8_0(x, static_cast<BlockQ8_0*>(dst), nb);
    case TensorType::Q4_K: return q_q4_k(x, static_cast<BlockQ4_K*>(dst), nb);
    case TensorType::Q5_K: return q_q5_k(x, static_cast<BlockQ5_K*>(dst), nb);
    case TensorType::Q6_K: return q_q6_k(x, static_cast<BlockQ6_K*>(dst), nb);
    case TensorType::Q8_K: return q_q8_k(x, static_cast<BlockQ8_K*>(dst), nb);
    default:
        throw Error(ErrorCode::Unsupported,
                    std::string("cannot quantize to type ") + type_name(type));
    }
}

} // namespace seekbench
