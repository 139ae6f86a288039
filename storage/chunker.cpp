// Chunking: a document is cut into sections (headings, pages, or the whole text), a section
// into pieces no longer than the limit (paragraphs, then lines, then sentences, then bytes at
// a character boundary), and neighbouring pieces are packed back up to the target size.
#include "chunker.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace seekbench::storage {
namespace {

struct Range {
    std::size_t a, b;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

// At most `max` bytes of s, cut at a character boundary.
std::string utf8_prefix(std::string_view s, std::size_t max)
{
    if (s.size() <= max)
        return std::string(s);
    std::size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return std::string(s.substr(0, n));
}

bool ends_sentence(std::string_view t, std::size_t p)
{
    // A cut after ". " (and "!", "?") or after the ideographic full stop and full-width ! ?.
    if (p >= 2 && t[p - 1] == ' ' && (t[p - 2] == '.' || t[p - 2] == '!' || t[p - 2] == '?'))
        return true;
    if (p < 3)
        return false;
    const std::string_view last = t.substr(p - 3, 3);
    return last == "\u3002" || last == "\uff01" || last == "\uff1f";
}

// Pieces covering [a, b) exactly, each at most `max` bytes, cut at the coarsest boundary
// that gets them there.
void split(std::string_view t, std::size_t a, std::size_t b, std::size_t max, int level, std::vector<Range>& out)
{
    if (b - a <= max) {
        out.push_back({a, b});
        return;
    }
    if (level >= 3) {
        std::size_t p = a;
        while (b - p > max) {
            std::size_t q = p + max;
            while (q > p + 1 && (static_cast<unsigned char>(t[q]) & 0xC0) == 0x80)
                --q;
            out.push_back({p, q});
            p = q;
        }
        out.push_back({p, b});
        return;
    }
    std::vector<std::size_t> cuts;
    bool blank = true; // the line so far is white space
    for (std::size_t p = a; p + 1 < b; ++p) {
        const char ch = t[p];
        if (ch == '\n') {
            if (level == 1 || (level == 0 && blank))
                cuts.push_back(p + 1);
            blank = true;
        } else if (!is_space(ch)) {
            blank = false;
        }
        if (level == 2 && ends_sentence(t, p + 1))
            cuts.push_back(p + 1);
    }
    cuts.push_back(b);
    std::size_t s = a;
    for (std::size_t c : cuts) {
        if (c - s <= max)
            out.push_back({s, c});
        else
            split(t, s, c, max, level + 1, out);
        s = c;
    }
}

using HeadingOf = std::string (*)(std::string_view chunk);

std::string no_heading(std::string_view) { return {}; }

// The first line that is not blank or a comment: a definition, usually.
std::string code_heading(std::string_view chunk)
{
    std::size_t p = 0;
    while (p < chunk.size()) {
        std::size_t e = chunk.find('\n', p);
        if (e == std::string_view::npos)
            e = chunk.size();
        const std::string_view line = trimmed(chunk.substr(p, e - p));
        const bool comment = line.starts_with("#") || line.starts_with("//") || line.starts_with("/*") ||
                             line.starts_with("*") || line.starts_with("--") || line.starts_with(";");
        if (!line.empty() && !comment)
            return utf8_prefix(line, 80);
        p = e + 1;
    }
    return {};
}

// Packs the pieces of one section into chunks of about `target` bytes, white space at the
// edges trimmed, empty ones dropped.
void pack(std::string_view t, const std::vector<Range>& pieces, const ChunkLimits& limits, int page,
          const std::string& heading, HeadingOf heading_of, std::vector<ChunkSpan>& out)
{
    auto emit = [&](std::size_t a, std::size_t b) {
        while (a < b && is_space(t[a]))
            ++a;
        while (b > a && is_space(t[b - 1]))
            --b;
        if (a == b)
            return;
        ChunkSpan c;
        c.start = static_cast<int64_t>(a);
        c.end = static_cast<int64_t>(b);
        c.page = page;
        c.text = std::string(t.substr(a, b - a));
        c.heading = heading.empty() ? heading_of(c.text) : heading;
        out.push_back(std::move(c));
    };
    std::size_t start = 0, end = 0;
    bool open = false;
    for (const Range& r : pieces) {
        if (open && r.b - start <= limits.target) {
            end = r.b;
            continue;
        }
        if (open)
            emit(start, end);
        start = r.a;
        end = r.b;
        open = true;
    }
    if (open)
        emit(start, end);
}

void chunk_section(std::string_view t, std::size_t a, std::size_t b, const ChunkLimits& limits, int page,
                   const std::string& heading, HeadingOf heading_of, std::vector<ChunkSpan>& out)
{
    std::vector<Range> pieces;
    split(t, a, b, limits.max, 0, pieces);
    pack(t, pieces, limits, page, heading, heading_of, out);
}

struct Section {
    std::size_t at;
    int level;
    std::string title;
};

// Sections between headings, each named by the path of headings above it.
void chunk_by_headings(std::string_view t, const std::vector<Section>& headings, const ChunkLimits& limits,
                       std::vector<ChunkSpan>& out)
{
    std::vector<std::pair<int, std::string>> stack;
    std::size_t start = 0;
    std::string path;
    for (std::size_t i = 0; i <= headings.size(); ++i) {
        const std::size_t end = i < headings.size() ? headings[i].at : t.size();
        if (end > start)
            chunk_section(t, start, end, limits, 0, path, no_heading, out);
        if (i == headings.size())
            break;
        while (!stack.empty() && stack.back().first >= headings[i].level)
            stack.pop_back();
        stack.emplace_back(headings[i].level, headings[i].title);
        path.clear();
        for (const auto& [level, title] : stack)
            path += (path.empty() ? "" : " > ") + title;
        start = end;
    }
}

std::vector<Section> markdown_headings(std::string_view t)
{
    std::vector<Section> out;
    bool fenced = false;
    std::size_t p = 0;
    while (p < t.size()) {
        std::size_t e = t.find('\n', p);
        if (e == std::string_view::npos)
            e = t.size();
        std::string_view line = t.substr(p, e - p);
        std::size_t indent = 0;
        while (indent < line.size() && indent < 4 && line[indent] == ' ')
            ++indent;
        const std::string_view body = line.substr(indent);
        if (indent < 4 && (body.starts_with("```") || body.starts_with("~~~"))) {
            fenced = !fenced;
        } else if (!fenced && indent < 4 && body.starts_with("#")) {
            std::size_t level = 0;
            while (level < body.size() && body[level] == '#')
                ++level;
            if (level <= 6 && (level == body.size() || body[level] == ' ' || body[level] == '\t')) {
                std::string_view title = trimmed(body.substr(level));
                while (!title.empty() && title.back() == '#')
                    title.remove_suffix(1);
                out.push_back({p, static_cast<int>(level), std::string(trimmed(title))});
            }
        }
        p = e + 1;
    }
    return out;
}

// Where a top-level block of code starts: a line at column 0 after a blank line, an indented
// line or a closing bracket, that does not itself continue a statement (else, except, }).
std::vector<Range> code_blocks(std::string_view t)
{
    static constexpr std::array<std::string_view, 7> kContinues = {"else", "elif", "except", "finally",
                                                                    "catch", "}", ")"};
    std::vector<std::size_t> starts = {0};
    std::string_view previous;
    std::size_t p = 0;
    while (p < t.size()) {
        std::size_t e = t.find('\n', p);
        if (e == std::string_view::npos)
            e = t.size();
        const std::string_view line = t.substr(p, e - p);
        const bool top = !line.empty() && !is_space(line[0]) && line[0] != ']' &&
                         std::none_of(kContinues.begin(), kContinues.end(),
                                      [&](std::string_view k) { return line.starts_with(k); });
        const bool after = trimmed(previous).empty() || is_space(previous[0]) || previous[0] == '}' ||
                           previous[0] == ')' || previous[0] == ']';
        if (p > 0 && top && after)
            starts.push_back(p);
        previous = line;
        p = e + 1;
    }
    std::vector<Range> out;
    for (std::size_t i = 0; i < starts.size(); ++i)
        out.push_back({starts[i], i + 1 < starts.size() ? starts[i + 1] : t.size()});
    return out;
}

void chunk_code(std::string_view t, const ChunkLimits& limits, std::vector<ChunkSpan>& out)
{
    std::vector<Range> pieces;
    for (const Range& block : code_blocks(t))
        split(t, block.a, block.b, limits.max, 0, pieces);
    pack(t, pieces, limits, 0, {}, code_heading, out);
}

void append_utf8(std::string& out, uint32_t cp)
{
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
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

// "&amp;" and friends at html[i] ('&'): the decoded text and the entity's length; nullopt
// for an '&' that starts no entity.
std::optional<std::pair<std::string, std::size_t>> entity(std::string_view html, std::size_t i)
{
    const std::size_t semi = html.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10 || semi == i + 1)
        return std::nullopt;
    const std::string_view name = html.substr(i + 1, semi - i - 1);
    std::string out;
    if (name[0] == '#') {
        const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
        const std::string digits(name.substr(hex ? 2 : 1));
        if (digits.empty() || digits.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "0123456789") !=
                                  std::string::npos)
            return std::nullopt;
        append_utf8(out, static_cast<uint32_t>(std::min(0x110000UL, std::stoul(digits.substr(0, 7), nullptr,
                                                                                  hex ? 16 : 10))));
    } else {
        static const std::array<std::pair<std::string_view, std::string_view>, 8> kNamed = {{
            {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "},
            {"mdash", "\u2014"}, {"hellip", "\u2026"}}};
        const auto it = std::find_if(kNamed.begin(), kNamed.end(), [&](const auto& e) { return e.first == name; });
        if (it == kNamed.end())
            return std::nullopt;
        out = it->second;
    }
    return std::make_pair(out, semi + 1 - i);
}

bool block_tag(std::string_view name)
{
    static constexpr std::array<std::string_view, 28> kBlocks = {
        "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "pre", "section", "article", "header",
        "footer", "nav", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "hr", "title", "main"};
    return std::find(kBlocks.begin(), kBlocks.end(), name) != kBlocks.end();
}

} // namespace

const char* to_string(DocumentType type)
{
    switch (type) {
    case DocumentType::Text: return "text";
    case DocumentType::Markdown: return "markdown";
    case DocumentType::Code: return "code";
    case DocumentType::Html: return "html";
    case DocumentType::Pdf: return "pdf";
    }
    return "text";
}

std::optional<DocumentType> document_type_for(std::string_view path)
{
    const std::size_t slash = path.find_last_of('/');
    const std::string name = lower(path.substr(slash == std::string_view::npos ? 0 : slash + 1));
    const std::size_t dot = name.find_last_of('.');
    if (name == "makefile" || name == "cmakelists.txt" || name == "dockerfile")
        return DocumentType::Code;
    if (name == "readme" || name == "license" || name == "copying" || name == "changelog")
        return DocumentType::Text;
    if (dot == std::string::npos || dot == 0)
        return std::nullopt;
    const std::string ext = name.substr(dot + 1);
    static constexpr std::array<std::string_view, 7> kText = {"txt", "text", "rst", "log", "csv", "tsv", "org"};
    static constexpr std::array<std::string_view, 3> kMarkdown = {"md", "markdown", "mdown"};
    static constexpr std::array<std::string_view, 4> kHtml = {"html", "htm", "xhtml", "shtml"};
    static constexpr std::array<std::string_view, 44> kCode = {
        "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx", "cu", "cuh", "py", "pyi", "rs", "go", "java", "kt",
        "js", "mjs", "ts", "tsx", "jsx", "rb", "php", "swift", "cs", "scala", "lua", "sh", "bash", "zsh", "pl",
        "sql", "cmake", "qml", "json", "yaml", "yml", "toml", "ini", "xml", "css", "hs", "ml", "r"};
    auto in = [&](const auto& list) { return std::find(list.begin(), list.end(), ext) != list.end(); };
    if (in(kText))
        return DocumentType::Text;
    if (in(kMarkdown))
        return DocumentType::Markdown;
    if (in(kHtml))
        return DocumentType::Html;
    if (in(kCode))
        return DocumentType::Code;
    if (ext == "pdf")
        return DocumentType::Pdf;
    return std::nullopt;
}

std::optional<std::size_t> invalid_utf8_at(std::string_view s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        uint32_t cp = 0, min = 0;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; min = 0x10000; }
        else return i;
        for (std::size_t k = 1; k <= n; ++k) {
            if (i + k >= s.size())
                return i;
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (d & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n + 1;
    }
    return std::nullopt;
}

bool looks_binary(std::string_view bytes)
{
    return bytes.substr(0, 8192).find('\0') != std::string_view::npos;
}

HtmlText html_to_text(std::string_view html)
{
    HtmlText out;
    auto put = [&](char c, std::size_t src) {
        out.text += c;
        out.source.push_back(static_cast<int64_t>(src));
    };
    auto end_line = [&](std::size_t src, int lines) {
        while (!out.text.empty() && out.text.back() == ' ') {
            out.text.pop_back();
            out.source.pop_back();
        }
        int have = 0;
        for (auto it = out.text.rbegin(); it != out.text.rend() && *it == '\n'; ++it)
            ++have;
        while (!out.text.empty() && have++ < lines)
            put('\n', src);
    };
    bool pre = false;
    int heading = 0;
    std::size_t heading_at = 0;
    std::size_t i = 0;
    while (i < html.size()) {
        const char c = html[i];
        if (c == '<') {
            if (html.substr(i, 4) == "<!--") {
                const std::size_t e = html.find("-->", i + 4);
                i = e == std::string_view::npos ? html.size() : e + 3;
                continue;
            }
            const std::size_t gt = html.find('>', i);
            if (gt == std::string_view::npos)
                break;
            const bool closing = i + 1 < html.size() && html[i + 1] == '/';
            std::size_t n = i + (closing ? 2 : 1);
            std::size_t m = n;
            while (m < gt && std::isalnum(static_cast<unsigned char>(html[m])))
                ++m;
            const std::string name = lower(html.substr(n, m - n));
            i = gt + 1;
            if (!closing && (name == "script" || name == "style" || name == "noscript" || name == "template")) {
                const std::size_t e = lower(html.substr(i)).find("</" + name);
                const std::size_t close = e == std::string::npos ? std::string_view::npos : html.find('>', i + e);
                i = close == std::string_view::npos ? html.size() : close + 1;
                continue;
            }
            if (name == "pre")
                pre = !closing;
            const bool is_heading = name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6';
            if (block_tag(name))
                end_line(i, name == "p" || is_heading ? 2 : 1);
            if (is_heading && !closing) {
                heading = name[1] - '0';
                heading_at = out.text.size();
            } else if (is_heading && heading) {
                std::string title(trimmed(std::string_view(out.text).substr(heading_at)));
                std::replace(title.begin(), title.end(), '\n', ' ');
                if (!title.empty())
                    out.headings.push_back({heading_at, heading, utf8_prefix(title, 120)});
                heading = 0;
            }
            continue;
        }
        if (c == '&') {
            if (const auto decoded = entity(html, i)) {
                for (char d : decoded->first)
                    put(d, i);
                i += decoded->second;
                continue;
            }
        }
        if (!pre && is_space(c)) {
            if (!out.text.empty() && out.text.back() != ' ' && out.text.back() != '\n')
                put(' ', i);
            ++i;
            continue;
        }
        put(c, i++);
    }
    end_line(html.size(), 0);
    out.source.push_back(static_cast<int64_t>(html.size()));
    return out;
}

std::vector<ChunkSpan> chunk_document(std::string_view text, DocumentType type, const ChunkLimits& limits)
{
    std::vector<ChunkSpan> out;
    switch (type) {
    case DocumentType::Text:
    case DocumentType::Pdf:
        chunk_section(text, 0, text.size(), limits, 0, {}, no_heading, out);
        break;
    case DocumentType::Markdown:
        chunk_by_headings(text, markdown_headings(text), limits, out);
        break;
    case DocumentType::Code:
        chunk_code(text, limits, out);
        break;
    case DocumentType::Html: {
        const HtmlText h = html_to_text(text);
        std::vector<Section> headings;
        for (const auto& x : h.headings)
            headings.push_back({x.at, x.level, x.title});
        chunk_by_headings(h.text, headings, limits, out);
        // Spans back into the HTML: from the first byte's source to just after the last's.
        for (ChunkSpan& c : out) {
            const auto first = static_cast<std::size_t>(c.start), last = static_cast<std::size_t>(c.end) - 1;
            c.start = h.source[first];
            c.end = h.source[last] + 1;
        }
        break;
    }
    }
    return out;
}

std::vector<ChunkSpan> chunk_pages(const std::vector<std::string>& pages, const ChunkLimits& limits)
{
    std::vector<ChunkSpan> out;
    for (std::size_t p = 0; p < pages.size(); ++p)
        chunk_section(pages[p], 0, pages[p].size(), limits, static_cast<int>(p + 1), {}, no_heading, out);
    return out;
}

} // namespace seekbench::storage
