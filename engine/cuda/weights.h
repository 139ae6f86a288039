// A model's weights on the GPU, uploaded once in their file's formats (MLA's per-head
// matrices made once as F16 from either tensor layout), and the check of what the CUDA
// backend runs. Plain structs over device pointers; the memory is owned by DeviceMemory.
#pragma once

#include "kernels.h"

#include "engine/backend.h"
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

// "1.25 GiB", for messages.
std::string gib(std::size_t bytes);

// Why the CUDA backend cannot run `model`, or "" when it can.
std::string unsupported(const Model& model);

// The bytes the weights take on the device, per part.
struct ModelBytes {
    std::vector<std::size_t> layer;   // a layer without its routed experts
    std::vector<std::size_t> experts; // its routed experts (0 for a dense layer)
    std::size_t output = 0;           // the final norm and the output matrix
};
ModelBytes model_bytes(const Model& model);

// What goes on the GPU: layers [first_gpu_layer, n_layers) and the output; the routed
// experts of those layers too unless experts_on_gpu is false.
struct Placement {
    int first_gpu_layer = 0;
    bool experts_on_gpu = true;
    std::size_t bytes = 0;
};
constexpr std::size_t kGpuReserve = std::size_t(256) << 20; // left free for a context's cache and buffers

// The placement asked for (gpu_layers >= 0, or experts on the CPU) or, for -1 and Auto, the
// most the `free` bytes hold: everything; else everything but the routed experts; else the
// last layers that fit. Throws Error (Device, "out of GPU memory: ...") when nothing fits.
Placement plan_placement(const Model& model, std::size_t free, int gpu_layers, ExpertPlacement experts);

// Uploads every weight the GPU's part of the forward pass reads; layers not on the GPU stay
// empty. Throws Error (Device) when a copy fails.
DeviceWeights upload_weights(const Model& model, DeviceMemory& memory, const Placement& placement);

} // namespace seekbench::cuda
