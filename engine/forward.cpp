// forward_cpu: checks the batch, then dispatches to the architecture.
#include "forward.h"

#include "cpu/ops.h"
#include "error.h"

namespace seekbench {

void forward_cpu(const Model& model, CpuBackend& cpu, KvCache& cache, const Batch& batch,
                 ForwardState& state, std::vector<float>& logits)
{
    const ModelConfig& c = model.config();
    for (int i = 0; i < batch.size(); ++i) {
        if (batch.tokens[i] < 0 || batch.tokens[i] >= c.n_vocab)
            throw Error(ErrorCode::InvalidArgument, "token id " + std::to_string(batch.tokens[i]) +
                                                        " is outside the vocabulary of " + std::to_string(c.n_vocab));
        if (batch.seq[i] < 0 || batch.seq[i] >= cache.n_seq())
            throw Error(ErrorCode::InvalidArgument, "sequence slot " + std::to_string(batch.seq[i]) + " does not exist");
        if (batch.pos[i] < 0 || batch.pos[i] >= cache.n_ctx())
            throw Error(ErrorCode::InvalidArgument, "position " + std::to_string(batch.pos[i]) +
                                                        " is outside the context of " + std::to_string(cache.n_ctx()));
    }
    switch (c.arch) {
    case Arch::Llama:
    case Arch::Qwen2:
        forward_llama(model, cpu, cache, batch, state, logits);
        return;
    }
}

KvCache make_kv_cache(const ModelConfig& c, int n_ctx, int n_seq, KvType type)
{
    return KvCache(c.n_layers, n_ctx, n_seq, int64_t(c.n_kv_heads) * c.head_dim,
                   int64_t(c.n_kv_heads) * c.head_dim_v, type);
}

void rope_shift_keys(const Model& model, KvCache& cache, int seq, int from, int to, int delta)
{
    const ModelConfig& c = model.config();
    const GgufTensor* factors = model.file().find_tensor("rope_freqs.weight");
    const cpu::Rope rope(c, factors && factors->type == TensorType::F32
                                ? reinterpret_cast<const float*>(factors->data) : nullptr);
    for (int layer = 0; layer < c.n_layers; ++layer)
        for (int p = from; p < to; ++p) {
            if (cache.type() == KvType::F16)
                rope.shift_f16(reinterpret_cast<uint16_t*>(cache.k(layer, seq, p)), c.n_kv_heads, c.head_dim, delta);
            else
                rope.shift_f32(reinterpret_cast<float*>(cache.k(layer, seq, p)), c.n_kv_heads, c.head_dim, delta);
        }
}

} // namespace seekbench
