// The colours of the inside-the-model views: a perceptually ordered scale for attention
// (dark violet = 0.001 or less to yellow = 1, on a log axis so that the many small weights
// are still told apart), a diverging scale for expert load (blue below a balanced load, white at
// it, red above), and one distinct colour per expert.
#pragma once

#include <QColor>
#include <QImage>
#include <QString>
#include <QWidget>

namespace colormap {

QRgb sequential(double t);            // t in [0, 1], clamped
double attentionAxis(double p);       // probability -> position on the scale (log10, 1e-3 .. 1)
QRgb attention(double p);             // sequential(attentionAxis(p))
QRgb diverging(double ratio);         // load / balanced load: 0 blue, 1 white, >= 2 red
QColor expert(int expert);            // distinct, stable hues; -1 (none) grey

} // namespace colormap

// A horizontal colour bar with labelled ticks, for a view's legend.
class ColorLegend : public QWidget {
    Q_OBJECT
public:
    enum class Kind { Attention, Load, Linear }; // Linear: 0 .. setMaximum(), e.g. entropy bits
    explicit ColorLegend(Kind kind, QWidget* parent = nullptr);
    void setTitle(const QString& title);
    void setMaximum(double maximum);
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    Kind m_kind;
    QString m_title;
    double m_max = 1;
};
