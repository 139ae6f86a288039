// CpuDevice: wires the pool, the chosen kernels and the matmul together.
#include "cpu_device.h"

namespace seekbench {

CpuDevice::CpuDevice(int n_threads, const cpu::Kernels* kernels)
    : m_pool(n_threads), m_kernels(kernels ? *kernels : cpu::kernels()), m_matmul(m_pool, m_kernels)
{
}

std::string CpuDevice::describe() const
{
    return std::string("CPU ") + m_kernels.name + (m_matmul.amx_enabled() ? " + AMX" : "") + ", " +
           std::to_string(m_pool.size()) + " threads";
}

} // namespace seekbench
