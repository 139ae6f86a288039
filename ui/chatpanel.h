// The Chat panel: the shown branch of the current conversation (a ChatModel, drawn as one
// MessageWidget per row), an input box with Send/Stop, and the conversation's settings
// (system prompt, sampling). Before a model is loaded it says how to get one.
#pragma once

#include "ui/controllers/chattypes.h"

#include <QHash>
#include <QWidget>

namespace KSyntaxHighlighting {
class Repository;
}
class ChatModel;
class ConversationController;
class EmptyState;
class MessageWidget;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QScrollArea;
class QStackedWidget;
class QToolButton;
class QVBoxLayout;
class TurnController;

class ChatPanel : public QWidget {
    Q_OBJECT
public:
    ChatPanel(ConversationController& conversations, TurnController& turns, KSyntaxHighlighting::Repository& repository,
              QWidget* parent = nullptr);

    ChatModel* model() const { return m_model; }
    QList<MessageWidget*> messageWidgets() const { return m_widgets; }
    QPlainTextEdit* input() const { return m_input; }
    QPushButton* sendButton() const { return m_send; }
    EmptyState* emptyState() const { return m_empty; }
    QScrollArea* scrollArea() const { return m_scroll; }
    void setModelLoaded(bool loaded);
    void send();

    void appendToInput(const QString& text); // e.g. code sent from the Code panel
    // The knowledge collections there are; the Knowledge button offers them for the
    // current conversation to answer from.
    void setCollections(const QStringList& names);
    QToolButton* knowledgeButton() const { return m_knowledge; }
    // Where an answer's attention went, per source (kept while the app runs).
    void showProvenance(qint64 messageId, const QList<double>& shares, const QList<SentenceProvenance>& sentences);

signals:
    void openModelRequested();
    void openInCodePanel(const QString& language, const QString& code);
    void citationActivated(const CitedSource& source);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void rebuild();
    void refreshRow(int row);
    void updateHeader();
    void updateSendButton(bool generating);
    void editSettings();
    void scrollToEnd();
    void updateKnowledgeButton();

    ConversationController& m_conversations;
    TurnController& m_turns;
    KSyntaxHighlighting::Repository& m_repository;
    ChatModel* m_model;
    QStackedWidget* m_stack;
    EmptyState* m_empty;
    QLabel* m_title;
    QPushButton* m_settings;
    QToolButton* m_knowledge;
    QStringList m_collections;
    QHash<qint64, std::pair<QList<double>, QList<SentenceProvenance>>> m_provenance;
    QScrollArea* m_scroll;
    QWidget* m_list;
    QVBoxLayout* m_listLayout;
    QLabel* m_hint;
    QList<MessageWidget*> m_widgets;
    QPlainTextEdit* m_input;
    QPushButton* m_send;
    bool m_follow = true;
};
