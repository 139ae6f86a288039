// seekbench-cli ingest and query as a script runs them: BM25 alone, then with an embedding
// model (a synth bert written by `synth`): chunks embedded at ingestion, hybrid results
// with their scores, a query latency report, and the errors for a model that cannot embed.
#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

namespace {

struct Run {
    int code = -1;
    QString out, err;
};

Run cli(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(SEEKBENCH_CLI), args);
    p.waitForFinished(120000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

} // namespace

class CliKnowledgeTest : public QObject {
    Q_OBJECT
private slots:
    void ingestAndQueryWithEmbeddings()
    {
        QTemporaryDir dir;
        const QString docs = dir.filePath(QStringLiteral("docs"));
        QDir().mkpath(docs);
        std::ofstream((docs + QStringLiteral("/kettle.md")).toStdString())
            << "# Kettles\n\nA kettle boils water.\n\n## Descaling\n\nVinegar removes limescale from a kettle.\n";
        std::ofstream((docs + QStringLiteral("/tea.md")).toStdString()) << "# Tea\n\nGreen tea wants water at 80 degrees.\n";
        const QString db = dir.filePath(QStringLiteral("kb.db")), bert = dir.filePath(QStringLiteral("bert.gguf")),
                      llama = dir.filePath(QStringLiteral("llama.gguf"));
        QCOMPARE(cli({"synth", "--preset", "bert-tiny", "--type", "q8_0", "-o", bert}).code, 0);
        QCOMPARE(cli({"synth", "--preset", "llama-tiny", "--type", "q8_0", "-o", llama}).code, 0);

        Run r = cli({"ingest", "--db", db, docs});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("2 added")), qPrintable(r.out));
        r = cli({"query", "--db", db, "--embed-model", bert, "limescale"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.contains(QStringLiteral("has embedded nothing here yet")), qPrintable(r.err));

        // Re-ingesting with the model embeds the chunks that have no embedding yet.
        r = cli({"ingest", "--db", db, "--embed-model", bert, docs});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("2 unchanged")) && r.out.contains(QStringLiteral("chunks embedded with bert.gguf")),
                 qPrintable(r.out));
        r = cli({"query", "--db", db, "--embed-model", bert, "-k", "3", "limescale kettle"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.contains(QStringLiteral("hybrid")), qPrintable(r.err));
        const QStringList lines = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines.front().startsWith(QStringLiteral("1\t")) && lines.front().contains(QStringLiteral("kettle.md")),
                 qPrintable(r.out));

        const QString queries = dir.filePath(QStringLiteral("queries.txt"));
        std::ofstream(queries.toStdString()) << "kettle\ntea water\nlimescale\n";
        r = cli({"query", "--db", db, "--embed-model", bert, "--latency", queries});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith(QStringLiteral("hybrid: 3 queries")) && r.out.contains(QStringLiteral("query embedding")),
                 qPrintable(r.out));

        // A chat model cannot embed: the error says so, and nothing is written.
        r = cli({"ingest", "--db", db, "--embed-model", llama, docs});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("not an embedding model")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(CliKnowledgeTest)
#include "cli_knowledge_test.moc"
