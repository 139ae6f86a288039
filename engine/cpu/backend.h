// The CPU backend: the model's weights stay in the mapped file; contexts hold a KV cache
// in host memory and the scratch of the forward pass (forward.h) that runs on CpuDevice.
#pragma once

#include "cpu_device.h"

#include "engine/backend.h"

namespace seekbench {

class CpuBackend final : public Backend {
public:
    explicit CpuBackend(const Model& model, int n_threads = 0, const cpu::Kernels* kernels = nullptr);
    CpuBackend(const Model& model, int n_threads, const CpuTier& tier);

    DeviceKind kind() const override { return DeviceKind::Cpu; }
    std::string describe() const override { return m_cpu.describe(); }
    const Model& model() const override { return m_model; }
    std::unique_ptr<BackendContext> new_context(int n_ctx, int n_seq, KvType kv_type) override;

    CpuDevice& device() { return m_cpu; } // the pool and matmul, for benchmarks

private:
    const Model& m_model;
    CpuDevice m_cpu;
};

} // namespace seekbench
