// seekbench-cli ingest and query: the knowledge store from a terminal, for scripts and
// benchmarks; with --embed-model, embeddings and hybrid retrieval. Built when storage is
// (the GPU machine's engine-only build has neither).
#include "args.h"
#include "commands.h"

#include "engine/error.h"
#include "storage/ingest.h"
#include "storage/knowledge_store.h"
#include "ui/controllers/retrieval.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace seekbench::cli {
namespace {

std::string first_line(const std::string& text, std::size_t max = 100)
{
    std::string line = text.substr(0, text.find('\n'));
    if (line.size() > max) {
        std::size_t n = max;
        while (n > 0 && (static_cast<unsigned char>(line[n]) & 0xC0) == 0x80)
            --n;
        line = line.substr(0, n) + "...";
    }
    return line;
}

std::unique_ptr<Embedder> open_embedder(const Args& a)
{
    if (!a.has("--embed-model"))
        return nullptr;
    return Embedder::open(a.str("--embed-model"), a.threads());
}

} // namespace

int cmd_ingest(int argc, char** argv)
{
    const Args a(argc, argv, 2, {"--db", "--collection", "--embed-model", "--threads"});
    a.allow_only({"--db", "--collection", "-v", "--verbose", "--embed-model", "--threads"});
    if (!a.has("--db") || a.positional().empty())
        throw Error(ErrorCode::InvalidArgument,
                    "usage: ingest --db FILE [--collection NAME] [--embed-model FILE] [-v] PATH...");
    const auto embedder = open_embedder(a); // before the files, so a bad model costs nothing
    const bool verbose = a.has("-v") || a.has("--verbose");
    storage::KnowledgeStore store(a.str("--db"));
    const int64_t collection = store.collection(a.str("--collection", "default"));
    storage::IngestOptions options;
    options.progress = [&](const storage::IngestProgress& p) {
        // One line per stored document, flushed: a line printed is a document committed.
        if (verbose && (p.outcome == "added" || p.outcome == "updated")) {
            std::printf("%s %s (%d chunks)\n", p.outcome.c_str(), p.path.c_str(), p.chunks);
            std::fflush(stdout);
        }
        if (p.done % 500 == 0)
            std::fprintf(stderr, "%d/%d files, %.0f files/s\n", p.done, p.total, p.files_per_second);
    };
    const storage::IngestReport r = storage::ingest(store, collection, a.positional(), options);
    for (const auto& f : r.failures)
        std::printf("failed %s: %s\n", f.path.c_str(), f.reason.c_str());
    std::printf("documents: %d added, %d updated, %d unchanged, %d removed, %d failed; chunks: %d added\n", r.added,
                r.updated, r.unchanged, r.removed, r.failed, r.chunks);
    const int files = r.added + r.updated + r.unchanged + r.failed;
    std::fprintf(stderr, "%d files in %.2f s (%.0f files/s)\n", files, r.seconds, r.seconds > 0 ? files / r.seconds : 0);
    if (embedder) {
        double rate = 0;
        const int n = embed_missing_chunks(store, *embedder, {collection}, [&](const EmbedProgress& p) {
            rate = p.chunks_per_second;
            if (p.done % 200 == 0)
                std::fprintf(stderr, "%d/%d chunks embedded, %.1f chunks/s\n", p.done, p.total, p.chunks_per_second);
            return true;
        });
        std::printf("embeddings: %d chunks embedded with %s (%.1f chunks/s)\n", n,
                    embedding_model_key(*embedder).c_str(), rate);
    }
    return 0;
}

// Latency over a file of queries, one per line: every query runs once to warm the caches,
// then once timed.
int query_latency(storage::KnowledgeStore& store, Embedder* embedder, const std::vector<int64_t>& collections, int k,
                  const std::string& path)
{
    const std::vector<std::string> queries = read_lines(path);
    if (queries.empty())
        throw Error(ErrorCode::InvalidArgument, path + ": no queries");
    std::vector<double> ms, embed_ms, vector_ms;
    std::size_t hits = 0;
    bool hybrid = false;
    for (const auto& q : queries)
        hits += retrieve(store, embedder, q, collections, k).hits.size();
    for (const auto& q : queries) {
        const auto started = std::chrono::steady_clock::now();
        const Retrieval r = retrieve(store, embedder, q, collections, k);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
        embed_ms.push_back(r.embed_ms);
        vector_ms.push_back(r.vector_ms);
        hybrid = r.hybrid;
    }
    for (auto* v : {&ms, &embed_ms, &vector_ms})
        std::sort(v->begin(), v->end());
    auto at = [](const std::vector<double>& v, double p) {
        return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
    };
    std::printf("%s: %zu queries, top %d, %.1f hits each: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                hybrid ? "hybrid" : "bm25", ms.size(), k, static_cast<double>(hits) / static_cast<double>(queries.size()),
                at(ms, 0.5), at(ms, 0.99), ms.back());
    if (hybrid)
        std::printf("  of which: query embedding p50 %.2f ms p99 %.2f ms; cosine scan p50 %.2f ms p99 %.2f ms\n",
                    at(embed_ms, 0.5), at(embed_ms, 0.99), at(vector_ms, 0.5), at(vector_ms, 0.99));
    return 0;
}

int cmd_query(int argc, char** argv)
{
    const Args a(argc, argv, 2, {"--db", "-k", "--collection", "--latency", "--embed-model", "--threads"});
    a.allow_only({"--db", "-k", "--collection", "--latency", "--embed-model", "--threads"});
    if (!a.has("--db") || (a.positional().empty() && !a.has("--latency")))
        throw Error(ErrorCode::InvalidArgument, "usage: query --db FILE [-k N] [--collection NAME] [--embed-model FILE] "
                                                "(TEXT | --latency QUERIES)");
    const auto embedder = open_embedder(a);
    std::string text;
    for (const auto& p : a.positional())
        text += (text.empty() ? "" : " ") + p;
    storage::KnowledgeStore store(a.str("--db"), true);
    std::vector<int64_t> collections;
    if (a.has("--collection")) {
        const int64_t id = store.collection(a.str("--collection"), false);
        if (id == 0)
            throw Error(ErrorCode::InvalidArgument, "no collection named " + a.str("--collection"));
        collections.push_back(id);
    }
    const int k = std::max(1, a.integer("-k", 5));
    if (a.has("--latency"))
        return query_latency(store, embedder.get(), collections, k, a.str("--latency"));
    const auto started = std::chrono::steady_clock::now();
    const Retrieval r = retrieve(store, embedder.get(), text, collections, k);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    if (r.hybrid)
        std::fprintf(stderr, "retrieval: hybrid (BM25 + %s, reciprocal-rank fusion), %.1f ms\n",
                     embedding_model_key(*embedder).c_str(), ms);
    else if (embedder)
        std::fprintf(stderr, "retrieval: BM25 only (%s has embedded nothing here yet: ingest with --embed-model), "
                     "%.1f ms\n", embedding_model_key(*embedder).c_str(), ms);
    else
        std::fprintf(stderr, "retrieval: BM25 only (no embedding model), %.1f ms\n", ms);
    const auto& hits = r.hits;
    for (std::size_t i = 0; i < hits.size(); ++i) {
        const auto& c = hits[i].chunk;
        std::printf("%zu\t%.4f\t%s\t%s%lld-%lld\t%s\n", i + 1, hits[i].score, c.path.c_str(),
                    c.page ? ("p" + std::to_string(c.page) + ":").c_str() : "", static_cast<long long>(c.byte_start),
                    static_cast<long long>(c.byte_end), first_line(c.text).c_str());
    }
    return 0;
}

} // namespace seekbench::cli
