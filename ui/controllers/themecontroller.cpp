// Uses the Fusion style everywhere so light and dark look the same on every desktop.
#include "themecontroller.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>
#include <QStyleHints>

namespace {

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x30), base(0x1e, 0x1f, 0x22), text(0xe6, 0xe6, 0xe6);
    const QColor disabled(0x80, 0x80, 0x80), highlight(0x3d, 0x7e, 0xd8);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xa8, 0xf0));
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Light, window.lighter(150));
    p.setColor(QPalette::Midlight, window.lighter(125));
    p.setColor(QPalette::Mid, window.darker(120));
    p.setColor(QPalette::Dark, window.darker(150));
    p.setColor(QPalette::Shadow, Qt::black);
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    return p;
}

} // namespace

ThemeController::ThemeController(QApplication& app, AppSettings& settings, QObject* parent)
    : QObject(parent), m_app(app), m_settings(settings)
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    connect(&settings, &AppSettings::themeChanged, this, &ThemeController::apply);
    connect(QGuiApplication::styleHints(), &QStyleHints::colorSchemeChanged, this,
            &ThemeController::apply);
    apply();
}

void ThemeController::apply()
{
    bool dark = false;
    switch (m_settings.theme()) {
    case AppSettings::Theme::Light: dark = false; break;
    case AppSettings::Theme::Dark: dark = true; break;
    case AppSettings::Theme::System:
        dark = QGuiApplication::styleHints()->colorScheme() == Qt::ColorScheme::Dark;
        break;
    }
    m_app.setPalette(dark ? darkPalette() : m_app.style()->standardPalette());
    if (dark != m_dark) {
        m_dark = dark;
        emit darkChanged(dark);
    }
}
