// Small text helpers the engine's writers share: a JSON string literal (RFC 8259 escaping,
// UTF-8 passed through) and writing a whole file so that it is either complete or untouched.
#pragma once

#include <string>
#include <string_view>

namespace seekbench {

// `s` as a quoted JSON string.
std::string json_quote(std::string_view s);

// Writes `text` to `path` through a temporary file renamed over it: a full disk or a crash
// leaves the old file (or none), never half of the new one. Throws Error (Io) naming `what`.
void write_file_whole(const std::string& path, const std::string& text, const std::string& what);

} // namespace seekbench
