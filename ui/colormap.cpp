// Colour scales: piecewise-linear between anchors of the viridis scale (its published
// colour values), a blue-white-red diverging scale, and golden-angle hues for experts.
#include "colormap.h"

#include <QPainter>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace colormap {

namespace {
constexpr std::array<QRgb, 9> kViridis{0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e,
                                       0x1f9e89, 0x35b779, 0x6ece58, 0xfde725};

QRgb mix(QRgb a, QRgb b, double f)
{
    auto lerp = [f](int x, int y) { return static_cast<int>(std::lround(x + (y - x) * f)); };
    return qRgb(lerp(qRed(a), qRed(b)), lerp(qGreen(a), qGreen(b)), lerp(qBlue(a), qBlue(b)));
}
} // namespace

QRgb sequential(double t)
{
    t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * (kViridis.size() - 1);
    const auto i = std::min(static_cast<std::size_t>(t), kViridis.size() - 2);
    return mix(kViridis[i] | 0xff000000u, kViridis[i + 1] | 0xff000000u, t - static_cast<double>(i));
}

double attentionAxis(double p)
{
    if (!std::isfinite(p) || p <= 1e-3)
        return 0;
    return std::min(1.0, (std::log10(p) + 3) / 3); // 0.001 .. 1 on a log axis
}

QRgb attention(double p)
{
    // Maps call this for every cell: a table indexed by the top 16 bits of the float (its
    // exponent and 7 mantissa bits) replaces the logarithm.
    static const std::vector<QRgb> table = [] {
        std::vector<QRgb> t(0x3f81);
        for (std::uint32_t i = 0; i < t.size(); ++i) {
            const std::uint32_t bits = (i << 16) | 0x8000; // the middle of the bucket
            float f;
            std::memcpy(&f, &bits, sizeof f);
            t[i] = sequential(attentionAxis(f));
        }
        return t;
    }();
    const float f = static_cast<float>(p);
    if (!(f > 0))
        return table[0];
    std::uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    return table[std::min<std::uint32_t>(bits >> 16, 0x3f80)];
}

QRgb diverging(double ratio)
{
    const QRgb blue = qRgb(0x2c, 0x7b, 0xb6), white = qRgb(0xf7, 0xf7, 0xf7), red = qRgb(0xd7, 0x19, 0x1c);
    if (!std::isfinite(ratio) || ratio < 0)
        ratio = 0;
    return ratio <= 1 ? mix(blue, white, ratio) : mix(white, red, std::min(ratio - 1, 1.0));
}

QColor expert(int e)
{
    if (e < 0)
        return QColor(0x9e, 0x9e, 0x9e);
    const double hue = std::fmod(e * 137.508, 360.0); // golden angle: neighbours differ most
    const int band = (e / 8) % 3;                        // and lightness varies across bands
    return QColor::fromHsl(static_cast<int>(hue), 170 + 30 * (band == 1), 120 + 25 * band);
}

} // namespace colormap

ColorLegend::ColorLegend(Kind kind, QWidget* parent) : QWidget(parent), m_kind(kind)
{
    m_title = kind == Kind::Attention ? tr("attention weight")
              : kind == Kind::Load    ? tr("load relative to a balanced load")
                                      : QString();
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void ColorLegend::setTitle(const QString& title)
{
    m_title = title;
    update();
}

void ColorLegend::setMaximum(double maximum)
{
    m_max = maximum > 0 ? maximum : 1;
    update();
}

QSize ColorLegend::sizeHint() const
{
    return {240, fontMetrics().height() * 2 + 16};
}

void ColorLegend::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    const int fh = fontMetrics().height();
    const QRect bar(8, 2, std::max(40, width() - 16 - fontMetrics().horizontalAdvance(m_title) - 12), 10);
    for (int x = 0; x < bar.width(); ++x) {
        const double t = double(x) / std::max(1, bar.width() - 1);
        p.setPen(QColor::fromRgb(m_kind == Kind::Load ? colormap::diverging(2 * t) : colormap::sequential(t)));
        p.drawLine(bar.left() + x, bar.top(), bar.left() + x, bar.bottom());
    }
    p.setPen(palette().color(QPalette::WindowText));
    p.drawRect(bar.adjusted(0, 0, -1, -1));
    // Ticks at round values, placed where the scale puts them.
    QList<QPair<double, QString>> linear;
    for (int i = 0; i <= 4; ++i)
        linear.append({m_max * i / 4, QString::number(m_max * i / 4, 'g', 3)});
    const QList<QPair<double, QString>> ticks =
        m_kind == Kind::Linear ? linear
        : m_kind == Kind::Attention
            ? QList<QPair<double, QString>>{{0.001, QStringLiteral("≤0.001")}, {0.01, QStringLiteral("0.01")},
                                            {0.1, QStringLiteral("0.1")}, {1, QStringLiteral("1")}}
            : QList<QPair<double, QString>>{{0, QStringLiteral("0×")}, {0.5, QStringLiteral("0.5×")},
                                            {1, QStringLiteral("1×")}, {1.5, QStringLiteral("1.5×")},
                                            {2, QStringLiteral("≥2×")}};
    for (const auto& [value, label] : ticks) {
        const double t = m_kind == Kind::Attention ? colormap::attentionAxis(value)
                         : m_kind == Kind::Load    ? value / 2
                                                   : value / m_max;
        const int x = bar.left() + static_cast<int>(t * (bar.width() - 1));
        p.drawLine(x, bar.bottom(), x, bar.bottom() + 3);
        const int w = fontMetrics().horizontalAdvance(label);
        p.drawText(std::clamp(x - w / 2, 0, width() - w), bar.bottom() + 4 + fh - fontMetrics().descent(), label);
    }
    p.drawText(bar.right() + 12, bar.top() + fh - 4, m_title);
}
