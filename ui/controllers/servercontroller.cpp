// The server process's life: arguments and environment in, its first stdout line (the
// address) and its one-JSON-line-per-request log out, its last stderr line as the reason
// when it fails.
#include "servercontroller.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QTimer>

namespace {
constexpr int kStopGraceMs = 5000; // SIGTERM, then kill

QString defaultProgram()
{
    return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("seekbench-server"));
}
} // namespace

int ServerLogModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ServerLogModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ServerLogModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const Row& r = rowAt(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Time: return QLocale().toString(r.time.toLocalTime().time(), QLocale::ShortFormat);
        case Method: return r.method;
        case Route: return r.route;
        case Status: return r.status;
        case Client: return r.client;
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole)
        return QLocale().toString(r.time.toLocalTime(), QLocale::LongFormat);
    if (role == Qt::TextAlignmentRole && index.column() == Status)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant ServerLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time: return tr("Time");
    case Method: return tr("Method");
    case Route: return tr("Route");
    case Status: return tr("Status");
    case Client: return tr("Client");
    default: return {};
    }
}

void ServerLogModel::addRow(const Row& row)
{
    if (static_cast<int>(m_rows.size()) >= kMaxRows) {
        beginRemoveRows({}, 0, 0);
        m_rows.pop_front();
        endRemoveRows();
    }
    const int at = static_cast<int>(m_rows.size());
    beginInsertRows({}, at, at);
    m_rows.push_back(row);
    endInsertRows();
}

void ServerLogModel::clearRows()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

ServerController::ServerController(const QString& program, QObject* parent)
    : QObject(parent), m_program(program.isEmpty() ? defaultProgram() : program)
{
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &ServerController::readServerOutput);
    connect(&m_process, &QProcess::readyReadStandardError, this, [this] {
        const QList<QByteArray> lines = m_process.readAllStandardError().trimmed().split('\n');
        if (!lines.isEmpty() && !lines.last().trimmed().isEmpty())
            m_lastError = QString::fromUtf8(lines.last().trimmed());
    });
    connect(&m_process, &QProcess::finished, this, &ServerController::processEnded);
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart) {
            changeState(State::Stopped);
            emit errorOccurred(tr("The server program could not be started (%1): %2")
                                   .arg(QDir::toNativeSeparators(m_program), m_process.errorString()));
        }
    });
}

ServerController::~ServerController()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(kStopGraceMs))
            m_process.kill();
        m_process.waitForFinished(1000);
    }
}

void ServerController::changeState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void ServerController::start(const QString& modelPath, const ServerSettings& settings)
{
    if (m_state != State::Stopped)
        return;
    if (!QFileInfo(m_program).isExecutable()) {
        emit errorOccurred(tr("The server program is missing: %1").arg(QDir::toNativeSeparators(m_program)));
        return;
    }
    QStringList args;
    if (!modelPath.isEmpty())
        args << QStringLiteral("-m") << modelPath;
    args << QStringLiteral("--host") << settings.host << QStringLiteral("--port") << QString::number(settings.port)
         << QStringLiteral("--parallel") << QString::number(settings.slotCount);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("SEEKBENCH_API_KEY"));
    if (!settings.apiKey.isEmpty())
        env.insert(QStringLiteral("SEEKBENCH_API_KEY"), settings.apiKey);
    m_process.setProcessEnvironment(env);
    m_modelPath = modelPath;
    m_address.clear();
    m_lastError.clear();
    m_pending.clear();
    changeState(State::Starting);
    m_process.start(m_program, args);
}

void ServerController::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    changeState(State::Stopping);
    m_process.terminate();
    QTimer::singleShot(kStopGraceMs, &m_process, [this] {
        if (m_process.state() != QProcess::NotRunning)
            m_process.kill();
    });
}

void ServerController::readServerOutput()
{
    m_pending += m_process.readAllStandardOutput();
    qsizetype nl;
    while ((nl = m_pending.indexOf('\n')) >= 0) {
        const QByteArray line = m_pending.left(nl).trimmed();
        m_pending.remove(0, nl + 1);
        if (line.startsWith("listening on ")) {
            m_address = QUrl(QString::fromUtf8(line.mid(13)));
            changeState(State::Running);
            emit started(m_address);
            continue;
        }
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.isEmpty())
            continue;
        ServerLogModel::Row row;
        row.time = QDateTime::fromString(o.value(QStringLiteral("time")).toString(), Qt::ISODate);
        if (!row.time.isValid())
            row.time = QDateTime::currentDateTimeUtc();
        row.method = o.value(QStringLiteral("method")).toString();
        row.route = o.value(QStringLiteral("path")).toString();
        row.status = o.value(QStringLiteral("status")).toInt();
        row.client = o.value(QStringLiteral("remote")).toString();
        m_log.addRow(row);
    }
}

void ServerController::processEnded(int exitCode, QProcess::ExitStatus status)
{
    const bool wasStarting = m_state == State::Starting;
    const bool asked = m_state == State::Stopping;
    m_address.clear();
    changeState(State::Stopped);
    if (wasStarting)
        emit errorOccurred(tr("The server did not start: %1")
                               .arg(m_lastError.isEmpty() ? tr("exit code %1").arg(exitCode) : m_lastError));
    else if (!asked)
        emit errorOccurred(status == QProcess::CrashExit
                               ? tr("The server stopped unexpectedly (it crashed).")
                               : tr("The server stopped unexpectedly: %1")
                                     .arg(m_lastError.isEmpty() ? tr("exit code %1").arg(exitCode) : m_lastError));
    emit stopped();
}
