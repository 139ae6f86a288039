// Tokenizers from GGUF metadata: SentencePiece-style ("llama": scores, byte fallback,
// dummy prefix), byte-level BPE ("gpt2": merges, with the pre-tokenizer regexes of each
// tokenizer.ggml.pre family, through PCRE2) and WordPiece ("bert", embedding models).
// Special tokens, and a streaming decoder that never emits half a UTF-8 character.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace seekbench {

class GgufFile;

enum class TokenKind : int32_t {
    Undefined = 0, Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6,
};

class Tokenizer {
public:
    enum class Model { Spm, Bpe, Wpm };

    // Reads tokenizer.ggml.* from the file; throws Error naming the key when it is missing
    // or inconsistent. Works on vocabulary-only files.
    static std::unique_ptr<Tokenizer> from_gguf(const GgufFile& file);
    ~Tokenizer();

    // add_bos: prepend BOS when the model wants one (tokenizer.ggml.add_bos_token);
    // WordPiece: [CLS] before and [SEP] after.
    // parse_special: text like "<|im_start|>" becomes that control token; otherwise it is
    // plain text. User-defined tokens always match, as in the reference tokenizers.
    // continues: the text goes on from earlier tokens, so SentencePiece adds no dummy space
    // before its start (it still does after special tokens inside it).
    std::vector<int32_t> encode(std::string_view text, bool add_bos, bool parse_special = false,
                                bool continues = false) const;

    // The bytes a token stands for. Control tokens give "" unless `special`.
    std::string piece(int32_t id, bool special = false) const;
    std::string decode(const std::vector<int32_t>& ids, bool special = false) const;

    const std::string& token_text(int32_t id) const { return m_tokens[static_cast<std::size_t>(id)]; }
    TokenKind kind(int32_t id) const { return m_kinds[static_cast<std::size_t>(id)]; }
    int32_t find(std::string_view text) const; // -1 when absent
    int32_t n_vocab() const { return static_cast<int32_t>(m_tokens.size()); }
    Model model() const { return m_model; }
    const std::string& pre() const { return m_pre; }
    int32_t bos() const { return m_bos; }
    int32_t eos() const { return m_eos; }
    int32_t sep() const { return m_sep; }
    bool adds_bos() const { return m_add_bos; }
    bool adds_space_prefix() const { return m_add_space_prefix; }
    bool is_end_of_generation(int32_t id) const;
    std::string describe() const; // "llama (SentencePiece)", "gpt2 (BPE, qwen2)"

    struct Regexes; // the compiled pre-tokenizer (tokenizer_impl.h)

private:
    Tokenizer() = default;
    void encode_spm(std::string_view text, std::vector<int32_t>& out) const;
    void encode_bpe(std::string_view text, std::vector<int32_t>& out) const;
    void encode_bpe_word(const std::string& word, std::vector<int32_t>& out) const;
    void encode_wpm(std::string_view text, std::vector<int32_t>& out) const;
    std::string wpm_normalize(std::string_view word) const;
    int32_t byte_token(uint8_t byte) const;

    Model m_model = Model::Spm;
    std::string m_pre;
    std::vector<std::string> m_tokens;
    std::vector<float> m_scores;
    std::vector<TokenKind> m_kinds;
    std::unordered_map<std::string, int32_t> m_index;
    std::unordered_map<std::string, int32_t> m_merge_rank; // "left right" -> rank
    std::vector<int32_t> m_specials;                         // longest text first
    std::vector<int32_t> m_end_of_generation;
    int32_t m_bos = -1, m_eos = -1, m_unk = -1, m_sep = -1;
    bool m_add_bos = false, m_add_space_prefix = false, m_ignore_merges = false;
    bool m_lowercase = false, m_strip_accents = false; // WordPiece's normalizer
    std::size_t m_max_token_bytes = 0;                 // WordPiece: the longest token
    std::unique_ptr<Regexes> m_regexes;
};

// Turns a stream of tokens into text without ever cutting a UTF-8 character in two; the
// tail of an incomplete character waits for the next token. finish() returns what is left,
// with U+FFFD for bytes that never formed a character.
class StreamDecoder {
public:
    explicit StreamDecoder(const Tokenizer& tokenizer, bool strip_leading_space = false);
    std::string push(int32_t id);
    std::string finish();

private:
    const Tokenizer& m_tokenizer;
    std::string m_pending;
    bool m_strip;
    bool m_first = true;
};

// Length in bytes of the longest prefix of `s` that is complete, valid UTF-8 characters;
// used by the stream decoder and the tests.
std::size_t utf8_complete_prefix(std::string_view s);
// `s` with every invalid byte replaced by U+FFFD.
std::string utf8_sanitize(std::string_view s);

} // namespace seekbench
