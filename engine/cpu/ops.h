// The small CPU operations of a transformer layer: RMSNorm, rotary embeddings, SwiGLU,
// softmax. Each works on one token's vector; the forward pass parallelizes over tokens.
#pragma once

#include "engine/model.h"

#include <cstdint>
#include <vector>

namespace seekbench::cpu {

// out = x / rms(x) * w, over n values.
void rmsnorm(const float* x, const float* w, float* out, int64_t n, float eps);
// out = (x - mean(x)) / sqrt(var(x) + eps) * w + b, over n values (encoders' LayerNorm).
void layernorm(const float* x, const float* w, const float* b, float* out, int64_t n, float eps);

// Rotary position embedding for one model: inverse frequencies computed once.
class Rope {
public:
    explicit Rope(const ModelConfig& c, const float* freq_factors = nullptr);
    // cos and sin of every rotated pair at position `pos` (dims/2 each); `scaled` applies
    // YaRN's magnitude correction (not wanted when only re-rotating cached keys).
    void angles(double pos, std::vector<float>& cos_out, std::vector<float>& sin_out, bool scaled = true) const;
    // Rotates n_heads heads of head_dim values (stride head_dim) by precomputed angles.
    void rotate(float* x, int n_heads, int head_dim, const float* cs, const float* sn) const;
    // Rotates n_heads heads of head_dim values (stride head_dim) at position `pos`.
    void apply(float* x, int n_heads, int head_dim, int pos) const;
    int pairs() const { return static_cast<int>(m_inv_freq.size()); }
    // What another backend needs to rotate the same way.
    const std::vector<double>& inv_freq() const { return m_inv_freq; }
    double mscale() const { return m_mscale; }
    // Rotates by `delta` positions (a context shift moving keys), on F16 or F32 rows.
    void shift_f16(uint16_t* x, int n_heads, int head_dim, int delta) const;
    void shift_f32(float* x, int n_heads, int head_dim, int delta) const;

private:
    RopeType m_type;
    int m_dims;
    double m_mscale = 1.0;          // YaRN's magnitude correction of cos and sin
    std::vector<double> m_inv_freq; // per rotated pair
};

// g = silu(g) * u over n values (SwiGLU), in exp_steps.h's steps: the reference of every
// tier's Kernels::silu_mul, which the forward passes call.
void silu_mul(float* g, const float* u, int64_t n);
// x = gelu(x) = x * Phi(x) with the exact normal CDF, as BERT was trained (not tanh's fit).
void gelu(float* x, int64_t n);
// In-place softmax over n values; returns nothing, max-subtracted for stability.
void softmax(float* x, int64_t n);

} // namespace seekbench::cpu
