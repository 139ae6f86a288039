// What the attention and routing panels share: their frame (the trace bar on top; below it
// an empty state, or the page of the panel's controls, the export buttons, the view tabs
// and a note), following the trace controller, and exporting the shown view as PNG or its
// numbers as CSV. Each panel adds its views and says what its data and its CSV are.
#pragma once

#include "ui/controllers/chattypes.h"

#include <QList>
#include <QString>
#include <QWidget>

class ConversationController;
class EmptyState;
class QLabel;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class TraceBar;
class TraceController;

class InsidePanel : public QWidget {
    Q_OBJECT
public:
    InsidePanel(ConversationController& conversations, TraceController& traces, QWidget* parent = nullptr);

    virtual void setTrace(const TraceResult& result) = 0; // what the controller sends; public for tests
    TraceBar* traceBar() const { return m_bar; }
    EmptyState* emptyState() const { return m_empty; }
    bool showsData() const;                                // the page, not the empty state
    bool exportPng(const QString& path) const;             // the view shown
    virtual bool exportCsv(const QString& path) const = 0;

protected:
    // Lays out the frame with the panel's `controls` (left of the export buttons) and the
    // widgets `below` the tabs, then follows the trace controller: call it last in the
    // panel's constructor (it calls setTrace with the trace held now).
    void finishFrame(const QList<QWidget*>& controls, const QList<QWidget*>& below);
    void showPage(bool withData);                          // the page, or the empty state
    virtual bool hasData() const = 0;
    virtual QString exportName(bool csv) const = 0;        // the file name offered
    static bool writeText(const QString& path, const QString& text); // UTF-8, whole or false

    TraceController& m_traces;
    TraceBar* m_bar;
    EmptyState* m_empty;
    QTabWidget* m_tabs;
    QPushButton* m_png;
    QPushButton* m_csv;
    QLabel* m_note;

private:
    void saveAs(bool csv);

    QStackedWidget* m_stack = nullptr;
};
