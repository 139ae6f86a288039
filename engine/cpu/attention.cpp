// attention(): one task per (token, KV head, slice of its query heads); the slice's heads
// go through each key and value row together. Scores and softmax in a per-thread buffer.
#include "attention.h"

#include "ops.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace seekbench::cpu {

void attention(CpuDevice& cpu, const KvCache& cache, int layer, const int32_t* seq,
               const int32_t* pos, int M, const float* q, const AttentionShape& s, float* out,
               const AttentionProbe& probe)
{
    const Kernels& k = cpu.kernels();
    const int group = s.n_heads / s.n_kv_heads;
    const int64_t q_stride = int64_t(s.n_heads) * s.head_dim, o_stride = int64_t(s.n_heads) * s.head_dim_v;
    const bool f16 = cache.type() == KvType::F16;
    const int64_t eb = static_cast<int64_t>(cache.elem_bytes());
    // Tasks: (token, KV head, slice of its query heads). Few tokens and KV heads (decode,
    // MLA's single latent head) split the heads so every thread has work.
    const int threads = cpu.pool().size();
    const int slices = std::min(group, std::max(1, (2 * threads + M * s.n_kv_heads - 1) / (M * s.n_kv_heads)));
    const int per_slice = (group + slices - 1) / slices;
    cpu.pool().parallel_for(M * s.n_kv_heads * slices, [&](int task, int) {
        thread_local std::vector<float> scores; // (heads of the slice, n_keys)
        const int m = task / (s.n_kv_heads * slices), kvh = task / slices % s.n_kv_heads, slice = task % slices;
        const int n_keys = pos[m] + 1;
        const int g0 = slice * per_slice, n_g = std::min(group, g0 + per_slice) - g0;
        if (n_g <= 0)
            return;
        const int h0 = kvh * group + g0;
        scores.resize(static_cast<std::size_t>(n_g) * static_cast<std::size_t>(n_keys));
        const uint8_t* key0 = cache.k(layer, seq[m], 0) + int64_t(kvh) * s.head_dim * eb;
        const uint8_t* val0 = s.values_in_keys ? key0 : cache.v(layer, seq[m], 0) + int64_t(kvh) * s.head_dim_v * eb;
        const int64_t val_stride = s.values_in_keys ? cache.k_dim() : cache.v_dim(); // elements between positions
        const float* q0 = q + m * q_stride + int64_t(h0) * s.head_dim;
        float* o0 = out + m * o_stride + int64_t(h0) * s.head_dim_v;
        // Scores: the heads of the slice share each key, so it is read (and converted) once.
        if (f16)
            k.scores_f16(s.head_dim, reinterpret_cast<const uint16_t*>(key0), cache.k_dim(), n_keys, q0, s.head_dim, n_g,
                         s.scale, scores.data(), n_keys);
        else
            for (int g = 0; g < n_g; ++g)
                for (int p = 0; p < n_keys; ++p) {
                    const float* key = reinterpret_cast<const float*>(key0) + int64_t(p) * cache.k_dim();
                    scores[static_cast<std::size_t>(g) * static_cast<std::size_t>(n_keys) + static_cast<std::size_t>(p)] =
                        s.scale * k.dot_f32(s.head_dim, key, q0 + int64_t(g) * s.head_dim);
                }
        for (int g = 0; g < n_g; ++g) {
            float* sg = scores.data() + static_cast<std::size_t>(g) * static_cast<std::size_t>(n_keys);
            k.softmax(sg, n_keys);
            if (probe)
                probe(m, h0 + g, sg, n_keys);
        }
        if (f16) {
            k.wsum_f16_n(s.head_dim_v, reinterpret_cast<const uint16_t*>(val0), val_stride, n_keys, scores.data(), n_keys,
                         n_g, o0, s.head_dim_v);
            return;
        }
        for (int g = 0; g < n_g; ++g) {
            float* oh = o0 + int64_t(g) * s.head_dim_v;
            std::memset(oh, 0, sizeof(float) * static_cast<std::size_t>(s.head_dim_v));
            for (int p = 0; p < n_keys; ++p)
                k.axpy_f32(s.head_dim_v, scores[static_cast<std::size_t>(g) * static_cast<std::size_t>(n_keys) + static_cast<std::size_t>(p)],
                           reinterpret_cast<const float*>(val0) + static_cast<std::size_t>(p) * static_cast<std::size_t>(val_stride), oh);
        }
    });
}

} // namespace seekbench::cpu
