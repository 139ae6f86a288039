// The Knowledge panel as a user meets it, offscreen: add a folder of Markdown, a PDF and a
// file that is not text; watch the progress; see the skipped file listed with its reason;
// search; open a result in the source view at the exact passage (and the PDF's page). A
// chat that answers from the collection, with sources that open the passage. And
// cancelling a large folder stops early and keeps what was added. An embedding model (a
// synth bert) makes search hybrid: passages get embedded, new files too, and a file that is
// not a model is refused with its reason while the open one stays.
#include "appharness.h"
#include "../storage/pdfmaker.h"

#include "ui/chatpanel.h"
#include "ui/controllers/tracecontroller.h"
#include "ui/knowledgepanel.h"
#include "ui/messagewidget.h"

#include "engine/synth.h"

#include <QComboBox>
#include <QMenu>
#include <QToolButton>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <fstream>

namespace {

void write(const QString& path, const std::string& bytes)
{
    std::ofstream(path.toStdString(), std::ios::binary) << bytes;
}

// Waits until `spy` has seen `n` signals in all. Two queued signals can arrive in one turn of
// the event loop (an ingest's end and the embedding of what it added, on a loaded machine), so
// waiting for "the next one" after the first would wait for a signal that already came.
bool reach(QSignalSpy& spy, int n, int ms)
{
    return QTest::qWaitFor([&] { return spy.count() >= n; }, ms);
}

} // namespace

class KnowledgeTest : public QObject {
    Q_OBJECT
private slots:
    void addSearchAndOpen()
    {
        QTemporaryDir data, docs;
        write(docs.filePath(QStringLiteral("kettle.md")),
              "# Kettles\n\nA kettle boils water.\n\n## Descaling\n\nVinegar removes limescale from a kettle.\n");
        write(docs.filePath(QStringLiteral("tea.md")), "# Tea\n\nGreen tea wants water at 80 degrees.\n");
        write(docs.filePath(QStringLiteral("manual.pdf")),
              make_pdf({{"Safety first."}, {"Never immerse the kettle base in water."}}));
        write(docs.filePath(QStringLiteral("image.txt")), std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
        AppHarness app(data.path());
        KnowledgePanel* panel = app.window->knowledgePanel();
        QVERIFY(panel);
        QSignalSpy progress(&app.knowledge, &KnowledgeController::ingestProgress);
        QSignalSpy finished(&app.knowledge, &KnowledgeController::ingestFinished);
        panel->collectionBox()->setCurrentText(QStringLiteral("Home"));
        panel->addPaths({docs.path()});
        QVERIFY(panel->cancelButton()->isVisibleTo(panel));
        QVERIFY(finished.wait(20000));
        QVERIFY(progress.count() >= 1);
        QCOMPARE(progress.last().at(0).toInt(), 4); // done
        QCOMPARE(progress.last().at(1).toInt(), 4); // of
        QVERIFY(!panel->progressBar()->isVisibleTo(panel));
        QVERIFY2(panel->summaryLabel()->text().contains(QStringLiteral("3 added")),
                 qPrintable(panel->summaryLabel()->text()));
        QCOMPARE(panel->failures()->count(), 1);
        QVERIFY(panel->failures()->item(0)->text().contains(QStringLiteral("image.txt")));
        QVERIFY(panel->failures()->item(0)->text().contains(QStringLiteral("binary")));
        QCOMPARE(panel->collectionBox()->currentText(), QStringLiteral("Home"));
        QVERIFY(panel->currentCollectionId() != 0);

        // Search, then open the best passage: the source view shows its file with exactly
        // that passage highlighted.
        panel->searchBox()->setText(QStringLiteral("limescale"));
        QVERIFY(QTest::qWaitFor([&] { return panel->results()->count() > 0; }, 5000));
        QVERIFY(panel->results()->item(0)->text().contains(QStringLiteral("Descaling")));
        emit panel->results()->itemActivated(panel->results()->item(0));
        QVERIFY(QTest::qWaitFor([&] { return panel->sourceView()->isVisible(); }, 5000));
        QCOMPARE(panel->sourceView()->highlighted(),
                 QStringLiteral("## Descaling\n\nVinegar removes limescale from a kettle."));
        QVERIFY(panel->sourceView()->locationLabel()->text().contains(QStringLiteral("kettle.md")));

        panel->searchBox()->setText(QStringLiteral("immerse"));
        QVERIFY(QTest::qWaitFor([&] {
            return panel->results()->count() > 0 && panel->results()->item(0)->text().contains(QStringLiteral("manual"));
        }, 5000));
        emit panel->results()->itemActivated(panel->results()->item(0));
        QVERIFY(QTest::qWaitFor([&] { return panel->sourceView()->highlighted().contains(QStringLiteral("immerse")); },
                                5000));
        QVERIFY(panel->sourceView()->locationLabel()->text().contains(QStringLiteral(", page 2")));

        // Adding the same folder again changes nothing.
        panel->addPaths({docs.path()});
        QVERIFY(finished.wait(20000));
        QVERIFY2(panel->summaryLabel()->text().contains(QStringLiteral("3 unchanged")),
                 qPrintable(panel->summaryLabel()->text()));
    }

    // A conversation that answers from a collection: the question goes to the model with the
    // passages found for it, the answer lists them as sources, and a citation opens the exact
    // passage of its file.
    void chatAnswersWithCitations()
    {
        QTemporaryDir data, docs;
        const std::string kettle =
            "# Kettle manual\n\n## Descaling\n\nDescale the kettle once a month: boil water with two spoons of "
            "vinegar, wait an hour, rinse twice.\n\n## Warranty\n\nThe warranty lasts two years from purchase.\n";
        write(docs.filePath(QStringLiteral("kettle.md")), kettle);
        write(docs.filePath(QStringLiteral("garden.md")), "# Garden\n\nWater the roses in the evening.\n");
        AppHarness app(data.path());
        QSignalSpy finished(&app.knowledge, &KnowledgeController::ingestFinished);
        app.knowledge.ingest(QStringLiteral("Home"), {docs.path()});
        QVERIFY(finished.wait(20000));
        QVERIFY(app.load(builtinModel()));
        ChatPanel* chat = app.window->chatPanel();
        QVERIFY(QTest::qWaitFor([&] { return chat->knowledgeButton()->menu()->actions().size() == 1; }, 5000));
        QVERIFY(chat->knowledgeButton()->text().contains(QStringLiteral("off")));
        QAction* home = chat->knowledgeButton()->menu()->actions().front();
        QCOMPARE(home->text(), QStringLiteral("Home"));
        home->setChecked(true); // a conversation starts and answers from "Home" from now on
        QCOMPARE(app.chat.conversations.knowledge(), QStringList{QStringLiteral("Home")});
        QVERIFY(chat->knowledgeButton()->text().contains(QStringLiteral("Home")));

        QSignalSpy provenance(&app.chat.traces, &TraceController::provenanceReady);
        chat->input()->setPlainText(QStringLiteral("How often should I descale the kettle?"));
        chat->send();
        QVERIFY(app.chat.turns.isGenerating());
        QVERIFY(app.waitReply());
        const QList<MessageData> branch = app.chat.conversations.branch();
        QCOMPARE(branch.size(), 2);
        const QList<CitedSource> sources = branch[0].sources;
        QVERIFY(!sources.isEmpty());
        QCOMPARE(sources[0].n, 1);
        QVERIFY(sources[0].path.endsWith(QStringLiteral("kettle.md")));
        QCOMPARE(sources[0].heading, QStringLiteral("Kettle manual > Descaling"));
        // The citation's span selects exactly its passage in the file.
        QCOMPARE(QString::fromStdString(kettle.substr(std::size_t(sources[0].byteStart),
                                                      std::size_t(sources[0].byteEnd - sources[0].byteStart))),
                 sources[0].text);
        QCOMPARE(branch[1].sources.size(), sources.size()); // the answer cites its question's passages
        // What the model read: the passages, numbered, then the question.
        const QString prompt = app.chat.conversations.turnsUpTo(branch[0].id).back().content;
        QVERIFY(prompt.startsWith(QStringLiteral("Sources:\n\n[1] kettle.md - Kettle manual > Descaling\n")));
        QVERIFY(prompt.endsWith(QStringLiteral("Question: How often should I descale the kettle?")));
        QCOMPARE(branch[0].content, QStringLiteral("How often should I descale the kettle?")); // shown as asked

        // The answer lists its sources; a citation opens the passage in the source view.
        QVERIFY(QTest::qWaitFor([&] { return chat->messageWidgets().size() == 2; }, 5000));
        MessageWidget* answer = chat->messageWidgets()[1];
        QVERIFY(QTest::qWaitFor([&] { return answer->sourcesLabel()->isVisibleTo(answer); }, 5000));
        QVERIFY(answer->sourcesLabel()->text().contains(QStringLiteral("kettle.md")));
        // With no panel open the answer is traced all the same: its attention per source.
        QVERIFY(provenance.count() > 0 || provenance.wait(60000));
        QCOMPARE(provenance.last().at(0).toLongLong(), branch[1].id);
        const auto shares = provenance.last().at(1).value<QList<double>>();
        QCOMPARE(shares.size(), sources.size());
        double sum = 0;
        for (double share : shares) {
            QVERIFY(share >= 0 && share <= 1);
            sum += share;
        }
        QVERIFY(qAbs(sum - provenance.last().at(2).toDouble()) < 1e-9);
        QVERIFY(sum > 0);
        QVERIFY(QTest::qWaitFor([&] { return answer->sourcesLabel()->text().contains(QStringLiteral("attention")); }, 5000));
        // Per sentence of the answer: its shares, one per source; the tooltip lists them.
        const auto sentences = provenance.last().at(3).value<QList<SentenceProvenance>>();
        QVERIFY(!sentences.isEmpty());
        for (const SentenceProvenance& sp : sentences)
            QCOMPARE(sp.shares.size(), sources.size());
        QVERIFY(answer->sourcesLabel()->toolTip().contains(QStringLiteral("[")));
        qInfo("attention on the sources: %s", qPrintable(answer->sourcesLabel()->text()));
        emit answer->sourcesLabel()->linkActivated(QStringLiteral("cite:1"));
        SourceView* view = app.window->knowledgePanel()->sourceView();
        QVERIFY(QTest::qWaitFor([&] { return view->isVisible() && !view->highlighted().isEmpty(); }, 5000));
        QCOMPARE(view->highlighted(), sources[0].text);

        // A conversation without knowledge asks the question alone.
        app.chat.conversations.newConversation();
        QVERIFY(!chat->knowledgeButton()->menu()->actions().front()->isChecked());
        QVERIFY(app.chat.turns.send(QStringLiteral("What is a kettle?")));
        QVERIFY(app.waitReply());
        QVERIFY(app.chat.conversations.branch().front().sources.isEmpty());
    }

    void embeddingModelMakesSearchHybrid()
    {
        QTemporaryDir data, docs, models;
        write(docs.filePath(QStringLiteral("kettle.md")),
              "# Kettles\n\nA kettle boils water.\n\n## Descaling\n\nVinegar removes limescale from a kettle.\n");
        write(docs.filePath(QStringLiteral("tea.md")), "# Tea\n\nGreen tea wants water at 80 degrees.\n");
        const QString model = models.filePath(QStringLiteral("bert-tiny.gguf"));
        seekbench::SynthOptions o;
        o.type = seekbench::TensorType::Q8_0;
        seekbench::write_synth_model(*seekbench::find_synth_preset("bert-tiny"), o, model.toStdString());
        AppHarness app(data.path());
        KnowledgePanel* panel = app.window->knowledgePanel();
        QVERIFY(panel->retrievalLabel()->text().contains(QStringLiteral("by words")));
        QSignalSpy finished(&app.knowledge, &KnowledgeController::ingestFinished);
        panel->collectionBox()->setCurrentText(QStringLiteral("Home"));
        panel->addPaths({docs.filePath(QStringLiteral("kettle.md"))});
        QVERIFY(finished.wait(20000));

        QSignalSpy changed(&app.knowledge, &KnowledgeController::embeddingModelChanged);
        QSignalSpy embedded(&app.knowledge, &KnowledgeController::embedFinished);
        app.knowledge.setEmbeddingModel(model);
        QVERIFY(embedded.wait(20000));
        QCOMPARE(changed.count(), 1);
        QVERIFY(changed.first().at(3).toString().isEmpty());
        QCOMPARE(changed.first().at(2).toInt(), 64);
        QCOMPARE(app.knowledge.embeddingModel(), QStringLiteral("bert-tiny.gguf"));
        QCOMPARE(embedded.first().at(0).toInt(), app.knowledge.collections().front().chunks);
        QVERIFY2(panel->retrievalLabel()->text().contains(QStringLiteral("bert-tiny.gguf")),
                 qPrintable(panel->retrievalLabel()->text()));
        QVERIFY(!panel->progressBar()->isVisibleTo(panel));

        // Files added now are embedded after they are read; search ranks by both lists.
        panel->addPaths({docs.filePath(QStringLiteral("tea.md"))});
        QVERIFY(reach(finished, 2, 20000));
        QVERIFY(reach(embedded, 2, 20000));
        QVERIFY(embedded.last().at(0).toInt() > 0);
        QSignalSpy found(&app.knowledge, &KnowledgeController::searchFinished);
        app.knowledge.search(QStringLiteral("limescale kettle"), {}, 8);
        QVERIFY(found.wait(5000));
        const auto hits = found.last().at(1).value<QList<KnowledgeHit>>();
        QVERIFY(!hits.isEmpty());
        QVERIFY(hits.front().bm25Rank == 1);
        QVERIFY(std::all_of(hits.begin(), hits.end(), [](const KnowledgeHit& h) { return h.vectorRank > 0; }));

        // Not a model: refused with the reason; the open model stays.
        const QString bad = docs.filePath(QStringLiteral("tea.md"));
        app.knowledge.setEmbeddingModel(bad);
        QVERIFY(changed.wait(5000));
        QVERIFY(!changed.last().at(3).toString().isEmpty());
        QCOMPARE(app.knowledge.embeddingModel(), QStringLiteral("bert-tiny.gguf"));
        QVERIFY(panel->summaryLabel()->text().contains(QStringLiteral("could not be opened")));

        // Words only again.
        app.knowledge.setEmbeddingModel(QString());
        QVERIFY(changed.wait(5000));
        QVERIFY(app.knowledge.embeddingModel().isEmpty());
        QVERIFY(panel->retrievalLabel()->text().contains(QStringLiteral("Open an embedding model")));
    }

    // Embedding runs in batches on the worker: a search asked for meanwhile is answered
    // before the last batch, not after the whole collection.
    void searchIsAnsweredWhileEmbedding()
    {
        QTemporaryDir data, docs, models;
        for (int i = 0; i < 300; ++i)
            write(docs.filePath(QStringLiteral("n%1.md").arg(i)), "# Note " + std::to_string(i) + "\n\nThe kettle.\n");
        const QString model = models.filePath(QStringLiteral("bert-tiny.gguf"));
        seekbench::SynthOptions o;
        o.type = seekbench::TensorType::Q8_0;
        seekbench::write_synth_model(*seekbench::find_synth_preset("bert-tiny"), o, model.toStdString());
        AppHarness app(data.path(), false);
        QSignalSpy finished(&app.knowledge, &KnowledgeController::ingestFinished);
        app.knowledge.ingest(QStringLiteral("notes"), {docs.path()});
        QVERIFY(finished.wait(20000));
        QSignalSpy embedded(&app.knowledge, &KnowledgeController::embedFinished);
        QSignalSpy progress(&app.knowledge, &KnowledgeController::embedProgress);
        QSignalSpy found(&app.knowledge, &KnowledgeController::searchFinished);
        int embeddedWhenFound = -1; // counted as the answer arrives, not when the test next looks
        connect(&app.knowledge, &KnowledgeController::searchFinished, this,
                [&] { embeddedWhenFound = progress.isEmpty() ? 0 : progress.last().at(0).toInt(); });
        app.knowledge.setEmbeddingModel(model);
        app.knowledge.search(QStringLiteral("kettle"), {}, 5);
        QVERIFY(reach(found, 1, 20000));
        QVERIFY(embeddedWhenFound >= 0 && embeddedWhenFound < 300); // the search did not wait for all 300 passages
        QVERIFY(reach(embedded, 1, 60000));
        QCOMPARE(embedded.first().at(0).toInt(), 300);
        QVERIFY(progress.count() >= 2);
        QCOMPARE(progress.last().at(0).toInt(), 300);
        QCOMPARE(progress.last().at(1).toInt(), 300);
    }

    void cancelKeepsWhatWasAdded()
    {
        QTemporaryDir data, docs;
        for (int i = 0; i < 3000; ++i)
            write(docs.filePath(QStringLiteral("n%1.txt").arg(i)), "note number " + std::to_string(i) + "\n");
        AppHarness app(data.path(), false);
        QSignalSpy progress(&app.knowledge, &KnowledgeController::ingestProgress);
        QSignalSpy finished(&app.knowledge, &KnowledgeController::ingestFinished);
        app.knowledge.ingest(QStringLiteral("notes"), {docs.path()});
        QVERIFY(progress.wait(20000));
        app.knowledge.cancelIngest();
        QVERIFY(finished.wait(20000));
        const auto summary = finished.last().at(0).value<IngestSummary>();
        QVERIFY(summary.cancelled);
        QVERIFY(summary.added > 0 && summary.added < 3000);
        QVERIFY(QTest::qWaitFor([&] { return !app.knowledge.collections().isEmpty(); }, 5000));
        QCOMPARE(app.knowledge.collections().front().documents, summary.added);
    }
};

QTEST_MAIN(KnowledgeTest)
#include "knowledge_test.moc"
