// forward_cpu: checks the batch, then dispatches to the architecture.
#include "forward.h"

#include "arch/ffn.h"
#include "cpu/ops.h"
#include "error.h"

namespace seekbench {

ForwardState::ForwardState() : ffn(std::make_unique<FfnScratch>()) {}
ForwardState::~ForwardState() = default;

void forward_cpu(const Model& model, CpuDevice& cpu, KvCache& cache, const Batch& batch,
                 ForwardState& state, std::vector<float>& logits, Trace* trace)
{
    const ModelConfig& c = model.config();
    check_batch(c, cache.n_ctx(), cache.n_seq(), batch);
    begin_trace(c, batch, trace);
    switch (c.arch) {
    case Arch::Llama:
    case Arch::Qwen2:
    case Arch::Qwen2Moe:
    case Arch::Qwen3Moe:
        forward_llama(model, cpu, cache, batch, state, logits, trace);
        return;
    case Arch::Deepseek2:
        forward_deepseek2(model, cpu, cache, batch, state, logits, trace);
        return;
    }
}

cpu::AttentionProbe attention_probe(Trace* trace, int layer, const Batch& batch, int n_heads)
{
    if (!trace || !trace->options.attention || !trace->options.wants_layer(layer))
        return {};
    const int M = batch.size();
    // Rows are made here, before the threads write into them: one per token per head kept.
    std::vector<std::pair<std::vector<std::vector<float>>*, std::size_t>> slots(static_cast<std::size_t>(n_heads),
                                                                               {nullptr, 0});
    for (int h = 0; h < n_heads; ++h) // first every map, since adding one may move the others
        if (trace->options.wants_head(h))
            trace->map(layer, h);
    for (int h = 0; h < n_heads; ++h) {
        if (!trace->options.wants_head(h))
            continue;
        AttentionMap& map = trace->map(layer, h);
        slots[static_cast<std::size_t>(h)] = {&map.probs, map.probs.size()};
        map.query_pos.insert(map.query_pos.end(), batch.pos.begin(), batch.pos.end());
        map.probs.resize(map.probs.size() + static_cast<std::size_t>(M));
    }
    return [slots](int m, int head, const float* probs, int n_keys) {
        const auto& [rows, base] = slots[static_cast<std::size_t>(head)];
        if (rows)
            (*rows)[base + static_cast<std::size_t>(m)].assign(probs, probs + n_keys);
    };
}

KvCache make_kv_cache(const ModelConfig& c, int n_ctx, int n_seq, KvType type)
{
    if (c.is_mla()) // the normalized latent and the shared rotary key, per token per layer
        return KvCache(c.n_layers, n_ctx, n_seq, int64_t(c.kv_lora_rank) + c.qk_rope_dim, 0, type);
    return KvCache(c.n_layers, n_ctx, n_seq, int64_t(c.n_kv_heads) * c.head_dim,
                   int64_t(c.n_kv_heads) * c.head_dim_v, type);
}

void rope_shift_keys(const Model& model, KvCache& cache, int seq, int from, int to, int delta)
{
    const ModelConfig& c = model.config();
    const GgufTensor* factors = model.file().find_tensor("rope_freqs.weight");
    const cpu::Rope rope(c, factors && factors->type == TensorType::F32
                                ? reinterpret_cast<const float*>(factors->data) : nullptr);
    // MLA caches one rotary key per token after the latent; others one per KV head.
    const int64_t offset = c.is_mla() ? c.kv_lora_rank : 0;
    const int heads = c.is_mla() ? 1 : c.n_kv_heads;
    const int stride = c.is_mla() ? c.qk_rope_dim : c.head_dim;
    for (int layer = 0; layer < c.n_layers; ++layer)
        for (int p = from; p < to; ++p) {
            if (cache.type() == KvType::F16)
                rope.shift_f16(reinterpret_cast<uint16_t*>(cache.k(layer, seq, p)) + offset, heads, stride, delta);
            else
                rope.shift_f32(reinterpret_cast<float*>(cache.k(layer, seq, p)) + offset, heads, stride, delta);
        }
}

} // namespace seekbench
