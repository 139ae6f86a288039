// KvCache storage. Large calloc blocks are fresh anonymous mappings, already zero, so the
// OS commits memory only as positions are written: a context of 32k costs what is used.
#include "kv_cache.h"

#include "error.h"

#include <cstring>
#include <limits>

namespace seekbench {

KvCache::KvCache(int n_layers, int n_ctx, int n_seq, int64_t k_dim, int64_t v_dim, KvType type)
    : m_n_layers(n_layers), m_n_ctx(n_ctx), m_n_seq(n_seq), m_k_dim(k_dim), m_v_dim(v_dim), m_type(type)
{
    if (n_layers <= 0 || n_ctx <= 0 || n_seq <= 0 || k_dim < 0 || v_dim < 0)
        throw Error(ErrorCode::InvalidArgument, "KV cache: bad dimensions");
    const auto cells = static_cast<double>(n_layers) * n_seq * n_ctx;
    const auto too_big = [&](int64_t dim) {
        return cells * static_cast<double>(dim) * static_cast<double>(elem_bytes()) >
               static_cast<double>(std::numeric_limits<std::ptrdiff_t>::max() / 2);
    };
    const auto allocate = [&](int64_t dim, std::size_t& bytes) {
        bytes = static_cast<std::size_t>(n_layers) * static_cast<std::size_t>(n_seq) * static_cast<std::size_t>(n_ctx) *
                static_cast<std::size_t>(dim) * elem_bytes();
        return static_cast<uint8_t*>(std::calloc(1, bytes > 0 ? bytes : 1));
    };
    if (!too_big(k_dim) && !too_big(v_dim)) {
        m_k.reset(allocate(k_dim, m_k_bytes));
        m_v.reset(allocate(v_dim, m_v_bytes));
    }
    if (!m_k || !m_v)
        throw Error(ErrorCode::InvalidArgument, "KV cache of " + std::to_string(n_ctx) +
                                                    " positions does not fit in memory; use a smaller context");
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
