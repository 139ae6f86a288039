// Builds without AMX support in the compiler: the AMX path is never taken.
#include "gemm_amx.h"
#include "matmul.h"

namespace seekbench::cpu {

bool amx_available() { return false; }
bool amx_supports(TensorType, int64_t) { return false; }
void amx_pack_panel(TensorType, const uint8_t*, std::size_t, int, int64_t, uint16_t*, float*) {}
void amx_gemm_panel(const uint16_t*, int, int, int64_t, const uint16_t*, int, float*, int64_t,
                    bool, float*)
{
}

} // namespace seekbench::cpu
