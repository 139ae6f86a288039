// What the CUDA tests share. They run under the emulator (CI) and, built by nvcc, on a GPU
// (packaging/gpu-check.sh). On a GPU build without a device, every case skips.
// Golden outputs: a GPU run writes each kernel's outputs to $SEEKBENCH_GOLDEN_OUT/NAME.f32;
// once such files are committed to tests/cudaemu/golden/, the emulator's outputs must match
// them, which checks the emulator's own intrinsics against the hardware.
#pragma once

#include "../engine/testing.h"

#include "engine/cuda/backend.h"
#include "engine/cuda/cuda_compat.cuh"
#include "engine/session.h"
#include "engine/trace.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <fstream>
#include <string>
#include <random>
#include <vector>

namespace seekbench::test {

inline void need_device()
{
#if !defined(SEEKBENCH_CUDA_EMULATED)
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) {
        cudaGetLastError();
        SKIP("no CUDA device here");
    }
#endif
}

inline void golden(const std::string& name, const std::vector<float>& values, double tolerance)
{
    if (const char* out = std::getenv("SEEKBENCH_GOLDEN_OUT")) {
        std::filesystem::create_directories(out);
        std::ofstream f(std::string(out) + "/" + name + ".f32", std::ios::binary);
        f.write(reinterpret_cast<const char*>(values.data()), std::streamsize(values.size() * sizeof(float)));
    }
    const std::string path = std::string(SEEKBENCH_GOLDEN_DIR) + "/" + name + ".f32";
    if (!std::filesystem::exists(path))
        return; // no GPU run has been committed for this output yet
    std::ifstream f(path, std::ios::binary);
    std::vector<float> expect(values.size());
    f.read(reinterpret_cast<char*>(expect.data()), std::streamsize(expect.size() * sizeof(float)));
    CHECK_MSG(f.gcount() == std::streamsize(expect.size() * sizeof(float)) && f.peek() == EOF,
              name << ": the golden file has another size");
    for (std::size_t i = 0; i < values.size(); ++i)
        CHECK_MSG(std::fabs(values[i] - expect[i]) <= tolerance * (1 + std::fabs(expect[i])),
                  name << "[" << i << "]: " << values[i] << ", the GPU gave " << expect[i]);
}

// The model on CUDA device 0; the test stops with the reason when the backend refuses.
inline std::unique_ptr<Backend> gpu(const Model& model, const cuda::CudaOptions& o = {})
{
    std::string why;
    auto b = cuda::open_cuda(model, 0, why, o);
    REQUIRE_MSG(b, "the CUDA backend refused: " << why);
    return b;
}

// Random normal floats, the same for the same seed.
inline std::vector<float> random_floats(std::size_t n, uint64_t seed, float scale = 1.0f)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> d(0.0f, scale);
    std::vector<float> v(n);
    for (float& x : v)
        x = d(rng);
    return v;
}

// Device buffers freed at the end of a test case.
struct Dev {
    std::vector<void*> blocks;
    ~Dev()
    {
        for (void* p : blocks)
            cudaFree(p);
    }
    template <typename T> T* alloc(std::size_t n)
    {
        void* p = nullptr;
        CUDA_CHECK(cudaMalloc(&p, std::max<std::size_t>(n * sizeof(T), 16)));
        blocks.push_back(p);
        return static_cast<T*>(p);
    }
    template <typename T> T* up(const std::vector<T>& h)
    {
        T* p = alloc<T>(h.size());
        CUDA_CHECK(cudaMemcpy(p, h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice));
        return p;
    }
};

template <typename T> std::vector<T> down(const T* d, std::size_t n)
{
    std::vector<T> h(n);
    CUDA_CHECK(cudaMemcpy(h.data(), d, n * sizeof(T), cudaMemcpyDeviceToHost));
    return h;
}

// Runs `f` in every block and thread order the emulator has; the results must agree bit for bit.
template <typename F> void in_every_order(F f)
{
#if defined(SEEKBENCH_CUDA_EMULATED)
    cudaemu::set_order(cudaemu::Order::Forward);
    const auto forward = f();
    cudaemu::set_order(cudaemu::Order::Reverse);
    const auto reverse = f();
    cudaemu::set_order(cudaemu::Order::Shuffled, 11);
    const auto shuffled = f();
    cudaemu::set_order(cudaemu::Order::Forward);
    CHECK(forward == reverse);
    CHECK(forward == shuffled);
#else
    f();
#endif
}

struct BlasHandle {
    cublasHandle_t h = nullptr;
    BlasHandle() { CUBLAS_CHECK(cublasCreate(&h)); }
    ~BlasHandle() { cublasDestroy(h); }
};


// Traces the attention of `layer` while both backends read `tokens` (one batch): the GPU's
// rows (every head) must be the CPU's within 2e-3.
inline void check_attention_traces(Backend& cpu, Backend& cuda, int layer, const std::vector<int32_t>& tokens)
{
    Trace tc, tg;
    tc.options.attention = tg.options.attention = true;
    tc.options.layers = tg.options.layers = {layer};
    Session sc(cpu), sg(cuda);
    sc.set_trace(&tc);
    sg.set_trace(&tg);
    sc.eval(tokens);
    sg.eval(tokens);
    REQUIRE(tc.attention.size() == tg.attention.size());
    REQUIRE(tg.attention.size() == std::size_t(cpu.model().config().n_heads));
    for (std::size_t i = 0; i < tc.attention.size(); ++i) {
        const AttentionMap &a = tc.attention[i], &b = tg.attention[i];
        CHECK_EQ(a.layer, b.layer);
        CHECK_EQ(a.head, b.head);
        REQUIRE(a.probs.size() == b.probs.size());
        for (std::size_t q = 0; q < a.probs.size(); ++q) {
            REQUIRE(a.probs[q].size() == b.probs[q].size());
            for (std::size_t k = 0; k < a.probs[q].size(); ++k)
                CHECK(std::fabs(a.probs[q][k] - b.probs[q][k]) <= 2e-3f);
        }
    }
    CHECK(tg.tokens == tc.tokens);
}

// Ten tokens in one context, positions 2..4 then dropped by a context shift (5..9 move to
// 2..6), against the seven kept tokens read by a fresh context: layer 0's cache rows
// (key_values each) depend only on the token and its position, so they must agree.
inline void check_context_shift(Backend& backend, std::size_t key_values)
{
    const auto shifted = backend.new_context(16, 1, KvType::F16), fresh = backend.new_context(16, 1, KvType::F16);
    Batch all, kept;
    for (int i = 0; i < 10; ++i)
        all.add(i == 0 ? 1 : 19 + i, i, 0, false);
    std::vector<float> logits;
    shifted->forward(all, logits);
    shifted->shift(0, 2, 3, 10);
    for (int32_t t : {1, 20, 24, 25, 26, 27, 28})
        kept.add(t, kept.size(), 0, false);
    fresh->forward(kept, logits);
    for (int p = 0; p < 7; ++p) {
        const std::vector<float> a = shifted->cached_key(0, 0, p), b = fresh->cached_key(0, 0, p);
        REQUIRE(a.size() == key_values);
        for (std::size_t i = 0; i < a.size(); ++i)
            CHECK_MSG(std::fabs(a[i] - b[i]) <= 4e-3f * (1 + std::fabs(b[i])), "position " << p << " value " << i);
    }
}

inline int argmax(const float* v, int n)
{
    int best = 0;
    for (int i = 1; i < n; ++i)
        if (v[i] > v[best])
            best = i;
    return best;
}

// The GPU and the CPU round differently: the GPU's prompts take FP16 activations and its
// decode 8-bit ones in blocks of 32, where the CPU's 8-bit activations come in blocks of 32
// (Q8_0) or 256 (k-quants). Random-weight models have flat logits, so some positions are
// near ties that either rounding may tip. So: the logits must agree within each format's
// bound (relative, over the row), and the top-1 token must agree at every position whose
// CPU lead is larger than twice the difference that bound allows, but for at most one in a
// thousand positions (99.9%: one of the 1,000; a lead just past the line can still be a
// near tie for the GPU's rounding). The exact agreement is printed beside it.
struct Agreement {
    double bound = 0; // allowed relative difference of a logit row
    int positions = 0, exact = 0, decisive = 0, decisive_agree = 0;
    double worst_rel = 0;

    void add(const float* cpu, const float* gpu, int n)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < n; ++i) {
            diff += double(cpu[i] - gpu[i]) * double(cpu[i] - gpu[i]);
            norm += double(cpu[i]) * cpu[i];
        }
        worst_rel = std::max(worst_rel, std::sqrt(diff / std::max(norm, 1e-30)));
        const int c = argmax(cpu, n), g = argmax(gpu, n);
        ++positions;
        exact += c == g;
        double second = -1e300;
        for (int i = 0; i < n; ++i)
            if (i != c)
                second = std::max(second, double(cpu[i]));
        if (cpu[c] - second > 2 * bound * std::sqrt(norm / n)) { // not a tie within the bound
            ++decisive;
            decisive_agree += c == g;
        }
    }
};

} // namespace seekbench::test
