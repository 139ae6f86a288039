// forward_cpu: checks the batch, then dispatches to the architecture.
#include "forward.h"

#include "arch/ffn.h"
#include "cpu/ops.h"
#include "cpu/packed_weights.h"
#include "error.h"
#include "profile.h"
#include "quants.h"

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
    case Arch::Bert:
    case Arch::NomicBert:
        break;
    }
    throw Error(ErrorCode::Unsupported, c.arch_name + " is an embedding model: it encodes text, it does not generate");
}

void forward_cpu_first_layers(const Model& model, CpuDevice& cpu, KvCache& cache, const Batch& batch,
                              ForwardState& state, int layers, Trace* trace)
{
    std::vector<float> no_logits;
    state.stop_layer = layers;
    try {
        if (model.config().arch == Arch::Deepseek2)
            forward_deepseek2(model, cpu, cache, batch, state, no_logits, trace);
        else
            forward_llama(model, cpu, cache, batch, state, no_logits, trace);
    } catch (...) {
        state.stop_layer = -1;
        throw;
    }
    state.stop_layer = -1;
}

KvCache make_kv_cache(const ModelConfig& c, int n_ctx, int n_seq, KvType type, int layers)
{
    const int n = layers >= 0 ? layers : c.n_layers;
    if (c.is_mla()) // the normalized latent and the shared rotary key, per token per layer
        return KvCache(n, n_ctx, n_seq, int64_t(c.kv_lora_rank) + c.qk_rope_dim, 0, type);
    return KvCache(n, n_ctx, n_seq, int64_t(c.n_kv_heads) * c.head_dim, int64_t(c.n_kv_heads) * c.head_dim_v, type);
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
    for (int layer = 0; layer < cache.n_layers(); ++layer)
        for (int p = from; p < to; ++p) {
            if (cache.type() == KvType::F16)
                rope.shift_f16(reinterpret_cast<uint16_t*>(cache.k(layer, seq, p)) + offset, heads, stride, delta);
            else
                rope.shift_f32(reinterpret_cast<float*>(cache.k(layer, seq, p)) + offset, heads, stride, delta);
        }
}

void embed_tokens(const Model& model, CpuDevice& cpu, const Batch& batch, float* x)
{
    const TensorRef& table = model.weights().token_embd;
    const int64_t dim = model.config().dim;
    const ProfileScope ps(cpu.profile(), "embedding", static_cast<uint64_t>(batch.size()) * table.row_bytes());
    // A table that is also the output matrix may be packed, and its file pages gone: its rows
    // come from the packed copy then, not from the disk.
    const cpu::WeightView view{table.type(), table.rows(), table.cols(), table.row_bytes(), table.data()};
    const cpu::PackedWeights* packed = cpu.matmul().packed();
    if (packed && !packed->find(view)) // not packed (an untied table), or not yet
        packed = nullptr;
    // A row's bytes per thread, taken back out of the packed copy.
    std::vector<uint8_t> unpacked(packed ? table.row_bytes() * static_cast<std::size_t>(cpu.pool().size()) : 0);
    cpu.pool().parallel_for(batch.size(), [&](int m, int thread) {
        const int64_t token = batch.tokens[static_cast<std::size_t>(m)];
        const uint8_t* row = table.data() + static_cast<std::size_t>(token) * table.row_bytes();
        if (packed) {
            uint8_t* mine = unpacked.data() + table.row_bytes() * static_cast<std::size_t>(thread);
            if (packed->row(view, token, mine))
                row = mine;
        }
        dequantize_row(table.type(), row, x + static_cast<std::size_t>(m) * static_cast<std::size_t>(dim), dim);
    });
}

void norm_rows(CpuDevice& cpu, const float* x, const float* weight, float* out, int M, int64_t dim, float eps)
{
    const ProfileScope ps(cpu.profile(), "norm", static_cast<uint64_t>(M) * static_cast<uint64_t>(dim) * 8);
    cpu.pool().parallel_for(M, [&](int m, int) {
        const std::size_t at = static_cast<std::size_t>(m) * static_cast<std::size_t>(dim);
        cpu::rmsnorm(x + at, weight, out + at, dim, eps);
    });
}

uint64_t attention_read_bytes(const KvCache& cache, const Batch& batch)
{
    uint64_t positions = 0;
    for (int32_t p : batch.pos)
        positions += static_cast<uint64_t>(p) + 1;
    return positions * static_cast<uint64_t>(cache.k_dim() + cache.v_dim()) * cache.elem_bytes();
}

} // namespace seekbench
