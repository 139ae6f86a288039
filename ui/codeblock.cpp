// CodeBlock: a QPlainTextEdit sized to its content (no inner scrolling up to 30 lines).
#include "codeblock.h"

#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>

#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QResizeEvent>
#include <QScrollBar>
#include <QStyle>
#include <QVBoxLayout>

namespace {

// Fence names people write, to KSyntaxHighlighting definition names.
KSyntaxHighlighting::Definition find_definition(KSyntaxHighlighting::Repository& repo, const QString& language)
{
    static const QHash<QString, QString> aliases = {
        {QStringLiteral("cpp"), QStringLiteral("C++")},   {QStringLiteral("c++"), QStringLiteral("C++")},
        {QStringLiteral("py"), QStringLiteral("Python")}, {QStringLiteral("js"), QStringLiteral("JavaScript")},
        {QStringLiteral("ts"), QStringLiteral("TypeScript")}, {QStringLiteral("sh"), QStringLiteral("Bash")},
        {QStringLiteral("shell"), QStringLiteral("Bash")}, {QStringLiteral("rs"), QStringLiteral("Rust")},
        {QStringLiteral("yml"), QStringLiteral("YAML")},  {QStringLiteral("md"), QStringLiteral("Markdown")},
    };
    const QString key = language.trimmed().toLower();
    if (key.isEmpty())
        return {};
    KSyntaxHighlighting::Definition def = repo.definitionForName(aliases.value(key, language.trimmed()));
    if (!def.isValid())
        for (const auto& d : repo.definitions())
            if (d.name().compare(language.trimmed(), Qt::CaseInsensitive) == 0)
                return d;
    if (!def.isValid())
        def = repo.definitionForFileName(QStringLiteral("code.") + key);
    return def;
}

bool is_dark(const QPalette& p) { return p.color(QPalette::Base).lightness() < 128; }

} // namespace

CodeBlock::CodeBlock(KSyntaxHighlighting::Repository& repository, QWidget* parent)
    : QWidget(parent), m_repository(repository), m_language(new QLabel(this)),
      m_copy(new QPushButton(tr("Copy"), this)), m_open(new QPushButton(tr("Open in Code Panel"), this)),
      m_view(new QPlainTextEdit(this))
{
    m_view->setReadOnly(true);
    m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_view->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_view->setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    m_highlighter = new KSyntaxHighlighting::SyntaxHighlighter(m_view->document());
    m_copy->setToolTip(tr("Copy the code to the clipboard"));
    m_language->setForegroundRole(QPalette::PlaceholderText);
    connect(m_copy, &QPushButton::clicked, this, [this] {
        QApplication::clipboard()->setText(code());
        m_copy->setText(tr("Copied"));
    });
    m_open->setToolTip(tr("Edit this code in the Code panel"));
    connect(m_open, &QPushButton::clicked, this, [this] { emit openInCodePanel(definitionName(), code()); });
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_language, 1);
    bar->addWidget(m_open);
    bar->addWidget(m_copy);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 4);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(m_view);
    applyTheme();
}

void CodeBlock::setCode(const QString& language, const QString& code)
{
    if (language != m_lang) {
        m_lang = language;
        const auto def = find_definition(m_repository, language);
        m_highlighter->setDefinition(def);
        m_language->setText(def.isValid() ? def.translatedName() : (language.isEmpty() ? tr("Code") : language));
    }
    if (code != m_view->toPlainText())
        m_view->setPlainText(code);
    updateHeight();
}

void CodeBlock::updateHeight()
{
    const QString code = m_view->toPlainText();
    const QFontMetrics metrics = m_view->fontMetrics();
    int widest = 0;
    for (const QString& line : code.split(QLatin1Char('\n')))
        widest = std::max(widest, metrics.horizontalAdvance(line));
    const int lines = std::clamp(static_cast<int>(code.count(QLatin1Char('\n'))) + 1, 1, 30);
    const int textWidth = m_view->width() - 2 * m_view->frameWidth() - 2 * int(m_view->document()->documentMargin());
    const bool scrolls = widest > textWidth;
    const int bar = scrolls ? m_view->style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, m_view) : 0;
    m_view->setFixedHeight(lines * metrics.lineSpacing() + 2 * m_view->frameWidth() + 12 + bar);
}

void CodeBlock::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    if (event->size().width() != event->oldSize().width())
        updateHeight();
}

QString CodeBlock::code() const { return m_view->toPlainText(); }

QString CodeBlock::definitionName() const { return m_highlighter->definition().name(); }

void CodeBlock::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
    QWidget::changeEvent(event);
}

void CodeBlock::applyTheme()
{
    m_highlighter->setTheme(m_repository.defaultTheme(is_dark(palette()) ? KSyntaxHighlighting::Repository::DarkTheme
                                                                         : KSyntaxHighlighting::Repository::LightTheme));
    m_highlighter->rehighlight();
}

QList<MarkdownSegment> split_code_blocks(const QString& markdown)
{
    QList<MarkdownSegment> out;
    bool code = false;
    QString language, fence;
    QStringList lines;
    auto flush = [&] {
        const QString text = lines.join(QLatin1Char('\n'));
        if (code || !text.trimmed().isEmpty())
            out.append(MarkdownSegment{code, language, text});
        lines.clear();
    };
    for (const QString& line : markdown.split(QLatin1Char('\n'))) {
        const QString trimmed = line.trimmed();
        if (!code && (trimmed.startsWith(QLatin1String("```")) || trimmed.startsWith(QLatin1String("~~~")))) {
            flush();
            code = true;
            fence = trimmed.left(3);
            language = trimmed.mid(3).trimmed();
            continue;
        }
        if (code && trimmed.startsWith(fence) && trimmed.mid(3).trimmed().isEmpty()) {
            flush();
            code = false;
            language.clear();
            continue;
        }
        lines.append(line);
    }
    flush();
    return out;
}
