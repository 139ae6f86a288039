// Expert routing of MoE models for the picked message: a tokens x layers grid coloured by
// each token's top expert (hover: all chosen experts, gate weights, shared-expert gate), the
// text tinted by its experts in one layer, expert load per layer relative to a balanced
// load, and the entropy of each layer's load; for this message or the whole conversation.
#pragma once

#include "insidedata.h"
#include "insidepanel.h"

#include <memory>

class ColorLegend;
class HeatmapView;
class QComboBox;
class QLabel;
class QTextBrowser;

// One bar per MoE layer: the entropy of its expert load, against the even maximum.
class EntropyBars : public QWidget {
    Q_OBJECT
public:
    explicit EntropyBars(QWidget* parent = nullptr);
    void setValues(const QList<int>& layers, const QList<double>& bits, double maxBits);
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QList<int> m_layers;
    QList<double> m_bits;
    double m_max = 1;
};

class RoutingPanel : public InsidePanel {
    Q_OBJECT
public:
    enum View { GridView, TextView, LoadView, EntropyView };

    RoutingPanel(ConversationController& conversations, TraceController& traces, QWidget* parent = nullptr);
    ~RoutingPanel() override;

    void setTrace(const TraceResult& result) override;
    const RoutingData& data() const { return *m_data; }
    RoutingData::Scope scope() const;
    void setScope(RoutingData::Scope scope);
    int tintLayer() const;
    void showView(View view);

    HeatmapView* grid() const { return m_grid; }
    QLabel* gridLegend() const { return m_gridLegend; } // colour -> expert, for the grid
    HeatmapView* loadMap() const { return m_load; }
    QTextBrowser* tintedText() const { return m_text; }
    EntropyBars* entropyBars() const { return m_bars; }
    bool exportCsv(const QString& path) const override;

private:
    void refresh();
    bool hasData() const override { return !m_data->isEmpty(); }
    QString exportName(bool csv) const override;

    std::unique_ptr<RoutingData> m_data;
    QComboBox *m_scopeBox, *m_layerBox;
    HeatmapView* m_grid;
    QLabel* m_gridLegend;
    QTextBrowser* m_text;
    HeatmapView* m_load;
    ColorLegend* m_legend;
    EntropyBars* m_bars;
};
