// SentencePiece-style tokenization as llama.cpp and the reference implementation do it:
// characters are merged pairwise, best-scoring vocabulary entry first (ties: leftmost),
// and what never forms a token falls back to <0xXX> byte tokens.
#include "tokenizer.h"
#include "tokenizer_impl.h"

#include <map>
#include <queue>

namespace seekbench {
namespace {

const std::string kSpace = "\xE2\x96\x81"; // U+2581, SentencePiece's visible space

struct Symbol {
    int prev, next;
    const char* text;
    std::size_t n;
};

struct Bigram {
    int left, right;
    float score;
    std::size_t size;
};

struct BigramOrder {
    bool operator()(const Bigram& a, const Bigram& b) const
    {
        return a.score < b.score || (a.score == b.score && a.left > b.left);
    }
};

} // namespace

std::string spm_byte_value(const std::string& text)
{
    // "<0xAB>"
    if (text.size() != 6 || text.compare(0, 3, "<0x") != 0 || text[5] != '>')
        return {};
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    const int hi = hex(text[3]), lo = hex(text[4]);
    if (hi < 0 || lo < 0)
        return {};
    return std::string(1, static_cast<char>(hi * 16 + lo));
}

std::string spm_unescape(const std::string& text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (text.compare(i, kSpace.size(), kSpace) == 0) {
            out += ' ';
            i += kSpace.size();
        } else {
            out += text[i++];
        }
    }
    return out;
}

int32_t Tokenizer::byte_token(uint8_t byte) const
{
    static const char* digits = "0123456789ABCDEF";
    const std::string text = std::string("<0x") + digits[byte >> 4] + digits[byte & 15] + ">";
    int32_t id = find(text);
    if (id < 0)
        id = find(std::string(1, static_cast<char>(byte)));
    return id >= 0 ? id : m_unk;
}

void Tokenizer::encode_spm(std::string_view raw, std::vector<int32_t>& out) const
{
    std::string text;
    text.reserve(raw.size() + 8);
    for (char c : raw) {
        if (c == ' ')
            text += kSpace;
        else
            text += c;
    }
    std::vector<Symbol> symbols;
    for (std::size_t offs = 0; offs < text.size();) {
        const std::size_t len = std::min(text.size() - offs, utf8_len(static_cast<unsigned char>(text[offs])));
        const int index = static_cast<int>(symbols.size());
        symbols.push_back({index - 1, offs + len == text.size() ? -1 : index + 1, text.data() + offs, len});
        offs += len;
    }
    if (symbols.empty())
        return;

    std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
    std::map<std::string, std::pair<int, int>> rev_merge;
    auto try_add = [&](int left, int right) {
        if (left == -1 || right == -1)
            return;
        const std::string merged(symbols[static_cast<std::size_t>(left)].text,
                                 symbols[static_cast<std::size_t>(left)].n + symbols[static_cast<std::size_t>(right)].n);
        const int32_t id = find(merged);
        if (id < 0)
            return;
        queue.push({left, right, m_scores[static_cast<std::size_t>(id)], merged.size()});
        rev_merge[merged] = {left, right};
    };
    for (std::size_t i = 1; i < symbols.size(); ++i)
        try_add(static_cast<int>(i - 1), static_cast<int>(i));

    while (!queue.empty()) {
        const Bigram b = queue.top();
        queue.pop();
        Symbol& left = symbols[static_cast<std::size_t>(b.left)];
        Symbol& right = symbols[static_cast<std::size_t>(b.right)];
        if (left.n == 0 || right.n == 0 || left.n + right.n != b.size)
            continue; // outdated
        left.n += right.n;
        right.n = 0;
        left.next = right.next;
        if (right.next >= 0)
            symbols[static_cast<std::size_t>(right.next)].prev = b.left;
        try_add(left.prev, b.left);
        try_add(b.left, left.next);
    }

    // Symbols that are tokens are emitted; others are split back along their merges, and
    // what is left falls back to bytes.
    auto resegment = [&](auto& self, const Symbol& s) -> void {
        const std::string piece(s.text, s.n);
        const int32_t id = find(piece);
        if (id >= 0) {
            out.push_back(id);
            return;
        }
        const auto it = rev_merge.find(piece);
        if (it == rev_merge.end()) {
            for (char c : piece)
                out.push_back(byte_token(static_cast<uint8_t>(c)));
            return;
        }
        self(self, symbols[static_cast<std::size_t>(it->second.first)]);
        self(self, symbols[static_cast<std::size_t>(it->second.second)]);
    };
    for (int i = 0; i != -1; i = symbols[static_cast<std::size_t>(i)].next)
        resegment(resegment, symbols[static_cast<std::size_t>(i)]);
}

} // namespace seekbench
