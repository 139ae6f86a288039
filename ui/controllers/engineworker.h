// The engine on its own thread. Only EngineController talks to it, through queued
// signals and slots and one atomic stop flag; nothing else touches the model. The chat turn
// itself (template, cached prefixes, budgets) is the engine's seekbench::Chat: this class
// only adapts threads and types.
#pragma once

#include "chattypes.h"

#include <QObject>
#include <atomic>
#include <mutex>
#include <vector>
#include <memory>

namespace seekbench {
class Backend;
class Chat;
class Model;
} // namespace seekbench

class EngineWorker : public QObject {
    Q_OBJECT
public:
    explicit EngineWorker(int threads);
    ~EngineWorker() override;

    // Safe from any thread: generations with ids up to `id` stop before their next token
    // (or do not start, if still queued).
    void requestStop(quint64 id) { m_stopUpTo.store(id); }
    // Safe from any thread: the one request `id` (a reply or a completion) stops likewise.
    void requestStopOf(quint64 id);
    // Safe from any thread: traces with ids up to `id` give up at their next chunk of tokens
    // (a reply waiting behind a long trace should not wait for it).
    void cancelTraces(quint64 id) { m_cancelTracesUpTo.store(id); }

public slots:
    // `device`: "auto", "cpu" or "cuda" (the engine's backend choice).
    void loadModel(const QString& path, const QString& device);
    void unloadModel();
    void generate(const GenerationRequest& request);
    void traceMessage(const TraceRequest& request);
    void completeMiddle(const CompletionRequest& request);
    void forgetConversation(qint64 conversationId);

signals:
    void loadProgress(double fraction);
    void modelLoaded(const LoadedModel& model);
    void modelUnloaded();
    void loadFailed(const QString& path, const QString& message);
    void tokenGenerated(quint64 requestId, const QString& text);
    void generationFinished(const GenerationStats& stats);
    void generationFailed(quint64 requestId, const QString& message);
    void traceReady(const TraceResult& result);
    void traceFailed(quint64 requestId, const QString& message);

private:
    bool readyFor(quint64 id);
    int m_threads;
    std::unique_ptr<seekbench::Model> m_model;
    std::unique_ptr<seekbench::Backend> m_backend; // the model on its device
    std::unique_ptr<seekbench::Chat> m_chat;
    bool stopped(quint64 id) const;

    std::atomic<quint64> m_stopUpTo{0};
    mutable std::mutex m_stopMutex;
    std::vector<quint64> m_stoppedIds; // stopped one by one, recent ones only
    std::atomic<quint64> m_cancelTracesUpTo{0};
};
