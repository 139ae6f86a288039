// SelfTest: each step waits for the app's own signals (with a deadline), never sleeps.
#include "selftest.h"

#include "eventwait.h"

#include "ui/attentionpanel.h"
#include "ui/chatpanel.h"
#include "ui/codeeditor.h"
#include "ui/codepanel.h"
#include "ui/heatmapview.h"
#include "ui/knowledgepanel.h"

#include "engine/synth.h"
#include "ui/mainwindow.h"
#include "ui/messagewidget.h"
#include "ui/profilechart.h"
#include "ui/routingpanel.h"
#include "ui/workbenchdialog.h"

#include "ui/controllers/chatcontrollers.h"
#include "ui/controllers/devicecontroller.h"
#include "ui/controllers/modelcontroller.h"
#include "ui/controllers/themecontroller.h"

#include "engine/trace.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QDialog>
#include <QElapsedTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QKeyEvent>
#include <QComboBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QTextBlock>
#include <QPixmap>
#include <QProgressBar>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimer>
#include <cmath>
#include <cstdio>
#include <random>

SelfTest::SelfTest(MainWindow& window, ModelController& models, DeviceController& devices, ChatControllers& chat,
                   ThemeController& theme, const AppOptions& options, QObject* parent)
    : QObject(parent), m_window(window), m_models(models), m_devices(devices), m_theme(theme), m_chat(chat),
      m_options(options)
{
    connect(&m_models, &ModelController::errorOccurred, this,
            [this](const QString& message) { m_modelError = message; });
}

void SelfTest::run()
{
    std::printf("self-test: writing to %s\n", qPrintable(m_options.selfTestDir));
    if (!QDir().mkpath(m_options.selfTestDir))
        fail(QStringLiteral("cannot create the output folder %1").arg(m_options.selfTestDir));
    // A store that fell back to memory means nothing a user says is kept: a failure.
    if (!m_chat.conversations.storageWarning().isEmpty())
        fail(QStringLiteral("conversations are not being saved: %1").arg(m_chat.conversations.storageWarning()));
    if (!m_failed)
        waitForDevices();
    if (!m_failed)
        waitForModel();
    if (!m_failed)
        chatTurn();
    if (!m_failed)
        lookInside();
    if (!m_failed)
        capture();
    if (!m_failed)
        timePanels();
    if (!m_failed)
        writeCode();
    if (!m_failed)
        searchKnowledge();
    if (!m_failed)
        workbench();
    finish();
}

void SelfTest::waitForDevices()
{
    if (!waitUntil([this] { return m_devices.hasResult(); }))
        return fail(QStringLiteral("the device probe did not answer within %1 s")
                        .arg(kStepTimeoutMs / 1000));
    std::printf("self-test: devices: %s; CUDA: %s\n", qPrintable(m_devices.cpuSummary()),
                qPrintable(m_devices.cudaSummary()));
}

void SelfTest::waitForModel()
{
    if (m_options.modelPath.isEmpty())
        return;
    if (!waitUntil([this] { return !m_models.currentPath().isEmpty() || !m_modelError.isEmpty(); }))
        return fail(QStringLiteral("opening the model %1 did not finish").arg(m_options.modelPath));
    if (!m_modelError.isEmpty())
        return fail(QStringLiteral("opening the model failed: %1").arg(m_modelError));
    std::printf("self-test: model: %s\n", qPrintable(m_models.currentPath()));
}

// With a model: one chat turn, streamed and stored, as a user would have it.
void SelfTest::chatTurn()
{
    if (m_models.currentPath().isEmpty())
        return;
    const QString prompt = QStringLiteral("Tell me a story.");
    m_chat.conversations.newConversation();
    int chunks = 0;
    const auto counter = connect(&m_chat.turns, &TurnController::streamed, this, [&chunks] { ++chunks; });
    if (!m_chat.turns.send(prompt))
        return fail(QStringLiteral("the prompt could not be sent"));
    const bool done = waitUntil([this] { return !m_chat.turns.isGenerating(); }, 300000);
    disconnect(counter);
    if (!done)
        return fail(QStringLiteral("the reply did not finish within 5 minutes"));
    const QList<MessageData> branch = m_chat.conversations.branch();
    if (branch.size() < 2 || branch.front().content != prompt || branch.back().role != QLatin1String("assistant"))
        return fail(QStringLiteral("the conversation was not stored as sent and answered"));
    const MessageData& reply = branch.back();
    if (reply.content.trimmed().isEmpty() || reply.stopReason == QLatin1String("error"))
        return fail(QStringLiteral("the reply is empty or failed (%1)").arg(reply.stopReason));
    std::printf("self-test: reply streamed in %d pieces, %d tokens at %.1f tokens/s (%s): %s\n", chunks,
                reply.generatedTokens, reply.tokensPerSecond, qPrintable(reply.stopReason),
                qPrintable(reply.content.left(120).simplified()));
    m_window.showPanel(QStringLiteral("chat"));
    QApplication::processEvents();
}

// The panels are open, so the reply just written is run through the model again with
// tracing on; both panels show it.
void SelfTest::lookInside()
{
    if (m_models.currentPath().isEmpty())
        return;
    if (!waitUntil([this] { return m_chat.traces.trace().trace != nullptr && !m_chat.traces.isTracing(); }, 120000))
        return fail(QStringLiteral("the trace of the reply did not arrive"));
    const TraceResult& t = m_chat.traces.trace();
    std::printf("self-test: trace: %d tokens (the reply: %d), %d attention maps of %d layers, %d routing records, "
                "%.1f MB\n",
                static_cast<int>(t.trace->tokens.size()), t.messageEnd - t.messageStart,
                static_cast<int>(t.trace->attention.size()), static_cast<int>(t.attentionLayers.size()),
                static_cast<int>(t.trace->routing.size()), double(t.trace->bytes()) / 1e6);
}

namespace {
// A trace as long as the panels promise to handle quickly: every query attends to all
// earlier keys, and every token of every MoE layer picks experts.
TraceResult syntheticTrace(int tokens, int layers, int heads, int experts, int used)
{
    auto trace = std::make_shared<seekbench::Trace>();
    trace->model = "synthetic";
    trace->n_layers = layers, trace->n_heads = heads, trace->n_experts = experts, trace->n_experts_used = used;
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (int t = 0; t < tokens; ++t) {
        trace->tokens.push_back(t % 100);
        trace->positions.push_back(t);
        trace->pieces.push_back("tok" + std::to_string(t));
    }
    for (int l = 0; l < layers; ++l)
        for (int h = 0; h < heads; ++h) {
            seekbench::AttentionMap& m = trace->map(l, h);
            for (int q = 0; q < tokens; ++q) {
                m.query_pos.push_back(q);
                std::vector<float> row(static_cast<std::size_t>(q + 1));
                float sum = 0;
                for (float& p : row)
                    sum += (p = u(rng) * u(rng) * u(rng));
                for (float& p : row)
                    p /= sum;
                m.probs.push_back(std::move(row));
            }
        }
    for (int l = 0; l < layers; ++l)
        for (int t = 0; t < tokens; ++t) {
            seekbench::RoutingRecord r;
            r.layer = l, r.pos = t, r.token = t % 100;
            for (int k = 0; k < used; ++k) {
                r.experts.push_back((t * 7 + k * 13 + l) % experts);
                r.weights.push_back(1.0f / used);
            }
            trace->routing.push_back(std::move(r));
        }
    TraceResult result;
    result.trace = trace;
    result.messageStart = tokens / 2;
    result.messageEnd = tokens;
    for (int l = 0; l < layers; ++l)
        result.attentionLayers << l;
    return result;
}
} // namespace

// How long the panels take to show a 2,048-token trace: set it and draw every view.
void SelfTest::timePanels()
{
    const TraceResult big = syntheticTrace(2048, 2, 4, 64, 6);
    AttentionPanel attention(m_chat.conversations, m_chat.traces);
    RoutingPanel routing(m_chat.conversations, m_chat.traces);
    attention.resize(900, 800);
    routing.resize(900, 800);
    QElapsedTimer clock;
    clock.start();
    attention.setTrace(big);
    attention.grab();
    const qint64 attentionMs = clock.restart();
    QList<qint64> attentionViews;
    for (auto view : {AttentionPanel::HeadsView, AttentionPanel::LinesView, AttentionPanel::EntropyView}) {
        attention.showView(view);
        attention.grab();
        attentionViews << clock.restart();
    }
    attention.map()->setZoom(8);
    attention.showView(AttentionPanel::MapView);
    clock.restart();
    attention.grab();
    const qint64 zoomedMs = clock.restart();
    routing.setTrace(big);
    routing.grab();
    const qint64 routingMs = clock.restart();
    QList<qint64> routingViews;
    for (auto view : {RoutingPanel::TextView, RoutingPanel::LoadView, RoutingPanel::EntropyView}) {
        routing.showView(view);
        routing.grab();
        routingViews << clock.restart();
    }
    std::printf("self-test: a 2048-token trace: attention map %lld ms (zoomed %lld ms), all heads %lld ms, head view "
                "%lld ms, entropy %lld ms; routing grid %lld ms, text %lld ms, load %lld ms, entropy %lld ms; "
                "trace %.0f MB\n",
                attentionMs, zoomedMs, attentionViews[0], attentionViews[1], attentionViews[2], routingMs,
                routingViews[0], routingViews[1], routingViews[2], double(big.trace->bytes()) / 1e6);
}

void SelfTest::capture()
{
    m_window.resize(1400, 900);
    QApplication::processEvents();
    if (!writePicture(&m_window, QStringLiteral("window")))
        return;
    // The same window in the dark and the high-contrast theme (the setting is left alone).
    for (auto [theme, name] : {std::pair{AppSettings::Theme::Dark, "window-dark"},
                               std::pair{AppSettings::Theme::HighContrast, "window-high-contrast"}}) {
        m_theme.show(theme);
        QApplication::processEvents();
        const bool ok = writePicture(&m_window, QString::fromLatin1(name));
        m_theme.apply();
        QApplication::processEvents();
        if (!ok)
            return;
    }
    for (const QString& id : m_window.panelIds()) {
        QWidget* panel = m_window.showPanel(id);
        if (!panel)
            return fail(QStringLiteral("the %1 panel has no place in the window").arg(id));
        if (!writePicture(panel, id))
            return;
        if (auto* attention = qobject_cast<AttentionPanel*>(panel); attention && !attention->data().isEmpty()) {
            attention->showView(AttentionPanel::HeadsView);
            attention->select(attention->data().layers().back(), AttentionData::kMean);
            if (!writePicture(panel, QStringLiteral("attention-heads")))
                return;
            attention->showView(AttentionPanel::LinesView);
            if (!writePicture(panel, QStringLiteral("attention-lines")))
                return;
            attention->showView(AttentionPanel::EntropyView);
            if (!writePicture(panel, QStringLiteral("attention-entropy")))
                return;
            attention->showView(AttentionPanel::MapView);
        }
        if (auto* routing = qobject_cast<RoutingPanel*>(panel); routing && routing->showsData()) {
            for (auto [view, name] : {std::pair{RoutingPanel::TextView, "routing-text"},
                                      std::pair{RoutingPanel::LoadView, "routing-load"},
                                      std::pair{RoutingPanel::EntropyView, "routing-entropy"}}) {
                routing->showView(view);
                if (!writePicture(panel, QString::fromLatin1(name)))
                    return;
            }
            routing->showView(RoutingPanel::GridView);
        }
    }
    for (QDialog* dialog : {m_window.createSettingsDialog(), m_window.createAboutDialog(),
                            m_window.createWelcomeDialog(), m_window.createShortcutsDialog(),
                            m_window.createGuideDialog()}) {
        dialog->show();
        const bool ok = writePicture(dialog, dialog->objectName());
        dialog->close();
        delete dialog;
        if (!ok)
            return;
    }
}

// What a new user does in the Code panel: open a Python file, type the start of a function,
// take the completion the model offers, see the checker's finding about a deliberate
// mistake, and ask in the chat for tests of a selection. Pictures: code-completion,
// code-findings, code-tests.
void SelfTest::writeCode()
{
    auto* panel = qobject_cast<CodePanel*>(m_window.showPanel(QStringLiteral("code")));
    if (!panel)
        return fail(QStringLiteral("there is no Code panel"));
    const QString path = QDir(m_options.selfTestDir).filePath(QStringLiteral("shapes.py"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write("import os\n\n\ndef area(width, height):\n    \"\"\"Return the area of a rectangle.\"\"\"\n"
                   "    return width * height\n\n\nprint(area(2, lenght))\n\n\n") < 0)
        return fail(QStringLiteral("cannot write %1").arg(path));
    file.close();
    if (!panel->openFile(path))
        return fail(QStringLiteral("the Code panel did not open %1: %2").arg(path, panel->statusLabel()->text()));
    CodeEditor* editor = panel->editor();
    editor->setFocus();
    editor->moveCursor(QTextCursor::End);
    const QString typed = QStringLiteral("def join_all(parts):\n    return os.path.");
    for (QChar c : typed) {
        const int key = c == QLatin1Char('\n') ? Qt::Key_Return : int(c.toUpper().unicode());
        QKeyEvent press(QEvent::KeyPress, key, Qt::NoModifier, c == QLatin1Char('\n') ? QStringLiteral("\r") : QString(c));
        QApplication::sendEvent(editor, &press);
    }
    if (m_models.currentPath().isEmpty() || m_models.model().fimFamily.isEmpty()) {
        std::printf("self-test: the model has no fill-in-the-middle tokens: no completion to show\n");
    } else {
        if (!waitUntil([&] { return !editor->ghostText().isEmpty(); }))
            return fail(QStringLiteral("no completion was offered after typing in the Code panel"));
        waitUntil([&] { return false; }, 1500); // the rest of the offer
        std::printf("self-test: completion offered: %s\n", qPrintable(editor->ghostText().simplified()));
        if (!writePicture(panel, QStringLiteral("code-completion")))
            return;
        const QString before = editor->toPlainText(), offer = editor->ghostText();
        QKeyEvent tab(QEvent::KeyPress, Qt::Key_Tab, Qt::NoModifier, QStringLiteral("\t"));
        QApplication::sendEvent(editor, &tab);
        if (editor->toPlainText() != before + offer)
            return fail(QStringLiteral("Tab did not take the completion"));
    }
    // The mistake ("lenght") is found, or, without pyflakes, the panel says what to install.
    waitUntil([&] { return panel->findings()->count() > 0; });
    if (panel->lintLabel()->text().isEmpty())
        return fail(QStringLiteral("the checker never answered in the Code panel"));
    std::printf("self-test: checker: %s; first finding: %s\n", qPrintable(panel->lintLabel()->text()),
                panel->findings()->count() ? qPrintable(panel->findings()->item(0)->text()) : "none");
    if (!writePicture(panel, QStringLiteral("code-findings")))
        return;
    if (m_models.currentPath().isEmpty())
        return;
    // Tests of the function, asked in the chat.
    QTextCursor selection(editor->document()->findBlockByNumber(3));
    selection.movePosition(QTextCursor::Down, QTextCursor::KeepAnchor, 3);
    editor->setTextCursor(selection);
    const qsizetype turns = m_chat.conversations.branch().size();
    panel->testsButton()->click();
    if (!waitUntil([&] { return m_chat.conversations.branch().size() >= turns + 2 && !m_chat.turns.isGenerating(); },
                   300000))
        return fail(QStringLiteral("Write Tests did not become a chat turn"));
    std::printf("self-test: tests asked in the chat: %s\n",
                qPrintable(m_chat.conversations.branch().back().content.left(120).simplified()));
    writePicture(&m_window, QStringLiteral("code-tests"));
}

// What a new user does in the Knowledge panel: add a folder, watch it being read, search it
// and open the best passage in its file. Pictures: knowledge-search, knowledge-source.
void SelfTest::searchKnowledge()
{
    auto* panel = qobject_cast<KnowledgePanel*>(m_window.showPanel(QStringLiteral("knowledge")));
    if (!panel)
        return fail(QStringLiteral("there is no Knowledge panel"));
    const QDir docs(QDir(m_options.selfTestDir).filePath(QStringLiteral("docs")));
    QDir().mkpath(docs.path());
    const QList<std::pair<QString, QByteArray>> files = {
        {QStringLiteral("kettle.md"),
         "# The kettle\n\nFill it to the line and press the switch; it stops by itself when the water boils.\n\n"
         "## Descaling\n\nOnce a month, boil half a litre of water with two spoons of vinegar, leave it for an hour,"
         " then rinse twice. Limescale makes the kettle slower and louder.\n\n## Safety\n\nNever put the base in "
         "water. Unplug it before cleaning.\n"},
        {QStringLiteral("tea.md"),
         "# Tea\n\nGreen tea wants water at about 80 degrees and two minutes; black tea boiling water and four.\n"},
        {QStringLiteral("notes.txt"), "Shopping: vinegar, green tea, filters.\n"}};
    for (const auto& [name, text] : files) {
        QFile f(docs.filePath(name));
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text) < 0)
            return fail(QStringLiteral("cannot write %1").arg(f.fileName()));
    }
    panel->collectionBox()->setCurrentText(QStringLiteral("Home"));
    panel->addPaths({docs.path()});
    if (!waitUntil([&] { return panel->summaryLabel()->text().contains(QStringLiteral("“Home”")); }))
        return fail(QStringLiteral("adding a folder in the Knowledge panel did not finish"));
    std::printf("self-test: knowledge: %s\n", qPrintable(panel->summaryLabel()->text()));
    panel->searchBox()->setText(QStringLiteral("how do I remove limescale"));
    if (!waitUntil([&] { return panel->results()->count() > 0; }))
        return fail(QStringLiteral("the Knowledge panel's search found nothing"));
    if (!writePicture(panel, QStringLiteral("knowledge-search")))
        return;
    emit panel->results()->itemActivated(panel->results()->item(0));
    if (!waitUntil([&] { return panel->sourceView()->isVisible() && !panel->sourceView()->highlighted().isEmpty(); }))
        return fail(QStringLiteral("the best passage did not open in the source view"));
    std::printf("self-test: source view highlights: %s\n", qPrintable(panel->sourceView()->highlighted().left(80).simplified()));
    if (!writePicture(panel->sourceView(), QStringLiteral("knowledge-source")))
        return;
    panel->sourceView()->hide();
    if (!searchByMeaning(panel))
        return;
    if (m_models.currentPath().isEmpty())
        return;
    // A question in the chat, answered from the collection, with its sources; a citation
    // opens its passage.
    m_window.showPanel(QStringLiteral("chat"));
    if (m_chat.conversations.newConversation() == 0)
        return fail(QStringLiteral("no new conversation for the knowledge question"));
    m_chat.conversations.setKnowledge({QStringLiteral("Home")});
    ChatPanel* chat = m_window.chatPanel();
    chat->input()->setPlainText(QStringLiteral("How do I remove limescale from the kettle?"));
    chat->send();
    if (!waitUntil([&] { return m_chat.conversations.branch().size() == 2 && !m_chat.turns.isGenerating(); }, 300000))
        return fail(QStringLiteral("the question with knowledge was not answered"));
    const MessageData answer = m_chat.conversations.branch().back();
    if (answer.sources.isEmpty())
        return fail(QStringLiteral("the answer from the collection has no sources"));
    std::printf("self-test: answered from %lld passages (first: %s): %s\n", static_cast<long long>(answer.sources.size()),
                qPrintable(QFileInfo(answer.sources.front().path).fileName() + QStringLiteral(" > ") +
                           answer.sources.front().heading),
                qPrintable(answer.content.left(120).simplified()));
    waitUntil([&] { return false; }, 300); // the last layout
    if (!writePicture(&m_window, QStringLiteral("knowledge-chat")))
        return;
    MessageWidget* shown = chat->messageWidgets().isEmpty() ? nullptr : chat->messageWidgets().back();
    if (!shown || !shown->sourcesLabel()->isVisible())
        return fail(QStringLiteral("the answer does not list its sources"));
    emit shown->sourcesLabel()->linkActivated(QStringLiteral("cite:1"));
    if (!waitUntil([&] { return panel->sourceView()->isVisible() && !panel->sourceView()->highlighted().isEmpty(); }))
        return fail(QStringLiteral("the citation did not open its passage"));
    writePicture(panel->sourceView(), QStringLiteral("knowledge-citation"));
    panel->sourceView()->hide();
}

// An embedding model opened in the panel: the passages get embedded with progress, search
// ranks by words and meaning, and "Words Only" closes it again. The model is a synth
// bert-tiny (random weights: the mechanics are real, its sense of meaning is not), so the
// chat that follows retrieves by words. Picture: knowledge-hybrid.
bool SelfTest::searchByMeaning(KnowledgePanel* panel)
{
    const QString model = QDir(m_options.selfTestDir).filePath(QStringLiteral("bert-tiny-synth.gguf"));
    try {
        seekbench::SynthOptions o;
        o.type = seekbench::TensorType::Q8_0;
        seekbench::write_synth_model(*seekbench::find_synth_preset("bert-tiny"), o, model.toStdString());
    } catch (const std::exception& e) {
        fail(QStringLiteral("cannot write the embedding model: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    panel->openEmbeddingModel(model);
    if (!waitUntil([&] {
            return panel->retrievalLabel()->text().contains(QStringLiteral("bert-tiny-synth.gguf")) &&
                   !panel->progressBar()->isVisible();
        })) {
        fail(QStringLiteral("the embedding model did not open and embed the passages"));
        return false;
    }
    std::printf("self-test: knowledge: %s; %s\n", qPrintable(panel->retrievalLabel()->text()),
                qPrintable(panel->summaryLabel()->text()));
    panel->results()->clear();
    panel->searchBox()->setText(QStringLiteral("limescale in the kettle"));
    if (!waitUntil([&] {
            return panel->results()->count() > 0 &&
                   panel->results()->item(0)->toolTip().count(QLatin1Char('\n')) >= 2; // path, score, ranks
        })) {
        fail(QStringLiteral("the search with an embedding model found nothing"));
        return false;
    }
    if (!writePicture(panel, QStringLiteral("knowledge-hybrid")))
        return false;
    panel->embeddingOffButton()->click();
    return waitUntil([&] { return !panel->retrievalLabel()->text().contains(QStringLiteral("bert-tiny-synth.gguf")); }) ||
           (fail(QStringLiteral("Words Only did not close the embedding model")), false);
}

// Models › Workbench as a user tries it: a model quantized to Q4_0 in the Quantize tab, both
// files compared in the A/B tab, the smaller one profiled. Pictures: workbench-ab,
// workbench-profile.
void SelfTest::workbench()
{
    const QString f32 = QDir(m_options.selfTestDir).filePath(QStringLiteral("qwen2-tiny-f32.gguf"));
    const QString q4 = QDir(m_options.selfTestDir).filePath(QStringLiteral("qwen2-tiny-q4_0.gguf"));
    try {
        seekbench::SynthOptions o;
        o.type = seekbench::TensorType::F32;
        write_synth_model(*seekbench::find_synth_preset("qwen2-tiny"), o, f32.toStdString());
    } catch (const std::exception& e) {
        return fail(QStringLiteral("cannot write the workbench's model: %1").arg(QString::fromUtf8(e.what())));
    }
    WorkbenchDialog* wb = m_window.openWorkbench();
    wb->tabs()->setCurrentIndex(1);
    wb->quantizeIn()->setText(f32);
    wb->quantizeOut()->setText(q4);
    wb->quantizeType()->setCurrentText(QStringLiteral("Q4_0"));
    wb->quantizeButton()->click();
    if (!waitUntil([&] { return wb->quantizeResult()->text().contains(QStringLiteral("q4_0")) && wb->quantizeButton()->isEnabled(); }))
        return fail(QStringLiteral("the workbench did not quantize: %1").arg(wb->quantizeResult()->text()));
    wb->tabs()->setCurrentIndex(0);
    wb->fileA()->setText(f32);
    wb->fileB()->setText(q4);
    wb->prompt()->setText(QStringLiteral("The quick brown fox"));
    wb->tokens()->setValue(48);
    wb->compareButton()->click();
    if (!waitUntil([&] { return wb->summary()->text().contains(QStringLiteral("KL")) && wb->compareButton()->isEnabled(); }))
        return fail(QStringLiteral("the A/B comparison did not finish: %1").arg(wb->summary()->text()));
    std::printf("self-test: workbench A/B: %s\n", qPrintable(wb->summary()->text()));
    if (!writePicture(wb, QStringLiteral("workbench-ab")))
        return;
    wb->tabs()->setCurrentIndex(3);
    wb->profileModel()->setText(q4);
    wb->profileButton()->click();
    if (!waitUntil([&] { return wb->profileButton()->isEnabled() && wb->profileChart()->profile().decode.tokens > 0; }))
        return fail(QStringLiteral("the profile did not finish"));
    if (!writePicture(wb, QStringLiteral("workbench-profile")))
        return;
    wb->close();
}

bool SelfTest::writePicture(QWidget* widget, const QString& name)
{
    QApplication::processEvents();
    const QPixmap shot = widget->grab();
    const QString path = QDir(m_options.selfTestDir).filePath(name + QStringLiteral(".png"));
    if (shot.isNull() || shot.width() < 50 || shot.height() < 50) {
        fail(QStringLiteral("%1 rendered as an empty picture").arg(name));
        return false;
    }
    if (!shot.save(path, "PNG") || QImage(path).isNull()) {
        fail(QStringLiteral("cannot write %1").arg(path));
        return false;
    }
    std::printf("self-test: wrote %s (%dx%d)\n", qPrintable(path), shot.width(), shot.height());
    m_written << path;
    return true;
}

void SelfTest::fail(const QString& reason)
{
    m_failed = true;
    std::fprintf(stderr, "self-test FAILED: %s\n", qPrintable(reason));
}

void SelfTest::finish()
{
    if (!m_failed)
        std::printf("self-test: passed, %lld pictures\n", static_cast<long long>(m_written.size()));
    std::fflush(stdout);
    QTimer::singleShot(0, qApp, [failed = m_failed] { QApplication::exit(failed ? 1 : 0); });
}
