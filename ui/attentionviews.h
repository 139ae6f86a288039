// Two of the attention panel's views: every head of every traced layer as a thumbnail
// (click one to open it), and the head view (lines from one query token to the tokens it
// attends to, thicker and darker for more weight). Both work from the keyboard: arrows move
// (the current thumbnail, the query token), Enter or Space opens the current thumbnail.
#pragma once

#include "insidedata.h"

#include <QWidget>

class ThumbnailGrid : public QWidget {
    Q_OBJECT
public:
    explicit ThumbnailGrid(QWidget* parent = nullptr);
    void setData(const AttentionData* attention); // null: empty
    QRect thumbnailRect(int layerRow, int head) const;
    QSize sizeHint() const override;
    QPoint current() const { return m_current; } // (head, layer row) of the keyboard

signals:
    void clicked(int layer, int head);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void focusInEvent(QFocusEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;
    bool event(QEvent* event) override; // tooltips

private:
    QPoint cellAt(QPoint point) const; // (head, layer row); (-1, -1) outside
    QString describe(int layerRow, int head) const;
    void setCurrent(int layerRow, int head);

    const AttentionData* m_data = nullptr;
    QList<QImage> m_images; // row-major: layer row x heads
    QPoint m_current{0, 0};
    QString m_description; // the owner's accessible description, before the current head's
    bool m_descriptionKept = false;
};

class HeadView : public QWidget {
    Q_OBJECT
public:
    explicit HeadView(QWidget* parent = nullptr);
    void setData(const AttentionData* attention);
    void setSelection(int layer, int head); // head may be AttentionData::kMean / kMax
    void setQuery(int token);
    int query() const { return m_query; }
    int rowHeight() const;
    QSize sizeHint() const override;

signals:
    void queryChanged(int token);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    const AttentionData* m_data = nullptr;
    int m_layer = 0, m_head = 0, m_query = -1;
};
