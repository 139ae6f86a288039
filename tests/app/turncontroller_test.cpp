// TurnController with the built-in model and a real SQLite file, no window: a reply
// streams and is stored with its statistics, greedy is greedy (and equals
// `seekbench-cli chat` on the same conversation), a follow-up turn only processes the new
// text, stop ends a reply before its next token, regenerate and edit make branches, and an
// engine failure is reported and kept as such.
#include "controllers.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>

namespace {

QString joined(const QSignalSpy& streamed)
{
    QString text;
    for (const auto& args : streamed)
        text += args.at(1).toString();
    return text;
}

} // namespace

class TurnControllerTest : public QObject {
    Q_OBJECT
private slots:
    void streamsAndStores()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QVERIFY(app.load(builtinModel()));
        app.chat.conversations.newConversation();
        app.chat.conversations.setSampling(greedy(48));
        QSignalSpy streamed(&app.chat.turns, &TurnController::streamed);
        QSignalSpy finished(&app.chat.turns, &TurnController::replyFinished);
        QSignalSpy updated(&app.chat.conversations, &ConversationController::messageUpdated);
        QVERIFY(app.chat.turns.send(QStringLiteral("What does os.path.join do?")));
        QVERIFY(app.chat.turns.isGenerating());
        QVERIFY(app.waitReply());

        // The pieces streamed make up the reply exactly, and it is stored with its statistics.
        QVERIFY(!streamed.isEmpty());
        const QList<MessageData> branch = app.chat.conversations.branch();
        QCOMPARE(branch.size(), 2);
        QCOMPARE(branch[0].role, QStringLiteral("user"));
        QCOMPARE(branch[1].role, QStringLiteral("assistant"));
        QCOMPARE(branch[1].content, joined(streamed));
        QVERIFY(branch[1].generatedTokens > 0 && branch[1].generatedTokens <= 48);
        QVERIFY(branch[1].stopReason == QLatin1String("length") || branch[1].stopReason == QLatin1String("eos"));
        QVERIFY(branch[1].promptTokens > 0);
        QVERIFY(branch[1].tokensPerSecond > 0);
        QVERIFY(!branch[1].streaming);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).toLongLong(), branch[1].id);
        QVERIFY(!updated.isEmpty());
        QCOMPARE(branch[1].model, QStringLiteral("seekbench-moe.gguf"));
        // The conversation is titled after its first message.
        QCOMPARE(app.chat.conversations.conversation(app.chat.conversations.current()).title,
                 QStringLiteral("What does os.path.join do?"));

        // Greedy is greedy: the same question in a new conversation gives the same answer.
        app.chat.conversations.newConversation();
        app.chat.conversations.setSampling(greedy(48));
        QVERIFY(app.chat.turns.send(QStringLiteral("What does os.path.join do?")));
        QVERIFY(app.waitReply());
        QCOMPARE(app.chat.conversations.branch()[1].content, branch[1].content);

        // A follow-up turn reuses the cached prefix: only the new text is processed.
        const int firstTotal = app.chat.conversations.branch()[1].promptTokens;
        QSignalSpy engineFinished(&app.engine, &EngineController::generationFinished);
        QVERIFY(app.chat.turns.send(QStringLiteral("And then?")));
        QVERIFY(app.waitReply());
        QCOMPARE(engineFinished.count(), 1);
        const auto stats = qvariant_cast<GenerationStats>(engineFinished.at(0).at(0));
        QVERIFY2(stats.reusedTokens >= firstTotal, qPrintable(QString::number(stats.reusedTokens)));
        QVERIFY2(stats.promptTokens < 30, qPrintable(QString::number(stats.promptTokens)));
        QCOMPARE(app.chat.conversations.branch()[3].promptTokens, stats.promptTokens + stats.reusedTokens);
    }

    // The app and `seekbench-cli chat` call the same engine turn: greedy, the same
    // conversation (system prompt included) gets the same answer, byte for byte.
    void greedyAnswerEqualsTheCli()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QVERIFY(app.load(builtinModel()));
        app.chat.conversations.newConversation();
        app.chat.conversations.setSystemPrompt(QStringLiteral("You answer questions about Python."));
        app.chat.conversations.setSampling(greedy(64));
        const QString question = QStringLiteral("What does os.path.join do?");
        QVERIFY(app.chat.turns.send(question));
        QVERIFY(app.waitReply());
        const QString answer = app.chat.conversations.branch().last().content;
        QVERIFY(!answer.trimmed().isEmpty());

        QProcess cli;
        cli.start(QStringLiteral(SEEKBENCH_CLI),
                  {QStringLiteral("chat"), QStringLiteral("-p"), question, QStringLiteral("--system"),
                   QStringLiteral("You answer questions about Python."), QStringLiteral("--temp"), QStringLiteral("0"),
                   QStringLiteral("-n"), QStringLiteral("64"), QStringLiteral("--threads"), QStringLiteral("2")});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 0);
        QCOMPARE(QString::fromUtf8(cli.readAllStandardOutput()), answer + QLatin1Char('\n'));
    }

    // A terminal chat saved with /save opens in the app (File › Import Conversation).
    void aSavedTerminalChatImports()
    {
        QTemporaryDir dir;
        const QString saved = dir.filePath(QStringLiteral("terminal.json"));
        QProcess cli;
        cli.start(QStringLiteral(SEEKBENCH_CLI), {QStringLiteral("chat"), QStringLiteral("--temp"), QStringLiteral("0"),
                                                  QStringLiteral("-n"), QStringLiteral("12")});
        QVERIFY(cli.waitForStarted());
        cli.write(QStringLiteral("/system Be brief.\nHello there\n/save %1\n").arg(saved).toUtf8());
        cli.closeWriteChannel();
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 0);
        QFile file(saved);
        QVERIFY(file.open(QIODevice::ReadOnly));
        Controllers app(dir.path());
        const qint64 id = app.chat.conversations.importConversation(QString::fromUtf8(file.readAll()));
        QVERIFY(id > 0);
        const QList<MessageData> b = app.chat.conversations.branch();
        QCOMPARE(b.size(), 2);
        QCOMPARE(b[0].content, QStringLiteral("Hello there"));
        QCOMPARE(b[1].role, QStringLiteral("assistant"));
        QVERIFY(b[1].generatedTokens > 0);
        QCOMPARE(app.chat.conversations.conversation(id).systemPrompt, QStringLiteral("Be brief."));
        QCOMPARE(app.chat.conversations.conversation(id).sampling.maxTokens, 12);
    }

    // The reply grows while it is written. Tokens reach the GUI thread one queued call at a
    // time, so at the pace of real chat models each token is (nearly) its own piece.
    void streamsEachTokenAsItComes()
    {
        QTemporaryDir dir;
        const QString model = writeSlowModel(dir);
        Controllers app(dir.path());
        QVERIFY(app.load(model));
        app.chat.conversations.newConversation();
        app.chat.conversations.setSampling(greedy(40));
        int whileGenerating = 0;
        QSignalSpy streamed(&app.chat.turns, &TurnController::streamed);
        connect(&app.chat.turns, &TurnController::streamed, this,
                [&] { whileGenerating += app.chat.turns.isGenerating(); });
        QVERIFY(app.chat.turns.send(QStringLiteral("Hello")));
        QVERIFY(app.waitReply());
        const MessageData reply = app.chat.conversations.branch().last();
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
        Controllers app(dir.path());
        QVERIFY(app.load(writeSlowModel(dir)));
        app.chat.conversations.newConversation();
        app.chat.conversations.setSampling(greedy(400));

        // Stopped before the first token: the worker checks before every token.
        QVERIFY(app.chat.turns.send(QStringLiteral("Tell me a story.")));
        app.chat.turns.stop();
        QVERIFY(app.waitReply(10000));
        MessageData reply = app.chat.conversations.branch().last();
        QCOMPARE(reply.stopReason, QStringLiteral("cancelled"));
        QVERIFY2(reply.generatedTokens <= 1, qPrintable(QString::number(reply.generatedTokens)));

        // Stopped mid-stream: what was streamed is kept, nothing after it.
        QSignalSpy streamed(&app.chat.turns, &TurnController::streamed);
        QVERIFY(app.chat.turns.regenerate());
        QVERIFY(QTest::qWaitFor([&] { return streamed.count() >= 5 || !app.chat.turns.isGenerating(); }, 10000));
        QVERIFY(app.chat.turns.isGenerating());
        QElapsedTimer latency;
        latency.start();
        app.chat.turns.stop();
        QVERIFY(app.waitReply(10000));
        qInfo("stopped %lld ms after stop()", latency.elapsed());
        reply = app.chat.conversations.branch().last();
        QCOMPARE(reply.stopReason, QStringLiteral("cancelled"));
        QVERIFY(reply.generatedTokens < 400);
        QCOMPARE(reply.content, joined(streamed));
        QCOMPARE(reply.siblingCount, 2);
    }

    void regenerateAndEditMakeBranches()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QVERIFY(app.load(builtinModel()));
        app.chat.conversations.newConversation();
        SamplingSettings s = greedy(24);
        s.temperature = 1.0; // different answers, reproducible by seed
        app.chat.conversations.setSampling(s);
        QVERIFY(app.chat.turns.send(QStringLiteral("Tell me a story.")));
        QVERIFY(app.waitReply());
        const QString first = app.chat.conversations.branch()[1].content;

        s.seed = 8;
        app.chat.conversations.setSampling(s);
        QVERIFY(app.chat.turns.regenerate());
        QVERIFY(app.waitReply());
        QList<MessageData> b = app.chat.conversations.branch();
        QCOMPARE(b.size(), 2);
        QCOMPARE(b[1].siblingCount, 2);
        QCOMPARE(b[1].siblingIndex, 1);
        QVERIFY(b[1].content != first);
        app.chat.conversations.switchBranch(1, -1);
        QCOMPARE(app.chat.conversations.branch()[1].content, first);
        QCOMPARE(app.chat.conversations.branch()[1].siblingIndex, 0);

        QVERIFY(app.chat.turns.editAndResend(0, QStringLiteral("A little dog")));
        QVERIFY(app.waitReply());
        b = app.chat.conversations.branch();
        QCOMPARE(b.size(), 2);
        QCOMPARE(b[0].content, QStringLiteral("A little dog"));
        QCOMPARE(b[0].siblingCount, 2);
        QCOMPARE(b[1].siblingCount, 1);
        app.chat.conversations.switchBranch(0, -1); // back to the first question, with its newest answer
        b = app.chat.conversations.branch();
        QCOMPARE(b[0].content, QStringLiteral("Tell me a story."));
        QCOMPARE(b[1].siblingCount, 2);
    }

    // What cannot start says why; a failed reply is kept, marked as an error.
    void refusalsAndFailures()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QSignalSpy errors(&app.chat.turns, &TurnController::errorOccurred);
        QVERIFY(!app.chat.turns.send(QStringLiteral("Hello"))); // no model yet
        QCOMPARE(errors.count(), 1);
        QVERIFY(errors.at(0).at(0).toString().contains(QLatin1String("Load a model")));
        QVERIFY(!app.chat.turns.send(QStringLiteral("   ")));   // nothing to send
        QCOMPARE(errors.count(), 1);

        QVERIFY(app.load(builtinModel()));
        app.chat.conversations.newConversation();
        app.chat.conversations.setSampling(greedy(8));
        // Longer than the model's context: refused by the engine, reported, nothing lost.
        QVERIFY(app.chat.turns.send(QStringLiteral("word ").repeated(5000)));
        QVERIFY(app.waitReply());
        QCOMPARE(errors.count(), 2);
        QVERIFY2(errors.at(1).at(0).toString().contains(QLatin1String("longer than the model's context")),
                 qPrintable(errors.at(1).at(0).toString()));
        const QList<MessageData> b = app.chat.conversations.branch();
        QCOMPARE(b.size(), 2);
        QCOMPARE(b[1].stopReason, QStringLiteral("error"));
        QVERIFY(!app.chat.turns.isGenerating());
        // The conversation goes on after it.
        QVERIFY(app.chat.turns.editAndResend(0, QStringLiteral("Hello")));
        QVERIFY(app.waitReply());
        QVERIFY(app.chat.conversations.branch()[1].stopReason != QLatin1String("error"));
    }
};

QTEST_GUILESS_MAIN(TurnControllerTest)
#include "turncontroller_test.moc"
