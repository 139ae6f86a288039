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
    // Safe from any thread: traces with ids up to `id` give up at their next chunk of tokens
    // (a reply waiting behind a long trace should not wait for it).
    void cancelTraces(quint64 id) { m_cancelTracesUpTo.store(id); }

public slots:
    void loadModel(const QString& path);
    void unloadModel();
    void generate(const GenerationRequest& request);
    void traceMessage(const TraceRequest& request);
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
    int m_threads;
    std::unique_ptr<seekbench::CpuBackend> m_cpu;
    std::unique_ptr<seekbench::Model> m_model;
    std::unique_ptr<seekbench::ChatTemplate> m_template;
    struct Cached {
        qint64 conversationId;
        std::unique_ptr<seekbench::Session> session;
        // The text of the last prompt and reply exactly as the model saw and wrote it, and
        // its tokens: a next prompt that starts with this text only tokenizes what follows,
        // so the sampled tokens are reused even where tokenizing the text would split it
        // differently.
        std::string text;
        std::vector<int32_t> tokens;
    };
    Cached& sessionFor(qint64 conversationId);
    Cached* findSession(qint64 conversationId);
    std::vector<int32_t> tokensFor(const Cached* cached, const std::string& text) const;

    std::list<Cached> m_sessions; // most recently used first
    std::atomic<quint64> m_stopUpTo{0};
    std::atomic<quint64> m_cancelTracesUpTo{0};
};
