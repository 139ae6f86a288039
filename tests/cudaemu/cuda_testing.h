// What the CUDA tests share. They run under the emulator (CI) and, built by nvcc, on a GPU
// (packaging/gpu-check.sh). On a GPU build without a device, every case skips.
// Golden outputs: a GPU run writes each kernel's outputs to $SEEKBENCH_GOLDEN_OUT/NAME.f32;
// once such files are committed to tests/cudaemu/golden/, the emulator's outputs must match
// them, which checks the emulator's own intrinsics against the hardware.
#pragma once

#include "../engine/testing.h"

#include "engine/cuda/cuda_compat.cuh"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace seekbench::test {

inline void need_device()
{
#if !defined(SEEKBENCH_CUDA_EMULATED)
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) {
        cudaGetLastError();
        SKIP("no CUDA device here");
    }
#endif
}

inline void golden(const std::string& name, const std::vector<float>& values, double tolerance)
{
    if (const char* out = std::getenv("SEEKBENCH_GOLDEN_OUT")) {
        std::filesystem::create_directories(out);
        std::ofstream f(std::string(out) + "/" + name + ".f32", std::ios::binary);
        f.write(reinterpret_cast<const char*>(values.data()), std::streamsize(values.size() * sizeof(float)));
    }
    const std::string path = std::string(SEEKBENCH_GOLDEN_DIR) + "/" + name + ".f32";
    if (!std::filesystem::exists(path))
        return; // no GPU run has been committed for this output yet
    std::ifstream f(path, std::ios::binary);
    std::vector<float> expect(values.size());
    f.read(reinterpret_cast<char*>(expect.data()), std::streamsize(expect.size() * sizeof(float)));
    CHECK_MSG(f.gcount() == std::streamsize(expect.size() * sizeof(float)) && f.peek() == EOF,
              name << ": the golden file has another size");
    for (std::size_t i = 0; i < values.size(); ++i)
        CHECK_MSG(std::fabs(values[i] - expect[i]) <= tolerance * (1 + std::fabs(expect[i])),
                  name << "[" << i << "]: " << values[i] << ", the GPU gave " << expect[i]);
}

} // namespace seekbench::test
