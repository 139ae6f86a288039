// open_cuda_backend: the device probe first (cheap, and it says why there is none), then
// the plugin, looked for beside the executable, in ../lib, or where SEEKBENCH_CUDA_PLUGIN
// points; dlopen'ed once per process.
#include "cuda_loader.h"

#include "device.h"

#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <mutex>
#include <unistd.h>

namespace seekbench {
namespace {

std::filesystem::path executable_dir()
{
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::path() : exe.parent_path();
}

// The plugin's entry point, or null and why.
CudaOpenFn plugin(std::string& why)
{
    static std::once_flag once;
    static CudaOpenFn fn = nullptr;
    static std::string error;
    std::call_once(once, [] {
        std::vector<std::filesystem::path> places;
        if (const char* env = std::getenv("SEEKBENCH_CUDA_PLUGIN"))
            places.emplace_back(env);
        const auto dir = executable_dir();
        if (!dir.empty()) {
            places.push_back(dir / kCudaPluginName);
            places.push_back(dir.parent_path() / "lib" / kCudaPluginName);
            places.push_back(dir.parent_path() / "lib" / "seekbench" / kCudaPluginName);
        }
        std::string tried;
        for (const auto& p : places) {
            if (!std::filesystem::exists(p))
                continue;
            void* handle = dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
            if (!handle) {
                error = std::string("the CUDA backend ") + p.string() + " cannot be loaded: " + dlerror();
                return;
            }
            fn = reinterpret_cast<CudaOpenFn>(dlsym(handle, kCudaOpenSymbol));
            if (!fn)
                error = "the CUDA backend " + p.string() + " is not Seekbench's";
            return;
        }
        error = "this build of Seekbench has no CUDA backend (" + std::string(kCudaPluginName) + " not found)";
    });
    why = error;
    return fn;
}

} // namespace

CudaOpen open_cuda_backend(const Model& model, const BackendOptions& options)
{
    const int gpu = options.gpu;
    CudaOpen out;
    const CudaProbe probe = probe_cuda();
    if (!probe.available) {
        out.why = probe.reason;
        return out;
    }
    out.device_present = true;
    if (gpu < 0 || gpu >= static_cast<int>(probe.devices.size())) {
        out.why = "there is no CUDA device " + std::to_string(gpu);
        return out;
    }
    const CudaOpenFn open = plugin(out.why);
    if (!open)
        return out;
    char why[512] = "";
    out.backend.reset(open(model, options, why, sizeof why));
    out.why = out.backend ? "" : why;
    return out;
}

} // namespace seekbench
