// Files and folders into a knowledge collection: walk, skip what has not changed (size and
// mtime, then the content hash), chunk by type, store each document in its own transaction,
// and drop documents whose files are gone. A bad file (binary, unreadable, invalid UTF-8, an
// encrypted or broken PDF) is reported and skipped; only the database failing stops the run.
#pragma once

#include "chunker.h"
#include "knowledge_store.h"

#include <functional>
#include <string>
#include <vector>

namespace seekbench::storage {

struct IngestProgress {
    int done = 0, total = 0;        // files looked at, files found
    std::string path;               // the file just finished
    std::string outcome;            // "added", "updated", "unchanged", "failed"
    int chunks = 0;                 // its chunks (added or updated)
    double files_per_second = 0;
};

struct IngestFailure {
    std::string path, reason;
};

struct IngestReport {
    int added = 0, updated = 0, unchanged = 0, removed = 0, failed = 0;
    int chunks = 0;                 // chunks written
    std::vector<IngestFailure> failures;
    bool cancelled = false;
    double seconds = 0;
};

struct IngestOptions {
    std::function<void(const IngestProgress&)> progress; // after each file, on the calling thread
    std::function<bool()> cancelled;                     // checked before each file
    ChunkLimits limits;
};

// `paths`: files (taken whatever their name, when they are text) and folders (walked,
// hidden ones skipped, files of the types document_type_for() knows).
IngestReport ingest(KnowledgeStore& store, int64_t collection_id, const std::vector<std::string>& paths,
                    const IngestOptions& options = {});

} // namespace seekbench::storage
