// A model's weights on the GPU, uploaded once in their file's formats (MLA's per-head
// matrices made once as F16 from either tensor layout), and the check of what the CUDA
// backend runs. Plain structs over device pointers; the memory is owned by DeviceMemory.
#pragma once

#include "kernels.h"

#include "engine/model.h"

#include <string>
#include <vector>

namespace seekbench::cuda {

// Device memory, freed when the owner goes.
class DeviceMemory {
public:
    DeviceMemory() = default;
    DeviceMemory(const DeviceMemory&) = delete;
    DeviceMemory& operator=(const DeviceMemory&) = delete;
    ~DeviceMemory();
    void* alloc_bytes(std::size_t bytes);
    template <typename T> T* alloc(std::size_t count) { return static_cast<T*>(alloc_bytes(count * sizeof(T))); }
    void* upload(const void* host, std::size_t bytes);

private:
    std::vector<void*> m_blocks;
};

// A stack of expert matrices: expert e is `first` moved by e * stride bytes.
struct ExpertMatrices {
    DeviceMatrix first;       // (rows, cols) of one expert
    std::size_t stride = 0;
    DeviceMatrix expert(int e) const
    {
        DeviceMatrix m = first;
        m.data = static_cast<const uint8_t*>(first.data) + std::size_t(e) * stride;
        return m;
    }
};

struct DeviceLayer {
    const float* attn_norm = nullptr;    // (dim)
    const float* ffn_norm = nullptr;     // (dim)
    const float *bq = nullptr, *bk = nullptr, *bv = nullptr;
    const float *q_norm = nullptr, *k_norm = nullptr; // (head_dim), qwen3moe
    DeviceMatrix wq, wk, wv, wo;         // as LayerWeights

    // MLA (deepseek2)
    DeviceMatrix wq_a, wq_b, wkv_a;      // (q_lora, dim), (H*qk, q_lora), (lora+rope, dim)
    const float *q_a_norm = nullptr, *kv_a_norm = nullptr;
    HeadMatrices uk_t;                   // H x (lora, nope): W_UK^T, absorbs q_nope
    HeadMatrices uv;                     // H x (dv, lora): W_UV

    // Feed-forward: dense, or routed experts with optional shared ones
    DeviceMatrix gate, up, down;         // (hidden, dim), (hidden, dim), (dim, hidden)
    DeviceMatrix router;                 // (E, dim)
    const float* router_bias = nullptr;  // (E)
    ExpertMatrices gate_exps, up_exps, down_exps;
    DeviceMatrix gate_sh, up_sh, down_sh;
    const float* shexp_gate = nullptr;   // (dim), qwen2moe
};

struct DeviceWeights {
    std::vector<DeviceLayer> layers;
    DeviceMatrix output;                 // (n_vocab, dim)
    const float* output_norm = nullptr;
    RopeParams rope;
    int64_t max_cols = 0, max_rows = 0;  // over the matrices the matmul scratch must hold
};

// Why the CUDA backend cannot run `model`, or "" when it can.
std::string unsupported(const Model& model);

// The bytes the weights take on the device (throws nothing).
std::size_t device_bytes(const Model& model);

// Uploads every weight the forward pass reads; throws Error (Device) when a copy fails.
DeviceWeights upload_weights(const Model& model, DeviceMemory& memory);

} // namespace seekbench::cuda
