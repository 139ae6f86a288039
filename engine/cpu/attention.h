// Causal self-attention over the KV cache for a batch of tokens: each token attends to
// positions 0..pos of its own sequence slot. Grouped-query heads share one KV head, so
// the keys and values are read once per group.
#pragma once

#include "cpu_device.h"

#include "engine/backend.h"
#include "engine/kv_cache.h"

#include <cstdint>
#include <functional>

namespace seekbench::cpu {

struct AttentionShape {
    int n_heads, n_kv_heads, head_dim, head_dim_v;
    float scale;                  // usually 1/sqrt(head_dim)
    bool values_in_keys = false;  // MLA: the value is the first head_dim_v of the key row
};

// Called with the softmax probabilities of (token m, head h) over positions 0..pos, when set.
using AttentionProbe = seekbench::AttentionProbe;

// q: M x (n_heads*head_dim); out: M x (n_heads*head_dim_v).
void attention(CpuDevice& cpu, const KvCache& cache, int layer, const int32_t* seq,
               const int32_t* pos, int M, const float* q, const AttentionShape& shape, float* out,
               const AttentionProbe& probe = {});

} // namespace seekbench::cpu
