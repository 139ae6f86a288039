// One message of the chat: who wrote it, its reasoning (folded, for R1-style models), its
// text as Markdown with code blocks highlighted and copyable, its statistics, and the
// actions that fit it (copy; regenerate; edit and resend; switch between branches).
#pragma once

#include "ui/controllers/chattypes.h"

#include <QTimer>
#include <QWidget>

namespace KSyntaxHighlighting {
class Repository;
}
class CodeBlock;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QToolButton;
class QVBoxLayout;

class MessageWidget : public QWidget {
    Q_OBJECT
public:
    MessageWidget(KSyntaxHighlighting::Repository& repository, QWidget* parent = nullptr);

    // Shows `m` (`last`: the newest message of the branch). Streaming updates are
    // coalesced: the text is laid out at most every 60 ms.
    void show(const MessageData& m, bool last);
    qint64 messageId() const { return m_message.id; }

    // For tests and the self-test.
    QList<CodeBlock*> codeBlocks() const { return m_codeBlocks; }
    QString renderedText() const;                  // the prose as shown (Markdown source)
    QToolButton* reasoningToggle() const { return m_reasoningToggle; }
    QLabel* reasoningLabel() const { return m_reasoning; }
    QLabel* statsLabel() const { return m_stats; }
    QColor background() const; // what the message is drawn on: the theme's, for its role
    QLabel* sourcesLabel() const { return m_sources; }
    // The share of the answer's attention on each of its sources (bars beside them), and
    // per sentence of the answer (the sources line's tooltip).
    void setProvenance(const QList<double>& shares, const QList<SentenceProvenance>& sentences = {});

signals:
    void regenerateRequested();
    void editRequested(qint64 messageId, const QString& text);
    void branchRequested(qint64 messageId, int delta);
    void openInCodePanel(const QString& language, const QString& code);
    void citationActivated(const CitedSource& source); // a [n] of the text or of the sources line

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void render();
    void renderFooter(bool user, bool system);
    void startEdit();
    void openLink(const QString& link);
    void renderSources();

    KSyntaxHighlighting::Repository& m_repository;
    MessageData m_message;
    bool m_last = false;
    QTimer m_throttle;
    QLabel* m_header;
    QToolButton* m_reasoningToggle;
    QLabel* m_reasoning;
    QWidget* m_body;
    QVBoxLayout* m_bodyLayout;
    QList<QWidget*> m_segments;
    QList<CodeBlock*> m_codeBlocks;
    QLabel* m_stats;
    QLabel* m_sources;
    QList<double> m_provenance;
    QList<SentenceProvenance> m_sentences;
    QPushButton* m_copy;
    QPushButton* m_regenerate;
    QPushButton* m_edit;
    QToolButton* m_prev;
    QToolButton* m_next;
    QLabel* m_branch;
    QPlainTextEdit* m_editor = nullptr;
};
