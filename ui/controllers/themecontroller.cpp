// Uses the Fusion style everywhere so light and dark look the same on every desktop. Every
// text role meets WCAG AA contrast (4.5:1) against its background in light and dark, AAA
// (7:1) in high contrast (mainwindow_test measures it).
#include "themecontroller.h"

#include <QApplication>
#include <QPainter>
#include <QPalette>
#include <QProxyStyle>
#include <QStyleOption>
#include <QStyle>
#include <QStyleFactory>
#include <QStyleHints>

namespace {

// Fusion's own, with a selection and placeholder dark enough for AA on white.
QPalette lightPalette(const QStyle& style)
{
    QPalette p = style.standardPalette();
    p.setColor(QPalette::Highlight, QColor(0x2a, 0x6f, 0xb0));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::PlaceholderText, QColor(0x6e, 0x6e, 0x6e));
    return p;
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x30), base(0x1e, 0x1f, 0x22), text(0xe6, 0xe6, 0xe6);
    const QColor disabled(0x80, 0x80, 0x80), highlight(0x2f, 0x6c, 0xc4), placeholder(0x9a, 0x9a, 0x9a);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, placeholder);
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

// White on black, yellow selection; Fusion draws frames a shade darker than the window, which
// on black is nothing, so HighContrastStyle outlines the controls.
const QColor kHighContrastYellow(0xff, 0xe0, 0x00); // the selection, and what has the focus

QPalette highContrastPalette()
{
    QPalette p;
    const QColor black(Qt::black), white(Qt::white), yellow = kHighContrastYellow, grey(0xc8, 0xc8, 0xc8);
    for (auto role : {QPalette::Window, QPalette::Base, QPalette::Button, QPalette::ToolTipBase})
        p.setColor(role, black);
    p.setColor(QPalette::AlternateBase, QColor(0x24, 0x24, 0x24));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText, QPalette::ToolTipText,
                      QPalette::BrightText})
        p.setColor(role, white);
    p.setColor(QPalette::PlaceholderText, grey);
    p.setColor(QPalette::Link, QColor(0x8c, 0xc8, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xe0, 0xa8, 0xff));
    p.setColor(QPalette::Highlight, yellow);
    p.setColor(QPalette::HighlightedText, black);
    p.setColor(QPalette::Light, white);
    p.setColor(QPalette::Midlight, grey);
    p.setColor(QPalette::Mid, grey);
    p.setColor(QPalette::Dark, grey);
    p.setColor(QPalette::Shadow, white);
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0xa8, 0xa8, 0xa8));
    return p;
}

// Fusion, with a white outline around frames, buttons, fields and tabs, and a yellow one
// (2 px) around what has the keyboard focus. A style rather than a style sheet: a sheet
// leaves its palettes on widgets when it is taken away again.
class HighContrastStyle : public QProxyStyle {
public:
    HighContrastStyle() : QProxyStyle(QStyleFactory::create(QStringLiteral("Fusion")))
    {
        setObjectName(QStringLiteral("seekbench-high-contrast"));
    }

    void drawPrimitive(PrimitiveElement element, const QStyleOption* option, QPainter* painter,
                       const QWidget* widget) const override
    {
        if (element == PE_FrameFocusRect) {
            outline(painter, option->rect, kHighContrastYellow, 2);
            return;
        }
        QProxyStyle::drawPrimitive(element, option, painter, widget);
        switch (element) {
        case PE_Frame:
        case PE_FrameLineEdit:
        case PE_FrameTabWidget:
        case PE_FrameGroupBox:
        case PE_PanelButtonCommand:
        case PE_PanelButtonTool: controlOutline(painter, option); break;
        default: break;
        }
    }

    void drawComplexControl(ComplexControl control, const QStyleOptionComplex* option, QPainter* painter,
                            const QWidget* widget) const override
    {
        QProxyStyle::drawComplexControl(control, option, painter, widget);
        if (control == CC_ComboBox || control == CC_SpinBox)
            controlOutline(painter, option);
    }

    void drawControl(ControlElement element, const QStyleOption* option, QPainter* painter,
                     const QWidget* widget) const override
    {
        QProxyStyle::drawControl(element, option, painter, widget);
        if (element == CE_TabBarTabShape)
            outline(painter, option->rect, option->state & State_Selected ? kHighContrastYellow : Qt::white, 1);
    }

private:
    // White, or yellow and thicker while the control has the keyboard focus.
    static void controlOutline(QPainter* painter, const QStyleOption* option)
    {
        const bool focus = option->state & State_HasFocus;
        outline(painter, option->rect, focus ? kHighContrastYellow : Qt::white, focus ? 2 : 1);
    }

    static void outline(QPainter* painter, const QRect& rect, const QColor& colour, int width)
    {
        painter->save();
        painter->setPen(QPen(colour, width));
        painter->setBrush(Qt::NoBrush);
        const int inset = width / 2;
        painter->drawRect(rect.adjusted(inset, inset, -inset - 1, -inset - 1));
        painter->restore();
    }
};

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

void ThemeController::apply() { show(m_settings.theme()); }

void ThemeController::show(AppSettings::Theme theme)
{
    bool dark = false;
    const bool highContrast = theme == AppSettings::Theme::HighContrast;
    switch (theme) {
    case AppSettings::Theme::Light: dark = false; break;
    case AppSettings::Theme::Dark:
    case AppSettings::Theme::HighContrast: dark = true; break;
    case AppSettings::Theme::System:
        dark = QGuiApplication::styleHints()->colorScheme() == Qt::ColorScheme::Dark;
        break;
    }
    const bool styleIsHighContrast = m_app.style()->objectName() == QLatin1String("seekbench-high-contrast");
    if (highContrast != styleIsHighContrast)
        QApplication::setStyle(highContrast ? new HighContrastStyle : QStyleFactory::create(QStringLiteral("Fusion")));
    m_app.setPalette(highContrast ? highContrastPalette() : dark ? darkPalette() : lightPalette(*m_app.style()));
    if (dark != m_dark) {
        m_dark = dark;
        emit darkChanged(dark);
    }
}
