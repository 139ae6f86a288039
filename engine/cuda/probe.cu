// Asks the CUDA runtime which devices exist. A machine without a GPU, or with a driver
// older than the runtime (what CI has), gets "no CUDA device" and the reason, not an error.
#include "../device.h"

#include <cuda_runtime.h>

namespace seekbench {

CudaProbe probe_cuda()
{
    CudaProbe probe;
    probe.compiled = true;
    cudaRuntimeGetVersion(&probe.runtime_version);
    cudaDriverGetVersion(&probe.driver_version); // 0 when no driver is installed

    int count = 0;
    cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess || count == 0) {
        probe.reason = std::string("no CUDA device: ") +
                       (err != cudaSuccess ? cudaGetErrorString(err) : "the driver reports none");
        cudaGetLastError(); // clear the sticky error so later calls start clean
        return probe;
    }
    for (int i = 0; i < count; ++i) {
        cudaDeviceProp prop{};
        if (cudaGetDeviceProperties(&prop, i) != cudaSuccess)
            continue;
        CudaDevice dev;
        dev.index = i;
        dev.name = prop.name;
        dev.compute_major = prop.major;
        dev.compute_minor = prop.minor;
        dev.total_memory = prop.totalGlobalMem;
        if (cudaSetDevice(i) == cudaSuccess)
            cudaMemGetInfo(&dev.free_memory, &dev.total_memory);
        probe.devices.push_back(dev);
    }
    cudaGetLastError();
    probe.available = !probe.devices.empty();
    if (!probe.available)
        probe.reason = "no CUDA device: none of the devices could be queried";
    return probe;
}

} // namespace seekbench
