// WordPiece ("bert" in GGUF): BERT's basic tokenizer (whitespace, punctuation and CJK
// characters split words; control characters dropped; lowercasing and accent stripping
// when the vocabulary is uncased), then the longest vocabulary match from each word's
// start. Word-initial pieces are stored as "▁piece", continuations bare, as llama.cpp's
// converter writes them. Accents are stripped for Latin, Greek and Cyrillic letters
// (unicode_accents.inc), not by a full NFD.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "tokenizer.h"
#include "tokenizer_impl.h"

#include <algorithm>
#include <clocale>
#include <cwctype>
#include <iterator>

namespace seekbench {
namespace {

struct AccentRow {
    uint16_t letter, base;
};
constexpr AccentRow kAccents[] = {
#include "unicode_accents.inc"
};

uint32_t strip_accent(uint32_t cp)
{
    const auto it = std::lower_bound(std::begin(kAccents), std::end(kAccents), cp,
                                     [](const AccentRow& r, uint32_t c) { return r.letter < c; });
    return it != std::end(kAccents) && it->letter == cp ? it->base : cp;
}

// Unicode lowercasing from the C library's UTF-8 locale (glibc has C.UTF-8 built in); ASCII
// only where the machine has no such locale.
uint32_t to_lower(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    static const locale_t utf8 = [] {
        locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
        return l ? l : newlocale(LC_CTYPE_MASK, "en_US.UTF-8", static_cast<locale_t>(nullptr));
    }();
    return utf8 ? static_cast<uint32_t>(towlower_l(static_cast<wint_t>(cp), utf8)) : cp;
}

// Decodes the UTF-8 character at s[i]; invalid bytes give U+FFFD and advance by one.
uint32_t next_codepoint(std::string_view s, std::size_t& i)
{
    const auto lead = static_cast<unsigned char>(s[i]);
    const std::size_t len = utf8_len(lead);
    if (len == 1) {
        ++i;
        return lead < 0x80 ? lead : 0xFFFD;
    }
    if (i + len > s.size()) {
        ++i;
        return 0xFFFD;
    }
    uint32_t cp = lead & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        if ((c >> 6) != 2) {
            ++i;
            return 0xFFFD;
        }
        cp = (cp << 6) | (c & 0x3F);
    }
    i += len;
    return cp;
}

} // namespace

// Drops what BERT's normalizer drops from one pre-token (whitespace, control and format
// characters, U+FFFD, invalid bytes; combining marks when stripping accents) and folds the rest.
std::string Tokenizer::wpm_normalize(std::string_view word) const
{
    std::string out;
    for (std::size_t i = 0; i < word.size();) {
        const std::size_t at = i;
        uint32_t cp = next_codepoint(word, i);
        if (cp <= 0x20 || cp == 0xFFFD || (cp >= 0x7F && cp < 0xA0))
            continue; // controls, space, and what did not decode
        if (cp >= 0x80) {
            const int cls = m_regexes->classify(word.substr(at, i - at));
            if (cls == 1 || cls == 3 || (cls == 2 && m_strip_accents))
                continue;
        }
        if (m_lowercase)
            cp = to_lower(cp);
        if (m_strip_accents)
            cp = strip_accent(cp);
        append_utf8(out, cp);
    }
    return out;
}

void Tokenizer::encode_wpm(std::string_view text, std::vector<int32_t>& out) const
{
    for (std::string_view piece : m_regexes->split(text)) {
        const std::string word = "\xE2\x96\x81" + wpm_normalize(piece); // the phantom space
        if (word.size() == 3)
            continue; // whitespace, or nothing left after normalizing
        const std::size_t n = word.size(), first = out.size();
        bool matched = true;
        for (std::size_t i = 0; i < n && matched;) {
            matched = false;
            for (std::size_t j = std::min(n, i + m_max_token_bytes); j > i; --j) {
                const int32_t id = find(std::string_view(word).substr(i, j - i));
                if (id >= 0) {
                    out.push_back(id);
                    i = j;
                    matched = true;
                    break;
                }
            }
        }
        if (!matched) { // a word with a piece the vocabulary lacks is one unknown token
            out.resize(first);
            out.push_back(m_unk);
        }
    }
}

} // namespace seekbench
