// What compute devices this process can use. The CPU is always there; CUDA only when the
// engine was built with it AND a driver and a device answer. "No device" is a normal
// answer with a reason, never an exception: callers fall back to the CPU and say why.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace seekbench {

struct CudaDevice {
    int index = 0;
    std::string name;            // e.g. "NVIDIA H100 80GB HBM3"
    int compute_major = 0, compute_minor = 0;
    std::size_t total_memory = 0; // bytes
    std::size_t free_memory = 0;  // bytes, at probe time
};

struct CudaProbe {
    bool compiled = false;        // the engine was built with CUDA
    bool available = false;       // at least one usable device
    std::string reason;           // why not, when !available ("no CUDA device: ...")
    int driver_version = 0, runtime_version = 0; // as CUDA encodes them: 13000 = 13.0
    std::vector<CudaDevice> devices;
};

// Asks the CUDA runtime once; cheap enough to call at startup.
CudaProbe probe_cuda();

struct CpuInfo {
    std::string model;            // from /proc/cpuinfo, "" when unknown
    int logical_cores = 1;
    bool avx2 = false, fma = false, f16c = false, avx512f = false, avx512bw = false,
         avx512vnni = false, avx512bf16 = false, avxvnni = false, amx_tile = false,
         amx_bf16 = false, amx_int8 = false;
};

CpuInfo probe_cpu();

// The widest SIMD level the CPU kernels will use: "AVX-512", "AVX2" or "portable".
const char* simd_name(const CpuInfo& cpu);

// One line for a status bar or log: "CPU (AVX-512, 2 threads)" or "CUDA: NVIDIA H100".
std::string describe(const CpuInfo& cpu);
std::string describe(const CudaProbe& cuda);

} // namespace seekbench
