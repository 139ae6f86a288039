// The top row of the attention and routing panels: which message of the shown branch is
// looked into, and the state of its trace (running, its size, or what went wrong).
#pragma once

#include "ui/controllers/chattypes.h"

#include <QWidget>
#include <functional>

class ConversationController;
class QComboBox;
class QLabel;
class TraceController;

class TraceBar : public QWidget {
    Q_OBJECT
public:
    TraceBar(ConversationController& conversations, TraceController& traces, QWidget* parent = nullptr);

    // Which layer a recomputed trace should keep first (the attention panel's layer).
    void setFocusLayer(std::function<int()> focus) { m_focus = std::move(focus); }
    QComboBox* messageBox() const { return m_messages; }
    QLabel* statusLabel() const { return m_status; }

private:
    void refill();
    void pick(int index);
    void showResult(const TraceResult& result);

    ConversationController& m_conversations;
    TraceController& m_traces;
    QComboBox* m_messages;
    QLabel* m_status;
    std::function<int()> m_focus;
};
