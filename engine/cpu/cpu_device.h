// The CPU as the engine computes on it: the thread pool, the kernel table for this
// processor, the matmul with its scratch space. The CPU backend (cpu/backend.h) owns one per
// model it runs; two models in one process each get their own (no globals).
#pragma once

#include "kernels.h"
#include "matmul.h"
#include "threadpool.h"

#include <string>

namespace seekbench {

// A kernel tier picked by name, for comparisons and tests: "generic", "avx2", "avxvnni"
// (AVX2 with AVX-VNNI), "avx512" (without AMX tiles), "amx" (AVX-512 and AMX), or "" /
// "auto": the best this CPU runs.
struct CpuTier {
    const cpu::Kernels* kernels = nullptr; // nullptr: the best
    bool amx = true;                       // AMX tiles when the CPU has them
};
// Throws Error (InvalidArgument) naming the tiers this CPU runs when it cannot run `name`.
CpuTier cpu_tier(const std::string& name);

class CpuDevice {
public:
    explicit CpuDevice(int n_threads = 0, const cpu::Kernels* kernels = nullptr);
    CpuDevice(int n_threads, const CpuTier& tier);

    ThreadPool& pool() { return m_pool; }
    const cpu::Kernels& kernels() const { return m_kernels; }
    cpu::Matmul& matmul() { return m_matmul; }
    // Time the forward passes' operations into `profile` (null: off, the default).
    void set_profile(Profile* profile);
    Profile* profile() const { return m_profile; }
    std::string describe() const; // "CPU avx512 + AMX, 2 threads"

private:
    ThreadPool m_pool;
    const cpu::Kernels& m_kernels;
    cpu::Matmul m_matmul;
    Profile* m_profile = nullptr;
};

} // namespace seekbench
