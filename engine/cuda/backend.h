// The CUDA backend: a whole model on one NVIDIA GPU, weights uploaded once in their file's
// format: llama, qwen2 and mixtral, qwen2moe, qwen3moe, and deepseek2 (MLA with weight
// absorption over a latent-only cache, DeepSeekMoE routing on the device). When the GPU is
// short of memory, the first layers run on the CPU, or the routed experts do (their weights
// stay in host memory). What it cannot run (a format, a shape) open_cuda says, and the engine
// uses the CPU.
#pragma once

#include "engine/backend.h"

#include <memory>
#include <string>

namespace seekbench::cuda {

struct CudaOptions {
    int max_batch = 512;   // tokens per forward pass on the device (larger batches are split)
    bool graphs = true;    // capture a decode step once and replay it (not with experts on the CPU)
    int gpu_layers = -1;   // as BackendOptions
    ExpertPlacement experts = ExpertPlacement::Auto;
    int cpu_threads = 0;   // for the parts on the CPU; 0: one per core
    std::string cpu_tier;  // their kernels (empty: the best this CPU runs)
};

// Places `model` on device `gpu`; null with the reason in `why` when it cannot (a model or a
// tensor format the backend does not run, too little GPU memory, no device).
std::unique_ptr<Backend> open_cuda(const Model& model, int gpu, std::string& why, const CudaOptions& options = {});

// Graph replays run by this process so far (for tests: a decode step was replayed).
long long graph_replays();

} // namespace seekbench::cuda
