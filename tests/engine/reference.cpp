// The float64 reference for every architecture: llama, qwen2, qwen2moe, qwen3moe, mixtral
// and deepseek2 (MLA computed the expanded way: per-head keys and values from the latent).
#include "reference.h"

#include "engine/quants.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

namespace seekbench::test {
namespace {

using Vec = std::vector<double>;

Vec row(const TensorRef& t, int64_t r, int64_t slice = 0)
{
    std::vector<float> f(static_cast<std::size_t>(t.cols()));
    dequantize_row(t.type(), t.slice(slice) + static_cast<std::size_t>(r) * t.row_bytes(), f.data(), t.cols());
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
    Matrix() = default;
    Matrix(const TensorRef& t, int64_t slice = 0, int64_t first = 0, int64_t n = -1)
    {
        if (n < 0)
            n = t.rows();
        for (int64_t r = first; r < first + n; ++r)
            rows.push_back(row(t, r, slice));
    }
    Vec apply(const Vec& x) const
    {
        Vec y(rows.size());
        for (std::size_t r = 0; r < rows.size(); ++r)
            y[r] = std::inner_product(x.begin(), x.end(), rows[r].begin(), 0.0);
        return y;
    }
    Vec apply_transposed(const Vec& x) const // x^T M
    {
        Vec y(rows.empty() ? 0 : rows[0].size(), 0.0);
        for (std::size_t r = 0; r < rows.size(); ++r)
            for (std::size_t i = 0; i < y.size(); ++i)
                y[i] += x[r] * rows[r][i];
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

double silu(double v) { return v / (1.0 + std::exp(-v)); }

// Rotary inverse frequencies, with YaRN's ramp between interpolated and original ones.
Vec inv_freq(const ModelConfig& c)
{
    Vec f(static_cast<std::size_t>(c.rope_dims / 2));
    double low = 0, high = 1;
    if (c.yarn) {
        auto corr = [&](double rot) { return c.rope_dims * std::log(c.yarn_orig_ctx / (rot * 2 * std::numbers::pi)) / (2 * std::log(double(c.rope_base))); };
        low = std::max(0.0, std::floor(corr(c.yarn_beta_fast)));
        high = std::min(c.rope_dims - 1.0, std::ceil(corr(c.yarn_beta_slow)));
        if (high <= low)
            high = low + 0.001;
    }
    for (std::size_t i = 0; i < f.size(); ++i) {
        const double orig = std::pow(double(c.rope_base), -2.0 * double(i) / c.rope_dims);
        const double interp = orig * c.rope_freq_scale;
        const double keep = c.yarn ? 1.0 - std::clamp((double(i) - low) / (high - low), 0.0, 1.0) : 0.0;
        f[i] = c.yarn ? interp * (1 - keep) + orig * keep : interp;
    }
    return f;
}

// Rotates `n_heads` slices of `dims` values starting at x[offset + h*stride].
void rope(Vec& x, int n_heads, int stride, int offset, int pos, const ModelConfig& c)
{
    const Vec f = inv_freq(c);
    const double m = c.yarn && c.arch != Arch::Deepseek2 ? 0.1 * std::log(1.0 / c.rope_freq_scale) + 1.0 : 1.0;
    for (int h = 0; h < n_heads; ++h)
        for (int i = 0; i < c.rope_dims / 2; ++i) {
            const double theta = pos * f[static_cast<std::size_t>(i)];
            const int a = c.rope_type == RopeType::Normal ? 2 * i : i;
            const int b = c.rope_type == RopeType::Normal ? 2 * i + 1 : i + c.rope_dims / 2;
            double& x0 = x[static_cast<std::size_t>(offset + h * stride + a)];
            double& x1 = x[static_cast<std::size_t>(offset + h * stride + b)];
            const double r0 = m * (x0 * std::cos(theta) - x1 * std::sin(theta));
            const double r1 = m * (x0 * std::sin(theta) + x1 * std::cos(theta));
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

Vec swiglu_ffn(const Matrix& g, const Matrix& u, const Matrix& d, const Vec& x)
{
    Vec a = g.apply(x);
    const Vec b = u.apply(x);
    for (std::size_t i = 0; i < a.size(); ++i)
        a[i] = silu(a[i]) * b[i];
    return d.apply(a);
}

// Attention over given per-position keys and values (heads already laid out).
Vec attend(const Vec& q, const std::vector<Vec>& k, const std::vector<Vec>& v, int n_heads, int group, int hd,
           int hdv, double scale, std::vector<Vec>* probs = nullptr)
{
    if (probs)
        probs->assign(static_cast<std::size_t>(n_heads), Vec{});
    Vec out(static_cast<std::size_t>(n_heads * hdv), 0.0);
    for (int h = 0; h < n_heads; ++h) {
        const int kvh = h / group;
        Vec s(k.size());
        double mx = -INFINITY;
        for (std::size_t p = 0; p < k.size(); ++p) {
            double d = 0;
            for (int i = 0; i < hd; ++i)
                d += q[static_cast<std::size_t>(h * hd + i)] * k[p][static_cast<std::size_t>(kvh * hd + i)];
            s[p] = d * scale;
            mx = std::max(mx, s[p]);
        }
        double sum = 0;
        for (double& e : s)
            sum += e = std::exp(e - mx);
        for (std::size_t p = 0; p < k.size(); ++p)
            for (int i = 0; i < hdv; ++i)
                out[static_cast<std::size_t>(h * hdv + i)] += s[p] / sum * v[p][static_cast<std::size_t>(kvh * hdv + i)];
        if (probs) {
            for (double& e : s)
                e /= sum;
            (*probs)[static_cast<std::size_t>(h)] = s;
        }
    }
    return out;
}

} // namespace

std::vector<int> reference_route(const ModelConfig& c, const std::vector<double>& logits, const std::vector<double>& bias,
                                 std::vector<double>& weights, const std::vector<int>* prefer, double tie)
{
    const int E = c.n_experts;
    Vec scores(logits.size());
    if (c.gating == Gating::Sigmoid) {
        for (int e = 0; e < E; ++e)
            scores[static_cast<std::size_t>(e)] = 1.0 / (1.0 + std::exp(-logits[static_cast<std::size_t>(e)]));
    } else {
        const double mx = *std::max_element(logits.begin(), logits.end());
        double sum = 0;
        for (int e = 0; e < E; ++e)
            sum += scores[static_cast<std::size_t>(e)] = std::exp(logits[static_cast<std::size_t>(e)] - mx);
        for (double& s : scores)
            s /= sum;
    }
    Vec sel = scores;
    for (std::size_t e = 0; e < bias.size(); ++e)
        sel[e] += bias[e];
    auto order = [&](const Vec& v) {
        std::vector<int> idx(v.size());
        std::iota(idx.begin(), idx.end(), 0);
        std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return v[static_cast<std::size_t>(a)] > v[static_cast<std::size_t>(b)]; });
        return idx;
    };
    if (c.n_expert_groups > 1) {
        const int per = E / c.n_expert_groups;
        Vec strength(static_cast<std::size_t>(c.n_expert_groups));
        for (int g = 0; g < c.n_expert_groups; ++g) {
            Vec part(sel.begin() + g * per, sel.begin() + (g + 1) * per);
            std::sort(part.rbegin(), part.rend());
            strength[static_cast<std::size_t>(g)] = c.gating == Gating::Sigmoid && per >= 2 ? part[0] + part[1] : part[0];
        }
        const std::vector<int> groups = order(strength);
        for (int rank = c.n_expert_groups_used; rank < c.n_expert_groups; ++rank)
            for (int e = groups[static_cast<std::size_t>(rank)] * per; e < (groups[static_cast<std::size_t>(rank)] + 1) * per; ++e)
                sel[static_cast<std::size_t>(e)] = -INFINITY;
    }
    std::vector<int> chosen = order(sel);
    const std::size_t k = static_cast<std::size_t>(c.n_experts_used);
    if (prefer && chosen.size() > k &&
        sel[static_cast<std::size_t>(chosen[k - 1])] - sel[static_cast<std::size_t>(chosen[k])] < tie)
        chosen = *prefer; // a near tie: take the other computation's choice
    chosen.resize(k);
    weights.clear();
    double sum = 0;
    for (int e : chosen)
        sum += scores[static_cast<std::size_t>(e)];
    for (int e : chosen)
        weights.push_back(scores[static_cast<std::size_t>(e)] / (c.expert_weights_norm ? sum : 1.0) * c.expert_weights_scale);
    return chosen;
}

std::vector<std::vector<double>> reference_logits(const Model& model, const std::vector<int32_t>& tokens, RefTrace* trace,
                                                  const RoutingHint* hint)
{
    if (trace) {
        trace->attention.assign(static_cast<std::size_t>(model.config().n_layers), {});
        trace->routing.assign(static_cast<std::size_t>(model.config().n_layers), {});
    }
    const ModelConfig& c = model.config();
    const Weights& w = model.weights();
    const std::size_t T = tokens.size();
    std::vector<Vec> x(T);
    for (std::size_t t = 0; t < T; ++t)
        x[t] = row(w.token_embd, tokens[t]);
    const double scale = c.attn_scale > 0 ? c.attn_scale : 1.0 / std::sqrt(double(c.head_dim));
    for (int l = 0; l < c.n_layers; ++l) {
        const LayerWeights& lw = w.layers[static_cast<std::size_t>(l)];
        const Vec attn_norm = vec(lw.attn_norm), ffn_norm = vec(lw.ffn_norm);
        std::vector<Vec> q(T), k(T), v(T);
        int n_kv = c.n_kv_heads, hd = c.head_dim;
        if (c.is_mla()) {
            const int H = c.n_heads, nope = c.qk_nope_dim, rp = c.qk_rope_dim, lora = c.kv_lora_rank, dv = c.head_dim_v;
            Matrix wq, wq_a, wq_b, wkv_a(lw.wkv_a);
            if (lw.wq)
                wq = Matrix(lw.wq);
            else
                wq_a = Matrix(lw.wq_a), wq_b = Matrix(lw.wq_b);
            // W_UK (nope x lora) and W_UV (dv x lora) per head, from either layout.
            std::vector<Matrix> uk(static_cast<std::size_t>(H)), uv(static_cast<std::size_t>(H));
            for (int h = 0; h < H; ++h) {
                if (lw.wkv_b) {
                    uk[static_cast<std::size_t>(h)] = Matrix(lw.wkv_b, 0, int64_t(h) * (nope + dv), nope);
                    uv[static_cast<std::size_t>(h)] = Matrix(lw.wkv_b, 0, int64_t(h) * (nope + dv) + nope, dv);
                } else {
                    const Matrix kt(lw.wk_b, h); // lora rows of nope: W_UK^T
                    for (int i = 0; i < nope; ++i) {
                        Vec r(static_cast<std::size_t>(lora));
                        for (int j = 0; j < lora; ++j)
                            r[static_cast<std::size_t>(j)] = kt.rows[static_cast<std::size_t>(j)][static_cast<std::size_t>(i)];
                        uk[static_cast<std::size_t>(h)].rows.push_back(r);
                    }
                    uv[static_cast<std::size_t>(h)] = Matrix(lw.wv_b, h);
                }
            }
            for (std::size_t t = 0; t < T; ++t) {
                const Vec xn = rmsnorm(x[t], attn_norm, c.norm_eps);
                q[t] = lw.wq ? wq.apply(xn) : wq_b.apply(rmsnorm(wq_a.apply(xn), vec(lw.q_a_norm), c.norm_eps));
                rope(q[t], H, nope + rp, nope, static_cast<int>(t), c);
                const Vec kv = wkv_a.apply(xn);
                const Vec lat = rmsnorm(Vec(kv.begin(), kv.begin() + lora), vec(lw.kv_a_norm), c.norm_eps);
                Vec pe(kv.begin() + lora, kv.end());
                rope(pe, 1, rp, 0, static_cast<int>(t), c);
                k[t].clear();
                v[t].clear();
                for (int h = 0; h < H; ++h) {
                    const Vec kn = uk[static_cast<std::size_t>(h)].apply(lat);
                    k[t].insert(k[t].end(), kn.begin(), kn.end());
                    k[t].insert(k[t].end(), pe.begin(), pe.end());
                    const Vec vh = uv[static_cast<std::size_t>(h)].apply(lat);
                    v[t].insert(v[t].end(), vh.begin(), vh.end());
                }
            }
            n_kv = H;
            hd = nope + rp;
        } else {
            const Matrix wq(lw.wq), wk(lw.wk), wv(lw.wv);
            for (std::size_t t = 0; t < T; ++t) {
                const Vec xn = rmsnorm(x[t], attn_norm, c.norm_eps);
                q[t] = wq.apply(xn);
                k[t] = wk.apply(xn);
                v[t] = wv.apply(xn);
                add(q[t], lw.bq);
                add(k[t], lw.bk);
                add(v[t], lw.bv);
                if (c.qk_norm) { // each head normalized on its own
                    auto per_head = [&](Vec& z, int heads, const Vec& weight) {
                        for (int h = 0; h < heads; ++h) {
                            const Vec part = rmsnorm(Vec(z.begin() + h * hd, z.begin() + (h + 1) * hd), weight, c.norm_eps);
                            std::copy(part.begin(), part.end(), z.begin() + h * hd);
                        }
                    };
                    per_head(q[t], c.n_heads, vec(lw.q_norm));
                    per_head(k[t], c.n_kv_heads, vec(lw.k_norm));
                }
                rope(q[t], c.n_heads, hd, 0, static_cast<int>(t), c);
                rope(k[t], c.n_kv_heads, hd, 0, static_cast<int>(t), c);
            }
        }
        const Matrix wo(lw.wo);
        for (std::size_t t = 0; t < T; ++t) {
            const std::vector<Vec> keys(k.begin(), k.begin() + static_cast<std::ptrdiff_t>(t + 1));
            const std::vector<Vec> vals(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(t + 1));
            std::vector<Vec> probs;
            const Vec o = wo.apply(attend(q[t], keys, vals, c.n_heads, c.n_heads / n_kv, hd, c.head_dim_v, scale,
                                          trace ? &probs : nullptr));
            if (trace)
                trace->attention[static_cast<std::size_t>(l)].push_back(probs);
            for (std::size_t i = 0; i < o.size(); ++i)
                x[t][i] += o[i];
            const Vec xn = rmsnorm(x[t], ffn_norm, c.norm_eps);
            Vec out;
            if (!c.layer_is_moe(l)) {
                out = swiglu_ffn(Matrix(lw.w_gate), Matrix(lw.w_up), Matrix(lw.w_down), xn);
            } else {
                const Vec logits = Matrix(lw.router).apply(xn);
                const Vec bias = lw.router_bias ? vec(lw.router_bias) : Vec{};
                Vec weights;
                const std::vector<int>* prefer =
                    hint && static_cast<std::size_t>(l) < hint->experts.size() && t < hint->experts[static_cast<std::size_t>(l)].size()
                        ? &hint->experts[static_cast<std::size_t>(l)][t] : nullptr;
                const std::vector<int> chosen = reference_route(c, logits, bias, weights, prefer, hint ? hint->tie : 0);
                if (trace) {
                    RefRouting r{chosen, weights, logits};
                    trace->routing[static_cast<std::size_t>(l)].push_back(r);
                }
                out.assign(static_cast<std::size_t>(c.dim), 0.0);
                for (std::size_t i = 0; i < chosen.size(); ++i) {
                    const Vec e = swiglu_ffn(Matrix(lw.gate_exps, chosen[i]), Matrix(lw.up_exps, chosen[i]),
                                             Matrix(lw.down_exps, chosen[i]), xn);
                    for (std::size_t j = 0; j < e.size(); ++j)
                        out[j] += weights[i] * e[j];
                }
                if (lw.gate_shexp) {
                    Vec sh = swiglu_ffn(Matrix(lw.gate_shexp), Matrix(lw.up_shexp), Matrix(lw.down_shexp), xn);
                    double g = 1.0;
                    if (lw.shexp_gate) {
                        const Vec gw = vec(lw.shexp_gate);
                        g = 1.0 / (1.0 + std::exp(-std::inner_product(xn.begin(), xn.end(), gw.begin(), 0.0)));
                    }
                    for (std::size_t j = 0; j < sh.size(); ++j)
                        out[j] += g * sh[j];
                }
            }
            for (std::size_t i = 0; i < out.size(); ++i)
                x[t][i] += out[i];
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
