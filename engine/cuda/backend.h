// The CUDA backend: a dense llama or qwen2 model on one NVIDIA GPU, weights uploaded once in
// their file's format. Part 1 of the GPU work: MoE and MLA models, partial offload and
// experts on the CPU come in part 2; until then open_cuda says why and the engine uses the CPU.
#pragma once

#include "engine/backend.h"

#include <memory>
#include <string>

namespace seekbench::cuda {

struct CudaOptions {
    int max_batch = 512;   // tokens per forward pass on the device (larger batches are split)
    bool graphs = true;    // capture a decode step once and replay it
};

// Places `model` on device `gpu`; null with the reason in `why` when it cannot (a model or a
// tensor format the backend does not run, too little GPU memory, no device).
std::unique_ptr<Backend> open_cuda(const Model& model, int gpu, std::string& why, const CudaOptions& options = {});

// Graph replays run by this process so far (for tests: a decode step was replayed).
long long graph_replays();

} // namespace seekbench::cuda
