// What the attention and routing panels share: the frame (which message above; an empty
// state or the page of controls, view tabs and notes below) and writing their exports.
#pragma once

#include <QCoreApplication>
#include <QList>
#include <QString>

class EmptyState;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QWidget;
class TraceBar;

class InsideFrame {
    Q_DECLARE_TR_FUNCTIONS(InsideFrame)
public:
    // Lays out `panel`: the bar, then a stack of the empty state and a page with the
    // controls (left), the export buttons (right), the tabs and the widgets below them.
    // Returns the stack: index 0 is the empty state, 1 the page.
    static QStackedWidget* build(QWidget* panel, TraceBar* bar, EmptyState* empty, const QList<QWidget*>& controls,
                                 QPushButton* png, QPushButton* csv, QTabWidget* tabs, const QList<QWidget*>& below);
    // Asks where to save (a file dialog); "" when cancelled.
    static QString askPath(QWidget* parent, bool csv, const QString& name);
    static bool writeText(const QString& path, const QString& text); // UTF-8, whole or false
};
