// A grid of coloured cells shown from a QImage (one pixel per cell): fits the view, zooms
// with the wheel around the pointer, pans by dragging, tells what is under the pointer
// (tooltip and signal), and labels rows and columns once cells are large enough to read.
// From the keyboard: the arrows (Page Up/Down, Home/End) move a current cell, which the
// view keeps in sight and describes like the tooltip does; Enter or Space clicks it; + and -
// zoom, 0 fits the grid again.
#pragma once

#include <QImage>
#include <QStringList>
#include <QWidget>
#include <functional>

class HeatmapView : public QWidget {
    Q_OBJECT
public:
    explicit HeatmapView(QWidget* parent = nullptr);

    enum class Fit {
        Square,  // cells stay square (token x token maps); zoom both axes
        Stretch, // each axis fits the view on its own; zoom both axes
        Rows,    // columns fit the width, rows are at least a line of text tall (long token
                 // lists scroll); zoom changes the row height
    };
    void setImage(const QImage& image, const QStringList& rowLabels = {}, const QStringList& columnLabels = {},
                  Fit fit = Fit::Square);
    void setTooltip(std::function<QString(int row, int column)> tooltip) { m_tooltip = std::move(tooltip); }
    // Text inside each cell, drawn once cells are large enough (e.g. the value).
    void setCellText(std::function<QString(int row, int column)> text) { m_cellText = std::move(text); }
    void setAxisTitles(const QString& rows, const QString& columns);
    const QImage& image() const { return m_image; }

    double zoom() const { return m_zoom; }
    void setZoom(double zoom, QPointF anchor = {-1, -1}); // anchor in widget coordinates
    void resetView();
    // The cell at a point of the widget; {-1, -1} outside the grid.
    QPoint cellAt(QPointF point) const;
    QRectF cellRect(int row, int column) const;
    // The keyboard's cell as (column, row); {-1, -1} before the view had focus.
    QPoint currentCell() const { return m_current; }
    void setCurrentCell(int row, int column);

    QSize sizeHint() const override { return {360, 360}; }

signals:
    void hovered(int row, int column);
    void clicked(int row, int column);

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void focusInEvent(QFocusEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;

private:
    QRectF gridArea() const;     // where cells may be drawn (inside the label margins)
    QSizeF cellSize() const;
    void clampPan();
    void ensureVisible(int row, int column);

    QImage m_image;
    QStringList m_rowLabels, m_columnLabels;
    Fit m_fit = Fit::Square;
    double m_zoom = 1;
    QPointF m_pan;               // grid offset in pixels
    QPoint m_dragFrom;
    bool m_dragging = false, m_dragged = false;
    std::function<QString(int, int)> m_tooltip, m_cellText;
    QString m_rowTitle, m_columnTitle;
    QPoint m_current{-1, -1};
    QString m_description; // the accessible description the owner set, before a cell's text
    bool m_descriptionKept = false;
};
