// The contract between a GGUF file and the backends: the model's shape (ModelConfig) and
// its weights (views into the mapped file, shapes noted beside each field). Architectures
// fill these from llama.cpp's metadata keys and tensor names, so files from the ecosystem
// load unchanged. Backends read them; nothing here computes.
#pragma once

#include "gguf.h"
#include "map_prefetch.h"
#include "tensor_type.h"
#include "tokenizer.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace seekbench {

// llama also covers mixtral (llama with routed experts). Bert and NomicBert are
// encoders: they turn text into one embedding vector and never generate.
enum class Arch { Llama, Qwen2, Qwen2Moe, Qwen3Moe, Deepseek2, Bert, NomicBert };
enum class RopeType { Normal, Neox }; // adjacent pairs (llama) or halves (qwen2, NeoX)
enum class Gating { Softmax, Sigmoid }; // how router logits become expert scores
// How an encoder's token vectors become one embedding ({arch}.pooling_type's numbers).
enum class Pooling { None = 0, Mean = 1, Cls = 2, Last = 3 };

struct ModelConfig {
    Arch arch = Arch::Llama;
    std::string arch_name;       // general.architecture
    std::string name;            // general.name, "" when absent
    int n_vocab = 0;
    int dim = 0;                 // embedding length
    int n_layers = 0;
    int n_heads = 0;
    int n_kv_heads = 0;          // < n_heads: grouped-query attention
    int head_dim = 0;            // key/query length per head
    int head_dim_v = 0;          // value length per head
    int hidden_dim = 0;          // feed-forward length
    int n_ctx_train = 0;
    float norm_eps = 1e-5f;
    RopeType rope_type = RopeType::Normal;
    int rope_dims = 0;           // how many leading dims of each head are rotated
    float rope_base = 10000.0f;
    float rope_freq_scale = 1.0f; // 1 / linear scaling factor
    bool tied_output = false;    // output projection = token embedding
    bool attn_bias = false;      // q/k/v biases (qwen2, qwen2moe)
    bool qk_norm = false;        // RMSNorm of each q and k head before rotation (qwen3moe)

    // YaRN context extension (deepseek2 ships with it): frequencies between
    // rope_freq_scale-interpolated and original ones, ramped between the correction dims.
    bool yarn = false;
    int yarn_orig_ctx = 0;
    float yarn_beta_fast = 32.0f, yarn_beta_slow = 1.0f;
    float yarn_mscale_all_dim = 0.0f; // deepseek2: softmax scale *= (0.1 m ln(factor) + 1)^2
    float attn_scale = 0.0f;          // 0: 1/sqrt(head_dim)

    // Mixture of experts: 0 experts = a dense model.
    int n_experts = 0;
    int n_experts_used = 0;           // k of top-k
    int n_shared_experts = 0;         // deepseek2: shared experts, summed into one FFN
    int expert_hidden_dim = 0;        // feed-forward length of one routed expert
    int shared_hidden_dim = 0;        // of the shared expert FFN (all shared experts together)
    int n_dense_lead = 0;             // deepseek2: the first layers have a plain FFN
    Gating gating = Gating::Softmax;
    bool expert_weights_norm = false; // renormalize the chosen experts' weights to sum to 1
    float expert_weights_scale = 1.0f;
    int n_expert_groups = 1;          // group-limited routing: experts in groups...
    int n_expert_groups_used = 1;     // ...only the best groups compete
    bool shared_expert_gate = false;  // qwen2moe: sigmoid gate on the shared expert

    // Multi-head latent attention (deepseek2). head_dim = qk_nope + qk_rope here.
    int q_lora_rank = 0;              // 0: plain attn_q (V2-Lite)
    int kv_lora_rank = 0;             // > 0 means MLA
    int qk_nope_dim = 0, qk_rope_dim = 0;
    bool mla_split_kv = false;        // attn_k_b + attn_v_b (newer files) or attn_kv_b (older)

    // Encoders (bert, nomic-bert): every token sees every other, LayerNorm after each
    // block, and the token vectors are pooled into one embedding.
    bool causal = true;
    Pooling pooling = Pooling::None;
    int n_token_types = 0;            // rows of token_types ("sentence A/B"); row 0 is used

    bool is_moe() const { return n_experts > 0; }
    bool is_encoder() const { return arch == Arch::Bert || arch == Arch::NomicBert; }
    bool is_mla() const { return kv_lora_rank > 0; }
    bool layer_is_moe(int layer) const { return n_experts > 0 && layer >= n_dense_lead; }
};

// A tensor of the file, or empty. rows() x cols() for 2-D weights (cols contiguous).
// A stack of matrices (experts, or heads) is 3-D: slice(i) is matrix i.
struct TensorRef {
    const GgufTensor* t = nullptr;

    explicit operator bool() const { return t != nullptr; }
    TensorType type() const { return t->type; }
    int64_t cols() const { return t->ne[0]; }
    int64_t rows() const { return t->ne[1]; }
    int64_t slices() const { return t->ne[2]; }
    const uint8_t* data() const { return t->data; }
    std::size_t row_bytes() const { return seekbench::row_bytes(t->type, t->ne[0]); }
    const uint8_t* slice(int64_t i) const { return t->data + static_cast<std::size_t>(i * rows()) * row_bytes(); }
    const float* f32() const { return reinterpret_cast<const float*>(t->data); }
};

// Shapes are (rows, cols), cols contiguous; E = n_experts, H = n_heads.
struct LayerWeights {
    TensorRef attn_norm;  // (dim)
    TensorRef wq;         // (H*head_dim, dim); deepseek2 without q compression too
    TensorRef wk;         // (n_kv_heads*head_dim, dim)
    TensorRef wv;         // (n_kv_heads*head_dim_v, dim)
    TensorRef bq, bk, bv; // (rows of wq/wk/wv), qwen2 only
    TensorRef q_norm, k_norm; // (head_dim), qwen3moe
    TensorRef wo;         // (dim, H*head_dim_v)

    // MLA (deepseek2)
    TensorRef wq_a;       // (q_lora_rank, dim)
    TensorRef q_a_norm;   // (q_lora_rank)
    TensorRef wq_b;       // (H*(qk_nope+qk_rope), q_lora_rank)
    TensorRef wkv_a;      // (kv_lora_rank+qk_rope, dim): the latent and the shared rope key
    TensorRef kv_a_norm;  // (kv_lora_rank)
    TensorRef wkv_b;      // (H*(qk_nope+head_dim_v), kv_lora_rank), older files
    TensorRef wk_b;       // H x (kv_lora_rank, qk_nope), newer files: absorbs q_nope
    TensorRef wv_b;       // H x (head_dim_v, kv_lora_rank), newer files

    TensorRef ffn_norm;   // (dim)
    TensorRef w_gate;     // (hidden_dim, dim), dense layers
    TensorRef w_up;       // (hidden_dim, dim)
    TensorRef w_down;     // (dim, hidden_dim)

    // Mixture of experts
    TensorRef router;       // ffn_gate_inp: (E, dim)
    TensorRef router_bias;  // exp_probs_b: (E), score correction for selection only (V3)
    TensorRef gate_exps;    // E x (expert_hidden, dim)
    TensorRef up_exps;      // E x (expert_hidden, dim)
    TensorRef down_exps;    // E x (dim, expert_hidden)
    TensorRef gate_shexp;   // (shared_hidden, dim)
    TensorRef up_shexp;     // (shared_hidden, dim)
    TensorRef down_shexp;   // (dim, shared_hidden)
    TensorRef shexp_gate;   // ffn_gate_inp_shexp: (dim), qwen2moe's sigmoid gate

    // Encoders (bert, nomic-bert): post-norm LayerNorms with biases, biased projections.
    TensorRef wqkv, bqkv;   // attn_qkv: (3*dim, dim) and (3*dim), when q, k, v are fused
    TensorRef bo;           // (dim)
    TensorRef post_attn_norm, post_attn_norm_b; // attn_output_norm: (dim) each
    TensorRef b_up, b_down; // (hidden_dim), (dim); bert's GELU feed-forward
    TensorRef post_ffn_norm, post_ffn_norm_b;   // layer_output_norm: (dim) each
};

struct Weights {
    TensorRef token_embd;  // (n_vocab, dim)
    TensorRef output_norm; // (dim)
    TensorRef output;      // (n_vocab, dim); == token_embd when tied
    std::vector<LayerWeights> layers;

    // Encoders
    TensorRef token_types;         // (n_token_types, dim)
    TensorRef position_embd;       // (n_ctx_train, dim), bert only (nomic-bert rotates)
    TensorRef embd_norm, embd_norm_b; // token_embd_norm: (dim) each
};

// What `seekbench-cli info` and the app's model panel show.
struct ModelInfo {
    std::string path, arch, name, file_type;  // file_type: the most common weight type
    uint64_t parameters = 0, file_bytes = 0;
    uint64_t active_parameters = 0;           // per token: MoE models use only k experts
    int n_experts = 0, n_experts_used = 0;
    int n_layers = 0, dim = 0, n_heads = 0, n_kv_heads = 0, n_ctx_train = 0, n_vocab = 0;
    std::string tokenizer;                     // "llama (SentencePiece)" or "gpt2 (BPE, qwen2)"
    std::string chat_template;                 // "" when the file has none
};

class Model {
public:
    // Loads and validates a model file; `progress(fraction)` as tensors are checked.
    static std::unique_ptr<Model> load(const std::string& path,
                                       const std::function<void(float)>& progress = {});

    const ModelConfig& config() const { return m_config; }
    const Weights& weights() const { return m_weights; }
    const Tokenizer& tokenizer() const { return *m_tokenizer; }
    const GgufFile& file() const { return *m_file; }
    ModelInfo info() const;
    // Waits (up to `timeout_s`) for the background reads of the weights and their moves into
    // huge pages: what `bench` does before timing, so it measures the settled model.
    void wait_for_background_reads(double timeout_s) const;
    // The background reads are done (or there are none): what a copy of the weights waits
    // for, so that it reads pages in memory and the first prompt's own reads keep the disk.
    bool background_reads_done() const { return !m_prefetch || m_prefetch->read(); }
    // A backend makes its own copy of these ranges of weights (PackedWeights): the huge-page
    // moves leave them out from now on.
    void skip_huge_page_moves(const std::vector<MapPrefetch::Range>& ranges) const;
    // Gives back the mapping's pages of a range whose copy is made (read again from the file
    // if something reads them later); the mapping's bytes are unchanged. Any thread.
    void drop_pages(const MapPrefetch::Range& range) const;

private:
    std::unique_ptr<GgufFile> m_file;
    ModelConfig m_config;
    Weights m_weights;
    std::unique_ptr<Tokenizer> m_tokenizer;
    std::unique_ptr<MapPrefetch> m_prefetch; // last: stops before the mapping goes
};

} // namespace seekbench
