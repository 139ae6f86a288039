// KnowledgeStore: the SQL in named constants, one transaction per document. The FTS5 table
// is contentless (the chunks table holds the text once) with contentless_delete, so a
// trigger keeps it in step when chunks go, whether deleted directly or by a cascade.
#include "knowledge_store.h"

#include "engine/error.h"
#include "fts_rank.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <set>

namespace seekbench::storage {
namespace {

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE collections (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE documents (
  id INTEGER PRIMARY KEY,
  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  hash TEXT NOT NULL,
  mtime INTEGER NOT NULL,
  size INTEGER NOT NULL,
  type TEXT NOT NULL,
  pages INTEGER NOT NULL DEFAULT 0,
  ingested_at INTEGER NOT NULL,
  UNIQUE (collection_id, path)
);
CREATE TABLE chunks (
  id INTEGER PRIMARY KEY,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  page INTEGER NOT NULL DEFAULT 0,
  byte_start INTEGER NOT NULL,
  byte_end INTEGER NOT NULL,
  heading TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL
);
CREATE INDEX chunks_by_document ON chunks(document_id, ordinal);
CREATE VIRTUAL TABLE chunks_fts USING fts5(body, content='', contentless_delete=1,
  tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
  DELETE FROM chunks_fts WHERE rowid = old.id;
END;
CREATE TABLE embeddings (
  chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
  model TEXT NOT NULL,
  dim INTEGER NOT NULL,
  vector BLOB NOT NULL,
  PRIMARY KEY (model, chunk_id)
) WITHOUT ROWID;
CREATE INDEX embeddings_by_chunk ON embeddings(chunk_id);
)sql";

constexpr const char* kFindCollection = "SELECT id FROM collections WHERE name = ?1";
constexpr const char* kInsertCollection = "INSERT INTO collections (name, created_at) VALUES (?1, ?2)";
constexpr const char* kListCollections =
    "SELECT c.id, c.name, c.created_at, "
    "(SELECT count(*) FROM documents d WHERE d.collection_id = c.id), "
    "(SELECT count(*) FROM chunks k JOIN documents d ON d.id = k.document_id WHERE d.collection_id = c.id) "
    "FROM collections c ORDER BY c.name";
constexpr const char* kDeleteCollection = "DELETE FROM collections WHERE id = ?1";
constexpr const char* kDocumentColumns =
    "d.id, d.collection_id, d.path, d.hash, d.mtime, d.size, d.type, d.pages, "
    "(SELECT count(*) FROM chunks k WHERE k.document_id = d.id)";
constexpr const char* kDeleteDocumentAt = "DELETE FROM documents WHERE collection_id = ?1 AND path = ?2";
constexpr const char* kDeleteDocument = "DELETE FROM documents WHERE id = ?1";
constexpr const char* kSetMtime = "UPDATE documents SET mtime = ?2 WHERE id = ?1";
constexpr const char* kInsertDocument =
    "INSERT INTO documents (collection_id, path, hash, mtime, size, type, pages, ingested_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char* kInsertChunk =
    "INSERT INTO chunks (document_id, ordinal, page, byte_start, byte_end, heading, text) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr const char* kInsertFts = "INSERT INTO chunks_fts (rowid, body) VALUES (?1, ?2)";
constexpr const char* kChunkColumns =
    "k.id, k.document_id, k.ordinal, k.page, k.byte_start, k.byte_end, k.heading, k.text, d.path, d.collection_id";
constexpr const char* kSearchFts =
    "SELECT rowid, -bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ?1 ORDER BY rank LIMIT ?2";
// The same ranking over the first ?3 phrases of the query (fts_rank.h); the rest filter.
constexpr const char* kSearchFtsScoredPrefix =
    "SELECT rowid, -sb_bm25(chunks_fts, ?3) FROM chunks_fts WHERE chunks_fts MATCH ?1 "
    "ORDER BY sb_bm25(chunks_fts, ?3) LIMIT ?2";
constexpr const char* kCountMatches = "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?1";
constexpr const char* kCountChunks = "SELECT count(*) FROM chunks";
constexpr const char* kPutEmbedding =
    "INSERT OR REPLACE INTO embeddings (chunk_id, model, dim, vector) VALUES (?1, ?2, ?3, ?4)";
#define SB_WITHOUT_EMBEDDING                                                                       \
    "FROM chunks k JOIN documents d ON d.id = k.document_id "                                      \
    "WHERE (?2 = '[]' OR d.collection_id IN (SELECT value FROM json_each(?2))) "                  \
    "AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.model = ?1 AND e.chunk_id = k.id) "
constexpr const char* kWithoutEmbedding = "SELECT k.id, k.heading, k.text " SB_WITHOUT_EMBEDDING "ORDER BY k.id LIMIT ?3";
constexpr const char* kCountWithoutEmbedding = "SELECT count(*) " SB_WITHOUT_EMBEDDING;
#undef SB_WITHOUT_EMBEDDING
constexpr const char* kCountEmbeddings = "SELECT count(*) FROM embeddings WHERE model = ?1";
constexpr const char* kAnyEmbedding = "SELECT 1 FROM embeddings WHERE model = ?1 LIMIT 1";
constexpr const char* kLoadVectors =
    "SELECT e.chunk_id, d.collection_id, e.dim, e.vector FROM embeddings e "
    "JOIN chunks k ON k.id = e.chunk_id JOIN documents d ON d.id = k.document_id "
    "WHERE e.model = ?1 ORDER BY e.chunk_id";

void migrate_v1(Database& db) { db.exec(kSchemaV1); }

int64_t now_seconds()
{
    return static_cast<int64_t>(std::time(nullptr));
}

std::string json_ids(const std::vector<int64_t>& ids)
{
    std::string out = "[";
    for (std::size_t i = 0; i < ids.size(); ++i)
        out += (i ? "," : "") + std::to_string(ids[i]);
    return out + "]";
}

float dot(const float* a, const float* b, int n)
{
    // Sixteen running sums: the compiler turns the inner loop into vector multiply-adds.
    std::array<float, 16> acc{};
    int i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; ++j)
            acc[static_cast<std::size_t>(j)] += a[i + j] * b[i + j];
    float s = 0;
    for (float x : acc)
        s += x;
    for (; i < n; ++i)
        s += a[i] * b[i];
    return s;
}

void normalise(std::vector<float>& v)
{
    double sum = 0;
    for (float x : v)
        sum += static_cast<double>(x) * x;
    const double norm = std::sqrt(sum);
    if (norm > 0)
        for (float& x : v)
            x = static_cast<float>(x / norm);
}

Chunk read_chunk(Statement& st)
{
    Chunk c;
    c.id = st.column_int(0);
    c.document_id = st.column_int(1);
    c.ordinal = static_cast<int>(st.column_int(2));
    c.page = static_cast<int>(st.column_int(3));
    c.byte_start = st.column_int(4);
    c.byte_end = st.column_int(5);
    c.heading = st.column_text(6);
    c.text = st.column_text(7);
    c.path = st.column_text(8);
    return c;
}

KnowledgeDocument read_document(Statement& st)
{
    KnowledgeDocument d;
    d.id = st.column_int(0);
    d.collection_id = st.column_int(1);
    d.path = st.column_text(2);
    d.hash = st.column_text(3);
    d.mtime = st.column_int(4);
    d.size = st.column_int(5);
    d.type = st.column_text(6);
    d.pages = static_cast<int>(st.column_int(7));
    d.chunks = static_cast<int>(st.column_int(8));
    return d;
}

} // namespace

KnowledgeStore::KnowledgeStore(const std::string& path, bool read_only)
    : m_read_only(read_only), m_db(path, read_only ? Database::Mode::ReadOnly : Database::Mode::ReadWrite)
{
    // Searches read long doclists: map the file rather than copy it page by page.
    m_db.exec("PRAGMA mmap_size = 1073741824");
    register_fts_rank(m_db.handle());
    if (read_only) {
        if (m_db.user_version() != kSchemaVersion)
            throw Error(ErrorCode::Database, "database " + path + " is not a Seekbench knowledge store of version " +
                                                 std::to_string(kSchemaVersion));
        return;
    }
    {
        Statement tables(m_db, "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'");
        tables.step();
        if (tables.column_int(0) > 0 && m_db.user_version() == 0)
            throw Error(ErrorCode::Database, "database " + path + " holds other tables; it is not a knowledge store");
    } // the statement's read ends here: the switch to WAL cannot happen inside it
    m_db.use_wal();
    migrate(m_db, {migrate_v1});
}

int KnowledgeStore::schema_version() { return m_db.user_version(); }

int64_t KnowledgeStore::collection(const std::string& name, bool create)
{
    Statement find(m_db, kFindCollection);
    find.bind(1, std::string_view(name));
    if (find.step())
        return find.column_int(0);
    if (!create)
        return 0;
    Statement insert(m_db, kInsertCollection);
    insert.bind(1, std::string_view(name)).bind(2, now_seconds()).run();
    ++m_writes;
    return m_db.last_insert_rowid();
}

std::vector<Collection> KnowledgeStore::collections()
{
    std::vector<Collection> out;
    Statement st(m_db, kListCollections);
    while (st.step())
        out.push_back({st.column_int(0), st.column_text(1), st.column_int(2), static_cast<int>(st.column_int(3)),
                       static_cast<int>(st.column_int(4))});
    return out;
}

void KnowledgeStore::remove_collection(int64_t id)
{
    Transaction tx(m_db);
    Statement(m_db, kDeleteCollection).bind(1, id).run();
    tx.commit();
    ++m_writes;
}

std::optional<KnowledgeDocument> KnowledgeStore::document(int64_t collection_id, const std::string& path)
{
    Statement st(m_db, std::string("SELECT ") + kDocumentColumns +
                           " FROM documents d WHERE d.collection_id = ?1 AND d.path = ?2");
    st.bind(1, collection_id).bind(2, std::string_view(path));
    if (!st.step())
        return std::nullopt;
    return read_document(st);
}

std::vector<KnowledgeDocument> KnowledgeStore::documents(int64_t collection_id)
{
    std::vector<KnowledgeDocument> out;
    Statement st(m_db, std::string("SELECT ") + kDocumentColumns +
                           " FROM documents d WHERE d.collection_id = ?1 ORDER BY d.path");
    st.bind(1, collection_id);
    while (st.step())
        out.push_back(read_document(st));
    return out;
}

int64_t KnowledgeStore::put_document(int64_t collection_id, const KnowledgeDocument& doc,
                                     const std::vector<Chunk>& chunks)
{
    Transaction tx(m_db);
    Statement(m_db, kDeleteDocumentAt).bind(1, collection_id).bind(2, std::string_view(doc.path)).run();
    Statement insert(m_db, kInsertDocument);
    insert.bind(1, collection_id)
        .bind(2, std::string_view(doc.path))
        .bind(3, std::string_view(doc.hash))
        .bind(4, doc.mtime)
        .bind(5, doc.size)
        .bind(6, std::string_view(doc.type))
        .bind(7, static_cast<int64_t>(doc.pages))
        .bind(8, now_seconds())
        .run();
    const int64_t id = m_db.last_insert_rowid();
    Statement chunk(m_db, kInsertChunk), fts(m_db, kInsertFts);
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        const Chunk& c = chunks[i];
        chunk.bind(1, id)
            .bind(2, static_cast<int64_t>(i))
            .bind(3, static_cast<int64_t>(c.page))
            .bind(4, c.byte_start)
            .bind(5, c.byte_end)
            .bind(6, std::string_view(c.heading))
            .bind(7, std::string_view(c.text))
            .run();
        // The heading goes into the index with the text: a section's title is about its body.
        fts.bind(1, m_db.last_insert_rowid()).bind(2, std::string_view(fts_text(c.heading + "\n" + c.text))).run();
    }
    tx.commit();
    ++m_writes;
    return id;
}

void KnowledgeStore::remove_document(int64_t id)
{
    Transaction tx(m_db);
    Statement(m_db, kDeleteDocument).bind(1, id).run();
    tx.commit();
    ++m_writes;
}

void KnowledgeStore::set_mtime(int64_t document_id, int64_t mtime)
{
    Statement(m_db, kSetMtime).bind(1, document_id).bind(2, mtime).run();
    ++m_writes;
}

std::optional<Chunk> KnowledgeStore::chunk(int64_t id)
{
    Statement st(m_db, std::string("SELECT ") + kChunkColumns +
                           " FROM chunks k JOIN documents d ON d.id = k.document_id WHERE k.id = ?1");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    return read_chunk(st);
}

std::vector<Chunk> KnowledgeStore::chunks(int64_t document_id)
{
    std::vector<Chunk> out;
    Statement st(m_db, std::string("SELECT ") + kChunkColumns +
                           " FROM chunks k JOIN documents d ON d.id = k.document_id WHERE k.document_id = ?1 "
                           "ORDER BY k.ordinal");
    st.bind(1, document_id);
    while (st.step())
        out.push_back(read_chunk(st));
    return out;
}

std::vector<ChunkHit> KnowledgeStore::hits_for(const std::vector<std::pair<int64_t, double>>& ranked, bool bm25)
{
    std::vector<ChunkHit> out;
    Statement st(m_db, std::string("SELECT ") + kChunkColumns +
                           " FROM chunks k JOIN documents d ON d.id = k.document_id WHERE k.id = ?1");
    for (const auto& [id, score] : ranked) {
        st.reset();
        st.bind(1, id);
        if (!st.step())
            continue;
        ChunkHit hit;
        hit.chunk = read_chunk(st);
        hit.score = score;
        (bm25 ? hit.bm25_rank : hit.vector_rank) = static_cast<int>(out.size()) + 1;
        out.push_back(std::move(hit));
    }
    return out;
}

std::vector<std::pair<int64_t, double>> KnowledgeStore::fts_top(const char* sql, const std::string& match,
                                                                 int n_scored, const std::vector<int64_t>& collections,
                                                                 int limit)
{
    // FTS5 ranks fastest on its own table; the collections filter comes after, asking for
    // more rows while too few of them are in the collections.
    Statement in_collection(m_db, "SELECT d.collection_id FROM chunks k JOIN documents d ON d.id = k.document_id "
                                  "WHERE k.id = ?1");
    for (int want = collections.empty() ? limit : limit * 8;; want *= 8) {
        Statement st(m_db, sql);
        st.bind(1, std::string_view(match)).bind(2, static_cast<int64_t>(want));
        if (n_scored > 0)
            st.bind(3, static_cast<int64_t>(n_scored));
        std::vector<std::pair<int64_t, double>> ranked;
        int rows = 0;
        while (st.step()) {
            ++rows;
            const int64_t id = st.column_int(0);
            if (!collections.empty()) {
                in_collection.reset();
                in_collection.bind(1, id);
                if (!in_collection.step() || std::find(collections.begin(), collections.end(),
                                                       in_collection.column_int(0)) == collections.end())
                    continue;
            }
            if (static_cast<int>(ranked.size()) < limit)
                ranked.emplace_back(id, st.column_double(1));
        }
        if (static_cast<int>(ranked.size()) >= limit || rows < want)
            return ranked;
    }
}

std::vector<ChunkHit> KnowledgeStore::search_bm25(const std::string& query, const std::vector<int64_t>& collections,
                                                  int limit)
{
    const std::vector<std::string> terms = fts_terms(query);
    if (terms.empty() || limit <= 0)
        return {};
    // A word in thousands of chunks makes FTS5 score every one of them: MaxScore instead.
    // The chunks with a rare term (under 1/64 of the rows, or within twice the rarest term),
    // scored on every term by sb_bm25, give a k-th score theta that the final one can only
    // beat. Common terms whose most possible added score (idf * (k1 + 1) each, the most
    // common first) sums below theta cannot lift a chunk holding only them into the top k,
    // so only chunks with one of the other terms are scored, once more if that set grew.
    if (terms.size() >= 2) {
        const int64_t rows = row_count();
        std::vector<std::pair<int64_t, std::string>> by_hits; // (rows matched, term), rarest first
        for (const std::string& t : terms) {
            Statement count(m_db, kCountMatches);
            count.bind(1, std::string_view(t));
            count.step();
            by_hits.emplace_back(count.column_int(0), t);
        }
        std::sort(by_hits.begin(), by_hits.end());
        const int64_t rare_below = std::max(rows / 64, 2 * by_hits.front().first);
        std::size_t n_rare = 0;
        while (n_rare < by_hits.size() && by_hits[n_rare].first <= rare_below)
            ++n_rare;
        const auto scored_with = [&](std::size_t n_essential) {
            std::vector<std::string> essential;
            for (std::size_t i = 0; i < n_essential; ++i)
                essential.push_back(by_hits[i].second);
            return fts_top(kSearchFtsScoredPrefix, "(" + fts_or(terms) + ") AND (" + fts_or(essential) + ")",
                           static_cast<int>(terms.size()), collections, limit);
        };
        if (n_rare < by_hits.size()) {
            const auto first = scored_with(n_rare);
            if (static_cast<int>(first.size()) >= limit) {
                const double theta = first.back().second;
                std::size_t n_essential = by_hits.size();
                for (double bound = 0; n_essential > n_rare; --n_essential) {
                    bound += fts_max_term_score(rows, by_hits[n_essential - 1].first);
                    if (bound >= theta)
                        break;
                }
                if (n_essential == n_rare)
                    return hits_for(first, true);
                if (n_essential < by_hits.size())
                    return hits_for(scored_with(n_essential), true);
            }
        }
    }
    return hits_for(fts_top(kSearchFts, fts_or(terms), 0, collections, limit), true);
}

int64_t KnowledgeStore::row_count()
{
    const int64_t version = data_version();
    if (m_rows_version != version) {
        Statement st(m_db, kCountChunks);
        st.step();
        m_rows = st.column_int(0);
        m_rows_version = version;
    }
    return m_rows;
}

void KnowledgeStore::put_embeddings(const std::string& model,
                                    const std::vector<std::pair<int64_t, std::vector<float>>>& rows)
{
    Transaction tx(m_db);
    Statement st(m_db, kPutEmbedding);
    for (const auto& [id, vector] : rows) {
        std::vector<float> v = vector;
        normalise(v);
        st.bind(1, id)
            .bind(2, std::string_view(model))
            .bind(3, static_cast<int64_t>(v.size()))
            .bind_blob(4, v.data(), v.size() * sizeof(float))
            .run();
    }
    tx.commit();
    ++m_writes;
}

std::vector<std::pair<int64_t, std::string>> KnowledgeStore::chunks_without_embedding(
    const std::string& model, const std::vector<int64_t>& collections, int limit)
{
    std::vector<std::pair<int64_t, std::string>> out;
    Statement st(m_db, kWithoutEmbedding);
    st.bind(1, std::string_view(model)).bind(2, std::string_view(json_ids(collections))).bind(3, int64_t{limit});
    while (st.step()) {
        const std::string heading = st.column_text(1);
        out.emplace_back(st.column_int(0), heading.empty() ? st.column_text(2) : heading + "\n" + st.column_text(2));
    }
    return out;
}

int KnowledgeStore::count_without_embedding(const std::string& model, const std::vector<int64_t>& collections)
{
    Statement st(m_db, kCountWithoutEmbedding);
    st.bind(1, std::string_view(model)).bind(2, std::string_view(json_ids(collections)));
    st.step();
    return static_cast<int>(st.column_int(0));
}

int KnowledgeStore::embedding_count(const std::string& model)
{
    Statement st(m_db, kCountEmbeddings);
    st.bind(1, std::string_view(model));
    st.step();
    return static_cast<int>(st.column_int(0));
}

bool KnowledgeStore::has_embeddings(const std::string& model)
{
    Statement st(m_db, kAnyEmbedding);
    st.bind(1, std::string_view(model));
    return st.step();
}

int64_t KnowledgeStore::data_version()
{
    Statement st(m_db, "PRAGMA data_version");
    st.step();
    return (st.column_int(0) << 32) + m_writes;
}

const KnowledgeStore::VectorIndex& KnowledgeStore::vector_index(const std::string& model)
{
    VectorIndex& index = m_vectors[model];
    const int64_t version = data_version();
    if (index.version == version)
        return index;
    index = VectorIndex{};
    Statement st(m_db, kLoadVectors);
    st.bind(1, std::string_view(model));
    while (st.step()) {
        const int dim = static_cast<int>(st.column_int(2));
        const std::string_view blob = st.column_blob(3);
        if (index.dim == 0)
            index.dim = dim;
        if (dim != index.dim || blob.size() != static_cast<std::size_t>(dim) * sizeof(float))
            throw Error(ErrorCode::Database, "database " + m_db.path() + ": embedding of chunk " +
                                                 std::to_string(st.column_int(0)) + " for " + model +
                                                 " has the wrong size");
        index.chunk_ids.push_back(st.column_int(0));
        index.collection_ids.push_back(st.column_int(1));
        const std::size_t at = index.vectors.size();
        index.vectors.resize(at + static_cast<std::size_t>(dim));
        std::memcpy(index.vectors.data() + at, blob.data(), blob.size());
    }
    index.version = version;
    return index;
}

std::vector<ChunkHit> KnowledgeStore::search_vector(const std::string& model, const std::vector<float>& query,
                                                    const std::vector<int64_t>& collections, int limit)
{
    const VectorIndex& index = vector_index(model);
    if (index.chunk_ids.empty() || limit <= 0)
        return {};
    if (static_cast<int>(query.size()) != index.dim)
        throw Error(ErrorCode::InvalidArgument, "the query has " + std::to_string(query.size()) +
                                                    " dimensions, the stored embeddings of " + model + " " +
                                                    std::to_string(index.dim));
    std::vector<float> q = query;
    normalise(q);
    std::vector<std::pair<float, std::size_t>> scored;
    scored.reserve(index.chunk_ids.size());
    for (std::size_t i = 0; i < index.chunk_ids.size(); ++i) {
        if (!collections.empty() &&
            std::find(collections.begin(), collections.end(), index.collection_ids[i]) == collections.end())
            continue;
        scored.emplace_back(dot(q.data(), index.vectors.data() + i * static_cast<std::size_t>(index.dim), index.dim),
                            i);
    }
    const std::size_t keep = std::min(scored.size(), static_cast<std::size_t>(limit));
    std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(keep), scored.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<std::pair<int64_t, double>> ranked;
    for (std::size_t i = 0; i < keep; ++i)
        ranked.emplace_back(index.chunk_ids[scored[i].second], scored[i].first);
    return hits_for(ranked, false);
}

std::vector<ChunkHit> fuse_rrf(const std::vector<ChunkHit>& bm25, const std::vector<ChunkHit>& vector, int limit, int k)
{
    std::vector<ChunkHit> out;
    auto add = [&](const std::vector<ChunkHit>& list, bool is_bm25) {
        for (std::size_t r = 0; r < list.size(); ++r) {
            auto it = std::find_if(out.begin(), out.end(),
                                   [&](const ChunkHit& h) { return h.chunk.id == list[r].chunk.id; });
            if (it == out.end()) {
                out.push_back(list[r]);
                it = out.end() - 1;
                it->score = 0;
                it->bm25_rank = it->vector_rank = 0;
            }
            it->score += 1.0 / (k + static_cast<double>(r) + 1);
            (is_bm25 ? it->bm25_rank : it->vector_rank) = static_cast<int>(r) + 1;
        }
    };
    add(bm25, true);
    add(vector, false);
    // Equal scores (one list each, the same rank) keep a fixed order: the lower chunk id first.
    std::stable_sort(out.begin(), out.end(), [](const ChunkHit& a, const ChunkHit& b) {
        if (a.score != b.score)
            return a.score > b.score;
        return a.chunk.id < b.chunk.id;
    });
    if (static_cast<int>(out.size()) > limit)
        out.resize(static_cast<std::size_t>(limit));
    return out;
}

} // namespace seekbench::storage
