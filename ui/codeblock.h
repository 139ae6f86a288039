// A fenced code block of a reply: read-only, highlighted by KSyntaxHighlighting for its
// language (light or dark theme from the palette), with the language shown, a Copy button
// and "Open in Code Panel".
#pragma once

#include <QWidget>

namespace KSyntaxHighlighting {
class Repository;
class SyntaxHighlighter;
} // namespace KSyntaxHighlighting
class QLabel;
class QPlainTextEdit;
class QPushButton;

class CodeBlock : public QWidget {
    Q_OBJECT
public:
    CodeBlock(KSyntaxHighlighting::Repository& repository, QWidget* parent = nullptr);

    void setCode(const QString& language, const QString& code);
    QString code() const;
    QString definitionName() const; // the highlighting chosen, "" when none fits
    QPushButton* copyButton() const { return m_copy; }
    QPushButton* openButton() const { return m_open; }
    QPlainTextEdit* view() const { return m_view; }

signals:
    void openInCodePanel(const QString& language, const QString& code);

protected:
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void applyTheme();
    // Tall enough for its lines (up to 30), plus the horizontal scroll bar when a line is
    // wider than the view, so the bar never covers the last line.
    void updateHeight();

    KSyntaxHighlighting::Repository& m_repository;
    KSyntaxHighlighting::SyntaxHighlighter* m_highlighter;
    QLabel* m_language;
    QPushButton* m_copy;
    QPushButton* m_open;
    QPlainTextEdit* m_view;
    QString m_lang;
};

// Splits Markdown into prose and fenced code: {is_code, language, text} in order. An
// unclosed fence (a reply still streaming) is code to the end.
struct MarkdownSegment {
    bool code = false;
    QString language;
    QString text;
};
QList<MarkdownSegment> split_code_blocks(const QString& markdown);
