// retrieve and embed_missing_chunks; the timings are for `query --latency` and the note.
#include "retrieval.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace seekbench {
namespace {

double ms_since(std::chrono::steady_clock::time_point t)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

} // namespace

std::string embedding_model_key(const Embedder& embedder)
{
    return std::filesystem::path(embedder.model().file().path()).filename().string();
}

int embed_missing_chunks(storage::KnowledgeStore& store, Embedder& embedder, const std::vector<int64_t>& collections,
                         const std::function<bool(const EmbedProgress&)>& progress, int max_chunks)
{
    const std::string key = embedding_model_key(embedder);
    const std::string prefix = embedding_prefix(embedder.model().config(), EmbedPurpose::Document);
    const auto started = std::chrono::steady_clock::now();
    EmbedProgress p;
    p.total = store.count_without_embedding(key, collections);
    if (max_chunks > 0)
        p.total = std::min(p.total, max_chunks);
    while (p.done < p.total) {
        const auto batch = store.chunks_without_embedding(key, collections, std::min(32, p.total - p.done));
        if (batch.empty())
            break;
        std::vector<std::pair<int64_t, std::vector<float>>> rows;
        for (const auto& [id, text] : batch) {
            rows.emplace_back(id, embedder.embed(prefix + text).vector);
            ++p.done;
            p.chunks_per_second = p.done / std::max(1e-3, ms_since(started) / 1000);
            if (progress && !progress(p)) {
                store.put_embeddings(key, rows);
                return p.done;
            }
        }
        store.put_embeddings(key, rows);
    }
    return p.done;
}

Retrieval retrieve(storage::KnowledgeStore& store, Embedder* embedder, const std::string& query,
                   const std::vector<int64_t>& collections, int k)
{
    Retrieval r;
    const int depth = std::max(4 * k, 40);
    auto t = std::chrono::steady_clock::now();
    std::vector<storage::ChunkHit> bm25 = store.search_bm25(query, collections, embedder ? depth : k);
    r.bm25_ms = ms_since(t);
    if (!embedder || !store.has_embeddings(embedding_model_key(*embedder))) {
        r.hits = std::move(bm25);
        return r;
    }
    t = std::chrono::steady_clock::now();
    const Embedding q = embedder->embed(embedding_prefix(embedder->model().config(), EmbedPurpose::Query) + query);
    r.embed_ms = ms_since(t);
    t = std::chrono::steady_clock::now();
    const auto vector = store.search_vector(embedding_model_key(*embedder), q.vector, collections, depth);
    r.vector_ms = ms_since(t);
    r.hits = storage::fuse_rrf(bm25, vector, k);
    r.hybrid = true;
    return r;
}

} // namespace seekbench
