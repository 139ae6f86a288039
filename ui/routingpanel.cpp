// RoutingPanel: every view is rebuilt from RoutingData when the trace, the scope or the
// layer changes; each is a few passes over tokens x layers records.
#include "routingpanel.h"

#include "colormap.h"
#include "emptystate.h"
#include "heatmapview.h"

#include "engine/trace.h"

#include <QComboBox>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTextDocument>
#include <QVBoxLayout>

#include <cmath>
#include <set>

// ---- EntropyBars ----

EntropyBars::EntropyBars(QWidget* parent) : QWidget(parent) {}

void EntropyBars::setValues(const QList<int>& layers, const QList<double>& bits, double maxBits)
{
    m_layers = layers;
    m_bits = bits;
    m_max = maxBits > 0 ? maxBits : 1;
    updateGeometry();
    update();
}

QSize EntropyBars::sizeHint() const { return {320, 40 + static_cast<int>(m_layers.size()) * (fontMetrics().height() + 6)}; }

void EntropyBars::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    const int rh = fontMetrics().height() + 6, label = fontMetrics().horizontalAdvance(tr("layer %1").arg(999)) + 8;
    const int barWidth = std::max(40, width() - label - 70);
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRect(label, 0, barWidth, rh), Qt::AlignLeft | Qt::AlignVCenter,
               tr("entropy of the expert load (bits; %1 = perfectly even)").arg(m_max, 0, 'f', 2));
    for (int i = 0; i < m_layers.size(); ++i) {
        const int y = (i + 1) * rh;
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(0, y, label - 6, rh), Qt::AlignRight | Qt::AlignVCenter, tr("layer %1").arg(m_layers[i]));
        const QRect full(label, y + 3, barWidth, rh - 6);
        p.fillRect(full, palette().color(QPalette::AlternateBase));
        const double f = std::clamp(m_bits[i] / m_max, 0.0, 1.0);
        p.fillRect(QRect(full.left(), full.top(), static_cast<int>(f * full.width()), full.height()),
                   QColor::fromRgb(colormap::sequential(f)));
        p.drawRect(full.adjusted(0, 0, -1, -1));
        p.drawText(QRect(full.right() + 6, y, 64, rh), Qt::AlignLeft | Qt::AlignVCenter,
                   QString::number(m_bits[i], 'f', 2));
    }
}

// ---- RoutingPanel ----

RoutingPanel::RoutingPanel(ConversationController& conversations, TraceController& traces, QWidget* parent)
    : InsidePanel(conversations, traces, parent), m_data(std::make_unique<RoutingData>()),
      m_scopeBox(new QComboBox(this)), m_layerBox(new QComboBox(this)), m_grid(new HeatmapView(this)),
      m_gridLegend(new QLabel(this)),
      m_text(new QTextBrowser(this)), m_load(new HeatmapView(this)),
      m_legend(new ColorLegend(ColorLegend::Kind::Load, this)), m_bars(new EntropyBars(this))
{
    m_scopeBox->addItem(tr("this message"), int(RoutingData::Scope::Message));
    m_scopeBox->addItem(tr("whole conversation"), int(RoutingData::Scope::Conversation));
    m_scopeBox->setToolTip(tr("Count the picked message's tokens, or every token of the conversation up to it"));
    m_layerBox->setToolTip(tr("The layer whose experts tint the text"));
    m_grid->setAccessibleName(tr("Expert routing grid"));
    m_grid->setAccessibleDescription(tr("Rows are tokens, columns are MoE layers; each cell's colour is the expert picked first"));
    m_load->setAccessibleName(tr("Expert load per layer"));
    m_bars->setAccessibleName(tr("Routing entropy per token"));
    m_text->setAccessibleName(tr("The text tinted by expert"));
    m_csv->setToolTip(tr("Save the expert load table as CSV"));
    m_grid->setTooltip([this](int row, int column) {
        const QList<int> layers = m_data->moeLayers();
        return column < layers.size() ? m_data->describe(layers[column], m_data->first(scope()) + row) : QString();
    });
    m_load->setTooltip([this](int row, int expert) {
        const QList<int> layers = m_data->moeLayers();
        if (row >= layers.size())
            return QString();
        const std::vector<double> load = m_data->relativeLoad(layers[row], scope());
        return tr("layer %1, expert %2: %3× a balanced load")
            .arg(layers[row])
            .arg(expert)
            .arg(load[static_cast<std::size_t>(expert)], 0, 'f', 2);
    });

    m_grid->setAxisTitles(tr("token"), tr("MoE layer"));
    m_load->setAxisTitles(tr("MoE layer"), tr("expert"));
    auto* loadPage = new QWidget(this);
    auto* loadLayout = new QVBoxLayout(loadPage);
    loadLayout->setContentsMargins(0, 0, 0, 0);
    loadLayout->addWidget(m_load, 1);
    loadLayout->addWidget(m_legend);
    auto* gridPage = new QWidget(this);
    auto* gridLayout = new QVBoxLayout(gridPage);
    gridLayout->setContentsMargins(0, 0, 0, 0);
    gridLayout->addWidget(m_grid, 1);
    gridLayout->addWidget(m_gridLegend);
    m_gridLegend->setWordWrap(true);
    m_gridLegend->setTextFormat(Qt::RichText);
    m_tabs->addTab(gridPage, tr("Tokens × layers"));
    m_tabs->addTab(m_text, tr("Text"));
    m_tabs->addTab(loadPage, tr("Expert load"));
    m_tabs->addTab(m_bars, tr("Entropy"));
    connect(m_scopeBox, &QComboBox::activated, this, &RoutingPanel::refresh);
    connect(m_layerBox, &QComboBox::activated, this, &RoutingPanel::refresh);
    connect(m_tabs, &QTabWidget::currentChanged, this, &RoutingPanel::refresh);
    finishFrame({new QLabel(tr("Count:"), this), m_scopeBox, new QLabel(tr("Tint by layer:"), this), m_layerBox},
                {m_note});
}

RoutingPanel::~RoutingPanel() = default;

RoutingData::Scope RoutingPanel::scope() const { return RoutingData::Scope(m_scopeBox->currentData().toInt()); }

void RoutingPanel::setScope(RoutingData::Scope scope)
{
    m_scopeBox->setCurrentIndex(m_scopeBox->findData(int(scope)));
    refresh();
}

int RoutingPanel::tintLayer() const { return m_layerBox->currentData().toInt(); }

void RoutingPanel::showView(View view) { m_tabs->setCurrentIndex(view); }

void RoutingPanel::setTrace(const TraceResult& result)
{
    m_data = std::make_unique<RoutingData>(result);
    if (!result.trace) {
        m_empty->setText(tr("Expert routing"), tr("Which experts the router picks for each token, layer by layer, "
                                                  "for Mixture-of-Experts models. Appears after a reply, or pick a "
                                                  "message above."));
        showPage(false);
        return;
    }
    if (!m_data->hasExperts() || m_data->isEmpty()) {
        m_empty->setText(tr("This model has no experts"),
                         tr("%1 is a dense model: every token goes through the same feed-forward network, so there "
                            "is no routing to show. Open a Mixture-of-Experts model (DeepSeek, Qwen-MoE, Mixtral) "
                            "to see it.")
                             .arg(QString::fromStdString(result.trace->model)));
        showPage(false);
        return;
    }
    const int keep = tintLayer();
    m_layerBox->clear();
    for (int l : m_data->moeLayers())
        m_layerBox->addItem(QString::number(l), l);
    m_layerBox->setCurrentIndex(std::max(0, m_layerBox->findData(keep)));
    m_note->setText(tr("%1 experts, %2 chosen per token. Colours: each token's top expert (hover for all chosen "
                       "experts and their weights).")
                        .arg(m_data->experts())
                        .arg(m_data->expertsUsed()));
    showPage(true);
    refresh();
}

void RoutingPanel::refresh()
{
    if (m_data->isEmpty() || !m_data->hasExperts())
        return;
    const QList<int> layers = m_data->moeLayers();
    switch (m_tabs->currentIndex()) {
    case GridView: {
        QStringList rows, columns;
        for (int t = m_data->first(scope()); t < m_data->tokens(); ++t)
            rows << m_data->piece(t);
        for (int l : layers)
            columns << tr("layer %1").arg(l);
        m_grid->setImage(m_data->tokenGrid(scope()), rows, columns, HeatmapView::Fit::Rows);
        // The legend: the colour of each expert that is some token's top expert here.
        std::set<int> shown;
        for (int l : layers)
            for (int t = m_data->first(scope()); t < m_data->tokens(); ++t)
                if (const int e = m_data->topExpert(l, t); e >= 0)
                    shown.insert(e);
        constexpr int kMaxShown = 64;
        QString html = tr("Colour: each token's top expert.") + QStringLiteral(" ");
        int n = 0;
        for (int e : shown) {
            if (n++ == kMaxShown)
                break;
            html += QStringLiteral("<span style=\"background-color:%1\">&nbsp;&nbsp;&nbsp;&nbsp;</span>&nbsp;%2&nbsp;&nbsp; ")
                        .arg(colormap::expert(e).name(), tr("expert %1").arg(e).toHtmlEscaped());
        }
        if (int(shown.size()) > kMaxShown)
            html += tr("and %n more", nullptr, int(shown.size()) - kMaxShown).toHtmlEscaped();
        m_gridLegend->setText(html);
        break;
    }
    case TextView: { // built with a cursor on a detached document: parsing HTML or laying
                     // out after every insert is slow for thousands of runs
        auto* document = new QTextDocument(m_text);
        document->setDefaultFont(m_text->font());
        QTextCursor cursor(document);
        QTextBlockFormat block;
        block.setLineHeight(150, QTextBlockFormat::ProportionalHeight);
        cursor.setBlockFormat(block);
        for (const RoutingData::Run& run : m_data->tintRuns(tintLayer(), scope())) {
            QTextCharFormat format;
            if (run.expert >= 0) {
                format.setBackground(RoutingData::tint(run.expert));
                format.setForeground(Qt::black);
                format.setToolTip(tr("expert %1").arg(run.expert));
            }
            cursor.insertText(run.text, format);
        }
        QTextDocument* old = m_text->document();
        const bool ours = old->parent() == m_text; // the first one belongs to the browser
        m_text->setDocument(document);
        if (ours)
            delete old;
        break;
    }
    case LoadView: {
        QStringList rows, columns;
        for (int l : layers)
            rows << tr("layer %1").arg(l);
        for (int e = 0; e < m_data->experts(); ++e)
            columns << QString::number(e);
        m_load->setImage(m_data->loadImage(scope()), rows, columns, HeatmapView::Fit::Stretch);
        break;
    }
    case EntropyView: {
        QList<double> bits;
        for (int l : layers)
            bits << m_data->loadEntropy(l, scope());
        m_bars->setValues(layers, bits, std::log2(std::max(1, m_data->experts())));
        break;
    }
    }
}

bool RoutingPanel::exportCsv(const QString& path) const
{
    return !m_data->isEmpty() && writeText(path, m_data->loadCsv(scope()));
}

QString RoutingPanel::exportName(bool csv) const
{
    return csv ? QStringLiteral("expert-load.csv") : QStringLiteral("routing.png");
}
