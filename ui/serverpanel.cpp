// Server panel: a form, one button that starts or stops, the state in words, the log.
#include "serverpanel.h"

#include <QClipboard>
#include <QFileInfo>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

ServerPanel::ServerPanel(ServerController& server, QWidget* parent) : QWidget(parent), m_server(server)
{
    auto* form = new QFormLayout;
    m_host = new QLineEdit(QStringLiteral("127.0.0.1"), this);
    m_host->setToolTip(tr("127.0.0.1 serves this computer only; 0.0.0.0 serves your network too (set an API key)."));
    form->addRow(tr("&Address:"), m_host);
    m_port = new QSpinBox(this);
    m_port->setRange(0, 65535);
    m_port->setValue(8080);
    m_port->setSpecialValueText(tr("any free port"));
    form->addRow(tr("&Port:"), m_port);
    m_slots = new QSpinBox(this);
    m_slots->setRange(1, 64);
    m_slots->setValue(4);
    m_slots->setToolTip(tr("How many requests are answered at once; more wait in a queue."));
    form->addRow(tr("&Slots:"), m_slots);
    m_key = new QLineEdit(this);
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setPlaceholderText(tr("none"));
    m_key->setToolTip(tr("Clients must send it as a Bearer token. It is not saved."));
    form->addRow(tr("API &key:"), m_key);

    m_start = new QPushButton(tr("Start Server"), this);
    m_copy = new QPushButton(tr("Copy Address"), this);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_copy);
    buttons->addStretch();

    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_log = new QTableView(this);
    m_log->setModel(server.log());
    m_log->verticalHeader()->hide();
    m_log->horizontalHeader()->setStretchLastSection(true);
    m_log->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_log->setEditTriggers(QAbstractItemView::NoEditTriggers);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_status);
    layout->addWidget(new QLabel(tr("Requests:"), this));
    layout->addWidget(m_log, 1);

    connect(m_start, &QPushButton::clicked, this, [this] {
        if (m_server.state() == ServerController::State::Stopped) {
            emit settingsChanged(settings());
            m_server.start(m_modelPath, settings());
        } else {
            m_server.stop();
        }
    });
    connect(m_copy, &QPushButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(m_server.address().toString() + QStringLiteral("/v1"));
    });
    connect(&m_server, &ServerController::stateChanged, this, &ServerPanel::updateState);
    connect(&m_server, &ServerController::errorOccurred, this, [this](const QString& message) {
        updateState();
        m_status->setText(message);
    });
    connect(server.log(), &QAbstractItemModel::rowsInserted, m_log, &QTableView::scrollToBottom);
    updateState();
}

void ServerPanel::setModel(const QString& path, const QString& name)
{
    m_modelPath = path;
    m_modelName = name;
    updateState();
}

ServerSettings ServerPanel::settings() const
{
    ServerSettings s;
    s.host = m_host->text().trimmed().isEmpty() ? QStringLiteral("127.0.0.1") : m_host->text().trimmed();
    s.port = m_port->value();
    s.slotCount = m_slots->value();
    s.apiKey = m_key->text();
    return s;
}

void ServerPanel::setSettings(const ServerSettings& s)
{
    m_host->setText(s.host);
    m_port->setValue(s.port);
    m_slots->setValue(s.slotCount);
}

void ServerPanel::updateState()
{
    using State = ServerController::State;
    const State state = m_server.state();
    const bool stopped = state == State::Stopped;
    for (QWidget* w : {static_cast<QWidget*>(m_host), static_cast<QWidget*>(m_port), static_cast<QWidget*>(m_slots),
                       static_cast<QWidget*>(m_key)})
        w->setEnabled(stopped);
    m_start->setText(stopped ? tr("Start Server") : tr("Stop Server"));
    m_start->setEnabled(state != State::Stopping);
    m_copy->setEnabled(state == State::Running);
    const QString model = m_modelName.isEmpty() ? tr("the built-in model") : m_modelName;
    switch (state) {
    case State::Stopped:
        m_status->setText(tr("Not running. Start it to serve %1 to other programs (editors, scripts, the openai "
                             "clients) over the OpenAI API.")
                              .arg(model));
        break;
    case State::Starting: m_status->setText(tr("Starting: loading %1…").arg(model)); break;
    case State::Running:
        m_status->setText(tr("Serving %1 at %2 (OpenAI API; base URL %2/v1).")
                              .arg(QFileInfo(m_server.modelPath()).completeBaseName().isEmpty()
                                       ? tr("the built-in model")
                                       : QFileInfo(m_server.modelPath()).completeBaseName(),
                                   m_server.address().toString()));
        break;
    case State::Stopping: m_status->setText(tr("Stopping…")); break;
    }
}
