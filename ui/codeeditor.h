// A code editor: QPlainTextEdit with KSyntaxHighlighting (any definition the library ships,
// the light or dark theme from the palette), line numbers, the current line, matching
// brackets, folding where the definition marks regions, checker findings underlined and
// marked in the margin, and ghost text (a completion offered at the cursor: Tab takes it,
// Esc or typing drops it). Code written by the model goes in as one undo step.
#pragma once

#include "ui/controllers/lintcontroller.h"

#include <QPlainTextEdit>

namespace KSyntaxHighlighting {
class Repository;
class SyntaxHighlighter;
} // namespace KSyntaxHighlighting

class CodeEditor : public QPlainTextEdit {
    Q_OBJECT
public:
    CodeEditor(KSyntaxHighlighting::Repository& repository, QWidget* parent = nullptr);

    // The highlighting: a definition name ("Python"), or the one a file implies (its name,
    // else its MIME type from the content).
    void setLanguage(const QString& definition);
    void setLanguageForFile(const QString& path);
    QString language() const; // "" for plain text

    // Code the model writes: pieces appended where the first one went (replacing the
    // selection there), all of them one undo step.
    void beginGenerated();
    void insertGenerated(const QString& piece);
    void endGenerated();

    void setGhostText(const QString& text);
    void appendGhostText(const QString& piece);
    QString ghostText() const { return m_ghost; }
    bool acceptGhostText(); // Tab: the completion goes in as one undo step

    void setDiagnostics(const QList<Diagnostic>& diagnostics);
    const QList<Diagnostic>& diagnostics() const { return m_diagnostics; }

    // Folding: whether a region starts on `line` (0-based), and folds or unfolds it.
    bool canFold(int line) const;
    void toggleFold(int line);
    bool isFolded(int line) const;

    QString textBeforeCursor() const;
    QString textAfterCursor() const;

    int gutterWidth() const;
    void paintGutter(QPaintEvent* event);

signals:
    void userTyped();              // a key the user typed changed the text (not the model)
    void ghostAccepted(const QString& text);
    void ghostDismissed();         // Esc, or the cursor moved: the offer (and any coming) is void

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;
    bool event(QEvent* event) override; // the application's palette changed: the theme follows

private:
    void applyTheme();
    void updateExtraSelections();
    void updateGutterWidth();

    KSyntaxHighlighting::Repository& m_repository;
    KSyntaxHighlighting::SyntaxHighlighter* m_highlighter;
    QWidget* m_gutter;
    QString m_ghost;
    QList<Diagnostic> m_diagnostics;
    int m_genPos = -1;     // where the next generated piece goes, -1 when none is coming
    bool m_genFirst = false;
    bool m_themed = false;
};
