// AttentionPanel: views are filled lazily (only the one shown), so a new trace costs one
// map's worth of work however many layers and heads it holds.
#include "attentionpanel.h"

#include "attentionviews.h"
#include "colormap.h"
#include "emptystate.h"
#include "heatmapview.h"
#include "tracebar.h"

#include "ui/controllers/tracecontroller.h"

#include "engine/trace.h"

#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTabWidget>
#include <QVBoxLayout>
#include <cmath>

namespace {
QScrollArea* scrolled(QWidget* w, QWidget* parent)
{
    auto* area = new QScrollArea(parent);
    area->setWidget(w);
    area->setWidgetResizable(false);
    return area;
}
} // namespace

AttentionPanel::AttentionPanel(ConversationController& conversations, TraceController& traces, QWidget* parent)
    : InsidePanel(conversations, traces, parent), m_data(std::make_unique<AttentionData>()),
      m_layerBox(new QComboBox(this)), m_headBox(new QComboBox(this)),
      m_map(new HeatmapView(this)), m_thumbs(new ThumbnailGrid), m_lines(new HeadView),
      m_entropy(new HeatmapView(this)), m_legend(new ColorLegend(ColorLegend::Kind::Attention, this)),
      m_entropyLegend(new ColorLegend(ColorLegend::Kind::Linear, this))
{
    m_empty->setText(tr("Attention weights"),
                     tr("Which earlier tokens each attention head looks at, layer by layer. Appears after a "
                        "reply from a loaded model, or pick a message above."));
    // What a screen reader says for the pictures.
    m_map->setAccessibleName(tr("Attention map"));
    m_map->setAccessibleDescription(tr("Rows are the tokens attending, columns the tokens attended to; brighter is more attention"));
    m_thumbs->setAccessibleName(tr("Attention of every head"));
    m_lines->setAccessibleName(tr("Attention as lines between tokens"));
    m_entropy->setAccessibleName(tr("Attention entropy per layer and head"));
    m_bar->setFocusLayer([this] { return std::max(0, layer()); });
    m_layerBox->setToolTip(tr("Layer; layers not in the trace are recomputed when picked"));
    m_headBox->setToolTip(tr("One head, or the mean or maximum over all heads"));
    m_csv->setToolTip(tr("Save the current map's numbers as CSV"));
    m_map->setTooltip([this](int q, int k) { return mapTooltip(q, k); });
    m_entropy->setTooltip([this](int row, int head) {
        const QList<int> layers = m_data->layers();
        if (row >= layers.size())
            return QString();
        return tr("layer %1, head %2: %3 bits on average (a uniform spread over all tokens: %4)")
            .arg(layers[row])
            .arg(head)
            .arg(m_data->entropy(layers[row], head), 0, 'f', 2)
            .arg(std::log2(std::max(1, m_data->tokens())), 0, 'f', 2);
    });
    m_entropyLegend->setTitle(tr("mean entropy, bits"));
    m_entropy->setCellText([this](int row, int head) {
        const QList<int> layers = m_data->layers();
        return row < layers.size() ? QString::number(m_data->entropy(layers[row], head), 'f', 2) : QString();
    });
    m_map->setAxisTitles(tr("query token (attends from)"), tr("key token (attended to)"));

    auto* entropyPage = new QWidget(this);
    auto* entropyLayout = new QVBoxLayout(entropyPage);
    entropyLayout->setContentsMargins(0, 0, 0, 0);
    entropyLayout->addWidget(m_entropy, 1);
    entropyLayout->addWidget(m_entropyLegend);
    m_tabs->addTab(m_map, tr("Map"));
    m_tabs->addTab(scrolled(m_thumbs, this), tr("All heads"));
    m_tabs->addTab(scrolled(m_lines, this), tr("Head view"));
    m_tabs->addTab(entropyPage, tr("Entropy"));

    connect(m_layerBox, &QComboBox::activated, this, &AttentionPanel::layerPicked);
    connect(m_headBox, &QComboBox::activated, this, &AttentionPanel::refresh);
    connect(m_tabs, &QTabWidget::currentChanged, this, &AttentionPanel::refresh);
    connect(m_thumbs, &ThumbnailGrid::clicked, this, [this](int l, int h) {
        select(l, h);
        showView(MapView);
    });
    connect(m_entropy, &HeatmapView::clicked, this, [this](int row, int h) {
        if (row < m_data->layers().size()) {
            select(m_data->layers()[row], h);
            showView(MapView);
        }
    });
    connect(m_map, &HeatmapView::clicked, this, [this](int q, int) { m_lines->setQuery(q); });
    finishFrame({new QLabel(tr("Layer:"), this), m_layerBox, new QLabel(tr("Head:"), this), m_headBox},
                {m_legend, m_note});
}

AttentionPanel::~AttentionPanel() = default;

int AttentionPanel::layer() const { return m_layerBox->currentData().isValid() ? m_layerBox->currentData().toInt() : -1; }

int AttentionPanel::head() const
{
    return m_headBox->currentData().isValid() ? m_headBox->currentData().toInt() : AttentionData::kMean;
}

void AttentionPanel::select(int layer, int head)
{
    const int li = m_layerBox->findData(layer), hi = m_headBox->findData(head);
    if (li >= 0)
        m_layerBox->setCurrentIndex(li);
    if (hi >= 0)
        m_headBox->setCurrentIndex(hi);
    refresh();
}

void AttentionPanel::showView(View view) { m_tabs->setCurrentIndex(view); }

void AttentionPanel::setTrace(const TraceResult& result)
{
    const int keepLayer = layer(), keepHead = head();
    m_result = result;
    m_data = std::make_unique<AttentionData>(result);
    m_thumbsFresh = m_entropyFresh = false;
    m_thumbs->setData(nullptr);
    m_lines->setData(nullptr);
    if (m_data->isEmpty()) {
        showPage(false);
        m_map->setImage({});
        m_entropy->setImage({});
        return;
    }
    fillBoxes();
    select(m_data->hasLayer(keepLayer) ? keepLayer : m_data->layers().front(), keepHead);
    m_lines->setData(m_data.get());
    m_lines->setQuery(std::min(m_data->messageStart(), m_data->tokens() - 1));
    showPage(true);
    const int nLayers = result.trace->n_layers;
    m_note->setText(m_data->layers().size() < nLayers
                        ? tr("%1 of %2 layers kept to bound memory; picking another layer recomputes the trace.")
                              .arg(m_data->layers().size())
                              .arg(nLayers)
                        : QString());
    m_note->setVisible(!m_note->text().isEmpty());
    refresh();
}

void AttentionPanel::fillBoxes()
{
    const int nLayers = m_result.trace->n_layers;
    m_layerBox->clear();
    for (int l = 0; l < nLayers; ++l)
        m_layerBox->addItem(m_data->hasLayer(l) ? QString::number(l) : tr("%1 (recompute)").arg(l), l);
    const int keep = head();
    m_headBox->clear();
    m_headBox->addItem(tr("mean of heads"), AttentionData::kMean);
    m_headBox->addItem(tr("max of heads"), AttentionData::kMax);
    for (int h = 0; h < m_data->heads(); ++h)
        m_headBox->addItem(QString::number(h), h);
    m_headBox->setCurrentIndex(std::max(0, m_headBox->findData(keep)));
}

void AttentionPanel::layerPicked()
{
    if (m_data->hasLayer(layer()))
        refresh();
    else // not kept: run the message again, keeping this layer first
        m_traces.requestTrace(m_result.messageId, layer());
}

void AttentionPanel::refresh()
{
    if (m_data->isEmpty() || !m_data->hasLayer(layer()))
        return;
    m_lines->setSelection(layer(), head());
    m_legend->setVisible(m_tabs->currentIndex() != EntropyView);
    switch (m_tabs->currentIndex()) {
    case MapView: {
        QStringList labels;
        for (int t = 0; t < m_data->tokens(); ++t)
            labels << m_data->piece(t);
        m_map->setImage(m_data->image(layer(), head()), labels, labels, HeatmapView::Fit::Square);
        break;
    }
    case HeadsView:
        if (!m_thumbsFresh) {
            m_thumbs->setData(m_data.get());
            m_thumbsFresh = true;
        }
        break;
    case LinesView: // bring the query and the tokens just before it into view
        if (auto* area = qobject_cast<QScrollArea*>(m_tabs->widget(LinesView)))
            area->ensureVisible(0, m_lines->query() * m_lines->rowHeight(), 0, area->viewport()->height() / 3);
        break;
    case EntropyView:
        if (!m_entropyFresh) {
            const QList<int> layers = m_data->layers();
            const double maxBits = std::log2(std::max(2, m_data->tokens()));
            QImage img(m_data->heads(), static_cast<int>(layers.size()), QImage::Format_ARGB32);
            QStringList rows, columns;
            for (int r = 0; r < layers.size(); ++r) {
                rows << tr("layer %1").arg(layers[r]);
                for (int h = 0; h < m_data->heads(); ++h)
                    img.setPixel(h, r, colormap::sequential(m_data->entropy(layers[r], h) / maxBits));
            }
            for (int h = 0; h < m_data->heads(); ++h)
                columns << tr("head %1").arg(h);
            m_entropy->setImage(img, rows, columns, HeatmapView::Fit::Stretch);
            m_entropyLegend->setMaximum(maxBits);
            m_entropyFresh = true;
        }
        break;
    }
}

QString AttentionPanel::mapTooltip(int q, int k) const
{
    if (k > q)
        return tr("query %1 “%2” cannot see the later token %3").arg(q).arg(m_data->piece(q)).arg(k);
    return tr("query %1 “%2” → key %3 “%4”: %5")
        .arg(q)
        .arg(m_data->piece(q))
        .arg(k)
        .arg(m_data->piece(k))
        .arg(m_data->weight(layer(), head(), q, k), 0, 'f', 4);
}

bool AttentionPanel::exportCsv(const QString& path) const
{
    return !m_data->isEmpty() && writeText(path, m_data->csv(layer(), head()));
}

QString AttentionPanel::exportName(bool csv) const
{
    return QStringLiteral("attention-layer%1-%2.%3")
        .arg(layer())
        .arg(head() >= 0 ? QStringLiteral("head%1").arg(head())
                         : QString::fromLatin1(head() == AttentionData::kMean ? "mean" : "max"),
             QString::fromLatin1(csv ? "csv" : "png"));
}
