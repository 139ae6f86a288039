// The device probes: the CPU is always described; CUDA answers "no CUDA device" with a
// reason on a machine without a GPU (CI) and names the device on one (the GPU machine).
#include "engine/device.h"
#include "testing.h"

#include <cstdio>
#include <filesystem>

TEST_CASE("cpu probe describes the machine")
{
    const seekbench::CpuInfo cpu = seekbench::probe_cpu();
    CHECK(cpu.logical_cores >= 1);
    const std::string line = seekbench::describe(cpu);
    CHECK(line.starts_with("CPU ("));
#if defined(__x86_64__)
    CHECK_MSG(!cpu.avx512f || cpu.avx2, "a CPU with AVX-512 always has AVX2");
#endif
}

TEST_CASE("cuda probe answers cleanly")
{
    const seekbench::CudaProbe cuda = seekbench::probe_cuda();
#ifdef SEEKBENCH_HAVE_CUDA
    CHECK(cuda.compiled);
    CHECK(cuda.runtime_version > 0);
#else
    CHECK(!cuda.compiled);
#endif
    const std::string line = seekbench::describe(cuda);
    std::printf("    probe: %s\n", line.c_str());
    if (cuda.available) {
        REQUIRE(!cuda.devices.empty());
        CHECK(!cuda.devices.front().name.empty());
        CHECK(cuda.devices.front().total_memory > 0);
        CHECK(cuda.devices.front().compute_major >= 7);
    } else {
        CHECK(cuda.devices.empty());
        CHECK(cuda.reason.starts_with("no CUDA device: "));
        CHECK(cuda.reason.size() > std::string("no CUDA device: ").size());
        // A machine with an NVIDIA device node should have found it.
        CHECK_MSG(!std::filesystem::exists("/dev/nvidia0") || !cuda.compiled,
                  "/dev/nvidia0 exists but the probe says: " << cuda.reason);
    }
    // Probing twice is harmless and answers the same.
    CHECK_EQ(seekbench::probe_cuda().available, cuda.available);
}
