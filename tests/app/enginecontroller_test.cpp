// EngineController and its worker thread with the built-in model: requests and results
// cross threads as queued calls, every engine failure comes back as a signal, a reply goes
// before a trace, and the trace budget keeps the focus layer.
#include "controllers.h"

#include "engine/trace.h"

#include <QTemporaryDir>
#include <QThread>

class EngineControllerTest : public QObject {
    Q_OBJECT
private slots:
    void loadsAndDescribesTheModel()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QSignalSpy progress(&app.engine, &EngineController::loadProgress);
        QVERIFY(app.load(builtinModel()));
        QVERIFY(app.engine.isLoaded());
        const LoadedModel& m = app.engine.model();
        QCOMPARE(m.architecture, QStringLiteral("deepseek2"));
        QVERIFY(m.experts > 0 && m.expertsUsed > 0 && m.layers > 0 && m.parameters > m.activeParameters);
        QVERIFY(!m.templateName.isEmpty());
        QVERIFY(m.device.contains(QLatin1String("CPU")) || !m.device.isEmpty());
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toDouble(), 1.0);
    }

    void failuresComeBackAsSignals()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QSignalSpy genFailed(&app.engine, &EngineController::generationFailed);
        QSignalSpy traceFailed(&app.engine, &EngineController::traceFailed);
        QSignalSpy loadFailed(&app.engine, &EngineController::loadFailed);
        GenerationRequest g;
        g.turns = {{QStringLiteral("user"), QStringLiteral("Hello")}};
        const quint64 id = app.engine.generate(g);
        QVERIFY(genFailed.wait(10000));
        QCOMPARE(genFailed.at(0).at(0).toULongLong(), id);
        QCOMPARE(genFailed.at(0).at(1).toString(), QStringLiteral("No model is loaded."));
        QVERIFY(!app.engine.isBusy());
        TraceRequest t;
        t.turns = g.turns;
        app.engine.traceMessage(t);
        QVERIFY(traceFailed.wait(10000));

        // A file that is GGUF only by its first bytes: the engine names what is wrong.
        QFile cut(dir.filePath(QStringLiteral("cut.gguf")));
        QVERIFY(cut.open(QIODevice::WriteOnly));
        cut.write(QByteArray("GGUF\3\0\0\0", 8));
        cut.close();
        app.engine.loadModel(cut.fileName());
        QVERIFY(loadFailed.wait(10000));
        QVERIFY(!loadFailed.at(0).at(1).toString().isEmpty());
        QVERIFY(!app.engine.isLoaded());
        QVERIFY(!app.engine.isLoading());
    }

    // A model faster than the GUI draws gets its tokens in batches, never a backlog: the
    // GUI thread, busy for a while, then receives what was written as few pieces.
    void tokensAreHandedOverWithoutABacklog()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QVERIFY(app.load(builtinModel()));
        QSignalSpy tokens(&app.engine, &EngineController::tokenGenerated);
        QSignalSpy finished(&app.engine, &EngineController::generationFinished);
        GenerationRequest g;
        g.turns = {{QStringLiteral("user"), QStringLiteral("Tell me a story.")}};
        g.sampling.temperature = 0;
        g.sampling.maxTokens = 64;
        app.engine.generate(g);
        QThread::msleep(1500); // the GUI thread is busy; the worker writes the whole reply
        QVERIFY(finished.wait(30000));
        const auto stats = qvariant_cast<GenerationStats>(finished.at(0).at(0));
        QVERIFY(stats.generatedTokens > 8);
        QVERIFY2(tokens.count() <= 3, qPrintable(QString::number(tokens.count())));
    }

    // A reply asked for while a trace is queued or running goes first: the trace gives up at
    // its next chunk of tokens, and the reply is written as usual.
    void replyCancelsARunningTrace()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QVERIFY(app.load(builtinModel()));
        TraceRequest t;
        t.turns = {{QStringLiteral("user"), QStringLiteral("many words ").repeated(300)}};
        QSignalSpy failed(&app.engine, &EngineController::traceFailed);
        QSignalSpy ready(&app.engine, &EngineController::traceReady);
        QSignalSpy finished(&app.engine, &EngineController::generationFinished);
        const quint64 traceId = app.engine.traceMessage(t);
        GenerationRequest g;
        g.turns = {{QStringLiteral("user"), QStringLiteral("Hello")}};
        g.sampling.maxTokens = 4;
        app.engine.generate(g);
        QVERIFY(finished.wait(30000));
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failed.at(0).at(0).toULongLong(), traceId);
        QCOMPARE(ready.count(), 0);
        // A trace asked for afterwards runs to the end.
        app.engine.traceMessage(t);
        QVERIFY(ready.wait(30000));
        QVERIFY(qvariant_cast<TraceResult>(ready.at(0).at(0)).trace->tokens.size() > 300);
    }

    // Not every layer fits the memory budget: the focus layer is kept, the rest say so.
    void attentionBudgetKeepsTheFocusLayer()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QVERIFY(app.load(builtinModel()));
        TraceRequest r;
        r.turns = {{QStringLiteral("user"), QStringLiteral("a few words to look at")}};
        r.focusLayer = 2;
        r.budgetBytes = 1; // less than one layer: the focus layer alone
        QSignalSpy ready(&app.engine, &EngineController::traceReady);
        app.engine.traceMessage(r);
        QVERIFY(ready.wait(30000));
        const auto result = qvariant_cast<TraceResult>(ready.at(0).at(0));
        QCOMPARE(result.attentionLayers, QList<int>{2});
        for (const seekbench::AttentionMap& m : result.trace->attention)
            QCOMPARE(m.layer, 2);
        QVERIFY(result.trace->bytes() < 64 * 1024);
    }

};

QTEST_GUILESS_MAIN(EngineControllerTest)
#include "enginecontroller_test.moc"
