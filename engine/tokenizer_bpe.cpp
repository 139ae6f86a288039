// Byte-level BPE: the text is split by each family's pre-tokenizer regexes (PCRE2, UTF +
// UCP, so \p{L} and \s mean what they mean in Unicode), each piece is mapped to GPT-2's
// printable bytes and merged by rank. Invalid UTF-8 never matches a regex, so its bytes
// become byte tokens; nothing is lost and nothing crashes.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "error.h"
#include "tokenizer.h"
#include "tokenizer_impl.h"

#include <array>
#include <map>
#include <queue>

namespace seekbench {
namespace {

// The pre-tokenizer of each tokenizer.ggml.pre family (regexes from the families'
// tokenizer.json, as llama.cpp lists them); applied one after another.
const std::map<std::string, std::vector<std::string>>& pretokenizers()
{
    static const std::string gpt2 =
        "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    static const std::string llama3 =
        "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
        "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static const std::string qwen2 =
        "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
        "\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static const std::map<std::string, std::vector<std::string>> table = {
        {"default", {"[\\p{P}\\$\\+<=>\\^~\\|]+", gpt2, "\\p{N}+", "[0-9][0-9][0-9]"}},
        {"gpt-2", {gpt2}},
        {"llama3", {llama3}},
        {"llama-v3", {llama3}},
        {"llama-bpe", {llama3}},
        {"qwen2", {qwen2}},
        {"deepseek-r1-qwen", {qwen2}},
        {"deepseek-llm",
         {"[\r\n]",
          "\\s?[A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}\\x{1E900}-\\x{1E943}]+",
          "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+",
          "\\s+$",
          "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+",
          "\\p{N}+"}},
        {"deepseek-coder",
         {"[\r\n]",
          "\\s?\\p{L}+",
          "\\s?\\p{P}+",
          "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+",
          "\\p{N}"}},
        {"deepseek-v3",
         {"\\p{N}{1,3}",
          "[\\x{4E00}-\\x{9FA5}\\x{3040}-\\x{309F}\\x{30A0}-\\x{30FF}]+",
          "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"}},
    };
    return table;
}

// GPT-2's table: printable bytes map to themselves, the rest to U+0100 onwards.
const std::array<uint32_t, 256>& byte_to_codepoint()
{
    static const std::array<uint32_t, 256> table = [] {
        std::array<uint32_t, 256> t{};
        uint32_t next = 256;
        for (uint32_t b = 0; b < 256; ++b) {
            const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
            t[b] = printable ? b : next++;
        }
        return t;
    }();
    return table;
}

struct BpeSymbol {
    int prev, next;
    std::size_t offset, n;
};

struct BpeBigram {
    int left, right;
    int rank;
    std::string text;
};

struct BpeOrder {
    bool operator()(const BpeBigram& a, const BpeBigram& b) const
    {
        return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
    }
};

} // namespace

void append_utf8(std::string& out, uint32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

struct Tokenizer::Regexes::Compiled {
    pcre2_code* code = nullptr;
    ~Compiled() { pcre2_code_free(code); }
};

Tokenizer::Regexes::~Regexes() = default;

namespace {

std::unique_ptr<Tokenizer::Regexes::Compiled> compile(const std::string& pattern, const std::string& what,
                                                      const std::string& where)
{
    int err = 0;
    PCRE2_SIZE at = 0;
    auto c = std::make_unique<Tokenizer::Regexes::Compiled>();
    c->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                            PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY, &err, &at,
                            nullptr);
    if (!c->code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(err, message, sizeof message);
        throw Error(ErrorCode::Format,
                    where + what + " does not compile: " + reinterpret_cast<const char*>(message));
    }
    pcre2_jit_compile(c->code, PCRE2_JIT_COMPLETE); // optional speed-up; fine if it fails
    return c;
}

} // namespace

std::unique_ptr<Tokenizer::Regexes> make_pretokenizer(const std::string& pre, const std::string& where)
{
    const auto& table = pretokenizers();
    const auto it = table.find(pre);
    if (it == table.end())
        throw Error(ErrorCode::Unsupported, where + "pre-tokenizer '" + pre + "' is not supported");
    auto regexes = std::make_unique<Tokenizer::Regexes>();
    for (const std::string& pattern : it->second)
        regexes->steps.push_back(compile(pattern, "pre-tokenizer regex of '" + pre + "'", where));
    return regexes;
}

std::unique_ptr<Tokenizer::Regexes> make_wordpiece_splitter(const std::string& where)
{
    // Punctuation, ASCII symbols and the CJK ideograph blocks BERT treats as words of one.
    static const std::string split =
        "\\s+|[\\p{P}\\x{21}-\\x{2F}\\x{3A}-\\x{40}\\x{5B}-\\x{60}\\x{7B}-\\x{7E}\\x{4E00}-\\x{9FFF}"
        "\\x{3400}-\\x{4DBF}\\x{20000}-\\x{2A6DF}\\x{2A700}-\\x{2B81F}\\x{2B920}-\\x{2CEAF}"
        "\\x{F900}-\\x{FAFF}\\x{2F800}-\\x{2FA1F}]";
    auto regexes = std::make_unique<Tokenizer::Regexes>();
    regexes->steps.push_back(compile(split, "the WordPiece splitter", where));
    regexes->classes = compile("^(?:([\\p{C}\\x{FFFD}])|(\\p{Mn})|(\\s))", "the WordPiece classes", where);
    return regexes;
}

int Tokenizer::Regexes::classify(std::string_view character) const
{
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(classes->code, nullptr);
    const int rc = pcre2_match(classes->code, reinterpret_cast<PCRE2_SPTR>(character.data()), character.size(), 0, 0,
                               md, nullptr);
    int cls = 0;
    if (rc > 1) { // the highest group that took part is the one that matched
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
        for (int g = rc - 1; g >= 1 && cls == 0; --g)
            if (ov[2 * g] != PCRE2_UNSET)
                cls = g;
    }
    pcre2_match_data_free(md);
    return cls;
}

std::vector<std::string_view> Tokenizer::Regexes::split(std::string_view text) const
{
    std::vector<std::string_view> pieces{text};
    for (const auto& step : steps) {
        std::vector<std::string_view> next;
        pcre2_match_data* md = pcre2_match_data_create_from_pattern(step->code, nullptr);
        for (std::string_view piece : pieces) {
            const auto* subject = reinterpret_cast<PCRE2_SPTR>(piece.data());
            std::size_t start = 0, taken = 0;
            while (start <= piece.size()) {
                const int rc = pcre2_match(step->code, subject, piece.size(), start, 0, md, nullptr);
                if (rc < 0)
                    break;
                const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
                const std::size_t b = ov[0], e = ov[1];
                if (e == b) { // empty match: move on one character
                    start = b + (b < piece.size() ? utf8_len(static_cast<unsigned char>(piece[b])) : 1);
                    continue;
                }
                if (b > taken)
                    next.push_back(piece.substr(taken, b - taken));
                next.push_back(piece.substr(b, e - b));
                taken = start = e;
            }
            if (taken < piece.size())
                next.push_back(piece.substr(taken));
        }
        pcre2_match_data_free(md);
        pieces = std::move(next);
    }
    return pieces;
}

std::string bpe_bytes_to_text(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char b : bytes)
        append_utf8(out, byte_to_codepoint()[b]);
    return out;
}

std::string bpe_text_to_bytes(std::string_view text)
{
    static const std::map<uint32_t, uint8_t> reverse = [] {
        std::map<uint32_t, uint8_t> m;
        for (uint32_t b = 0; b < 256; ++b)
            m[byte_to_codepoint()[b]] = static_cast<uint8_t>(b);
        return m;
    }();
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t len = std::min(utf8_len(c), text.size() - i);
        uint32_t cp = c;
        if (len == 2)
            cp = (c & 0x1Fu) << 6 | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
        else if (len == 3)
            cp = (c & 0x0Fu) << 12 | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6 |
                 (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
        const auto it = len <= 3 ? reverse.find(cp) : reverse.end();
        if (it != reverse.end())
            out += static_cast<char>(it->second);
        else
            out.append(text.substr(i, len)); // not a mapped byte (added tokens): keep as is
        i += len;
    }
    return out;
}

void Tokenizer::encode_bpe(std::string_view text, std::vector<int32_t>& out) const
{
    for (std::string_view piece : m_regexes->split(text))
        encode_bpe_word(bpe_bytes_to_text(piece), out);
}

void Tokenizer::encode_bpe_word(const std::string& word, std::vector<int32_t>& out) const
{
    if (word.empty())
        return;
    if (m_ignore_merges) {
        const int32_t id = find(word);
        if (id >= 0) {
            out.push_back(id);
            return;
        }
    }
    std::vector<BpeSymbol> symbols;
    for (std::size_t offs = 0; offs < word.size();) {
        const std::size_t len = std::min(word.size() - offs, utf8_len(static_cast<unsigned char>(word[offs])));
        const int index = static_cast<int>(symbols.size());
        symbols.push_back({index - 1, offs + len == word.size() ? -1 : index + 1, offs, len});
        offs += len;
    }
    std::priority_queue<BpeBigram, std::vector<BpeBigram>, BpeOrder> queue;
    auto text_of = [&](const BpeSymbol& s) { return std::string_view(word).substr(s.offset, s.n); };
    auto add = [&](int left, int right) {
        if (left == -1 || right == -1)
            return;
        const std::string_view l = text_of(symbols[static_cast<std::size_t>(left)]);
        const std::string_view r = text_of(symbols[static_cast<std::size_t>(right)]);
        std::string key;
        key.reserve(l.size() + r.size() + 1);
        key.append(l).append(" ").append(r);
        const auto it = m_merge_rank.find(key);
        if (it == m_merge_rank.end())
            return;
        queue.push({left, right, it->second, std::string(l) + std::string(r)});
    };
    for (std::size_t i = 1; i < symbols.size(); ++i)
        add(static_cast<int>(i - 1), static_cast<int>(i));
    while (!queue.empty()) {
        const BpeBigram b = queue.top();
        queue.pop();
        BpeSymbol& left = symbols[static_cast<std::size_t>(b.left)];
        BpeSymbol& right = symbols[static_cast<std::size_t>(b.right)];
        if (left.n == 0 || right.n == 0)
            continue;
        if (left.n + right.n != b.text.size() || word.compare(left.offset, b.text.size(), b.text) != 0)
            continue; // outdated
        left.n += right.n;
        right.n = 0;
        left.next = right.next;
        if (right.next >= 0)
            symbols[static_cast<std::size_t>(right.next)].prev = b.left;
        add(left.prev, b.left);
        add(b.left, left.next);
    }
    for (const BpeSymbol& s : symbols) {
        if (s.n == 0)
            continue;
        const std::string_view piece = text_of(s);
        const int32_t id = find(piece);
        if (id >= 0) {
            out.push_back(id);
            continue;
        }
        for (std::size_t i = 0; i < piece.size();) { // fall back to one token per character
            const std::size_t len = std::min(piece.size() - i, utf8_len(static_cast<unsigned char>(piece[i])));
            const int32_t byte_id = find(piece.substr(i, len));
            if (byte_id >= 0)
                out.push_back(byte_id);
            i += len;
        }
    }
}

} // namespace seekbench
