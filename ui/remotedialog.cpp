// The remote-model dialog: a form, List Models, Connect.
#include "remotedialog.h"

#include "ui/controllers/appsettings.h"
#include "ui/controllers/modelcontroller.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace {
RemoteEndpoint endpointOf(const QLineEdit* url, const QLineEdit* key, const QComboBox* model)
{
    RemoteEndpoint e;
    e.baseUrl = QUrl::fromUserInput(url->text().trimmed());
    e.apiKey = key->text();
    e.model = model->currentText().trimmed();
    return e;
}
} // namespace

RemoteDialog::RemoteDialog(AppSettings& settings, ModelController& models, QWidget* parent)
    : QDialog(parent), m_settings(settings), m_models(models)
{
    setWindowTitle(tr("Connect to Remote Model"));
    const RemoteEndpoint last = settings.remote();
    m_url = new QLineEdit(last.baseUrl.toString(), this);
    m_url->setToolTip(tr("The server's OpenAI API base URL, ending in /v1"));
    m_key = new QLineEdit(this);
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setPlaceholderText(tr("none"));
    m_key->setToolTip(tr("Sent as a Bearer token; used for this connection only and never saved."));
    m_model = new QComboBox(this);
    m_model->setEditable(true);
    m_model->setEditText(last.model);
    m_list = new QPushButton(tr("List Models"), this);
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(m_model, 1);
    modelRow->addWidget(m_list);
    auto* form = new QFormLayout;
    form->addRow(tr("Server &URL:"), m_url);
    form->addRow(tr("API &key:"), m_key);
    form->addRow(tr("&Model:"), modelRow);
    m_status = new QLabel(tr("Chat, knowledge and the Code panel's chat actions work through the server; looking "
                             "inside the model and completion in the editor need a local one."),
                          this);
    m_status->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    connect(buttons, &QDialogButtonBox::accepted, this, &RemoteDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    connect(m_list, &QPushButton::clicked, this, [this] {
        m_status->setText(tr("Asking %1 for its models…").arg(m_url->text().trimmed()));
        m_models.listRemoteModels(endpointOf(m_url, m_key, m_model));
    });
    connect(&m_models, &ModelController::remoteModelsListed, this, [this](const QStringList& ids) {
        const QString chosen = m_model->currentText();
        m_model->clear();
        m_model->addItems(ids);
        m_model->setCurrentIndex(std::max(0, int(ids.indexOf(chosen))));
        m_status->setText(tr("%n model(s) on this server.", nullptr, int(ids.size())));
    });
    connect(&m_models, &ModelController::remoteListFailed, this,
            [this](const QString& message) { m_status->setText(tr("Could not list the models: %1").arg(message)); });
}

void RemoteDialog::accept()
{
    const RemoteEndpoint e = endpointOf(m_url, m_key, m_model);
    if (!e.baseUrl.isValid() || e.baseUrl.scheme().isEmpty() || e.model.isEmpty()) {
        m_status->setText(tr("Give the server's URL and a model (List Models asks the server)."));
        return;
    }
    m_settings.setRemote(e);
    m_models.connectRemote(e);
    QDialog::accept();
}
