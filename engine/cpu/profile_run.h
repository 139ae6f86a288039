// Profiling a model on the CPU as a chat uses it: one prompt, then decoding with the
// default sampler, each phase in its own Profile (see engine/profile.h); and the machine's
// memory bandwidth, the bound a decode step's GB/s is read against.
#pragma once

#include "backend.h"
#include "engine/profile.h"

namespace seekbench {

struct ProfileRun {
    Profile prefill, decode;
    int n_prompt = 0, n_gen = 0;
    double bandwidth_gbs = 0;
};

// n_prompt tokens (1..8192) at once, then n_gen (1..4096) decoding steps; a first unmeasured
// prompt pages the weights in. Throws Error (InvalidArgument) for counts out of range.
ProfileRun profile_forward(CpuBackend& cpu, int n_prompt, int n_gen);

// Reads `bytes` of memory with every thread of `pool`; GB/s, the best of five passes.
double memory_bandwidth(ThreadPool& pool, std::size_t bytes);

} // namespace seekbench
