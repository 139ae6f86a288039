// The float64 reference for encoders (bert, nomic-bert): every weight dequantized to
// double, LayerNorm, exact GELU, full bidirectional attention, pooling and normalization
// written out the way the BERT and nomic-embed papers describe them.
#include "reference.h"

#include "engine/quants.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace seekbench::test {
namespace {

using Vec = std::vector<double>;

Vec row(const TensorRef& t, int64_t r)
{
    std::vector<float> f(static_cast<std::size_t>(t.cols()));
    dequantize_row(t.type(), t.data() + static_cast<std::size_t>(r) * t.row_bytes(), f.data(), t.cols());
    return Vec(f.begin(), f.end());
}

Vec vec(const TensorRef& t)
{
    return t ? row(t, 0) : Vec();
}

// y = W x (+ b); W's rows dequantized once per call.
Vec linear(const TensorRef& w, const TensorRef& b, const Vec& x, int64_t first = 0, int64_t n = -1)
{
    if (n < 0)
        n = w.rows();
    Vec y(static_cast<std::size_t>(n));
    const Vec bias = vec(b);
    for (int64_t r = 0; r < n; ++r) {
        const Vec wr = row(w, first + r);
        y[static_cast<std::size_t>(r)] = std::inner_product(x.begin(), x.end(), wr.begin(), 0.0) +
                                         (bias.empty() ? 0.0 : bias[static_cast<std::size_t>(first + r)]);
    }
    return y;
}

Vec layernorm(const Vec& x, const TensorRef& w, const TensorRef& b, double eps)
{
    const double mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
    double var = 0;
    for (double v : x)
        var += (v - mean) * (v - mean);
    var /= static_cast<double>(x.size());
    const Vec wv = vec(w), bv = vec(b);
    Vec y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        y[i] = (x[i] - mean) / std::sqrt(var + eps) * wv[i] + bv[i];
    return y;
}

// nomic-bert: NeoX rotation (pairs i and i + d/2) of each head at position `pos`.
void rotate(Vec& x, int n_heads, int head_dim, int pos, double base)
{
    for (int h = 0; h < n_heads; ++h)
        for (int i = 0; i < head_dim / 2; ++i) {
            const double theta = pos * std::pow(base, -2.0 * i / head_dim);
            double& a = x[static_cast<std::size_t>(h * head_dim + i)];
            double& b = x[static_cast<std::size_t>(h * head_dim + i + head_dim / 2)];
            const double a0 = a, b0 = b;
            a = a0 * std::cos(theta) - b0 * std::sin(theta);
            b = a0 * std::sin(theta) + b0 * std::cos(theta);
        }
}

} // namespace

std::vector<double> reference_embedding(const Model& model, const std::vector<int32_t>& tokens)
{
    const ModelConfig& c = model.config();
    const Weights& w = model.weights();
    const int M = static_cast<int>(tokens.size()), H = c.n_heads, hd = c.head_dim;
    const std::size_t dim = static_cast<std::size_t>(c.dim);
    std::vector<Vec> x(static_cast<std::size_t>(M));
    for (int m = 0; m < M; ++m) {
        Vec e = row(w.token_embd, tokens[static_cast<std::size_t>(m)]);
        if (w.token_types) {
            const Vec t = row(w.token_types, 0);
            for (std::size_t i = 0; i < dim; ++i)
                e[i] += t[i];
        }
        if (w.position_embd) {
            const Vec p = row(w.position_embd, m);
            for (std::size_t i = 0; i < dim; ++i)
                e[i] += p[i];
        }
        x[static_cast<std::size_t>(m)] = layernorm(e, w.embd_norm, w.embd_norm_b, c.norm_eps);
    }
    for (const LayerWeights& lw : w.layers) {
        std::vector<Vec> q(x.size()), k(x.size()), v(x.size());
        for (std::size_t m = 0; m < x.size(); ++m) {
            const int64_t d = static_cast<int64_t>(dim);
            q[m] = lw.wqkv ? linear(lw.wqkv, lw.bqkv, x[m], 0, d) : linear(lw.wq, lw.bq, x[m]);
            k[m] = lw.wqkv ? linear(lw.wqkv, lw.bqkv, x[m], d, d) : linear(lw.wk, lw.bk, x[m]);
            v[m] = lw.wqkv ? linear(lw.wqkv, lw.bqkv, x[m], 2 * d, d) : linear(lw.wv, lw.bv, x[m]);
            if (c.arch == Arch::NomicBert) {
                rotate(q[m], H, hd, static_cast<int>(m), c.rope_base);
                rotate(k[m], H, hd, static_cast<int>(m), c.rope_base);
            }
        }
        for (std::size_t m = 0; m < x.size(); ++m) {
            Vec att(dim, 0.0);
            for (int h = 0; h < H; ++h) {
                Vec s(x.size());
                for (std::size_t j = 0; j < x.size(); ++j) {
                    double dot = 0;
                    for (int i = 0; i < hd; ++i)
                        dot += q[m][static_cast<std::size_t>(h * hd + i)] * k[j][static_cast<std::size_t>(h * hd + i)];
                    s[j] = dot / std::sqrt(static_cast<double>(hd));
                }
                const double mx = *std::max_element(s.begin(), s.end());
                double sum = 0;
                for (double& p : s)
                    sum += (p = std::exp(p - mx));
                for (std::size_t j = 0; j < x.size(); ++j)
                    for (int i = 0; i < hd; ++i)
                        att[static_cast<std::size_t>(h * hd + i)] += s[j] / sum * v[j][static_cast<std::size_t>(h * hd + i)];
            }
            Vec o = linear(lw.wo, lw.bo, att);
            for (std::size_t i = 0; i < dim; ++i)
                o[i] += x[m][i];
            const Vec h1 = layernorm(o, lw.post_attn_norm, lw.post_attn_norm_b, c.norm_eps);
            Vec f;
            if (lw.w_gate) {
                const Vec g = linear(lw.w_gate, {}, h1), u = linear(lw.w_up, {}, h1);
                Vec a(g.size());
                for (std::size_t i = 0; i < g.size(); ++i)
                    a[i] = g[i] / (1.0 + std::exp(-g[i])) * u[i];
                f = linear(lw.w_down, {}, a);
            } else {
                Vec u = linear(lw.w_up, lw.b_up, h1);
                for (double& t : u)
                    t = 0.5 * t * (1.0 + std::erf(t / std::sqrt(2.0)));
                f = linear(lw.w_down, lw.b_down, u);
            }
            for (std::size_t i = 0; i < dim; ++i)
                f[i] += h1[i];
            q[m] = layernorm(f, lw.post_ffn_norm, lw.post_ffn_norm_b, c.norm_eps); // the block's output
        }
        x = q;
    }
    Vec pooled(dim, 0.0);
    if (c.pooling == Pooling::Cls) {
        pooled = x.front();
    } else if (c.pooling == Pooling::Last) {
        pooled = x.back();
    } else {
        for (const Vec& r : x)
            for (std::size_t i = 0; i < dim; ++i)
                pooled[i] += r[i] / static_cast<double>(x.size());
    }
    const double norm = std::sqrt(std::inner_product(pooled.begin(), pooled.end(), pooled.begin(), 0.0));
    for (double& p : pooled)
        p /= norm;
    return pooled;
}

} // namespace seekbench::test
