// GGUF's quantized block layouts (GGML's, byte for byte) and the scalar conversions to and
// from float. These are the readable definitions; the SIMD kernels in cpu/ must agree
// with them and are tested against them.
#pragma once

#include "tensor_type.h"

#include <cstdint>

namespace seekbench {

constexpr int QK = 32;    // elements per block of the legacy formats
constexpr int QK_K = 256; // elements per super-block of the k-quants

struct BlockQ4_0 { uint16_t d; uint8_t qs[QK / 2]; };                    // x = (q - 8) d
struct BlockQ4_1 { uint16_t d, m; uint8_t qs[QK / 2]; };                 // x = q d + m
struct BlockQ5_0 { uint16_t d; uint8_t qh[4]; uint8_t qs[QK / 2]; };     // x = (q - 16) d
struct BlockQ5_1 { uint16_t d, m; uint8_t qh[4]; uint8_t qs[QK / 2]; };  // x = q d + m
struct BlockQ8_0 { uint16_t d; int8_t qs[QK]; };                         // x = q d
// k-quants: 256 values in sub-blocks with their own quantized scales (and mins).
struct BlockQ2_K { uint8_t scales[QK_K / 16]; uint8_t qs[QK_K / 4]; uint16_t d, dmin; };
struct BlockQ3_K { uint8_t hmask[QK_K / 8]; uint8_t qs[QK_K / 4]; uint8_t scales[12]; uint16_t d; };
struct BlockQ4_K { uint16_t d, dmin; uint8_t scales[12]; uint8_t qs[QK_K / 2]; };
struct BlockQ5_K { uint16_t d, dmin; uint8_t scales[12]; uint8_t qh[QK_K / 8]; uint8_t qs[QK_K / 2]; };
struct BlockQ6_K { uint8_t ql[QK_K / 2]; uint8_t qh[QK_K / 4]; int8_t scales[QK_K / 16]; uint16_t d; };
// Activations for k-quant dot products: int8 values, one float scale, sums of 16.
struct BlockQ8_K { float d; int8_t qs[QK_K]; int16_t bsums[QK_K / 16]; };

static_assert(sizeof(BlockQ4_0) == 18 && sizeof(BlockQ4_1) == 20 && sizeof(BlockQ5_0) == 22 &&
              sizeof(BlockQ5_1) == 24 && sizeof(BlockQ8_0) == 34 && sizeof(BlockQ2_K) == 84 &&
              sizeof(BlockQ3_K) == 110 && sizeof(BlockQ4_K) == 144 && sizeof(BlockQ5_K) == 176 &&
              sizeof(BlockQ6_K) == 210 && sizeof(BlockQ8_K) == 292);

// Unpacks the 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K block.
inline void k4_scale_min(int j, const uint8_t* q, uint8_t& scale, uint8_t& min)
{
    if (j < 4) {
        scale = q[j] & 63;
        min = q[j + 4] & 63;
    } else {
        scale = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        min = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

// Q3_K's 16 signed 6-bit sub-block scales (-32..31), unpacked from its 12 bytes.
void q3k_scales(const uint8_t packed[12], int8_t out[16]);

// Throws Error (InvalidArgument) when n is not a multiple of the type's block size.
void check_blocks(TensorType type, int64_t n);

// Dequantizes n values (a multiple of the type's block size). Every readable type.
void dequantize_row(TensorType type, const void* src, float* dst, int64_t n);

// Quantizes n values (a multiple of the block size). F32, F16, BF16, Q4_0, Q4_1, Q5_0,
// Q5_1, Q8_0, Q4_K, Q5_K, Q6_K and Q8_K; throws Unsupported for the rest.
void quantize_row(TensorType type, const float* src, void* dst, int64_t n);
bool can_quantize(TensorType type);
// The same with per-column importance (an importance matrix's row: the mean squared activation
// each column met; n values; nullptr: quantize_row). Each value weighs importance *
// sqrt(mean(x^2) + x^2) in the fit of its block's scale, so error goes where activations are
// small. Q8_0 and the float types have no fit to weigh and ignore it.
void quantize_row_weighted(TensorType type, const float* x, const float* importance, void* dst, int64_t n);

} // namespace seekbench
