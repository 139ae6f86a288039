// EngineController: the worker lives on m_thread; every call into it is a queued functor.
#include "enginecontroller.h"

#include "engineworker.h"

#include <QThread>
#include <QTimer>
#include <algorithm>

EngineController::EngineController(int threads, QObject* parent)
    : QObject(parent), m_thread(new QThread(this)), m_worker(new EngineWorker(threads))
{
    qRegisterMetaType<GenerationRequest>();
    qRegisterMetaType<CompletionRequest>();
    qRegisterMetaType<GenerationStats>();
    qRegisterMetaType<LoadedModel>();
    qRegisterMetaType<TracePtr>();
    qRegisterMetaType<TraceRequest>();
    qRegisterMetaType<TraceResult>();
    m_thread->setObjectName(QStringLiteral("engine"));
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &EngineWorker::loadProgress, this, &EngineController::loadProgress);
    connect(m_worker, &EngineWorker::modelLoaded, this, [this](const LoadedModel& m) {
        m_model = m;
        m_loaded = true;
        m_loading = false;
        emit modelLoaded(m);
    });
    connect(m_worker, &EngineWorker::modelUnloaded, this, [this] {
        if (m_remoteActive)
            return; // the local model made way for a remote one, already announced
        m_loaded = false;
        m_model = LoadedModel{};
        emit modelUnloaded();
    });
    connect(m_worker, &EngineWorker::loadFailed, this, [this](const QString& path, const QString& message) {
        m_loading = false;
        emit loadFailed(path, message);
    });
    // Tokens are gathered on the worker thread and handed over one queued call at a time: at
    // a normal pace every token is its own call, but a model faster than the GUI can draw
    // gets its tokens in batches instead of a backlog of events.
    connect(
        m_worker, &EngineWorker::tokenGenerated, this,
        [this](quint64 id, const QString& text) {
            const std::lock_guard lock(m_pendingMutex);
            if (!m_pending.isEmpty() && m_pending.last().first == id)
                m_pending.last().second += text;
            else
                m_pending.append({id, text});
            if (!m_flushQueued) {
                m_flushQueued = true;
                QMetaObject::invokeMethod(this, &EngineController::flushTokens, Qt::QueuedConnection);
            }
        },
        Qt::DirectConnection);
    connect(m_worker, &EngineWorker::traceReady, this, &EngineController::traceReady);
    connect(m_worker, &EngineWorker::traceFailed, this, &EngineController::traceFailed);
    connect(m_worker, &EngineWorker::generationFinished, this, [this](const GenerationStats& s) {
        m_inFlight = std::max(0, m_inFlight - 1);
        setBusy(m_inFlight > 0);
        emit generationFinished(s);
    });
    connect(m_worker, &EngineWorker::generationFailed, this, [this](quint64 id, const QString& message) {
        m_inFlight = std::max(0, m_inFlight - 1);
        setBusy(m_inFlight > 0);
        emit generationFailed(id, message);
    });
    // A remote model's replies arrive like the worker's.
    connect(&m_remote, &RemoteClient::token, this, &EngineController::tokenGenerated);
    connect(&m_remote, &RemoteClient::finished, this, [this](const GenerationStats& s) {
        m_inFlight = std::max(0, m_inFlight - 1);
        setBusy(m_inFlight > 0);
        emit generationFinished(s);
    });
    connect(&m_remote, &RemoteClient::failed, this, [this](quint64 id, const QString& message) {
        if (id == 0) { // the model list of connectRemote()
            if (m_remoteChecking) {
                m_remoteChecking = false;
                emit remoteFailed(message);
            }
            return;
        }
        m_inFlight = std::max(0, m_inFlight - 1);
        setBusy(m_inFlight > 0);
        emit generationFailed(id, message);
    });
    connect(&m_remote, &RemoteClient::modelsListed, this, [this](const QList<RemoteModelInfo>& models) {
        if (!m_remoteChecking)
            return;
        m_remoteChecking = false;
        const auto found = std::find_if(models.begin(), models.end(),
                                        [this](const RemoteModelInfo& m) { return m.id == m_endpoint.model; });
        if (found == models.end()) {
            QStringList names;
            for (const RemoteModelInfo& m : models)
                names.append(m.id);
            emit remoteFailed(tr("the server has no model \"%1\" (it has: %2)").arg(m_endpoint.model, names.join(QStringLiteral(", "))));
            return;
        }
        unloadModel(); // the local one, if any: its memory is the point of going remote
        m_remoteActive = true;
        m_loaded = true;
        m_loading = false;
        m_model = LoadedModel{};
        m_model.path = QStringLiteral("remote:") + m_endpoint.model + QLatin1Char('@') + m_endpoint.baseUrl.toString();
        m_model.name = m_endpoint.model;
        m_model.architecture = tr("remote (OpenAI API)");
        m_model.device = tr("Server at %1").arg(m_endpoint.baseUrl.toString());
        m_model.contextLength = found->contextLength;
        emit modelLoaded(m_model);
    });
    m_thread->start();
}

void EngineController::connectRemote(const RemoteEndpoint& endpoint)
{
    m_endpoint = endpoint;
    m_remoteChecking = true;
    m_remote.listModels(endpoint);
}

void EngineController::dropRemote()
{
    if (!m_remoteActive)
        return;
    m_remote.abortAll();
    m_remoteActive = false;
    m_loaded = false;
    m_model = LoadedModel{};
}

// Refusals keep the signals' usual order: after the call that asked returned its id.
void EngineController::failLater(quint64 id, const QString& message, bool trace)
{
    QTimer::singleShot(0, this, [this, id, message, trace] {
        if (trace) {
            emit traceFailed(id, message);
            return;
        }
        m_inFlight = std::max(0, m_inFlight - 1);
        setBusy(m_inFlight > 0);
        emit generationFailed(id, message);
    });
}

void EngineController::flushTokens()
{
    QList<QPair<quint64, QString>> pending;
    {
        const std::lock_guard lock(m_pendingMutex);
        pending.swap(m_pending);
        m_flushQueued = false;
    }
    for (const auto& [id, text] : std::as_const(pending))
        emit tokenGenerated(id, text);
}

EngineController::~EngineController()
{
    m_worker->requestStop(m_nextId);
    m_thread->quit();
    m_thread->wait();
}

void EngineController::loadModel(const QString& path, const QString& device)
{
    dropRemote();
    m_loading = true;
    m_loaded = false;
    emit loadStarted(path);
    QMetaObject::invokeMethod(m_worker, [w = m_worker, path, device] { w->loadModel(path, device); },
                              Qt::QueuedConnection);
}

void EngineController::unloadModel()
{
    if (m_remoteActive) {
        dropRemote();
        emit modelUnloaded();
        return;
    }
    QMetaObject::invokeMethod(m_worker, [w = m_worker] { w->unloadModel(); }, Qt::QueuedConnection);
}

quint64 EngineController::generate(GenerationRequest request)
{
    m_worker->cancelTraces(m_nextId - 1); // a reply goes first; a trace still wanted is asked again
    request.id = m_nextId++;
    ++m_inFlight;
    setBusy(true);
    if (m_remoteActive) {
        m_remote.chat(request.id, m_endpoint, request.turns, request.sampling);
        return request.id;
    }
    QMetaObject::invokeMethod(m_worker, [w = m_worker, request] { w->generate(request); }, Qt::QueuedConnection);
    return request.id;
}

quint64 EngineController::traceMessage(TraceRequest request)
{
    request.id = m_nextId++;
    if (m_remoteActive) {
        failLater(request.id, tr("Looking inside a model needs a local model: %1 runs on a server.").arg(m_model.name), true);
        return request.id;
    }
    QMetaObject::invokeMethod(m_worker, [w = m_worker, request] { w->traceMessage(request); }, Qt::QueuedConnection);
    return request.id;
}

void EngineController::stop()
{
    if (m_remoteActive)
        m_remote.abortAll();
    m_worker->requestStop(m_nextId - 1);
}

void EngineController::stop(quint64 requestId)
{
    if (m_remoteActive)
        m_remote.abort(requestId);
    m_worker->requestStopOf(requestId);
}

quint64 EngineController::complete(CompletionRequest request)
{
    request.id = m_nextId++;
    ++m_inFlight;
    setBusy(true);
    if (m_remoteActive) {
        failLater(request.id, tr("Code completion in the editor needs a local model: %1 runs on a server.").arg(m_model.name), false);
        return request.id;
    }
    QMetaObject::invokeMethod(m_worker, [w = m_worker, request] { w->completeMiddle(request); }, Qt::QueuedConnection);
    return request.id;
}

void EngineController::forgetConversation(qint64 conversationId)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, conversationId] { w->forgetConversation(conversationId); },
                              Qt::QueuedConnection);
}

void EngineController::setBusy(bool busy)
{
    if (busy == m_busy)
        return;
    m_busy = busy;
    emit busyChanged(busy);
}
