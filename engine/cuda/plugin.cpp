// The CUDA backend plugin's one entry point, found by name (dlsym) by engine/cuda_loader.cpp.
#include "backend.h"

#include "engine/cuda_loader.h"

#include <cstdio>

extern "C" seekbench::Backend* seekbench_cuda_open(const seekbench::Model& model, int gpu, char* why, std::size_t why_size)
{
    static_assert(std::is_same_v<decltype(&seekbench_cuda_open), seekbench::CudaOpenFn>,
                  "the entry point must match what the loader calls");
    std::string reason;
    auto backend = seekbench::cuda::open_cuda(model, gpu, reason);
    if (!backend && why && why_size > 0)
        std::snprintf(why, why_size, "%s", reason.c_str());
    return backend.release();
}
