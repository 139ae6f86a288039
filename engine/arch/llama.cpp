// The llama family and its relatives: llama (Llama 2/3, TinyLlama, Mistral, llama2.c
// conversions, and Mixtral with routed experts), qwen2 (Qwen2/2.5, DeepSeek-R1-Distill-
// Qwen), qwen2moe and qwen3moe. Pre-norm decoder layers with grouped-query attention,
// rotary positions, and a SwiGLU feed-forward or a mixture of them (ffn.cpp).
#include "engine/arch/ffn.h"
#include "engine/cpu/attention.h"
#include "engine/cpu/ops.h"
#include "engine/forward.h"
#include "engine/profile.h"
#include "engine/quants.h"

#include <cmath>
#include <cstring>
#include <optional>

namespace seekbench {
namespace {

cpu::WeightView view(const TensorRef& t)
{
    return {t.type(), t.rows(), t.cols(), t.row_bytes(), t.data()};
}

void add_bias(float* x, const TensorRef& b, int M, int64_t n)
{
    if (!b)
        return;
    for (int m = 0; m < M; ++m)
        for (int64_t i = 0; i < n; ++i)
            x[m * n + i] += b.f32()[i];
}

// qwen3moe: each head's vector RMS-normalized on its own before rotation.
void head_norm(float* x, int n_heads, int head_dim, const TensorRef& w, float eps)
{
    for (int h = 0; h < n_heads; ++h)
        cpu::rmsnorm(x + int64_t(h) * head_dim, w.f32(), x + int64_t(h) * head_dim, head_dim, eps);
}

} // namespace

void forward_llama(const Model& model, CpuDevice& cpu, KvCache& cache, const Batch& batch,
                   ForwardState& st, std::vector<float>& logits, Trace* trace)
{
    const ModelConfig& c = model.config();
    const Weights& w = model.weights();
    const int M = batch.size();
    const int64_t dim = c.dim, q_dim = int64_t(c.n_heads) * c.head_dim,
                  kv_dim = int64_t(c.n_kv_heads) * c.head_dim, v_dim = int64_t(c.n_kv_heads) * c.head_dim_v,
                  o_dim = int64_t(c.n_heads) * c.head_dim_v;
    st.x.resize(static_cast<std::size_t>(M * dim));
    st.xn.resize(static_cast<std::size_t>(M * dim));
    st.q.resize(static_cast<std::size_t>(M * q_dim));
    st.k.resize(static_cast<std::size_t>(M * kv_dim));
    st.v.resize(static_cast<std::size_t>(M * v_dim));
    st.att.resize(static_cast<std::size_t>(M * o_dim));
    cpu::Matmul& mm = cpu.matmul();
    ThreadPool& pool = cpu.pool();
    const cpu::Kernels& kern = cpu.kernels();

    // Rotary angles once per token for every layer.
    const GgufTensor* factors = model.file().find_tensor("rope_freqs.weight");
    const cpu::Rope rope(c, factors && factors->type == TensorType::F32 && factors->elements() == c.rope_dims / 2
                                ? reinterpret_cast<const float*>(factors->data) : nullptr);
    const int pairs = rope.pairs();
    st.rope_cos.resize(static_cast<std::size_t>(M * pairs));
    st.rope_sin.resize(static_cast<std::size_t>(M * pairs));
    pool.parallel_for(M, [&](int m, int) {
        thread_local std::vector<float> cs, sn;
        rope.angles(batch.pos[static_cast<std::size_t>(m)], cs, sn);
        std::memcpy(&st.rope_cos[static_cast<std::size_t>(m * pairs)], cs.data(), sizeof(float) * static_cast<std::size_t>(pairs));
        std::memcpy(&st.rope_sin[static_cast<std::size_t>(m * pairs)], sn.data(), sizeof(float) * static_cast<std::size_t>(pairs));
    });

    // Embedding: one row of the (possibly quantized) table per token.
    Profile* prof = cpu.profile();
    embed_tokens(model, cpu, batch, st.x.data());

    const cpu::AttentionShape shape{c.n_heads, c.n_kv_heads, c.head_dim, c.head_dim_v,
                                    c.attn_scale > 0 ? c.attn_scale : 1.0f / std::sqrt(static_cast<float>(c.head_dim))};
    const int n_run = st.stop_layer >= 0 ? st.stop_layer : c.n_layers; // the rest may run elsewhere
    for (int l = 0; l < n_run; ++l) {
        const LayerWeights& lw = w.layers[static_cast<std::size_t>(l)];
        if (prof)
            prof->set_layer(l);

        // Attention block: norm, projections, rotary positions, cache, attention, residual.
        norm_rows(cpu, st.x.data(), lw.attn_norm.f32(), st.xn.data(), M, dim, c.norm_eps);
        mm.run({{view(lw.wq), st.q.data(), q_dim}, {view(lw.wk), st.k.data(), kv_dim}, {view(lw.wv), st.v.data(), v_dim}},
               st.xn.data(), dim, M);
        add_bias(st.q.data(), lw.bq, M, q_dim);
        add_bias(st.k.data(), lw.bk, M, kv_dim);
        add_bias(st.v.data(), lw.bv, M, v_dim);
        std::optional<ProfileScope> rope_scope;
        if (prof)
            rope_scope.emplace(prof, "rope + kv", static_cast<uint64_t>(M) * static_cast<uint64_t>(q_dim + kv_dim + v_dim) * 8);
        pool.parallel_for(M, [&](int m, int) {
            const float* cs = &st.rope_cos[static_cast<std::size_t>(m * pairs)];
            const float* sn = &st.rope_sin[static_cast<std::size_t>(m * pairs)];
            float* qm = &st.q[static_cast<std::size_t>(m * q_dim)];
            float* km = &st.k[static_cast<std::size_t>(m * kv_dim)];
            if (c.qk_norm) {
                head_norm(qm, c.n_heads, c.head_dim, lw.q_norm, c.norm_eps);
                head_norm(km, c.n_kv_heads, c.head_dim, lw.k_norm, c.norm_eps);
            }
            rope.rotate(qm, c.n_heads, c.head_dim, cs, sn);
            rope.rotate(km, c.n_kv_heads, c.head_dim, cs, sn);
            const float* vm = &st.v[static_cast<std::size_t>(m * v_dim)];
            uint8_t* kc = cache.k(l, batch.seq[static_cast<std::size_t>(m)], batch.pos[static_cast<std::size_t>(m)]);
            uint8_t* vc = cache.v(l, batch.seq[static_cast<std::size_t>(m)], batch.pos[static_cast<std::size_t>(m)]);
            if (cache.type() == KvType::F16) {
                kern.f32_to_f16(km, reinterpret_cast<uint16_t*>(kc), kv_dim);
                kern.f32_to_f16(vm, reinterpret_cast<uint16_t*>(vc), v_dim);
            } else {
                std::memcpy(kc, km, sizeof(float) * static_cast<std::size_t>(kv_dim));
                std::memcpy(vc, vm, sizeof(float) * static_cast<std::size_t>(v_dim));
            }
        });
        rope_scope.reset();
        {
            const ProfileScope ps(prof, "attention", attention_read_bytes(cache, batch));
            cpu::attention(cpu, cache, l, batch.seq.data(), batch.pos.data(), M, st.q.data(), shape, st.att.data(),
                           attention_probe(trace, l, batch, c.n_heads));
        }
        mm.run_add(view(lw.wo), st.att.data(), o_dim, M, st.x.data(), dim);

        // Feed-forward block: norm, SwiGLU or experts, residual.
        norm_rows(cpu, st.x.data(), lw.ffn_norm.f32(), st.xn.data(), M, dim, c.norm_eps);
        ffn_block(model, cpu, l, st.xn.data(), st.x.data(), batch, *st.ffn, trace);
    }

    // Output: final norm and the vocabulary projection, only for tokens that want logits.
    if (prof)
        prof->set_layer(-1);
    if (st.stop_layer >= 0)
        return; // the residual stays in st.x for the backend that runs the other layers
    int n_out = 0;
    st.out_rows.resize(static_cast<std::size_t>(M * dim));
    for (int m = 0; m < M; ++m)
        if (batch.want_logits[static_cast<std::size_t>(m)])
            cpu::rmsnorm(&st.x[static_cast<std::size_t>(m * dim)], w.output_norm.f32(),
                         &st.out_rows[static_cast<std::size_t>(n_out++ * dim)], dim, c.norm_eps);
    logits.resize(static_cast<std::size_t>(n_out) * static_cast<std::size_t>(c.n_vocab));
    if (n_out > 0)
        mm.run(view(w.output), st.out_rows.data(), dim, n_out, logits.data(), c.n_vocab);
}

} // namespace seekbench
