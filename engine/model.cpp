// Model loading: hyper-parameters from `{arch}.*` metadata, weights by llama.cpp's tensor
// names, every shape and type checked with an error naming the tensor.
#include "model.h"

#include "error.h"

#include <map>

namespace seekbench {
namespace {

class Loader {
public:
    Loader(const GgufFile& file, const std::string& arch) : m_file(file), m_arch(arch) {}

    int64_t required_int(const std::string& suffix) const
    {
        const std::string key = m_arch + "." + suffix;
        const auto v = m_file.get_int(key);
        if (!v)
            throw Error(ErrorCode::Format, m_file.path() + ": missing metadata '" + key + "'");
        if (*v <= 0 || *v > (1 << 24))
            throw Error(ErrorCode::Format, m_file.path() + ": metadata '" + key + "' = " +
                                               std::to_string(*v) + " is out of range");
        return *v;
    }
    int64_t optional_int(const std::string& suffix, int64_t fallback) const
    {
        const auto v = m_file.get_int(m_arch + "." + suffix);
        if (v && (*v <= 0 || *v > (1 << 24)))
            throw Error(ErrorCode::Format, m_file.path() + ": metadata '" + m_arch + "." + suffix +
                                               "' = " + std::to_string(*v) + " is out of range");
        return v.value_or(fallback);
    }
    double optional_float(const std::string& suffix, double fallback) const
    {
        return m_file.get_float(m_arch + "." + suffix).value_or(fallback);
    }

    // A tensor with the expected shape (ne[0] first), or an error naming both shapes.
    TensorRef tensor(const std::string& name, std::vector<int64_t> shape, bool required = true) const
    {
        const GgufTensor* t = m_file.find_tensor(name);
        if (!t) {
            if (required)
                throw Error(ErrorCode::Format, m_file.path() + ": tensor '" + name + "' is missing");
            return {};
        }
        bool ok = t->n_dims == static_cast<int>(shape.size());
        for (std::size_t d = 0; ok && d < shape.size(); ++d)
            ok = t->ne[d] == shape[d];
        if (!ok) {
            std::string want = "[";
            for (std::size_t d = 0; d < shape.size(); ++d)
                want += (d ? ", " : "") + std::to_string(shape[d]);
            throw Error(ErrorCode::Format, m_file.path() + ": tensor '" + name + "' has shape " +
                                               t->shape_string() + ", expected " + want + "]");
        }
        const auto traits = type_traits(static_cast<uint32_t>(t->type));
        if (!traits || !traits->supported)
            throw Error(ErrorCode::Unsupported, m_file.path() + ": tensor '" + name + "' has type " +
                                                    (traits ? traits->name : "unknown") +
                                                    ", which Seekbench cannot compute with yet");
        return TensorRef{t};
    }

private:
    const GgufFile& m_file;
    std::string m_arch;
};

const char* file_type_name(int64_t id)
{
    static const std::map<int64_t, const char*> names = {
        {0, "F32"},     {1, "F16"},     {2, "Q4_0"},    {3, "Q4_1"},    {7, "Q8_0"},
        {8, "Q5_0"},    {9, "Q5_1"},    {10, "Q2_K"},   {11, "Q3_K_S"}, {12, "Q3_K_M"},
        {13, "Q3_K_L"}, {14, "Q4_K_S"}, {15, "Q4_K_M"}, {16, "Q5_K_S"}, {17, "Q5_K_M"},
        {18, "Q6_K"},   {32, "BF16"},
    };
    const auto it = names.find(id);
    return it == names.end() ? nullptr : it->second;
}

} // namespace

std::unique_ptr<Model> Model::load(const std::string& path, const std::function<void(float)>& progress)
{
    auto model = std::unique_ptr<Model>(new Model);
    model->m_file = GgufFile::open(path);
    const GgufFile& f = *model->m_file;
    ModelConfig& c = model->m_config;
    if (f.tensors().empty())
        throw Error(ErrorCode::Format, path + ": the file has no tensors; a vocabulary-only file "
                                              "can tokenize but not run");
    const auto arch = f.get_string("general.architecture");
    if (!arch)
        throw Error(ErrorCode::Format, path + ": metadata 'general.architecture' is missing");
    c.arch_name = *arch;
    if (c.arch_name == "llama")
        c.arch = Arch::Llama;
    else if (c.arch_name == "qwen2")
        c.arch = Arch::Qwen2;
    else
        throw Error(ErrorCode::Unsupported, path + ": architecture '" + c.arch_name +
                                                "' is not supported (llama, qwen2 are)");
    c.name = f.get_string("general.name").value_or("");
    model->m_tokenizer = Tokenizer::from_gguf(f);

    const Loader l(f, c.arch_name);
    c.dim = static_cast<int>(l.required_int("embedding_length"));
    c.n_layers = static_cast<int>(l.required_int("block_count"));
    c.n_heads = static_cast<int>(l.required_int("attention.head_count"));
    c.n_kv_heads = static_cast<int>(l.optional_int("attention.head_count_kv", c.n_heads));
    c.hidden_dim = static_cast<int>(l.required_int("feed_forward_length"));
    c.n_ctx_train = static_cast<int>(l.optional_int("context_length", 2048));
    c.head_dim = static_cast<int>(l.optional_int("attention.key_length", c.dim / c.n_heads));
    c.head_dim_v = static_cast<int>(l.optional_int("attention.value_length", c.head_dim));
    c.n_vocab = static_cast<int>(l.optional_int("vocab_size", model->m_tokenizer->n_vocab()));
    c.norm_eps = static_cast<float>(l.optional_float("attention.layer_norm_rms_epsilon", 1e-5));
    c.rope_base = static_cast<float>(l.optional_float("rope.freq_base", 10000.0));
    c.rope_dims = static_cast<int>(l.optional_int("rope.dimension_count", c.head_dim));
    c.rope_type = c.arch == Arch::Qwen2 ? RopeType::Neox : RopeType::Normal;
    const std::string scaling = f.get_string(c.arch_name + ".rope.scaling.type").value_or("none");
    if (scaling == "linear") {
        const double factor = l.optional_float("rope.scaling.factor", 1.0);
        if (factor <= 0)
            throw Error(ErrorCode::Format, path + ": rope.scaling.factor must be positive");
        c.rope_freq_scale = static_cast<float>(1.0 / factor);
    } else if (scaling != "none") {
        throw Error(ErrorCode::Unsupported, path + ": rope scaling '" + scaling + "' is not supported");
    }
    if (c.n_heads % c.n_kv_heads != 0)
        throw Error(ErrorCode::Format, path + ": " + std::to_string(c.n_heads) +
                                           " attention heads cannot be shared by " +
                                           std::to_string(c.n_kv_heads) + " KV heads");
    if (c.rope_dims > c.head_dim || c.rope_dims % 2 != 0)
        throw Error(ErrorCode::Format, path + ": rope.dimension_count " + std::to_string(c.rope_dims) +
                                           " does not fit heads of " + std::to_string(c.head_dim));
    if (c.n_vocab != model->m_tokenizer->n_vocab())
        throw Error(ErrorCode::Format, path + ": the model has " + std::to_string(c.n_vocab) +
                                           " vocabulary rows but the tokenizer " +
                                           std::to_string(model->m_tokenizer->n_vocab()) + " tokens");
    c.attn_bias = c.arch == Arch::Qwen2;

    Weights& w = model->m_weights;
    const int64_t dim = c.dim, q_dim = int64_t(c.n_heads) * c.head_dim,
                  k_dim = int64_t(c.n_kv_heads) * c.head_dim, v_dim = int64_t(c.n_kv_heads) * c.head_dim_v,
                  o_dim = int64_t(c.n_heads) * c.head_dim_v;
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
        lw.wq = l.tensor(p + "attn_q.weight", {dim, q_dim});
        lw.wk = l.tensor(p + "attn_k.weight", {dim, k_dim});
        lw.wv = l.tensor(p + "attn_v.weight", {dim, v_dim});
        lw.wo = l.tensor(p + "attn_output.weight", {o_dim, dim});
        // Biases are what qwen2 has; a llama file may carry them too.
        lw.bq = l.tensor(p + "attn_q.bias", {q_dim}, c.attn_bias);
        lw.bk = l.tensor(p + "attn_k.bias", {k_dim}, c.attn_bias);
        lw.bv = l.tensor(p + "attn_v.bias", {v_dim}, c.attn_bias);
        lw.ffn_norm = l.tensor(p + "ffn_norm.weight", {dim});
        lw.w_gate = l.tensor(p + "ffn_gate.weight", {dim, c.hidden_dim});
        lw.w_up = l.tensor(p + "ffn_up.weight", {dim, c.hidden_dim});
        lw.w_down = l.tensor(p + "ffn_down.weight", {c.hidden_dim, dim});
        for (const TensorRef* v : {&lw.attn_norm, &lw.ffn_norm, &lw.bq, &lw.bk, &lw.bv})
            if (*v && v->type() != TensorType::F32)
                throw Error(ErrorCode::Unsupported, path + ": tensor '" + v->t->name + "' is " +
                                                        type_name(v->type()) + "; vectors must be F32");
        if (progress)
            progress(static_cast<float>(i + 1) / static_cast<float>(c.n_layers));
    }
    for (const TensorRef* t : {&w.output_norm})
        if (t->type() != TensorType::F32)
            throw Error(ErrorCode::Unsupported, path + ": output_norm.weight must be F32");
    return model;
}

ModelInfo Model::info() const
{
    ModelInfo i;
    i.path = m_file->path();
    i.arch = m_config.arch_name;
    i.name = m_config.name;
    i.file_bytes = m_file->file_size();
    i.n_layers = m_config.n_layers;
    i.dim = m_config.dim;
    i.n_heads = m_config.n_heads;
    i.n_kv_heads = m_config.n_kv_heads;
    i.n_ctx_train = m_config.n_ctx_train;
    i.n_vocab = m_config.n_vocab;
    std::map<TensorType, uint64_t> by_type;
    for (const GgufTensor& t : m_file->tensors()) {
        i.parameters += static_cast<uint64_t>(t.elements());
        if (t.n_dims >= 2)
            by_type[t.type] += static_cast<uint64_t>(t.elements());
    }
    const auto ftype = m_file->get_int("general.file_type");
    if (ftype && file_type_name(*ftype)) {
        i.file_type = file_type_name(*ftype);
    } else {
        uint64_t best = 0;
        for (const auto& [type, n] : by_type)
            if (n > best) {
                best = n;
                i.file_type = type_name(type);
            }
    }
    i.tokenizer = m_tokenizer->describe();
    i.chat_template = m_file->get_string("tokenizer.chat_template").value_or("");
    return i;
}

} // namespace seekbench
