// The profiler's picture: for prefill and decode, one bar split into the share of time each
// kind of operation took (a flame-style view: the widest segment is where the time goes),
// a legend with each op's milliseconds and GB/s against the measured memory bandwidth, and
// the time of every layer as a row of small bars.
#pragma once

#include "ui/controllers/workbenchcontroller.h"

#include <QWidget>

class ProfileChart : public QWidget {
    Q_OBJECT
public:
    explicit ProfileChart(QWidget* parent = nullptr);
    void setProfile(const WbProfile& profile);
    const WbProfile& profile() const { return m_profile; }
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    int paintPhase(QPainter& p, int top, const QString& title, const WbProfilePhase& phase);
    QColor colorOf(const QString& op) const;

    WbProfile m_profile;
    QStringList m_ops;   // every op of both phases, so one op keeps one colour
};
