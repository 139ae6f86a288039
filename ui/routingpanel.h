// Expert routing of MoE models for the picked message: a tokens x layers grid coloured by
// each token's top expert (hover: all chosen experts, gate weights, shared-expert gate), the
// text tinted by its experts in one layer, expert load per layer relative to a balanced
// load, and the entropy of each layer's load; for this message or the whole conversation.
#pragma once

#include "insidedata.h"

#include <QWidget>
#include <memory>

class ChatController;
class ColorLegend;
class EmptyState;
class HeatmapView;
class QComboBox;
class QLabel;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QTextBrowser;
class TraceBar;

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

class RoutingPanel : public QWidget {
    Q_OBJECT
public:
    enum View { GridView, TextView, LoadView, EntropyView };

    explicit RoutingPanel(ChatController& chat, QWidget* parent = nullptr);
    ~RoutingPanel() override;

    void setTrace(const TraceResult& result);
    const RoutingData& data() const { return *m_data; }
    RoutingData::Scope scope() const;
    void setScope(RoutingData::Scope scope);
    int tintLayer() const;
    void showView(View view);

    EmptyState* emptyState() const { return m_empty; }
    bool showsData() const;
    HeatmapView* grid() const { return m_grid; }
    HeatmapView* loadMap() const { return m_load; }
    QTextBrowser* text() const { return m_text; }
    EntropyBars* entropyBars() const { return m_bars; }
    bool exportPng(const QString& path) const;
    bool exportCsv(const QString& path) const;

private:
    void refresh();
    void saveAs(bool csv);

    ChatController& m_chat;
    std::unique_ptr<RoutingData> m_data;
    TraceBar* m_bar;
    QStackedWidget* m_stack = nullptr;
    EmptyState* m_empty;
    QTabWidget* m_tabs;
    QComboBox *m_scopeBox, *m_layerBox;
    QPushButton *m_png, *m_csv;
    HeatmapView* m_grid;
    QTextBrowser* m_text;
    HeatmapView* m_load;
    ColorLegend* m_legend;
    EntropyBars* m_bars;
    QLabel* m_note;
};
