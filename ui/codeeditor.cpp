// CodeEditor: the gutter is a child widget painted by the editor; folding hides the blocks
// of a region; brackets, the current line and findings are extra selections.
#include "codeeditor.h"

#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>

#include <QApplication>
#include <QKeyEvent>
#include <QMimeDatabase>
#include <QPainter>
#include <QTextBlock>

namespace {

class Gutter : public QWidget {
public:
    explicit Gutter(CodeEditor* editor) : QWidget(editor), m_editor(editor) {}
    QSize sizeHint() const override { return {m_editor->gutterWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent* event) override { m_editor->paintGutter(event); }
    void mousePressEvent(QMouseEvent* event) override
    {
        // A click on the fold marker column folds or unfolds the region starting there.
        if (event->position().x() < width() - fontMetrics().horizontalAdvance(QLatin1Char('9')))
            return;
        QTextBlock block = m_editor->cursorForPosition(QPoint(0, int(event->position().y()))).block();
        if (block.isValid() && m_editor->canFold(block.blockNumber()))
            m_editor->toggleFold(block.blockNumber());
    }

private:
    CodeEditor* m_editor;
};

const QString kBrackets = QStringLiteral("()[]{}");

} // namespace

CodeEditor::CodeEditor(KSyntaxHighlighting::Repository& repository, QWidget* parent)
    : QPlainTextEdit(parent), m_repository(repository),
      m_highlighter(new KSyntaxHighlighting::SyntaxHighlighter(document())), m_gutter(new Gutter(this))
{
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    setFont(mono);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setTabStopDistance(4 * fontMetrics().horizontalAdvance(QLatin1Char(' ')));
    applyTheme();
    connect(this, &QPlainTextEdit::blockCountChanged, this, &CodeEditor::updateGutterWidth);
    connect(this, &QPlainTextEdit::updateRequest, this, [this](const QRect& rect, int dy) {
        if (dy)
            m_gutter->scroll(0, dy);
        else
            m_gutter->update(0, rect.y(), m_gutter->width(), rect.height());
    });
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, &CodeEditor::updateExtraSelections);
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, [this] {
        setGhostText(QString()); // an offer is for where the cursor was
        emit ghostDismissed();
    });
    updateGutterWidth();
    updateExtraSelections();
}

void CodeEditor::setLanguage(const QString& definition)
{
    m_highlighter->setDefinition(m_repository.definitionForName(definition));
    m_highlighter->rehighlight();
}

void CodeEditor::setLanguageForFile(const QString& path)
{
    // The name first (extension, CMakeLists.txt), then the content's MIME type (a script
    // without an extension, by its #! line).
    KSyntaxHighlighting::Definition d = m_repository.definitionForFileName(path);
    if (!d.isValid()) {
        const QMimeType mime = QMimeDatabase().mimeTypeForFile(path);
        d = m_repository.definitionForMimeType(mime.name());
        for (const QString& parent : mime.allAncestors())
            if (!d.isValid())
                d = m_repository.definitionForMimeType(parent);
    }
    m_highlighter->setDefinition(d);
    m_highlighter->rehighlight();
}

QString CodeEditor::language() const
{
    const KSyntaxHighlighting::Definition d = m_highlighter->definition();
    return d.isValid() ? d.name() : QString();
}

void CodeEditor::applyTheme()
{
    // The theme follows the palette the editor inherits (its own holds the theme's colours):
    // a parent's own palette, else the application's, which is already the new one when the
    // theme changes (a parent may not have taken it yet).
    const QPalette inherited = parentWidget() && parentWidget()->testAttribute(Qt::WA_SetPalette)
                                   ? parentWidget()->palette()
                                   : QApplication::palette(this);
    const KSyntaxHighlighting::Theme theme = m_repository.themeForPalette(inherited);
    if (m_themed && theme.name() == m_highlighter->theme().name())
        return;
    m_themed = true;
    m_highlighter->setTheme(theme);
    // Only these two roles are the editor's own: a copy of palette() would set every role and
    // cut the editor off from later theme changes.
    QPalette p;
    p.setColor(QPalette::Base, QColor::fromRgba(theme.editorColor(KSyntaxHighlighting::Theme::BackgroundColor)));
    p.setColor(QPalette::Text, QColor::fromRgba(theme.textColor(KSyntaxHighlighting::Theme::Normal)));
    setPalette(p);
    m_highlighter->rehighlight();
}

bool CodeEditor::event(QEvent* event)
{
    const bool handled = QPlainTextEdit::event(event);
    if (event->type() == QEvent::ApplicationPaletteChange)
        applyTheme();
    return handled;
}

void CodeEditor::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::ApplicationPaletteChange || event->type() == QEvent::PaletteChange)
        applyTheme(); // the same theme again returns at once: no loop through setPalette
    QPlainTextEdit::changeEvent(event);
}

// --- generated code -------------------------------------------------------------------------

void CodeEditor::beginGenerated()
{
    m_genPos = textCursor().selectionStart();
    m_genFirst = true;
}

void CodeEditor::insertGenerated(const QString& piece)
{
    if (m_genPos < 0)
        beginGenerated();
    QTextCursor c = textCursor();
    if (m_genFirst) {
        c.beginEditBlock(); // the selection (if any) goes with the first piece, in the same step
        c.removeSelectedText();
        m_genPos = c.position();
    } else {
        c.setPosition(m_genPos);
        c.joinPreviousEditBlock();
    }
    c.insertText(piece);
    c.endEditBlock();
    m_genFirst = false;
    m_genPos = c.position();
    setTextCursor(c);
}

void CodeEditor::endGenerated() { m_genPos = -1; }

// --- ghost text -----------------------------------------------------------------------------

void CodeEditor::setGhostText(const QString& text)
{
    m_ghost = text;
    viewport()->update();
}

void CodeEditor::appendGhostText(const QString& piece) { setGhostText(m_ghost + piece); }

bool CodeEditor::acceptGhostText()
{
    if (m_ghost.isEmpty())
        return false;
    const QString text = std::exchange(m_ghost, QString());
    QTextCursor c = textCursor();
    c.beginEditBlock();
    c.insertText(text);
    c.endEditBlock();
    setTextCursor(c);
    viewport()->update();
    emit ghostAccepted(text);
    return true;
}

void CodeEditor::keyPressEvent(QKeyEvent* event)
{
    if (!m_ghost.isEmpty()) {
        if (event->key() == Qt::Key_Tab && event->modifiers() == Qt::NoModifier) {
            acceptGhostText();
            return;
        }
    }
    if (event->key() == Qt::Key_Escape && event->modifiers() == Qt::NoModifier) {
        const bool offered = !m_ghost.isEmpty();
        setGhostText(QString());
        emit ghostDismissed(); // a completion still being written is not wanted either
        if (offered)
            return;
    }
    const QString before = toPlainText();
    QPlainTextEdit::keyPressEvent(event);
    if (toPlainText() != before || !event->text().isEmpty()) {
        setGhostText(QString()); // typing drops an offered completion
        emit userTyped();
    }
}

void CodeEditor::paintEvent(QPaintEvent* event)
{
    QPlainTextEdit::paintEvent(event);
    if (m_ghost.isEmpty())
        return;
    QPainter p(viewport());
    QColor ghost = palette().color(QPalette::Text);
    ghost.setAlphaF(0.45f);
    p.setPen(ghost);
    p.setFont(font());
    const QRect at = cursorRect();
    const QStringList lines = m_ghost.split(QLatin1Char('\n'));
    const int left = int(contentOffset().x() + document()->documentMargin());
    const int ascent = fontMetrics().ascent();
    // Over the text that follows, on the base colour: an offer, not yet part of the code.
    const QColor base = palette().color(QPalette::Base);
    for (int i = 0; i < lines.size(); ++i) {
        const int x = i == 0 ? at.left() : left;
        const int top = at.top() + i * fontMetrics().lineSpacing();
        if (!lines[i].isEmpty())
            p.fillRect(x, top, fontMetrics().horizontalAdvance(lines[i]) + 2, fontMetrics().lineSpacing(), base);
        p.drawText(x, top + ascent, lines[i]);
    }
}

// --- findings, brackets, current line ------------------------------------------------------

void CodeEditor::setDiagnostics(const QList<Diagnostic>& diagnostics)
{
    m_diagnostics = diagnostics;
    updateExtraSelections();
    m_gutter->update();
}

void CodeEditor::updateExtraSelections()
{
    QList<QTextEdit::ExtraSelection> extra;
    QTextEdit::ExtraSelection line;
    QColor current = palette().color(QPalette::Highlight);
    current.setAlphaF(0.12f);
    line.format.setBackground(current);
    line.format.setProperty(QTextFormat::FullWidthSelection, true);
    line.cursor = textCursor();
    line.cursor.clearSelection();
    extra.append(line);

    // The bracket at (or just before) the cursor and its partner.
    const QString text = toPlainText();
    const int pos = textCursor().position();
    for (int at : {pos, pos - 1}) {
        if (at < 0 || at >= text.size() || kBrackets.indexOf(text[at]) < 0)
            continue;
        const int kind = int(kBrackets.indexOf(text[at]));
        const bool opening = kind % 2 == 0;
        const QChar self = text[at], other = kBrackets[opening ? kind + 1 : kind - 1];
        int depth = 0, match = -1;
        for (int i = at; i >= 0 && i < text.size(); i += opening ? 1 : -1) {
            if (text[i] == self)
                ++depth;
            else if (text[i] == other && --depth == 0) {
                match = i;
                break;
            }
        }
        if (match < 0)
            break;
        for (int p : {at, match}) {
            QTextEdit::ExtraSelection s;
            s.format.setBackground(QColor(255, 200, 0, 110));
            s.cursor = QTextCursor(document());
            s.cursor.setPosition(p);
            s.cursor.setPosition(p + 1, QTextCursor::KeepAnchor);
            extra.append(s);
        }
        break;
    }
    for (const Diagnostic& d : std::as_const(m_diagnostics)) {
        const QTextBlock block = document()->findBlockByNumber(d.line - 1);
        if (!block.isValid())
            continue;
        QTextEdit::ExtraSelection s;
        s.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        s.format.setUnderlineColor(d.severity == QLatin1String("error") ? Qt::red : QColor(230, 140, 0));
        s.format.setToolTip(d.message);
        s.cursor = QTextCursor(block);
        const int col = std::clamp(d.column - 1, 0, std::max(0, int(block.length()) - 2));
        if (d.column > 0) { // from the column to the end of its word
            s.cursor.setPosition(block.position() + col);
            s.cursor.movePosition(QTextCursor::EndOfWord, QTextCursor::KeepAnchor);
            if (!s.cursor.hasSelection())
                s.cursor.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
        } else {
            s.cursor.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
        }
        extra.append(s);
    }
    setExtraSelections(extra);
}

// --- folding ---------------------------------------------------------------------------------

bool CodeEditor::canFold(int line) const
{
    const QTextBlock block = document()->findBlockByNumber(line);
    return block.isValid() && m_highlighter->startsFoldingRegion(block);
}

bool CodeEditor::isFolded(int line) const
{
    const QTextBlock block = document()->findBlockByNumber(line);
    return block.isValid() && block.next().isValid() && !block.next().isVisible();
}

void CodeEditor::toggleFold(int line)
{
    const QTextBlock start = document()->findBlockByNumber(line);
    if (!canFold(line))
        return;
    QTextBlock end = m_highlighter->findFoldingRegionEnd(start);
    if (!end.isValid())
        end = document()->lastBlock();
    const bool fold = !isFolded(line);
    // The region's inner lines; the line that ends it stays visible when it only closes it.
    for (QTextBlock b = start.next(); b.isValid() && b.blockNumber() < end.blockNumber(); b = b.next())
        b.setVisible(!fold);
    document()->markContentsDirty(start.position(), end.position() - start.position() + 1);
    viewport()->update();
    m_gutter->update();
}

// --- the gutter ------------------------------------------------------------------------------

int CodeEditor::gutterWidth() const
{
    int digits = 1;
    for (int n = std::max(1, blockCount()); n >= 10; n /= 10)
        ++digits;
    const int digit = fontMetrics().horizontalAdvance(QLatin1Char('9'));
    return 8 + digit * (digits + 1) + digit; // margin for the finding mark, numbers, fold marker
}

void CodeEditor::updateGutterWidth() { setViewportMargins(gutterWidth(), 0, 0, 0); }

void CodeEditor::resizeEvent(QResizeEvent* event)
{
    QPlainTextEdit::resizeEvent(event);
    const QRect cr = contentsRect();
    m_gutter->setGeometry(QRect(cr.left(), cr.top(), gutterWidth(), cr.height()));
}

void CodeEditor::paintGutter(QPaintEvent* event)
{
    QPainter p(m_gutter);
    p.fillRect(event->rect(), palette().color(QPalette::Window));
    const int digit = fontMetrics().horizontalAdvance(QLatin1Char('9'));
    QTextBlock block = firstVisibleBlock();
    int top = int(blockBoundingGeometry(block).translated(contentOffset()).top());
    const int h = fontMetrics().height();
    while (block.isValid() && top <= event->rect().bottom()) {
        const int bottom = top + int(blockBoundingRect(block).height());
        if (block.isVisible() && bottom >= event->rect().top()) {
            const int line = block.blockNumber();
            p.setPen(line == textCursor().blockNumber() ? palette().color(QPalette::Text)
                                                        : palette().color(QPalette::PlaceholderText));
            p.drawText(0, top, m_gutter->width() - 2 * digit, h, Qt::AlignRight, QString::number(line + 1));
            if (canFold(line))
                p.drawText(m_gutter->width() - digit - 2, top, digit, h, Qt::AlignCenter,
                           isFolded(line) ? QStringLiteral("+") : QStringLiteral("-"));
            for (const Diagnostic& d : std::as_const(m_diagnostics))
                if (d.line == line + 1) {
                    p.setBrush(d.severity == QLatin1String("error") ? Qt::red : QColor(230, 140, 0));
                    p.setPen(Qt::NoPen);
                    p.drawEllipse(QPoint(4, top + h / 2), 3, 3);
                    break;
                }
        }
        block = block.next();
        top = bottom;
    }
}

QString CodeEditor::textBeforeCursor() const
{
    const QString text = toPlainText();
    return text.left(textCursor().position());
}

QString CodeEditor::textAfterCursor() const
{
    const QString text = toPlainText();
    return text.mid(textCursor().position());
}
