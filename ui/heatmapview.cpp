// HeatmapView: the image is drawn with nearest-neighbour scaling, only the visible part.
#include "heatmapview.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

namespace {
constexpr double kMaxCell = 48;  // pixels per cell at the largest zoom
constexpr double kStep = 1.25;   // zoom per wheel notch
constexpr int kLeftLabels = 84, kTopLabels = 64;
} // namespace

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(120, 120);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void HeatmapView::setImage(const QImage& image, const QStringList& rowLabels, const QStringList& columnLabels,
                           Fit fit)
{
    const bool sameShape = image.size() == m_image.size() && fit == m_fit;
    m_image = image;
    m_rowLabels = rowLabels;
    m_columnLabels = columnLabels;
    m_fit = fit;
    if (!sameShape) {
        resetView();
        if (m_current.x() >= 0)
            m_current = {std::min(m_current.x(), image.width() - 1), std::min(m_current.y(), image.height() - 1)};
        if (image.isNull())
            m_current = {-1, -1};
    }
    update();
}

void HeatmapView::setAxisTitles(const QString& rows, const QString& columns)
{
    m_rowTitle = rows;
    m_columnTitle = columns;
    update();
}

void HeatmapView::resetView()
{
    m_zoom = 1;
    m_pan = {};
    update();
}

QRectF HeatmapView::gridArea() const
{
    const double left = m_rowLabels.isEmpty() ? 2 : kLeftLabels;
    const double top = m_columnLabels.isEmpty() ? 2 : kTopLabels;
    return QRectF(left, top, std::max(10.0, width() - left - 4), std::max(10.0, height() - top - 4));
}

QSizeF HeatmapView::cellSize() const
{
    if (m_image.isNull())
        return {1, 1};
    const QRectF area = gridArea();
    double w = area.width() / m_image.width(), h = area.height() / m_image.height();
    switch (m_fit) {
    case Fit::Square:
        w = h = std::min(w, h);
        break;
    case Fit::Stretch:
        break;
    case Fit::Rows:
        return {w, std::max(h, fontMetrics().height() + 2.0) * m_zoom};
    }
    return {w * m_zoom, h * m_zoom};
}

void HeatmapView::setZoom(double zoom, QPointF anchor)
{
    if (m_image.isNull())
        return;
    const QSizeF before = cellSize();
    const double fit = (m_fit == Fit::Rows ? before.height() : std::min(before.width(), before.height())) / m_zoom;
    const double maxZoom = std::max(8.0, kMaxCell / std::max(fit, 1e-9));
    zoom = std::clamp(zoom, 1.0, maxZoom);
    const QRectF area = gridArea();
    if (anchor.x() < 0)
        anchor = area.center();
    // Keep the grid point under the anchor where it is.
    const QPointF gridPoint = (anchor - area.topLeft() - m_pan);
    const double fx = gridPoint.x() / before.width(), fy = gridPoint.y() / before.height();
    m_zoom = zoom;
    const QSizeF after = cellSize();
    m_pan = anchor - area.topLeft() - QPointF(fx * after.width(), fy * after.height());
    clampPan();
    update();
}

void HeatmapView::clampPan()
{
    const QRectF area = gridArea();
    const QSizeF cell = cellSize();
    const double w = cell.width() * m_image.width(), h = cell.height() * m_image.height();
    m_pan.setX(w <= area.width() ? 0 : std::clamp(m_pan.x(), area.width() - w, 0.0));
    m_pan.setY(h <= area.height() ? 0 : std::clamp(m_pan.y(), area.height() - h, 0.0));
}

QRectF HeatmapView::cellRect(int row, int column) const
{
    const QSizeF cell = cellSize();
    const QPointF origin = gridArea().topLeft() + m_pan;
    return QRectF(origin.x() + column * cell.width(), origin.y() + row * cell.height(), cell.width(), cell.height());
}

QPoint HeatmapView::cellAt(QPointF point) const
{
    if (m_image.isNull() || !gridArea().contains(point))
        return {-1, -1};
    const QSizeF cell = cellSize();
    const QPointF local = point - gridArea().topLeft() - m_pan;
    const int column = static_cast<int>(std::floor(local.x() / cell.width()));
    const int row = static_cast<int>(std::floor(local.y() / cell.height()));
    if (row < 0 || column < 0 || row >= m_image.height() || column >= m_image.width())
        return {-1, -1};
    return {column, row};
}

void HeatmapView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    if (m_image.isNull())
        return;
    const QRectF area = gridArea();
    const QSizeF cell = cellSize();
    // The visible cells, and the part of the image they come from.
    const QPointF origin = area.topLeft() + m_pan;
    const int c0 = std::max(0, static_cast<int>((area.left() - origin.x()) / cell.width()));
    const int r0 = std::max(0, static_cast<int>((area.top() - origin.y()) / cell.height()));
    const int c1 = std::min(m_image.width(), static_cast<int>(std::ceil((area.right() - origin.x()) / cell.width())));
    const int r1 = std::min(m_image.height(), static_cast<int>(std::ceil((area.bottom() - origin.y()) / cell.height())));
    if (c1 <= c0 || r1 <= r0)
        return;
    p.save();
    p.setClipRect(area);
    const QRectF target(origin.x() + c0 * cell.width(), origin.y() + r0 * cell.height(), (c1 - c0) * cell.width(),
                        (r1 - r0) * cell.height());
    p.drawImage(target, m_image, QRectF(c0, r0, c1 - c0, r1 - r0));
    p.restore();

    const QFontMetrics fm = fontMetrics();
    if (m_cellText && cell.width() >= fm.horizontalAdvance(QStringLiteral("0.00")) + 4 && cell.height() >= fm.height()) {
        p.save();
        p.setClipRect(area);
        for (int r = r0; r < r1; ++r)
            for (int c = c0; c < c1; ++c) {
                const QColor bg = QColor::fromRgba(m_image.pixel(c, r));
                p.setPen(bg.lightness() > 140 ? Qt::black : Qt::white);
                p.drawText(cellRect(r, c), Qt::AlignCenter, m_cellText(r, c));
            }
        p.restore();
    }
    // The keyboard's cell: a frame in the text colour with a contrasting edge inside it.
    if (hasFocus() && m_current.x() >= 0) {
        p.save();
        p.setClipRect(area.adjusted(-2, -2, 2, 2));
        const QRectF r = cellRect(m_current.y(), m_current.x()).adjusted(-1.5, -1.5, 1.5, 1.5);
        p.setPen(QPen(palette().color(QPalette::WindowText), 2));
        p.drawRect(r);
        p.setPen(QPen(palette().color(QPalette::Window), 1));
        p.drawRect(r.adjusted(2, 2, -2, -2));
        p.restore();
    }
    // Axis titles, and labels for rows and columns that are tall/wide enough to read.
    p.setPen(palette().color(QPalette::WindowText));
    if (!m_columnTitle.isEmpty())
        p.drawText(QRectF(area.left(), 0, area.width(), fm.height()), Qt::AlignLeft, m_columnTitle + QStringLiteral(" →"));
    if (!m_rowTitle.isEmpty()) {
        p.save();
        p.translate(fm.ascent(), area.top());
        p.rotate(90);
        p.drawText(QPointF(0, 0), m_rowTitle + QStringLiteral(" →"));
        p.restore();
    }
    if (!m_rowLabels.isEmpty() && cell.height() >= fm.height() * 0.8) {
        for (int r = r0; r < r1 && r < m_rowLabels.size(); ++r) {
            const QRectF box(fm.height() + 2, origin.y() + r * cell.height(), area.left() - fm.height() - 6, cell.height());
            p.drawText(box, Qt::AlignRight | Qt::AlignVCenter, fm.elidedText(m_rowLabels[r], Qt::ElideRight, int(box.width())));
        }
    }
    if (!m_columnLabels.isEmpty() && cell.width() >= fm.height() * 0.8) {
        for (int c = c0; c < c1 && c < m_columnLabels.size(); ++c) {
            p.save();
            p.translate(origin.x() + (c + 0.5) * cell.width() + fm.ascent() / 2.0 - 1, area.top() - 4);
            p.rotate(-90);
            p.drawText(QPointF(0, 0), fm.elidedText(m_columnLabels[c], Qt::ElideRight, kTopLabels - fm.height() - 8));
            p.restore();
        }
    }
}

void HeatmapView::wheelEvent(QWheelEvent* event)
{
    // The wheel scrolls a grid taller than the view; Ctrl+wheel (or the wheel over a grid
    // that fits) zooms.
    const double notches = event->angleDelta().y() / 120.0;
    const bool taller = cellSize().height() * m_image.height() > gridArea().height() + 0.5;
    if (notches != 0 && taller && !(event->modifiers() & Qt::ControlModifier)) {
        m_pan.ry() += notches * 3 * cellSize().height();
        clampPan();
        update();
    } else if (notches != 0) {
        setZoom(m_zoom * std::pow(kStep, notches), event->position());
    }
    event->accept();
}

void HeatmapView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton) {
        m_dragging = true;
        m_dragged = false;
        m_dragFrom = event->position().toPoint();
    }
}

void HeatmapView::mouseMoveEvent(QMouseEvent* event)
{
    if (m_dragging) {
        const QPoint delta = event->position().toPoint() - m_dragFrom;
        if (delta.manhattanLength() > 3 || m_dragged) {
            m_dragged = true;
            m_pan += delta;
            m_dragFrom = event->position().toPoint();
            clampPan();
            update();
        }
        return;
    }
    const QPoint c = cellAt(event->position());
    if (c.x() < 0) {
        QToolTip::hideText();
        return;
    }
    emit hovered(c.y(), c.x());
    if (m_tooltip)
        QToolTip::showText(event->globalPosition().toPoint(), m_tooltip(c.y(), c.x()), this);
}

void HeatmapView::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton && m_dragging) {
        m_dragging = false;
        if (!m_dragged) {
            const QPoint c = cellAt(event->position());
            if (c.x() >= 0)
                emit clicked(c.y(), c.x());
        }
    }
}

void HeatmapView::mouseDoubleClickEvent(QMouseEvent*) { resetView(); }

void HeatmapView::resizeEvent(QResizeEvent*) { clampPan(); }

void HeatmapView::ensureVisible(int row, int column)
{
    const QRectF area = gridArea(), cell = cellRect(row, column);
    if (cell.left() < area.left())
        m_pan.rx() += area.left() - cell.left();
    else if (cell.right() > area.right())
        m_pan.rx() -= cell.right() - area.right();
    if (cell.top() < area.top())
        m_pan.ry() += area.top() - cell.top();
    else if (cell.bottom() > area.bottom())
        m_pan.ry() -= cell.bottom() - area.bottom();
    clampPan();
}

void HeatmapView::setCurrentCell(int row, int column)
{
    if (m_image.isNull())
        return;
    row = std::clamp(row, 0, m_image.height() - 1);
    column = std::clamp(column, 0, m_image.width() - 1);
    m_current = {column, row};
    ensureVisible(row, column);
    update();
    emit hovered(row, column);
    // What the pointer's tooltip would say, for a screen reader and on screen.
    const QString text = m_tooltip ? m_tooltip(row, column) : QString();
    if (!m_descriptionKept) {
        m_description = accessibleDescription();
        m_descriptionKept = true;
    }
    setAccessibleDescription(text.isEmpty() ? m_description : m_description + QStringLiteral("\n") + text);
    if (hasFocus() && !text.isEmpty())
        QToolTip::showText(mapToGlobal(cellRect(row, column).bottomRight().toPoint()), text, this);
}

void HeatmapView::keyPressEvent(QKeyEvent* event)
{
    if (m_image.isNull()) {
        QWidget::keyPressEvent(event);
        return;
    }
    const int row = std::max(0, m_current.y()), column = std::max(0, m_current.x());
    const QSizeF cell = cellSize();
    const int pageRows = std::max(1, static_cast<int>(gridArea().height() / cell.height()) - 1);
    const bool ctrl = event->modifiers() & Qt::ControlModifier;
    switch (event->key()) {
    case Qt::Key_Left: setCurrentCell(row, ctrl ? 0 : column - 1); break;
    case Qt::Key_Right: setCurrentCell(row, ctrl ? m_image.width() - 1 : column + 1); break;
    case Qt::Key_Up: setCurrentCell(ctrl ? 0 : row - 1, column); break;
    case Qt::Key_Down: setCurrentCell(ctrl ? m_image.height() - 1 : row + 1, column); break;
    case Qt::Key_PageUp: setCurrentCell(row - pageRows, column); break;
    case Qt::Key_PageDown: setCurrentCell(row + pageRows, column); break;
    case Qt::Key_Home: setCurrentCell(ctrl ? 0 : row, 0); break;
    case Qt::Key_End: setCurrentCell(ctrl ? m_image.height() - 1 : row, m_image.width() - 1); break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
    case Qt::Key_Space:
        setCurrentCell(row, column);
        emit clicked(row, column);
        break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        setZoom(m_zoom * kStep, cellRect(row, column).center());
        ensureVisible(row, column);
        break;
    case Qt::Key_Minus: setZoom(m_zoom / kStep, cellRect(row, column).center()); break;
    case Qt::Key_0: resetView(); break;
    default: QWidget::keyPressEvent(event); return;
    }
    event->accept();
}

void HeatmapView::focusInEvent(QFocusEvent* event)
{
    QWidget::focusInEvent(event);
    if (m_current.x() < 0 && !m_image.isNull())
        m_current = {0, 0};
    update();
}

void HeatmapView::focusOutEvent(QFocusEvent* event)
{
    QWidget::focusOutEvent(event);
    QToolTip::hideText();
    update();
}
