// CpuBackend and its context: forward_cpu over a host KvCache, context shifts by moving
// cache rows and re-rotating their keys.
#include "backend.h"

#include "engine/error.h"
#include "engine/fp16.h"
#include "engine/forward.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>

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
    pack_weights();
}

CpuBackend::CpuBackend(const Model& model, int n_threads, const CpuTier& tier) : m_model(model), m_cpu(n_threads, tier)
{
    pack_weights();
}

CpuBackend::~CpuBackend() = default;

std::string CpuBackend::describe() const
{
    std::string d = m_cpu.describe();
    if (m_packed) {
        char gib[32];
        std::snprintf(gib, sizeof gib, "%.1f GiB", static_cast<double>(m_packed->bytes()) / double(1 << 30));
        d += std::string(", ") + (m_packed->done() ? "" : "packing ") + gib + " of weights" + (m_packed->done() ? " packed" : "");
    }
    return d;
}

// Every matrix the kernels can pack whole, except tables that are only looked up (the
// embeddings, unless the output reuses them): they are read a few rows at a time. Packed only
// when the copy takes at most half of the memory available, as the huge-page copies
// (map_prefetch.h); SEEKBENCH_PACK_WEIGHTS=0 keeps every weight in the file's layout.
void CpuBackend::pack_weights()
{
    if (const char* v = std::getenv("SEEKBENCH_PACK_WEIGHTS"); v && std::strcmp(v, "0") == 0)
        return;
    const cpu::Kernels& k = m_cpu.kernels();
    const Weights& weights = m_model.weights();
    std::vector<cpu::WeightView> views;
    std::size_t bytes = 0;
    for (const GgufTensor& t : m_model.file().tensors()) {
        const bool lookup = t.name == "position_embd.weight" || t.name == "token_types.weight" ||
                            (t.name == "token_embd.weight" && weights.output.t != &t);
        if (t.n_dims < 2 || lookup)
            continue;
        const cpu::WeightView w{t.type, t.ne[1] * t.ne[2] * t.ne[3], t.ne[0], row_bytes(t.type, t.ne[0]), t.data};
        if (!cpu::PackedWeights::packable(k, w, t.ne[1]))
            continue;
        views.push_back(w);
        bytes += t.nbytes;
    }
    if (views.empty() || bytes > available_memory() / 2)
        return;
    // AMX panels are made from the file's rows: those stay, in huge pages, for the prompts.
    // Otherwise the file's pages of a weight go once it is packed, and are not moved into
    // huge pages before.
    const bool amx = m_cpu.matmul().amx_enabled();
    std::function<void(const cpu::WeightView&)> packed;
    if (!amx) {
        packed = [&model = m_model](const cpu::WeightView& w) {
            model.drop_pages({w.data, static_cast<std::size_t>(w.rows) * w.row_bytes});
        };
        std::vector<MapPrefetch::Range> ranges;
        for (const cpu::WeightView& w : views)
            ranges.emplace_back(w.data, static_cast<std::size_t>(w.rows) * w.row_bytes);
        m_model.skip_huge_page_moves(ranges);
    }
    // The packing starts once the background reads are done: it then reads pages in memory,
    // and a prompt sent at once has the disk and the cores (with the two at once, the first
    // token of a cold 3.8 GB Q4_K file came 0.5-0.8 s later; README, "Q4_K and Q6_K packed at load").
    try {
        m_packed = std::make_unique<cpu::PackedWeights>(k, views, std::move(packed),
                                                        [&model = m_model] { return model.background_reads_done(); });
    } catch (const Error&) { // no memory for the copy: the file's layout serves, as for larger models
        return;
    }
    m_cpu.matmul().set_packed(m_packed.get());
}

void CpuBackend::wait_for_background_work(double timeout_s)
{
    if (m_packed)
        m_packed->wait(timeout_s);
}

std::unique_ptr<BackendContext> CpuBackend::new_context(int n_ctx, int n_seq, KvType kv_type)
{
    if (n_ctx < 1 || n_seq < 1)
        throw Error(ErrorCode::InvalidArgument, "a context needs at least one position and one sequence");
    return std::make_unique<CpuContext>(m_model, m_cpu, n_ctx, n_seq, kv_type);
}

} // namespace seekbench
