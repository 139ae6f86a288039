// The CUDA backend plugin's one entry point, found by name (dlsym) by engine/cuda_loader.cpp.
#include "backend.h"

#include "engine/cuda_loader.h"

#include <cstdio>

extern "C" seekbench::Backend* seekbench_cuda_open(const seekbench::Model& model,
                                                  const seekbench::BackendOptions& options, char* why,
                                                  std::size_t why_size)
{
    static_assert(std::is_same_v<decltype(&seekbench_cuda_open), seekbench::CudaOpenFn>,
                  "the entry point must match what the loader calls");
    seekbench::cuda::CudaOptions o;
    o.gpu_layers = options.gpu_layers;
    o.experts = options.experts;
    o.cpu_threads = options.threads;
    o.cpu_tier = options.cpu_tier;
    std::string reason;
    auto backend = seekbench::cuda::open_cuda(model, options.gpu, reason, o);
    if (!backend && why && why_size > 0)
        std::snprintf(why, why_size, "%s", reason.c_str());
    return backend.release();
}
