// ConversationController over a real SQLite file, no window: conversations are created,
// renamed, pinned, deleted and restored, imported, exported and searched; they survive a
// restart; the message model splits reasoning from the answer; databases that are not ours
// or cannot be written are left untouched; and a storage failure is reported, never thrown.
#include "controllers.h"

#include "ui/controllers/chatmodel.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QTemporaryDir>

#include <fcntl.h>
#include <linux/fs.h>
#include <sqlite3.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Makes a file immutable (even root cannot write it) when the filesystem allows.
bool setImmutable(const QString& path, bool on)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY);
    if (fd < 0)
        return false;
    int flags = 0;
    bool ok = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
    flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
    ok = ok && ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    ::close(fd);
    return ok;
}

const QString kImported = QStringLiteral(
    "{\"format\":\"seekbench-conversation\",\"version\":1,\"title\":\"Imported\",\"system_prompt\":\"Be brief.\","
    "\"messages\":[{\"id\":1,\"role\":\"user\",\"content\":\"路由器选择专家\"},"
    "{\"id\":2,\"parent\":1,\"role\":\"assistant\",\"content\":\"<think>Which experts?</think>The router picks two.\"}]}");

} // namespace

class ConversationControllerTest : public QObject {
    Q_OBJECT
private slots:
    void createRenamePinRemoveUndo()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        ConversationController& c = app.chat.conversations;
        QSignalSpy changed(&c, &ConversationController::conversationsChanged);
        QSignalSpy removed(&c, &ConversationController::removed);
        const qint64 a = c.newConversation();
        const qint64 b = c.newConversation();
        QVERIFY(a > 0 && b > a);
        QCOMPARE(c.current(), b);
        c.rename(a, QStringLiteral("  Alpha  "));
        c.rename(b, QStringLiteral("混合专家模型"));
        c.setPinned(a, true);
        QList<ConversationData> all = c.list();
        QCOMPARE(all.size(), 2);
        QCOMPARE(all[0].title, QStringLiteral("Alpha")); // pinned first, trimmed
        QVERIFY(all[0].pinned);
        QCOMPARE(all[1].title, QStringLiteral("混合专家模型"));

        c.remove(b);
        QCOMPARE(c.list().size(), 1);
        QCOMPARE(c.current(), 0); // the shown one was removed
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(1).toString(), QStringLiteral("混合专家模型"));
        c.undoRemove();
        QCOMPARE(c.list().size(), 2);
        QCOMPARE(c.current(), b);
        QVERIFY(changed.count() >= 6);
    }

    void importExportSearchAndTheMessageModel()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        ConversationController& c = app.chat.conversations;
        QAbstractItemModelTester tester(c.messages());
        const qint64 id = c.importConversation(kImported);
        QVERIFY(id > 0);
        QCOMPARE(c.current(), id);
        QCOMPARE(c.conversation(id).systemPrompt, QStringLiteral("Be brief."));

        // The branch, with the reasoning split from the answer, in the controller's model.
        const QList<MessageData>& b = c.branch();
        QCOMPARE(b.size(), 2);
        QCOMPARE(b[1].answer, QStringLiteral("The router picks two."));
        QCOMPARE(b[1].reasoning, QStringLiteral("Which experts?"));
        QVERIFY(!b[1].thinking);
        ChatModel* model = c.messages();
        QCOMPARE(model->rowCount(), 2);
        QCOMPARE(model->index(1).data(ChatModel::AnswerRole).toString(), QStringLiteral("The router picks two."));
        QCOMPARE(model->index(1).data(ChatModel::ReasoningRole).toString(), QStringLiteral("Which experts?"));

        // What the model sees for a turn: the system prompt, then the branch.
        const QList<ChatTurn> turns = c.turnsUpTo(b[1].id);
        QCOMPARE(turns.size(), 3);
        QCOMPARE(turns[0].role, QStringLiteral("system"));
        QCOMPARE(turns[2].content, b[1].content);

        // Search finds Chinese inside words; export gives back what came in.
        const QList<SearchHitData> hits = c.search(QStringLiteral("选择专家"));
        QCOMPARE(hits.size(), 1);
        QCOMPARE(hits[0].conversationId, id);
        QVERIFY(c.exportConversation(id, true).contains(QStringLiteral("路由器选择专家")));
        QVERIFY(c.exportConversation(id, false).contains(QLatin1String("The router picks two.")));
        QCOMPARE(c.importConversation(c.exportConversation(id, true)) > id, true);

        // Bad input is refused with the reason and imports nothing.
        QSignalSpy errors(&c, &ConversationController::errorOccurred);
        QCOMPARE(c.importConversation(QStringLiteral("{\"format\":\"something else\"}")), 0);
        QCOMPARE(errors.count(), 1);
        QVERIFY(errors.at(0).at(0).toString().startsWith(QLatin1String("Import failed")));
        QCOMPARE(c.list().size(), 2);
    }

    void restartRestoresTheConversation()
    {
        QTemporaryDir dir;
        qint64 id = 0;
        {
            Controllers app(dir.path());
            id = app.chat.conversations.importConversation(kImported);
            SamplingSettings s;
            s.maxTokens = 32;
            app.chat.conversations.setSampling(s);
            app.chat.conversations.rename(id, QStringLiteral("Bedtime"));
        }
        Controllers app(dir.path());
        const QList<ConversationData> all = app.chat.conversations.list();
        QCOMPARE(all.size(), 1);
        QCOMPARE(all[0].title, QStringLiteral("Bedtime"));
        QCOMPARE(all[0].sampling.maxTokens, 32);
        app.chat.conversations.select(id);
        QCOMPARE(app.chat.conversations.branch().size(), 2);
        QCOMPARE(app.chat.conversations.messages()->rowCount(), 2);
    }

    void databaseThatIsNotOursIsLeftAlone()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("conversations.db"));
        QFile f(db);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray("these are my notes, not a database\n").repeated(200));
        f.close();
        const QByteArray original = readAll(db);
        {
            Controllers app(dir.path());
            QVERIFY(app.chat.conversations.storageWarning().contains(QLatin1String("cannot be saved")));
            QVERIFY(app.chat.conversations.storageWarning().contains(QLatin1String("not a database")));
            QVERIFY(app.load(builtinModel()));
            app.chat.conversations.newConversation();
            app.chat.conversations.setSampling(greedy(8));
            QVERIFY(app.chat.turns.send(QStringLiteral("Hello")));
            QVERIFY(app.waitReply());
            QCOMPARE(app.chat.conversations.branch().size(), 2); // chatting still works, in memory
        }
        QCOMPARE(readAll(db), original);
    }

    void readOnlyDatabaseIsShownNotWritten()
    {
        QTemporaryDir dir;
        {
            Controllers app(dir.path());
            const qint64 id = app.chat.conversations.newConversation();
            app.chat.conversations.rename(id, QStringLiteral("Kept"));
        }
        const QString db = dir.filePath(QStringLiteral("conversations.db"));
        if (!setImmutable(db, true))
            QSKIP("this filesystem cannot make a file immutable");
        const QByteArray original = readAll(db);
        {
            Controllers app(dir.path());
            QVERIFY(app.chat.conversations.storageWarning().contains(QLatin1String("read-only")));
            const QList<ConversationData> all = app.chat.conversations.list();
            QCOMPARE(all.size(), 1); // still shown
            QCOMPARE(all[0].title, QStringLiteral("Kept"));
            app.chat.conversations.select(all[0].id);
            app.chat.conversations.rename(all[0].id, QStringLiteral("Changed in memory"));
            QCOMPARE(app.chat.conversations.list()[0].title, QStringLiteral("Changed in memory"));
        }
        QCOMPARE(readAll(db), original);
        QVERIFY(setImmutable(db, false));
    }

    // Another program breaks the database while the app runs: every read and write the
    // controller makes reports the failure as errorOccurred and returns an empty answer;
    // nothing throws into the event loop.
    void storageFailuresAreReportedNotThrown()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        ConversationController& c = app.chat.conversations;
        const qint64 id = c.importConversation(kImported);
        QVERIFY(id > 0);
        sqlite3* other = nullptr;
        QCOMPARE(sqlite3_open(QFile::encodeName(c.databasePath()).constData(), &other), SQLITE_OK);
        QCOMPARE(sqlite3_exec(other, "PRAGMA foreign_keys=OFF; DROP TABLE messages_fts; DROP TABLE messages; "
                                     "DROP TABLE conversations;",
                              nullptr, nullptr, nullptr),
                 SQLITE_OK);
        sqlite3_close(other);

        QSignalSpy errors(&c, &ConversationController::errorOccurred);
        QCOMPARE(c.list().size(), 0);
        QCOMPARE(c.conversation(id).id, 0);
        QCOMPARE(c.search(QStringLiteral("router")).size(), 0);
        QCOMPARE(c.turnsUpTo(0).size(), 0);
        QCOMPARE(c.exportConversation(id, true), QString());
        c.rename(id, QStringLiteral("x"));
        c.setPinned(id, true);
        c.setSystemPrompt(QStringLiteral("x"));
        c.setSampling(SamplingSettings{});
        c.switchBranch(1, -1);
        QCOMPARE(c.addUserMessage(0, QStringLiteral("Hello")), 0);
        QCOMPARE(c.newConversation(), 0);
        QVERIFY2(errors.count() >= 10, qPrintable(QString::number(errors.count())));
        for (const auto& e : errors)
            QVERIFY2(e.at(0).toString().contains(QLatin1String("no such table")), qPrintable(e.at(0).toString()));
    }
};

QTEST_GUILESS_MAIN(ConversationControllerTest)
#include "conversationcontroller_test.moc"
