// CPU feature detection and the human-readable device lines. The CUDA probe lives in
// cuda/probe.cu, or in cuda_absent.cpp when the engine is built without CUDA.
#include "device.h"

#include <fstream>
#include <thread>

namespace seekbench {

CpuInfo probe_cpu()
{
    CpuInfo info;
    info.logical_cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    info.avx2 = __builtin_cpu_supports("avx2");
    info.fma = __builtin_cpu_supports("fma");
    info.avx512f = __builtin_cpu_supports("avx512f");
    info.avx512bw = __builtin_cpu_supports("avx512bw");
    info.avx512vnni = __builtin_cpu_supports("avx512vnni");
#endif
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (info.model.empty() && line.rfind("model name", 0) == 0) {
            auto colon = line.find(':');
            if (colon != std::string::npos && colon + 2 <= line.size())
                info.model = line.substr(colon + 2);
        } else if (line.rfind("flags", 0) == 0) {
            auto has = [&](const char* flag) {
                return line.find(std::string(" ") + flag + " ") != std::string::npos ||
                       line.ends_with(std::string(" ") + flag);
            };
            info.f16c = has("f16c");
            info.avx512bf16 = has("avx512_bf16");
            info.avxvnni = has("avx_vnni");
            info.avx512vnni = info.avx512vnni || has("avx512_vnni");
            info.amx_tile = has("amx_tile");
            info.amx_bf16 = has("amx_bf16");
            info.amx_int8 = has("amx_int8");
            break;
        }
    }
    return info;
}

const char* simd_name(const CpuInfo& cpu)
{
    if (cpu.avx512f && cpu.avx512bw)
        return "AVX-512";
    if (cpu.avx2 && cpu.fma)
        return cpu.avxvnni ? "AVX2 + VNNI" : "AVX2";
    return "portable";
}

std::string describe(const CpuInfo& cpu)
{
    return std::string("CPU (") + simd_name(cpu) + ", " + std::to_string(cpu.logical_cores) +
           " threads)";
}

std::string describe(const CudaProbe& cuda)
{
    if (!cuda.available)
        return "CUDA unavailable: " + cuda.reason;
    std::string text = "CUDA: " + cuda.devices.front().name;
    if (cuda.devices.size() > 1)
        text += " (+" + std::to_string(cuda.devices.size() - 1) + ")";
    return text;
}

} // namespace seekbench
