// Finding the CUDA backend. It lives in its own shared library (libseekbench_cuda.so, built
// by nvcc with cuBLAS), loaded only when a CUDA device is there, so that Seekbench starts
// on machines without the CUDA libraries and the engine never links them.
#pragma once

#include "backend.h"

#include <memory>
#include <string>

namespace seekbench {

struct CudaOpen {
    std::unique_ptr<Backend> backend; // null when the model cannot run on a GPU here
    bool device_present = false;      // a CUDA device answered
    std::string why;                  // why there is no backend, when there is none
};

// Places `model` on CUDA device options.gpu as the options ask (layers, experts, the CPU's
// threads for what stays on it), or says why not (no device, no plugin, an old driver, out
// of memory, an architecture or tensor format the GPU backend does not run).
CudaOpen open_cuda_backend(const Model& model, const BackendOptions& options);

// The plugin's entry point (extern "C", so dlsym finds it by name): a new backend, or null
// with the reason written into `why` (at most why_size bytes).
using CudaOpenFn = Backend* (*)(const Model& model, const BackendOptions& options, char* why, std::size_t why_size);
inline constexpr const char* kCudaOpenSymbol = "seekbench_cuda_open";
inline constexpr const char* kCudaPluginName = "libseekbench_cuda.so";

} // namespace seekbench
