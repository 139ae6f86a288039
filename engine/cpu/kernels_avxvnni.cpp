// The x86 kernels built for AVX2 + FMA + F16C with AVX-VNNI: the AVX2 kernels, with the
// 256-bit vpdpbusd where they multiply bytes (compile flags set in CMake). Most Intel
// desktops and laptops from Alder Lake on have this and no AVX-512.
#if defined(__AVXVNNI__)
#define SB_ISA_NAMESPACE avxvnni
#define SB_ISA_NAME "avxvnni"
#include "kernels_x86.inc"

namespace seekbench::cpu {
const Kernels* kernels_avxvnni()
{
    static const Kernels table = avxvnni::make_table();
    return &table;
}
} // namespace seekbench::cpu
#else
#include "kernels.h"

namespace seekbench::cpu {
const Kernels* kernels_avxvnni() { return nullptr; } // the compiler has no -mavxvnni
} // namespace seekbench::cpu
#endif
