// Seeing inside the model: the attention and routing view models against hand-made traces
// (known cells, colours, aggregates, entropies, loads; empty and one-token traces), pixels of
// rendered heatmaps, the panels (views, exports, dense models, Chinese), and end to end with
// a deepseek-tiny synth model: the routing grid shows exactly the experts the engine reports.
#include "appharness.h"
#include "ui/controllers/i18n.h"
#include "ui/attentionpanel.h"
#include "ui/attentionviews.h"
#include "ui/colormap.h"
#include "ui/emptystate.h"
#include "ui/heatmapview.h"
#include "ui/insidedata.h"
#include "ui/routingpanel.h"

#include "engine/cpu/backend.h"
#include "engine/model.h"
#include "engine/session.h"
#include "engine/synth.h"
#include "engine/trace.h"

#include <QComboBox>
#include <QLabel>
#include <QMouseEvent>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTranslator>
#include <cmath>
#include <set>

namespace {

// Three tokens; layer 1 traced (layer 0 not); two heads:
//   head 0: q0 [1], q1 [0.5 0.5], q2 [0.25 0.25 0.5]
//   head 1: q0 [1], q1 [0.9 0.1], q2 [0    1    0  ]
TraceResult attentionTrace(std::vector<std::string> pieces = {"<s>", " cat", "\n"})
{
    auto t = std::make_shared<seekbench::Trace>();
    t->model = "hand-made";
    t->n_layers = 2, t->n_heads = 2;
    t->tokens = {1, 2, 3};
    t->positions = {0, 1, 2};
    t->pieces = std::move(pieces);
    seekbench::AttentionMap& h0 = t->map(1, 0);
    h0.query_pos = {0, 1, 2};
    h0.probs = {{1.0f}, {0.5f, 0.5f}, {0.25f, 0.25f, 0.5f}};
    seekbench::AttentionMap& h1 = t->map(1, 1);
    h1.query_pos = {0, 1, 2};
    h1.probs = {{1.0f}, {0.9f, 0.1f}, {0.0f, 1.0f, 0.0f}};
    TraceResult r;
    r.trace = t;
    r.messageStart = 1;
    r.messageEnd = 3;
    r.attentionLayers = {1};
    return r;
}

// Four tokens, 4 experts, top 2; MoE layers 1 and 2 (layer 0 dense); the message starts at
// token 2. Layer 1 picks (0,1) (0,2) (0,1) (3,0); layer 2 picks (2,3) every time.
TraceResult routingTrace(std::vector<std::string> pieces = {"a", "b", "c", "d"})
{
    auto t = std::make_shared<seekbench::Trace>();
    t->model = "hand-made";
    t->n_layers = 3, t->n_heads = 1, t->n_experts = 4, t->n_experts_used = 2;
    t->tokens = {5, 6, 7, 8};
    t->positions = {0, 1, 2, 3};
    t->pieces = std::move(pieces);
    const int picks[4][2] = {{0, 1}, {0, 2}, {0, 1}, {3, 0}};
    for (int p = 0; p < 4; ++p) {
        seekbench::RoutingRecord r1;
        r1.layer = 1, r1.pos = p, r1.token = t->tokens[static_cast<std::size_t>(p)];
        r1.experts = {picks[p][0], picks[p][1]};
        r1.weights = {0.75f, 0.25f};
        r1.scores = {0.4f, 0.3f, 0.2f, 0.1f};
        r1.shared_gate = 0.5f;
        t->routing.push_back(r1);
        seekbench::RoutingRecord r2 = r1;
        r2.layer = 2, r2.experts = {2, 3};
        t->routing.push_back(r2);
    }
    TraceResult r;
    r.trace = t;
    r.messageStart = 2;
    r.messageEnd = 4;
    return r;
}

// Every deepseek2 feature on (MLA, a dense first layer, shared + routed experts), F32.
QString writeDeepseekTiny(const QTemporaryDir& dir)
{
    const QString path = dir.filePath(QStringLiteral("deepseek-tiny.gguf"));
    seekbench::SynthOptions o;
    o.type = seekbench::TensorType::F32;
    seekbench::write_synth_model(*seekbench::find_synth_preset("deepseek-tiny"), o, path.toStdString());
    return path;
}

bool hasChinese(const QString& text)
{
    for (QChar c : text)
        if (c.unicode() >= 0x4e00 && c.unicode() <= 0x9fff)
            return true;
    return false;
}

} // namespace

class InsideTest : public QObject {
    Q_OBJECT
private slots:
    void colours()
    {
        QCOMPARE(colormap::attention(1.0) & 0xffffff, QRgb(0xfde725)); // the scale's top
        QCOMPARE(colormap::attention(0.001) & 0xffffff, QRgb(0x440154)); // and bottom
        QCOMPARE(colormap::attention(0.0), colormap::attention(1e-9));
        QCOMPARE(colormap::attention(std::nan("")), colormap::attention(0.0));
        QVERIFY(qGray(colormap::attention(0.1)) > qGray(colormap::attention(0.01))); // brighter is more
        QCOMPARE(colormap::diverging(1.0), qRgb(0xf7, 0xf7, 0xf7));               // balanced: white
        QVERIFY(qBlue(colormap::diverging(0.0)) > qRed(colormap::diverging(0.0)));  // below: blue
        QVERIFY(qRed(colormap::diverging(2.0)) > qBlue(colormap::diverging(2.0)));  // above: red
        QCOMPARE(colormap::diverging(5.0), colormap::diverging(2.0));              // capped
        std::set<QRgb> distinct;
        for (int e = 0; e < 64; ++e)
            distinct.insert(colormap::expert(e).rgb());
        QCOMPARE(distinct.size(), std::size_t(64));
        QCOMPARE(colormap::expert(3), colormap::expert(3)); // stable
    }

    void attentionData()
    {
        const AttentionData a(attentionTrace());
        QVERIFY(!a.isEmpty());
        QCOMPARE(a.tokens(), 3);
        QCOMPARE(a.heads(), 2);
        QCOMPARE(a.layers(), QList<int>{1});
        QVERIFY(!a.hasLayer(0));
        QCOMPARE(a.piece(1), QStringLiteral(" cat"));
        QCOMPARE(a.piece(2), QStringLiteral("\\n"));
        QCOMPARE(a.weight(1, 0, 2, 2), 0.5f);
        QCOMPARE(a.weight(1, 1, 1, 0), 0.9f);
        QCOMPARE(a.weight(1, 0, 0, 2), 0.0f); // the future
        QCOMPARE(a.weight(0, 0, 1, 0), 0.0f); // an untraced layer
        QCOMPARE(a.weight(1, AttentionData::kMean, 1, 0), 0.7f);
        QCOMPARE(a.weight(1, AttentionData::kMax, 2, 1), 1.0f);
        QCOMPARE(a.weight(1, AttentionData::kMean, 2, 0), 0.125f);
        // Entropy: head 0 rows 0, 1 and 1.5 bits; head 1 rows 0, H(0.9, 0.1) and 0.
        QVERIFY(std::abs(a.entropy(1, 0) - 2.5 / 3) < 1e-6);
        const double h91 = -(0.9 * std::log2(0.9) + 0.1 * std::log2(0.1));
        QVERIFY(std::abs(a.entropy(1, 1) - h91 / 3) < 1e-6);

        const QImage img = a.image(1, 0);
        QCOMPARE(img.size(), QSize(3, 3));
        QCOMPARE(img.pixel(0, 0), colormap::attention(1.0));
        QCOMPARE(img.pixel(1, 1), colormap::attention(0.5));
        QCOMPARE(img.pixel(2, 2), colormap::attention(0.5));
        QCOMPARE(qAlpha(img.pixel(2, 0)), 0); // key 2 is after query 0: left empty
        const QImage mean = a.image(1, AttentionData::kMean);
        QCOMPARE(mean.pixel(0, 1), colormap::attention(0.7));
        QCOMPARE(a.image(1, AttentionData::kMax).pixel(1, 2), colormap::attention(1.0));
        QCOMPARE(a.thumbnail(1, 0, 16).size(), QSize(16, 16));
        QCOMPARE(a.thumbnail(1, 0, 16).pixel(0, 15), colormap::attention(0.25)); // q2, k0

        const QStringList lines = a.csv(1, 1).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4);
        QCOMPARE(lines[0], QStringLiteral("query\\key,\"<s>\",\" cat\",\"\\n\""));
        QCOMPARE(lines[2], QStringLiteral("\" cat\",0.9,0.1,"));
        QCOMPARE(lines[3], QStringLiteral("\"\\n\",0,1,0"));
    }

    void emptyAndOneTokenTraces()
    {
        const AttentionData none{TraceResult{}};
        QVERIFY(none.isEmpty());
        QVERIFY(none.image(0, 0).isNull());
        QCOMPARE(none.weight(0, 0, 0, 0), 0.0f);
        const RoutingData noRouting{TraceResult{}};
        QVERIFY(noRouting.isEmpty());
        QVERIFY(noRouting.tokenGrid(RoutingData::Scope::Conversation).isNull());

        TraceResult one = attentionTrace();
        auto t = std::make_shared<seekbench::Trace>(*one.trace);
        t->tokens.resize(1), t->positions.resize(1), t->pieces.resize(1);
        for (seekbench::AttentionMap& m : t->attention)
            m.probs.resize(1), m.query_pos.resize(1);
        one.trace = t;
        const AttentionData a(one);
        QCOMPARE(a.tokens(), 1);
        QCOMPARE(a.entropy(1, 0), 0.0);
        QCOMPARE(a.image(1, AttentionData::kMean).pixel(0, 0), colormap::attention(1.0));

        AttentionPanel panel(chat()->conversations, chat()->traces);
        panel.setTrace(one);
        QVERIFY(panel.map()->image().size() == QSize(1, 1));
        panel.setTrace(TraceResult{});
        QVERIFY(panel.map()->image().isNull());
    }

    void routingData()
    {
        const RoutingData r(routingTrace());
        QVERIFY(r.hasExperts());
        QCOMPARE(r.moeLayers(), (QList<int>{1, 2}));
        QCOMPARE(r.topExpert(1, 3), 3);
        QCOMPARE(r.topExpert(0, 0), -1); // the dense layer
        const QString d = r.describe(1, 1);
        QVERIFY(d.contains(QLatin1String("expert 0: weight 0.750")));
        QVERIFY(d.contains(QLatin1String("expert 2: weight 0.250")));
        QVERIFY(d.contains(QLatin1String("shared expert gate: 0.500")));
        // Whole conversation, layer 1: counts 4,2,1,1 over 4 tokens x 2 / 4 experts = 2.
        const auto all = r.relativeLoad(1, RoutingData::Scope::Conversation);
        QCOMPARE(all, (std::vector<double>{2.0, 1.0, 0.5, 0.5}));
        // The message (tokens 2, 3): counts 2,1,0,1 over a balanced 1.
        QCOMPARE(r.relativeLoad(1, RoutingData::Scope::Message), (std::vector<double>{2.0, 1.0, 0.0, 1.0}));
        QVERIFY(std::abs(r.loadEntropy(1, RoutingData::Scope::Conversation) - 1.75) < 1e-9);
        QVERIFY(std::abs(r.loadEntropy(2, RoutingData::Scope::Conversation) - 1.0) < 1e-9);

        const QImage grid = r.tokenGrid(RoutingData::Scope::Message);
        QCOMPARE(grid.size(), QSize(2, 2)); // 2 MoE layers x 2 message tokens
        QCOMPARE(grid.pixel(0, 1), colormap::expert(3).rgb());
        QCOMPARE(grid.pixel(1, 0), colormap::expert(2).rgb());
        const QImage load = r.loadImage(RoutingData::Scope::Conversation);
        QCOMPARE(load.size(), QSize(4, 2));
        QCOMPARE(load.pixel(0, 0), colormap::diverging(2.0));
        QCOMPARE(load.pixel(1, 0), colormap::diverging(1.0));
        QCOMPARE(load.pixel(0, 1), colormap::diverging(0.0)); // layer 2 never picks expert 0

        const QList<RoutingData::Run> runs = r.tintRuns(1, RoutingData::Scope::Conversation);
        QCOMPARE(runs.size(), 2); // a b c on expert 0, then d on expert 3
        QCOMPARE(runs[0].text, QStringLiteral("abc"));
        QCOMPARE(runs[1].expert, 3);
        const QStringList csv = r.loadCsv(RoutingData::Scope::Conversation).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(csv[0], QStringLiteral("layer,expert 0,expert 1,expert 2,expert 3,entropy bits"));
        QCOMPARE(csv[1], QStringLiteral("1,2,1,0.5,0.5,1.75"));
    }

    // Byte-level tokens that are parts of a character: labels show their bytes (\xE4\xB8),
    // not replacement characters; the tinted text shows the character whole, in the colour of
    // the token that finishes it.
    void partialCharacters()
    {
        const AttentionData attention(attentionTrace({"\xe4\xb8", "\xad", "\xc3\xa9"})); // 中 in two tokens, é
        QCOMPARE(attention.piece(0), QStringLiteral("\\xE4\\xB8"));
        QCOMPARE(attention.piece(1), QStringLiteral("\\xAD"));
        QCOMPARE(attention.piece(2), QString::fromUtf8("\xc3\xa9"));
        // Tokens 0-2 go to expert 0, token 3 to expert 3.
        const RoutingData routing(routingTrace({"a", "b", "\xe4\xb8", "\xad"}));
        const QList<RoutingData::Run> runs = routing.tintRuns(1, RoutingData::Scope::Conversation);
        QCOMPARE(runs.size(), 2);
        QCOMPARE(runs[0].text, QStringLiteral("ab"));
        QCOMPARE(runs[1].text, QString::fromUtf8("\xe4\xb8\xad"));
        QCOMPARE(runs[1].expert, 3);
    }

    void heatmapPixelsZoomAndHover()
    {
        QImage img(2, 2, QImage::Format_ARGB32);
        img.setPixel(0, 0, qRgb(255, 0, 0));
        img.setPixel(1, 0, qRgb(0, 255, 0));
        img.setPixel(0, 1, qRgb(0, 0, 255));
        img.setPixel(1, 1, qRgb(255, 255, 0));
        HeatmapView view;
        view.resize(300, 300);
        view.setImage(img);
        const QImage shot = view.grab().toImage();
        for (int r = 0; r < 2; ++r)
            for (int c = 0; c < 2; ++c) {
                const QPoint centre = view.cellRect(r, c).center().toPoint();
                QCOMPARE(shot.pixel(centre) & 0xffffff, img.pixel(c, r) & 0xffffff);
                QCOMPARE(view.cellAt(centre), QPoint(c, r));
            }
        const double before = view.cellRect(0, 0).width();
        view.setZoom(4, view.cellRect(1, 1).center());
        QVERIFY(std::abs(view.cellRect(0, 0).width() - 4 * before) < 1e-6);
        QCOMPARE(view.cellAt(QPointF(150, 150)), QPoint(1, 1)); // zoomed on the anchor cell
        QSignalSpy hovered(&view, &HeatmapView::hovered);
        int asked = 0;
        view.setTooltip([&](int, int) { ++asked; return QStringLiteral("tip"); });
        QMouseEvent move(QEvent::MouseMove, QPointF(150, 150), view.mapToGlobal(QPointF(150, 150)), Qt::NoButton,
                         Qt::NoButton, Qt::NoModifier);
        QApplication::sendEvent(&view, &move);
        QCOMPARE(hovered.count(), 1);
        QCOMPARE(hovered.at(0).at(0).toInt(), 1);
        QCOMPARE(asked, 1);
        view.resetView();
        QCOMPARE(view.zoom(), 1.0);
    }

    // Keyboard only: a current cell that arrows move (and clamp), Enter clicks, + and - zoom
    // around it, 0 fits again; the current cell's text reaches the accessible description.
    void heatmapFromTheKeyboard()
    {
        QImage img(3, 40, QImage::Format_ARGB32);
        img.fill(Qt::gray);
        HeatmapView view;
        view.setAccessibleDescription(QStringLiteral("a grid"));
        view.setTooltip([](int r, int c) { return QStringLiteral("row %1 column %2").arg(r).arg(c); });
        view.resize(300, 200);
        view.setImage(img, {}, {}, HeatmapView::Fit::Rows);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.focusPolicy(), Qt::StrongFocus);
        view.setFocus();
        QTRY_VERIFY(view.hasFocus());
        QCOMPARE(view.currentCell(), QPoint(0, 0));
        QSignalSpy hovered(&view, &HeatmapView::hovered), clicked(&view, &HeatmapView::clicked);
        QTest::keyClick(&view, Qt::Key_Right);
        QTest::keyClick(&view, Qt::Key_Down);
        QCOMPARE(view.currentCell(), QPoint(1, 1));
        QCOMPARE(hovered.last(), (QVariantList{1, 1}));
        QCOMPARE(view.accessibleDescription(), QStringLiteral("a grid\nrow 1 column 1"));
        QTest::keyClick(&view, Qt::Key_Left, Qt::ControlModifier);
        QTest::keyClick(&view, Qt::Key_Up);
        QTest::keyClick(&view, Qt::Key_Up); // clamps at the top
        QCOMPARE(view.currentCell(), QPoint(0, 0));
        // The last row is far below the view: moving there scrolls it into sight.
        QTest::keyClick(&view, Qt::Key_End, Qt::ControlModifier);
        QCOMPARE(view.currentCell(), QPoint(2, 39));
        QVERIFY(view.rect().contains(view.cellRect(39, 2).toRect()));
        QTest::keyClick(&view, Qt::Key_Return);
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.last(), (QVariantList{39, 2}));
        QCOMPARE(view.accessibleDescription(), QStringLiteral("a grid\nrow 39 column 2"));
        QTest::keyClick(&view, Qt::Key_Plus);
        QVERIFY(view.zoom() > 1);
        QVERIFY(view.rect().contains(view.cellRect(39, 2).toRect()));
        QTest::keyClick(&view, Qt::Key_0);
        QCOMPARE(view.zoom(), 1.0);
    }

    void attentionPanelViewsAndExports()
    {
        AttentionPanel panel(chat()->conversations, chat()->traces);
        panel.resize(700, 700);
        panel.setTrace(attentionTrace());
        QCOMPARE(panel.layer(), 1);
        QCOMPARE(panel.head(), int(AttentionData::kMean));
        QCOMPARE(panel.map()->image(), panel.data().image(1, AttentionData::kMean));
        QCOMPARE(panel.layerBox()->count(), 2);
        QVERIFY(panel.layerBox()->itemText(0).contains(QLatin1String("recompute")));
        panel.select(1, 1);
        QCOMPARE(panel.map()->image(), panel.data().image(1, 1));
        // All heads: clicking a thumbnail opens that head's map.
        panel.showView(AttentionPanel::HeadsView);
        const QPoint thumb = panel.thumbnails()->thumbnailRect(0, 0).center();
        QTest::mouseClick(panel.thumbnails(), Qt::LeftButton, Qt::NoModifier, thumb);
        QCOMPARE(panel.head(), 0);
        QCOMPARE(panel.map()->image(), panel.data().image(1, 0));
        // The same from the keyboard: Right moves to head 1, Enter opens it.
        panel.thumbnails()->setFocus();
        QTest::keyClick(panel.thumbnails(), Qt::Key_Right);
        QCOMPARE(panel.thumbnails()->current(), QPoint(1, 0));
        QTest::keyClick(panel.thumbnails(), Qt::Key_Return);
        QCOMPARE(panel.head(), 1);
        // Head view: the query starts at the message's first token; Up/Down move it.
        QCOMPARE(panel.headView()->query(), 1);
        QTest::keyClick(panel.headView(), Qt::Key_Up);
        QCOMPARE(panel.headView()->query(), 0);
        QTest::keyClick(panel.headView(), Qt::Key_End);
        QCOMPARE(panel.headView()->query(), panel.data().tokens() - 1);
        // Enter on the map's current cell picks that query token for the head view.
        QTest::keyClick(panel.map(), Qt::Key_Down);
        QTest::keyClick(panel.map(), Qt::Key_Return);
        QCOMPARE(panel.headView()->query(), panel.map()->currentCell().y());
        panel.showView(AttentionPanel::EntropyView);
        QCOMPARE(panel.entropyMap()->image().size(), QSize(2, 1));

        QTemporaryDir dir;
        QVERIFY(panel.exportCsv(dir.filePath(QStringLiteral("a.csv"))));
        QFile csv(dir.filePath(QStringLiteral("a.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(csv.readAll()), panel.data().csv(1, 1)); // head 1, opened from the keyboard
        QVERIFY(panel.exportPng(dir.filePath(QStringLiteral("a.png"))));
        QVERIFY(!QImage(dir.filePath(QStringLiteral("a.png"))).isNull());
        QVERIFY(!panel.exportCsv(QStringLiteral("/proc/no/such/dir/a.csv")));
        // The pictures have names a screen reader can say.
        for (QWidget* w : {static_cast<QWidget*>(panel.map()), static_cast<QWidget*>(panel.thumbnails()),
                           static_cast<QWidget*>(panel.headView()), static_cast<QWidget*>(panel.entropyMap())})
            QVERIFY2(!w->accessibleName().isEmpty(), w->metaObject()->className());
    }

    void routingPanelDenseAndMoe()
    {
        RoutingPanel panel(chat()->conversations, chat()->traces);
        panel.resize(700, 700);
        TraceResult dense = attentionTrace(); // no experts
        panel.setTrace(dense);
        QVERIFY(!panel.showsData());
        QCOMPARE(panel.emptyState()->title(), QStringLiteral("This model has no experts"));
        panel.setTrace(routingTrace());
        QVERIFY(panel.showsData());
        for (QWidget* w : {static_cast<QWidget*>(panel.grid()), static_cast<QWidget*>(panel.loadMap()),
                           static_cast<QWidget*>(panel.entropyBars())})
            QVERIFY2(!w->accessibleName().isEmpty(), w->metaObject()->className());
        QCOMPARE(panel.grid()->image(), panel.data().tokenGrid(RoutingData::Scope::Message));
        // The legend names the colour of each top expert in the message's tokens: 0, 3 (layer
        // 1) and 2 (layer 2); expert 1 is never a top expert there.
        const QString legend = panel.gridLegend()->text();
        for (int e : {0, 2, 3})
            QVERIFY2(legend.contains(QStringLiteral("expert %1").arg(e)) &&
                         legend.contains(colormap::expert(e).name()),
                     qPrintable(legend));
        QVERIFY(!legend.contains(QLatin1String("expert 1")));
        panel.setScope(RoutingData::Scope::Conversation);
        QCOMPARE(panel.grid()->image().height(), 4);
        panel.showView(RoutingPanel::TextView);
        QCOMPARE(panel.tintedText()->toPlainText(), QStringLiteral("abcd"));
        panel.showView(RoutingPanel::LoadView);
        QCOMPARE(panel.loadMap()->image(), panel.data().loadImage(RoutingData::Scope::Conversation));
        QTemporaryDir dir;
        QVERIFY(panel.exportCsv(dir.filePath(QStringLiteral("load.csv"))));
    }

    // A real MoE model in the real app: the routing grid shows exactly the experts that an
    // independent engine run over the same tokens reports.
    void routingGridMatchesTheEngine()
    {
        QTemporaryDir dir;
        const QString path = writeDeepseekTiny(dir);
        AppHarness app(dir.path());
        QVERIFY(app.load(path));
        app.chat.conversations.newConversation();
        app.chat.conversations.setSampling(greedy(12));
        app.chat.traces.setTraceWanted(true);
        QVERIFY(app.chat.turns.send(QStringLiteral("Which experts?")));
        QVERIFY(app.waitReply());
        QVERIFY(QTest::qWaitFor([&] { return app.chat.traces.trace().trace && !app.chat.traces.isTracing(); }, 30000));
        const TraceResult result = app.chat.traces.trace();
        QCOMPARE(result.messageId, app.chat.conversations.branch().last().id);
        auto* panel = qobject_cast<RoutingPanel*>(app.window->panel(QStringLiteral("routing")));
        QVERIFY(panel && panel->showsData());
        panel->setScope(RoutingData::Scope::Conversation);
        const QImage grid = panel->grid()->image();

        const auto model = seekbench::Model::load(path.toStdString());
        seekbench::CpuBackend cpu(*model, 2);
        seekbench::Session session(cpu);
        seekbench::Trace own;
        own.options.routing = true;
        session.set_trace(&own);
        session.eval(result.trace->tokens);
        const QList<int> layers = panel->data().moeLayers();
        QCOMPARE(layers, (QList<int>{1, 2})); // deepseek-tiny: 3 layers, the first dense
        QCOMPARE(grid.size(), QSize(2, int(result.trace->tokens.size())));
        int checked = 0;
        for (const seekbench::RoutingRecord& r : own.routing) {
            const int column = int(layers.indexOf(r.layer));
            QCOMPARE(grid.pixel(column, r.pos), colormap::expert(r.experts.front()).rgb());
            const seekbench::RoutingRecord* shown = panel->data().record(r.layer, r.pos);
            QVERIFY(shown);
            QCOMPARE(shown->experts, r.experts);
            ++checked;
        }
        QCOMPARE(checked, 2 * int(result.trace->tokens.size()));

        // Picking the question instead recomputes: its trace ends where the question does.
        app.chat.traces.requestTrace(app.chat.conversations.branch().first().id);
        QVERIFY(QTest::qWaitFor([&] { return app.chat.traces.trace().messageId == app.chat.conversations.branch().first().id; }, 30000));
        QVERIFY(app.chat.traces.trace().trace->tokens.size() < result.trace->tokens.size());
        app.chat.traces.setTraceWanted(false);
        QVERIFY(!app.chat.traces.trace().trace); // dropped once no panel wants it
    }

    void panelsSpeakChinese()
    {
        QVERIFY(installTranslations(*qApp, QLocale(QStringLiteral("zh_CN"))));
        {
            AttentionPanel attention(chat()->conversations, chat()->traces);
            attention.setTrace(attentionTrace());
            const auto* tabs = attention.findChild<QTabWidget*>();
            for (int i = 0; i < tabs->count(); ++i)
                QVERIFY2(hasChinese(tabs->tabText(i)), qPrintable(tabs->tabText(i)));
            for (auto* legend : attention.findChildren<ColorLegend*>())
                QVERIFY(legend->grab().width() > 0);
            RoutingPanel routing(chat()->conversations, chat()->traces);
            routing.setTrace(attentionTrace());
            QVERIFY2(hasChinese(routing.emptyState()->title()), qPrintable(routing.emptyState()->title()));
            routing.setTrace(routingTrace());
            QVERIFY(hasChinese(routing.data().describe(1, 0)));
        }
        for (QTranslator* t : qApp->findChildren<QTranslator*>()) {
            QCoreApplication::removeTranslator(t);
            delete t;
        }
    }

private:
    ChatControllers* chat()
    {
        if (!m_app)
            m_app = std::make_unique<AppHarness>(m_dir.path(), false);
        return &m_app->chat;
    }
    QTemporaryDir m_dir;
    std::unique_ptr<AppHarness> m_app;
};

QTEST_MAIN(InsideTest)
#include "inside_test.moc"
