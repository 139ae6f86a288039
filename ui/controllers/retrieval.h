// Retrieval over the knowledge store: BM25, and when an embedding model is open, exact
// cosine over the chunks' embeddings too, fused by reciprocal rank. Also embeds the chunks
// a model has not seen yet. Plain C++ over engine/ and storage/ (no Qt), so seekbench-cli
// and KnowledgeController run the same retrieval.
#pragma once

#include "engine/embedding.h"
#include "storage/knowledge_store.h"

#include <functional>
#include <string>
#include <vector>

namespace seekbench {

// The name a model's embeddings are stored under: its file name.
std::string embedding_model_key(const Embedder& embedder);

struct EmbedProgress {
    int done = 0, total = 0;       // chunks of this run
    double chunks_per_second = 0;
};

// Embeds the chunks of the collections (all when empty) that have no embedding from this
// model yet, at most `max_chunks` of them (0: all), committing every 32 so that a killed
// run keeps what it finished. `progress` returns false to stop. Returns how many chunks
// were embedded.
int embed_missing_chunks(storage::KnowledgeStore& store, Embedder& embedder, const std::vector<int64_t>& collections,
                         const std::function<bool(const EmbedProgress&)>& progress = {}, int max_chunks = 0);

struct Retrieval {
    std::vector<storage::ChunkHit> hits; // best first
    bool hybrid = false;                 // false: BM25 alone (no model, or nothing embedded yet)
    double embed_ms = 0, bm25_ms = 0, vector_ms = 0;
};

// The best `k` chunks for `query`: BM25 alone without an embedder, else the two lists (each
// of the best max(4k, 40)) fused by reciprocal rank.
Retrieval retrieve(storage::KnowledgeStore& store, Embedder* embedder, const std::string& query,
                   const std::vector<int64_t>& collections, int k);

} // namespace seekbench
