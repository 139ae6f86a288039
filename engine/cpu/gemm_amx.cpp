// AMX-BF16 tiles: 4 accumulators (32 tokens x 32 weight rows), 2 activation tiles and 2
// weight tiles per step of 32 along k. Built with -mamx-tile -mamx-bf16 (see CMake).
#include "gemm_amx.h"

#include "matmul.h"

#include "engine/device.h"
#include "engine/fp16.h"
#include "engine/quants.h"

#include <cstring>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace seekbench::cpu {
namespace {

struct TileConfig {
    uint8_t palette_id;
    uint8_t start_row;
    uint8_t reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
};

bool request_amx_permission()
{
#if defined(__linux__)
    constexpr long kArchReqXcompPerm = 0x1023;
    constexpr long kXfeatureXtiledata = 18;
    return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
#else
    return false;
#endif
}

void configure_tiles()
{
    TileConfig cfg{};
    cfg.palette_id = 1;
    for (int t = 0; t < 8; ++t) {
        cfg.colsb[t] = 64;
        cfg.rows[t] = 16;
    }
    _tile_loadconfig(&cfg);
}

// One row of f32 values into the panel: row r of the panel, tile t = r / 16, column r % 16;
// within each 32-wide k chunk, value k sits at pair row (k % 32) / 2, slot k % 2.
void store_row_bf16(const float* x, int64_t k, int r, uint16_t* panel)
{
    const int t = r / 16, n = r % 16;
    for (int64_t kc = 0; kc < k / 32; ++kc) {
        uint16_t* tile = panel + (kc * 2 + t) * 16 * 32;
        const float* src = x + kc * 32;
        for (int p = 0; p < 16; ++p) {
            tile[p * 32 + n * 2] = f32_to_bf16(src[2 * p]);
            tile[p * 32 + n * 2 + 1] = f32_to_bf16(src[2 * p + 1]);
        }
    }
}

} // namespace

bool amx_available()
{
    static const bool ok = [] {
        const CpuInfo cpu = probe_cpu();
        return cpu.amx_bf16 && cpu.amx_tile && request_amx_permission();
    }();
    return ok;
}

bool amx_supports(TensorType type, int64_t k)
{
    if (k % 32 != 0)
        return false;
    switch (type) {
    case TensorType::F16: case TensorType::BF16: case TensorType::Q4_0: case TensorType::Q4_1:
    case TensorType::Q5_0: case TensorType::Q5_1: case TensorType::Q8_0: case TensorType::Q2_K:
    case TensorType::Q3_K: case TensorType::Q4_K: case TensorType::Q5_K: case TensorType::Q6_K:
        return true;
    default:
        return false; // F32 keeps full precision on the dot path
    }
}

void amx_pack_panel(TensorType type, const uint8_t* rows_data, std::size_t row_bytes, int rows,
                    int64_t k, uint16_t* panel, float* scratch)
{
    if (rows < kAmxPanelRows)
        std::memset(panel, 0, static_cast<std::size_t>(kAmxPanelRows * k) * sizeof(uint16_t));
    for (int r = 0; r < rows; ++r) {
        dequantize_row(type, rows_data + static_cast<std::size_t>(r) * row_bytes, scratch, k);
        store_row_bf16(scratch, k, r, panel);
    }
}

void amx_gemm_panel(const uint16_t* a, int M, int m_pad, int64_t k, const uint16_t* panel,
                    int rows, float* y, int64_t ldy, bool add, float* tile)
{
    (void)m_pad;
    configure_tiles();
    const int64_t lda = k * 2; // bytes
    for (int m0 = 0; m0 < M; m0 += 32) {
        _tile_zero(0);
        _tile_zero(1);
        _tile_zero(2);
        _tile_zero(3);
        const uint16_t* a0 = a + static_cast<int64_t>(m0) * k;
        const uint16_t* a1 = a0 + 16 * k;
        for (int64_t kc = 0; kc < k / 32; ++kc) {
            _tile_loadd(4, a0 + kc * 32, lda);
            _tile_loadd(5, a1 + kc * 32, lda);
            _tile_loadd(6, panel + (kc * 2) * 512, 64);
            _tile_loadd(7, panel + (kc * 2 + 1) * 512, 64);
            _tile_dpbf16ps(0, 4, 6);
            _tile_dpbf16ps(1, 4, 7);
            _tile_dpbf16ps(2, 5, 6);
            _tile_dpbf16ps(3, 5, 7);
        }
        _tile_stored(0, tile, 128);
        _tile_stored(1, tile + 16, 128);
        _tile_stored(2, tile + 16 * 32, 128);
        _tile_stored(3, tile + 16 * 32 + 16, 128);
        const int m_end = M - m0 < 32 ? M - m0 : 32;
        for (int m = 0; m < m_end; ++m) {
            float* out = y + static_cast<int64_t>(m0 + m) * ldy;
            const float* src = tile + m * 32;
            if (add)
                for (int n = 0; n < rows; ++n)
                    out[n] += src[n];
            else
                std::memcpy(out, src, static_cast<std::size_t>(rows) * sizeof(float));
        }
    }
    _tile_release();
}

} // namespace seekbench::cpu
