// deepseek2 (DeepSeek-V2, V2-Lite, V2.5, Coder-V2, V3, R1): multi-head latent attention
// (MLA) and DeepSeekMoE. Each token's keys and values are compressed into one latent
// vector c (kv_lora_rank) plus a shared rotary key k_pe; only those are cached. Attention
// runs on the latent directly ("weight absorption": q_nope is mapped into latent space by
// W_UK^T, the result mapped back per head by W_UV), or, for checking, on per-head keys and
// values expanded from the latent. Both give the same numbers up to rounding.
#include "engine/arch/ffn.h"
#include "engine/cpu/attention.h"
#include "engine/cpu/ops.h"
#include "engine/forward.h"
#include "engine/fp16.h"
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

// Rows [first, first + n) of a 2-D weight, or of slice `s` of a 3-D one.
cpu::WeightView rows_of(const TensorRef& t, int64_t first, int64_t n, int64_t s = 0)
{
    return {t.type(), n, t.cols(), t.row_bytes(), t.slice(s) + static_cast<std::size_t>(first) * t.row_bytes()};
}

// The (qk_nope x kv_lora) matrix W_UK of head h, as floats: k_nope = W_UK c.
std::vector<float> uk_matrix(const ModelConfig& c, const LayerWeights& lw, int h)
{
    const int nope = c.qk_nope_dim, lora = c.kv_lora_rank;
    std::vector<float> m(static_cast<std::size_t>(nope) * static_cast<std::size_t>(lora));
    std::vector<float> row(static_cast<std::size_t>(std::max(nope, lora)));
    if (lw.wkv_b) { // older files: rows h*(nope+v) .. +nope of attn_kv_b are W_UK
        for (int i = 0; i < nope; ++i)
            dequantize_row(lw.wkv_b.type(), lw.wkv_b.data() + static_cast<std::size_t>(h * (nope + c.head_dim_v) + i) * lw.wkv_b.row_bytes(),
                           &m[static_cast<std::size_t>(i) * static_cast<std::size_t>(lora)], lora);
    } else { // newer files store W_UK^T per head: row r (latent) holds nope values
        for (int r = 0; r < lora; ++r) {
            dequantize_row(lw.wk_b.type(), lw.wk_b.slice(h) + static_cast<std::size_t>(r) * lw.wk_b.row_bytes(), row.data(), nope);
            for (int i = 0; i < nope; ++i)
                m[static_cast<std::size_t>(i) * static_cast<std::size_t>(lora) + static_cast<std::size_t>(r)] = row[static_cast<std::size_t>(i)];
        }
    }
    return m;
}

// W_UV of head h as a weight view: (head_dim_v x kv_lora).
cpu::WeightView uv_view(const ModelConfig& c, const LayerWeights& lw, int h)
{
    if (lw.wkv_b)
        return rows_of(lw.wkv_b, int64_t(h) * (c.qk_nope_dim + c.head_dim_v) + c.qk_nope_dim, c.head_dim_v);
    return rows_of(lw.wv_b, 0, c.head_dim_v, h);
}

// Absorbed attention: q_lat = [W_UK^T q_nope, q_pe] per head against the cached
// [c, k_pe]; the output per head is W_UV (softmax-weighted sum of c).
void mla_absorbed(const Model& model, CpuDevice& cpu, KvCache& cache, int l, const Batch& batch, ForwardState& st,
                  const cpu::AttentionShape& base, Trace* trace)
{
    const ModelConfig& c = model.config();
    const LayerWeights& lw = model.weights().layers[static_cast<std::size_t>(l)];
    const int M = batch.size(), H = c.n_heads, nope = c.qk_nope_dim, rope = c.qk_rope_dim, lora = c.kv_lora_rank;
    const int64_t qk = nope + rope, lat = lora + rope;
    st.q_lat.resize(static_cast<std::size_t>(M * H * lat));
    if (lw.wk_b) { // one matrix-vector product per head, all heads in one dispatch
        std::vector<cpu::MatmulJob> jobs;
        for (int h = 0; h < H; ++h)
            jobs.push_back({rows_of(lw.wk_b, 0, lora, h), &st.q_lat[static_cast<std::size_t>(h * lat)], H * lat, false,
                            &st.q[static_cast<std::size_t>(h * qk)]});
        cpu.matmul().run(jobs, nullptr, H * qk, M);
    } else { // older files hold W_UK itself: accumulate its rows weighted by q_nope
        cpu.pool().parallel_for(H, [&](int h, int) {
            const std::vector<float> uk = uk_matrix(c, lw, h);
            for (int m = 0; m < M; ++m) {
                float* out = &st.q_lat[static_cast<std::size_t>((m * H + h) * lat)];
                std::memset(out, 0, sizeof(float) * static_cast<std::size_t>(lora));
                const float* qn = &st.q[static_cast<std::size_t>((m * H + h) * qk)];
                for (int i = 0; i < nope; ++i)
                    cpu.kernels().axpy_f32(lora, qn[i], &uk[static_cast<std::size_t>(i) * static_cast<std::size_t>(lora)], out);
            }
        });
    }
    for (int m = 0; m < M; ++m) // the rotary part rides along unchanged
        for (int h = 0; h < H; ++h)
            std::memcpy(&st.q_lat[static_cast<std::size_t>((m * H + h) * lat + lora)],
                        &st.q[static_cast<std::size_t>((m * H + h) * qk + nope)], sizeof(float) * static_cast<std::size_t>(rope));
    cpu::AttentionShape shape = base;
    shape.n_kv_heads = 1;
    shape.head_dim = static_cast<int>(lat);
    shape.head_dim_v = lora;
    shape.values_in_keys = true;
    st.o_lat.resize(static_cast<std::size_t>(M * H * lora));
    {
        const ProfileScope ps(cpu.profile(), "attention", attention_read_bytes(cache, batch));
        cpu::attention(cpu, cache, l, batch.seq.data(), batch.pos.data(), M, st.q_lat.data(), shape, st.o_lat.data(),
                       attention_probe(trace, l, batch, H));
    }
    std::vector<cpu::MatmulJob> jobs;
    for (int h = 0; h < H; ++h)
        jobs.push_back({uv_view(c, lw, h), &st.heads_v[static_cast<std::size_t>(h * c.head_dim_v)], int64_t(H) * c.head_dim_v,
                        false, &st.o_lat[static_cast<std::size_t>(h * lora)]});
    cpu.matmul().run(jobs, nullptr, int64_t(H) * lora, M);
}

// Expanded attention: per-head keys [W_UK c, k_pe] and values W_UV c for every cached
// position, then ordinary attention. For checking the absorbed path; one sequence only.
void mla_expanded(const Model& model, CpuDevice& cpu, KvCache& cache, int l, const Batch& batch, ForwardState& st,
                  const cpu::AttentionShape& base, Trace* trace)
{
    const ModelConfig& c = model.config();
    const LayerWeights& lw = model.weights().layers[static_cast<std::size_t>(l)];
    const int M = batch.size(), H = c.n_heads, nope = c.qk_nope_dim, rope = c.qk_rope_dim, lora = c.kv_lora_rank;
    const int64_t qk = nope + rope, dv = c.head_dim_v;
    int n_keys = 0;
    for (int m = 0; m < M; ++m)
        n_keys = std::max(n_keys, batch.pos[static_cast<std::size_t>(m)] + 1);
    const int seq = batch.seq[0];
    KvCache expanded(1, n_keys, 1, H * qk, H * dv, KvType::F32);
    std::vector<float> latent(static_cast<std::size_t>(lora + rope));
    std::vector<std::vector<float>> uk;
    for (int h = 0; h < H; ++h)
        uk.push_back(uk_matrix(c, lw, h));
    for (int p = 0; p < n_keys; ++p) {
        const uint8_t* src = cache.k(l, seq, p);
        for (int i = 0; i < lora + rope; ++i)
            latent[static_cast<std::size_t>(i)] = cache.type() == KvType::F16 ? fp16_to_f32(reinterpret_cast<const uint16_t*>(src)[i])
                                                                            : reinterpret_cast<const float*>(src)[i];
        auto* k = reinterpret_cast<float*>(expanded.k(0, 0, p));
        auto* v = reinterpret_cast<float*>(expanded.v(0, 0, p));
        for (int h = 0; h < H; ++h) {
            for (int i = 0; i < nope; ++i)
                k[h * qk + i] = cpu.kernels().dot_f32(lora, &uk[static_cast<std::size_t>(h)][static_cast<std::size_t>(i) * static_cast<std::size_t>(lora)], latent.data());
            std::memcpy(&k[h * qk + nope], &latent[static_cast<std::size_t>(lora)], sizeof(float) * static_cast<std::size_t>(rope));
            cpu.matmul().run(uv_view(c, lw, h), latent.data(), lora, 1, &v[h * dv], dv);
        }
    }
    std::vector<int32_t> zero_seq(static_cast<std::size_t>(M), 0);
    cpu::AttentionShape shape = base;
    shape.n_kv_heads = H;
    shape.head_dim = static_cast<int>(qk);
    shape.head_dim_v = static_cast<int>(dv);
    cpu::attention(cpu, expanded, 0, zero_seq.data(), batch.pos.data(), M, st.q.data(), shape, st.heads_v.data(),
                   attention_probe(trace, l, batch, H));
}

} // namespace

void forward_deepseek2(const Model& model, CpuDevice& cpu, KvCache& cache, const Batch& batch,
                       ForwardState& st, std::vector<float>& logits, Trace* trace)
{
    const ModelConfig& c = model.config();
    const Weights& w = model.weights();
    const int M = batch.size(), H = c.n_heads, nope = c.qk_nope_dim, rope = c.qk_rope_dim, lora = c.kv_lora_rank;
    const int64_t dim = c.dim, qk = nope + rope, lat = lora + rope;
    cpu::Matmul& mm = cpu.matmul();
    ThreadPool& pool = cpu.pool();
    st.x.resize(static_cast<std::size_t>(M * dim));
    st.xn.resize(static_cast<std::size_t>(M * dim));
    st.q.resize(static_cast<std::size_t>(M * H * qk));
    st.kv_a.resize(static_cast<std::size_t>(M * lat));
    st.q_a.resize(static_cast<std::size_t>(M * std::max(c.q_lora_rank, 1)));
    st.heads_v.resize(static_cast<std::size_t>(M * H * c.head_dim_v));

    const cpu::Rope rotary(c);
    st.rope_cos.resize(static_cast<std::size_t>(M * rotary.pairs()));
    st.rope_sin.resize(static_cast<std::size_t>(M * rotary.pairs()));
    pool.parallel_for(M, [&](int m, int) {
        thread_local std::vector<float> cs, sn;
        rotary.angles(batch.pos[static_cast<std::size_t>(m)], cs, sn);
        std::memcpy(&st.rope_cos[static_cast<std::size_t>(m * rotary.pairs())], cs.data(), sizeof(float) * cs.size());
        std::memcpy(&st.rope_sin[static_cast<std::size_t>(m * rotary.pairs())], sn.data(), sizeof(float) * sn.size());
    });
    Profile* prof = cpu.profile();
    embed_tokens(model, cpu, batch, st.x.data());

    const cpu::AttentionShape shape{H, H, static_cast<int>(qk), c.head_dim_v,
                                    c.attn_scale > 0 ? c.attn_scale : 1.0f / std::sqrt(static_cast<float>(qk))};
    const int n_run = st.stop_layer >= 0 ? st.stop_layer : c.n_layers; // the rest may run elsewhere
    for (int l = 0; l < n_run; ++l) {
        const LayerWeights& lw = w.layers[static_cast<std::size_t>(l)];
        if (prof)
            prof->set_layer(l);
        norm_rows(cpu, st.x.data(), lw.attn_norm.f32(), st.xn.data(), M, dim, c.norm_eps);
        // Queries (optionally through their own low-rank bottleneck) and the compressed KV.
        if (lw.wq_a) {
            mm.run({{view(lw.wq_a), st.q_a.data(), c.q_lora_rank}, {view(lw.wkv_a), st.kv_a.data(), lat}}, st.xn.data(), dim, M);
            pool.parallel_for(M, [&](int m, int) {
                float* qa = &st.q_a[static_cast<std::size_t>(m * c.q_lora_rank)];
                cpu::rmsnorm(qa, lw.q_a_norm.f32(), qa, c.q_lora_rank, c.norm_eps);
            });
            mm.run(view(lw.wq_b), st.q_a.data(), c.q_lora_rank, M, st.q.data(), H * qk);
        } else {
            mm.run({{view(lw.wq), st.q.data(), H * qk}, {view(lw.wkv_a), st.kv_a.data(), lat}}, st.xn.data(), dim, M);
        }
        // Normalize the latent, rotate q_pe and the shared k_pe, cache [c, k_pe].
        std::optional<ProfileScope> rope_scope;
        if (prof)
            rope_scope.emplace(prof, "rope + kv", static_cast<uint64_t>(M) * static_cast<uint64_t>(H * qk + 2 * lat) * 8);
        pool.parallel_for(M, [&](int m, int) {
            const float* cs = &st.rope_cos[static_cast<std::size_t>(m * rotary.pairs())];
            const float* sn = &st.rope_sin[static_cast<std::size_t>(m * rotary.pairs())];
            float* kv = &st.kv_a[static_cast<std::size_t>(m * lat)];
            cpu::rmsnorm(kv, lw.kv_a_norm.f32(), kv, lora, c.norm_eps);
            rotary.rotate(kv + lora, 1, rope, cs, sn);
            rotary.rotate(&st.q[static_cast<std::size_t>(m * H * qk + nope)], H, static_cast<int>(qk), cs, sn);
            uint8_t* dst = cache.k(l, batch.seq[static_cast<std::size_t>(m)], batch.pos[static_cast<std::size_t>(m)]);
            if (cache.type() == KvType::F16)
                cpu.kernels().f32_to_f16(kv, reinterpret_cast<uint16_t*>(dst), lat);
            else
                std::memcpy(dst, kv, sizeof(float) * static_cast<std::size_t>(lat));
        });
        rope_scope.reset();
        if (st.mla_expanded)
            mla_expanded(model, cpu, cache, l, batch, st, shape, trace);
        else
            mla_absorbed(model, cpu, cache, l, batch, st, shape, trace);
        mm.run_add(view(lw.wo), st.heads_v.data(), int64_t(H) * c.head_dim_v, M, st.x.data(), dim);

        norm_rows(cpu, st.x.data(), lw.ffn_norm.f32(), st.xn.data(), M, dim, c.norm_eps);
        ffn_block(model, cpu, l, st.xn.data(), st.x.data(), batch, *st.ffn, trace);
    }

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
