// e^x in steps that every kernel tier takes alike, so SwiGLU and attention's softmax give
// the same bits on each:
// n = round(x log2 e), r = x - n ln2 (ln2 in two parts, fused multiply-adds), e^r by its
// Taylor series to r^7 (within 0.05 ulp on |r| <= ln2/2), times 2^n. x is held to
// [-87, 88], where 2^n stays a normal float; the result is within about 1 ulp of e^x there.
// The SIMD tiers (kernels_x86.inc) vectorize these steps one for one; the scalar form is the
// generic tier's and the reference.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace seekbench::cpu::exp_steps {

constexpr float kMin = -87.0f, kMax = 88.0f;
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;     // 355/512: n * kLn2Hi is exact for |n| <= 128
constexpr float kLn2Lo = -2.12194440e-4f;  // ln 2 - kLn2Hi
// 1/k! for k = 7 down to 0, Horner's order.
constexpr float kTaylor[8] = {1.0f / 5040, 1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f, 1.0f, 1.0f};

inline float exp(float x)
{
    x = std::fmin(std::fmax(x, kMin), kMax); // NaN becomes kMin, as the SIMD max does
    const float n = std::nearbyint(x * kLog2e);
    float r = std::fma(-n, kLn2Hi, x);
    r = std::fma(-n, kLn2Lo, r);
    float p = kTaylor[0];
    for (int i = 1; i < 8; ++i)
        p = std::fma(p, r, kTaylor[i]);
    const float scale = std::bit_cast<float>(static_cast<uint32_t>(static_cast<int32_t>(n) + 127) << 23);
    return p * scale;
}

// g = silu(g) * u = g / (1 + e^-g) * u, the generic tier's SwiGLU.
inline void silu_mul(float* g, const float* u, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        g[i] = g[i] / (1.0f + exp(-g[i])) * u[i];
}

// Softmax over n finite scores, in place: the max, then e^(x - max) in exp()'s steps summed
// in 16 interleaved parts (value i into part i % 16) that are then added in halves (part j
// and j + 8, then j + 4, j + 2, j + 1), then a multiply by 1/sum: the order a 16-lane vector
// takes, so the SIMD tiers give these bits.
inline void softmax(float* x, int64_t n)
{
    float mx = x[0];
    for (int64_t i = 1; i < n; ++i)
        mx = x[i] > mx ? x[i] : mx;
    float part[16] = {};
    for (int64_t i = 0; i < n; ++i) {
        x[i] = exp(x[i] - mx);
        part[i % 16] += x[i];
    }
    for (int w = 8; w >= 1; w /= 2)
        for (int j = 0; j < w; ++j)
            part[j] += part[j + w];
    const float inv = 1.0f / part[0];
    for (int64_t i = 0; i < n; ++i)
        x[i] *= inv;
}

} // namespace seekbench::cpu::exp_steps
