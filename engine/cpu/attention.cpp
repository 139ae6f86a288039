// attention(): one task per (token, KV head); scores and softmax in a per-thread buffer.
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
        thread_local std::vector<float> scores;
        const int m = task / (s.n_kv_heads * slices), kvh = task / slices % s.n_kv_heads, slice = task % slices;
        const int n_keys = pos[m] + 1;
        scores.resize(static_cast<std::size_t>(n_keys));
        for (int g = slice * per_slice; g < std::min(group, (slice + 1) * per_slice); ++g) {
            const int h = kvh * group + g;
            const float* qh = q + m * q_stride + int64_t(h) * s.head_dim;
            for (int p = 0; p < n_keys; ++p) {
                const uint8_t* key = cache.k(layer, seq[m], p) + int64_t(kvh) * s.head_dim * eb;
                scores[static_cast<std::size_t>(p)] =
                    s.scale * (f16 ? k.dot_f16_f32(s.head_dim, reinterpret_cast<const uint16_t*>(key), qh)
                                   : k.dot_f32(s.head_dim, reinterpret_cast<const float*>(key), qh));
            }
            softmax(scores.data(), n_keys);
            if (probe)
                probe(m, h, scores.data(), n_keys);
            float* oh = out + m * o_stride + int64_t(h) * s.head_dim_v;
            std::memset(oh, 0, sizeof(float) * static_cast<std::size_t>(s.head_dim_v));
            for (int p = 0; p < n_keys; ++p) {
                const uint8_t* val = s.values_in_keys
                                         ? cache.k(layer, seq[m], p) + int64_t(kvh) * s.head_dim * eb
                                         : cache.v(layer, seq[m], p) + int64_t(kvh) * s.head_dim_v * eb;
                const float w = scores[static_cast<std::size_t>(p)];
                if (f16)
                    k.axpy_f16(s.head_dim_v, w, reinterpret_cast<const uint16_t*>(val), oh);
                else
                    k.axpy_f32(s.head_dim_v, w, reinterpret_cast<const float*>(val), oh);
            }
        }
    });
}

} // namespace seekbench::cpu
