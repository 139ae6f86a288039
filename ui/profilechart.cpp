// ProfileChart: painted by hand (one QPainter pass); colours from the expert palette, so the
// ops are told apart the way experts are in the routing views.
#include "profilechart.h"

#include "colormap.h"

#include <QPainter>
#include <algorithm>

namespace {
constexpr int kMargin = 8, kBar = 22, kRow = 18, kLayerBars = 40;
}

ProfileChart::ProfileChart(QWidget* parent) : QWidget(parent)
{
    setAccessibleName(tr("Profile chart"));
}

void ProfileChart::setProfile(const WbProfile& profile)
{
    m_profile = profile;
    m_ops.clear();
    for (const WbProfilePhase* ph : {&profile.prefill, &profile.decode})
        for (const WbProfileRow& r : ph->ops)
            if (!m_ops.contains(r.op))
                m_ops << r.op;
    setAccessibleDescription(tr("Prefill %1 ms, decode %2 ms")
                                 .arg(1e3 * profile.prefill.seconds, 0, 'f', 1)
                                 .arg(1e3 * profile.decode.seconds, 0, 'f', 1));
    updateGeometry();
    update();
}

QColor ProfileChart::colorOf(const QString& op) const { return colormap::expert(static_cast<int>(m_ops.indexOf(op))); }

QSize ProfileChart::sizeHint() const
{
    const int rows = static_cast<int>(m_profile.prefill.ops.size() + m_profile.decode.ops.size());
    return {560, 2 * (2 * kMargin + kBar + kLayerBars + 4 * kRow) + rows * kRow};
}

QSize ProfileChart::minimumSizeHint() const { return {240, 120}; }

int ProfileChart::paintPhase(QPainter& p, int top, const QString& title, const WbProfilePhase& phase)
{
    const int w = width() - 2 * kMargin;
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(kMargin, top + kRow - 4,
               tr("%1: %n tokens in %2 ms", "", phase.tokens).arg(title).arg(1e3 * phase.seconds, 0, 'f', 1));
    top += kRow;
    // The bar: each op's share of the time, the largest first (left).
    double total = 0;
    for (const WbProfileRow& r : phase.ops)
        total += r.ms;
    double x = kMargin;
    for (const WbProfileRow& r : phase.ops) {
        const double span = total > 0 ? w * r.ms / total : 0;
        p.fillRect(QRectF(x, top, span, kBar), colorOf(r.op));
        if (span > 60) {
            p.setPen(Qt::black);
            p.drawText(QRectF(x + 3, top, span - 6, kBar), Qt::AlignVCenter | Qt::AlignLeft,
                       p.fontMetrics().elidedText(r.op, Qt::ElideRight, static_cast<int>(span - 6)));
        }
        x += span;
    }
    top += kBar + 4;
    // The legend: an op a line, with its time, share, rate and share of the bandwidth; a
    // matmul also its float operations against the multiply-add peak.
    p.setPen(palette().color(QPalette::WindowText));
    for (const WbProfileRow& r : phase.ops) {
        p.fillRect(kMargin, top + 4, 10, 10, colorOf(r.op));
        const double bw = m_profile.bandwidth > 0 ? 100 * r.gbs / m_profile.bandwidth : 0;
        QString line = tr("%1  %2 ms (%3%)  %4 GB/s (%5% of memory bandwidth)")
                           .arg(r.op)
                           .arg(r.ms, 0, 'f', 2)
                           .arg(total > 0 ? 100 * r.ms / total : 0, 0, 'f', 1)
                           .arg(r.gbs, 0, 'f', 1)
                           .arg(bw, 0, 'f', 0);
        if (r.gflops > 0)
            line += tr("  %1 GFLOP/s (%2% of multiply-add peak)")
                        .arg(r.gflops, 0, 'f', 1)
                        .arg(m_profile.fmaPeak > 0 ? 100 * r.gflops / m_profile.fmaPeak : 0, 0, 'f', 0);
        p.drawText(kMargin + 16, top + kRow - 4, line);
        top += kRow;
    }
    // The layers: a small bar each, as tall as its time.
    p.drawText(kMargin, top + kRow - 4, tr("Time per layer, first to last (grey: embedding and output)"));
    top += kRow;
    double longest = 0;
    for (const auto& [layer, ms] : phase.layers)
        longest = std::max(longest, ms);
    const int n = static_cast<int>(phase.layers.size());
    if (n > 0 && longest > 0) {
        const double step = double(w) / n;
        for (int i = 0; i < n; ++i) {
            const double h = (kLayerBars - 2) * phase.layers[i].second / longest;
            p.fillRect(QRectF(kMargin + i * step + 1, top + kLayerBars - h, std::max(1.0, step - 2), h),
                       phase.layers[i].first < 0 ? palette().color(QPalette::Mid) : palette().color(QPalette::Highlight));
        }
    }
    return top + kLayerBars + kMargin;
}

void ProfileChart::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Base));
    if (m_profile.prefill.tokens == 0) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, tr("Run a profile to see where the time goes."));
        return;
    }
    int top = kMargin;
    top = paintPhase(p, top, tr("Prefill"), m_profile.prefill);
    paintPhase(p, top, tr("Decode"), m_profile.decode);
}
