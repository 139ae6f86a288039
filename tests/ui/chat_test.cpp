// The chat end to end with a real model (../shared/models/stories260K) and a real SQLite
// file: streaming token by token, stopping, regenerate and edit as branches, restoring after
// a restart, a responsive event loop while generating, bad databases left untouched, and
// the chat panel's rendering of Markdown, code and reasoning.
#include "appharness.h"
#include "ui/chatmodel.h"
#include "ui/chatpanel.h"
#include "ui/codeblock.h"
#include "ui/conversationlist.h"
#include "ui/messagewidget.h"

#include "engine/synth.h"

#include <KSyntaxHighlighting/Repository>
#include <QAbstractItemModelTester>
#include <QClipboard>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolButton>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace {

const QString kStories = QStringLiteral(SEEKBENCH_SHARED_DIR "/models/stories260K/stories260K.gguf");

SamplingSettings greedy(int maxTokens)
{
    SamplingSettings s;
    s.temperature = 0;
    s.maxTokens = maxTokens;
    s.seed = 7;
    return s;
}

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

// A random-weight llama of about 120 MB: slow enough (a few ms a token here) that the GUI
// keeps up with every token, as it does with the models people chat with.
QString writeSlowModel(const QTemporaryDir& dir)
{
    seekbench::SynthPreset p = *seekbench::find_synth_preset("llama-tiny");
    p.name = "llama-slow";
    p.dim = 512, p.n_layers = 8, p.n_heads = 8, p.n_kv_heads = 8, p.hidden_dim = 1536, p.n_vocab = 2048;
    seekbench::SynthOptions o;
    o.type = seekbench::TensorType::F32;
    const QString path = dir.filePath(QStringLiteral("slow.gguf"));
    seekbench::write_synth_model(p, o, path.toStdString());
    return path;
}

} // namespace

class ChatTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        if (!QFile::exists(kStories))
            QSKIP("../shared/models is not beside the repository");
    }

    void streamsTokenByTokenAndStores()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path(), false);
        QVERIFY(app.load(kStories));
        app.chat.newConversation();
        app.chat.setSampling(greedy(48));
        QSignalSpy streamed(&app.chat, &ChatController::streamed);
        QSignalSpy updated(&app.chat, &ChatController::messageUpdated);
        QVERIFY(app.chat.send(QStringLiteral("Tell me a story.")));
        QVERIFY(app.chat.isGenerating());
        QVERIFY(app.waitReply());

        // The pieces streamed make up the reply exactly.
        QString joined;
        for (const auto& args : streamed)
            joined += args.at(1).toString();
        QVERIFY(!streamed.isEmpty());
        const QList<MessageData> branch = app.chat.branch();
        QCOMPARE(branch.size(), 2);
        QCOMPARE(branch[0].role, QStringLiteral("user"));
        QCOMPARE(branch[1].role, QStringLiteral("assistant"));
        QCOMPARE(branch[1].content, joined);
        QCOMPARE(branch[1].generatedTokens, 48);
        QCOMPARE(branch[1].stopReason, QStringLiteral("length"));
        QVERIFY(branch[1].promptTokens > 0);
        QVERIFY(branch[1].tokensPerSecond > 0);
        QVERIFY(!branch[1].streaming);
        QVERIFY(!updated.isEmpty());

        // Greedy is greedy: the same question in a new conversation gives the same answer.
        app.chat.newConversation();
        app.chat.setSampling(greedy(48));
        QVERIFY(app.chat.send(QStringLiteral("Tell me a story.")));
        QVERIFY(app.waitReply());
        QCOMPARE(app.chat.branch()[1].content, joined);

        // A follow-up turn reuses the cached prefix: only the new text is processed.
        const int firstTotal = app.chat.branch()[1].promptTokens;
        QSignalSpy finished(&app.engine, &EngineController::generationFinished);
        QVERIFY(app.chat.send(QStringLiteral("And then?")));
        QVERIFY(app.waitReply());
        QCOMPARE(finished.count(), 1);
        const auto stats = qvariant_cast<GenerationStats>(finished.at(0).at(0));
        QVERIFY2(stats.reusedTokens >= firstTotal, qPrintable(QString::number(stats.reusedTokens)));
        QVERIFY2(stats.promptTokens < 30, qPrintable(QString::number(stats.promptTokens)));
        QCOMPARE(app.chat.branch()[3].promptTokens, stats.promptTokens + stats.reusedTokens);
    }

    // The reply grows while it is written. Tokens reach the GUI thread one queued call at a
    // time, so a model faster than the GUI gets woken (a few ms with busy engine threads on
    // every core) arrives a few tokens per piece; at the pace of real chat models (tens of
    // ms a token) each token is its own piece.
    void streamsEachTokenAsItComes()
    {
        QTemporaryDir dir;
        const QString model = writeSlowModel(dir);
        AppHarness app(dir.path(), false);
        QVERIFY(app.load(model));
        app.chat.newConversation();
        app.chat.setSampling(greedy(40));
        int whileGenerating = 0;
        QSignalSpy streamed(&app.chat, &ChatController::streamed);
        connect(&app.chat, &ChatController::streamed, this, [&] { whileGenerating += app.chat.isGenerating(); });
        QVERIFY(app.chat.send(QStringLiteral("Hello")));
        QVERIFY(app.waitReply());
        const MessageData reply = app.chat.branch().last();
        qInfo("%d tokens arrived in %lld pieces at %.1f tokens/s", reply.generatedTokens, qint64(streamed.count()),
              reply.tokensPerSecond);
        QVERIFY(reply.generatedTokens >= 10);
        QCOMPARE(whileGenerating, int(streamed.count()));
        QVERIFY2(streamed.count() * 5 >= reply.generatedTokens,
                 qPrintable(QStringLiteral("%1 pieces for %2 tokens").arg(streamed.count()).arg(reply.generatedTokens)));
    }

    void stopEndsBeforeTheNextToken()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path(), false);
        QVERIFY(app.load(writeSlowModel(dir)));
        app.chat.newConversation();
        app.chat.setSampling(greedy(400));

        // Stopped before the first token: the worker checks before every token.
        QVERIFY(app.chat.send(QStringLiteral("Tell me a story.")));
        app.chat.stop();
        QVERIFY(app.waitReply(10000));
        MessageData reply = app.chat.branch().last();
        QCOMPARE(reply.stopReason, QStringLiteral("cancelled"));
        QVERIFY2(reply.generatedTokens <= 1, qPrintable(QString::number(reply.generatedTokens)));

        // Stopped mid-stream: what was streamed is kept, nothing after it, and the worker
        // wrote at most one token beyond what had reached the GUI when stop was pressed.
        QSignalSpy streamed(&app.chat, &ChatController::streamed);
        QVERIFY(app.chat.regenerate());
        QVERIFY(QTest::qWaitFor([&] { return streamed.count() >= 5 || !app.chat.isGenerating(); }, 10000));
        QVERIFY(app.chat.isGenerating());
        QElapsedTimer latency;
        latency.start();
        app.chat.stop();
        QVERIFY(app.waitReply(10000));
        qInfo("stopped %lld ms after stop()", latency.elapsed());
        reply = app.chat.branch().last();
        QCOMPARE(reply.stopReason, QStringLiteral("cancelled"));
        QVERIFY(reply.generatedTokens < 400);
        QString joined;
        for (const auto& args : streamed)
            joined += args.at(1).toString();
        QCOMPARE(reply.content, joined);
        QCOMPARE(reply.siblingCount, 2);
    }

    void regenerateAndEditMakeBranches()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path(), false);
        QVERIFY(app.load(kStories));
        app.chat.newConversation();
        SamplingSettings s = greedy(24);
        s.temperature = 1.0; // different answers, reproducible by seed
        app.chat.setSampling(s);
        QVERIFY(app.chat.send(QStringLiteral("Once upon a time")));
        QVERIFY(app.waitReply());
        const QString first = app.chat.branch()[1].content;

        s.seed = 8;
        app.chat.setSampling(s);
        QVERIFY(app.chat.regenerate());
        QVERIFY(app.waitReply());
        QList<MessageData> b = app.chat.branch();
        QCOMPARE(b.size(), 2);
        QCOMPARE(b[1].siblingCount, 2);
        QCOMPARE(b[1].siblingIndex, 1);
        QVERIFY(b[1].content != first);
        app.chat.switchBranch(1, -1);
        QCOMPARE(app.chat.branch()[1].content, first);
        QCOMPARE(app.chat.branch()[1].siblingIndex, 0);

        QVERIFY(app.chat.editAndResend(0, QStringLiteral("A little dog")));
        QVERIFY(app.waitReply());
        b = app.chat.branch();
        QCOMPARE(b.size(), 2);
        QCOMPARE(b[0].content, QStringLiteral("A little dog"));
        QCOMPARE(b[0].siblingCount, 2);
        QCOMPARE(b[1].siblingCount, 1);
        app.chat.switchBranch(0, -1); // back to the first question, with its newest answer
        b = app.chat.branch();
        QCOMPARE(b[0].content, QStringLiteral("Once upon a time"));
        QCOMPARE(b[1].siblingCount, 2);
    }

    void restartRestoresTheConversation()
    {
        QTemporaryDir dir;
        QList<MessageData> before;
        qint64 id = 0;
        {
            AppHarness app(dir.path());
            QVERIFY(app.load(kStories));
            id = app.chat.newConversation();
            app.chat.setSampling(greedy(32));
            app.chat.setSystemPrompt(QStringLiteral("You tell stories."));
            QVERIFY(app.chat.send(QStringLiteral("Tell me a story.")));
            QVERIFY(app.waitReply());
            app.chat.rename(id, QStringLiteral("Bedtime"));
            before = app.chat.branch();
            app.window->close();
        }
        AppHarness app(dir.path());
        const QList<ConversationData> all = app.chat.conversations();
        QCOMPARE(all.size(), 1);
        QCOMPARE(all[0].title, QStringLiteral("Bedtime"));
        QCOMPARE(all[0].systemPrompt, QStringLiteral("You tell stories."));
        QCOMPARE(all[0].sampling.maxTokens, 32);
        auto* list = qobject_cast<ConversationList*>(app.window->panel(QStringLiteral("conversations")));
        QVERIFY(list);
        QCOMPARE(list->model()->rowCount(), 1);
        QCOMPARE(list->model()->index(0, 0).data().toString(), QStringLiteral("Bedtime"));
        app.chat.select(id);
        const QList<MessageData> after = app.chat.branch();
        QCOMPARE(after.size(), before.size());
        for (int i = 0; i < after.size(); ++i) {
            QCOMPARE(after[i].content, before[i].content);
            QCOMPARE(after[i].generatedTokens, before[i].generatedTokens);
        }
        auto* panel = qobject_cast<ChatPanel*>(app.window->panel(QStringLiteral("chat")));
        QCOMPARE(panel->model()->rowCount(), 2);
    }

    void eventLoopNeverStallsWhileGenerating()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        app.window->resize(1200, 800);
        app.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(app.window.get()));
        QVERIFY(app.load(kStories));
        app.chat.newConversation();
        app.chat.setSampling(greedy(200));
        auto* panel = qobject_cast<ChatPanel*>(app.window->panel(QStringLiteral("chat")));

        QElapsedTimer clock;
        qint64 last = 0, longest = 0;
        int ticks = 0;
        QTimer probe;
        probe.setInterval(5);
        connect(&probe, &QTimer::timeout, [&] {
            const qint64 now = clock.elapsed();
            longest = std::max(longest, now - last);
            last = now;
            ++ticks;
        });
        QSignalSpy streamed(&app.chat, &ChatController::streamed);
        clock.start();
        probe.start();
        for (const char* prompt : {"Tell me a story.", "What happened next?", "Tell me another one."}) {
            panel->input()->setPlainText(QString::fromLatin1(prompt));
            panel->send();
            QVERIFY(app.waitReply());
        }
        probe.stop();
        qInfo("longest event-loop gap while generating: %lld ms over %d ticks, %lld tokens streamed", longest, ticks,
              qint64(streamed.count()));
        QVERIFY(!streamed.isEmpty());
        QCOMPARE(app.chat.branch().size(), 6);
        QVERIFY2(longest < 50, qPrintable(QStringLiteral("the event loop stalled for %1 ms").arg(longest)));
        QCOMPARE(panel->model()->rowCount(), 6);
        QCOMPARE(panel->messageWidgets().size(), 6);
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
            AppHarness app(dir.path(), false);
            QVERIFY(app.chat.storageWarning().contains(QLatin1String("cannot be saved")));
            QVERIFY(app.chat.storageWarning().contains(QLatin1String("not a database")));
            QVERIFY(app.load(kStories));
            app.chat.newConversation();
            app.chat.setSampling(greedy(8));
            QVERIFY(app.chat.send(QStringLiteral("Hello")));
            QVERIFY(app.waitReply());
            QCOMPARE(app.chat.branch().size(), 2); // chatting still works, in memory
        }
        QCOMPARE(readAll(db), original);
    }

    void readOnlyDatabaseIsShownNotWritten()
    {
        QTemporaryDir dir;
        {
            AppHarness app(dir.path(), false);
            const qint64 id = app.chat.newConversation();
            app.chat.rename(id, QStringLiteral("Kept"));
        }
        const QString db = dir.filePath(QStringLiteral("conversations.db"));
        if (!setImmutable(db, true))
            QSKIP("this filesystem cannot make a file immutable");
        const QByteArray original = readAll(db);
        {
            AppHarness app(dir.path(), false);
            QVERIFY(app.chat.storageWarning().contains(QLatin1String("read-only")));
            const QList<ConversationData> all = app.chat.conversations();
            QCOMPARE(all.size(), 1); // still shown
            QCOMPARE(all[0].title, QStringLiteral("Kept"));
            app.chat.select(all[0].id);
            app.chat.rename(all[0].id, QStringLiteral("Changed in memory"));
        }
        QCOMPARE(readAll(db), original);
        QVERIFY(setImmutable(db, false));
    }

    void conversationListSearchDeleteUndoPin()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        auto* list = qobject_cast<ConversationList*>(app.window->panel(QStringLiteral("conversations")));
        QAbstractItemModelTester tester(list->model());
        const qint64 a = app.chat.newConversation();
        app.chat.rename(a, QStringLiteral("Alpha"));
        const qint64 b = app.chat.newConversation();
        app.chat.rename(b, QStringLiteral("混合专家模型"));
        QCOMPARE(list->model()->rowCount(), 2);
        app.chat.setPinned(a, true);
        QVERIFY(list->model()->index(0, 0).data().toString().endsWith(QLatin1String("Alpha"))); // pinned first

        QCOMPARE(app.chat.importConversation(QStringLiteral(
                     "{\"format\":\"seekbench-conversation\",\"version\":1,\"title\":\"Imported\",\"messages\":"
                     "[{\"id\":1,\"role\":\"user\",\"content\":\"路由器选择专家\"},"
                     "{\"id\":2,\"parent\":1,\"role\":\"assistant\",\"content\":\"ok\"}]}")) > 0,
                 true);
        list->searchBox()->setText(QStringLiteral("选择专家"));
        QTRY_COMPARE(list->model()->rowCount(), 1);
        QVERIFY(list->model()->index(0, 0).data().toString().startsWith(QLatin1String("Imported\n")));
        list->searchBox()->clear();
        QTRY_COMPARE(list->model()->rowCount(), 3);

        app.chat.remove(b);
        QCOMPARE(list->model()->rowCount(), 2);
        QVERIFY(list->undoButton()->isVisible() || !app.window->isVisible());
        app.chat.undoRemove();
        QCOMPARE(list->model()->rowCount(), 3);
        QCOMPARE(app.chat.currentConversation(), b);
    }
};

// The chat panel's rendering, without a model: messages as the controller would send them.
class MessageRenderingTest : public QObject {
    Q_OBJECT
private slots:
    void markdownCodeAndCopy()
    {
        KSyntaxHighlighting::Repository repository;
        MessageWidget w(repository);
        MessageData m;
        m.id = 1;
        m.role = QStringLiteral("assistant");
        m.content = QStringLiteral("Here is **bold** text.\n\n```python\ndef add(a, b):\n    return a + b\n```\n\nAnd after.");
        m.generatedTokens = 12;
        m.tokensPerSecond = 34.5;
        m.promptTokens = 7;
        w.show(m, true);
        QTRY_COMPARE(w.codeBlocks().size(), 1);
        CodeBlock* code = w.codeBlocks()[0];
        QCOMPARE(code->definitionName(), QStringLiteral("Python"));
        QCOMPARE(code->code(), QStringLiteral("def add(a, b):\n    return a + b"));
        QVERIFY(w.renderedText().contains(QLatin1String("**bold**")));
        QVERIFY(w.renderedText().contains(QLatin1String("And after.")));
        QVERIFY(!w.renderedText().contains(QLatin1String("def add")));
        code->copyButton()->click();
        QCOMPARE(QGuiApplication::clipboard()->text(), code->code());
        QVERIFY(w.statsLabel()->text().contains(QLatin1String("12 tokens")));
        QVERIFY(w.statsLabel()->text().contains(QLatin1String("34.5 tokens/s")));
    }

    void reasoningIsCollapsed()
    {
        KSyntaxHighlighting::Repository repository;
        MessageWidget w(repository);
        w.QWidget::show();
        MessageData m;
        m.id = 2;
        m.role = QStringLiteral("assistant");
        m.content = QStringLiteral("<think>The user wants a number. 6 times 7.</think>\n\nThe answer is 42.");
        w.show(m, true);
        QTRY_VERIFY(w.reasoningToggle()->isVisible());
        QVERIFY(!w.reasoningLabel()->isVisible());
        QVERIFY(!w.renderedText().contains(QLatin1String("6 times 7")));
        QVERIFY(w.renderedText().contains(QLatin1String("The answer is 42.")));
        w.reasoningToggle()->click();
        QVERIFY(w.reasoningLabel()->isVisible());
        QVERIFY(w.reasoningLabel()->text().contains(QLatin1String("6 times 7")));
    }

    void chatModelFollowsStreaming()
    {
        ChatModel model;
        QAbstractItemModelTester tester(&model);
        MessageData user, reply;
        user.id = 1;
        user.role = QStringLiteral("user");
        user.content = QStringLiteral("Hi");
        reply.id = 2;
        reply.parentId = 1;
        reply.role = QStringLiteral("assistant");
        reply.streaming = true;
        model.setMessages({user, reply});
        QCOMPARE(model.rowCount(), 2);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.appendText(2, QStringLiteral("<think>hm"));
        model.appendText(2, QStringLiteral("</think>Hello"));
        QCOMPARE(changed.count(), 2);
        const QModelIndex i = model.index(1, 0);
        QCOMPARE(i.data(ChatModel::ContentRole).toString(), QStringLiteral("<think>hm</think>Hello"));
        QCOMPARE(i.data(ChatModel::AnswerRole).toString(), QStringLiteral("Hello"));
        QCOMPARE(i.data(ChatModel::ReasoningRole).toString(), QStringLiteral("hm"));
        model.appendText(99, QStringLiteral("nowhere")); // an unknown id changes nothing
        QCOMPARE(changed.count(), 2);
        reply.content = QStringLiteral("<think>hm</think>Hello");
        reply.streaming = false;
        reply.generatedTokens = 3;
        model.update(reply);
        QCOMPARE(i.data(ChatModel::GeneratedTokensRole).toInt(), 3);
        QCOMPARE(i.data(ChatModel::StreamingRole).toBool(), false);
        model.setMessages({});
        QCOMPARE(model.rowCount(), 0);
    }
};

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    int status = 0;
    {
        MessageRenderingTest rendering;
        status |= QTest::qExec(&rendering, argc, argv);
    }
    {
        ChatTest chat;
        status |= QTest::qExec(&chat, argc, argv);
    }
    return status;
}
#include "chat_test.moc"
