// The engine on its own thread. Only EngineController talks to it, through queued
// signals and slots and one atomic stop flag; nothing else touches the model. One
// session (KV cache) per recent conversation, so a follow-up turn only processes the
// new text.
#pragma once

#include "chattypes.h"

#include <QObject>
#include <atomic>
#include <list>
#include <memory>

namespace seekbench {
class CpuBackend;
class Model;
class Session;
class ChatTemplate;
} // namespace seekbench

class EngineWorker : public QObject {
    Q_OBJECT
public:
    explicit EngineWorker(int threads);
    ~EngineWorker() override;

    // Safe from any thread: generations with ids up to `id` stop before their next token
    // (or do not start, if still queued).
    void requestStop(quint64 id) { m_stopUpTo.store(id); }

public slots:
    void loadModel(const QString& path);
    void unloadModel();
    void generate(const GenerationRequest& request);
    void forgetConversation(qint64 conversationId);

signals:
    void loadProgress(double fraction);
    void modelLoaded(const LoadedModel& model);
    void modelUnloaded();
    void loadFailed(const QString& path, const QString& message);
    void tokenGenerated(quint64 requestId, const QString& text);
    void generationFinished(const GenerationStats& stats);
    void generationFailed(quint64 requestId, const QString& message);
    void traceReady(quint64 requestId, const TracePtr& trace);

private:
    seekbench::Session& sessionFor(qint64 conversationId);

    int m_threads;
    std::unique_ptr<seekbench::CpuBackend> m_cpu;
    std::unique_ptr<seekbench::Model> m_model;
    std::unique_ptr<seekbench::ChatTemplate> m_template;
    struct Cached {
        qint64 conversationId;
        std::unique_ptr<seekbench::Session> session;
    };
    std::list<Cached> m_sessions; // most recently used first
    std::atomic<quint64> m_stopUpTo{0};
};
