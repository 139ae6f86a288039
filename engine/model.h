// The contract between a GGUF file and the backends: the model's shape (ModelConfig) and
// its weights (views into the mapped file, shapes noted beside each field). Architectures
// fill these from llama.cpp's metadata keys and tensor names, so files from the ecosystem
// load unchanged. Backends read them; nothing here computes.
#pragma once

#include "gguf.h"
#include "tensor_type.h"
#include "tokenizer.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace seekbench {

enum class Arch { Llama, Qwen2 };
enum class RopeType { Normal, Neox }; // adjacent pairs (llama) or halves (qwen2, NeoX)

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
    bool attn_bias = false;      // q/k/v biases (qwen2)
};

// A tensor of the file, or empty. rows() x cols() for 2-D weights (cols contiguous).
struct TensorRef {
    const GgufTensor* t = nullptr;

    explicit operator bool() const { return t != nullptr; }
    TensorType type() const { return t->type; }
    int64_t cols() const { return t->ne[0]; }
    int64_t rows() const { return t->ne[1]; }
    const uint8_t* data() const { return t->data; }
    std::size_t row_bytes() const { return row_bytes_of(t->type, t->ne[0]); }
    static std::size_t row_bytes_of(TensorType type, int64_t n) { return seekbench::row_bytes(type, n); }
};

struct LayerWeights {
    TensorRef attn_norm;  // (dim)
    TensorRef wq;         // (n_heads*head_dim, dim)
    TensorRef wk;         // (n_kv_heads*head_dim, dim)
    TensorRef wv;         // (n_kv_heads*head_dim_v, dim)
    TensorRef bq, bk, bv; // (rows of wq/wk/wv), qwen2 only
    TensorRef wo;         // (dim, n_heads*head_dim_v)
    TensorRef ffn_norm;   // (dim)
    TensorRef w_gate;     // (hidden_dim, dim)
    TensorRef w_up;       // (hidden_dim, dim)
    TensorRef w_down;     // (dim, hidden_dim)
};

struct Weights {
    TensorRef token_embd;  // (n_vocab, dim)
    TensorRef output_norm; // (dim)
    TensorRef output;      // (n_vocab, dim); == token_embd when tied
    std::vector<LayerWeights> layers;
};

// What `seekbench-cli info` and the app's model panel show.
struct ModelInfo {
    std::string path, arch, name, file_type;  // file_type: the most common weight type
    uint64_t parameters = 0, file_bytes = 0;
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

private:
    std::unique_ptr<GgufFile> m_file;
    ModelConfig m_config;
    Weights m_weights;
    std::unique_ptr<Tokenizer> m_tokenizer;
};

} // namespace seekbench
