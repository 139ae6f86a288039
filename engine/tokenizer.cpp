// Tokenizer: loading from GGUF metadata, special-token partitioning, decoding, and the
// streaming decoder. The algorithms live in tokenizer_spm.cpp, tokenizer_bpe.cpp and
// tokenizer_wpm.cpp.
#include "tokenizer.h"

#include "error.h"
#include "gguf.h"
#include "tokenizer_impl.h"

#include <algorithm>

namespace seekbench {

Tokenizer::~Tokenizer() = default;

std::unique_ptr<Tokenizer> Tokenizer::from_gguf(const GgufFile& file)
{
    std::unique_ptr<Tokenizer> tok(new Tokenizer);
    const std::string where = file.path() + ": ";
    const auto model = file.get_string("tokenizer.ggml.model");
    if (!model)
        throw Error(ErrorCode::Format, where + "no tokenizer (tokenizer.ggml.model is missing)");
    if (*model == "llama")
        tok->m_model = Model::Spm;
    else if (*model == "gpt2")
        tok->m_model = Model::Bpe;
    else if (*model == "bert")
        tok->m_model = Model::Wpm;
    else
        throw Error(ErrorCode::Unsupported, where + "tokenizer model '" + *model +
                                                "' is not supported (llama, gpt2 and bert are)");
    const GgufValue* tokens = file.get_array("tokenizer.ggml.tokens", GgufType::String);
    if (!tokens || tokens->count == 0)
        throw Error(ErrorCode::Format, where + "tokenizer.ggml.tokens is missing or empty");
    const auto n = static_cast<std::size_t>(tokens->count);
    tok->m_tokens.reserve(n);
    tok->m_index.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        tok->m_tokens.emplace_back(tokens->strings[i]);
        tok->m_index.emplace(tok->m_tokens.back(), static_cast<int32_t>(i)); // first wins
    }
    tok->m_scores.assign(n, 0.0f);
    if (const GgufValue* scores = file.get_array("tokenizer.ggml.scores", GgufType::F32)) {
        if (scores->count != n)
            throw Error(ErrorCode::Format, where + "tokenizer.ggml.scores has " +
                                               std::to_string(scores->count) + " entries for " +
                                               std::to_string(n) + " tokens");
        for (std::size_t i = 0; i < n; ++i)
            tok->m_scores[i] = static_cast<float>(scores->array_double(i));
    }
    tok->m_kinds.assign(n, TokenKind::Normal);
    if (const GgufValue* types = file.get_array("tokenizer.ggml.token_type", GgufType::I32)) {
        if (types->count != n)
            throw Error(ErrorCode::Format, where + "tokenizer.ggml.token_type has " +
                                               std::to_string(types->count) + " entries for " +
                                               std::to_string(n) + " tokens");
        for (std::size_t i = 0; i < n; ++i) {
            const int64_t t = types->array_int(i);
            tok->m_kinds[i] = t >= 0 && t <= 6 ? static_cast<TokenKind>(t) : TokenKind::Normal;
        }
    }
    auto token_id = [&](const char* key, int32_t fallback) -> int32_t {
        const auto v = file.get_int(key);
        if (!v)
            return fallback;
        if (*v < 0 || *v >= static_cast<int64_t>(n))
            throw Error(ErrorCode::Format, where + key + " = " + std::to_string(*v) +
                                               " is not a token id (vocabulary of " +
                                               std::to_string(n) + ")");
        return static_cast<int32_t>(*v);
    };
    const bool spm = tok->m_model == Model::Spm, wpm = tok->m_model == Model::Wpm;
    // BERT's vocabularies put [UNK] [CLS] [SEP] at 100-102 when the file does not say.
    tok->m_bos = token_id("tokenizer.ggml.bos_token_id", spm ? 1 : wpm ? 101 : -1);
    tok->m_eos = token_id("tokenizer.ggml.eos_token_id", spm ? 2 : -1);
    tok->m_unk = token_id("tokenizer.ggml.unknown_token_id", spm ? 0 : wpm ? 100 : -1);
    if (wpm) // llama.cpp's spelling; other files may hold -1 there
        tok->m_sep = token_id("tokenizer.ggml.seperator_token_id", 102);
    if (tok->m_bos >= static_cast<int32_t>(n) || tok->m_eos >= static_cast<int32_t>(n) ||
        tok->m_unk >= static_cast<int32_t>(n) || tok->m_sep >= static_cast<int32_t>(n))
        throw Error(ErrorCode::Format, where + "the vocabulary is too small for its special tokens");
    tok->m_add_bos = file.get_bool("tokenizer.ggml.add_bos_token").value_or(spm || wpm);
    tok->m_add_space_prefix = file.get_bool("tokenizer.ggml.add_space_prefix").value_or(spm);
    if (tok->m_eos >= 0)
        tok->m_end_of_generation.push_back(tok->m_eos);
    if (const auto eot = file.get_int("tokenizer.ggml.eot_token_id"); eot && *eot >= 0 && *eot < static_cast<int64_t>(n))
        tok->m_end_of_generation.push_back(static_cast<int32_t>(*eot));
    // Chat models end turns with tokens the metadata does not always name.
    for (const char* text : {"<|im_end|>", "<|eot_id|>", "<|endoftext|>", "<｜end▁of▁sentence｜>", "<|end|>"}) {
        const int32_t id = tok->find(text);
        if (id >= 0 && tok->m_kinds[static_cast<std::size_t>(id)] == TokenKind::Control)
            tok->m_end_of_generation.push_back(id);
    }

    for (std::size_t i = 0; i < n; ++i) {
        const TokenKind k = tok->m_kinds[i];
        if ((k == TokenKind::Control || k == TokenKind::UserDefined || k == TokenKind::Unknown) &&
            !tok->m_tokens[i].empty())
            tok->m_specials.push_back(static_cast<int32_t>(i));
    }
    std::stable_sort(tok->m_specials.begin(), tok->m_specials.end(), [&](int32_t a, int32_t b) {
        return tok->m_tokens[static_cast<std::size_t>(a)].size() > tok->m_tokens[static_cast<std::size_t>(b)].size();
    });

    if (wpm) {
        tok->m_pre = file.get_string("tokenizer.ggml.pre").value_or("default");
        // Uncased vocabularies (no capital letters in them) were trained on lowercased text;
        // older files do not say so in tokenizer.ggml.normalizer.lowercase.
        const bool cased = std::any_of(tok->m_tokens.begin(), tok->m_tokens.end(), [](const std::string& t) {
            return std::any_of(t.begin(), t.end(), [](char c) { return c >= 'A' && c <= 'Z'; }) &&
                   t.front() != '[' && t.front() != '<';
        });
        tok->m_lowercase = file.get_bool("tokenizer.ggml.normalizer.lowercase").value_or(!cased);
        tok->m_strip_accents = file.get_bool("tokenizer.ggml.normalizer.strip_accents").value_or(tok->m_lowercase);
        for (const std::string& t : tok->m_tokens)
            tok->m_max_token_bytes = std::max(tok->m_max_token_bytes, t.size());
        if (tok->m_unk < 0)
            throw Error(ErrorCode::Format, where + "a bert tokenizer needs an unknown token");
        tok->m_regexes = make_wordpiece_splitter(where);
    } else if (!spm) {
        tok->m_pre = file.get_string("tokenizer.ggml.pre").value_or("default");
        const GgufValue* merges = file.get_array("tokenizer.ggml.merges", GgufType::String);
        if (!merges)
            throw Error(ErrorCode::Format, where + "a gpt2 tokenizer needs tokenizer.ggml.merges");
        tok->m_merge_rank.reserve(static_cast<std::size_t>(merges->count));
        for (std::size_t i = 0; i < merges->count; ++i)
            tok->m_merge_rank.emplace(std::string(merges->strings[i]), static_cast<int32_t>(i));
        tok->m_ignore_merges = tok->m_pre == "llama3" || tok->m_pre == "llama-v3" || tok->m_pre == "llama-bpe";
        tok->m_regexes = make_pretokenizer(tok->m_pre, where);
    }
    return tok;
}

int32_t Tokenizer::find(std::string_view text) const
{
    const auto it = m_index.find(std::string(text));
    return it == m_index.end() ? -1 : it->second;
}

bool Tokenizer::is_end_of_generation(int32_t id) const
{
    return std::find(m_end_of_generation.begin(), m_end_of_generation.end(), id) !=
           m_end_of_generation.end();
}

std::string Tokenizer::describe() const
{
    if (m_model == Model::Spm)
        return "llama (SentencePiece, " + std::to_string(m_tokens.size()) + " tokens)";
    if (m_model == Model::Wpm)
        return std::string("bert (WordPiece, ") + (m_lowercase ? "uncased, " : "cased, ") +
               std::to_string(m_tokens.size()) + " tokens)";
    return "gpt2 (byte-level BPE, pre-tokenizer " + m_pre + ", " + std::to_string(m_tokens.size()) + " tokens)";
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_bos, bool parse_special, bool continues) const
{
    // Split the text at special tokens (user-defined ones always; control ones when asked),
    // longest first, as the reference tokenizers do.
    struct Fragment {
        int32_t token; // -1: raw text
        std::string_view text;
    };
    std::vector<Fragment> fragments;
    if (!text.empty())
        fragments.push_back({-1, text});
    for (int32_t id : m_specials) {
        const TokenKind k = m_kinds[static_cast<std::size_t>(id)];
        if (!parse_special && k != TokenKind::UserDefined)
            continue;
        const std::string& needle = m_tokens[static_cast<std::size_t>(id)];
        std::vector<Fragment> next;
        for (const Fragment& f : fragments) {
            if (f.token >= 0) {
                next.push_back(f);
                continue;
            }
            std::string_view rest = f.text;
            for (std::size_t at; (at = rest.find(needle)) != std::string_view::npos;) {
                if (at > 0)
                    next.push_back({-1, rest.substr(0, at)});
                next.push_back({id, {}});
                rest.remove_prefix(at + needle.size());
            }
            if (!rest.empty())
                next.push_back({-1, rest});
        }
        fragments = std::move(next);
    }

    std::vector<int32_t> out;
    if (add_bos && m_add_bos && m_bos >= 0)
        out.push_back(m_bos);
    bool prev_special = !continues; // SentencePiece: a dummy space before text that starts a run
    for (const Fragment& f : fragments) {
        if (f.token >= 0) {
            out.push_back(f.token);
            prev_special = true;
            continue;
        }
        if (m_model == Model::Spm) {
            std::string spaced;
            if (m_add_space_prefix && prev_special)
                spaced = " ";
            spaced += f.text;
            encode_spm(spaced, out);
        } else if (m_model == Model::Wpm) {
            encode_wpm(f.text, out);
        } else {
            encode_bpe(f.text, out);
        }
        prev_special = false;
    }
    if (add_bos && m_add_bos && m_model == Model::Wpm && m_sep >= 0)
        out.push_back(m_sep);
    return out;
}

std::string Tokenizer::piece(int32_t id, bool special) const
{
    if (id < 0 || id >= n_vocab())
        return {};
    const std::string& text = m_tokens[static_cast<std::size_t>(id)];
    switch (m_kinds[static_cast<std::size_t>(id)]) {
    case TokenKind::Control:
    case TokenKind::Unknown:
    case TokenKind::Unused:
        return special ? text : std::string();
    case TokenKind::Byte:
        return spm_byte_value(text);
    case TokenKind::UserDefined: // added tokens are stored as plain text
        return text;
    default:
        return m_model == Model::Bpe ? bpe_text_to_bytes(text) : spm_unescape(text);
    }
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool special) const
{
    std::string out;
    for (int32_t id : ids)
        out += piece(id, special);
    return out;
}

std::size_t utf8_complete_prefix(std::string_view s)
{
    std::size_t i = 0, last_good = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0) { // a stray continuation or invalid lead byte: it will never complete
            last_good = ++i;
            continue;
        }
        bool ok = true;
        for (std::size_t k = 1; k < len && i + k < s.size(); ++k)
            ok = ok && (static_cast<unsigned char>(s[i + k]) >> 6) == 2;
        if (ok && i + len > s.size())
            break; // a valid start of a character: wait for the rest
        for (std::size_t k = 1; k < len; ++k)
            ok = ok && (static_cast<unsigned char>(s[i + k]) >> 6) == 2;
        i += ok ? len : 1;
        last_good = i;
    }
    return last_good;
}

std::string utf8_sanitize(std::string_view s)
{
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool ok = len > 0 && i + len <= s.size();
        for (std::size_t k = 1; ok && k < len; ++k)
            ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 2;
        if (ok && len == 2 && c < 0xC2)
            ok = false; // overlong
        if (ok) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

StreamDecoder::StreamDecoder(const Tokenizer& tokenizer, bool strip_leading_space)
    : m_tokenizer(tokenizer), m_strip(strip_leading_space)
{
}

std::string StreamDecoder::push(int32_t id)
{
    std::string p = m_tokenizer.piece(id);
    if (m_first && !p.empty()) {
        if (m_strip && p[0] == ' ')
            p.erase(0, 1);
        m_first = false;
    }
    m_pending += p;
    const std::size_t n = utf8_complete_prefix(m_pending);
    std::string ready = utf8_sanitize(std::string_view(m_pending).substr(0, n));
    m_pending.erase(0, n);
    return ready;
}

std::string StreamDecoder::finish()
{
    std::string rest = utf8_sanitize(m_pending);
    m_pending.clear();
    return rest;
}

} // namespace seekbench
