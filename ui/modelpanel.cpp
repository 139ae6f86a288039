// ModelPanel: recent paths in a QStandardItemModel (name shown, full path as tool tip);
// facts from the ModelController's LoadedModel.
#include "modelpanel.h"

#include "ui/controllers/chattypes.h"

#include "ui/controllers/appsettings.h"
#include "ui/controllers/modelcontroller.h"

#include <QFileInfo>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardItemModel>
#include <QVBoxLayout>

ModelPanel::ModelPanel(AppSettings& settings, ModelController& models, QWidget* parent)
    : QWidget(parent), m_settings(settings), m_models(models), m_current(new QLabel(this)), m_facts(new QLabel(this)),
      m_progress(new QProgressBar(this)), m_unload(new QPushButton(tr("Unload"), this)), m_view(new QListView(this)),
      m_recent(new QStandardItemModel(this))
{
    m_current->setWordWrap(true);
    m_current->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_facts->setWordWrap(true);
    m_facts->setTextFormat(Qt::RichText);
    m_facts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setRange(0, 100);
    m_progress->setVisible(false);
    auto* open = new QPushButton(tr("Open Model…"), this);
    auto* recentLabel = new QLabel(tr("Recent models"), this);
    m_view->setModel(m_recent);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setToolTip(tr("Double-click a model to open it"));

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(open, 1);
    buttons->addWidget(m_unload);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_current);
    layout->addWidget(m_progress);
    layout->addLayout(buttons);
    layout->addWidget(m_facts);
    layout->addSpacing(8);
    layout->addWidget(recentLabel);
    layout->addWidget(m_view, 1);

    connect(open, &QPushButton::clicked, this, &ModelPanel::openRequested);
    connect(m_unload, &QPushButton::clicked, &m_models, &ModelController::close);
    connect(m_view, &QListView::activated, this, [this](const QModelIndex& index) {
        m_models.open(index.data(Qt::ToolTipRole).toString());
    });
    connect(&m_settings, &AppSettings::recentModelsChanged, this, &ModelPanel::refreshRecent);
    connect(&m_models, &ModelController::modelChanged, this, &ModelPanel::refreshCurrent);
    connect(&m_models, &ModelController::loadingStarted, this, [this](const QString& path) {
        m_current->setText(tr("Loading %1…").arg(QFileInfo(path).fileName().toHtmlEscaped()));
        m_progress->setValue(0);
        m_progress->setVisible(true);
    });
    connect(&m_models, &ModelController::loadProgress, this, [this](double f) { m_progress->setValue(qRound(f * 100)); });
    connect(&m_models, &ModelController::errorOccurred, this, [this] {
        m_progress->setVisible(false);
        refreshCurrent();
    });
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
    m_progress->setVisible(m_models.isLoading());
    const QString path = m_models.currentPath();
    m_unload->setEnabled(!path.isEmpty());
    if (path.isEmpty()) {
        m_current->setText(tr("No model is open."));
        m_facts->clear();
        return;
    }
    const LoadedModel& m = m_models.model();
    if (m_models.isRemote()) {
        m_current->setText(tr("Remote: <b>%1</b><br>%2").arg(m.name.toHtmlEscaped(), m.device.toHtmlEscaped()) +
                           QStringLiteral("<p>") +
                           tr("Replies come from the server. The Attention and Routing panels and code completion "
                              "in the editor need a local model.")
                               .toHtmlEscaped() +
                           QStringLiteral("</p>"));
        m_facts->clear();
        return;
    }
    m_current->setText(tr("Open: <b>%1</b><br>%2")
                           .arg(m_models.currentName().toHtmlEscaped(), QFileInfo(path).absolutePath().toHtmlEscaped()) +
                       (m_models.isBuiltin()
                            ? QStringLiteral("<p>") +
                                  tr("This is Seekbench's built-in demo model, %1 parameters trained here on a small "
                                     "corpus: it shows how everything works, but its answers are practice text. Open "
                                     "a real GGUF model (Model › Open…) for real answers.")
                                      .arg(parameterCount(m_models.model().parameters))
                                      .toHtmlEscaped() +
                                  QStringLiteral("</p>")
                            : QString()));
    const QLocale locale;
    auto row = [](const QString& k, const QString& v) {
        return QStringLiteral("<tr><td>%1&nbsp;&nbsp;</td><td>%2</td></tr>").arg(k.toHtmlEscaped(), v.toHtmlEscaped());
    };
    QString params = parameterCount(m.parameters);
    if (m.experts > 0)
        params += tr(" (%1 active: %2 of %3 experts)").arg(parameterCount(m.activeParameters)).arg(m.expertsUsed).arg(m.experts);
    QString html = QStringLiteral("<table>");
    html += row(tr("Name"), m.name);
    html += row(tr("Architecture"), m.architecture);
    html += row(tr("Parameters"), params);
    html += row(tr("Format"), tr("%1, %2").arg(m.fileType, locale.formattedDataSize(m.fileBytes)));
    html += row(tr("Layers"), QString::number(m.layers));
    html += row(tr("Context"), tr("%1 tokens").arg(m.contextLength));
    html += row(tr("Tokenizer"), m.tokenizer);
    html += row(tr("Chat template"), m.templateAssumed ? tr("%1 (assumed: %2)").arg(m.templateName, m.templateNote) : m.templateName);
    html += row(tr("Runs on"), m.device);
    if (m.gpuLayers > 0) {
        QString gpu = m.gpuLayers == m.layers ? tr("all %n layer(s)", "", m.layers)
                                              : tr("the last %1 of %2 layers; the first %3 on the CPU")
                                                    .arg(m.gpuLayers).arg(m.layers).arg(m.layers - m.gpuLayers);
        if (m.expertsOnCpu)
            gpu += tr("; routed experts on the CPU");
        html += row(tr("On the GPU"), tr("%1 (%2 of weights)").arg(gpu, locale.formattedDataSize(m.gpuBytes)));
    }
    if (!m.deviceNote.isEmpty())
        html += row(tr("Not on the GPU"), m.deviceNote);
    html += QStringLiteral("</table>");
    m_facts->setText(html);
}
