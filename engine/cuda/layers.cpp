// The blocks of a layer on the GPU. Attention: grouped-query heads over the F16 cache, or
// MLA with weight absorption over the latent-only cache (queries mapped into the latent
// space per head, attention over [c, k_pe], the latent outputs mapped back per head).
// Feed-forward: SwiGLU, or DeepSeekMoE / qwen2moe / qwen3moe / mixtral experts: routing on
// the device; a few tokens multiply the chosen experts picked on the device (no host round
// trip, so a decode step stays one CUDA graph); more tokens are grouped per expert on the
// host, each expert multiplying just its tokens' rows. Experts left in host memory (a GPU
// too small for them) are multiplied by the CPU on the rows the GPU routed.
#include "layers.h"

#include "cuda_compat.cuh"

#include <algorithm>
#include <cmath>

namespace seekbench::cuda {
namespace {

constexpr std::size_t kPartialsBudget = std::size_t(128) << 20; // bytes of attention partials

// Attention of the pass's tokens in launches of at most att_rows tokens; each token's
// query row is H*head_dim floats, its output H*head_dim_v.
void attend(const Pass& p, int l, const float* q, const AttentionDims& d, float* out)
{
    Buffers& b = p.b;
    const KvLayer& kv = p.kv[std::size_t(l)];
    for (int m0 = 0; m0 < p.M; m0 += b.att_rows) {
        const int n = std::min(b.att_rows, p.M - m0);
        int max_keys = 0; // a captured step has no batch: every split of the context is launched
        if (p.batch)
            for (int m = m0; m < m0 + n; ++m)
                max_keys = std::max(max_keys, p.batch->pos[std::size_t(m)] + 1);
        attention(q + int64_t(m0) * d.n_heads * d.head_dim, kv, b.seq + m0, b.pos + m0, n, d, b.partials,
                  out + int64_t(m0) * d.n_heads * d.head_dim_v, p.stream, max_keys);
    }
    if (!p.trace || !p.batch)
        return;
    const AttentionProbe probe = attention_probe(p.trace, l, *p.batch, d.n_heads);
    if (!probe)
        return;
    const std::size_t row = std::size_t(d.n_heads) * std::size_t(kv.n_ctx);
    if (!b.probs)
        b.probs = p.memory.alloc<float>(std::size_t(b.att_rows) * row);
    std::vector<float> host;
    for (int m0 = 0; m0 < p.M; m0 += b.att_rows) {
        const int n = std::min(b.att_rows, p.M - m0);
        attention_probs(q + int64_t(m0) * d.n_heads * d.head_dim, kv, b.seq + m0, b.pos + m0, n, d, b.probs, p.stream);
        host.resize(std::size_t(n) * row);
        CUDA_CHECK(cudaMemcpyAsync(host.data(), b.probs, host.size() * sizeof(float), cudaMemcpyDeviceToHost, p.stream));
        CUDA_CHECK(cudaStreamSynchronize(p.stream));
        for (int m = 0; m < n; ++m)
            for (int h = 0; h < d.n_heads; ++h)
                probe(m0 + m, h, &host[std::size_t(m) * row + std::size_t(h) * std::size_t(kv.n_ctx)],
                      p.batch->pos[std::size_t(m0 + m)] + 1);
    }
}

float softmax_scale(const ModelConfig& c, int head_dim)
{
    return c.attn_scale > 0 ? c.attn_scale : 1.0f / std::sqrt(static_cast<float>(head_dim));
}

void gqa(const Pass& p, int l)
{
    const ModelConfig& c = p.c;
    const DeviceLayer& L = p.w.layers[std::size_t(l)];
    Buffers& b = p.b;
    const int M = p.M;
    const int64_t q_dim = int64_t(c.n_heads) * c.head_dim, kv_dim = int64_t(c.n_kv_heads) * c.head_dim,
                  v_dim = int64_t(c.n_kv_heads) * c.head_dim_v;
    matmul(L.wq, b.xn, M, b.q, false, b.mm, p.blas, p.stream);
    matmul(L.wk, b.xn, M, b.k, false, b.mm, p.blas, p.stream);
    matmul(L.wv, b.xn, M, b.v, false, b.mm, p.blas, p.stream);
    if (L.bq)
        add_bias(b.q, L.bq, M, q_dim, p.stream);
    if (L.bk)
        add_bias(b.k, L.bk, M, kv_dim, p.stream);
    if (L.bv)
        add_bias(b.v, L.bv, M, v_dim, p.stream);
    if (L.q_norm) { // qwen3moe: every head normalized on its own before rotation
        rms_norm(b.q, L.q_norm, b.q, M * c.n_heads, c.head_dim, c.norm_eps, p.stream);
        rms_norm(b.k, L.k_norm, b.k, M * c.n_kv_heads, c.head_dim, c.norm_eps, p.stream);
    }
    rope(b.q, b.pos, M, c.n_heads, c.head_dim, q_dim, p.w.rope, p.stream);
    rope(b.k, b.pos, M, c.n_kv_heads, c.head_dim, kv_dim, p.w.rope, p.stream);
    kv_store(b.k, b.v, p.kv[std::size_t(l)], b.seq, b.pos, M, p.stream);
    const AttentionDims d{c.n_heads, c.n_kv_heads, c.head_dim, c.head_dim_v, softmax_scale(c, c.head_dim)};
    attend(p, l, b.q, d, b.att);
}

// deepseek2.cpp's mla_absorbed, on the device.
void mla(const Pass& p, int l)
{
    const ModelConfig& c = p.c;
    const DeviceLayer& L = p.w.layers[std::size_t(l)];
    Buffers& b = p.b;
    const int M = p.M, H = c.n_heads, nope = c.qk_nope_dim, rope_dim = c.qk_rope_dim, lora = c.kv_lora_rank;
    const int qk = nope + rope_dim, lat = lora + rope_dim, dv = c.head_dim_v;
    // Queries (through their own low-rank bottleneck when there is one) and the latent.
    if (L.wq_a.data) {
        matmul(L.wq_a, b.xn, M, b.q_a, false, b.mm, p.blas, p.stream);
        rms_norm(b.q_a, L.q_a_norm, b.q_a, M, c.q_lora_rank, c.norm_eps, p.stream);
        matmul(L.wq_b, b.q_a, M, b.q, false, b.mm, p.blas, p.stream);
    } else {
        matmul(L.wq, b.xn, M, b.q, false, b.mm, p.blas, p.stream);
    }
    matmul(L.wkv_a, b.xn, M, b.kv_a, false, b.mm, p.blas, p.stream);
    // Normalize the latent, rotate the shared k_pe and each head's q_pe, cache [c, k_pe].
    rms_norm(b.kv_a, L.kv_a_norm, b.kv_a, M, lora, c.norm_eps, p.stream, lat);
    rope(b.kv_a + lora, b.pos, M, 1, rope_dim, lat, p.w.rope, p.stream);
    rope(b.q + nope, b.pos, M, H, qk, int64_t(H) * qk, p.w.rope, p.stream);
    kv_store(b.kv_a, nullptr, p.kv[std::size_t(l)], b.seq, b.pos, M, p.stream);
    // q_lat = [W_UK^T q_nope, q_pe] per head, attention over the latent, W_UV per head.
    head_matmul(L.uk_t, b.q, HeadRows{int64_t(H) * qk, qk}, M, b.q_lat, HeadRows{int64_t(H) * lat, lat}, b.heads_h,
                p.blas, p.stream);
    copy_rows(b.q + nope, qk, b.q_lat + lora, lat, M * H, rope_dim, p.stream);
    const AttentionDims d{H, 1, lat, lora, softmax_scale(c, qk)};
    attend(p, l, b.q_lat, d, b.o_lat);
    head_matmul(L.uv, b.o_lat, HeadRows{int64_t(H) * lora, lora}, M, b.att, HeadRows{int64_t(H) * dv, dv}, b.heads_h,
                p.blas, p.stream);
}

void swiglu(const Pass& p, const DeviceMatrix& gate, const DeviceMatrix& up, const DeviceMatrix& down, float* out,
            bool accumulate)
{
    Buffers& b = p.b;
    matmul(gate, b.xn, p.M, b.gate, false, b.mm, p.blas, p.stream);
    matmul(up, b.xn, p.M, b.up, false, b.mm, p.blas, p.stream);
    silu_mul(b.gate, b.up, int64_t(p.M) * gate.rows, p.stream);
    matmul(down, b.gate, p.M, out, accumulate, b.mm, p.blas, p.stream);
}

bool quantized(const DeviceMatrix& m)
{
    return m.type != TensorType::F32 && m.type != TensorType::F16 && m.type != TensorType::BF16;
}

void trace_routing(const Pass& p, int l, bool gated)
{
    const ModelConfig& c = p.c;
    Buffers& b = p.b;
    const int M = p.M, E = c.n_experts, k = c.n_experts_used;
    std::vector<float> scores(std::size_t(M) * E), weights(std::size_t(M) * k), gates(std::size_t(M), -1.0f);
    std::vector<int> experts(std::size_t(M) * k);
    CUDA_CHECK(cudaMemcpyAsync(scores.data(), b.scores, scores.size() * sizeof(float), cudaMemcpyDeviceToHost, p.stream));
    CUDA_CHECK(cudaMemcpyAsync(weights.data(), b.weights, weights.size() * sizeof(float), cudaMemcpyDeviceToHost, p.stream));
    CUDA_CHECK(cudaMemcpyAsync(experts.data(), b.experts, experts.size() * sizeof(int), cudaMemcpyDeviceToHost, p.stream));
    if (gated)
        CUDA_CHECK(cudaMemcpyAsync(gates.data(), b.shared_gate, gates.size() * sizeof(float), cudaMemcpyDeviceToHost, p.stream));
    CUDA_CHECK(cudaStreamSynchronize(p.stream));
    for (int m = 0; m < M; ++m) {
        RoutingRecord r;
        r.layer = l;
        r.pos = p.batch->pos[std::size_t(m)];
        r.token = p.batch->tokens[std::size_t(m)];
        r.scores.assign(scores.begin() + std::ptrdiff_t(m) * E, scores.begin() + std::ptrdiff_t(m + 1) * E);
        r.experts.assign(experts.begin() + std::ptrdiff_t(m) * k, experts.begin() + std::ptrdiff_t(m + 1) * k);
        r.weights.assign(weights.begin() + std::ptrdiff_t(m) * k, weights.begin() + std::ptrdiff_t(m + 1) * k);
        r.shared_gate = gates[std::size_t(m)];
        p.trace->routing.push_back(std::move(r));
    }
}

// A few tokens: every slot multiplies the expert the router picked for it, read on the device.
void experts_by_slot(const Pass& p, const DeviceLayer& L)
{
    Buffers& b = p.b;
    const int M = p.M, k = p.c.n_experts_used, slots = M * k;
    const int64_t dim = p.c.dim, ff = L.gate_exps.first.rows;
    if (quantized(L.gate_exps.first) || quantized(L.up_exps.first))
        quantize_q8_1(b.xn, b.e_xq, M, dim, p.stream);
    matvec_experts(L.gate_exps.first, L.gate_exps.stride, b.experts, slots, k, b.xn, b.e_xq, b.e_gate, p.stream);
    matvec_experts(L.up_exps.first, L.up_exps.stride, b.experts, slots, k, b.xn, b.e_xq, b.e_up, p.stream);
    silu_mul(b.e_gate, b.e_up, int64_t(slots) * ff, p.stream);
    if (quantized(L.down_exps.first))
        quantize_q8_1(b.e_gate, b.e_xq, slots, ff, p.stream);
    matvec_experts(L.down_exps.first, L.down_exps.stride, b.experts, slots, 1, b.e_gate, b.e_xq, b.e_out, p.stream);
    moe_combine(b.e_out, nullptr, b.weights, M, k, dim, b.x, p.stream);
}

// A batch: the chosen experts come back to the host, which groups the tokens per expert;
// each expert multiplies just its tokens' rows (cuBLAS for many, its matvec for a few).
void experts_grouped(const Pass& p, const DeviceLayer& L)
{
    Buffers& b = p.b;
    const int M = p.M, E = p.c.n_experts, k = p.c.n_experts_used;
    const int64_t dim = p.c.dim, ff = L.gate_exps.first.rows;
    b.host_experts.resize(std::size_t(M) * k);
    CUDA_CHECK(cudaMemcpyAsync(b.host_experts.data(), b.experts, b.host_experts.size() * sizeof(int),
                               cudaMemcpyDeviceToHost, p.stream));
    CUDA_CHECK(cudaStreamSynchronize(p.stream));
    std::vector<int> offset(std::size_t(E) + 1, 0);
    for (int e : b.host_experts)
        ++offset[std::size_t(e) + 1];
    for (int e = 0; e < E; ++e)
        offset[std::size_t(e) + 1] += offset[std::size_t(e)];
    std::vector<int> next(offset.begin(), offset.end() - 1);
    b.host_gather.resize(b.host_experts.size());
    b.host_slot_rows.resize(b.host_experts.size());
    for (int slot = 0; slot < M * k; ++slot) {
        const int row = next[std::size_t(b.host_experts[std::size_t(slot)])]++;
        b.host_gather[std::size_t(row)] = slot / k;
        b.host_slot_rows[std::size_t(slot)] = row;
    }
    CUDA_CHECK(cudaMemcpyAsync(b.e_gather, b.host_gather.data(), b.host_gather.size() * sizeof(int),
                               cudaMemcpyHostToDevice, p.stream));
    CUDA_CHECK(cudaMemcpyAsync(b.e_slot_rows, b.host_slot_rows.data(), b.host_slot_rows.size() * sizeof(int),
                               cudaMemcpyHostToDevice, p.stream));
    gather_rows(b.xn, b.e_gather, M * k, dim, b.e_rows, p.stream);
    for (int e = 0; e < E; ++e) {
        const int at = offset[std::size_t(e)], n = offset[std::size_t(e) + 1] - at;
        if (n == 0)
            continue;
        matmul(L.gate_exps.expert(e), b.e_rows + int64_t(at) * dim, n, b.e_gate + int64_t(at) * ff, false, b.mm, p.blas,
               p.stream);
        matmul(L.up_exps.expert(e), b.e_rows + int64_t(at) * dim, n, b.e_up + int64_t(at) * ff, false, b.mm, p.blas,
               p.stream);
    }
    silu_mul(b.e_gate, b.e_up, int64_t(M) * k * ff, p.stream);
    for (int e = 0; e < E; ++e) {
        const int at = offset[std::size_t(e)], n = offset[std::size_t(e) + 1] - at;
        if (n > 0)
            matmul(L.down_exps.expert(e), b.e_gate + int64_t(at) * ff, n, b.e_out + int64_t(at) * dim, false, b.mm,
                   p.blas, p.stream);
    }
    // No wait for the copies from host_gather/host_slot_rows: a copy from pageable memory
    // returns once its bytes are staged, so the vectors may change after it.
    moe_combine(b.e_out, b.e_slot_rows, b.weights, M, k, dim, b.x, p.stream);
}

// The experts' weights are in host memory: the routed tokens' rows go to the CPU, their
// weighted sums come back and are added into x.
void experts_on_host(const Pass& p, int l)
{
    Buffers& b = p.b;
    HostExperts& h = *p.host;
    const int M = p.M, k = p.c.n_experts_used;
    const std::size_t dim = std::size_t(p.c.dim);
    h.xn.resize(std::size_t(M) * dim);
    h.experts.resize(std::size_t(M) * std::size_t(k));
    h.weights.resize(h.experts.size());
    CUDA_CHECK(cudaMemcpyAsync(h.xn.data(), b.xn, h.xn.size() * sizeof(float), cudaMemcpyDeviceToHost, p.stream));
    CUDA_CHECK(cudaMemcpyAsync(h.experts.data(), b.experts, h.experts.size() * sizeof(int), cudaMemcpyDeviceToHost,
                               p.stream));
    CUDA_CHECK(cudaMemcpyAsync(h.weights.data(), b.weights, h.weights.size() * sizeof(float), cudaMemcpyDeviceToHost,
                               p.stream));
    CUDA_CHECK(cudaStreamSynchronize(p.stream));
    h.out.assign(std::size_t(M) * dim, 0.0f);
    add_routed_experts(h.model, h.cpu, l, h.xn.data(), M, h.experts.data(), h.weights.data(), h.out.data(), h.scratch);
    CUDA_CHECK(cudaMemcpyAsync(b.e_out, h.out.data(), h.out.size() * sizeof(float), cudaMemcpyHostToDevice, p.stream));
    add(b.x, b.e_out, int64_t(M) * p.c.dim, p.stream); // h.out was staged by the copy: no wait
}

} // namespace

void attention_block(const Pass& p, int l)
{
    const DeviceLayer& L = p.w.layers[std::size_t(l)];
    rms_norm(p.b.x, L.attn_norm, p.b.xn, p.M, p.c.dim, p.c.norm_eps, p.stream);
    if (p.c.is_mla())
        mla(p, l);
    else
        gqa(p, l);
    matmul(L.wo, p.b.att, p.M, p.b.x, true, p.b.mm, p.blas, p.stream);
}

void ffn_block(const Pass& p, int l)
{
    const ModelConfig& c = p.c;
    const DeviceLayer& L = p.w.layers[std::size_t(l)];
    Buffers& b = p.b;
    rms_norm(b.x, L.ffn_norm, b.xn, p.M, c.dim, c.norm_eps, p.stream);
    if (!c.layer_is_moe(l)) {
        swiglu(p, L.gate, L.up, L.down, b.x, true);
        return;
    }
    // Router: scores, the chosen experts and their weights, per token.
    matmul(L.router, b.xn, p.M, b.router_logits, false, b.mm, p.blas, p.stream);
    RouteParams rp;
    rp.n_experts = c.n_experts;
    rp.k = c.n_experts_used;
    rp.sigmoid = c.gating == Gating::Sigmoid;
    rp.n_groups = c.n_expert_groups;
    rp.n_groups_used = c.n_expert_groups_used;
    rp.norm = c.expert_weights_norm;
    rp.scale = c.expert_weights_scale;
    moe_route(b.router_logits, L.router_bias, rp, p.M, b.scores, b.experts, b.weights, p.stream);
    // Shared experts (and qwen2moe's gate on them), added straight into x.
    if (L.gate_sh.data) {
        if (L.shexp_gate) {
            swiglu(p, L.gate_sh, L.up_sh, L.down_sh, b.out_rows, false);
            gated_add(b.out_rows, b.xn, L.shexp_gate, p.M, c.dim, b.x, b.shared_gate, p.stream);
        } else {
            swiglu(p, L.gate_sh, L.up_sh, L.down_sh, b.x, true);
        }
    }
    if (p.trace && p.batch && p.trace->options.routing)
        trace_routing(p, l, L.shexp_gate != nullptr);
    if (!L.gate_exps.first.data)
        experts_on_host(p, l);
    else if (p.M <= kMatvecMaxTokens)
        experts_by_slot(p, L);
    else
        experts_grouped(p, L);
}

Buffers make_buffers(const ModelConfig& c, const DeviceWeights& w, int max, int n_ctx, DeviceMemory& mem)
{
    Buffers b;
    b.max = max;
    const std::size_t M = std::size_t(max), dim = std::size_t(c.dim);
    const std::size_t q_dim = std::size_t(c.n_heads) * std::size_t(c.head_dim);
    const std::size_t kv_dim = std::size_t(c.n_kv_heads) * std::size_t(c.head_dim);
    const std::size_t v_dim = std::size_t(c.n_kv_heads) * std::size_t(c.head_dim_v);
    const std::size_t o_dim = std::size_t(c.n_heads) * std::size_t(c.head_dim_v);
    const std::size_t hidden = std::size_t(std::max({c.hidden_dim, c.shared_hidden_dim, 1}));
    b.x = mem.alloc<float>(M * dim);
    b.xn = mem.alloc<float>(M * dim);
    b.q = mem.alloc<float>(M * q_dim);
    b.k = mem.alloc<float>(M * kv_dim);
    b.v = mem.alloc<float>(M * v_dim);
    b.att = mem.alloc<float>(M * o_dim);
    b.gate = mem.alloc<float>(M * hidden);
    b.up = mem.alloc<float>(M * hidden);
    b.out_rows = mem.alloc<float>(M * dim);
    b.logits = mem.alloc<float>(M * std::size_t(c.n_vocab));
    b.pos = mem.alloc<int>(M);
    b.seq = mem.alloc<int>(M);
    b.rows = mem.alloc<int>(M);

    // Attention: as many tokens per launch as the partials budget allows.
    AttentionDims d{c.n_heads, c.n_kv_heads, c.head_dim, c.head_dim_v, 1.0f};
    if (c.is_mla())
        d = AttentionDims{c.n_heads, 1, c.kv_lora_rank + c.qk_rope_dim, c.kv_lora_rank, 1.0f};
    const std::size_t per_token = attention_scratch_floats(1, d, n_ctx) * sizeof(float);
    b.att_rows = int(std::clamp<std::size_t>(kPartialsBudget / std::max<std::size_t>(per_token, 1), 1, M));
    b.partials = mem.alloc<float>(attention_scratch_floats(b.att_rows, d, n_ctx));

    const std::size_t max_cols = std::size_t(std::max<int64_t>({w.max_cols, c.hidden_dim, 1}));
    b.mm.xq_blocks = std::size_t(kMatvecMaxTokens) * (max_cols / 32 + 1);
    b.mm.xq = mem.alloc<BlockQ8_1>(b.mm.xq_blocks);
    b.mm.xh_elems = M * max_cols;
    b.mm.xh = mem.alloc<__half>(b.mm.xh_elems);
    // A weight tile of at most 32 MB of halves, and at least one row.
    b.mm.tile_elems = std::max<std::size_t>(max_cols, std::min<std::size_t>(std::size_t(16) << 20,
                                                                           std::size_t(w.max_rows) * max_cols));
    b.mm.tile = mem.alloc<__half>(b.mm.tile_elems);

    if (c.is_mla()) {
        const std::size_t H = std::size_t(c.n_heads), lora = std::size_t(c.kv_lora_rank);
        const std::size_t lat = lora + std::size_t(c.qk_rope_dim);
        b.q_a = mem.alloc<float>(M * std::size_t(std::max(c.q_lora_rank, 1)));
        b.kv_a = mem.alloc<float>(M * lat);
        b.q_lat = mem.alloc<float>(M * H * lat);
        b.o_lat = mem.alloc<float>(M * H * lora);
        b.heads_h = mem.alloc<__half>(M * H * std::max(lora, std::size_t(c.qk_nope_dim)));
    }
    if (c.is_moe()) {
        const std::size_t E = std::size_t(c.n_experts), k = std::size_t(c.n_experts_used);
        const std::size_t ff = std::size_t(c.expert_hidden_dim);
        b.router_logits = mem.alloc<float>(M * E);
        b.scores = mem.alloc<float>(M * E);
        b.weights = mem.alloc<float>(M * k);
        b.shared_gate = mem.alloc<float>(M);
        b.experts = mem.alloc<int>(M * k);
        b.e_rows = mem.alloc<float>(M * k * dim);
        b.e_out = mem.alloc<float>(M * k * dim);
        b.e_gate = mem.alloc<float>(M * k * ff);
        b.e_up = mem.alloc<float>(M * k * ff);
        b.e_gather = mem.alloc<int>(M * k);
        b.e_slot_rows = mem.alloc<int>(M * k);
        b.e_xq = mem.alloc<BlockQ8_1>(std::size_t(kMatvecMaxTokens) * k * (std::max(dim, ff) / 32 + 1));
    }
    return b;
}

} // namespace seekbench::cuda
