// The text of a PDF, page by page, through Poppler's C++ interface (the Qt-free frontend of
// the same library Poppler-Qt6 wraps, so seekbench-cli ingests PDFs too). Throws Error
// (Format) for a file Poppler cannot read and (Unsupported) for an encrypted one.
#pragma once

#include <string>
#include <vector>

namespace seekbench::storage {

std::vector<std::string> pdf_page_texts(const std::string& path);

} // namespace seekbench::storage
