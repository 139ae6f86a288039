// InsideFrame: layouts and file writing, nothing that knows about traces.
#include "insideframe.h"

#include "emptystate.h"
#include "tracebar.h"

#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QPushButton>
#include <QStackedWidget>
#include <QTabWidget>
#include <QVBoxLayout>

QStackedWidget* InsideFrame::build(QWidget* panel, TraceBar* bar, EmptyState* empty, const QList<QWidget*>& controls,
                                   QPushButton* png, QPushButton* csv, QTabWidget* tabs, const QList<QWidget*>& below)
{
    auto* row = new QHBoxLayout;
    for (QWidget* w : controls)
        row->addWidget(w);
    row->addStretch(1);
    row->addWidget(png);
    row->addWidget(csv);
    auto* page = new QWidget(panel);
    auto* pageLayout = new QVBoxLayout(page);
    pageLayout->setContentsMargins(0, 0, 0, 0);
    pageLayout->addLayout(row);
    tabs->setDocumentMode(true);
    pageLayout->addWidget(tabs, 1);
    for (QWidget* w : below)
        pageLayout->addWidget(w);
    auto* stack = new QStackedWidget(panel);
    stack->addWidget(empty);
    stack->addWidget(page);
    auto* layout = new QVBoxLayout(panel);
    layout->addWidget(bar);
    layout->addWidget(stack, 1);
    return stack;
}

QString InsideFrame::askPath(QWidget* parent, bool csv, const QString& name)
{
    return QFileDialog::getSaveFileName(parent, csv ? tr("Export CSV") : tr("Export PNG"), name,
                                        csv ? tr("CSV files (*.csv)") : tr("PNG pictures (*.png)"));
}

bool InsideFrame::writeText(const QString& path, const QString& text)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    const QByteArray bytes = text.toUtf8();
    return file.write(bytes) == bytes.size() && file.flush();
}
