// MessageWidget: prose segments are QLabels in Markdown mode (Qt's own renderer), code
// segments CodeBlocks; the widgets are reused across streaming updates.
#include "messagewidget.h"

#include "codeblock.h"

#include <QUrl>
#include <QRegularExpression>
#include <QFileInfo>
#include <QDesktopServices>
#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHash>
#include <QLabel>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace {

// Plain text with a zero-width space after every 32 characters of a run without spaces, so
// a long word or URL wraps instead of running past the view (Copy takes the message itself).
QString breakWords(const QString& text)
{
    constexpr int kRun = 32;
    QString out;
    out.reserve(text.size());
    int run = 0;
    for (const QChar c : text) {
        out.append(c);
        run = c.isSpace() ? 0 : run + 1;
        if (run >= kRun && !c.isHighSurrogate()) { // never between the halves of a pair
            out.append(QChar(0x200B));
            run = 0;
        }
    }
    return out;
}
constexpr int kLayoutIntervalMs = 60;

// While a reply streams, its prose is shown as one label per paragraph, and a paragraph
// longer than kStreamChunk characters as pieces of about that size (cut at the last space
// before it, or at it): only the last piece's text changes, so a layout pass shapes that
// piece alone and the others answer from their height cache. Every cut depends only on text
// before it, so a piece never changes once the next one exists. The finished reply is laid
// out whole again (Markdown across the cuts renders right there).
constexpr int kStreamChunk = 600;

QList<MarkdownSegment> streaming_pieces(const QList<MarkdownSegment>& segments)
{
    QList<MarkdownSegment> out;
    for (const MarkdownSegment& seg : segments) {
        if (seg.code) {
            out.append(seg);
            continue;
        }
        for (const QString& paragraph : seg.text.split(QStringLiteral("\n\n"), Qt::SkipEmptyParts)) {
            qsizetype from = 0;
            while (paragraph.size() - from > kStreamChunk) {
                qsizetype cut = paragraph.lastIndexOf(QLatin1Char(' '), from + kStreamChunk);
                if (cut <= from)
                    cut = from + kStreamChunk - (paragraph[from + kStreamChunk - 1].isHighSurrogate() ? 1 : 0);
                out.append(MarkdownSegment{false, {}, paragraph.mid(from, cut - from)});
                from = cut;
            }
            out.append(MarkdownSegment{false, {}, paragraph.mid(from)});
        }
    }
    return out;
}

// A word-wrapped label that remembers its height per width until its text or font changes:
// one layout pass asks the same few widths several times, and every answer lays the whole
// text out again (for a streaming reply, every 60 ms).
class WrapLabel : public QLabel {
public:
    using QLabel::QLabel;

    int heightForWidth(int width) const override
    {
        if (text() != m_heightsFor) {
            m_heights.clear();
            m_heightsFor = text();
        }
        if (const auto it = m_heights.constFind(width); it != m_heights.cend())
            return *it;
        const int height = QLabel::heightForWidth(width);
        m_heights.insert(width, height);
        return height;
    }

protected:
    void changeEvent(QEvent* event) override
    {
        if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange)
            m_heights.clear();
        QLabel::changeEvent(event);
    }

private:
    mutable QString m_heightsFor;
    mutable QHash<int, int> m_heights;
};
}

MessageWidget::MessageWidget(KSyntaxHighlighting::Repository& repository, QWidget* parent)
    : QWidget(parent), m_repository(repository), m_header(new QLabel(this)),
      m_reasoningToggle(new QToolButton(this)), m_reasoning(new QLabel(this)), m_body(new QWidget(this)),
      m_stats(new QLabel(this)), m_sources(new QLabel(this)), m_copy(new QPushButton(tr("Copy"), this)),
      m_regenerate(new QPushButton(tr("Regenerate"), this)), m_edit(new QPushButton(tr("Edit"), this)),
      m_prev(new QToolButton(this)), m_next(new QToolButton(this)), m_branch(new QLabel(this))
{
    setObjectName(QStringLiteral("message"));
    m_throttle.setSingleShot(true);
    m_throttle.setInterval(kLayoutIntervalMs);
    connect(&m_throttle, &QTimer::timeout, this, &MessageWidget::render);

    // Everything in a message takes the width the chat gives it: text wraps (a word longer
    // than the line is cut by breakWords), code scrolls inside its block, so no message
    // asks the chat for more width than the view has.
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_body->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    for (QLabel* label : {m_header, m_reasoning, m_stats, m_sources}) {
        label->setWordWrap(true);
        label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    }
    QFont bold = m_header->font();
    bold.setBold(true);
    m_header->setFont(bold);
    m_reasoningToggle->setCheckable(true);
    m_reasoningToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_reasoningToggle->setArrowType(Qt::RightArrow);
    m_reasoning->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_reasoning->setForegroundRole(QPalette::PlaceholderText);
    m_reasoning->setVisible(false);
    connect(m_reasoningToggle, &QToolButton::toggled, this, [this](bool open) {
        m_reasoning->setVisible(open);
        m_reasoningToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
    });
    m_bodyLayout = new QVBoxLayout(m_body);
    m_bodyLayout->setSizeConstraint(QLayout::SetNoConstraint);
    m_bodyLayout->setContentsMargins(0, 0, 0, 0);
    m_stats->setForegroundRole(QPalette::PlaceholderText);
    m_sources->setTextFormat(Qt::RichText);
    m_sources->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_sources->setVisible(false);
    connect(m_sources, &QLabel::linkActivated, this, &MessageWidget::openLink);
    m_prev->setArrowType(Qt::LeftArrow);
    m_next->setArrowType(Qt::RightArrow);
    m_prev->setToolTip(tr("Previous version"));
    m_next->setToolTip(tr("Next version"));
    m_copy->setToolTip(tr("Copy the message to the clipboard"));
    m_regenerate->setToolTip(tr("Write a new answer; this one is kept as another version"));
    m_edit->setToolTip(tr("Change this message and send it again; the old version is kept"));
    connect(m_copy, &QPushButton::clicked, this, [this] {
        QApplication::clipboard()->setText(m_message.answer);
    });
    connect(m_regenerate, &QPushButton::clicked, this, &MessageWidget::regenerateRequested);
    connect(m_edit, &QPushButton::clicked, this, &MessageWidget::startEdit);
    connect(m_prev, &QToolButton::clicked, this, [this] { emit branchRequested(m_message.id, -1); });
    connect(m_next, &QToolButton::clicked, this, [this] { emit branchRequested(m_message.id, +1); });

    auto* footer = new QHBoxLayout;
    footer->addWidget(m_prev);
    footer->addWidget(m_branch);
    footer->addWidget(m_next);
    footer->addWidget(m_stats, 1);
    footer->addWidget(m_edit);
    footer->addWidget(m_regenerate);
    footer->addWidget(m_copy);
    auto* layout = new QVBoxLayout(this);
    layout->setSizeConstraint(QLayout::SetNoConstraint); // no minimum width forced on the message
    layout->setContentsMargins(8, 6, 8, 6);
    layout->addWidget(m_header);
    layout->addWidget(m_reasoningToggle, 0, Qt::AlignLeft);
    layout->addWidget(m_reasoning);
    layout->addWidget(m_body);
    layout->addWidget(m_sources);
    layout->addLayout(footer);
}

void MessageWidget::show(const MessageData& m, bool last)
{
    if (m.id != m_message.id) {
        m_provenance.clear();
        m_sentences.clear();
    }
    const bool same = m.id == m_message.id && m.streaming && m_message.streaming;
    m_message = m;
    m_last = last;
    if (same) { // a streaming update: lay out soon, not for every token
        if (!m_throttle.isActive())
            m_throttle.start();
        return;
    }
    render();
}

QString MessageWidget::renderedText() const
{
    QString text;
    for (QWidget* w : m_segments)
        if (auto* label = qobject_cast<QLabel*>(w))
            text += label->text();
    return text;
}

// The background is painted from the palette in force, so a theme change reaches messages
// already on screen (a palette copied onto the widget would keep the old theme's colours).
QColor MessageWidget::background() const
{
    return QApplication::palette().color(m_message.role == QLatin1String("user") ? QPalette::AlternateBase
                                                                                 : QPalette::Base);
}

void MessageWidget::paintEvent(QPaintEvent*)
{
    QPainter(this).fillRect(rect(), background());
}

void MessageWidget::render()
{
    const bool user = m_message.role == QLatin1String("user");
    const bool system = m_message.role == QLatin1String("system");
    update();
    m_header->setText(user ? tr("You") : system ? tr("System") : (m_message.model.isEmpty() ? tr("Assistant") : m_message.model));

    const bool has_reasoning = !user && !m_message.reasoning.isEmpty();
    m_reasoningToggle->setVisible(has_reasoning);
    m_reasoningToggle->setText(m_message.thinking ? tr("Thinking…") : tr("Reasoning"));
    m_reasoning->setText(m_message.reasoning);
    if (!has_reasoning)
        m_reasoning->setVisible(false);

    // The footer before the text: showing a widget lays out its parents at once, and with
    // the finished reply's text already set that laid out the whole reply, several widths,
    // three times (16 ms of a 20-ms render for 5,000 characters). Now those layouts see the
    // text as it was shown, and the new text is laid out once, in the next layout pass.
    renderFooter(user, system);

    // Prose and code segments, reusing the widgets already there when their kind matches.
    const QString answer = user ? m_message.content : m_message.answer;
    const QList<MarkdownSegment> segments = m_message.streaming && !user ? streaming_pieces(split_code_blocks(answer))
                                                                         : split_code_blocks(answer);
    m_codeBlocks.clear();
    for (int i = 0; i < segments.size(); ++i) {
        const MarkdownSegment& seg = segments[i];
        QWidget* w = i < m_segments.size() ? m_segments[i] : nullptr;
        const bool fits = w && (seg.code == (qobject_cast<CodeBlock*>(w) != nullptr));
        if (!fits) {
            if (w) {
                m_bodyLayout->removeWidget(w);
                w->hide();
                w->deleteLater();
            }
            if (seg.code) {
                auto* block = new CodeBlock(m_repository, m_body);
                block->setSizePolicy(QSizePolicy::Ignored, block->sizePolicy().verticalPolicy());
                connect(block, &CodeBlock::openInCodePanel, this, &MessageWidget::openInCodePanel);
                w = block;
            } else {
                auto* label = new WrapLabel(m_body);
                label->setWordWrap(true);
                label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
                label->setTextFormat(user ? Qt::PlainText : Qt::MarkdownText);
                label->setTextInteractionFlags(Qt::TextBrowserInteraction);
                connect(label, &QLabel::linkActivated, this, &MessageWidget::openLink);
                w = label;
            }
            m_bodyLayout->insertWidget(i, w);
            if (i < m_segments.size())
                m_segments[i] = w;
            else
                m_segments.append(w);
        }
        if (auto* block = qobject_cast<CodeBlock*>(w)) {
            block->setCode(seg.language, seg.text);
            m_codeBlocks.append(block);
        } else if (auto* label = qobject_cast<QLabel*>(w)) {
            // An answer's [n] that names one of its passages becomes a link to it.
            QString text = user ? breakWords(seg.text) : seg.text;
            if (!user && !m_message.sources.isEmpty()) {
                static const QRegularExpression cite(QStringLiteral("\\[(\\d{1,2})\\](?!\\()"));
                text.replace(cite, QStringLiteral("[\\[\\1\\]](cite:\\1)"));
            }
            if (label->text() != text)
                label->setText(text);
        }
    }
    while (m_segments.size() > segments.size()) {
        QWidget* w = m_segments.takeLast();
        m_bodyLayout->removeWidget(w);
        w->hide();
        w->deleteLater();
    }
}

// The statistics line, the sources and the buttons under the message.
void MessageWidget::renderFooter(bool user, bool system)
{
    QString stats;
    if (!user && !m_message.streaming && m_message.generatedTokens > 0)
        stats = tr("%1 tokens · %2 tokens/s · prompt %3 tokens")
                    .arg(m_message.generatedTokens)
                    .arg(m_message.tokensPerSecond, 0, 'f', 1)
                    .arg(m_message.promptTokens);
    if (m_message.stopReason == QLatin1String("cancelled"))
        stats += (stats.isEmpty() ? QString() : QStringLiteral(" · ")) + tr("stopped");
    else if (m_message.stopReason == QLatin1String("length"))
        stats += (stats.isEmpty() ? QString() : QStringLiteral(" · ")) + tr("length limit");
    else if (m_message.stopReason == QLatin1String("error"))
        stats += (stats.isEmpty() ? QString() : QStringLiteral(" · ")) + tr("failed");
    if (m_message.streaming)
        stats = tr("writing…");
    m_stats->setText(stats);

    renderSources();

    const bool branches = m_message.siblingCount > 1;
    m_prev->setVisible(branches);
    m_next->setVisible(branches);
    m_branch->setVisible(branches);
    m_branch->setText(tr("%1/%2").arg(m_message.siblingIndex + 1).arg(m_message.siblingCount));
    m_prev->setEnabled(m_message.siblingIndex > 0 && !m_message.streaming);
    m_next->setEnabled(m_message.siblingIndex + 1 < m_message.siblingCount && !m_message.streaming);
    m_regenerate->setVisible(!user && !system && m_last && !m_message.streaming);
    m_edit->setVisible(user && !m_message.streaming);
    m_copy->setVisible(!m_message.streaming);
}

void MessageWidget::startEdit()
{
    if (m_editor)
        return;
    m_editor = new QPlainTextEdit(m_message.content, this);
    m_editor->setObjectName(QStringLiteral("editor"));
    auto* send = new QPushButton(tr("Send"), this);
    auto* cancel = new QPushButton(tr("Cancel"), this);
    auto* row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(cancel);
    row->addWidget(send);
    auto* box = static_cast<QVBoxLayout*>(layout());
    box->insertWidget(box->indexOf(m_body) + 1, m_editor);
    box->insertLayout(box->indexOf(m_editor) + 1, row);
    m_body->setVisible(false);
    auto close = [this, send, cancel, row] {
        m_editor->deleteLater();
        send->deleteLater();
        cancel->deleteLater();
        row->deleteLater();
        m_editor = nullptr;
        m_body->setVisible(true);
    };
    connect(cancel, &QPushButton::clicked, this, close);
    connect(send, &QPushButton::clicked, this, [this, close] {
        const QString text = m_editor->toPlainText();
        close();
        emit editRequested(m_message.id, text);
    });
}

void MessageWidget::openLink(const QString& link)
{
    if (!link.startsWith(QLatin1String("cite:"))) {
        QDesktopServices::openUrl(QUrl(link));
        return;
    }
    const int n = link.mid(5).toInt();
    for (const CitedSource& c : m_message.sources)
        if (c.n == n)
            emit citationActivated(c);
}

void MessageWidget::setProvenance(const QList<double>& shares, const QList<SentenceProvenance>& sentences)
{
    m_provenance = shares;
    m_sentences = sentences;
    renderSources();
}

// "[1] kettle.md — Descaling", and once the answer's trace is in, a bar for the share of its
// attention on each: the longest bar is the most attended passage; one hardly attended
// (under a tenth of the most) is faint.
void MessageWidget::renderSources()
{
    const bool bars = m_provenance.size() == m_message.sources.size() && !m_provenance.isEmpty();
    const double most = bars ? *std::max_element(m_provenance.begin(), m_provenance.end()) : 0.0;
    const QString faint = QApplication::palette().color(QPalette::Disabled, QPalette::Text).name();
    QStringList cited;
    for (int i = 0; i < m_message.sources.size(); ++i) {
        const CitedSource& c = m_message.sources[i];
        const QString where = passagePlace(QFileInfo(c.path).fileName(), c.page, c.heading);
        QString entry = QStringLiteral("<a href=\"cite:%1\">[%1]</a> %2").arg(c.n).arg(where.toHtmlEscaped());
        if (bars) {
            const double share = m_provenance[i];
            const int filled = most > 0 ? qRound(10 * share / most) : 0;
            entry += QStringLiteral(" <span style=\"font-family:monospace\">%1%2</span> %3")
                         .arg(QString(filled, QChar(0x2588)), QString(10 - filled, QChar(0x2591)),
                              tr("%1% of the answer's attention").arg(100 * share, 0, 'f', 1));
            if (most <= 0 || share < most / 10)
                entry = QStringLiteral("<span style=\"color:%1\">%2</span>").arg(faint, entry);
        }
        cited << entry;
    }
    m_sources->setVisible(!cited.isEmpty() && !m_message.streaming);
    // Hovering the sources: each sentence of the answer and the passage it attended to most.
    QStringList perSentence;
    for (const SentenceProvenance& s : std::as_const(m_sentences)) {
        if (s.shares.size() != m_message.sources.size())
            continue;
        const auto best = std::max_element(s.shares.begin(), s.shares.end()) - s.shares.begin();
        const QString sentence = s.text.size() > 80 ? s.text.left(77) + QStringLiteral("…") : s.text;
        perSentence << tr("“%1”: [%2] %3%").arg(sentence.toHtmlEscaped()).arg(m_message.sources[best].n).arg(
                           100 * s.shares[best], 0, 'f', 1);
    }
    m_sources->setToolTip(perSentence.isEmpty() ? QString()
                                                : tr("Attention of each sentence of the answer, on the source it "
                                                     "attended to most:") +
                                                      QStringLiteral("<br>") + perSentence.join(QStringLiteral("<br>")));
    m_sources->setText(cited.isEmpty() ? QString()
                                       : tr("Sources:") + (bars ? QStringLiteral("<br>") : QStringLiteral(" ")) +
                                             cited.join(bars ? QStringLiteral("<br>") : QStringLiteral(" · ")));
}
