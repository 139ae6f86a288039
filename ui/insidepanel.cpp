// InsidePanel: the layout, the controller's signals and writing files; nothing that knows
// what a trace holds.
#include "insidepanel.h"

#include "emptystate.h"
#include "tracebar.h"

#include "ui/controllers/tracecontroller.h"

#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTabWidget>
#include <QVBoxLayout>

InsidePanel::InsidePanel(ConversationController& conversations, TraceController& traces, QWidget* parent)
    : QWidget(parent), m_traces(traces), m_bar(new TraceBar(conversations, traces, this)),
      m_empty(new EmptyState(QString(), QString(), this)), m_tabs(new QTabWidget(this)),
      m_png(new QPushButton(tr("Export PNG…"), this)), m_csv(new QPushButton(tr("Export CSV…"), this)),
      m_note(new QLabel(this))
{
    m_png->setToolTip(tr("Save the current view as a picture"));
    m_note->setWordWrap(true);
    m_note->setForegroundRole(QPalette::PlaceholderText);
    m_tabs->setDocumentMode(true);
    connect(m_png, &QPushButton::clicked, this, [this] { saveAs(false); });
    connect(m_csv, &QPushButton::clicked, this, [this] { saveAs(true); });
}

void InsidePanel::finishFrame(const QList<QWidget*>& controls, const QList<QWidget*>& below)
{
    auto* row = new QHBoxLayout;
    for (QWidget* w : controls)
        row->addWidget(w);
    row->addStretch(1);
    row->addWidget(m_png);
    row->addWidget(m_csv);
    auto* page = new QWidget(this);
    auto* pageLayout = new QVBoxLayout(page);
    pageLayout->setContentsMargins(0, 0, 0, 0);
    pageLayout->addLayout(row);
    pageLayout->addWidget(m_tabs, 1);
    for (QWidget* w : below)
        pageLayout->addWidget(w);
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_empty);
    m_stack->addWidget(page);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_bar);
    layout->addWidget(m_stack, 1);

    connect(&m_traces, &TraceController::traceReady, this, &InsidePanel::setTrace);
    connect(&m_traces, &TraceController::traceCleared, this, [this] { setTrace(TraceResult{}); });
    setTrace(m_traces.trace());
}

bool InsidePanel::showsData() const { return m_stack && m_stack->currentIndex() == 1; }

void InsidePanel::showPage(bool withData) { m_stack->setCurrentIndex(withData ? 1 : 0); }

bool InsidePanel::exportPng(const QString& path) const
{
    QWidget* view = m_tabs->currentWidget();
    if (auto* area = qobject_cast<QScrollArea*>(view))
        view = area->widget();
    return view && view->grab().save(path, "PNG");
}

bool InsidePanel::writeText(const QString& path, const QString& text)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    const QByteArray bytes = text.toUtf8();
    return file.write(bytes) == bytes.size() && file.flush();
}

void InsidePanel::saveAs(bool csv)
{
    if (!hasData())
        return;
    const QString path = QFileDialog::getSaveFileName(this, csv ? tr("Export CSV") : tr("Export PNG"), exportName(csv),
                                                      csv ? tr("CSV files (*.csv)") : tr("PNG pictures (*.png)"));
    if (path.isEmpty())
        return;
    if (!(csv ? exportCsv(path) : exportPng(path))) {
        m_note->setText(tr("Could not write %1.").arg(path));
        m_note->setVisible(true);
    }
}
