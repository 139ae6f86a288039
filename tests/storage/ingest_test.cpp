// Ingestion on real files: every type of a small folder (a PDF made here, page numbers
// kept), bad files reported and skipped, incremental runs (unchanged, changed, deleted),
// spans that select the chunk's text in the file, cancelling, and a writer killed with
// SIGKILL 20 times that loses no document it had committed.
#include "pdfmaker.h"

#include "storage/ingest.h"
#include "killharness.h"

#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <fstream>
#include <random>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

using namespace seekbench::storage;

namespace {

void write(const QString& path, const std::string& bytes)
{
    std::ofstream(path.toStdString(), std::ios::binary) << bytes;
}

std::string read(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::set<std::string> failed_names(const IngestReport& r)
{
    std::set<std::string> out;
    for (const auto& f : r.failures)
        out.insert(f.path.substr(f.path.rfind('/') + 1));
    return out;
}

} // namespace

class IngestTest : public QObject {
    Q_OBJECT
private slots:
    void folderOfEveryType()
    {
        QTemporaryDir dir;
        QDir(dir.path()).mkpath(QStringLiteral("docs/.git"));
        const QString d = dir.filePath(QStringLiteral("docs"));
        write(d + "/guide.md", "# Guide\n\nInstall with apt.\n\n## Use\n\nRun seekbench.\n");
        write(d + "/notes.txt", "Plain notes about kettles.\n");
        write(d + "/tool.py", "import os\n\n\ndef boil(kettle):\n    return kettle.heat()\n");
        write(d + "/page.html", "<h1>Page</h1><p>Tea &amp; kettles.</p>");
        write(d + "/paper.pdf", make_pdf({{"First page about kettles."}, {"Second page about tea."}}));
        write(d + "/broken.pdf", "%PDF-1.4\nthis is not really a pdf\n");
        write(d + "/blob.txt", std::string("\x7f" "ELF\0\0\0binary", 13));
        write(d + "/latin1.txt", "caf\xe9 au lait\n");
        write(d + "/photo.jpg", "not taken from a folder");
        write(d + "/.git/config", "[core]\n");
        KnowledgeStore store(":memory:");
        const int64_t c = store.collection("docs");
        std::vector<IngestProgress> seen;
        IngestOptions options;
        options.progress = [&](const IngestProgress& p) { seen.push_back(p); };
        const IngestReport r = ingest(store, c, {d.toStdString()}, options);
        QCOMPARE(r.added, 5);
        QCOMPARE(r.failed, 3);
        QCOMPARE(failed_names(r), (std::set<std::string>{"broken.pdf", "blob.txt", "latin1.txt"}));
        for (const auto& f : r.failures)
            qInfo("reported: %s: %s", f.path.c_str(), f.reason.c_str());
        QCOMPARE(static_cast<int>(seen.size()), 8);
        QCOMPARE(seen.back().done, 8);
        QCOMPARE(seen.back().total, 8);

        // Page numbers, and spans that select each chunk's text in its file.
        const auto hits = store.search_bm25("tea", {}, 10);
        QCOMPARE(hits.size(), std::size_t(2));
        for (const auto& doc : store.documents(c)) {
            for (const auto& chunk : store.chunks(doc.id)) {
                if (doc.type == "pdf") {
                    QVERIFY(chunk.page == 1 || chunk.page == 2);
                    QCOMPARE(doc.pages, 2);
                    continue;
                }
                if (doc.type == "html")
                    continue; // the span holds the markup around the text (chunker_test)
                QCOMPARE(read(doc.path).substr(static_cast<std::size_t>(chunk.byte_start),
                                               static_cast<std::size_t>(chunk.byte_end - chunk.byte_start)),
                         chunk.text);
            }
        }
        const auto pdf = store.search_bm25("second page", {}, 1);
        QCOMPARE(pdf.size(), std::size_t(1));
        QCOMPARE(pdf[0].chunk.page, 2);
        QVERIFY(pdf[0].chunk.path.ends_with("paper.pdf"));
    }

    void incrementalRuns()
    {
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a.md")), b = dir.filePath(QStringLiteral("b.txt")),
                      gone = dir.filePath(QStringLiteral("gone.txt"));
        write(a, "# A\n\nfirst version\n");
        write(b, "bravo\n");
        write(gone, "soon deleted\n");
        KnowledgeStore store(":memory:");
        const int64_t c = store.collection("c");
        QCOMPARE(ingest(store, c, {dir.path().toStdString()}).added, 3);

        const IngestReport same = ingest(store, c, {dir.path().toStdString()});
        QCOMPARE(same.unchanged, 3);
        QCOMPARE(same.added + same.updated + same.removed, 0);

        write(a, "# A\n\nsecond version\n");
        QFile::remove(gone);
        const IngestReport changed = ingest(store, c, {dir.path().toStdString()});
        QCOMPARE(changed.updated, 1);
        QCOMPARE(changed.unchanged, 1);
        QCOMPARE(changed.removed, 1);
        QVERIFY(store.search_bm25("first", {}, 5).empty());
        QCOMPARE(store.search_bm25("second", {}, 5).size(), std::size_t(1));
        QVERIFY(store.search_bm25("deleted", {}, 5).empty());
        QCOMPARE(store.documents(c).size(), std::size_t(2));

        // Touched, not changed: the hash says so and the chunks stay.
        const auto before = store.document(c, b.toStdString())->id;
        QFile f(b);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.setFileTime(QDateTime::currentDateTime().addSecs(100), QFileDevice::FileModificationTime));
        f.close();
        QCOMPARE(ingest(store, c, {b.toStdString()}).unchanged, 1);
        QCOMPARE(store.document(c, b.toStdString())->id, before);
    }

    void cancelStopsBeforeTheNextFile()
    {
        QTemporaryDir dir;
        for (int i = 0; i < 10; ++i)
            write(dir.filePath(QStringLiteral("f%1.txt").arg(i)), "file " + std::to_string(i) + "\n");
        KnowledgeStore store(":memory:");
        const int64_t c = store.collection("c");
        int done = 0;
        IngestOptions options;
        options.progress = [&](const IngestProgress& p) { done = p.done; };
        options.cancelled = [&] { return done >= 4; };
        const IngestReport r = ingest(store, c, {dir.path().toStdString()}, options);
        QVERIFY(r.cancelled);
        QCOMPARE(r.added, 4);
        QCOMPARE(store.documents(c).size(), std::size_t(4));
        QCOMPARE(ingest(store, c, {dir.path().toStdString()}).added, 6); // the next run resumes
    }

    // A child ingests a folder and reports each committed document; the parent kills it at a
    // random moment, 30 times (most of them mid-run: 3,000 files take longer than 30 rounds),
    // then checks the file and that every reported document is there whole. A last run
    // completes the collection.
    void survivesKill9()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("files"));
        QDir().mkpath(folder);
        std::mt19937 rng(7);
        for (int i = 0; i < 3000; ++i) {
            std::string text;
            for (int p = 0; p < 12; ++p)
                text += "Paragraph " + std::to_string(p) + " of file " + std::to_string(i) + ": the kettle number " +
                        std::to_string(rng() % 1000) + " boils water for tea and more tea.\n\n";
            write(folder + QStringLiteral("/f%1.md").arg(i, 4, 10, QLatin1Char('0')), "# File\n\n" + text);
        }
        const std::string path = dir.filePath(QStringLiteral("k.db")).toStdString();
        { KnowledgeStore s(path); s.collection("c"); }
        std::map<std::string, int> committed; // path -> chunks
        const auto rounds = seekbench::test::kill_repeatedly(30, rng, 20, 120, [&](int, const auto& report) {
            KnowledgeStore s(path);
            IngestOptions options;
            options.progress = [&](const IngestProgress& p) {
                if (p.outcome == "added" || p.outcome == "updated")
                    report(std::to_string(p.chunks) + " " + p.path);
            };
            ingest(s, s.collection("c"), {folder.toStdString()}, options);
        }, seekbench::test::KillFrom::FirstReport);
        const int killedMidRun = rounds.killed;
        for (const auto& lines : rounds.reported)
            for (const std::string& line : lines) {
                const std::size_t space = line.find(' ');
                committed[line.substr(space + 1)] = std::stoi(line.substr(0, space));
            }
        KnowledgeStore s(path);
        Statement check(s.database(), "PRAGMA integrity_check");
        QVERIFY(check.step());
        QCOMPARE(check.column_text(0), std::string("ok"));
        Statement fts(s.database(), "INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check')");
        fts.run();
        const int64_t c = s.collection("c");
        QVERIFY(!committed.empty());
        for (const auto& [file, chunks] : committed) {
            const auto doc = s.document(c, file);
            QVERIFY2(doc.has_value(), file.c_str());
            QCOMPARE(doc->chunks, chunks);
        }
        const IngestReport last = ingest(s, c, {folder.toStdString()});
        QCOMPARE(last.unchanged + last.added, 3000);
        QVERIFY2(killedMidRun >= 10, qPrintable(QStringLiteral("only %1 kills hit a running writer").arg(killedMidRun)));
        QVERIFY(last.unchanged >= static_cast<int>(committed.size()));
        qInfo("%zu documents committed before 30 kills (%d mid-run), all present; the last run added %d",
              committed.size(), killedMidRun, last.added);
    }
};

QTEST_GUILESS_MAIN(IngestTest)
#include "ingest_test.moc"
