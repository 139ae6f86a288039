// DiffView: one framed block per hunk inside a scroll area; monospace, coloured lines.
#include "diffview.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFrame>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace {
QString lines(const QStringList& l, const char* mark, const char* colour)
{
    QString html;
    for (const QString& s : l)
        html += QStringLiteral("<div style=\"background:%1\">%2 %3</div>")
                    .arg(QLatin1String(colour), QLatin1String(mark), s.toHtmlEscaped().replace(QLatin1Char(' '), QStringLiteral("&nbsp;")));
    return html;
}
} // namespace

DiffView::DiffView(const QString& original, const QString& proposed, QWidget* parent)
    : QDialog(parent), m_before(original.split(QLatin1Char('\n'))),
      m_hunks(diffLines(m_before, proposed.split(QLatin1Char('\n'))))
{
    setWindowTitle(tr("Proposed Change"));
    auto* list = new QWidget;
    auto* rows = new QVBoxLayout(list);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    for (int i = 0; i < m_hunks.size(); ++i) {
        const DiffHunk& h = m_hunks[i];
        auto* frame = new QFrame(list);
        frame->setFrameShape(QFrame::StyledPanel);
        auto* col = new QVBoxLayout(frame);
        auto* box = new QCheckBox(tr("Apply change %1 of %2 (line %3)").arg(i + 1).arg(m_hunks.size()).arg(h.oldStart + 1), frame);
        box->setChecked(true);
        auto* text = new QLabel(lines(h.removed, "-", "#fdd") + lines(h.added, "+", "#dfd"), frame);
        text->setFont(mono);
        text->setTextFormat(Qt::RichText);
        col->addWidget(box);
        col->addWidget(text);
        rows->addWidget(frame);
        m_boxes.append(box);
    }
    if (m_hunks.isEmpty())
        rows->addWidget(new QLabel(tr("The proposal is the same as the code."), list));
    rows->addStretch(1);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(list);
    scroll->setWidgetResizable(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Apply | QDialogButtonBox::Cancel, this);
    connect(buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(scroll, 1);
    layout->addWidget(buttons);
    resize(700, 500);
}

QString DiffView::result() const
{
    QList<bool> accepted;
    for (const QCheckBox* b : m_boxes)
        accepted.append(b->isChecked());
    return applyHunks(m_before, m_hunks, accepted).join(QLatin1Char('\n'));
}
