// KvCache storage. Memory is committed lazily by the OS as positions are written.
#include "kv_cache.h"

#include "error.h"

#include <cstring>

namespace seekbench {

KvCache::KvCache(int n_layers, int n_ctx, int n_seq, int64_t k_dim, int64_t v_dim, KvType type)
    : m_n_layers(n_layers), m_n_ctx(n_ctx), m_n_seq(n_seq), m_k_dim(k_dim), m_v_dim(v_dim), m_type(type)
{
    if (n_layers <= 0 || n_ctx <= 0 || n_seq <= 0 || k_dim < 0 || v_dim < 0)
        throw Error(ErrorCode::InvalidArgument, "KV cache: bad dimensions");
    const std::size_t cells = static_cast<std::size_t>(n_layers) * static_cast<std::size_t>(n_seq) *
                              static_cast<std::size_t>(n_ctx);
    try {
        m_k.resize(cells * static_cast<std::size_t>(k_dim) * elem_bytes());
        m_v.resize(cells * static_cast<std::size_t>(v_dim) * elem_bytes());
    } catch (const std::bad_alloc&) {
        throw Error(ErrorCode::InvalidArgument, "KV cache of " + std::to_string(n_ctx) +
                                                    " positions does not fit in memory; use a smaller context");
    }
}

void KvCache::move(int seq, int from, int to, int delta)
{
    for (int layer = 0; layer < m_n_layers; ++layer) {
        const std::size_t n = static_cast<std::size_t>(to - from);
        std::memmove(k(layer, seq, from + delta), k(layer, seq, from), n * static_cast<std::size_t>(m_k_dim) * elem_bytes());
        std::memmove(v(layer, seq, from + delta), v(layer, seq, from), n * static_cast<std::size_t>(m_v_dim) * elem_bytes());
    }
}

} // namespace seekbench
