// CpuDevice: wires the pool, the chosen kernels and the matmul together.
#include "cpu_device.h"

#include "engine/error.h"

namespace seekbench {

CpuDevice::CpuDevice(int n_threads, const cpu::Kernels* kernels)
    : m_pool(n_threads), m_kernels(kernels ? *kernels : cpu::kernels()), m_matmul(m_pool, m_kernels)
{
}

CpuDevice::CpuDevice(int n_threads, const CpuTier& tier) : CpuDevice(n_threads, tier.kernels)
{
    if (!tier.amx)
        m_matmul.set_amx(false);
}

CpuTier cpu_tier(const std::string& name)
{
    if (name.empty() || name == "auto")
        return {};
    std::string runnable;
    const std::vector<const cpu::Kernels*> tables = cpu::runnable_kernels();
    for (const cpu::Kernels* table : tables) {
        if (name == table->name)
            return {table, false};
        runnable += std::string(table->name) + ", ";
    }
    if (cpu::amx_available())
        runnable += "amx, ";
    if (name == "amx" && cpu::amx_available())
        return {tables.back(), true};
    if (name != "generic" && name != "avx2" && name != "avxvnni" && name != "avx512" && name != "amx")
        throw Error(ErrorCode::InvalidArgument,
                    "the CPU tier must be generic, avx2, avxvnni, avx512, amx or auto, not '" + name + "'");
    throw Error(ErrorCode::InvalidArgument, "this CPU cannot run the " + name + " kernels; it runs " + runnable + "auto");
}

std::string CpuDevice::describe() const
{
    return std::string("CPU ") + m_kernels.name + (m_matmul.amx_enabled() ? " + AMX" : "") + ", " +
           std::to_string(m_pool.size()) + " threads";
}

} // namespace seekbench

namespace seekbench {

void CpuDevice::set_profile(Profile* profile)
{
    m_profile = profile;
    m_matmul.set_profile(profile);
}

} // namespace seekbench
