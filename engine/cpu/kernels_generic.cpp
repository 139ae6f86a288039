// Portable kernels: plain C++ the compiler may vectorize. They define what the SIMD
// versions must compute, and run on CPUs without AVX2. Also the dispatch that picks a table.
#include "kernels.h"
#include "exp_steps.h"

#include "engine/device.h"
#include "engine/fp16.h"
#include "engine/quants.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace seekbench::cpu {

namespace {

ActFormat act_format(TensorType w)
{
    switch (w) {
    case TensorType::Q4_0: case TensorType::Q4_1: case TensorType::Q5_0: case TensorType::Q5_1:
    case TensorType::Q8_0: return ActFormat::Q8A;
    case TensorType::Q4_K: case TensorType::Q5_K: case TensorType::Q6_K: return ActFormat::Q8K;
    default: return ActFormat::F32;
    }
}

} // namespace

std::size_t act_row_bytes(ActFormat format, int64_t k)
{
    switch (format) {
    case ActFormat::Q8A: return static_cast<std::size_t>(k / 32) * sizeof(BlockQ8A);
    case ActFormat::Q8K: return static_cast<std::size_t>(k / QK_K) * sizeof(BlockQ8_K);
    case ActFormat::Q8K4: return static_cast<std::size_t>(k / QK_K) * sizeof(BlockQ8K4);
    case ActFormat::F32: break;
    }
    return static_cast<std::size_t>(k) * sizeof(float);
}

namespace {

void quantize_q8a(const float* x, BlockQ8A* b, int64_t k)
{
    for (int64_t i = 0; i < k / 32; ++i, x += 32) {
        float amax = 0;
        for (int j = 0; j < 32; ++j)
            amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127.0f, id = d > 0 ? 1.0f / d : 0.0f;
        b[i].d = d;
        int sum = 0;
        for (int j = 0; j < 32; ++j) {
            const int q = static_cast<int>(std::nearbyint(x[j] * id));
            b[i].qs[j] = static_cast<int8_t>(q);
            sum += q;
        }
        b[i].sum = sum;
    }
}

// Q8_K, then the values of each 128 reordered as [0-31, 64-95, 32-63, 96-127].
void quantize_q8k4(const float* x, BlockQ8K4* out, int64_t k)
{
    BlockQ8_K b;
    for (int64_t i = 0; i < k / QK_K; ++i) {
        quantize_row(TensorType::Q8_K, x + i * QK_K, &b, QK_K);
        out[i].d = b.d;
        for (int j = 0; j < 8; ++j)
            out[i].sums32[j] = static_cast<int16_t>(b.bsums[2 * j] + b.bsums[2 * j + 1]);
        for (int h = 0; h < 2; ++h) {
            int8_t* o = out[i].qs + 128 * h;
            const int8_t* q = b.qs + 128 * h;
            std::memcpy(o, q, 32);
            std::memcpy(o + 32, q + 64, 32);
            std::memcpy(o + 64, q + 32, 32);
            std::memcpy(o + 96, q + 96, 32);
        }
    }
}

void quantize_act(ActFormat format, const float* x, void* out, int64_t k)
{
    switch (format) {
    case ActFormat::F32: std::memcpy(out, x, static_cast<std::size_t>(k) * 4); return;
    case ActFormat::Q8A: quantize_q8a(x, static_cast<BlockQ8A*>(out), k); return;
    case ActFormat::Q8K: quantize_row(TensorType::Q8_K, x, out, k); return;
    case ActFormat::Q8K4: quantize_q8k4(x, static_cast<BlockQ8K4*>(out), k); return;
    }
}

float dot_f32(int64_t k, const float* a, const float* b)
{
    float s = 0;
    for (int64_t i = 0; i < k; ++i)
        s += a[i] * b[i];
    return s;
}

float dot_f32_row(int64_t k, const void* w, const void* a)
{
    return dot_f32(k, static_cast<const float*>(w), static_cast<const float*>(a));
}

float dot_f16_f32(int64_t k, const uint16_t* w, const float* a)
{
    float s = 0;
    for (int64_t i = 0; i < k; ++i)
        s += fp16_to_f32(w[i]) * a[i];
    return s;
}

float dot_f16_row(int64_t k, const void* w, const void* a)
{
    return dot_f16_f32(k, static_cast<const uint16_t*>(w), static_cast<const float*>(a));
}

float dot_bf16_row(int64_t k, const void* w, const void* a)
{
    const auto* h = static_cast<const uint16_t*>(w);
    const auto* x = static_cast<const float*>(a);
    float s = 0;
    for (int64_t i = 0; i < k; ++i)
        s += bf16_to_f32(h[i]) * x[i];
    return s;
}

float dot_q8_0(int64_t k, const void* w, const void* a)
{
    const auto* wb = static_cast<const BlockQ8_0*>(w);
    const auto* ab = static_cast<const BlockQ8A*>(a);
    float s = 0;
    for (int64_t i = 0; i < k / 32; ++i) {
        int sum = 0;
        for (int j = 0; j < 32; ++j)
            sum += wb[i].qs[j] * ab[i].qs[j];
        s += fp16_to_f32(wb[i].d) * ab[i].d * static_cast<float>(sum);
    }
    return s;
}

// The nibble formats (Q4_0, Q4_1, Q5_0, Q5_1): a block's unsigned levels (low nibbles for
// values 0-15, high for 16-31; Q5's fifth bits in qh, bit j for value j) against the
// activation block's values, an exact integer.
template <typename B>
int levels_dot(const B& w, const BlockQ8A& a)
{
    int sum = 0;
    for (int j = 0; j < 32; ++j) {
        int level = j < 16 ? w.qs[j] & 0xF : w.qs[j - 16] >> 4;
        if constexpr (requires { w.qh; }) {
            uint32_t h;
            std::memcpy(&h, w.qh, 4);
            level |= static_cast<int>((h >> j) & 1) << 4;
        }
        sum += level * a.qs[j];
    }
    return sum;
}

// Q4_1 and Q5_1 (values q d + m): a block is d x (its levels . the activations) plus m x
// (the activations' sum), both exact integers, then the float steps
// fma(sum of x, m ad, sum * (d ad)): the x86 kernels take the same ones.
inline float min_block_value(int sum, float scale, int sum_x, float min_scale)
{
    return std::fma(static_cast<float>(sum_x), min_scale, static_cast<float>(sum) * scale);
}

// Q4_0 and Q5_0 store values (q - Offset) d, so Offset x the activations' sum comes off.
template <typename B, int Offset>
float dot_nibbles(int64_t k, const void* w, const void* a)
{
    const auto* wb = static_cast<const B*>(w);
    const auto* ab = static_cast<const BlockQ8A*>(a);
    float s = 0;
    for (int64_t i = 0; i < k / 32; ++i) {
        const int sum = levels_dot(wb[i], ab[i]);
        if constexpr (requires { wb[i].m; })
            s += min_block_value(sum, fp16_to_f32(wb[i].d) * ab[i].d, ab[i].sum, fp16_to_f32(wb[i].m) * ab[i].d);
        else
            s += fp16_to_f32(wb[i].d) * ab[i].d * static_cast<float>(sum - Offset * ab[i].sum);
    }
    return s;
}

// A K-quant block with mins in the x86 kernels' float steps (their block_value_min): the
// exact integer sum times (weight scale x activation scale), less the mins' part in one fused
// step, so every tier gives a row the same bits.
inline float k_block_value(int sumi, float scale, int summ, float scale_min)
{
    return std::fma(-static_cast<float>(summ), scale_min, static_cast<float>(sumi) * scale);
}

float dot_q4_k(int64_t k, const void* w, const void* a)
{
    const auto* wb = static_cast<const BlockQ4_K*>(w);
    const auto* ab = static_cast<const BlockQ8_K*>(a);
    float s = 0;
    for (int64_t i = 0; i < k / QK_K; ++i) {
        int sumi = 0, summ = 0;
        const uint8_t* q = wb[i].qs;
        const int8_t* x = ab[i].qs;
        for (int j = 0; j < 8; j += 2, q += 32, x += 64) {
            uint8_t sc0, m0, sc1, m1;
            k4_scale_min(j, wb[i].scales, sc0, m0);
            k4_scale_min(j + 1, wb[i].scales, sc1, m1);
            int s0 = 0, s1 = 0;
            for (int l = 0; l < 32; ++l) {
                s0 += (q[l] & 0xF) * x[l];
                s1 += (q[l] >> 4) * x[l + 32];
            }
            sumi += sc0 * s0 + sc1 * s1;
            summ += m0 * (ab[i].bsums[2 * j] + ab[i].bsums[2 * j + 1]) +
                    m1 * (ab[i].bsums[2 * j + 2] + ab[i].bsums[2 * j + 3]);
        }
        s += k_block_value(sumi, fp16_to_f32(wb[i].d) * ab[i].d, summ, fp16_to_f32(wb[i].dmin) * ab[i].d);
    }
    return s;
}

float dot_q5_k(int64_t k, const void* w, const void* a)
{
    const auto* wb = static_cast<const BlockQ5_K*>(w);
    const auto* ab = static_cast<const BlockQ8_K*>(a);
    float s = 0;
    for (int64_t i = 0; i < k / QK_K; ++i) {
        int sumi = 0, summ = 0;
        const uint8_t* q = wb[i].qs;
        const uint8_t* qh = wb[i].qh;
        const int8_t* x = ab[i].qs;
        for (int j = 0; j < 8; j += 2, q += 32, x += 64) {
            uint8_t sc0, m0, sc1, m1;
            k4_scale_min(j, wb[i].scales, sc0, m0);
            k4_scale_min(j + 1, wb[i].scales, sc1, m1);
            int s0 = 0, s1 = 0;
            for (int l = 0; l < 32; ++l) {
                s0 += ((q[l] & 0xF) | ((qh[l] >> j) & 1) << 4) * x[l];
                s1 += ((q[l] >> 4) | ((qh[l] >> (j + 1)) & 1) << 4) * x[l + 32];
            }
            sumi += sc0 * s0 + sc1 * s1;
            summ += m0 * (ab[i].bsums[2 * j] + ab[i].bsums[2 * j + 1]) +
                    m1 * (ab[i].bsums[2 * j + 2] + ab[i].bsums[2 * j + 3]);
        }
        s += k_block_value(sumi, fp16_to_f32(wb[i].d) * ab[i].d, summ, fp16_to_f32(wb[i].dmin) * ab[i].d);
    }
    return s;
}

float dot_q6_k(int64_t k, const void* w, const void* a)
{
    const auto* wb = static_cast<const BlockQ6_K*>(w);
    const auto* ab = static_cast<const BlockQ8_K*>(a);
    float s = 0;
    for (int64_t i = 0; i < k / QK_K; ++i) {
        int sumi = 0;
        for (int h = 0; h < 2; ++h) {
            const uint8_t* ql = wb[i].ql + 64 * h;
            const uint8_t* qh = wb[i].qh + 32 * h;
            const int8_t* sc = wb[i].scales + 8 * h;
            const int8_t* x = ab[i].qs + 128 * h;
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0xF) | ((qh[l] >> 0) & 3) << 4) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | ((qh[l] >> 2) & 3) << 4) - 32;
                const int q3 = ((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32;
                const int q4 = ((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32;
                sumi += sc[is] * q1 * x[l] + sc[is + 2] * q2 * x[l + 32] +
                        sc[is + 4] * q3 * x[l + 64] + sc[is + 6] * q4 * x[l + 96];
            }
        }
        s += ab[i].d * fp16_to_f32(wb[i].d) * static_cast<float>(sumi);
    }
    return s;
}

void axpy_f32(int64_t n, float a, const float* x, float* y)
{
    for (int64_t i = 0; i < n; ++i)
        y[i] += a * x[i];
}

void axpy_f16(int64_t n, float a, const uint16_t* x, float* y)
{
    for (int64_t i = 0; i < n; ++i)
        y[i] += a * fp16_to_f32(x[i]);
}

// Attention's F16 keys and values in the x86 tiers' order, so every tier gives the same
// bits: a key's dot as 16 running sums over 16-value chunks, added as the vector kernels'
// tree (lane l + lane l+8, then l + l+4, then 0,1 + 2,3, then 0 + 1), then the tail a value
// at a time; each output value of the weighted sum one chain of fused steps over the keys.
float dot_key(int64_t k, const uint16_t* key, const float* q)
{
    float lane[16] = {};
    int64_t i = 0;
    for (; i + 16 <= k; i += 16)
        for (int l = 0; l < 16; ++l)
            lane[l] = std::fma(fp16_to_f32(key[i + l]), q[i + l], lane[l]);
    float s[8], x[4];
    for (int l = 0; l < 8; ++l)
        s[l] = lane[l] + lane[l + 8];
    for (int l = 0; l < 4; ++l)
        x[l] = s[l] + s[l + 4];
    float t = (x[0] + x[2]) + (x[1] + x[3]);
    for (; i < k; ++i)
        t = std::fma(fp16_to_f32(key[i]), q[i], t);
    return t;
}

void scores_f16(int64_t k, const uint16_t* key, int64_t key_stride, int n_keys, const float* q, int64_t q_stride,
                int n, float scale, float* out, int64_t out_stride)
{
    for (int j = 0; j < n; ++j)
        for (int p = 0; p < n_keys; ++p)
            out[out_stride * j + p] = scale * dot_key(k, key + key_stride * p, q + q_stride * j);
}

void wsum_f16_n(int64_t len, const uint16_t* x, int64_t x_stride, int n_keys, const float* w, int64_t w_stride,
                int n, float* y, int64_t y_stride)
{
    for (int j = 0; j < n; ++j) {
        float* yj = y + y_stride * j;
        std::fill(yj, yj + len, 0.0f);
        for (int p = 0; p < n_keys; ++p) {
            const float wp = w[w_stride * j + p];
            const uint16_t* xp = x + x_stride * p;
            for (int64_t i = 0; i < len; ++i)
                yj[i] = std::fma(wp, fp16_to_f32(xp[i]), yj[i]);
        }
    }
}

void to_f16(const float* x, uint16_t* y, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        y[i] = f32_to_fp16(x[i]);
}

void to_bf16(const float* x, uint16_t* y, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        y[i] = f32_to_bf16(x[i]);
}

// kFmaChains independent chains of float multiply-adds, one value each (the compiler may
// pack them into whatever vectors the build targets).
float fma_chains(int64_t n, float x)
{
    float s[kFmaChains];
    for (int c = 0; c < kFmaChains; ++c)
        s[c] = x + static_cast<float>(c);
    for (int64_t i = 0; i < n; ++i)
        for (float& v : s)
            v = v * 0.999999f + 1e-6f;
    float t = 0;
    for (const float v : s)
        t += v;
    return t;
}

Kernels make_generic()
{
    Kernels k{};
    k.name = "generic";
    k.act_format = act_format;
    k.quantize_act = quantize_act;
    k.dot[int(TensorType::F32)] = dot_f32_row;
    k.dot[int(TensorType::F16)] = dot_f16_row;
    k.dot[int(TensorType::BF16)] = dot_bf16_row;
    k.dot[int(TensorType::Q8_0)] = dot_q8_0;
    k.dot[int(TensorType::Q4_0)] = dot_nibbles<BlockQ4_0, 8>;
    k.dot[int(TensorType::Q4_1)] = dot_nibbles<BlockQ4_1, 0>;
    k.dot[int(TensorType::Q5_0)] = dot_nibbles<BlockQ5_0, 16>;
    k.dot[int(TensorType::Q5_1)] = dot_nibbles<BlockQ5_1, 0>;
    k.dot[int(TensorType::Q4_K)] = dot_q4_k;
    k.dot[int(TensorType::Q5_K)] = dot_q5_k;
    k.dot[int(TensorType::Q6_K)] = dot_q6_k;
    k.dot_f32 = dot_f32;
    k.axpy_f32 = axpy_f32;
    k.dot_f16_f32 = dot_f16_f32;
    k.axpy_f16 = axpy_f16;
    k.scores_f16 = scores_f16;
    k.wsum_f16_n = wsum_f16_n;
    k.silu_mul = exp_steps::silu_mul;
    k.softmax = exp_steps::softmax;
    k.f32_to_f16 = to_f16;
    k.f32_to_bf16 = to_bf16;
    k.fma_chains = fma_chains;
    k.fma_lanes = 1;
    return k;
}

} // namespace

const Kernels& kernels_generic()
{
    static const Kernels table = make_generic();
    return table;
}

std::vector<const Kernels*> runnable_kernels()
{
    std::vector<const Kernels*> out{&kernels_generic()};
    const CpuInfo cpu = probe_cpu();
    if (kernels_avx2() && cpu.avx2 && cpu.fma && cpu.f16c)
        out.push_back(kernels_avx2());
    if (kernels_avxvnni() && cpu.avx2 && cpu.fma && cpu.f16c && cpu.avxvnni)
        out.push_back(kernels_avxvnni());
    if (kernels_avx512() && cpu.avx512f && cpu.avx512bw && cpu.avx512vnni && cpu.avx512bf16 &&
        cpu.f16c)
        out.push_back(kernels_avx512());
    return out;
}

const Kernels& kernels()
{
    static const Kernels* best = runnable_kernels().back();
    return *best;
}

} // namespace seekbench::cpu
