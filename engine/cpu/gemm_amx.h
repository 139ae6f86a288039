// Prompt-processing GEMM on Intel AMX tiles: weight rows are dequantized in panels of
// kAmxPanelRows to bf16 in the tiles' pair-interleaved layout, then multiplied with the
// bf16 activations of every token of the batch. Compiled only where the compiler knows
// AMX; elsewhere amx_available() is false and these are never called.
#pragma once

#include "engine/tensor_type.h"

#include <cstddef>
#include <cstdint>

namespace seekbench::cpu {

constexpr int kAmxPanelRows = 32;

bool amx_supports(TensorType type, int64_t k);

// Dequantizes `rows` (<= kAmxPanelRows) weight rows of k values into `panel`
// (kAmxPanelRows * k bf16, tile layout); missing rows are zero. `scratch` holds k floats.
void amx_pack_panel(TensorType type, const uint8_t* rows_data, std::size_t row_bytes, int rows,
                    int64_t k, uint16_t* panel, float* scratch);

// y[m * ldy + n] (=|+=) sum_k a[m][k] * W[n][k] for m < M, n < rows. `a` holds m_pad rows
// (a multiple of 32, zero past M) of k bf16 values. `tile` is 32 x 32 floats of scratch.
void amx_gemm_panel(const uint16_t* a, int M, int m_pad, int64_t k, const uint16_t* panel,
                    int rows, float* y, int64_t ldy, bool add, float* tile);

} // namespace seekbench::cpu
