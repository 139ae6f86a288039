// The CUDA probe of an engine built without CUDA: says so, plainly.
#include "device.h"

namespace seekbench {

CudaProbe probe_cuda()
{
    CudaProbe probe;
    probe.reason = "no CUDA device: this build of Seekbench has no CUDA support "
                   "(nvcc was not found when it was configured)";
    return probe;
}

} // namespace seekbench
