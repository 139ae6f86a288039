// IEEE half and bfloat16 conversions, bit-exact and portable (no F16C needed). The SIMD
// kernels use the hardware instructions; these are for scalar code, loading and tests.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace seekbench {

inline float fp16_to_f32(uint16_t h)
{
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t man = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { // subnormal: normalize
            int e = -1;
            do {
                ++e;
                man <<= 1;
            } while ((man & 0x400) == 0);
            bits = sign | static_cast<uint32_t>(127 - 15 - e) << 23 | (man & 0x3ff) << 13;
        }
    } else if (exp == 0x1f) {
        bits = sign | 0x7f800000u | man << 13;
    } else {
        bits = sign | (exp + 127 - 15) << 23 | man << 13;
    }
    return std::bit_cast<float>(bits);
}

// Round to nearest even, as F16C's vcvtps2ph with rounding mode 0 does.
inline uint16_t f32_to_fp16(float f)
{
    const uint32_t x = std::bit_cast<uint32_t>(f);
    const uint32_t sign = (x >> 16) & 0x8000;
    const uint32_t absx = x & 0x7fffffff;
    if (absx >= 0x7f800000) // inf or nan
        return static_cast<uint16_t>(sign | 0x7c00 | (absx > 0x7f800000 ? 0x200 : 0));
    if (absx >= 0x477ff000) // rounds to >= 65520: overflow to inf
        return static_cast<uint16_t>(sign | 0x7c00);
    if (absx < 0x38800000) { // below the smallest normal half: subnormal or zero
        const float scaled = std::bit_cast<float>(absx) * 16777216.0f; // * 2^24
        // nearbyint in round-to-nearest-even mode
        const uint32_t m = static_cast<uint32_t>(scaled);
        const float frac = scaled - static_cast<float>(m);
        uint32_t r = m + (frac > 0.5f || (frac == 0.5f && (m & 1)) ? 1 : 0);
        return static_cast<uint16_t>(sign | r);
    }
    const uint32_t exp = ((absx >> 23) - 127 + 15) << 10;
    const uint32_t man = (absx >> 13) & 0x3ff;
    const uint32_t rest = absx & 0x1fff;
    uint32_t h = exp | man;
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
        ++h; // may carry into the exponent, which is right
    return static_cast<uint16_t>(sign | h);
}

inline float bf16_to_f32(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

inline uint16_t f32_to_bf16(float f)
{
    uint32_t x = std::bit_cast<uint32_t>(f);
    if ((x & 0x7fffffff) > 0x7f800000) // nan: keep it a quiet nan
        return static_cast<uint16_t>((x >> 16) | 0x40);
    x += 0x7fff + ((x >> 16) & 1); // round to nearest even
    return static_cast<uint16_t>(x >> 16);
}

} // namespace seekbench
