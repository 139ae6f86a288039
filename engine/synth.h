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
    std::string arch;        // "llama", "qwen2", "qwen2moe", "qwen3moe", "deepseek2", "bert", "nomic-bert"
    int dim = 0, n_layers = 0, n_heads = 0, n_kv_heads = 0, hidden_dim = 0, n_vocab = 0, n_ctx = 0;
    float rope_base = 10000.0f, norm_eps = 1e-5f;
    bool tied_output = false;
    std::string tokenizer = "llama"; // "llama" (SentencePiece), "gpt2" (BPE) or "bert" (WordPiece)
    std::string pre;                 // BPE pre-tokenizer family
    int head_dim = 0;                // 0: dim / n_heads

    // Mixture of experts (n_experts = 0: dense)
    int n_experts = 0, n_experts_used = 0, expert_hidden = 0;
    int n_shared = 0, shared_hidden = 0; // deepseek2: count; qwen2moe: one FFN of shared_hidden
    int n_dense_lead = 0, n_groups = 0, n_groups_used = 0;
    int gating = 0;                      // deepseek2: 1 softmax, 2 sigmoid
    bool weights_norm = false, router_bias = false;
    float weights_scale = 0.0f;

    // Multi-head latent attention (deepseek2)
    int q_lora = 0, kv_lora = 0, qk_nope = 0, qk_rope = 0, v_head = 0;
    bool mla_split = true;               // attn_k_b/attn_v_b (newer) or attn_kv_b (older)
    float yarn_factor = 0.0f, yarn_log_mul = 0.0f; // rope.scaling.* when > 0
    int yarn_orig_ctx = 0;

    int pooling = 0;                     // encoders: 1 mean, 2 CLS
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
