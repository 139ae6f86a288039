// Internals shared by the tokenizer's files: the BPE pre-tokenizer (PCRE2 regexes per
// tokenizer.ggml.pre), GPT-2's byte <-> unicode mapping, SentencePiece's escapes.
#pragma once

#include "tokenizer.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace seekbench {

struct Tokenizer::Regexes {
    struct Compiled;
    std::vector<std::unique_ptr<Compiled>> steps; // applied in order, each splitting further
    ~Regexes();
    // Splits `text` into pre-tokens (byte ranges of text).
    std::vector<std::string_view> split(std::string_view text) const;
};

// Throws Error naming `where` when the family is unknown.
std::unique_ptr<Tokenizer::Regexes> make_pretokenizer(const std::string& pre, const std::string& where);

// GPT-2's reversible byte -> printable unicode mapping, as UTF-8.
std::string bpe_bytes_to_text(std::string_view bytes);
std::string bpe_text_to_bytes(std::string_view text);

// "<0x0A>" -> "\n"; "" when the text is not a byte token.
std::string spm_byte_value(const std::string& text);
// "▁" -> " "
std::string spm_unescape(const std::string& text);

// Bytes in the UTF-8 character starting with `lead` (1 for invalid leads).
inline std::size_t utf8_len(unsigned char lead)
{
    return lead < 0x80 ? 1 : (lead >> 5) == 6 ? 2 : (lead >> 4) == 14 ? 3 : (lead >> 3) == 30 ? 4 : 1;
}

} // namespace seekbench
