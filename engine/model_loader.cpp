// Hyper-parameters from `{arch}.*` keys and weights by llama.cpp's tensor names.
#include "model_loader.h"

#include "error.h"

#include <cmath>

namespace seekbench {
namespace {

class Loader {
public:
    Loader(const GgufFile& file, const std::string& arch) : m_file(file), m_arch(arch) {}

    [[noreturn]] void fail(const std::string& what, ErrorCode code = ErrorCode::Format) const
    {
        throw Error(code, m_file.path() + ": " + what);
    }
    std::string key(const std::string& suffix) const { return m_arch + "." + suffix; }

    int required_int(const std::string& suffix) const
    {
        const auto v = m_file.get_int(key(suffix));
        if (!v)
            fail("missing metadata '" + key(suffix) + "'");
        return checked(suffix, *v, 1);
    }
    int optional_int(const std::string& suffix, int fallback, int min = 1) const
    {
        const auto v = m_file.get_int(key(suffix));
        return v ? checked(suffix, *v, min) : fallback;
    }
    float optional_float(const std::string& suffix, double fallback) const
    {
        return static_cast<float>(m_file.get_float(key(suffix)).value_or(fallback));
    }
    // A float that must lie in (low, high]: an epsilon, a frequency base.
    float bounded_float(const std::string& suffix, double fallback, double low, double high) const
    {
        const double v = m_file.get_float(key(suffix)).value_or(fallback);
        if (!(v > low && v <= high))
            fail("metadata '" + key(suffix) + "' = " + std::to_string(v) + " is out of range");
        return static_cast<float>(v);
    }
    bool optional_bool(const std::string& suffix, bool fallback) const
    {
        return m_file.get_bool(key(suffix)).value_or(fallback);
    }

    // A tensor with the expected shape (ne[0] first), or an error naming both shapes.
    TensorRef tensor(const std::string& name, std::vector<int64_t> shape, bool required = true) const
    {
        const GgufTensor* t = m_file.find_tensor(name);
        if (!t) {
            if (required)
                fail("tensor '" + name + "' is missing");
            return {};
        }
        // As GGML compares shapes: missing trailing dimensions count as 1, so a router
        // vector written as [n, 1] (llama.cpp's converter does for Qwen-MoE) is [n].
        bool ok = shape.size() <= 4;
        for (std::size_t d = 0; ok && d < 4; ++d)
            ok = t->ne[d] == (d < shape.size() ? shape[d] : 1);
        if (!ok) {
            std::string want = "[";
            for (std::size_t d = 0; d < shape.size(); ++d)
                want += (d ? ", " : "") + std::to_string(shape[d]);
            fail("tensor '" + name + "' has shape " + t->shape_string() + ", expected " + want + "]");
        }
        const auto traits = type_traits(static_cast<uint32_t>(t->type));
        if (!traits || !traits->supported)
            fail("tensor '" + name + "' has type " + (traits ? traits->name : "unknown") +
                     ", which Seekbench cannot compute with yet",
                 ErrorCode::Unsupported);
        if (shape.size() == 1 && t->type != TensorType::F32)
            fail("tensor '" + name + "' is " + type_name(t->type) + "; vectors must be F32", ErrorCode::Unsupported);
        return TensorRef{t};
    }

private:
    int checked(const std::string& suffix, int64_t v, int min) const
    {
        if (v < min || v > (1 << 24))
            fail("metadata '" + key(suffix) + "' = " + std::to_string(v) + " is out of range");
        return static_cast<int>(v);
    }

    const GgufFile& m_file;
    std::string m_arch;
};

Arch arch_of(const GgufFile& f, const std::string& name)
{
    if (name == "llama") return Arch::Llama;
    if (name == "qwen2") return Arch::Qwen2;
    if (name == "qwen2moe") return Arch::Qwen2Moe;
    if (name == "qwen3moe") return Arch::Qwen3Moe;
    if (name == "deepseek2") return Arch::Deepseek2;
    if (name == "bert") return Arch::Bert;
    if (name == "nomic-bert") return Arch::NomicBert;
    throw Error(ErrorCode::Unsupported, f.path() + ": architecture '" + name +
                                            "' is not supported (llama, mixtral, qwen2, qwen2moe, "
                                            "qwen3moe, deepseek2, and the embedding models bert and "
                                            "nomic-bert are)");
}

void read_rope_scaling(const Loader& l, const GgufFile& f, ModelConfig& c)
{
    const std::string scaling = f.get_string(l.key("rope.scaling.type")).value_or("none");
    if (scaling == "none")
        return;
    const float factor = l.optional_float("rope.scaling.factor", 1.0);
    if (!(factor > 0.0f))
        l.fail("metadata '" + l.key("rope.scaling.factor") + "' must be positive");
    if (scaling == "linear") {
        c.rope_freq_scale = 1.0f / factor;
    } else if (scaling == "yarn") {
        c.yarn = factor > 1.0f;
        c.rope_freq_scale = 1.0f / factor;
        c.yarn_orig_ctx = l.optional_int("rope.scaling.original_context_length", c.n_ctx_train);
        c.yarn_beta_fast = l.optional_float("rope.scaling.yarn_beta_fast", 32.0);
        c.yarn_beta_slow = l.optional_float("rope.scaling.yarn_beta_slow", 1.0);
        // llama.cpp's converter stores 0.1 * mscale_all_dim.
        c.yarn_mscale_all_dim = l.optional_float("rope.scaling.yarn_log_multiplier", 0.0) / 0.1f;
    } else {
        l.fail("rope scaling '" + scaling + "' is not supported (linear and yarn are)", ErrorCode::Unsupported);
    }
}

void read_moe(const Loader& l, ModelConfig& c)
{
    c.n_experts = l.optional_int("expert_count", 0, 0);
    if (c.n_experts == 0)
        return;
    c.n_experts_used = l.required_int("expert_used_count");
    if (c.n_experts_used > c.n_experts)
        l.fail("metadata '" + l.key("expert_used_count") + "' = " + std::to_string(c.n_experts_used) +
               " is more than '" + l.key("expert_count") + "' = " + std::to_string(c.n_experts));
    c.expert_hidden_dim = c.arch == Arch::Llama ? c.hidden_dim : l.required_int("expert_feed_forward_length");
    c.n_expert_groups = l.optional_int("expert_group_count", 1);
    c.n_expert_groups_used = l.optional_int("expert_group_used_count", c.n_expert_groups);
    if (c.n_experts % c.n_expert_groups != 0 || c.n_expert_groups_used > c.n_expert_groups ||
        c.n_expert_groups_used * (c.n_experts / c.n_expert_groups) < c.n_experts_used)
        l.fail("group-limited routing cannot be met: " + std::to_string(c.n_experts) + " experts in " +
               std::to_string(c.n_expert_groups) + " groups ('" + l.key("expert_group_count") + "'), " +
               std::to_string(c.n_expert_groups_used) + " groups used ('" + l.key("expert_group_used_count") +
               "'), " + std::to_string(c.n_experts_used) + " experts chosen");
    c.expert_weights_scale = l.optional_float("expert_weights_scale", 1.0);
    if (c.expert_weights_scale == 0.0f)
        c.expert_weights_scale = 1.0f;
    switch (c.arch) {
    case Arch::Deepseek2: {
        c.n_dense_lead = l.optional_int("leading_dense_block_count", 0, 0);
        c.n_shared_experts = l.optional_int("expert_shared_count", 0, 0);
        c.shared_hidden_dim = c.n_shared_experts * c.expert_hidden_dim;
        c.expert_weights_norm = l.optional_bool("expert_weights_norm", false);
        const int gating = l.optional_int("expert_gating_func", 1, 0);
        if (gating == 0 || gating == 1)
            c.gating = Gating::Softmax; // absent or 0 in older files: softmax
        else if (gating == 2)
            c.gating = Gating::Sigmoid;
        else
            l.fail("metadata '" + l.key("expert_gating_func") + "' = " + std::to_string(gating) +
                       " names an unknown gating function (1 softmax, 2 sigmoid)",
                   ErrorCode::Unsupported);
        break;
    }
    case Arch::Qwen2Moe:
        c.shared_hidden_dim = l.optional_int("expert_shared_feed_forward_length", c.hidden_dim);
        c.n_shared_experts = 1;
        c.shared_expert_gate = true;
        break;
    case Arch::Qwen3Moe:
    case Arch::Llama: // mixtral
        c.expert_weights_norm = true;
        break;
    case Arch::Qwen2:
    case Arch::Bert:
    case Arch::NomicBert:
        break;
    }
}

// Encoders: LayerNorm's epsilon, attention over the whole text, how tokens are pooled.
void read_encoder(const Loader& l, const GgufFile& f, ModelConfig& c)
{
    c.norm_eps = l.bounded_float("attention.layer_norm_epsilon", 1e-12, 0, 0.1);
    c.causal = l.optional_bool("attention.causal", false);
    const int pooling = l.optional_int("pooling_type", static_cast<int>(Pooling::Mean), 0);
    if (pooling > static_cast<int>(Pooling::Last))
        l.fail("metadata '" + l.key("pooling_type") + "' = " + std::to_string(pooling) +
                   " asks for a pooling Seekbench does not know (0 none, 1 mean, 2 cls, 3 last)",
               ErrorCode::Unsupported);
    c.pooling = static_cast<Pooling>(pooling);
    if (c.causal)
        l.fail("a causal " + c.arch_name + " cannot make embeddings Seekbench checks; only bidirectional "
               "encoders are supported", ErrorCode::Unsupported);
    c.n_token_types = static_cast<int>(f.get_int("tokenizer.ggml.token_type_count").value_or(0));
    if (c.n_token_types < 0 || c.n_token_types > 1024)
        l.fail("metadata 'tokenizer.ggml.token_type_count' = " + std::to_string(c.n_token_types) + " is out of range");
    c.rope_type = RopeType::Neox; // nomic-bert; bert has learned positions instead
}

// bert and nomic-bert as llama.cpp names them: fused or separate q/k/v with biases,
// post-norm blocks, a GELU (bert) or SwiGLU (nomic-bert) feed-forward.
void read_encoder_weights(const Loader& l, const GgufFile& f, const ModelConfig& c, Weights& w)
{
    const int64_t dim = c.dim, ff = c.hidden_dim;
    int64_t n_types = c.n_token_types; // older files say it only by the tensor's shape
    if (const GgufTensor* t = f.find_tensor("token_types.weight"); t && n_types == 0)
        n_types = t->ne[1];
    w.token_types = l.tensor("token_types.weight", {dim, n_types}, c.n_token_types > 0);
    if (c.arch == Arch::Bert)
        w.position_embd = l.tensor("position_embd.weight", {dim, c.n_ctx_train});
    w.embd_norm = l.tensor("token_embd_norm.weight", {dim});
    w.embd_norm_b = l.tensor("token_embd_norm.bias", {dim});
    for (int i = 0; i < c.n_layers; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        LayerWeights& lw = w.layers[static_cast<std::size_t>(i)];
        lw.wqkv = l.tensor(p + "attn_qkv.weight", {dim, 3 * dim}, false);
        if (lw.wqkv) {
            lw.bqkv = l.tensor(p + "attn_qkv.bias", {3 * dim}, false);
        } else {
            lw.wq = l.tensor(p + "attn_q.weight", {dim, dim});
            lw.wk = l.tensor(p + "attn_k.weight", {dim, dim});
            lw.wv = l.tensor(p + "attn_v.weight", {dim, dim});
            lw.bq = l.tensor(p + "attn_q.bias", {dim}, false);
            lw.bk = l.tensor(p + "attn_k.bias", {dim}, false);
            lw.bv = l.tensor(p + "attn_v.bias", {dim}, false);
        }
        lw.wo = l.tensor(p + "attn_output.weight", {dim, dim});
        lw.bo = l.tensor(p + "attn_output.bias", {dim}, false);
        lw.post_attn_norm = l.tensor(p + "attn_output_norm.weight", {dim});
        lw.post_attn_norm_b = l.tensor(p + "attn_output_norm.bias", {dim});
        lw.w_up = l.tensor(p + "ffn_up.weight", {dim, ff});
        lw.w_down = l.tensor(p + "ffn_down.weight", {ff, dim});
        if (c.arch == Arch::NomicBert) {
            lw.w_gate = l.tensor(p + "ffn_gate.weight", {dim, ff});
        } else {
            lw.b_up = l.tensor(p + "ffn_up.bias", {ff}, false);
            lw.b_down = l.tensor(p + "ffn_down.bias", {dim}, false);
        }
        lw.post_ffn_norm = l.tensor(p + "layer_output_norm.weight", {dim});
        lw.post_ffn_norm_b = l.tensor(p + "layer_output_norm.bias", {dim});
    }
}

void read_mla(const Loader& l, ModelConfig& c)
{
    c.q_lora_rank = l.optional_int("attention.q_lora_rank", 0, 0);
    c.kv_lora_rank = l.required_int("attention.kv_lora_rank");
    const int k_mla = l.optional_int("attention.key_length_mla", 0, 0);
    c.mla_split_kv = k_mla > 0;
    if (c.mla_split_kv) {
        c.head_dim = k_mla;
        c.head_dim_v = l.required_int("attention.value_length_mla");
    }
    c.qk_rope_dim = c.rope_dims;
    c.qk_nope_dim = c.head_dim - c.qk_rope_dim;
    if (c.qk_nope_dim < 1)
        l.fail("attention key length " + std::to_string(c.head_dim) + " leaves no room beside " +
               std::to_string(c.qk_rope_dim) + " rotary dims");
    c.n_kv_heads = c.n_heads; // the cache holds one latent per token; heads do not share
    // Softmax scale: 1/sqrt(qk head size), times the YaRN magnitude correction squared.
    float m = 1.0f;
    if (c.yarn && c.yarn_mscale_all_dim > 0.0f)
        m = 0.1f * c.yarn_mscale_all_dim * std::log(1.0f / c.rope_freq_scale) + 1.0f;
    c.attn_scale = m * m / std::sqrt(static_cast<float>(c.head_dim));
}

} // namespace

ModelConfig read_config(const GgufFile& f, int n_vocab_tokenizer)
{
    ModelConfig c;
    c.arch_name = f.get_string("general.architecture").value_or("");
    if (c.arch_name.empty())
        throw Error(ErrorCode::Format, f.path() + ": metadata 'general.architecture' is missing");
    c.arch = arch_of(f, c.arch_name);
    c.name = f.get_string("general.name").value_or("");
    const Loader l(f, c.arch_name);
    c.dim = l.required_int("embedding_length");
    c.n_layers = l.required_int("block_count");
    c.n_heads = l.required_int("attention.head_count");
    c.n_kv_heads = l.optional_int("attention.head_count_kv", c.n_heads);
    c.hidden_dim = l.optional_int("feed_forward_length", 0, 0);
    c.n_ctx_train = l.optional_int("context_length", 2048);
    c.head_dim = l.optional_int("attention.key_length", c.dim / c.n_heads);
    c.head_dim_v = l.optional_int("attention.value_length", c.head_dim);
    c.n_vocab = l.optional_int("vocab_size", n_vocab_tokenizer);
    c.norm_eps = l.bounded_float("attention.layer_norm_rms_epsilon", 1e-5, 0, 0.1);
    c.rope_base = l.bounded_float("rope.freq_base", 10000.0, 0, 1e12);
    c.rope_dims = l.optional_int("rope.dimension_count", c.head_dim);
    c.rope_type = c.arch == Arch::Qwen2 || c.arch == Arch::Qwen2Moe || c.arch == Arch::Qwen3Moe
                      ? RopeType::Neox : RopeType::Normal;
    c.attn_bias = c.arch == Arch::Qwen2 || c.arch == Arch::Qwen2Moe;
    c.qk_norm = c.arch == Arch::Qwen3Moe;
    read_rope_scaling(l, f, c);
    if (c.is_encoder())
        read_encoder(l, f, c);
    read_moe(l, c);
    if (c.arch == Arch::Deepseek2)
        read_mla(l, c);
    if ((!c.is_moe() || c.n_dense_lead > 0) && c.hidden_dim == 0)
        l.fail("missing metadata '" + l.key("feed_forward_length") + "'");
    if (c.n_heads % c.n_kv_heads != 0)
        l.fail(std::to_string(c.n_heads) + " attention heads cannot be shared by " + std::to_string(c.n_kv_heads) +
               " KV heads");
    if (c.rope_dims > c.head_dim || c.rope_dims % 2 != 0)
        l.fail("rope.dimension_count " + std::to_string(c.rope_dims) + " does not fit heads of " +
               std::to_string(c.head_dim));
    if (c.n_vocab != n_vocab_tokenizer)
        l.fail("the model has " + std::to_string(c.n_vocab) + " vocabulary rows but the tokenizer " +
               std::to_string(n_vocab_tokenizer) + " tokens");
    if (c.n_dense_lead > c.n_layers)
        l.fail("metadata '" + l.key("leading_dense_block_count") + "' exceeds the layer count");
    return c;
}

Weights read_weights(const GgufFile& f, ModelConfig& c, const std::function<void(float)>& progress)
{
    const Loader l(f, c.arch_name);
    Weights w;
    const int64_t dim = c.dim, H = c.n_heads, E = c.n_experts;
    if (c.is_encoder()) {
        w.token_embd = l.tensor("token_embd.weight", {dim, c.n_vocab});
        w.layers.resize(static_cast<std::size_t>(c.n_layers));
        read_encoder_weights(l, f, c, w);
        if (progress)
            progress(1.0f);
        return w;
    }
    w.token_embd = l.tensor("token_embd.weight", {dim, c.n_vocab});
    w.output_norm = l.tensor("output_norm.weight", {dim});
    w.output = l.tensor("output.weight", {dim, c.n_vocab}, false);
    c.tied_output = !w.output;
    if (c.tied_output)
        w.output = w.token_embd;
    w.layers.resize(static_cast<std::size_t>(c.n_layers));
    for (int i = 0; i < c.n_layers; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        LayerWeights& lw = w.layers[static_cast<std::size_t>(i)];
        lw.attn_norm = l.tensor(p + "attn_norm.weight", {dim});
        if (c.is_mla()) {
            const int64_t qk = c.qk_nope_dim + c.qk_rope_dim, lora = c.kv_lora_rank;
            if (c.q_lora_rank > 0) {
                lw.wq_a = l.tensor(p + "attn_q_a.weight", {dim, c.q_lora_rank});
                lw.q_a_norm = l.tensor(p + "attn_q_a_norm.weight", {c.q_lora_rank});
                lw.wq_b = l.tensor(p + "attn_q_b.weight", {c.q_lora_rank, H * qk});
            } else {
                lw.wq = l.tensor(p + "attn_q.weight", {dim, H * qk});
            }
            lw.wkv_a = l.tensor(p + "attn_kv_a_mqa.weight", {dim, lora + c.qk_rope_dim});
            lw.kv_a_norm = l.tensor(p + "attn_kv_a_norm.weight", {lora});
            if (c.mla_split_kv) {
                lw.wk_b = l.tensor(p + "attn_k_b.weight", {c.qk_nope_dim, lora, H});
                lw.wv_b = l.tensor(p + "attn_v_b.weight", {lora, c.head_dim_v, H});
            } else {
                lw.wkv_b = l.tensor(p + "attn_kv_b.weight", {lora, H * (c.qk_nope_dim + c.head_dim_v)});
            }
        } else {
            const int64_t q_dim = H * c.head_dim, kv_dim = int64_t(c.n_kv_heads) * c.head_dim,
                          v_dim = int64_t(c.n_kv_heads) * c.head_dim_v;
            lw.wq = l.tensor(p + "attn_q.weight", {dim, q_dim});
            lw.wk = l.tensor(p + "attn_k.weight", {dim, kv_dim});
            lw.wv = l.tensor(p + "attn_v.weight", {dim, v_dim});
            // Biases are what qwen2 has; a llama file may carry them too.
            lw.bq = l.tensor(p + "attn_q.bias", {q_dim}, c.attn_bias);
            lw.bk = l.tensor(p + "attn_k.bias", {kv_dim}, c.attn_bias);
            lw.bv = l.tensor(p + "attn_v.bias", {v_dim}, c.attn_bias);
            if (c.qk_norm) {
                lw.q_norm = l.tensor(p + "attn_q_norm.weight", {c.head_dim});
                lw.k_norm = l.tensor(p + "attn_k_norm.weight", {c.head_dim});
            }
        }
        lw.wo = l.tensor(p + "attn_output.weight", {H * c.head_dim_v, dim});
        lw.ffn_norm = l.tensor(p + "ffn_norm.weight", {dim});
        if (!c.layer_is_moe(i)) {
            lw.w_gate = l.tensor(p + "ffn_gate.weight", {dim, c.hidden_dim});
            lw.w_up = l.tensor(p + "ffn_up.weight", {dim, c.hidden_dim});
            lw.w_down = l.tensor(p + "ffn_down.weight", {c.hidden_dim, dim});
        } else {
            const int64_t ff = c.expert_hidden_dim;
            lw.router = l.tensor(p + "ffn_gate_inp.weight", {dim, E});
            lw.router_bias = l.tensor(p + "exp_probs_b.bias", {E}, false);
            lw.gate_exps = l.tensor(p + "ffn_gate_exps.weight", {dim, ff, E});
            lw.up_exps = l.tensor(p + "ffn_up_exps.weight", {dim, ff, E});
            lw.down_exps = l.tensor(p + "ffn_down_exps.weight", {ff, dim, E});
            if (c.shared_hidden_dim > 0) {
                const int64_t sff = c.shared_hidden_dim;
                lw.gate_shexp = l.tensor(p + "ffn_gate_shexp.weight", {dim, sff});
                lw.up_shexp = l.tensor(p + "ffn_up_shexp.weight", {dim, sff});
                lw.down_shexp = l.tensor(p + "ffn_down_shexp.weight", {sff, dim});
            }
            if (c.shared_expert_gate)
                lw.shexp_gate = l.tensor(p + "ffn_gate_inp_shexp.weight", {dim});
        }
        if (progress)
            progress(static_cast<float>(i + 1) / static_cast<float>(c.n_layers));
    }
    return w;
}

} // namespace seekbench
