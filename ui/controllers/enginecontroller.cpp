// EngineController: the worker lives on m_thread; every call into it is a queued functor.
#include "enginecontroller.h"

#include "engineworker.h"

#include <QThread>
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
    m_thread->start();
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
    m_loading = true;
    m_loaded = false;
    emit loadStarted(path);
    QMetaObject::invokeMethod(m_worker, [w = m_worker, path, device] { w->loadModel(path, device); },
                              Qt::QueuedConnection);
}

void EngineController::unloadModel()
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker] { w->unloadModel(); }, Qt::QueuedConnection);
}

quint64 EngineController::generate(GenerationRequest request)
{
    m_worker->cancelTraces(m_nextId - 1); // a reply goes first; a trace still wanted is asked again
    request.id = m_nextId++;
    ++m_inFlight;
    setBusy(true);
    QMetaObject::invokeMethod(m_worker, [w = m_worker, request] { w->generate(request); }, Qt::QueuedConnection);
    return request.id;
}

quint64 EngineController::traceMessage(TraceRequest request)
{
    request.id = m_nextId++;
    QMetaObject::invokeMethod(m_worker, [w = m_worker, request] { w->traceMessage(request); }, Qt::QueuedConnection);
    return request.id;
}

void EngineController::stop() { m_worker->requestStop(m_nextId - 1); }

void EngineController::stop(quint64 requestId) { m_worker->requestStopOf(requestId); }

quint64 EngineController::complete(CompletionRequest request)
{
    request.id = m_nextId++;
    ++m_inFlight;
    setBusy(true);
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
