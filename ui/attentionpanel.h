// Attention, BertViz-style, on the model being chatted with: for the picked message, a
// token x token map of one layer and head (or the mean/max over heads) with zoom, pan and
// hover; every head as a thumbnail; the head view; per-head entropy. Export PNG and CSV.
#pragma once

#include "insidedata.h"
#include "insidepanel.h"

#include <memory>

class ColorLegend;
class HeadView;
class HeatmapView;
class QComboBox;
class ThumbnailGrid;

class AttentionPanel : public InsidePanel {
    Q_OBJECT
public:
    enum View { MapView, HeadsView, LinesView, EntropyView };

    AttentionPanel(ConversationController& conversations, TraceController& traces, QWidget* parent = nullptr);
    ~AttentionPanel() override;

    void setTrace(const TraceResult& result) override;
    const AttentionData& data() const { return *m_data; }
    int layer() const;
    int head() const;                         // or AttentionData::kMean / kMax
    void select(int layer, int head);
    void showView(View view);

    HeatmapView* map() const { return m_map; }
    ThumbnailGrid* thumbnails() const { return m_thumbs; }
    HeadView* headView() const { return m_lines; }
    HeatmapView* entropyMap() const { return m_entropy; }
    QComboBox* layerBox() const { return m_layerBox; }
    QComboBox* headBox() const { return m_headBox; }
    bool exportCsv(const QString& path) const override;

private:
    void refresh();      // the current view from m_data
    void fillBoxes();
    void layerPicked();
    bool hasData() const override { return !m_data->isEmpty(); }
    QString exportName(bool csv) const override;
    QString mapTooltip(int q, int k) const;

    std::unique_ptr<AttentionData> m_data;
    TraceResult m_result;
    QComboBox *m_layerBox, *m_headBox;
    HeatmapView* m_map;
    ThumbnailGrid* m_thumbs;
    HeadView* m_lines;
    HeatmapView* m_entropy;
    ColorLegend *m_legend, *m_entropyLegend;
    bool m_thumbsFresh = false, m_entropyFresh = false;
};
