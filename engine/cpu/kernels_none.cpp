// Non-x86 builds: only the portable kernels exist.
#include "kernels.h"

namespace seekbench::cpu {
const Kernels* kernels_avx2() { return nullptr; }
const Kernels* kernels_avxvnni() { return nullptr; }
const Kernels* kernels_avx512() { return nullptr; }
} // namespace seekbench::cpu
