// ThumbnailGrid and HeadView: both paint only what is exposed, so a long trace in a scroll
// area costs what is on screen.
#include "attentionviews.h"

#include "colormap.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollArea>
#include <QToolTip>
#include <algorithm>
#include <cmath>

namespace {
constexpr int kThumb = 64, kGap = 6, kLabel = 34;

// Inside a panel's scroll area, a rectangle of `w` (the keyboard's place) stays in sight.
void keepInSight(QWidget* w, const QRect& rect)
{
    for (QWidget* p = w->parentWidget(); p; p = p->parentWidget())
        if (auto* area = qobject_cast<QScrollArea*>(p)) {
            area->ensureVisible(rect.center().x(), rect.center().y(), rect.width() / 2, rect.height() / 2);
            return;
        }
}
} // namespace

// ---- ThumbnailGrid ----

ThumbnailGrid::ThumbnailGrid(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
}

void ThumbnailGrid::setData(const AttentionData* attention)
{
    m_data = attention;
    m_images.clear();
    if (attention && !attention->isEmpty())
        for (int layer : attention->layers())
            for (int h = 0; h < attention->heads(); ++h)
                m_images.append(attention->thumbnail(layer, h, kThumb));
    m_current = {0, 0};
    updateGeometry();
    resize(sizeHint());
    update();
}

QSize ThumbnailGrid::sizeHint() const
{
    if (!m_data || m_data->isEmpty())
        return {200, 100};
    return {kLabel + m_data->heads() * (kThumb + kGap) + kGap,
            fontMetrics().height() + kGap + static_cast<int>(m_data->layers().size()) * (kThumb + kGap) + kGap};
}

QRect ThumbnailGrid::thumbnailRect(int layerRow, int head) const
{
    return {kLabel + kGap + head * (kThumb + kGap), fontMetrics().height() + kGap + layerRow * (kThumb + kGap), kThumb,
            kThumb};
}

QPoint ThumbnailGrid::cellAt(QPoint point) const
{
    if (!m_data)
        return {-1, -1};
    for (int r = 0; r < m_data->layers().size(); ++r)
        for (int h = 0; h < m_data->heads(); ++h)
            if (thumbnailRect(r, h).contains(point))
                return {h, r};
    return {-1, -1};
}

void ThumbnailGrid::paintEvent(QPaintEvent* event)
{
    QPainter p(this);
    if (!m_data || m_data->isEmpty())
        return;
    const QList<int> layers = m_data->layers();
    p.setPen(palette().color(QPalette::WindowText));
    for (int h = 0; h < m_data->heads(); ++h)
        p.drawText(QRect(thumbnailRect(0, h).left(), 0, kThumb, fontMetrics().height()), Qt::AlignCenter,
                   tr("head %1").arg(h));
    for (int r = 0; r < layers.size(); ++r) {
        const QRect first = thumbnailRect(r, 0);
        if (!event->rect().intersects(QRect(0, first.top(), width(), kThumb)))
            continue;
        p.drawText(QRect(0, first.top(), kLabel, kThumb), Qt::AlignCenter, tr("L%1").arg(layers[r]));
        for (int h = 0; h < m_data->heads(); ++h) {
            const QRect box = thumbnailRect(r, h);
            p.fillRect(box, palette().color(QPalette::Base));
            p.drawImage(box, m_images[r * m_data->heads() + h]);
            p.drawRect(box.adjusted(0, 0, -1, -1));
        }
    }
    if (hasFocus() && m_current.y() < layers.size()) {
        const QRect box = thumbnailRect(m_current.y(), m_current.x()).adjusted(-3, -3, 2, 2);
        p.setPen(QPen(palette().color(QPalette::Highlight), 3));
        p.drawRect(box);
    }
}

void ThumbnailGrid::mousePressEvent(QMouseEvent* event)
{
    const QPoint c = cellAt(event->position().toPoint());
    if (c.x() >= 0)
        emit clicked(m_data->layers()[c.y()], c.x());
}

QString ThumbnailGrid::describe(int layerRow, int head) const
{
    const int layer = m_data->layers()[layerRow];
    return tr("layer %1, head %2: entropy %3 bits (click to open)")
        .arg(layer)
        .arg(head)
        .arg(m_data->entropy(layer, head), 0, 'f', 2);
}

void ThumbnailGrid::setCurrent(int layerRow, int head)
{
    if (!m_data || m_data->isEmpty())
        return;
    m_current = {std::clamp(head, 0, m_data->heads() - 1),
                 std::clamp(layerRow, 0, static_cast<int>(m_data->layers().size()) - 1)};
    const QRect box = thumbnailRect(m_current.y(), m_current.x());
    keepInSight(this, box.adjusted(-box.width() / 2, -box.height() / 2, box.width() / 2, box.height() / 2));
    if (!m_descriptionKept) {
        m_description = accessibleDescription();
        m_descriptionKept = true;
    }
    const QString text = describe(m_current.y(), m_current.x());
    setAccessibleDescription(m_description.isEmpty() ? text : m_description + QStringLiteral("\n") + text);
    if (hasFocus())
        QToolTip::showText(mapToGlobal(box.bottomRight()), text, this);
    update();
}

void ThumbnailGrid::keyPressEvent(QKeyEvent* event)
{
    if (!m_data || m_data->isEmpty()) {
        QWidget::keyPressEvent(event);
        return;
    }
    const int row = m_current.y(), head = m_current.x();
    switch (event->key()) {
    case Qt::Key_Left: setCurrent(row, head - 1); break;
    case Qt::Key_Right: setCurrent(row, head + 1); break;
    case Qt::Key_Up: setCurrent(row - 1, head); break;
    case Qt::Key_Down: setCurrent(row + 1, head); break;
    case Qt::Key_Home: setCurrent(row, 0); break;
    case Qt::Key_End: setCurrent(row, m_data->heads() - 1); break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
    case Qt::Key_Space: emit clicked(m_data->layers()[row], head); break;
    default: QWidget::keyPressEvent(event); return;
    }
    event->accept();
}

void ThumbnailGrid::focusInEvent(QFocusEvent* event)
{
    QWidget::focusInEvent(event);
    setCurrent(m_current.y(), m_current.x());
}

void ThumbnailGrid::focusOutEvent(QFocusEvent* event)
{
    QWidget::focusOutEvent(event);
    QToolTip::hideText();
    update();
}

bool ThumbnailGrid::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip && m_data) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QPoint c = cellAt(help->pos());
        if (c.x() >= 0) {
            QToolTip::showText(help->globalPos(), describe(c.y(), c.x()));
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QWidget::event(event);
}

// ---- HeadView ----

HeadView::HeadView(QWidget* parent) : QWidget(parent) { setFocusPolicy(Qt::StrongFocus); }

int HeadView::rowHeight() const { return fontMetrics().height() + 4; }

void HeadView::setData(const AttentionData* attention)
{
    m_data = attention;
    m_query = attention && !attention->isEmpty() ? attention->tokens() - 1 : -1;
    updateGeometry();
    resize(sizeHint());
    update();
}

void HeadView::setSelection(int layer, int head)
{
    m_layer = layer;
    m_head = head;
    update();
}

void HeadView::setQuery(int token)
{
    if (!m_data || token < 0 || token >= m_data->tokens() || token == m_query)
        return;
    m_query = token;
    update();
    emit queryChanged(token);
}

QSize HeadView::sizeHint() const
{
    const int rows = m_data ? m_data->tokens() : 0;
    return {420, std::max(100, rows * rowHeight() + 8)};
}

void HeadView::paintEvent(QPaintEvent* event)
{
    QPainter p(this);
    if (!m_data || m_data->isEmpty())
        return;
    p.setRenderHint(QPainter::Antialiasing);
    const int rh = rowHeight();
    const int column = std::clamp(width() / 3, 80, 200);
    const int leftText = column, rightText = width() - column; // query column | lines | key column
    const int first = std::max(0, event->rect().top() / rh - 1);
    const int last = std::min(m_data->tokens() - 1, event->rect().bottom() / rh + 1);
    const QColor text = palette().color(QPalette::WindowText);
    const QColor line = palette().color(QPalette::Highlight);
    // Lines first (all of them: a line may cross the exposed band from anywhere).
    if (m_query >= 0) {
        const double yq = m_query * rh + rh / 2.0 + 4;
        for (int k = 0; k <= m_query; ++k) {
            const float w = m_data->weight(m_layer, m_head, m_query, k);
            if (w < 0.005f)
                continue;
            QColor c = line;
            c.setAlphaF(std::min(1.0, 0.15 + 0.85 * std::sqrt(double(w))));
            p.setPen(QPen(c, 1 + 3 * std::sqrt(double(w))));
            p.drawLine(QPointF(leftText + 6, yq), QPointF(rightText - 6, k * rh + rh / 2.0 + 4));
        }
    }
    for (int t = first; t <= last; ++t) {
        const QRect left(4, t * rh + 4, leftText - 10, rh), right(rightText + 6, t * rh + 4, column - 10, rh);
        const QString piece = m_data->piece(t);
        if (t == m_query) {
            p.fillRect(left, palette().color(QPalette::Highlight));
            p.setPen(palette().color(QPalette::HighlightedText));
        } else {
            p.setPen(text);
        }
        p.drawText(left, Qt::AlignRight | Qt::AlignVCenter, fontMetrics().elidedText(piece, Qt::ElideRight, left.width()));
        if (m_query >= 0 && t <= m_query) { // key side tinted by weight
            const float w = m_data->weight(m_layer, m_head, m_query, t);
            if (w >= 0.005f) {
                QColor c = line;
                c.setAlphaF(std::min(1.0, 0.1 + 1.5 * std::sqrt(double(w))));
                p.fillRect(right, c);
            }
        }
        p.setPen(text);
        p.drawText(right, Qt::AlignLeft | Qt::AlignVCenter, fontMetrics().elidedText(piece, Qt::ElideRight, right.width()));
    }
}

void HeadView::mousePressEvent(QMouseEvent* event)
{
    if (event->position().x() < std::clamp(width() / 3, 80, 200))
        setQuery(static_cast<int>((event->position().y() - 4) / rowHeight()));
}

void HeadView::keyPressEvent(QKeyEvent* event)
{
    if (!m_data || m_query < 0) {
        QWidget::keyPressEvent(event);
        return;
    }
    switch (event->key()) {
    case Qt::Key_Up: setQuery(m_query - 1); break;
    case Qt::Key_Down: setQuery(m_query + 1); break;
    case Qt::Key_Home: setQuery(0); break;
    case Qt::Key_End: setQuery(m_data->tokens() - 1); break;
    default: QWidget::keyPressEvent(event); return;
    }
    keepInSight(this, QRect(0, 4 + (m_query - 1) * rowHeight(), width() / 3, 3 * rowHeight()));
    event->accept();
}
