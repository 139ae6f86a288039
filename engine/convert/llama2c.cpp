// llama2.c checkpoints -> GGUF. The legacy export: seven int32 (dim, hidden_dim, n_layers,
// n_heads, n_kv_heads, vocab_size (negative: a separate classifier), seq_len), then F32
// arrays in a fixed order, each per-layer one for all layers at once. Q and K are already in
// the interleaved-pair RoPE layout GGUF's llama expects, so every tensor is copied as is.
// The vocabulary comes from llama2.c's tokenizer.bin (a score, a length and bytes per token).
#include "convert_impl.h"

#include "engine/error.h"
#include "engine/mapped_file.h"

#include <cstring>
#include <filesystem>

namespace seekbench {
namespace {

struct Header {
    int32_t dim, hidden, n_layers, n_heads, n_kv_heads, vocab, seq_len;
};

struct Vocab {
    std::vector<std::string> tokens;
    std::vector<float> scores;
    std::vector<int32_t> types;
};

bool is_byte_token(const std::string& t)
{
    return t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>' && std::isxdigit(static_cast<unsigned char>(t[3])) &&
           std::isxdigit(static_cast<unsigned char>(t[4]));
}

// llama2.c stores pieces with real spaces and BOS/EOS as "\n<s>\n"; GGUF's SentencePiece
// vocabulary writes U+2581 for a space and types each token.
Vocab read_vocab(const std::string& path, int n_vocab)
{
    const MappedFile f = MappedFile::open(path);
    std::size_t pos = 4;
    if (f.size() < 4)
        throw Error(ErrorCode::Format, path + ": too short for a llama2.c tokenizer");
    Vocab v;
    for (int i = 0; i < n_vocab; ++i) {
        float score;
        uint32_t len;
        if (f.size() - pos < 8)
            throw Error(ErrorCode::Format, path + ": ends at token " + std::to_string(i) + " of the model's " +
                                               std::to_string(n_vocab));
        std::memcpy(&score, f.data() + pos, 4);
        std::memcpy(&len, f.data() + pos + 4, 4);
        pos += 8;
        if (len > f.size() - pos)
            throw Error(ErrorCode::Format, path + ": token " + std::to_string(i) + " runs past the end of the file");
        std::string text(reinterpret_cast<const char*>(f.data() + pos), len);
        pos += len;
        int32_t type = 1; // normal
        if (i == 0) {
            type = 2;     // unknown
        } else if (i <= 2) {
            type = 3;     // control: BOS, EOS
            const std::size_t a = text.find_first_not_of('\n'), b = text.find_last_not_of('\n');
            text = a == std::string::npos ? std::string() : text.substr(a, b - a + 1);
        } else if (is_byte_token(text)) {
            type = 6;
        } else {
            std::string spm;
            for (char c : text)
                spm += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
            text = std::move(spm);
        }
        v.tokens.push_back(std::move(text));
        v.scores.push_back(score);
        v.types.push_back(type);
    }
    if (pos != f.size())
        throw Error(ErrorCode::Format, path + ": holds more than the model's " + std::to_string(n_vocab) +
                                           " tokens (" + std::to_string(f.size() - pos) + " bytes left); "
                                           "is it the tokenizer of this model?");
    return v;
}

} // namespace

ConvertResult convert_llama2c(const std::string& model_path, const std::string& out, const ConvertOptions& o)
{
    if (o.tokenizer.empty())
        throw Error(ErrorCode::InvalidArgument, model_path + ": a llama2.c checkpoint needs its tokenizer.bin (--tokenizer)");
    auto map = std::make_shared<MappedFile>(MappedFile::open(model_path));
    Header h{};
    if (map->size() < sizeof h)
        throw Error(ErrorCode::Format, model_path + ": too short for a llama2.c checkpoint");
    std::memcpy(&h, map->data(), sizeof h);
    const bool shared = h.vocab > 0;
    const int64_t vocab = shared ? h.vocab : -int64_t(h.vocab);
    const auto sane = [](int64_t v, int64_t max) { return v > 0 && v <= max; };
    if (!sane(h.dim, 1 << 16) || !sane(h.hidden, 1 << 18) || !sane(h.n_layers, 1 << 10) || !sane(h.n_heads, 1 << 10) ||
        !sane(h.n_kv_heads, h.n_heads) || !sane(vocab, 1 << 21) || !sane(h.seq_len, 1 << 22) ||
        h.dim % h.n_heads != 0 || h.n_heads % h.n_kv_heads != 0 || (h.dim / h.n_heads) % 2 != 0)
        throw Error(ErrorCode::Format, model_path + ": not a llama2.c checkpoint (its header says dim " +
                                           std::to_string(h.dim) + ", hidden " + std::to_string(h.hidden) + ", " +
                                           std::to_string(h.n_layers) + " layers, " + std::to_string(h.n_heads) + "/" +
                                           std::to_string(h.n_kv_heads) + " heads, vocab " + std::to_string(h.vocab) + ")");
    const int64_t dim = h.dim, hidden = h.hidden, L = h.n_layers, head = dim / h.n_heads;
    const int64_t kv_dim = dim * h.n_kv_heads / h.n_heads;

    // Where each array starts, in floats after the header.
    int64_t at = 0;
    const auto take = [&at](int64_t n) { const int64_t a = at; at += n; return a; };
    const int64_t emb = take(vocab * dim), att_norm = take(L * dim), wq = take(L * dim * dim), wk = take(L * kv_dim * dim),
                  wv = take(L * kv_dim * dim), wo = take(L * dim * dim), ffn_norm = take(L * dim),
                  w1 = take(L * hidden * dim), w2 = take(L * dim * hidden), w3 = take(L * hidden * dim),
                  final_norm = take(dim);
    take(h.seq_len * head); // the RoPE tables (real and imaginary halves): computed, not read
    const int64_t wcls = shared ? emb : take(vocab * dim);
    const uint64_t expect = sizeof h + static_cast<uint64_t>(at) * 4;
    if (map->size() != expect)
        throw Error(ErrorCode::Format, model_path + ": is " + std::to_string(map->size()) + " bytes; a llama2.c checkpoint of "
                                           "this header holds " + std::to_string(expect) + " (truncated, or another format)");
    const Vocab v = read_vocab(o.tokenizer, static_cast<int>(vocab));

    const TensorType type = convert_weight_type(o.type, TensorType::F32);
    GgufWriter w;
    w.add_string("general.architecture", "llama");
    w.add_string("general.name", std::filesystem::path(model_path).stem().string());
    w.add_u32("general.file_type", type == TensorType::F16 ? 1 : type == TensorType::BF16 ? 32 : type == TensorType::Q8_0 ? 7 : 0);
    w.add_u32("llama.context_length", static_cast<uint32_t>(h.seq_len));
    w.add_u32("llama.embedding_length", static_cast<uint32_t>(dim));
    w.add_u32("llama.feed_forward_length", static_cast<uint32_t>(hidden));
    w.add_u32("llama.attention.head_count", static_cast<uint32_t>(h.n_heads));
    w.add_u32("llama.attention.head_count_kv", static_cast<uint32_t>(h.n_kv_heads));
    w.add_u32("llama.block_count", static_cast<uint32_t>(L));
    w.add_u32("llama.rope.dimension_count", static_cast<uint32_t>(head));
    w.add_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    w.add_string("tokenizer.ggml.model", "llama");
    w.add_strings("tokenizer.ggml.tokens", v.tokens);
    w.add_f32s("tokenizer.ggml.scores", v.scores);
    w.add_i32s("tokenizer.ggml.token_type", v.types);
    w.add_u32("tokenizer.ggml.unknown_token_id", 0);
    w.add_u32("tokenizer.ggml.bos_token_id", 1);
    w.add_u32("tokenizer.ggml.eos_token_id", 2);

    ConvertWriter cw(w, o, type);
    // A tensor of `rows` x `cols` floats at float offset `start`.
    const auto tensor = [&cw, map](const std::string& name, int64_t start, int64_t cols, int64_t rows) {
        const uint8_t* base = map->data() + sizeof(Header) + static_cast<std::size_t>(start) * 4;
        std::vector<int64_t> dims = rows > 1 ? std::vector<int64_t>{cols, rows} : std::vector<int64_t>{cols};
        cw.add(name, dims, [map, base, cols](int64_t first, int64_t n, float* dst) {
            std::memcpy(dst, base + static_cast<std::size_t>(first * cols) * 4, static_cast<std::size_t>(n * cols) * 4);
        });
    };
    tensor("token_embd.weight", emb, dim, vocab);
    tensor("output_norm.weight", final_norm, dim, 1);
    tensor("output.weight", wcls, dim, vocab); // llama.cpp's converter writes it even when shared
    for (int64_t l = 0; l < L; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        tensor(b + "attn_q.weight", wq + l * dim * dim, dim, dim);
        tensor(b + "attn_k.weight", wk + l * kv_dim * dim, dim, kv_dim);
        tensor(b + "attn_v.weight", wv + l * kv_dim * dim, dim, kv_dim);
        tensor(b + "attn_output.weight", wo + l * dim * dim, dim, dim);
        tensor(b + "attn_norm.weight", att_norm + l * dim, dim, 1);
        tensor(b + "ffn_gate.weight", w1 + l * hidden * dim, dim, hidden);
        tensor(b + "ffn_down.weight", w2 + l * dim * hidden, hidden, dim);
        tensor(b + "ffn_up.weight", w3 + l * hidden * dim, dim, hidden);
        tensor(b + "ffn_norm.weight", ffn_norm + l * dim, dim, 1);
    }
    w.write(out);
    ConvertResult r;
    r.source = "llama2.c checkpoint";
    r.arch = "llama";
    r.tensors = cw.tensors();
    r.bytes = cw.bytes();
    return r;
}

} // namespace seekbench
