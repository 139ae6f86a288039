// The x86 kernels built for AVX-512 (F, BW, VL, VNNI, BF16) (compile flags set in CMake).
#define SB_ISA_NAMESPACE avx512
#define SB_ISA_NAME "avx512"
#include "kernels_x86.inc"

namespace seekbench::cpu {
const Kernels* kernels_avx512()
{
    static const Kernels table = avx512::make_table();
    return &table;
}
} // namespace seekbench::cpu
