// Dense and MoE feed-forward blocks on the CPU. Experts run grouped: every expert chosen
// by some token of the batch multiplies just those tokens' rows; with one token (decode)
// all chosen experts share one dispatch.
#include "ffn.h"

#include "engine/cpu/ops.h"
#include "engine/profile.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace seekbench {
namespace {

cpu::WeightView view(const TensorRef& t)
{
    return {t.type(), t.rows(), t.cols(), t.row_bytes(), t.data()};
}

cpu::WeightView expert(const TensorRef& t, int e)
{
    return {t.type(), t.rows(), t.cols(), t.row_bytes(), t.slice(e)};
}

// The indices of the `n` largest values (ties: the lower index first), best first.
void top_n(const float* v, int count, int n, int* out)
{
    std::vector<int> idx(static_cast<std::size_t>(count));
    std::iota(idx.begin(), idx.end(), 0);
    std::partial_sort(idx.begin(), idx.begin() + n, idx.end(),
                      [&](int a, int b) { return v[a] > v[b] || (v[a] == v[b] && a < b); });
    std::copy(idx.begin(), idx.begin() + n, out);
}

} // namespace

void route(const ModelConfig& c, const float* logits, const float* bias, float* scores, int* experts, float* weights)
{
    const int E = c.n_experts, k = c.n_experts_used;
    if (c.gating == Gating::Sigmoid) {
        for (int e = 0; e < E; ++e)
            scores[e] = 1.0f / (1.0f + std::exp(-logits[e]));
    } else {
        std::copy(logits, logits + E, scores);
        cpu::softmax(scores, E);
    }
    std::vector<float> select(scores, scores + E);
    if (bias)
        for (int e = 0; e < E; ++e)
            select[static_cast<std::size_t>(e)] += bias[e];
    if (c.n_expert_groups > 1) {
        const int per = E / c.n_expert_groups;
        std::vector<float> strength(static_cast<std::size_t>(c.n_expert_groups));
        for (int g = 0; g < c.n_expert_groups; ++g) {
            const float* s = select.data() + g * per;
            if (c.gating == Gating::Sigmoid && per >= 2) {
                int best[2];
                top_n(s, per, 2, best);
                strength[static_cast<std::size_t>(g)] = s[best[0]] + s[best[1]];
            } else {
                strength[static_cast<std::size_t>(g)] = *std::max_element(s, s + per);
            }
        }
        std::vector<int> keep(static_cast<std::size_t>(c.n_expert_groups_used));
        top_n(strength.data(), c.n_expert_groups, c.n_expert_groups_used, keep.data());
        for (int g = 0; g < c.n_expert_groups; ++g)
            if (std::find(keep.begin(), keep.end(), g) == keep.end())
                std::fill(select.begin() + g * per, select.begin() + (g + 1) * per, -INFINITY);
    }
    top_n(select.data(), E, k, experts);
    float sum = 0;
    for (int i = 0; i < k; ++i)
        sum += weights[i] = scores[experts[i]];
    for (int i = 0; i < k; ++i) {
        if (c.expert_weights_norm)
            weights[i] /= sum + 1e-20f;
        weights[i] *= c.expert_weights_scale;
    }
}

void ffn_block(const Model& model, CpuDevice& cpu, int layer, const float* xn, float* x, const Batch& batch,
               FfnScratch& s, Trace* trace)
{
    const ModelConfig& c = model.config();
    const LayerWeights& lw = model.weights().layers[static_cast<std::size_t>(layer)];
    const int M = batch.size();
    const int64_t dim = c.dim;
    cpu::Matmul& mm = cpu.matmul();
    ThreadPool& pool = cpu.pool();
    auto swiglu = [&](float* g, const float* u, int rows, int64_t n) {
        pool.parallel_for(rows, [&](int m, int) { cpu.kernels().silu_mul(g + m * n, u + m * n, n); });
    };

    if (!c.layer_is_moe(layer)) {
        const int64_t ff = c.hidden_dim;
        s.gate.resize(static_cast<std::size_t>(M * ff));
        s.up.resize(static_cast<std::size_t>(M * ff));
        mm.run({{view(lw.w_gate), s.gate.data(), ff}, {view(lw.w_up), s.up.data(), ff}}, xn, dim, M);
        swiglu(s.gate.data(), s.up.data(), M, ff);
        mm.run_add(view(lw.w_down), s.gate.data(), ff, M, x, dim);
        return;
    }

    // Router: scores, the chosen experts and their weights, per token.
    const int E = c.n_experts, k = c.n_experts_used;
    s.logits.resize(static_cast<std::size_t>(M * E));
    s.scores.resize(static_cast<std::size_t>(M * E));
    s.experts.resize(static_cast<std::size_t>(M * k));
    s.weights.resize(static_cast<std::size_t>(M * k));
    mm.run(view(lw.router), xn, dim, M, s.logits.data(), E);
    const float* bias = lw.router_bias ? lw.router_bias.f32() : nullptr;
    {
        const ProfileScope ps(cpu.profile(), "moe routing", static_cast<uint64_t>(M) * static_cast<uint64_t>(E) * 8);
        for (int m = 0; m < M; ++m)
            route(c, &s.logits[static_cast<std::size_t>(m * E)], bias, &s.scores[static_cast<std::size_t>(m * E)],
                  &s.experts[static_cast<std::size_t>(m * k)], &s.weights[static_cast<std::size_t>(m * k)]);
    }

    // Shared experts (and qwen2moe's gate on them), added straight into x.
    s.shared_gate.assign(static_cast<std::size_t>(M), -1.0f);
    if (lw.gate_shexp) {
        const int64_t sff = c.shared_hidden_dim;
        s.gate.resize(static_cast<std::size_t>(M * sff));
        s.up.resize(static_cast<std::size_t>(M * sff));
        mm.run({{view(lw.gate_shexp), s.gate.data(), sff}, {view(lw.up_shexp), s.up.data(), sff}}, xn, dim, M);
        swiglu(s.gate.data(), s.up.data(), M, sff);
        if (lw.shexp_gate) {
            s.out.resize(static_cast<std::size_t>(M * dim));
            mm.run(view(lw.down_shexp), s.gate.data(), sff, M, s.out.data(), dim);
            for (int m = 0; m < M; ++m) {
                float logit = 0;
                for (int64_t i = 0; i < dim; ++i)
                    logit += xn[m * dim + i] * lw.shexp_gate.f32()[i];
                const float g = 1.0f / (1.0f + std::exp(-logit));
                s.shared_gate[static_cast<std::size_t>(m)] = g;
                for (int64_t i = 0; i < dim; ++i)
                    x[m * dim + i] += g * s.out[static_cast<std::size_t>(m * dim + i)];
            }
        } else {
            mm.run_add(view(lw.down_shexp), s.gate.data(), sff, M, x, dim);
        }
    }

    if (trace && trace->options.routing)
        for (int m = 0; m < M; ++m) {
            RoutingRecord r;
            r.layer = layer;
            r.pos = batch.pos[static_cast<std::size_t>(m)];
            r.token = batch.tokens[static_cast<std::size_t>(m)];
            r.scores.assign(&s.scores[static_cast<std::size_t>(m * E)], &s.scores[static_cast<std::size_t>((m + 1) * E)]);
            r.experts.assign(&s.experts[static_cast<std::size_t>(m * k)], &s.experts[static_cast<std::size_t>((m + 1) * k)]);
            r.weights.assign(&s.weights[static_cast<std::size_t>(m * k)], &s.weights[static_cast<std::size_t>((m + 1) * k)]);
            r.shared_gate = s.shared_gate[static_cast<std::size_t>(m)];
            trace->routing.push_back(std::move(r));
        }

    add_routed_experts(model, cpu, layer, xn, M, s.experts.data(), s.weights.data(), x, s);
}

void add_routed_experts(const Model& model, CpuDevice& cpu, int layer, const float* xn, int M, const int* experts,
                        const float* weights, float* x, FfnScratch& s)
{
    const ModelConfig& c = model.config();
    const LayerWeights& lw = model.weights().layers[static_cast<std::size_t>(layer)];
    const int E = c.n_experts, k = c.n_experts_used;
    const int64_t dim = c.dim, ff = c.expert_hidden_dim;
    cpu::Matmul& mm = cpu.matmul();
    ThreadPool& pool = cpu.pool();
    auto swiglu = [&](float* g, const float* u, int rows, int64_t n) {
        pool.parallel_for(rows, [&](int m, int) { cpu.kernels().silu_mul(g + m * n, u + m * n, n); });
    };
    // The rows of the tokens that chose each expert, gathered.
    std::vector<std::vector<std::pair<int, float>>> users(static_cast<std::size_t>(E));
    for (int m = 0; m < M; ++m)
        for (int i = 0; i < k; ++i)
            users[static_cast<std::size_t>(experts[static_cast<std::size_t>(m * k + i)])].push_back(
                {m, weights[static_cast<std::size_t>(m * k + i)]});
    if (M == 1) { // decode: every chosen expert in one dispatch per projection
        s.gate.resize(static_cast<std::size_t>(k * ff));
        s.up.resize(static_cast<std::size_t>(k * ff));
        s.out.resize(static_cast<std::size_t>(k * dim));
        std::vector<cpu::MatmulJob> jobs;
        for (int i = 0; i < k; ++i) {
            const int e = experts[static_cast<std::size_t>(i)];
            jobs.push_back({expert(lw.gate_exps, e), &s.gate[static_cast<std::size_t>(i * ff)], ff});
            jobs.push_back({expert(lw.up_exps, e), &s.up[static_cast<std::size_t>(i * ff)], ff});
        }
        mm.run(jobs, xn, dim, 1);
        swiglu(s.gate.data(), s.up.data(), k, ff);
        jobs.clear();
        for (int i = 0; i < k; ++i)
            jobs.push_back({expert(lw.down_exps, experts[static_cast<std::size_t>(i)]),
                            &s.out[static_cast<std::size_t>(i * dim)], dim, false, &s.gate[static_cast<std::size_t>(i * ff)]});
        mm.run(jobs, nullptr, ff, 1);
        for (int i = 0; i < k; ++i)
            cpu.kernels().axpy_f32(dim, weights[static_cast<std::size_t>(i)], &s.out[static_cast<std::size_t>(i * dim)], x);
        return;
    }
    // A batch: each expert multiplies the rows of the tokens that chose it, all experts in
    // one dispatch per projection.
    std::vector<int> offset(static_cast<std::size_t>(E) + 1, 0);
    for (int e = 0; e < E; ++e)
        offset[static_cast<std::size_t>(e) + 1] = offset[static_cast<std::size_t>(e)] + static_cast<int>(users[static_cast<std::size_t>(e)].size());
    const int total = offset[static_cast<std::size_t>(E)];
    s.rows.resize(static_cast<std::size_t>(total * dim));
    s.gate.resize(static_cast<std::size_t>(total * ff));
    s.up.resize(static_cast<std::size_t>(total * ff));
    s.out.resize(static_cast<std::size_t>(total * dim));
    for (int e = 0; e < E; ++e)
        for (std::size_t i = 0; i < users[static_cast<std::size_t>(e)].size(); ++i)
            std::memcpy(&s.rows[static_cast<std::size_t>((offset[static_cast<std::size_t>(e)] + static_cast<int>(i)) * dim)],
                        xn + users[static_cast<std::size_t>(e)][i].first * dim, sizeof(float) * static_cast<std::size_t>(dim));
    std::vector<cpu::MatmulJob> jobs;
    for (int e = 0; e < E; ++e) {
        const int n = static_cast<int>(users[static_cast<std::size_t>(e)].size()), at = offset[static_cast<std::size_t>(e)];
        if (n == 0)
            continue;
        const float* rows = &s.rows[static_cast<std::size_t>(at * dim)];
        jobs.push_back({expert(lw.gate_exps, e), &s.gate[static_cast<std::size_t>(at * ff)], ff, false, rows, n});
        jobs.push_back({expert(lw.up_exps, e), &s.up[static_cast<std::size_t>(at * ff)], ff, false, rows, n});
    }
    mm.run(jobs, nullptr, dim, 0);
    swiglu(s.gate.data(), s.up.data(), total, ff);
    jobs.clear();
    for (int e = 0; e < E; ++e) {
        const int n = static_cast<int>(users[static_cast<std::size_t>(e)].size()), at = offset[static_cast<std::size_t>(e)];
        if (n > 0)
            jobs.push_back({expert(lw.down_exps, e), &s.out[static_cast<std::size_t>(at * dim)], dim, false,
                            &s.gate[static_cast<std::size_t>(at * ff)], n});
    }
    mm.run(jobs, nullptr, ff, 0);
    for (int e = 0; e < E; ++e)
        for (std::size_t i = 0; i < users[static_cast<std::size_t>(e)].size(); ++i) {
            const auto [m, weight] = users[static_cast<std::size_t>(e)][i];
            cpu.kernels().axpy_f32(dim, weight, &s.out[static_cast<std::size_t>((offset[static_cast<std::size_t>(e)] + static_cast<int>(i)) * dim)],
                                   x + m * dim);
        }
}

} // namespace seekbench
