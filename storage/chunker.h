// Documents into chunks for the knowledge store: plain text by paragraphs, Markdown by
// headings, source code by top-level definitions (indentation), HTML as its text with the
// headings it marks, PDF page by page. Every chunk keeps its byte span in the original (the
// file, or the page's text for PDF) so a citation can open the exact place. No file I/O here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seekbench::storage {

enum class DocumentType { Text, Markdown, Code, Html, Pdf };

const char* to_string(DocumentType type);
// By the file name's extension; nullopt for a name the ingestion does not take from a folder.
std::optional<DocumentType> document_type_for(std::string_view path);

struct ChunkSpan {
    int64_t start = 0, end = 0; // bytes [start, end) in the file (PDF: in the page's text)
    int page = 0;               // 1-based PDF page; 0 otherwise
    std::string heading;        // "Install > From source" (Markdown, HTML), a definition's first line (code)
    std::string text;           // what is indexed and shown: the original bytes, or extracted text
};

struct ChunkLimits {
    std::size_t target = 1000;  // bytes a chunk grows to when its pieces allow
    std::size_t max = 1600;     // never more (about 400 tokens, inside a BERT window)
};

// Byte offset of the first invalid UTF-8 sequence, or nullopt when the text is valid.
std::optional<std::size_t> invalid_utf8_at(std::string_view text);
// True for bytes that look binary (a NUL in the first 8 KiB).
bool looks_binary(std::string_view bytes);

std::vector<ChunkSpan> chunk_document(std::string_view text, DocumentType type, const ChunkLimits& limits = {});
// One PDF: the text of each page, in order.
std::vector<ChunkSpan> chunk_pages(const std::vector<std::string>& pages, const ChunkLimits& limits = {});

// HTML reduced to readable text (scripts and styles dropped, entities decoded, blocks on
// their own lines), with the source offset of every output byte and the headings it marks.
struct HtmlText {
    std::string text;
    std::vector<int64_t> source;                // source[i]: offset in the HTML of text[i]; one more at the end
    struct Heading { std::size_t at; int level; std::string title; };
    std::vector<Heading> headings;              // `at`: offset in `text`
};
HtmlText html_to_text(std::string_view html);

} // namespace seekbench::storage
