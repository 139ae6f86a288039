// Hugging Face checkpoint folders -> GGUF, for the architectures the engine runs. Each
// config.json field becomes the metadata key llama.cpp's converter writes for it; each HF
// tensor is renamed (experts stacked into one 3-D tensor per projection, DeepSeek's kv_b
// split into the per-head k_b/v_b pair) and, for llama-family checkpoints, Q and K rows are
// reordered from HF's half-split RoPE layout to GGUF's interleaved pairs. A tensor of the
// checkpoint that nothing here converts is an error, never silently dropped. The result is
// loaded once before the call returns, so a file the engine would reject is never left.
#include "convert_impl.h"
#include "json_file.h"
#include "safetensors.h"

#include "engine/error.h"
#include "engine/model.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <numbers>
#include <optional>
#include <set>

namespace seekbench {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

enum class Family { Llama, Qwen2, Qwen2Moe, Qwen3Moe, Deepseek2 };

struct Source {
    Family family;
    const char* arch; // GGUF general.architecture
};

std::optional<Source> source_of(const std::string& hf_arch)
{
    if (hf_arch == "LlamaForCausalLM" || hf_arch == "MistralForCausalLM" || hf_arch == "MixtralForCausalLM")
        return Source{Family::Llama, "llama"};
    if (hf_arch == "Qwen2ForCausalLM")
        return Source{Family::Qwen2, "qwen2"};
    if (hf_arch == "Qwen2MoeForCausalLM")
        return Source{Family::Qwen2Moe, "qwen2moe"};
    if (hf_arch == "Qwen3MoeForCausalLM")
        return Source{Family::Qwen3Moe, "qwen3moe"};
    if (hf_arch == "DeepseekV2ForCausalLM" || hf_arch == "DeepseekV3ForCausalLM")
        return Source{Family::Deepseek2, "deepseek2"};
    return std::nullopt;
}

// config.json, read the way the converter reads it: the first of several names, a default.
class Config {
public:
    Config(Json j, std::string path) : m_j(std::move(j)), m_path(std::move(path)) {}
    const Json& json() const { return m_j; }
    std::optional<double> number(std::initializer_list<const char*> keys) const
    {
        for (const char* k : keys)
            if (m_j.contains(k) && m_j[k].is_number())
                return m_j[k].get<double>();
        return std::nullopt;
    }
    std::optional<int64_t> integer(std::initializer_list<const char*> keys) const
    {
        for (const char* k : keys)
            if (m_j.contains(k) && m_j[k].is_number_integer())
                return m_j[k].get<int64_t>();
        return std::nullopt;
    }
    int64_t need(std::initializer_list<const char*> keys) const
    {
        const auto v = integer(keys);
        if (!v || *v <= 0)
            throw Error(ErrorCode::Format, m_path + ": needs a positive integer " + *keys.begin());
        return *v;
    }
    bool flag(const char* key) const { return m_j.contains(key) && m_j[key].is_boolean() && m_j[key].get<bool>(); }
    std::string string(const char* key) const
    {
        return m_j.contains(key) && m_j[key].is_string() ? m_j[key].get<std::string>() : std::string();
    }

private:
    Json m_j;
    std::string m_path;
};

Config read_config(const std::string& folder)
{
    const fs::path p = fs::path(folder) / "config.json";
    std::optional<Json> read = read_json_file(p.string());
    if (!read)
        throw Error(ErrorCode::Format, folder + ": has no config.json (not a Hugging Face checkpoint folder)");
    Json j = std::move(*read);
    if (!j.is_object())
        throw Error(ErrorCode::Format, p.string() + ": not a JSON object");
    if (j.contains("text_config") && j["text_config"].is_object()) // multimodal wrappers
        for (const auto& [k, v] : j["text_config"].items())
            j[k] = v;
    return Config(std::move(j), p.string());
}

TensorType dtype_type(StDtype d)
{
    return d == StDtype::BF16 ? TensorType::BF16 : d == StDtype::F16 ? TensorType::F16 : TensorType::F32;
}

uint32_t file_type_of(TensorType t)
{
    switch (t) {
    case TensorType::F16: return 1;
    case TensorType::BF16: return 32;
    case TensorType::Q8_0: return 7;
    default: return 0;
    }
}

// The tensors of one conversion: what was used, and how each GGUF tensor is made.
class Tensors {
public:
    Tensors(const Checkpoint& ck, ConvertWriter& cw) : m_ck(ck), m_cw(cw) {}

    bool has(const std::string& hf) const { return m_ck.find(hf) != nullptr; }

    // As stored: PyTorch [out, in] is GGUF ne {in, out}.
    void plain(const std::string& gguf, const std::string& hf, bool keep_f32 = false)
    {
        const StTensor& t = use(hf);
        std::vector<int64_t> dims(t.shape.rbegin(), t.shape.rend());
        if (dims.empty())
            dims = {1};
        const int64_t cols = dims[0];
        m_cw.add(gguf, dims, [&t, cols](int64_t first, int64_t n, float* out) { t.to_f32(first * cols, n * cols, out); },
                 keep_f32);
    }

    // HF keeps each head's rotary halves apart ([x0..x(d/2-1)], [x(d/2)..]); GGUF's llama
    // rotates adjacent pairs: new row h*d + 2i + j is old row h*d + j*d/2 + i.
    void rope_permuted(const std::string& gguf, const std::string& hf, int64_t n_head)
    {
        const StTensor& t = use(hf);
        const bool vector = t.shape.size() == 1;
        const int64_t rows = t.shape[0], cols = vector ? 1 : t.shape[1];
        if (n_head <= 0 || rows % n_head != 0 || (rows / n_head) % 2 != 0)
            throw Error(ErrorCode::Format, hf + ": " + std::to_string(rows) + " rows do not split into " +
                                               std::to_string(n_head) + " heads of even size");
        const int64_t d = rows / n_head;
        const auto old_row = [d](int64_t r) { return (r / d) * d + (r % d % 2) * (d / 2) + (r % d) / 2; };
        std::vector<int64_t> dims = vector ? std::vector<int64_t>{rows} : std::vector<int64_t>{cols, rows};
        m_cw.add(gguf, dims, [&t, vector, rows, cols, old_row](int64_t first, int64_t n, float* out) {
            if (vector) { // one row of `rows` values
                for (int64_t r = 0; r < rows; ++r)
                    t.to_f32(old_row(r), 1, out + r);
                return;
            }
            for (int64_t r = first; r < first + n; ++r)
                t.to_f32(old_row(r) * cols, cols, out + (r - first) * cols);
        });
    }

    // Experts 0..n-1 of one projection, stacked: ne {in, out, n_experts}.
    void experts(const std::string& gguf, const std::function<std::string(int)>& hf_name, int n_experts)
    {
        std::vector<const StTensor*> parts;
        for (int e = 0; e < n_experts; ++e) {
            parts.push_back(&use(hf_name(e)));
            if (parts.back()->shape.size() != 2 || parts.back()->shape != parts.front()->shape)
                throw Error(ErrorCode::Format, hf_name(e) + ": experts of one projection must share one 2-D shape");
        }
        const int64_t out_rows = parts[0]->shape[0], cols = parts[0]->shape[1];
        m_cw.add(gguf, {cols, out_rows, n_experts}, [parts, out_rows, cols](int64_t first, int64_t n, float* out) {
            for (int64_t r = first; r < first + n; ++r)
                parts[static_cast<std::size_t>(r / out_rows)]->to_f32((r % out_rows) * cols, cols, out + (r - first) * cols);
        });
    }

    // DeepSeek's kv_b_proj [H*(nope+v), rank] as the per-head pair the absorbed attention
    // uses: k_b ne {nope, rank, H} (each head's K part transposed) and v_b ne {rank, v, H}.
    void kv_b_split(const std::string& blk, const std::string& hf, int64_t n_head, int64_t nope, int64_t v)
    {
        const StTensor& t = use(hf);
        if (t.shape.size() != 2 || t.shape[0] != n_head * (nope + v))
            throw Error(ErrorCode::Format, hf + ": expected " + std::to_string(n_head * (nope + v)) + " rows (" +
                                               std::to_string(n_head) + " heads of " + std::to_string(nope) + " + " +
                                               std::to_string(v) + ")");
        const int64_t rank = t.shape[1];
        m_cw.add(blk + "attn_k_b.weight", {nope, rank, n_head}, [&t, rank, nope, v](int64_t first, int64_t n, float* out) {
            for (int64_t q = first; q < first + n; ++q) {
                const int64_t h = q / rank, c = q % rank;
                for (int64_t d = 0; d < nope; ++d)
                    t.to_f32((h * (nope + v) + d) * rank + c, 1, out + (q - first) * nope + d);
            }
        });
        m_cw.add(blk + "attn_v_b.weight", {rank, v, n_head}, [&t, rank, nope, v](int64_t first, int64_t n, float* out) {
            for (int64_t q = first; q < first + n; ++q)
                t.to_f32((q / v * (nope + v) + nope + q % v) * rank, rank, out + (q - first) * rank);
        });
    }

    // Llama 3's frequency factors (rope_type "llama3"): a tensor, not metadata.
    void llama3_rope_freqs(const Json& rope, double base, int64_t head_dim)
    {
        const double factor = rope.value("factor", 8.0), lo = rope.value("low_freq_factor", 1.0),
                     hi = rope.value("high_freq_factor", 4.0),
                     old_ctx = rope.value("original_max_position_embeddings", 8192.0);
        std::vector<float> f;
        for (int64_t k = 0; k < head_dim / 2; ++k) {
            const double freq = 1.0 / std::pow(base, 2.0 * double(k) / double(head_dim));
            const double wavelen = 2 * std::numbers::pi / freq;
            double value = factor;
            if (wavelen < old_ctx / hi)
                value = 1;
            else if (wavelen <= old_ctx / lo) {
                const double s = (old_ctx / wavelen - lo) / (hi - lo);
                value = 1 / ((1 - s) / factor + s);
            }
            f.push_back(static_cast<float>(value));
        }
        m_cw.add("rope_freqs.weight", {static_cast<int64_t>(f.size())},
                 [f](int64_t, int64_t, float* out) { std::copy(f.begin(), f.end(), out); });
    }

    // HF tensors nothing converted (buffers and multi-token-prediction layers aside).
    std::vector<std::string> unused(int n_layers) const
    {
        std::vector<std::string> left;
        for (const std::string& name : m_ck.names()) {
            if (m_used.count(name) || name.ends_with("rotary_emb.inv_freq"))
                continue;
            int layer = -1;
            if (std::sscanf(name.c_str(), "model.layers.%d.", &layer) == 1 && layer >= n_layers)
                continue; // DeepSeek V3's MTP layer: the engine does not predict ahead
            left.push_back(name);
        }
        return left;
    }
    void mark_used(const std::string& hf) { m_used.insert(hf); }

private:
    const StTensor& use(const std::string& hf)
    {
        m_used.insert(hf);
        return m_ck.get(hf);
    }

    const Checkpoint& m_ck;
    ConvertWriter& m_cw;
    std::set<std::string> m_used;
};

struct Shape {
    int64_t n_layers, dim, n_heads, n_kv_heads, head_dim, n_experts, n_vocab;
};

void write_metadata(GgufWriter& w, const Config& c, const Source& src, const Shape& s)
{
    const std::string a = src.arch;
    const auto u32 = [&w, &a](const std::string& key, int64_t v) { w.add_u32(a + "." + key, static_cast<uint32_t>(v)); };
    const auto f32 = [&w, &a](const std::string& key, double v) { w.add_f32(a + "." + key, static_cast<float>(v)); };
    u32("block_count", s.n_layers);
    if (const auto v = c.integer({"max_position_embeddings", "n_ctx", "n_positions", "max_sequence_length"}))
        u32("context_length", *v);
    u32("embedding_length", s.dim);
    if (const auto v = c.integer({"intermediate_size", "n_inner", "hidden_dim"}))
        u32("feed_forward_length", *v);
    u32("attention.head_count", s.n_heads);
    u32("attention.head_count_kv", src.family == Family::Deepseek2 ? 1 : s.n_kv_heads);
    f32("rope.freq_base", c.number({"rope_theta"}).value_or(10000.0));
    f32("attention.layer_norm_rms_epsilon", c.number({"rms_norm_eps", "norm_eps"}).value_or(1e-6));
    if (s.n_experts > 0) {
        u32("expert_count", s.n_experts);
        u32("expert_used_count", c.need({"num_experts_per_tok", "num_experts_per_token"}));
    }
    if (const auto v = c.integer({"n_group"}))
        u32("expert_group_count", *v);
    if (const auto v = c.integer({"topk_group"}))
        u32("expert_group_used_count", *v);
    const std::string scoring = c.string("scoring_func");
    if (scoring == "softmax" || scoring == "sigmoid")
        u32("expert_gating_func", scoring == "softmax" ? 1 : 2);
    else if (!scoring.empty())
        throw Error(ErrorCode::Unsupported, "config.json: scoring_func '" + scoring + "' is not supported");
    if (src.family != Family::Deepseek2 && c.integer({"head_dim"})) {
        u32("attention.key_length", s.head_dim);
        u32("attention.value_length", s.head_dim);
    }
    if (src.family == Family::Llama) {
        u32("vocab_size", s.n_vocab);
        u32("rope.dimension_count", s.head_dim);
    }
    if (src.family == Family::Qwen2Moe || src.family == Family::Qwen3Moe) {
        if (const auto v = c.integer({"moe_intermediate_size"}))
            u32("expert_feed_forward_length", *v);
        if (const auto v = c.integer({"shared_expert_intermediate_size"}))
            u32("expert_shared_feed_forward_length", *v);
    }
    if (src.family == Family::Deepseek2) {
        const int64_t rank = c.integer({"kv_lora_rank"}).value_or(512), rope = c.need({"qk_rope_head_dim"});
        u32("leading_dense_block_count", c.integer({"first_k_dense_replace"}).value_or(s.n_experts > 0 ? 0 : s.n_layers));
        u32("vocab_size", s.n_vocab);
        if (const auto v = c.integer({"q_lora_rank"}))
            u32("attention.q_lora_rank", *v);
        u32("attention.kv_lora_rank", rank);
        u32("attention.key_length", rank + rope);
        u32("attention.value_length", rank);
        u32("attention.key_length_mla", c.need({"qk_nope_head_dim"}) + rope);
        u32("attention.value_length_mla", c.need({"v_head_dim"}));
        u32("expert_feed_forward_length", c.need({"moe_intermediate_size", "intermediate_size"}));
        u32("expert_shared_count", c.integer({"n_shared_experts"}).value_or(0));
        if (const auto v = c.number({"routed_scaling_factor"}))
            f32("expert_weights_scale", *v);
        if (c.flag("norm_topk_prob"))
            w.add_bool(a + ".expert_weights_norm", true);
        u32("rope.dimension_count", rope);
    }
    // RoPE scaling: linear and YaRN as keys (Llama 3's factors are a tensor, added later).
    const Json& j = c.json();
    const Json rope = j.contains("rope_scaling") && j["rope_scaling"].is_object() ? j["rope_scaling"] : Json::object();
    const std::string type = rope.value("rope_type", rope.value("type", std::string()));
    if ((type == "linear" || type == "yarn") && rope.contains("factor") && rope["factor"].is_number()) {
        w.add_string(a + ".rope.scaling.type", type);
        f32("rope.scaling.factor", rope["factor"].get<double>());
        if (type == "yarn") {
            if (!rope.contains("original_max_position_embeddings") || !rope["original_max_position_embeddings"].is_number())
                throw Error(ErrorCode::Format, "config.json: YaRN rope_scaling needs original_max_position_embeddings");
            u32("rope.scaling.original_context_length", rope["original_max_position_embeddings"].get<int64_t>());
            for (const auto& [key, gguf] : std::vector<std::pair<const char*, const char*>>{
                     {"beta_fast", "rope.scaling.yarn_beta_fast"}, {"beta_slow", "rope.scaling.yarn_beta_slow"}})
                if (rope.contains(key) && rope[key].is_number())
                    f32(gguf, rope[key].get<double>());
            if (src.family == Family::Deepseek2 && rope.contains("mscale_all_dim") && rope["mscale_all_dim"].is_number())
                f32("rope.scaling.yarn_log_multiplier", 0.1 * rope["mscale_all_dim"].get<double>());
        }
    }
}

void convert_layer(Tensors& t, const Config& c, const Source& src, const Shape& s, int64_t layer)
{
    const std::string h = "model.layers." + std::to_string(layer) + ".", b = "blk." + std::to_string(layer) + ".";
    t.plain(b + "attn_norm.weight", h + "input_layernorm.weight");
    t.plain(b + "ffn_norm.weight", h + "post_attention_layernorm.weight");
    const std::string at = h + "self_attn.";
    if (src.family == Family::Deepseek2) {
        if (t.has(at + "q_a_proj.weight")) {
            t.plain(b + "attn_q_a.weight", at + "q_a_proj.weight");
            t.plain(b + "attn_q_a_norm.weight", at + "q_a_layernorm.weight");
            t.plain(b + "attn_q_b.weight", at + "q_b_proj.weight");
        } else {
            t.plain(b + "attn_q.weight", at + "q_proj.weight");
        }
        t.plain(b + "attn_kv_a_mqa.weight", at + "kv_a_proj_with_mqa.weight");
        t.plain(b + "attn_kv_a_norm.weight", at + "kv_a_layernorm.weight");
        t.kv_b_split(b, at + "kv_b_proj.weight", s.n_heads, c.need({"qk_nope_head_dim"}), c.need({"v_head_dim"}));
    } else {
        const bool permute = src.family == Family::Llama;
        for (const char* p : {"weight", "bias"}) {
            const std::string q = at + "q_proj." + p, k = at + "k_proj." + p, v = at + "v_proj." + p;
            if (!t.has(q))
                continue;
            permute ? t.rope_permuted(b + "attn_q." + p, q, s.n_heads) : t.plain(b + "attn_q." + p, q);
            permute ? t.rope_permuted(b + "attn_k." + p, k, s.n_kv_heads) : t.plain(b + "attn_k." + p, k);
            t.plain(b + "attn_v." + p, v);
        }
        if (t.has(at + "q_norm.weight")) {
            t.plain(b + "attn_q_norm.weight", at + "q_norm.weight");
            t.plain(b + "attn_k_norm.weight", at + "k_norm.weight");
        }
    }
    t.plain(b + "attn_output.weight", at + "o_proj.weight");

    const std::string mlp = h + "mlp.", moe = h + "block_sparse_moe.";
    if (t.has(mlp + "gate_proj.weight")) { // a dense FFN (DeepSeek's leading layers too)
        t.plain(b + "ffn_gate.weight", mlp + "gate_proj.weight");
        t.plain(b + "ffn_up.weight", mlp + "up_proj.weight");
        t.plain(b + "ffn_down.weight", mlp + "down_proj.weight");
        return;
    }
    const int n = static_cast<int>(s.n_experts);
    if (n <= 0)
        throw Error(ErrorCode::Format, "layer " + std::to_string(layer) + " has no dense FFN and config.json no experts");
    if (t.has(moe + "gate.weight")) { // Mixtral
        t.plain(b + "ffn_gate_inp.weight", moe + "gate.weight", true);
        t.experts(b + "ffn_gate_exps.weight", [&](int e) { return moe + "experts." + std::to_string(e) + ".w1.weight"; }, n);
        t.experts(b + "ffn_down_exps.weight", [&](int e) { return moe + "experts." + std::to_string(e) + ".w2.weight"; }, n);
        t.experts(b + "ffn_up_exps.weight", [&](int e) { return moe + "experts." + std::to_string(e) + ".w3.weight"; }, n);
        return;
    }
    t.plain(b + "ffn_gate_inp.weight", mlp + "gate.weight", true);
    for (const char* p : {"gate", "up", "down"})
        t.experts(b + "ffn_" + p + "_exps.weight",
                  [&](int e) { return mlp + "experts." + std::to_string(e) + "." + p + "_proj.weight"; }, n);
    for (const char* shared : {"shared_expert.", "shared_experts."}) // qwen2moe, deepseek
        if (t.has(mlp + shared + "gate_proj.weight"))
            for (const char* p : {"gate", "up", "down"})
                t.plain(b + "ffn_" + p + "_shexp.weight", mlp + shared + p + "_proj.weight");
    if (t.has(mlp + "shared_expert_gate.weight"))
        t.plain(b + "ffn_gate_inp_shexp.weight", mlp + "shared_expert_gate.weight", true);
    if (t.has(mlp + "gate.e_score_correction_bias"))
        t.plain(b + "exp_probs_b.bias", mlp + "gate.e_score_correction_bias");
}

} // namespace

ConvertResult convert_hf(const std::string& folder, const std::string& out, const ConvertOptions& o)
{
    const Config c = read_config(folder);
    const Json& j = c.json();
    const std::string hf_arch = j.contains("architectures") && j["architectures"].is_array() && !j["architectures"].empty() &&
                                        j["architectures"][0].is_string()
                                    ? j["architectures"][0].get<std::string>()
                                    : std::string();
    const auto src = source_of(hf_arch);
    if (!src)
        throw Error(ErrorCode::Unsupported,
                    folder + ": architecture '" + hf_arch + "' is not converted (llama, mistral, mixtral, qwen2, qwen2_moe, "
                                                            "qwen3_moe, deepseek_v2 and deepseek_v3 are)");
    const Checkpoint ck = Checkpoint::open_folder(folder);
    Shape s{};
    s.n_layers = c.need({"num_hidden_layers", "n_layers", "num_layers"});
    s.dim = c.need({"hidden_size", "n_embd", "dim"});
    s.n_heads = c.need({"num_attention_heads", "n_head", "n_heads"});
    s.n_kv_heads = c.integer({"num_key_value_heads", "n_kv_heads"}).value_or(s.n_heads);
    s.head_dim = c.integer({"head_dim"}).value_or(s.dim / s.n_heads);
    s.n_experts = c.integer({"num_local_experts", "num_experts", "n_routed_experts"}).value_or(0);
    s.n_vocab = c.integer({"vocab_size"}).value_or(0);

    const TensorType type = convert_weight_type(o.type, dtype_type(ck.get("model.embed_tokens.weight").dtype));
    GgufWriter w;
    w.add_string("general.architecture", src->arch);
    w.add_string("general.type", "model");
    w.add_string("general.name", fs::path(folder).filename().empty() ? fs::path(folder).parent_path().filename().string()
                                                                      : fs::path(folder).filename().string());
    w.add_u32("general.file_type", file_type_of(type));
    write_metadata(w, c, *src, s);
    add_hf_tokenizer(w, folder, src->arch, s.n_vocab);

    ConvertWriter cw(w, o, type);
    Tensors t(ck, cw);
    t.plain("token_embd.weight", "model.embed_tokens.weight");
    t.plain("output_norm.weight", "model.norm.weight");
    if (t.has("lm_head.weight")) {
        if (src->family == Family::Deepseek2 && c.flag("tie_word_embeddings"))
            t.mark_used("lm_head.weight");
        else
            t.plain("output.weight", "lm_head.weight");
    }
    if (j.contains("rope_scaling") && j["rope_scaling"].is_object() &&
        j["rope_scaling"].value("rope_type", j["rope_scaling"].value("type", std::string())) == "llama3")
        t.llama3_rope_freqs(j["rope_scaling"], c.number({"rope_theta"}).value_or(10000.0), s.head_dim);
    for (int64_t l = 0; l < s.n_layers; ++l)
        convert_layer(t, c, *src, s, l);
    const auto left = t.unused(static_cast<int>(s.n_layers));
    if (!left.empty())
        throw Error(ErrorCode::Unsupported, folder + ": tensor '" + left.front() + "' (and " +
                                                std::to_string(left.size() - 1) +
                                                " more) would be left out; this variant of " + hf_arch + " is not supported");
    w.write(out);
    try {
        Model::load(out); // every name, shape and key as the engine (and llama.cpp) expects them
    } catch (const Error& e) {
        std::filesystem::remove(out);
        throw Error(ErrorCode::Format, "the converted model does not load, so it was removed: " + std::string(e.what()));
    }
    ConvertResult r;
    r.source = "Hugging Face " + hf_arch;
    r.arch = src->arch;
    r.tensors = cw.tensors();
    r.bytes = cw.bytes();
    return r;
}

} // namespace seekbench
