// ModelPanel: recent paths in a QStandardItemModel (name shown, full path as tool tip).
#include "modelpanel.h"

#include "app/appsettings.h"
#include "app/modelcontroller.h"

#include <QFileInfo>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QStandardItemModel>
#include <QVBoxLayout>

ModelPanel::ModelPanel(AppSettings& settings, ModelController& models, QWidget* parent)
    : QWidget(parent), m_settings(settings), m_models(models), m_current(new QLabel(this)),
      m_view(new QListView(this)), m_recent(new QStandardItemModel(this))
{
    m_current->setWordWrap(true);
    m_current->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* open = new QPushButton(tr("Open Model…"), this);
    auto* recentLabel = new QLabel(tr("Recent models"), this);
    m_view->setModel(m_recent);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setToolTip(tr("Double-click a model to open it"));

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_current);
    layout->addWidget(open);
    layout->addSpacing(8);
    layout->addWidget(recentLabel);
    layout->addWidget(m_view, 1);

    connect(open, &QPushButton::clicked, this, &ModelPanel::openRequested);
    connect(m_view, &QListView::activated, this, [this](const QModelIndex& index) {
        m_models.open(index.data(Qt::ToolTipRole).toString());
    });
    connect(&m_settings, &AppSettings::recentModelsChanged, this, &ModelPanel::refreshRecent);
    connect(&m_models, &ModelController::modelChanged, this, &ModelPanel::refreshCurrent);
    refreshRecent();
    refreshCurrent();
}

void ModelPanel::refreshRecent()
{
    const QStringList paths = m_settings.recentModels();
    m_recent->clear();
    for (const QString& path : paths) {
        auto* item = new QStandardItem(QFileInfo(path).fileName());
        item->setToolTip(path);
        item->setEditable(false);
        m_recent->appendRow(item);
    }
}

void ModelPanel::refreshCurrent()
{
    const QString path = m_models.currentPath();
    m_current->setText(path.isEmpty() ? tr("No model is open.")
                                      : tr("Open: <b>%1</b><br>%2")
                                            .arg(m_models.currentName().toHtmlEscaped(),
                                                 QFileInfo(path).absolutePath().toHtmlEscaped()));
}
