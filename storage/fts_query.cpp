// The text the knowledge store's full-text index holds, and the queries it is asked: words
// as they are (the index stems English), Han and kana characters one by one so that text
// without spaces between words is found by any part of it.
#include "fts_query.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <set>
#include <vector>

namespace seekbench::storage {
namespace {

// One code point at s[i]; advances i. Invalid bytes come out as themselves, one at a time.
uint32_t next_code_point(std::string_view s, std::size_t& i)
{
    const auto c = static_cast<unsigned char>(s[i]);
    const int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    bool whole = n > 0 && i + static_cast<std::size_t>(n) < s.size();
    for (int k = 1; whole && k <= n; ++k)
        whole = (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0xC0) == 0x80;
    if (!whole) {
        ++i;
        return c;
    }
    uint32_t cp = c & (0x3F >> n);
    for (int k = 1; k <= n; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3F);
    i += static_cast<std::size_t>(n) + 1;
    return cp;
}

// Han ideographs, kana: scripts written without spaces between words.
bool unspaced_script(uint32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF);
}

bool punctuation(uint32_t cp)
{
    return cp < 0x80 ? !std::isalnum(static_cast<int>(cp)) && cp != '_'
                     : (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
                           (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) || cp == 0x00A0;
}

bool stop_word(const std::string& w)
{
    static const std::set<std::string> kStop = {
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how", "i", "if",
        "in", "is", "it", "me", "my", "of", "on", "or", "so", "that", "the", "this", "to", "was", "what", "when",
        "where", "which", "who", "why", "will", "with", "you", "your", "about", "tell", "there", "their"};
    return kStop.count(w) > 0;
}

std::string quoted(const std::string& term)
{
    std::string out = "\"";
    for (char c : term)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

} // namespace

std::string fts_text(const std::string& text)
{
    std::string out;
    out.reserve(text.size() + text.size() / 4);
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t start = i;
        const uint32_t cp = next_code_point(text, i);
        if (unspaced_script(cp)) {
            out += ' ';
            out.append(text, start, i - start);
            out += ' ';
        } else {
            out.append(text, start, i - start);
        }
    }
    return out;
}

std::vector<std::string> fts_terms(const std::string& text)
{
    std::vector<std::string> terms;
    auto add = [&](std::string term) {
        if (!term.empty() && std::find(terms.begin(), terms.end(), term) == terms.end() && terms.size() < 32)
            terms.push_back(std::move(term));
    };
    std::string word;
    std::vector<std::string> run; // consecutive CJK characters
    auto flush = [&] {
        if (!word.empty()) {
            std::string w = word;
            for (char& c : w)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (!stop_word(w) && (w.size() > 1 || std::isdigit(static_cast<unsigned char>(w[0]))))
                add(quoted(w));
            word.clear();
        }
        if (run.size() == 1)
            add(quoted(run[0]));
        for (std::size_t k = 0; k + 1 < run.size(); ++k)
            add(quoted(run[k] + " " + run[k + 1]));
        run.clear();
    };
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t start = i;
        const uint32_t cp = next_code_point(text, i);
        if (unspaced_script(cp)) {
            if (!word.empty()) {
                auto keep = std::move(run);
                run.clear();
                flush();
                run = std::move(keep);
            }
            run.push_back(text.substr(start, i - start));
        } else if (punctuation(cp) || (cp < 0x80 && std::isspace(static_cast<int>(cp)))) {
            flush();
        } else {
            if (!run.empty()) {
                auto keep = std::move(word);
                word.clear();
                flush();
                word = std::move(keep);
            }
            word.append(text, start, i - start);
        }
    }
    flush();
    return terms;
}

std::string fts_or(const std::vector<std::string>& terms)
{
    std::string out;
    for (const auto& t : terms)
        out += (out.empty() ? "" : " OR ") + t;
    return out;
}

std::string fts_query(const std::string& text)
{
    return fts_or(fts_terms(text));
}

std::string content_hash(std::string_view bytes)
{
    uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
    return out;
}

} // namespace seekbench::storage
