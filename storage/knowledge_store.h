// The knowledge half of the store, in its own SQLite file: collections of documents, their
// chunks with byte spans and headings, a BM25 full-text index over the chunks (English
// words stemmed, Chinese by single characters so it matches inside words), and embedding
// vectors per (chunk, embedding model) with an exact cosine scan. Each document is written
// in one transaction: a killed process loses at most the document it was writing.
// Computing embeddings is the engine's job; this file only stores and scans them.
#pragma once

#include "database.h"
#include "fts_query.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace seekbench::storage {

struct Collection {
    int64_t id = 0;
    std::string name;
    int64_t created_at = 0;
    int documents = 0, chunks = 0;
};

struct KnowledgeDocument {
    int64_t id = 0, collection_id = 0;
    std::string path;           // absolute
    std::string hash;           // 16 hex digits of the content's 64-bit FNV-1a
    int64_t mtime = 0, size = 0;// the file's time (nanoseconds, as the file system counts them), bytes
    std::string type;           // "text", "markdown", "code", "html", "pdf"
    int pages = 0;              // PDF only
    int chunks = 0;             // read back only
};

struct Chunk {
    int64_t id = 0, document_id = 0;
    int ordinal = 0;            // order in its document
    int page = 0;               // 1-based PDF page, 0 otherwise
    int64_t byte_start = 0, byte_end = 0;
    std::string heading, text;
    std::string path;           // the document's, read back only
};

struct ChunkHit {
    Chunk chunk;
    double score = 0;           // BM25 (higher is better), cosine, or the fused RRF score
    int bm25_rank = 0, vector_rank = 0; // 1-based place in each list, 0 when absent from it
};

class KnowledgeStore {
public:
    explicit KnowledgeStore(const std::string& path, bool read_only = false);

    static constexpr int kSchemaVersion = 1;
    int schema_version();

    // Finds the collection by name, creating it when `create`; 0 when absent.
    int64_t collection(const std::string& name, bool create = true);
    std::vector<Collection> collections();
    void remove_collection(int64_t id);

    std::optional<KnowledgeDocument> document(int64_t collection_id, const std::string& path);
    std::vector<KnowledgeDocument> documents(int64_t collection_id);
    // Replaces the document at doc.path (its chunks, index entries and embeddings) with this
    // one, in one transaction; returns its id.
    int64_t put_document(int64_t collection_id, const KnowledgeDocument& doc, const std::vector<Chunk>& chunks);
    void remove_document(int64_t id);
    // A file touched but not changed keeps its chunks; only its time is new.
    void set_mtime(int64_t document_id, int64_t mtime);

    std::optional<Chunk> chunk(int64_t id);
    std::vector<Chunk> chunks(int64_t document_id);

    // BM25 over the chunks of the given collections (all when empty), best first.
    std::vector<ChunkHit> search_bm25(const std::string& query, const std::vector<int64_t>& collections,
                                      int limit);

    // Embeddings of `model` (a name: the embedding model's file), L2-normalised on the way in.
    void put_embeddings(const std::string& model, const std::vector<std::pair<int64_t, std::vector<float>>>& rows);
    // Chunks of the collections without an embedding from `model`, up to `limit`, as (id, text).
    std::vector<std::pair<int64_t, std::string>> chunks_without_embedding(const std::string& model,
                                                                          const std::vector<int64_t>& collections,
                                                                          int limit);
    int count_without_embedding(const std::string& model, const std::vector<int64_t>& collections);
    int embedding_count(const std::string& model);
    // Whether any chunk has an embedding from `model` (cheap: one index probe, unlike the count).
    bool has_embeddings(const std::string& model);
    // Exact cosine against every stored vector of `model` in the collections, best first.
    // The vectors are read once into memory and reread only when the file changed.
    std::vector<ChunkHit> search_vector(const std::string& model, const std::vector<float>& query,
                                        const std::vector<int64_t>& collections, int limit);

    Database& database() { return m_db; }

private:
    struct VectorIndex {
        int dim = 0;
        std::vector<int64_t> chunk_ids, collection_ids;
        std::vector<float> vectors; // chunk_ids.size() x dim, normalised
        int64_t version = -1;
    };
    int64_t data_version();
    int64_t row_count(); // chunks in the index, cached until the file changes
    // The best `limit` rows of one FTS5 query in the collections, as (chunk id, score).
    std::vector<std::pair<int64_t, double>> fts_top(const char* sql, const std::string& match, int n_scored,
                                                    const std::vector<int64_t>& collections, int limit);
    const VectorIndex& vector_index(const std::string& model);
    std::vector<ChunkHit> hits_for(const std::vector<std::pair<int64_t, double>>& ranked, bool bm25);

    bool m_read_only;
    Database m_db;
    int64_t m_writes = 0;       // our own writes; PRAGMA data_version counts others'
    std::map<std::string, VectorIndex> m_vectors;
    int64_t m_rows = 0, m_rows_version = -1;
};

// Reciprocal-rank fusion: each list adds 1 / (k + rank) for every chunk it holds.
std::vector<ChunkHit> fuse_rrf(const std::vector<ChunkHit>& bm25, const std::vector<ChunkHit>& vector, int limit,
                               int k = 60);

} // namespace seekbench::storage
