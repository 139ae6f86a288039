// Runs the real `seekbench --self-test DIR` as a user would and checks its pictures: one
// per panel plus the window and dialogs, each a real rendering (not blank), exit code 0.
// Also: a self-test that cannot write its folder fails with a reason, and so does one whose
// conversation store is corrupt (the app then keeps chats in memory only).
#include "../storage/killharness.h"
#include "storage/conversation_store.h"
#include "storage/ingest.h"
#include "storage/knowledge_store.h"

#include <QDir>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <random>

namespace {
// Distinct colours in a sparse sample: a blank or single-colour picture has 1 or 2.
int distinctColours(const QImage& image)
{
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 7)
        for (int x = 0; x < image.width(); x += 7)
            colours.insert(image.pixel(x, y));
    return int(colours.size());
}

QProcessEnvironment offscreen()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    return env;
}
} // namespace

class SelfTestTest : public QObject {
    Q_OBJECT
private slots:
    void writesOnePicturePerPanel()
    {
        QTemporaryDir data, out;
        QProcess app;
        app.setProcessEnvironment(offscreen());
        app.start(QStringLiteral(SEEKBENCH_APP),
                  {QStringLiteral("--data-dir"), data.path(), QStringLiteral("--self-test"),
                   out.path() + QStringLiteral("/shots")});
        QVERIFY(app.waitForFinished(120000));
        const QByteArray log = app.readAllStandardOutput() + app.readAllStandardError();
        QVERIFY2(app.exitStatus() == QProcess::NormalExit && app.exitCode() == 0, log.constData());
        QVERIFY2(log.contains("self-test: passed"), log.constData());

        const QStringList expected{"window",   "chat",     "conversations", "code",          "attention",
                                   "routing",  "knowledge", "models",      "settings",      "about",         "welcome", "shortcuts", "guide",
                                   "code-completion", "code-findings", "code-tests", "knowledge-search",
                                   "knowledge-source", "knowledge-chat", "knowledge-citation"};
        for (const QString& name : expected) {
            const QImage image(out.path() + QStringLiteral("/shots/") + name + QStringLiteral(".png"));
            QVERIFY2(!image.isNull(), qPrintable(name));
            QVERIFY2(image.width() >= 100 && image.height() >= 50, qPrintable(name));
            QVERIFY2(distinctColours(image) > 3, qPrintable(name + QStringLiteral(" looks blank")));
        }
        const QImage window(out.path() + QStringLiteral("/shots/window.png"));
        QVERIFY(window.width() >= 1000);
        // The user guide's pictures are this self-test's (./packaging/dev.sh guide): each one
        // is still made, at the same size, so a panel that changed shape is noticed here.
        const QDir guide(QStringLiteral(SEEKBENCH_GUIDE_IMAGES));
        const QStringList guidePictures = guide.entryList({QStringLiteral("*.png")}, QDir::Files);
        QVERIFY(guidePictures.size() >= 15);
        for (const QString& file : guidePictures) {
            const QImage made(out.path() + QStringLiteral("/shots/") + file);
            QVERIFY2(!made.isNull(), qPrintable(file + QStringLiteral(": the self-test no longer makes it")));
            QVERIFY2(made.size() == QImage(guide.filePath(file)).size(),
                     qPrintable(file + QStringLiteral(" changed size: run ./packaging/dev.sh guide")));
        }
        // The dark and high-contrast pictures are the same window on a dark ground.
        for (const char* name : {"window-dark", "window-high-contrast"}) {
            const QImage themed(out.path() + QStringLiteral("/shots/") + QLatin1String(name) + QStringLiteral(".png"));
            QVERIFY2(themed.size() == window.size(), name);
            QVERIFY2(themed.pixelColor(themed.width() / 2, themed.height() - 40).lightness() < 90, name);
        }
    }

    // The whole self-test in Chinese (it checks its steps by state, not by English text), as
    // ./packaging/dev.sh guide runs it for the guide's Chinese pictures.
    void passesInChinese()
    {
        QTemporaryDir data, out;
        QProcess app;
        app.setProcessEnvironment(offscreen());
        app.start(QStringLiteral(SEEKBENCH_APP), {QStringLiteral("--lang"), QStringLiteral("zh_CN"),
                                                  QStringLiteral("--data-dir"), data.path(),
                                                  QStringLiteral("--self-test"), out.path()});
        QVERIFY(app.waitForFinished(120000));
        const QByteArray log = app.readAllStandardOutput() + app.readAllStandardError();
        QVERIFY2(app.exitStatus() == QProcess::NormalExit && app.exitCode() == 0, log.constData());
        QVERIFY2(log.contains("self-test: passed"), log.constData());
        QVERIFY(!QImage(out.filePath(QStringLiteral("knowledge-hybrid.png"))).isNull());
    }

    // --stream-bench with the built-in model: the app's replies and the CLI's, and a summary
    // a user can compare (figures are for the benchmark, not checked here).
    void streamBenchPrintsBothSides()
    {
        QTemporaryDir data;
        QProcess app;
        app.setProcessEnvironment(offscreen());
        app.start(QStringLiteral(SEEKBENCH_APP), {QStringLiteral("--data-dir"), data.path(),
                                                  QStringLiteral("--stream-bench"), QStringLiteral("1")});
        QVERIFY(app.waitForFinished(120000));
        const QByteArray log = app.readAllStandardOutput() + app.readAllStandardError();
        QVERIFY2(app.exitStatus() == QProcess::NormalExit && app.exitCode() == 0, log.constData());
        for (const char* line : {"stream-bench: app, docks closed:", "stream-bench: app, docks open:",
                                 "stream-bench: seekbench-cli chat:", "medians of 1: app"})
            QVERIFY2(log.contains(line), log.constData());
    }

    // With a model, the self-test chats once; the turn is in the conversation database.
    void chatsWithTheModelAndStoresTheTurn()
    {
        const QString model = QStringLiteral(SEEKBENCH_SHARED_DIR "/models/stories260K/stories260K.gguf");
        if (!QFile::exists(model))
            QSKIP("../shared/models is not beside the repository");
        QTemporaryDir data, out;
        QProcess app;
        app.setProcessEnvironment(offscreen());
        app.start(QStringLiteral(SEEKBENCH_APP), {QStringLiteral("--data-dir"), data.path(), QStringLiteral("--model"),
                                                  model, QStringLiteral("--self-test"), out.path()});
        QVERIFY(app.waitForFinished(120000));
        const QByteArray log = app.readAllStandardOutput() + app.readAllStandardError();
        QVERIFY2(app.exitCode() == 0, log.constData());
        QVERIFY2(log.contains("self-test: reply streamed"), log.constData());

        seekbench::storage::ConversationStore store(data.filePath(QStringLiteral("conversations.db")).toStdString(), true);
        // The story (and the tests the Code panel asked for), then a question from the knowledge
        // collection in a conversation of its own, answered with its sources.
        const auto conversations = store.conversations();
        QCOMPARE(conversations.size(), std::size_t(2));
        QCOMPARE(conversations[0].knowledge, std::string(R"(["Home"])"));
        const auto asked = store.branch(conversations[0].id);
        QCOMPARE(asked.size(), std::size_t(2));
        QVERIFY(asked[0].sources.find("kettle.md") != std::string::npos);
        const auto messages = store.branch(conversations[1].id);
        // The story, then the tests the Code panel asked for (stories260K has no FIM tokens,
        // so no completion was offered).
        QVERIFY2(log.contains("no completion to show"), log.constData());
        QCOMPARE(messages.size(), std::size_t(4));
        QCOMPARE(messages[0].content, std::string("Tell me a story."));
        QCOMPARE(messages[1].role, std::string("assistant"));
        QCOMPARE(messages[2].role, std::string("user"));
        QVERIFY(messages[2].content.find("join_all") != std::string::npos || messages[2].content.find("area") != std::string::npos);
        QVERIFY(messages[1].content.size() > 20);
        QVERIFY(messages[1].generated_tokens > 0);
        const QImage chat(out.filePath(QStringLiteral("chat.png")));
        QVERIFY(distinctColours(chat) > 3);
    }

    void failsWithReasonWhenFolderIsUnwritable()
    {
        QTemporaryDir data;
        QProcess app;
        app.setProcessEnvironment(offscreen());
        app.start(QStringLiteral(SEEKBENCH_APP),
                  {QStringLiteral("--data-dir"), data.path(), QStringLiteral("--self-test"),
                   QStringLiteral("/proc/seekbench-cannot-write-here")});
        QVERIFY(app.waitForFinished(120000));
        QCOMPARE(app.exitCode(), 1);
        QVERIFY(app.readAllStandardError().contains("self-test FAILED"));
    }

    void failsWhenConversationsCannotBeSaved()
    {
        QTemporaryDir data, out;
        QFile db(data.filePath(QStringLiteral("conversations.db")));
        QVERIFY(db.open(QIODevice::WriteOnly));
        db.write(QByteArray("SQLite format 3") + QByteArray(4096, '\x5a')); // a corrupt database
        db.close();
        QProcess app;
        app.setProcessEnvironment(offscreen());
        app.start(QStringLiteral(SEEKBENCH_APP),
                  {QStringLiteral("--data-dir"), data.path(), QStringLiteral("--self-test"), out.path()});
        QVERIFY(app.waitForFinished(300000));
        QCOMPARE(app.exitCode(), 1);
        const QByteArray err = app.readAllStandardError();
        QVERIFY2(err.contains("self-test FAILED: conversations are not being saved"), err.constData());
    }

    // The app reopens its stores after writers were killed mid-write: conversations (as
    // replies are saved) and knowledge ingestion, 10 kills each, then the whole self-test
    // runs on that data folder (it fails if a store could not be opened and fell back to
    // memory).
    void reopensAfterKilledWriters()
    {
        QTemporaryDir data, out, docs;
        for (int i = 0; i < 400; ++i) {
            QFile f(docs.filePath(QStringLiteral("note%1.md").arg(i)));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QStringLiteral("# Note %1\n\nThe kettle boils water, note %1.\n").arg(i).toUtf8());
        }
        const std::string conversations = data.filePath(QStringLiteral("conversations.db")).toStdString();
        const std::string knowledge = data.filePath(QStringLiteral("knowledge.db")).toStdString();
        std::mt19937 rng(3);
        const auto chats = seekbench::test::kill_repeatedly(10, rng, 5, 40, [&](int round, const auto& report) {
            seekbench::storage::ConversationStore s(conversations);
            const int64_t c = s.create_conversation("killed " + std::to_string(round));
            for (int64_t parent = 0;;) {
                seekbench::storage::Message m;
                m.conversation_id = c;
                m.parent_id = parent;
                m.role = "user";
                m.content = "words";
                parent = s.add_message(m);
                report(std::to_string(parent));
            }
        });
        const auto reading = seekbench::test::kill_repeatedly(10, rng, 5, 60, [&](int, const auto& report) {
            seekbench::storage::KnowledgeStore s(knowledge);
            seekbench::storage::IngestOptions o;
            o.progress = [&](const seekbench::storage::IngestProgress& p) { report(p.path); };
            seekbench::storage::ingest(s, s.collection("notes"), {docs.path().toStdString()}, o);
        });
        QVERIFY(chats.killed >= 8 && reading.killed >= 5);
        QProcess app;
        app.setProcessEnvironment(offscreen());
        app.start(QStringLiteral(SEEKBENCH_APP),
                  {QStringLiteral("--data-dir"), data.path(), QStringLiteral("--self-test"), out.path()});
        QVERIFY(app.waitForFinished(600000));
        const QByteArray err = app.readAllStandardError();
        QVERIFY2(app.exitCode() == 0, err.constData());
        QVERIFY(app.readAllStandardOutput().contains("self-test: passed"));
    }

    // --help and --version answer without a display (they used to abort: no platform).
    void helpWorksWithoutADisplay()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
            env.remove(QString::fromLatin1(name));
        for (const QString& option : {QStringLiteral("--help"), QStringLiteral("--version")}) {
            QProcess app;
            app.setProcessEnvironment(env);
            app.start(QStringLiteral(SEEKBENCH_APP), {option});
            QVERIFY(app.waitForFinished(30000));
            QCOMPARE(app.exitStatus(), QProcess::NormalExit);
            QCOMPARE(app.exitCode(), 0);
            const QByteArray out = app.readAllStandardOutput();
            QVERIFY2(out.contains(option == QStringLiteral("--help") ? "--self-test" : SEEKBENCH_VERSION), out.constData());
        }
        QProcess bad;
        bad.setProcessEnvironment(env);
        bad.start(QStringLiteral(SEEKBENCH_APP), {QStringLiteral("--frobnicate")});
        QVERIFY(bad.waitForFinished(30000));
        QCOMPARE(bad.exitStatus(), QProcess::NormalExit);
        QVERIFY(bad.exitCode() != 0);
    }

    void failsWhenTheModelIsNotGguf()
    {
        QTemporaryDir data, out;
        const QString bogus = data.filePath(QStringLiteral("not-a-model.gguf"));
        QFile file(bogus);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("hello");
        file.close();
        QProcess app;
        app.setProcessEnvironment(offscreen());
        app.start(QStringLiteral(SEEKBENCH_APP),
                  {QStringLiteral("--data-dir"), data.path(), QStringLiteral("--model"), bogus,
                   QStringLiteral("--self-test"), out.path()});
        QVERIFY(app.waitForFinished(120000));
        QCOMPARE(app.exitCode(), 1);
        const QByteArray err = app.readAllStandardError();
        QVERIFY2(err.contains("not-a-model.gguf"), err.constData());
    }
};

QTEST_GUILESS_MAIN(SelfTestTest)
#include "selftest_test.moc"
