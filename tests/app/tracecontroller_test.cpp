// TraceController with the built-in model (a DeepSeek-style MoE), no window: while a panel
// wants it each reply is traced, any other message on request, a new reply supersedes a
// trace still running, and the trace is dropped when it goes stale or is not wanted.
#include "controllers.h"

#include "engine/trace.h"

#include <QTemporaryDir>

class TraceControllerTest : public QObject {
    Q_OBJECT
private slots:
    void tracesEachReplyWhileWanted()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QVERIFY(app.load(builtinModel()));
        TraceController& traces = app.chat.traces;
        QSignalSpy started(&traces, &TraceController::traceStarted);
        QSignalSpy ready(&traces, &TraceController::traceReady);
        QSignalSpy cleared(&traces, &TraceController::traceCleared);
        app.chat.conversations.newConversation();
        app.chat.conversations.setSampling(greedy(12));

        // Not wanted: a reply is not traced.
        QVERIFY(app.chat.turns.send(QStringLiteral("Which experts?")));
        QVERIFY(app.waitReply());
        QTest::qWait(100);
        QCOMPARE(started.count(), 0);

        // Wanted: the newest reply is traced at once, and each new one after it is written.
        traces.setTraceWanted(true);
        QVERIFY(QTest::qWaitFor([&] { return traces.trace().trace && !traces.isTracing(); }, 30000));
        const QList<MessageData> branch = app.chat.conversations.branch();
        QCOMPARE(traces.trace().messageId, branch.last().id);
        const TraceResult first = traces.trace();
        QVERIFY(first.trace->routing.size() > 0); // a MoE model: the router's choices are there
        QVERIFY(!first.attentionLayers.isEmpty());
        QVERIFY(first.messageStart > 0 && first.messageEnd == int(first.trace->tokens.size()));

        QVERIFY(app.chat.turns.send(QStringLiteral("And the shared expert?")));
        QVERIFY(app.waitReply());
        QVERIFY(QTest::qWaitFor([&] { return traces.trace().messageId == app.chat.conversations.branch().last().id; },
                                30000));
        QVERIFY(traces.trace().trace->tokens.size() > first.trace->tokens.size());

        // Any message on request: the question's trace ends where the question does.
        traces.requestTrace(branch.first().id);
        QVERIFY(QTest::qWaitFor([&] { return traces.trace().messageId == branch.first().id; }, 30000));
        QVERIFY(traces.trace().trace->tokens.size() < first.trace->tokens.size());

        // Another branch: a new answer to the last question is traced; showing the first answer
        // again drops that trace (its message is off screen) and traces the answer shown.
        QVERIFY(app.chat.turns.regenerate());
        QVERIFY(app.waitReply());
        const qint64 second = app.chat.conversations.branch().last().id;
        QVERIFY(QTest::qWaitFor([&] { return traces.trace().messageId == second && !traces.isTracing(); }, 30000));
        const int clearedAtSwitch = int(cleared.count());
        app.chat.conversations.switchBranch(int(app.chat.conversations.branch().size()) - 1, -1);
        const qint64 shown = app.chat.conversations.branch().last().id;
        QVERIFY(shown != second);
        QCOMPARE(int(cleared.count()), clearedAtSwitch + 1);
        QVERIFY(QTest::qWaitFor([&] { return traces.trace().messageId == shown && !traces.isTracing(); }, 30000));

        // Another conversation: the trace shown is stale and goes; no panel: it is dropped.
        const int clearedBefore = int(cleared.count());
        app.chat.conversations.newConversation();
        QCOMPARE(int(cleared.count()), clearedBefore + 1);
        QVERIFY(!traces.trace().trace);
        traces.setTraceWanted(false);
        QVERIFY(!traces.trace().trace);
        QVERIFY(ready.count() >= 3);
    }

    // A reply asked for while a trace runs goes first: the controller forgets the trace it
    // asked for, and asks again after the reply when a panel still wants one.
    void aReplySupersedesARunningTrace()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QVERIFY(app.load(builtinModel()));
        TraceController& traces = app.chat.traces;
        app.chat.conversations.newConversation();
        app.chat.conversations.setSampling(greedy(4));
        QVERIFY(app.chat.turns.send(QStringLiteral("many words ").repeated(120)));
        QVERIFY(app.waitReply());
        QSignalSpy failed(&traces, &TraceController::traceFailed);
        traces.setTraceWanted(true);
        QVERIFY(traces.isTracing());
        QVERIFY(app.chat.turns.send(QStringLiteral("Hello")));
        QVERIFY(!traces.isTracing()); // superseded by the reply
        QVERIFY(app.waitReply());
        QVERIFY(QTest::qWaitFor([&] { return traces.trace().messageId == app.chat.conversations.branch().last().id; },
                                30000));
        QCOMPARE(failed.count(), 0); // a superseded trace is not an error to show
    }
};

QTEST_GUILESS_MAIN(TraceControllerTest)
#include "tracecontroller_test.moc"
