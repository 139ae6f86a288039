// Scalar loops the compiler vectorizes; they are a small share of the time per token.
#include "ops.h"

#include "engine/fp16.h"
#include "exp_steps.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace seekbench::cpu {

void rmsnorm(const float* x, const float* w, float* out, int64_t n, float eps)
{
    double ss = 0;
    for (int64_t i = 0; i < n; ++i)
        ss += static_cast<double>(x[i]) * x[i];
    const float scale = static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(n) + eps));
    for (int64_t i = 0; i < n; ++i)
        out[i] = x[i] * scale * w[i];
}

void layernorm(const float* x, const float* w, const float* b, float* out, int64_t n, float eps)
{
    double sum = 0;
    for (int64_t i = 0; i < n; ++i)
        sum += x[i];
    const double mean = sum / static_cast<double>(n);
    double ss = 0;
    for (int64_t i = 0; i < n; ++i)
        ss += (x[i] - mean) * (x[i] - mean);
    const float scale = static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(n) + eps));
    const auto m = static_cast<float>(mean);
    for (int64_t i = 0; i < n; ++i)
        out[i] = (x[i] - m) * scale * w[i] + b[i];
}

Rope::Rope(const ModelConfig& c, const float* freq_factors) : m_type(c.rope_type), m_dims(c.rope_dims)
{
    // YaRN: pairs that turn many times over the original context keep their frequency,
    // slow ones are interpolated, with a linear ramp between the two correction dims.
    double low = 0, high = 0;
    if (c.yarn) {
        const auto corr_dim = [&](double rotations) {
            return m_dims * std::log(c.yarn_orig_ctx / (rotations * 2 * std::numbers::pi)) / (2 * std::log(static_cast<double>(c.rope_base)));
        };
        low = std::max(0.0, std::floor(corr_dim(c.yarn_beta_fast)));
        high = std::min(m_dims - 1.0, std::ceil(corr_dim(c.yarn_beta_slow)));
        if (high <= low)
            high = low + 0.001;
        // deepseek2's attention factor cancels out (llama.cpp's reading of its config);
        // other YaRN models scale cos and sin by 0.1 ln(factor) + 1, as transformers does.
        if (c.arch != Arch::Deepseek2)
            m_mscale = 0.1 * std::log(1.0 / c.rope_freq_scale) + 1.0;
    }
    for (int i = 0; i < m_dims / 2; ++i) {
        const double extrapolated = std::pow(static_cast<double>(c.rope_base), -2.0 * i / m_dims);
        double f = extrapolated * c.rope_freq_scale;
        if (c.yarn) {
            const double keep = 1.0 - std::clamp((i - low) / (high - low), 0.0, 1.0);
            f = f * (1.0 - keep) + extrapolated * keep;
        }
        if (freq_factors)
            f /= freq_factors[i];
        m_inv_freq.push_back(f);
    }
}

void Rope::angles(double pos, std::vector<float>& cs, std::vector<float>& sn, bool scaled) const
{
    const double m = scaled ? m_mscale : 1.0;
    cs.resize(m_inv_freq.size());
    sn.resize(m_inv_freq.size());
    for (std::size_t i = 0; i < m_inv_freq.size(); ++i) {
        const double theta = pos * m_inv_freq[i];
        cs[i] = static_cast<float>(std::cos(theta) * m);
        sn[i] = static_cast<float>(std::sin(theta) * m);
    }
}

void Rope::rotate(float* x, int n_heads, int head_dim, const float* cs, const float* sn) const
{
    const int half = m_dims / 2;
    for (int h = 0; h < n_heads; ++h) {
        float* v = x + static_cast<int64_t>(h) * head_dim;
        for (int i = 0; i < half; ++i) {
            // Normal: adjacent pairs (2i, 2i+1); NeoX: (i, i + dims/2).
            const int a = m_type == RopeType::Normal ? 2 * i : i;
            const int b = m_type == RopeType::Normal ? 2 * i + 1 : i + half;
            const float x0 = v[a], x1 = v[b];
            v[a] = x0 * cs[i] - x1 * sn[i];
            v[b] = x0 * sn[i] + x1 * cs[i];
        }
    }
}

void Rope::apply(float* x, int n_heads, int head_dim, int pos) const
{
    thread_local std::vector<float> cs, sn;
    angles(pos, cs, sn);
    rotate(x, n_heads, head_dim, cs.data(), sn.data());
}

void Rope::shift_f32(float* x, int n_heads, int head_dim, int delta) const
{
    thread_local std::vector<float> cs, sn;
    angles(delta, cs, sn, false);
    rotate(x, n_heads, head_dim, cs.data(), sn.data());
}

void Rope::shift_f16(uint16_t* x, int n_heads, int head_dim, int delta) const
{
    thread_local std::vector<float> cs, sn, row;
    angles(delta, cs, sn, false);
    const int n = n_heads * head_dim;
    row.resize(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        row[static_cast<std::size_t>(i)] = fp16_to_f32(x[i]);
    rotate(row.data(), n_heads, head_dim, cs.data(), sn.data());
    for (int i = 0; i < n; ++i)
        x[i] = f32_to_fp16(row[static_cast<std::size_t>(i)]);
}

void silu_mul(float* g, const float* u, int64_t n) { exp_steps::silu_mul(g, u, n); }

void gelu(float* x, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        x[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * static_cast<float>(std::numbers::sqrt2 / 2)));
}

void softmax(float* x, int64_t n)
{
    const float mx = *std::max_element(x, x + n);
    float sum = 0;
    for (int64_t i = 0; i < n; ++i) {
        x[i] = std::exp(x[i] - mx);
        sum += x[i];
    }
    const float inv = 1.0f / sum;
    for (int64_t i = 0; i < n; ++i)
        x[i] *= inv;
}

} // namespace seekbench::cpu
