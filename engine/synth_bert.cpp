// Synthetic embedding models: bert and nomic-bert files with llama.cpp's tensor names and
// keys, and a made-up uncased WordPiece vocabulary laid out like BERT's ([PAD] 0, [UNK]
// 100, [CLS] 101, [SEP] 102, [MASK] 103; word starts as "▁piece", continuations bare), so
// that llama.cpp loads them too and the two engines can be compared on one file.
#include "synth_impl.h"

#include "error.h"

#include <set>

namespace seekbench {
namespace {

void add_wordpiece_vocab(GgufWriter& w, int n_vocab)
{
    std::vector<std::string> tokens{"[PAD]"};
    for (int i = 0; tokens.size() < 100; ++i)
        tokens.push_back("[unused" + std::to_string(i) + "]");
    for (const char* s : {"[UNK]", "[CLS]", "[SEP]", "[MASK]"})
        tokens.emplace_back(s);
    std::vector<int32_t> types(tokens.size(), 3);
    std::set<std::string> seen(tokens.begin(), tokens.end());
    const auto add = [&](const std::string& t) {
        if (static_cast<int>(tokens.size()) < n_vocab && seen.insert(t).second) {
            tokens.push_back(t);
            types.push_back(1);
        }
    };
    const std::string start = "\xE2\x96\x81";
    // Every single character as a word start and a continuation, so no ASCII word is unknown.
    const std::string chars = "abcdefghijklmnopqrstuvwxyz0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    for (char c : chars)
        add(start + c);
    for (char c : chars)
        add(std::string(1, c));
    for (const char* cjk : {"\xE4\xB8\xAD", "\xE6\x96\x87", "\xE5\xAD\x97"}) // 中 文 字
        add(start + cjk);
    for (const char* word : {"the", "of", "and", "to", "in", "is", "for", "on", "with", "that", "model", "search",
                             "query", "document", "text", "code", "function", "return", "value", "file", "data"})
        add(start + word);
    for (const char* suffix : {"ing", "ed", "er", "tion", "ly", "es", "s"})
        add(suffix);
    // Then every two- and three-letter piece, word starts first, until the vocabulary is full.
    const std::string letters = "etaoinshrdlucmfwypvbgkqjxz";
    for (int len = 2; len <= 3 && static_cast<int>(tokens.size()) < n_vocab; ++len)
        for (int prefixed = 1; prefixed >= 0; --prefixed) {
            std::vector<std::string> pieces{""};
            for (int i = 0; i < len; ++i) {
                std::vector<std::string> longer;
                for (const std::string& p : pieces)
                    for (char c : letters)
                        longer.push_back(p + c);
                pieces = std::move(longer);
            }
            for (const std::string& p : pieces)
                add(prefixed ? start + p : p);
        }
    for (int i = 0; static_cast<int>(tokens.size()) < n_vocab; ++i)
        add(start + "w" + std::to_string(i));
    if (static_cast<int>(tokens.size()) != n_vocab)
        throw Error(ErrorCode::InvalidArgument, "a WordPiece vocabulary needs at least " +
                                                    std::to_string(tokens.size()) + " tokens");
    w.add_string("tokenizer.ggml.model", "bert");
    w.add_strings("tokenizer.ggml.tokens", tokens);
    w.add_i32s("tokenizer.ggml.token_type", types);
    w.add_u32("tokenizer.ggml.token_type_count", 2);
    w.add_u32("tokenizer.ggml.padding_token_id", 0);
    w.add_u32("tokenizer.ggml.unknown_token_id", 100);
    w.add_u32("tokenizer.ggml.bos_token_id", 101);
    w.add_u32("tokenizer.ggml.cls_token_id", 101);
    w.add_u32("tokenizer.ggml.seperator_token_id", 102);
    w.add_u32("tokenizer.ggml.mask_token_id", 103);
    w.add_bool("tokenizer.ggml.normalizer.lowercase", true);
}

} // namespace

void write_synth_encoder(const SynthPreset& p, const SynthOptions& o, const std::string& path,
                         const std::function<void(std::size_t, std::size_t)>& progress)
{
    GgufWriter w;
    const std::string& a = p.arch;
    const bool nomic = a == "nomic-bert";
    w.add_string("general.architecture", a);
    w.add_string("general.name", "synth " + p.name);
    w.add_u32("general.file_type", static_cast<uint32_t>(synth_file_type_id(o.type)));
    w.add_u32("general.quantization_version", 2);
    w.add_u32(a + ".context_length", static_cast<uint32_t>(p.n_ctx));
    w.add_u32(a + ".embedding_length", static_cast<uint32_t>(p.dim));
    w.add_u32(a + ".block_count", static_cast<uint32_t>(p.n_layers));
    w.add_u32(a + ".feed_forward_length", static_cast<uint32_t>(p.hidden_dim));
    w.add_u32(a + ".attention.head_count", static_cast<uint32_t>(p.n_heads));
    w.add_f32(a + ".attention.layer_norm_epsilon", p.norm_eps);
    w.add_bool(a + ".attention.causal", false);
    w.add_u32(a + ".pooling_type", static_cast<uint32_t>(p.pooling));
    if (nomic)
        w.add_f32(a + ".rope.freq_base", p.rope_base);
    add_wordpiece_vocab(w, p.n_vocab);

    ThreadPool pool(o.threads);
    SynthTensors t(w, pool, o.seed);
    const int64_t dim = p.dim, ff = p.hidden_dim;
    t.matrix("token_embd.weight", dim, p.n_vocab, o.type);
    t.matrix("token_types.weight", dim, 2, TensorType::F32);
    if (!nomic)
        t.matrix("position_embd.weight", dim, p.n_ctx, TensorType::F32);
    t.vector("token_embd_norm.weight", dim, 1.0f);
    t.bias("token_embd_norm.bias", dim);
    for (int l = 0; l < p.n_layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        if (nomic) { // nomic-embed-text: q, k, v fused, no biases anywhere but the norms
            t.matrix(b + "attn_qkv.weight", dim, 3 * dim, o.type);
        } else {
            for (const char* m : {"attn_q", "attn_k", "attn_v"}) {
                t.matrix(b + m + ".weight", dim, dim, o.type);
                t.bias(b + m + ".bias", dim);
            }
        }
        t.matrix(b + "attn_output.weight", dim, dim, o.type);
        if (!nomic)
            t.bias(b + "attn_output.bias", dim);
        t.vector(b + "attn_output_norm.weight", dim, 1.0f);
        t.bias(b + "attn_output_norm.bias", dim);
        if (nomic)
            t.matrix(b + "ffn_gate.weight", dim, ff, o.type);
        t.matrix(b + "ffn_up.weight", dim, ff, o.type);
        t.matrix(b + "ffn_down.weight", ff, dim, o.type);
        if (!nomic) {
            t.bias(b + "ffn_up.bias", ff);
            t.bias(b + "ffn_down.bias", dim);
        }
        t.vector(b + "layer_output_norm.weight", dim, 1.0f);
        t.bias(b + "layer_output_norm.bias", dim);
    }
    w.write(path, progress);
}

} // namespace seekbench
