// The Code panel: editors in tabs (open, save, a language picker over every definition
// KSyntaxHighlighting ships), a prompt that writes code into the editor as it streams, Stop,
// Explain / Refactor / Write tests on a selection (refactors come back as a diff to accept
// hunk by hunk), completions offered as ghost text after a pause in typing, and the
// checker's findings in the editor and in a list. Selections go to the chat; code blocks
// of the chat come here.
#pragma once

#include "ui/controllers/lintcontroller.h"

#include <QWidget>

namespace KSyntaxHighlighting {
class Repository;
}
class CodeController;
class CodeEditor;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTabWidget;
class QTimer;

class CodePanel : public QWidget {
    Q_OBJECT
public:
    CodePanel(CodeController& code, LintController& lint, KSyntaxHighlighting::Repository& repository,
              QWidget* parent = nullptr);

    CodeEditor* editor() const; // the current tab's
    CodeEditor* newEditor(const QString& language = QString(), const QString& text = QString(),
                          const QString& path = QString());
    bool openFile(const QString& path);        // false (with a status line) when it cannot read it
    bool saveFile(CodeEditor* editor, const QString& path);
    void openCode(const QString& language, const QString& code); // a chat code block, in a new tab

    QTabWidget* tabs() const { return m_tabs; }
    QComboBox* languageBox() const { return m_language; }
    QLineEdit* promptBox() const { return m_prompt; }
    QPushButton* generateButton() const { return m_generate; }
    QPushButton* explainButton() const { return m_explain; }
    QPushButton* refactorButton() const { return m_refactor; }
    QPushButton* testsButton() const { return m_tests; }
    QPushButton* toChatButton() const { return m_toChat; }
    QListWidget* findings() const { return m_findings; }
    QLabel* statusLabel() const { return m_status; }
    QLabel* lintLabel() const { return m_lintStatus; }
    void generate();                 // the prompt box's instruction, into the editor
    void refactorSelection();        // shows the proposal as a diff
    void setCompletionDelay(int ms);

signals:
    void sendToChat(const QString& text);

private:
    void updateButtons();
    void scheduleLint();
    void lintNow();
    void showFindings(const QString& key, const QList<Diagnostic>& found, const QString& status);
    QString keyOf(CodeEditor* editor) const;
    QString selectionOrAll() const;

    CodeController& m_code;
    LintController& m_lint;
    KSyntaxHighlighting::Repository& m_repository;
    QTabWidget* m_tabs;
    QComboBox* m_language;
    QLineEdit* m_prompt;
    QPushButton *m_generate, *m_explain, *m_refactor, *m_tests, *m_toChat;
    QLabel* m_status;
    QLabel* m_lintStatus;
    QListWidget* m_findings;
    QTimer* m_completionTimer;
    QTimer* m_lintTimer;
    CodeEditor* m_generatingInto = nullptr;
    CodeEditor* m_completingIn = nullptr;
};
