// The attention KV cache: for every layer, sequence slot and position, the key and value
// vectors (F16 by default, F32 on request). Slot s position p lives at a fixed address, so
// a batch may mix sequences (a server's continuous batching) at no cost to a single one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

namespace seekbench {

enum class KvType { F16, F32 };

class KvCache {
public:
    // k_dim/v_dim: values per token per layer (n_kv_heads * head_dim).
    KvCache(int n_layers, int n_ctx, int n_seq, int64_t k_dim, int64_t v_dim, KvType type);

    int n_layers() const { return m_n_layers; }
    int n_ctx() const { return m_n_ctx; }
    int n_seq() const { return m_n_seq; }
    int64_t k_dim() const { return m_k_dim; }
    int64_t v_dim() const { return m_v_dim; }
    KvType type() const { return m_type; }
    std::size_t elem_bytes() const { return m_type == KvType::F16 ? 2 : 4; }
    // Address space reserved; memory is only committed for the positions written.
    std::size_t bytes() const { return m_k_bytes + m_v_bytes; }

    uint8_t* k(int layer, int seq, int pos) { return m_k.get() + offset(layer, seq, pos, m_k_dim); }
    uint8_t* v(int layer, int seq, int pos) { return m_v.get() + offset(layer, seq, pos, m_v_dim); }
    const uint8_t* k(int layer, int seq, int pos) const { return m_k.get() + offset(layer, seq, pos, m_k_dim); }
    const uint8_t* v(int layer, int seq, int pos) const { return m_v.get() + offset(layer, seq, pos, m_v_dim); }

    // Moves positions [from, to) of `seq` by `delta` (< 0: towards the start), every layer.
    // The keys still carry their old rotary positions; the caller re-rotates them.
    void move(int seq, int from, int to, int delta);

private:
    std::size_t offset(int layer, int seq, int pos, int64_t dim) const
    {
        return ((static_cast<std::size_t>(layer) * static_cast<std::size_t>(m_n_seq) + static_cast<std::size_t>(seq)) *
                    static_cast<std::size_t>(m_n_ctx) + static_cast<std::size_t>(pos)) *
               static_cast<std::size_t>(dim) * elem_bytes();
    }

    int m_n_layers, m_n_ctx, m_n_seq;
    int64_t m_k_dim, m_v_dim;
    KvType m_type;
    struct Free {
        void operator()(uint8_t* p) const { std::free(p); }
    };
    std::unique_ptr<uint8_t[], Free> m_k, m_v; // zeroed pages from calloc: untouched ones cost nothing
    std::size_t m_k_bytes = 0, m_v_bytes = 0;
};

} // namespace seekbench
