// A remote model: the app chats through a real seekbench-server (started by the test, the
// built-in model, an API key) as it would through vLLM or llama-server: the models it
// lists, a streamed reply stored with its statistics and the same text as the local model
// gives greedily, Stop, the panels that need a local model saying so, and a wrong model
// or key refused with the reason while the local model stays.
#include "controllers.h"

#include "ui/controllers/tracecontroller.h"

class RemoteTest : public QObject {
    Q_OBJECT
private:
    // A server on the built-in model, its /v1 base URL.
    static QUrl startServer(ServerController& server, const QString& model = {})
    {
        QSignalSpy started(&server, &ServerController::started);
        ServerSettings s;
        s.port = 0;
        s.slotCount = 2;
        s.apiKey = QStringLiteral("remote-key");
        server.start(model, s);
        if (!started.wait(30000))
            return {};
        return QUrl(server.address().toString() + QStringLiteral("/v1"));
    }

private slots:
    void chatsThroughAServer()
    {
        // A random-weight model slow enough to stop mid-reply, and never at an end token.
        QTemporaryDir dir;
        const QString slow = writeSlowModel(dir);
        Controllers app(dir.path());
        const QUrl base = startServer(app.server, slow);
        QVERIFY(base.isValid() && !base.isEmpty());
        QVERIFY(app.load(slow));
        // The repetition penalty is not an OpenAI field, so neither side uses one here.
        SamplingSettings sampling = greedy(24);
        sampling.repeatPenalty = 1.0;
        app.chat.conversations.newConversation();
        app.chat.conversations.setSampling(sampling);
        QVERIFY(app.chat.turns.send(QStringLiteral("Tell me a story.")));
        QVERIFY(app.waitReply());
        const QString local = app.chat.conversations.branch().last().content;

        RemoteEndpoint e{base, QStringLiteral("slow"), QStringLiteral("remote-key")};
        QSignalSpy listed(&app.models, &ModelController::remoteModelsListed);
        app.models.listRemoteModels(e);
        QVERIFY(listed.wait(10000));
        QCOMPARE(listed.first().first().toStringList(), QStringList{QStringLiteral("slow")});

        QSignalSpy changed(&app.models, &ModelController::modelChanged);
        app.models.connectRemote(e);
        QVERIFY(QTest::qWaitFor([&] { return app.models.isRemote(); }, 10000));
        QVERIFY(app.models.currentPath().startsWith(QLatin1String("remote:slow@")));
        QCOMPARE(app.models.currentName(), QStringLiteral("slow"));

        // The same conversation again, now answered by the server: greedy, the same text.
        app.chat.conversations.newConversation();
        app.chat.conversations.setSampling(sampling);
        QSignalSpy streamed(&app.chat.turns, &TurnController::streamed);
        QVERIFY(app.chat.turns.send(QStringLiteral("Tell me a story.")));
        QVERIFY(app.waitReply());
        QVERIFY(streamed.count() > 1);
        const MessageData reply = app.chat.conversations.branch().last();
        QCOMPARE(reply.content, local);
        QVERIFY(reply.generatedTokens > 0 && reply.promptTokens > 0);
        QCOMPARE(reply.stopReason, QStringLiteral("length"));

        // Stop: what came so far is kept, marked as stopped.
        SamplingSettings longer = greedy(400);
        longer.temperature = 1.0;
        app.chat.conversations.setSampling(longer);
        QSignalSpy firstToken(&app.chat.turns, &TurnController::streamed);
        QVERIFY(app.chat.turns.send(QStringLiteral("Write a long story.")));
        QVERIFY(firstToken.wait(10000));
        app.chat.turns.stop();
        QVERIFY(app.waitReply(10000));
        QCOMPARE(app.chat.conversations.branch().last().stopReason, QStringLiteral("cancelled"));

        // Looking inside needs a local model, and says so.
        QSignalSpy traceFailed(&app.engine, &EngineController::traceFailed);
        TraceRequest t;
        t.turns = {ChatTurn{QStringLiteral("user"), QStringLiteral("hi")}};
        app.engine.traceMessage(t);
        QVERIFY(traceFailed.wait(5000));
        QVERIFY(traceFailed.first().at(1).toString().contains(QLatin1String("needs a local model")));

        // Back to a local model.
        QVERIFY(app.load(builtinModel()));
        QVERIFY(!app.models.isRemote());
        QVERIFY(!app.settings.recentModels().join(QLatin1Char(' ')).contains(QLatin1String("remote:")));
    }

    void aWrongModelOrKeyIsRefusedAndTheLocalModelStays()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        const QUrl base = startServer(app.server);
        QVERIFY(base.isValid() && !base.isEmpty());
        QVERIFY(app.load(builtinModel()));
        const QString local = app.models.currentPath();
        QSignalSpy errors(&app.models, &ModelController::errorOccurred);
        app.models.connectRemote({base, QStringLiteral("gpt-4o"), QStringLiteral("remote-key")});
        QVERIFY(errors.wait(10000));
        QVERIFY2(errors.last().first().toString().contains(QLatin1String("no model \"gpt-4o\"")),
                 qPrintable(errors.last().first().toString()));
        app.models.connectRemote({base, QStringLiteral("seekbench-moe"), QStringLiteral("wrong")});
        QVERIFY(errors.wait(10000));
        QVERIFY2(errors.last().first().toString().contains(QLatin1String("401")), qPrintable(errors.last().first().toString()));
        app.models.connectRemote({QUrl(QStringLiteral("http://127.0.0.1:1/v1")), QStringLiteral("x"), QString()});
        QVERIFY(errors.wait(10000));
        QCOMPARE(app.models.currentPath(), local);
        QVERIFY(!app.models.isRemote());
    }
};

QTEST_GUILESS_MAIN(RemoteTest)
#include "remote_test.moc"
