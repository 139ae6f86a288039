// The x86 kernels built for AVX2 + FMA + F16C (compile flags set in CMake).
#define SB_ISA_NAMESPACE avx2
#define SB_ISA_NAME "avx2"
#include "kernels_x86.inc"

namespace seekbench::cpu {
const Kernels* kernels_avx2()
{
    static const Kernels table = avx2::make_table();
    return &table;
}
} // namespace seekbench::cpu
