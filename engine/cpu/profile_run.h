// Profiling a model on the CPU as a chat uses it: one prompt, then decoding with the
// default sampler, each phase in its own Profile (see engine/profile.h); and the machine's
// memory bandwidth, the bound a decode step's GB/s is read against, and its float
// multiply-add peak, the bound for a prompt's matmuls on float weights.
#pragma once

#include "backend.h"
#include "engine/profile.h"

namespace seekbench {

struct ProfileRun {
    Profile prefill, decode;
    int n_prompt = 0, n_gen = 0;
    double bandwidth_gbs = 0;
    double fma_peak_gflops = 0; // fma_peak() on the backend's tier and threads
};

// n_prompt tokens (1..8192) at once, then n_gen (1..4096) decoding steps; a first unmeasured
// prompt pages the weights in. Throws Error (InvalidArgument) for counts out of range.
ProfileRun profile_forward(CpuBackend& cpu, int n_prompt, int n_gen);

// Reads `bytes` of memory with every thread of `pool`; GB/s, the best of five passes.
double memory_bandwidth(ThreadPool& pool, std::size_t bytes);

// Every thread of `pool` runs kernels.fma_chains() (independent chains of the tier's widest
// fused multiply-adds, nothing read from memory); GFLOP/s, a multiply and an add each, the
// best of five passes of about 40 ms.
double fma_peak(ThreadPool& pool, const cpu::Kernels& kernels);

} // namespace seekbench
