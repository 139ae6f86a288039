// seekbench-cli: the engine from a terminal. Subcommands print results to stdout and
// diagnostics to stderr; a bad argument or file exits 2 or 1 with a one-line reason.
#include "engine/device.h"
#include "engine/error.h"

#include <cstdio>
#include <cstring>
#include <string>

namespace {

int usage(FILE* out)
{
    std::fprintf(out,
                 "usage: seekbench-cli COMMAND [OPTIONS]\n\n"
                 "  devices     the CPU and CUDA devices this build can use\n"
                 "  version     the program version\n");
    return out == stderr ? 2 : 0;
}

int cmd_devices()
{
    const seekbench::CpuInfo cpu = seekbench::probe_cpu();
    std::printf("cpu: %s\n", cpu.model.empty() ? "(unknown model)" : cpu.model.c_str());
    std::printf("     %s; f16c %s, avx512-vnni %s, avx512-bf16 %s\n",
                seekbench::describe(cpu).c_str(), cpu.f16c ? "yes" : "no",
                cpu.avx512vnni ? "yes" : "no", cpu.avx512bf16 ? "yes" : "no");
    const seekbench::CudaProbe cuda = seekbench::probe_cuda();
    if (!cuda.available) {
        std::printf("cuda: %s\n", cuda.reason.c_str());
        return 0;
    }
    std::printf("cuda: runtime %d.%d, driver %d.%d\n", cuda.runtime_version / 1000,
                cuda.runtime_version % 1000 / 10, cuda.driver_version / 1000,
                cuda.driver_version % 1000 / 10);
    for (const seekbench::CudaDevice& d : cuda.devices)
        std::printf("  [%d] %s, sm_%d%d, %.1f GiB (%.1f GiB free)\n", d.index, d.name.c_str(),
                    d.compute_major, d.compute_minor, d.total_memory / 1073741824.0,
                    d.free_memory / 1073741824.0);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2)
        return usage(stderr);
    const std::string cmd = argv[1];
    try {
        if (cmd == "devices")
            return cmd_devices();
        if (cmd == "version" || cmd == "--version") {
            std::printf("seekbench-cli %s\n", SEEKBENCH_VERSION);
            return 0;
        }
        if (cmd == "help" || cmd == "--help" || cmd == "-h")
            return usage(stdout);
    } catch (const seekbench::Error& e) {
        std::fprintf(stderr, "seekbench-cli: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "seekbench-cli: unknown command '%s'\n", cmd.c_str());
    return usage(stderr);
}
