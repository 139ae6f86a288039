// Attention, BertViz-style, on the model being chatted with: for the picked message, a
// token x token map of one layer and head (or the mean/max over heads) with zoom, pan and
// hover; every head as a thumbnail; the head view; per-head entropy. Export PNG and CSV.
#pragma once

#include "insidedata.h"

#include <QWidget>
#include <memory>

class ChatController;
class ColorLegend;
class EmptyState;
class HeadView;
class HeatmapView;
class QComboBox;
class QLabel;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class ThumbnailGrid;
class TraceBar;

class AttentionPanel : public QWidget {
    Q_OBJECT
public:
    enum View { MapView, HeadsView, LinesView, EntropyView };

    explicit AttentionPanel(ChatController& chat, QWidget* parent = nullptr);
    ~AttentionPanel() override;

    void setTrace(const TraceResult& result); // what the controller sends; public for tests
    const AttentionData& data() const { return *m_data; }
    int layer() const;
    int head() const;                         // or AttentionData::kMean / kMax
    void select(int layer, int head);
    void showView(View view);

    HeatmapView* map() const { return m_map; }
    ThumbnailGrid* thumbnails() const { return m_thumbs; }
    HeadView* headView() const { return m_lines; }
    HeatmapView* entropyMap() const { return m_entropy; }
    TraceBar* traceBar() const { return m_bar; }
    QComboBox* layerBox() const { return m_layerBox; }
    QComboBox* headBox() const { return m_headBox; }
    bool exportPng(const QString& path) const;
    bool exportCsv(const QString& path) const;

private:
    void refresh();      // the current view from m_data
    void fillBoxes();
    void layerPicked();
    void saveAs(bool csv);
    QString mapTooltip(int q, int k) const;

    ChatController& m_chat;
    std::unique_ptr<AttentionData> m_data;
    TraceResult m_result;
    TraceBar* m_bar;
    QStackedWidget* m_stack = nullptr;
    EmptyState* m_empty;
    QTabWidget* m_tabs;
    QComboBox *m_layerBox, *m_headBox;
    QPushButton *m_png, *m_csv;
    HeatmapView* m_map;
    ThumbnailGrid* m_thumbs;
    HeadView* m_lines;
    HeatmapView* m_entropy;
    ColorLegend *m_legend, *m_entropyLegend;
    QLabel* m_note;
    bool m_thumbsFresh = false, m_entropyFresh = false;
};
