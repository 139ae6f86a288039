// CpuBackend and its context: forward_cpu over a host KvCache, context shifts by moving
// cache rows and re-rotating their keys.
#include "backend.h"

#include "engine/error.h"
#include "engine/fp16.h"
#include "engine/forward.h"

#include <cstring>

namespace seekbench {
namespace {

class CpuContext final : public BackendContext {
public:
    CpuContext(const Model& model, CpuDevice& cpu, int n_ctx, int n_seq, KvType kv_type)
        : m_model(model), m_cpu(cpu), m_cache(make_kv_cache(model.config(), n_ctx, n_seq, kv_type))
    {
    }

    int n_ctx() const override { return m_cache.n_ctx(); }
    int n_seq() const override { return m_cache.n_seq(); }
    std::size_t bytes() const override { return m_cache.bytes(); }

    void forward(const Batch& batch, std::vector<float>& logits, Trace* trace) override
    {
        m_cpu.pool().step(); // steps time the pool's trials of fewer threads (threadpool.h)
        forward_cpu(m_model, m_cpu, m_cache, batch, m_state, logits, trace);
    }

    void shift(int seq, int keep, int discard, int n_past) override
    {
        m_cache.move(seq, keep + discard, n_past, -discard);
        rope_shift_keys(m_model, m_cache, seq, keep, n_past - discard, -discard);
    }

    std::vector<float> cached_key(int layer, int seq, int pos) const override
    {
        std::vector<float> k(static_cast<std::size_t>(m_cache.k_dim()));
        const uint8_t* row = m_cache.k(layer, seq, pos);
        if (m_cache.type() == KvType::F16)
            for (std::size_t i = 0; i < k.size(); ++i)
                k[i] = fp16_to_f32(reinterpret_cast<const uint16_t*>(row)[i]);
        else
            std::memcpy(k.data(), row, k.size() * sizeof(float));
        return k;
    }

private:
    const Model& m_model;
    CpuDevice& m_cpu;
    KvCache m_cache;
    ForwardState m_state;
};

} // namespace

CpuBackend::CpuBackend(const Model& model, int n_threads, const cpu::Kernels* kernels)
    : m_model(model), m_cpu(n_threads, kernels)
{
}

CpuBackend::CpuBackend(const Model& model, int n_threads, const CpuTier& tier) : m_model(model), m_cpu(n_threads, tier)
{
}

std::unique_ptr<BackendContext> CpuBackend::new_context(int n_ctx, int n_seq, KvType kv_type)
{
    if (n_ctx < 1 || n_seq < 1)
        throw Error(ErrorCode::InvalidArgument, "a context needs at least one position and one sequence");
    return std::make_unique<CpuContext>(m_model, m_cpu, n_ctx, n_seq, kv_type);
}

} // namespace seekbench
