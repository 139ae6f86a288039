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
    std::unique_ptr<Compiled> classes;            // WordPiece only: see classify()
    ~Regexes();
    // Splits `text` into pre-tokens (byte ranges of text).
    std::vector<std::string_view> split(std::string_view text) const;
    // WordPiece: the class of one character: 1 control or format (or unassigned), 2 a
    // combining mark, 3 whitespace, 0 anything else.
    int classify(std::string_view character) const;
};

// Throws Error naming `where` when the family is unknown.
std::unique_ptr<Tokenizer::Regexes> make_pretokenizer(const std::string& pre, const std::string& where);
// BERT's basic tokenizer: whitespace runs, then single punctuation, ASCII symbol and CJK
// characters, and the words between them, as pieces; with the classes of classify().
std::unique_ptr<Tokenizer::Regexes> make_wordpiece_splitter(const std::string& where);

// GPT-2's reversible byte -> printable unicode mapping, as UTF-8.
std::string bpe_bytes_to_text(std::string_view bytes);
std::string bpe_text_to_bytes(std::string_view text);

// "<0x0A>" -> "\n"; "" when the text is not a byte token.
std::string spm_byte_value(const std::string& text);
// "▁" -> " "
std::string spm_unescape(const std::string& text);
// Appends code point `cp` as UTF-8.
void append_utf8(std::string& out, uint32_t cp);

// Bytes in the UTF-8 character starting with `lead` (1 for invalid leads).
inline std::size_t utf8_len(unsigned char lead)
{
    return lead < 0x80 ? 1 : (lead >> 5) == 6 ? 2 : (lead >> 4) == 14 ? 3 : (lead >> 3) == 30 ? 4 : 1;
}

} // namespace seekbench
