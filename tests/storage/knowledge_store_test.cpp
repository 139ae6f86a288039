// The knowledge store on real SQLite: BM25 in English (stemmed) and Chinese (inside words),
// collections as filters, replacing and removing documents (index entries go with them),
// cosine search, reciprocal-rank fusion on a hand-made case, and a file that is not ours.
#include "engine/error.h"
#include "storage/knowledge_store.h"

#include <QTemporaryDir>
#include <fstream>
#include <sqlite3.h>
#include <cmath>
#include <QTest>

using namespace seekbench::storage;

namespace {

Chunk chunk(const std::string& text, const std::string& heading = "")
{
    Chunk c;
    c.text = text;
    c.heading = heading;
    c.byte_end = static_cast<int64_t>(text.size());
    return c;
}

KnowledgeDocument doc(const std::string& path)
{
    KnowledgeDocument d;
    d.path = path;
    d.hash = content_hash(path);
    d.type = "text";
    return d;
}

std::vector<std::string> paths(const std::vector<ChunkHit>& hits)
{
    std::vector<std::string> out;
    for (const auto& h : hits)
        out.push_back(h.chunk.path);
    return out;
}

} // namespace

class KnowledgeStoreTest : public QObject {
    Q_OBJECT
private slots:
    void englishIsStemmedAndRanked()
    {
        KnowledgeStore s(":memory:");
        const int64_t c = s.collection("docs");
        s.put_document(c, doc("/fox.txt"), {chunk("The quick brown fox jumps over the lazy dog.")});
        s.put_document(c, doc("/db.txt"), {chunk("Databases store rows in tables; a fox is not a table.")});
        s.put_document(c, doc("/other.txt"), {chunk("Nothing to see here.")});
        const auto hits = s.search_bm25("Which foxes were jumping?", {}, 10);
        QCOMPARE(paths(hits), (std::vector<std::string>{"/fox.txt", "/db.txt"}));
        QVERIFY(hits[0].score > hits[1].score);
        QCOMPARE(hits[0].bm25_rank, 1);
        QVERIFY(s.search_bm25("the of is", {}, 10).empty()); // only common words: no query
    }

    void chineseMatchesInsideWords()
    {
        KnowledgeStore s(":memory:");
        const int64_t c = s.collection("zh");
        s.put_document(c, doc("/a.txt"), {chunk("深度求索是一家研究人工智能的公司。")});
        s.put_document(c, doc("/b.txt"), {chunk("今天天气很好，我们去公园散步。")});
        QCOMPARE(paths(s.search_bm25("人工智能", {}, 5)), std::vector<std::string>{"/a.txt"});
        QCOMPARE(paths(s.search_bm25("什么公司研究智能？", {}, 5)), std::vector<std::string>{"/a.txt"});
        QCOMPARE(paths(s.search_bm25("公园", {}, 5)), std::vector<std::string>{"/b.txt"});
        QCOMPARE(fts_query("深度 search"), std::string("\"深 度\" OR \"search\""));
    }

    void collectionsFilter()
    {
        KnowledgeStore s(":memory:");
        const int64_t a = s.collection("a"), b = s.collection("b");
        QCOMPARE(s.collection("a"), a);
        QCOMPARE(s.collection("missing", false), int64_t(0));
        for (int i = 0; i < 30; ++i)
            s.put_document(a, doc("/a" + std::to_string(i)), {chunk("shared word kettle " + std::to_string(i))});
        s.put_document(b, doc("/b"), {chunk("kettle")});
        QCOMPARE(paths(s.search_bm25("kettle", {b}, 5)), std::vector<std::string>{"/b"});
        QCOMPARE(s.search_bm25("kettle", {a}, 5).size(), std::size_t(5));
        const auto cols = s.collections();
        QCOMPARE(cols.size(), std::size_t(2));
        QCOMPARE(cols[0].documents, 30);
        s.remove_collection(a);
        QCOMPARE(paths(s.search_bm25("kettle", {}, 50)), std::vector<std::string>{"/b"});
    }

    void replacingAndRemovingKeepsTheIndexInStep()
    {
        KnowledgeStore s(":memory:");
        const int64_t c = s.collection("c");
        s.put_document(c, doc("/x"), {chunk("alpha beta"), chunk("gamma")});
        QCOMPARE(s.search_bm25("alpha", {}, 5).size(), std::size_t(1));
        const int64_t id = s.put_document(c, doc("/x"), {chunk("delta")});
        QVERIFY(s.search_bm25("alpha", {}, 5).empty());
        QCOMPARE(s.search_bm25("delta", {}, 5).size(), std::size_t(1));
        QCOMPARE(s.documents(c).size(), std::size_t(1));
        QCOMPARE(s.chunks(id).size(), std::size_t(1));
        s.remove_document(id);
        QVERIFY(s.search_bm25("delta", {}, 5).empty());
        Statement left(s.database(), "SELECT count(*) FROM chunks");
        left.step();
        QCOMPARE(left.column_int(0), int64_t(0));
    }

    // Queries that mix a word in half the chunks with rarer ones take the pruned paths (rows
    // with a rare word scored on every word, then with the common words that could still
    // matter); the top k must equal the plain OR query's with FTS5's own bm25 on every path.
    void prunedRankingEqualsPlainBm25()
    {
        KnowledgeStore s(":memory:");
        const int64_t c = s.collection("c");
        const char* rare[] = {"quartz", "zephyr", "nimbus", "falcon", "tundra", "orchid", "cobalt", "saffron"};
        for (int d = 0; d < 300; ++d) {
            std::vector<Chunk> chunks;
            for (int k = 0; k < 10; ++k) {
                const int n = d * 10 + k;
                std::string text = "chunk " + std::to_string(n);
                if (n % 2 == 0)
                    text += " common words appear here often, common as can be";
                if (n % 3 == 0)
                    text += " frequent";
                for (int r = 0; r < 8; ++r)
                    if (n % (37 + r * 53) == r)
                        text += std::string(" ") + rare[r] + (n % 5 == 0 ? std::string(" ") + rare[r] : "");
                chunks.push_back(chunk(text));
            }
            s.put_document(c, doc("/d" + std::to_string(d)), chunks);
        }
        const char* queries[] = {"common quartz", "common frequent zephyr nimbus", "frequent falcon",
                                 "common tundra orchid cobalt saffron", "common frequent", "quartz zephyr",
                                 "common unheardof", "frequent saffron quartz falcon"};
        for (const char* q : queries) {
            for (int limit : {3, 10, 40}) {
                const auto hits = s.search_bm25(q, {}, limit);
                Statement plain(s.database(), "SELECT rowid, -bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts "
                                              "MATCH ?1 ORDER BY rank LIMIT ?2");
                plain.bind(1, std::string_view(fts_query(q))).bind(2, static_cast<int64_t>(limit));
                std::vector<double> want;
                while (plain.step())
                    want.push_back(plain.column_double(1));
                QCOMPARE(hits.size(), want.size());
                for (std::size_t i = 0; i < hits.size(); ++i)
                    QVERIFY2(std::abs(hits[i].score - want[i]) < 1e-9,
                             qPrintable(QStringLiteral("%1, top %2, rank %3: %4 vs %5")
                                            .arg(q).arg(limit).arg(i + 1).arg(hits[i].score).arg(want[i])));
            }
        }
    }

    void cosineScanFindsTheNearest()
    {
        KnowledgeStore s(":memory:");
        const int64_t c = s.collection("v");
        const int64_t d = s.put_document(c, doc("/v"), {chunk("one"), chunk("two"), chunk("three")});
        const auto ids = s.chunks(d);
        // 40 dimensions: the scan's 16-wide body and its tail both count.
        auto vec = [](float a, float b) {
            std::vector<float> v(40, 0.f);
            v[0] = a;
            v[39] = b;
            return v;
        };
        s.put_embeddings("m.gguf", {{ids[0].id, vec(1, 0)}, {ids[1].id, vec(0, 2)}, {ids[2].id, vec(1, 1)}});
        QCOMPARE(s.embedding_count("m.gguf"), 3);
        const auto hits = s.search_vector("m.gguf", vec(0.1f, 1), {}, 3);
        QCOMPARE(hits.size(), std::size_t(3));
        QCOMPARE(hits[0].chunk.text, std::string("two"));
        QCOMPARE(hits[1].chunk.text, std::string("three"));
        QVERIFY(qAbs(hits[0].score - 1 / std::sqrt(1.01)) < 1e-6);
        QCOMPARE(s.chunks_without_embedding("m.gguf", {}, 10).size(), std::size_t(0));
        QCOMPARE(s.chunks_without_embedding("other.gguf", {}, 10).size(), std::size_t(3));
        QCOMPARE(s.count_without_embedding("m.gguf", {}), 0);
        QCOMPARE(s.count_without_embedding("other.gguf", {}), 3);
        QVERIFY(s.has_embeddings("m.gguf") && !s.has_embeddings("other.gguf"));
        // A new document's chunks show up in the next scan.
        const int64_t d2 = s.put_document(c, doc("/w"), {chunk("four")});
        s.put_embeddings("m.gguf", {{s.chunks(d2)[0].id, vec(0.2f, 1)}});
        QCOMPARE(s.search_vector("m.gguf", vec(0, 1), {}, 1)[0].chunk.text, std::string("two"));
        QCOMPARE(s.search_vector("m.gguf", vec(0, 1), {}, 2)[1].chunk.text, std::string("four"));
        QVERIFY_THROWS_EXCEPTION(seekbench::Error, s.search_vector("m.gguf", std::vector<float>(3, 1.f), {}, 1));
    }

    void reciprocalRankFusionOrder()
    {
        auto hit = [](int64_t id) {
            ChunkHit h;
            h.chunk.id = id;
            return h;
        };
        // BM25: A B C; vectors: C A D. A = 1/61 + 1/62, C = 1/63 + 1/61, B = 1/62, D = 1/63.
        const auto fused = fuse_rrf({hit(1), hit(2), hit(3)}, {hit(3), hit(1), hit(4)}, 10);
        std::vector<int64_t> order;
        for (const auto& h : fused)
            order.push_back(h.chunk.id);
        QCOMPARE(order, (std::vector<int64_t>{1, 3, 2, 4}));
        QVERIFY(qAbs(fused[0].score - (1.0 / 61 + 1.0 / 62)) < 1e-12);
        QCOMPARE(fused[1].bm25_rank, 3);
        QCOMPARE(fused[1].vector_rank, 1);
        QCOMPARE(fused[3].bm25_rank, 0);
        QCOMPARE(fuse_rrf({hit(1), hit(2)}, {}, 1).size(), std::size_t(1));
    }

    void refusesAForeignDatabase()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("other.db")).toStdString();
        sqlite3* raw = nullptr;
        QCOMPARE(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
        QCOMPARE(sqlite3_exec(raw, "CREATE TABLE notes (x)", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(raw);
        const auto bytes = [&] {
            std::ifstream in(path, std::ios::binary);
            return std::string(std::istreambuf_iterator<char>(in), {});
        };
        const std::string before = bytes();
        QVERIFY_THROWS_EXCEPTION(seekbench::Error, KnowledgeStore{path});
        QCOMPARE(bytes(), before); // not even the switch to WAL
        { KnowledgeStore s(dir.filePath(QStringLiteral("k.db")).toStdString()); QCOMPARE(s.schema_version(), 1); }
        KnowledgeStore again(dir.filePath(QStringLiteral("k.db")).toStdString(), true);
        QCOMPARE(again.schema_version(), KnowledgeStore::kSchemaVersion);
    }
};

QTEST_GUILESS_MAIN(KnowledgeStoreTest)
#include "knowledge_store_test.moc"
