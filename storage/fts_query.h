// The full-text index's view of text (see fts_query.cpp), and a content hash for files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace seekbench::storage {

// The text the full-text index holds for a chunk: CJK characters spaced apart, so a query
// of Chinese words matches as phrases of characters. And the FTS5 query for a user's text:
// its words and CJK character pairs, OR'ed (common English words left out); "" when nothing is left.
std::string fts_text(const std::string& text);
std::string fts_query(const std::string& text);
// The same query's terms, each an FTS5 phrase ("word" or "字 符"), and terms OR'ed.
std::vector<std::string> fts_terms(const std::string& text);
std::string fts_or(const std::vector<std::string>& terms);

// 16 hex digits: the 64-bit FNV-1a of the bytes.
std::string content_hash(std::string_view bytes);

} // namespace seekbench::storage
