// probe_cuda through the CUDA driver API, loaded with dlopen: the engine links no CUDA
// library, so it starts everywhere; a machine without the NVIDIA driver, without a device,
// or with a driver older than the CUDA backend was built for gets the reason in words.
#include "device.h"

#include <dlfcn.h>

namespace seekbench {
namespace {

// The few driver types and entry points the probe uses (cuda.h's, by value).
using CUresult = int;
using CUdevice = int;
using CUcontext = void*;
constexpr int kAttrComputeMajor = 75, kAttrComputeMinor = 76; // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_*

struct Driver {
    void* handle = nullptr;
    CUresult (*init)(unsigned) = nullptr;
    CUresult (*driver_version)(int*) = nullptr;
    CUresult (*device_count)(int*) = nullptr;
    CUresult (*device_get)(CUdevice*, int) = nullptr;
    CUresult (*device_name)(char*, int, CUdevice) = nullptr;
    CUresult (*device_attribute)(int*, int, CUdevice) = nullptr;
    CUresult (*device_memory)(std::size_t*, CUdevice) = nullptr;
    CUresult (*retain)(CUcontext*, CUdevice) = nullptr;
    CUresult (*release)(CUdevice) = nullptr;
    CUresult (*set_current)(CUcontext) = nullptr;
    CUresult (*mem_info)(std::size_t*, std::size_t*) = nullptr;
    CUresult (*error_string)(CUresult, const char**) = nullptr;

    template <typename F> bool bind(F& f, const char* name)
    {
        f = reinterpret_cast<F>(dlsym(handle, name));
        return f != nullptr;
    }
    std::string error(CUresult r) const
    {
        const char* text = nullptr;
        if (error_string && error_string(r, &text) == 0 && text)
            return text;
        return "CUDA driver error " + std::to_string(r);
    }
};

} // namespace

CudaProbe probe_cuda()
{
    CudaProbe probe;
#ifdef SEEKBENCH_HAVE_CUDA
    probe.compiled = true;
    probe.runtime_version = SEEKBENCH_CUDA_RUNTIME_VERSION;
#endif
    Driver d;
    d.handle = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!d.handle) {
        probe.reason = "no CUDA device: no NVIDIA driver here (libcuda.so.1 cannot be loaded)";
        return probe;
    }
    if (!d.bind(d.init, "cuInit") || !d.bind(d.driver_version, "cuDriverGetVersion") ||
        !d.bind(d.device_count, "cuDeviceGetCount") || !d.bind(d.device_get, "cuDeviceGet") ||
        !d.bind(d.device_name, "cuDeviceGetName") || !d.bind(d.device_attribute, "cuDeviceGetAttribute") ||
        !d.bind(d.device_memory, "cuDeviceTotalMem_v2")) {
        probe.reason = "no CUDA device: libcuda.so.1 is not a CUDA driver this build understands";
        dlclose(d.handle);
        return probe;
    }
    d.bind(d.error_string, "cuGetErrorString");
    d.bind(d.retain, "cuDevicePrimaryCtxRetain");
    d.bind(d.release, "cuDevicePrimaryCtxRelease_v2");
    d.bind(d.set_current, "cuCtxSetCurrent");
    d.bind(d.mem_info, "cuMemGetInfo_v2");
    d.driver_version(&probe.driver_version);
    int count = 0;
    CUresult r = d.init(0);
    if (r == 0)
        r = d.device_count(&count);
    if (r != 0 || count == 0) {
        probe.reason = "no CUDA device: " + (r != 0 ? d.error(r) : std::string("the driver reports none"));
    } else if (probe.compiled && probe.driver_version / 1000 < probe.runtime_version / 1000) {
        // Within one major version a driver runs machine code built by a newer toolkit (CUDA's
        // minor-version compatibility), so only the major version must be the driver's or older.
        probe.reason = "no CUDA device: the NVIDIA driver supports CUDA " + std::to_string(probe.driver_version / 1000) +
                       "." + std::to_string(probe.driver_version % 1000 / 10) + ", this build needs " +
                       std::to_string(probe.runtime_version / 1000) + "." +
                       std::to_string(probe.runtime_version % 1000 / 10) + " (update the driver)";
    } else {
        for (int i = 0; i < count; ++i) {
            CUdevice dev = 0;
            char name[256] = "";
            CudaDevice out;
            if (d.device_get(&dev, i) != 0 || d.device_name(name, sizeof name, dev) != 0)
                continue;
            out.index = i;
            out.name = name;
            d.device_attribute(&out.compute_major, kAttrComputeMajor, dev);
            d.device_attribute(&out.compute_minor, kAttrComputeMinor, dev);
            d.device_memory(&out.total_memory, dev);
            CUcontext ctx = nullptr;
            if (d.retain && d.release && d.set_current && d.mem_info && d.retain(&ctx, dev) == 0) {
                std::size_t total = 0;
                if (d.set_current(ctx) == 0)
                    d.mem_info(&out.free_memory, &total);
                d.set_current(nullptr);
                d.release(dev);
            }
            probe.devices.push_back(out);
        }
        probe.available = !probe.devices.empty();
        if (!probe.available)
            probe.reason = "no CUDA device: none of the devices could be queried";
    }
    // The driver stays loaded: it cannot be unloaded safely once initialized.
    return probe;
}

} // namespace seekbench
