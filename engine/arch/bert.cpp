// Encoders: bert (BGE, MiniLM, E5) and nomic-bert (nomic-embed-text). Every token attends
// to every other; each block is post-norm (attention, residual, LayerNorm, feed-forward,
// residual, LayerNorm). The result is one vector per token; embedding.cpp pools them.
// No KV cache and no trace: a text is encoded in one pass and nothing is generated.
#include "engine/cpu/ops.h"
#include "engine/error.h"
#include "engine/forward.h"
#include "engine/quants.h"

#include <cmath>

namespace seekbench {
namespace {

cpu::WeightView view(const TensorRef& t)
{
    return {t.type(), t.rows(), t.cols(), t.row_bytes(), t.data()};
}

// x[m * ld + i] += b[i] for the rows of one projection.
void add_bias(float* x, int64_t ld, const TensorRef& b, int M, int64_t n)
{
    if (!b)
        return;
    for (int m = 0; m < M; ++m)
        for (int64_t i = 0; i < n; ++i)
            x[m * ld + i] += b.f32()[i];
}

// Bidirectional attention over the M tokens: qkv holds M rows of (q | k | v), each
// n_heads x head_dim; out is M x dim. One task per (token, head).
void encoder_attention(ThreadPool& pool, const float* qkv, int M, int n_heads, int head_dim, float* out,
                       std::vector<float>& scores)
{
    const int64_t dim = int64_t(n_heads) * head_dim, ld = 3 * dim;
    const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
    scores.resize(static_cast<std::size_t>(pool.size()) * static_cast<std::size_t>(M));
    pool.parallel_for(M * n_heads, [&](int task, int thread) {
        const int m = task / n_heads, h = task % n_heads;
        const float* q = qkv + m * ld + int64_t(h) * head_dim;
        float* s = &scores[static_cast<std::size_t>(thread) * static_cast<std::size_t>(M)];
        for (int j = 0; j < M; ++j) {
            const float* k = qkv + j * ld + dim + int64_t(h) * head_dim;
            float dot = 0;
            for (int d = 0; d < head_dim; ++d)
                dot += q[d] * k[d];
            s[j] = dot * scale;
        }
        cpu::softmax(s, M);
        float* o = out + m * dim + int64_t(h) * head_dim;
        for (int d = 0; d < head_dim; ++d)
            o[d] = 0;
        for (int j = 0; j < M; ++j) {
            const float* v = qkv + j * ld + 2 * dim + int64_t(h) * head_dim;
            for (int d = 0; d < head_dim; ++d)
                o[d] += s[j] * v[d];
        }
    });
}

} // namespace

void forward_encoder(const Model& model, CpuDevice& cpu, const std::vector<int32_t>& tokens, ForwardState& st,
                     std::vector<float>& out)
{
    const ModelConfig& c = model.config();
    const Weights& w = model.weights();
    const int M = static_cast<int>(tokens.size());
    if (M == 0 || M > c.n_ctx_train)
        throw Error(ErrorCode::InvalidArgument, std::to_string(M) + " tokens do not fit the encoder's context of " +
                                                    std::to_string(c.n_ctx_train));
    for (int32_t t : tokens)
        if (t < 0 || t >= c.n_vocab)
            throw Error(ErrorCode::InvalidArgument, "token id " + std::to_string(t) + " is outside the vocabulary of " +
                                                        std::to_string(c.n_vocab));
    const int64_t dim = c.dim, ff = c.hidden_dim;
    ThreadPool& pool = cpu.pool();
    cpu::Matmul& mm = cpu.matmul();
    st.x.resize(static_cast<std::size_t>(M * dim));
    st.q.resize(static_cast<std::size_t>(M * 3 * dim));
    st.att.resize(static_cast<std::size_t>(M * dim));
    st.ff_up.resize(static_cast<std::size_t>(M * ff));
    st.ff_gate.resize(static_cast<std::size_t>(M * ff));
    const auto row = [](std::vector<float>& v, int m, int64_t n) { return &v[static_cast<std::size_t>(m * n)]; };

    // Embedding: token + sentence type A (+ learned position, bert), then LayerNorm.
    pool.parallel_for(M, [&](int m, int) {
        float* x = row(st.x, m, dim);
        dequantize_row(w.token_embd.type(),
                       w.token_embd.data() + static_cast<std::size_t>(tokens[static_cast<std::size_t>(m)]) *
                                                 w.token_embd.row_bytes(),
                       x, dim);
        std::vector<float> extra(static_cast<std::size_t>(dim));
        for (const auto& [t, r] : {std::pair{&w.token_types, 0}, std::pair{&w.position_embd, m}}) {
            if (!*t)
                continue;
            dequantize_row(t->type(), t->data() + static_cast<std::size_t>(r) * t->row_bytes(), extra.data(), dim);
            for (int64_t i = 0; i < dim; ++i)
                x[i] += extra[static_cast<std::size_t>(i)];
        }
        cpu::layernorm(x, w.embd_norm.f32(), w.embd_norm_b.f32(), x, dim, c.norm_eps);
    });

    // nomic-bert rotates q and k by position (NeoX halves); angles once per token.
    const cpu::Rope rope(c);
    const bool rotary = c.arch == Arch::NomicBert;
    if (rotary) {
        const int pairs = rope.pairs();
        st.rope_cos.resize(static_cast<std::size_t>(M * pairs));
        st.rope_sin.resize(static_cast<std::size_t>(M * pairs));
        std::vector<float> cs, sn;
        for (int m = 0; m < M; ++m) {
            rope.angles(m, cs, sn);
            std::copy(cs.begin(), cs.end(), row(st.rope_cos, m, pairs));
            std::copy(sn.begin(), sn.end(), row(st.rope_sin, m, pairs));
        }
    }

    for (int l = 0; l < c.n_layers; ++l) {
        const LayerWeights& lw = w.layers[static_cast<std::size_t>(l)];
        float* qkv = st.q.data();
        if (lw.wqkv) {
            mm.run(view(lw.wqkv), st.x.data(), dim, M, qkv, 3 * dim);
            add_bias(qkv, 3 * dim, lw.bqkv, M, 3 * dim);
        } else {
            mm.run({{view(lw.wq), qkv, 3 * dim}, {view(lw.wk), qkv + dim, 3 * dim}, {view(lw.wv), qkv + 2 * dim, 3 * dim}},
                   st.x.data(), dim, M);
            add_bias(qkv, 3 * dim, lw.bq, M, dim);
            add_bias(qkv + dim, 3 * dim, lw.bk, M, dim);
            add_bias(qkv + 2 * dim, 3 * dim, lw.bv, M, dim);
        }
        if (rotary) {
            const int pairs = rope.pairs();
            pool.parallel_for(M, [&](int m, int) {
                const float* cs = row(st.rope_cos, m, pairs);
                const float* sn = row(st.rope_sin, m, pairs);
                rope.rotate(qkv + m * 3 * dim, c.n_heads, c.head_dim, cs, sn);
                rope.rotate(qkv + m * 3 * dim + dim, c.n_heads, c.head_dim, cs, sn);
            });
        }
        encoder_attention(pool, qkv, M, c.n_heads, c.head_dim, st.att.data(), st.scores);

        // x = LayerNorm(x + attention Wo + bo)
        mm.run_add(view(lw.wo), st.att.data(), dim, M, st.x.data(), dim);
        add_bias(st.x.data(), dim, lw.bo, M, dim);
        pool.parallel_for(M, [&](int m, int) {
            float* x = row(st.x, m, dim);
            cpu::layernorm(x, lw.post_attn_norm.f32(), lw.post_attn_norm_b.f32(), x, dim, c.norm_eps);
        });

        // x = LayerNorm(x + FFN(x)): GELU(x Wup + b) Wdown + b (bert) or SwiGLU (nomic-bert).
        if (lw.w_gate) {
            mm.run({{view(lw.w_gate), st.ff_gate.data(), ff}, {view(lw.w_up), st.ff_up.data(), ff}}, st.x.data(), dim, M);
            pool.parallel_for(M, [&](int m, int) { cpu.kernels().silu_mul(row(st.ff_gate, m, ff), row(st.ff_up, m, ff), ff); });
            mm.run_add(view(lw.w_down), st.ff_gate.data(), ff, M, st.x.data(), dim);
        } else {
            mm.run(view(lw.w_up), st.x.data(), dim, M, st.ff_up.data(), ff);
            add_bias(st.ff_up.data(), ff, lw.b_up, M, ff);
            pool.parallel_for(M, [&](int m, int) { cpu::gelu(row(st.ff_up, m, ff), ff); });
            mm.run_add(view(lw.w_down), st.ff_up.data(), ff, M, st.x.data(), dim);
        }
        add_bias(st.x.data(), dim, lw.b_down, M, dim);
        pool.parallel_for(M, [&](int m, int) {
            float* x = row(st.x, m, dim);
            cpu::layernorm(x, lw.post_ffn_norm.f32(), lw.post_ffn_norm_b.f32(), x, dim, c.norm_eps);
        });
    }
    out.assign(st.x.begin(), st.x.end());
}

} // namespace seekbench
