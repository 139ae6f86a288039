// ModelController: cheap checks on the GUI thread only (a 4-byte read); loading itself
// runs on the engine worker.
#include "modelcontroller.h"

#include "engine/builtin_model.h"

#include "enginecontroller.h"

#include <QFile>
#include <QFileInfo>

ModelController::ModelController(AppSettings& settings, EngineController& engine, QObject* parent)
    : QObject(parent), m_settings(settings), m_engine(engine)
{
    connect(&m_engine, &EngineController::loadStarted, this, &ModelController::loadingStarted);
    connect(&m_engine, &EngineController::loadProgress, this, &ModelController::loadProgress);
    connect(&m_engine, &EngineController::modelLoaded, this, [this](const LoadedModel& m) {
        m_opening.clear();
        m_path = m.path;
        if (!isRemote())
            m_settings.addRecentModel(m_path);
        emit modelChanged(m_path);
        if (!m.deviceNote.isEmpty())
            emit noticeOccurred(tr("%1 runs on %2: %3").arg(QFileInfo(m.path).fileName(), m.device, m.deviceNote));
    });
    // Another device chosen: the open model moves there (loaded again).
    connect(&m_settings, &AppSettings::deviceChanged, this, [this] {
        if (!m_path.isEmpty() && !m_engine.isLoading() && !isRemote())
            open(m_path);
    });
    // A model that does not load leaves the app with the one before it (or the built-in
    // one), never with none, and says why.
    connect(&m_engine, &EngineController::loadFailed, this, [this](const QString& path, const QString& message) {
        const QString builtin = QString::fromStdString(seekbench::builtin_model_path());
        const bool ours = !m_opening.isEmpty() && QFileInfo(path).absoluteFilePath() == m_opening;
        m_opening.clear();
        QString fallback = ours ? m_previous : QString(); // loads others started are theirs to handle
        if (ours && (fallback.isEmpty() || QFileInfo(fallback).canonicalFilePath() == QFileInfo(path).canonicalFilePath()))
            fallback = builtin;
        if (!fallback.isEmpty() && QFileInfo(fallback).canonicalFilePath() == QFileInfo(path).canonicalFilePath())
            fallback.clear();
        if (!m_path.isEmpty()) { // the previous model was unloaded first
            m_path.clear();
            emit modelChanged(QString());
        }
        if (fallback.isEmpty()) {
            emit errorOccurred(tr("Could not load %1: %2").arg(QFileInfo(path).fileName(), message));
            return;
        }
        emit errorOccurred(tr("Could not load %1: %2\n\nSeekbench went back to %3.")
                               .arg(QFileInfo(path).fileName(), message, QFileInfo(fallback).fileName()));
        m_previous.clear();
        open(fallback);
    });
    connect(&m_lister, &RemoteClient::modelsListed, this, [this](const QList<RemoteModelInfo>& models) {
        QStringList ids;
        for (const RemoteModelInfo& m : models)
            ids.append(m.id);
        emit remoteModelsListed(ids);
    });
    connect(&m_lister, &RemoteClient::failed, this, [this](quint64, const QString& message) { emit remoteListFailed(message); });
    connect(&m_engine, &EngineController::remoteFailed, this, [this](const QString& message) {
        emit errorOccurred(tr("Could not use the remote model: %1").arg(message));
    });
    connect(&m_engine, &EngineController::modelUnloaded, this, [this] {
        if (m_path.isEmpty())
            return;
        m_path.clear();
        emit modelChanged(QString());
    });
}

QString ModelController::currentName() const
{
    if (isRemote())
        return m_engine.model().name;
    return m_path.isEmpty() ? QString() : QFileInfo(m_path).fileName();
}

bool ModelController::isRemote() const { return m_engine.isRemote() && m_path.startsWith(QLatin1String("remote:")); }

void ModelController::listRemoteModels(const RemoteEndpoint& endpoint) { m_lister.listModels(endpoint); }

void ModelController::connectRemote(const RemoteEndpoint& endpoint)
{
    if (m_engine.isBusy())
        m_engine.stop();
    m_engine.connectRemote(endpoint);
}

bool ModelController::isLoading() const { return m_engine.isLoading(); }

bool ModelController::isBuiltin() const
{
    const QString builtin = QString::fromStdString(seekbench::builtin_model_path());
    return !m_path.isEmpty() && !builtin.isEmpty() &&
           QFileInfo(m_path).canonicalFilePath() == QFileInfo(builtin).canonicalFilePath();
}

const LoadedModel& ModelController::model() const { return m_engine.model(); }

void ModelController::open(const QString& path)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        emit errorOccurred(tr("The model file %1 does not exist.").arg(path));
        return;
    }
    QFile file(path);
    if (!info.isFile() || !file.open(QIODevice::ReadOnly)) {
        emit errorOccurred(tr("The model file %1 cannot be read.").arg(path));
        return;
    }
    if (file.read(4) != QByteArrayLiteral("GGUF")) {
        emit errorOccurred(tr("%1 is not a GGUF model file (bad magic number: it does not start with GGUF).")
                               .arg(info.fileName()));
        return;
    }
    if (m_engine.isBusy())
        m_engine.stop();
    m_previous = m_path;
    m_opening = info.absoluteFilePath();
    m_engine.loadModel(info.absoluteFilePath(), AppSettings::deviceName(m_settings.device()));
}

void ModelController::close()
{
    m_engine.unloadModel();
}
