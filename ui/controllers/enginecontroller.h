// The GUI thread's handle on the engine: starts the worker thread, forwards requests as
// queued calls and results as signals, and keeps the state the UI shows (loaded model,
// busy). The only object that talks to EngineWorker.
#pragma once

#include "chattypes.h"
#include "remoteclient.h"

#include <QObject>
#include <QString>
#include <mutex>

class EngineWorker;
class QThread;

class EngineController : public QObject {
    Q_OBJECT
public:
    explicit EngineController(int threads = 0, QObject* parent = nullptr);
    ~EngineController() override;

    bool isLoaded() const { return m_loaded; }
    bool isLoading() const { return m_loading; }
    bool isBusy() const { return m_busy; }
    bool isRemote() const { return m_remoteActive; } // the model is a server's (RemoteClient)
    const LoadedModel& model() const { return m_model; }

    void loadModel(const QString& path, const QString& device = QStringLiteral("auto"));
    void unloadModel();
    // Chats through an OpenAI-compatible endpoint from now on, once it lists `endpoint.model`
    // (the local model is unloaded then, not before): modelLoaded, or remoteFailed and
    // nothing changed. Traces and code completion then say they need a local model.
    void connectRemote(const RemoteEndpoint& endpoint);
    // Returns the request's id; results arrive as signals carrying it.
    quint64 generate(GenerationRequest request);
    void stop();                         // the running generation ends before its next token
    void stop(quint64 requestId);        // that one request (a reply or a completion) ends likewise
    quint64 complete(CompletionRequest request); // results arrive as tokenGenerated/generationFinished
    quint64 traceMessage(TraceRequest request); // queued behind any generation
    void forgetConversation(qint64 conversationId);

signals:
    void loadStarted(const QString& path);
    void loadProgress(double fraction);
    void modelLoaded(const LoadedModel& model);
    void modelUnloaded();
    void loadFailed(const QString& path, const QString& message);
    void tokenGenerated(quint64 requestId, const QString& text);
    void generationFinished(const GenerationStats& stats);
    void generationFailed(quint64 requestId, const QString& message);
    void traceReady(const TraceResult& result);
    void traceFailed(quint64 requestId, const QString& message);
    void busyChanged(bool busy);
    void remoteFailed(const QString& message);

private:
    void setBusy(bool busy);
    void dropRemote();
    void failLater(quint64 id, const QString& message, bool trace);
    void flushTokens();

    QThread* m_thread;
    EngineWorker* m_worker;
    LoadedModel m_model;
    bool m_loaded = false, m_loading = false, m_busy = false;
    int m_inFlight = 0; // replies and completions asked for and not yet finished
    // Tokens written by the worker thread and not yet handed to the GUI thread.
    std::mutex m_pendingMutex;
    QList<QPair<quint64, QString>> m_pending;
    bool m_flushQueued = false;
    quint64 m_nextId = 1;
    RemoteClient m_remote;
    RemoteEndpoint m_endpoint;
    bool m_remoteActive = false;
    bool m_remoteChecking = false;
};
