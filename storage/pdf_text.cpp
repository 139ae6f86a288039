// Poppler's document and page objects to plain UTF-8 text per page; Poppler's own messages
// (it prints to stderr on damaged files) are silenced, our error says what happened.
#include "pdf_text.h"

#include "engine/error.h"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <memory>

namespace seekbench::storage {

std::vector<std::string> pdf_page_texts(const std::string& path)
{
    poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr);
    std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(path));
    if (!doc)
        throw Error(ErrorCode::Format, path + ": not a readable PDF");
    if (doc->is_locked())
        throw Error(ErrorCode::Unsupported, path + ": the PDF is encrypted (needs a password)");
    std::vector<std::string> pages;
    for (int i = 0; i < doc->pages(); ++i) {
        std::unique_ptr<poppler::page> page(doc->create_page(i));
        if (!page) {
            pages.emplace_back();
            continue;
        }
        const poppler::byte_array bytes = page->text().to_utf8();
        pages.emplace_back(bytes.begin(), bytes.end());
    }
    return pages;
}

} // namespace seekbench::storage
