// The float64 reference for the llama family (llama, qwen2).
#include "reference.h"

#include "engine/quants.h"

#include <cmath>

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
    std::vector<float> f(static_cast<std::size_t>(t.t->elements()));
    dequantize_row(t.type(), t.data(), f.data(), t.t->elements());
    return Vec(f.begin(), f.end());
}

struct Matrix {
    std::vector<Vec> rows;
    explicit Matrix(const TensorRef& t)
    {
        for (int64_t r = 0; r < t.rows(); ++r)
            rows.push_back(row(t, r));
    }
    Vec apply(const Vec& x) const
    {
        Vec y(rows.size());
        for (std::size_t r = 0; r < rows.size(); ++r) {
            double s = 0;
            for (std::size_t i = 0; i < x.size(); ++i)
                s += rows[r][i] * x[i];
            y[r] = s;
        }
        return y;
    }
};

Vec rmsnorm(const Vec& x, const Vec& w, double eps)
{
    double ss = 0;
    for (double v : x)
        ss += v * v;
    const double s = 1.0 / std::sqrt(ss / static_cast<double>(x.size()) + eps);
    Vec y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        y[i] = x[i] * s * w[i];
    return y;
}

void rope(Vec& x, int n_heads, int head_dim, int pos, const ModelConfig& c)
{
    for (int h = 0; h < n_heads; ++h)
        for (int i = 0; i < c.rope_dims / 2; ++i) {
            const double theta = pos * std::pow(static_cast<double>(c.rope_base), -2.0 * i / c.rope_dims) * c.rope_freq_scale;
            const int a = c.rope_type == RopeType::Normal ? 2 * i : i;
            const int b = c.rope_type == RopeType::Normal ? 2 * i + 1 : i + c.rope_dims / 2;
            double& x0 = x[static_cast<std::size_t>(h * head_dim + a)];
            double& x1 = x[static_cast<std::size_t>(h * head_dim + b)];
            const double r0 = x0 * std::cos(theta) - x1 * std::sin(theta);
            const double r1 = x0 * std::sin(theta) + x1 * std::cos(theta);
            x0 = r0;
            x1 = r1;
        }
}

void add(Vec& x, const TensorRef& b)
{
    if (!b)
        return;
    const Vec bv = vec(b);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] += bv[i];
}

} // namespace

std::vector<std::vector<double>> reference_logits(const Model& model, const std::vector<int32_t>& tokens)
{
    const ModelConfig& c = model.config();
    const Weights& w = model.weights();
    const std::size_t T = tokens.size();
    std::vector<Vec> x(T);
    for (std::size_t t = 0; t < T; ++t)
        x[t] = row(w.token_embd, tokens[t]);
    const int group = c.n_heads / c.n_kv_heads;
    for (const LayerWeights& lw : w.layers) {
        const Matrix wq(lw.wq), wk(lw.wk), wv(lw.wv), wo(lw.wo), wg(lw.w_gate), wu(lw.w_up), wd(lw.w_down);
        const Vec attn_norm = vec(lw.attn_norm), ffn_norm = vec(lw.ffn_norm);
        std::vector<Vec> q(T), k(T), v(T);
        for (std::size_t t = 0; t < T; ++t) {
            const Vec xn = rmsnorm(x[t], attn_norm, c.norm_eps);
            q[t] = wq.apply(xn);
            k[t] = wk.apply(xn);
            v[t] = wv.apply(xn);
            add(q[t], lw.bq);
            add(k[t], lw.bk);
            add(v[t], lw.bv);
            rope(q[t], c.n_heads, c.head_dim, static_cast<int>(t), c);
            rope(k[t], c.n_kv_heads, c.head_dim, static_cast<int>(t), c);
        }
        for (std::size_t t = 0; t < T; ++t) {
            Vec out(static_cast<std::size_t>(c.n_heads * c.head_dim_v), 0.0);
            for (int h = 0; h < c.n_heads; ++h) {
                const int kvh = h / group;
                Vec scores(t + 1);
                double mx = -INFINITY;
                for (std::size_t p = 0; p <= t; ++p) {
                    double s = 0;
                    for (int i = 0; i < c.head_dim; ++i)
                        s += q[t][static_cast<std::size_t>(h * c.head_dim + i)] * k[p][static_cast<std::size_t>(kvh * c.head_dim + i)];
                    scores[p] = s / std::sqrt(static_cast<double>(c.head_dim));
                    mx = std::max(mx, scores[p]);
                }
                double sum = 0;
                for (double& s : scores)
                    sum += s = std::exp(s - mx);
                for (std::size_t p = 0; p <= t; ++p)
                    for (int i = 0; i < c.head_dim_v; ++i)
                        out[static_cast<std::size_t>(h * c.head_dim_v + i)] +=
                            scores[p] / sum * v[p][static_cast<std::size_t>(kvh * c.head_dim_v + i)];
            }
            const Vec o = wo.apply(out);
            for (std::size_t i = 0; i < o.size(); ++i)
                x[t][i] += o[i];
            const Vec xn = rmsnorm(x[t], ffn_norm, c.norm_eps);
            Vec g = wg.apply(xn);
            const Vec u = wu.apply(xn);
            for (std::size_t i = 0; i < g.size(); ++i)
                g[i] = g[i] / (1.0 + std::exp(-g[i])) * u[i];
            const Vec d = wd.apply(g);
            for (std::size_t i = 0; i < d.size(); ++i)
                x[t][i] += d[i];
        }
    }
    const Matrix out(w.output);
    const Vec norm = vec(w.output_norm);
    std::vector<Vec> logits(T);
    for (std::size_t t = 0; t < T; ++t)
        logits[t] = out.apply(rmsnorm(x[t], norm, c.norm_eps));
    return logits;
}

double rel_error(const float* a, const std::vector<double>& b)
{
    double num = 0, den = 0;
    for (std::size_t i = 0; i < b.size(); ++i) {
        num += (a[i] - b[i]) * (a[i] - b[i]);
        den += b[i] * b[i];
    }
    return std::sqrt(num / den);
}

} // namespace seekbench::test
