// Random-weight GGUF files with the exact shapes and metadata of named models, vocabulary
// included (so llama.cpp loads them too): for benchmarks against other engines and for
// tests that need a model of a given shape. Deterministic for a given seed.
#pragma once

#include "tensor_type.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace seekbench {

struct SynthPreset {
    std::string name;        // "qwen2.5-1.5b"
    std::string arch;        // "llama", "qwen2"
    int dim, n_layers, n_heads, n_kv_heads, hidden_dim, n_vocab, n_ctx;
    float rope_base, norm_eps;
    bool tied_output;
    std::string tokenizer;   // "llama" (SentencePiece) or "gpt2" (BPE)
    std::string pre;         // BPE pre-tokenizer family
};

const std::vector<SynthPreset>& synth_presets();
const SynthPreset* find_synth_preset(const std::string& name);

struct SynthOptions {
    TensorType type = TensorType::Q4_K;   // 2-D weights; norms and biases stay F32
    uint64_t seed = 1;
    int threads = 0;
};

// Writes the model to `path`; progress(done, total) per tensor. Throws Error for a type
// that cannot be quantized to or a shape it cannot hold.
void write_synth_model(const SynthPreset& preset, const SynthOptions& options, const std::string& path,
                       const std::function<void(std::size_t, std::size_t)>& progress = {});

} // namespace seekbench
