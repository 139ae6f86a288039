// find_fim_tokens and fim_prompt.
#include "fim.h"

#include "gguf.h"
#include "tokenizer.h"

namespace seekbench {
namespace {

struct Family {
    const char* name;
    const char* prefix;
    const char* suffix;
    const char* middle;
    std::vector<const char*> stops;
};

const std::vector<Family>& families()
{
    static const std::vector<Family> f{
        // DeepSeek-Coder: <｜fim▁begin｜>, <｜fim▁hole｜>, <｜fim▁end｜> (full-width bars, ▁).
        {"deepseek-coder", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "begin\xEF\xBD\x9C>",
         "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "hole\xEF\xBD\x9C>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "end\xEF\xBD\x9C>",
         {"<|EOT|>"}},
        {"qwen/starcoder", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>",
         {"<|fim_pad|>", "<|repo_name|>", "<|file_sep|>", "<|endoftext|>"}},
        {"codellama", "<PRE>", "<SUF>", "<MID>", {"<EOT>"}},
        {"codellama", "\xE2\x96\x81<PRE>", "\xE2\x96\x81<SUF>", "\xE2\x96\x81<MID>", {"\xE2\x96\x81<EOT>", "<EOT>"}},
    };
    return f;
}

int32_t metadata_id(const GgufFile* file, const char* key, int32_t n_vocab)
{
    if (!file)
        return -1;
    const GgufValue* v = file->find(key);
    if (!v || !v->is_integer())
        return -1;
    const int64_t id = v->as_int();
    return id >= 0 && id < n_vocab ? static_cast<int32_t>(id) : -1;
}

} // namespace

std::optional<FimTokens> find_fim_tokens(const Tokenizer& t, const GgufFile* file)
{
    // The metadata names them where the converter knew them.
    FimTokens m;
    m.family = "from metadata";
    m.prefix = metadata_id(file, "tokenizer.ggml.fim_pre_token_id", t.n_vocab());
    m.suffix = metadata_id(file, "tokenizer.ggml.fim_suf_token_id", t.n_vocab());
    m.middle = metadata_id(file, "tokenizer.ggml.fim_mid_token_id", t.n_vocab());
    for (const char* key : {"tokenizer.ggml.fim_pad_token_id", "tokenizer.ggml.fim_rep_token_id",
                            "tokenizer.ggml.fim_sep_token_id"})
        if (const int32_t id = metadata_id(file, key, t.n_vocab()); id >= 0)
            m.stops.push_back(id);
    for (const Family& f : families()) {
        const int32_t p = t.find(f.prefix), s = t.find(f.suffix), mid = t.find(f.middle);
        if (p < 0 || s < 0 || mid < 0)
            continue;
        FimTokens out;
        out.family = f.name;
        out.prefix = p, out.suffix = s, out.middle = mid;
        for (const char* stop : f.stops)
            if (const int32_t id = t.find(stop); id >= 0)
                out.stops.push_back(id);
        if (m.prefix >= 0 && m.suffix >= 0 && m.middle >= 0 && (m.prefix != p || m.suffix != s || m.middle != mid))
            break; // the metadata disagrees with the names: the metadata wins
        return out;
    }
    if (m.prefix >= 0 && m.suffix >= 0 && m.middle >= 0)
        return m;
    return std::nullopt;
}

std::vector<int32_t> fim_prompt(const Tokenizer& t, const FimTokens& f, std::string_view prefix, std::string_view suffix)
{
    std::vector<int32_t> out;
    if (t.adds_bos() && t.bos() >= 0)
        out.push_back(t.bos());
    out.push_back(f.prefix);
    const auto p = t.encode(prefix, false, false, true);
    out.insert(out.end(), p.begin(), p.end());
    out.push_back(f.suffix);
    const auto s = t.encode(suffix, false, false, true);
    out.insert(out.end(), s.begin(), s.end());
    out.push_back(f.middle);
    return out;
}

} // namespace seekbench
