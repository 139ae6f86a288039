// The ingestion run: collect the files first (so progress has a total), then one document
// at a time; deletions last, and only for a run that was not cancelled.
#include "ingest.h"

#include "pdf_text.h"

#include "engine/error.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace seekbench::storage {
namespace {

bool skipped_folder(const fs::path& dir)
{
    const std::string name = dir.filename().string();
    return (name.size() > 1 && name[0] == '.') || name == "__pycache__" || name == "node_modules";
}

// Every file under the paths that ingestion takes; what cannot be walked is a failure.
std::vector<std::string> collect(const std::vector<std::string>& paths, std::vector<std::string>& roots,
                                 IngestReport& report)
{
    std::set<std::string> files;
    for (const std::string& given : paths) {
        std::error_code ec;
        const fs::path path = fs::weakly_canonical(fs::absolute(given, ec), ec);
        roots.push_back(path.string());
        const fs::file_status st = fs::status(path, ec);
        if (fs::is_regular_file(st)) {
            files.insert(path.string());
            continue;
        }
        if (!fs::is_directory(st)) {
            if (!fs::exists(st))
                continue; // gone: its documents are removed below
            report.failures.push_back({path.string(), "not a file or folder"});
            continue;
        }
        fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
        if (ec) {
            report.failures.push_back({path.string(), "cannot open the folder: " + ec.message()});
            continue;
        }
        for (; it != end; it.increment(ec)) {
            if (ec) {
                report.failures.push_back({it->path().string(), ec.message()});
                break;
            }
            if (it->is_directory(ec) && skipped_folder(it->path())) {
                it.disable_recursion_pending();
                continue;
            }
            if (it->is_regular_file(ec) && it->path().filename().string()[0] != '.' &&
                document_type_for(it->path().string()))
                files.insert(it->path().string());
        }
    }
    return {files.begin(), files.end()};
}

std::string read_bytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorCode::Io, std::string("cannot read: ") + std::strerror(errno));
    std::ostringstream out;
    out << in.rdbuf();
    if (in.bad())
        throw Error(ErrorCode::Io, std::string("read failed: ") + std::strerror(errno));
    return out.str();
}

int64_t mtime_of(const fs::path& path)
{
    const auto t = fs::last_write_time(path);
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

std::vector<Chunk> to_chunks(const std::vector<ChunkSpan>& spans)
{
    std::vector<Chunk> out;
    out.reserve(spans.size());
    for (const ChunkSpan& s : spans) {
        Chunk c;
        c.page = s.page;
        c.byte_start = s.start;
        c.byte_end = s.end;
        c.heading = s.heading;
        c.text = s.text;
        out.push_back(std::move(c));
    }
    return out;
}

// Reads and chunks one file; throws Error naming what is wrong with it.
std::vector<Chunk> read_document(const std::string& path, const std::string& bytes, DocumentType type,
                                 KnowledgeDocument& doc, const ChunkLimits& limits)
{
    if (type == DocumentType::Pdf) {
        const std::vector<std::string> pages = pdf_page_texts(path);
        doc.pages = static_cast<int>(pages.size());
        return to_chunks(chunk_pages(pages, limits));
    }
    if (looks_binary(bytes))
        throw Error(ErrorCode::Format, "a binary file, not text");
    if (const auto at = invalid_utf8_at(bytes))
        throw Error(ErrorCode::Format, "not UTF-8 text (invalid byte at offset " + std::to_string(*at) + ")");
    return to_chunks(chunk_document(bytes, type, limits));
}

} // namespace

IngestReport ingest(KnowledgeStore& store, int64_t collection_id, const std::vector<std::string>& paths,
                    const IngestOptions& options)
{
    const auto started = std::chrono::steady_clock::now();
    IngestReport report;
    std::vector<std::string> roots;
    const std::vector<std::string> files = collect(paths, roots, report);
    IngestProgress progress;
    progress.total = static_cast<int>(files.size());
    for (const std::string& path : files) {
        if (options.cancelled && options.cancelled()) {
            report.cancelled = true;
            break;
        }
        progress.path = path;
        progress.chunks = 0;
        const auto existing = store.document(collection_id, path);
        try {
            const int64_t size = static_cast<int64_t>(fs::file_size(path));
            const int64_t mtime = mtime_of(path);
            if (existing && existing->size == size && existing->mtime == mtime) {
                progress.outcome = "unchanged";
            } else {
                const std::string bytes = read_bytes(path);
                KnowledgeDocument doc;
                doc.path = path;
                doc.hash = content_hash(bytes);
                doc.size = static_cast<int64_t>(bytes.size());
                doc.mtime = mtime;
                if (existing && existing->hash == doc.hash) {
                    store.set_mtime(existing->id, mtime);
                    progress.outcome = "unchanged";
                } else {
                    const DocumentType type = document_type_for(path).value_or(DocumentType::Text);
                    doc.type = to_string(type);
                    const std::vector<Chunk> chunks = read_document(path, bytes, type, doc, options.limits);
                    store.put_document(collection_id, doc, chunks);
                    progress.outcome = existing ? "updated" : "added";
                    progress.chunks = static_cast<int>(chunks.size());
                    report.chunks += progress.chunks;
                }
            }
        } catch (const fs::filesystem_error& e) {
            report.failures.push_back({path, e.code().message()});
            progress.outcome = "failed";
        } catch (const Error& e) {
            if (e.code() == ErrorCode::Database)
                throw; // the store itself failed (a full disk): stop, what is committed stays
            // The reason without the path the message may start with: the report names the file.
            std::string reason = e.what();
            if (reason.starts_with(path + ": "))
                reason.erase(0, path.size() + 2);
            report.failures.push_back({path, reason});
            progress.outcome = "failed";
        }
        if (progress.outcome == "added") ++report.added;
        else if (progress.outcome == "updated") ++report.updated;
        else if (progress.outcome == "unchanged") ++report.unchanged;
        ++progress.done;
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        progress.files_per_second = seconds > 0 ? progress.done / seconds : 0;
        if (options.progress)
            options.progress(progress);
    }
    if (!report.cancelled) {
        // Documents under the given paths whose files are gone.
        const std::set<std::string> seen(files.begin(), files.end());
        for (const KnowledgeDocument& doc : store.documents(collection_id)) {
            const bool under = std::any_of(roots.begin(), roots.end(), [&](const std::string& root) {
                return doc.path == root || doc.path.starts_with(root + "/");
            });
            std::error_code ec;
            if (under && !seen.count(doc.path) && !fs::exists(doc.path, ec)) {
                store.remove_document(doc.id);
                ++report.removed;
            }
        }
    }
    report.failed = static_cast<int>(report.failures.size());
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

} // namespace seekbench::storage
