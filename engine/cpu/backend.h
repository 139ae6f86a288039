// The CPU backend: the model's weights stay in the mapped file, except those the kernels
// want packed once (PackedWeights: F16/BF16 on AVX2 and AVX-512) while memory allows; contexts
// hold a KV cache in host memory and the scratch of the forward pass (forward.h) on CpuDevice.
#pragma once

#include "cpu_device.h"
#include "packed_weights.h"

#include "engine/backend.h"

namespace seekbench {

class CpuBackend final : public Backend {
public:
    explicit CpuBackend(const Model& model, int n_threads = 0, const cpu::Kernels* kernels = nullptr);
    CpuBackend(const Model& model, int n_threads, const CpuTier& tier);
    ~CpuBackend() override;

    DeviceKind kind() const override { return DeviceKind::Cpu; }
    // "CPU avx512, 2 threads" (+ ", 2.9 GiB of weights packed", or "packing 2.9 GiB of weights"
    // while PackedWeights is at work)
    std::string describe() const override;
    const Model& model() const override { return m_model; }
    std::unique_ptr<BackendContext> new_context(int n_ctx, int n_seq, KvType kv_type) override;
    void wait_for_background_work(double timeout_s) override; // the weights' packing

    CpuDevice& device() { return m_cpu; } // the pool and matmul, for benchmarks

    const cpu::PackedWeights* packed() const { return m_packed.get(); } // null: none

private:
    void pack_weights();

    const Model& m_model;
    CpuDevice m_cpu;
    std::unique_ptr<cpu::PackedWeights> m_packed; // m_cpu's matmul reads it
};

} // namespace seekbench
