// Light or dark palette: follows the system's colour scheme unless the user picked one.
#pragma once

#include "appsettings.h"

#include <QObject>

class QApplication;

class ThemeController : public QObject {
    Q_OBJECT
public:
    ThemeController(QApplication& app, AppSettings& settings, QObject* parent = nullptr);

    bool isDark() const { return m_dark; }
    void apply();             // re-reads the setting and the system scheme
    void show(AppSettings::Theme theme); // that theme now, without changing the setting

signals:
    void darkChanged(bool dark);

private:
    QApplication& m_app;
    AppSettings& m_settings;
    bool m_dark = false;
};
