// A "remote model": any OpenAI-compatible endpoint (vLLM, SGLang, llama-server, our own
// seekbench-server) chatting for the app when a model is too big for this machine. Lists
// the endpoint's models, streams chat completions (server-sent events) with the standard
// fields only, so every such server takes them, and stops a reply by dropping its request.
// Reasoning (`reasoning_content`) comes back inside <think>...</think>, as local models
// write it. Used by EngineController only; the key lives in memory, never in settings.
#pragma once

#include "chattypes.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

struct RemoteEndpoint {
    QUrl baseUrl;   // up to and including /v1, e.g. http://127.0.0.1:8080/v1
    QString model;  // as the endpoint names it
    QString apiKey; // "" when it asks for none
};

struct RemoteModelInfo {
    QString id;
    int contextLength = 0; // 0 when the endpoint does not say
};

class RemoteClient : public QObject {
    Q_OBJECT
public:
    explicit RemoteClient(QObject* parent = nullptr);
    ~RemoteClient() override;

    // GET {base}/models: answers with modelsListed or failed(0, reason).
    void listModels(const RemoteEndpoint& endpoint);
    // POST {base}/chat/completions, streamed: token(id, text)... then finished or failed.
    void chat(quint64 id, const RemoteEndpoint& endpoint, const QList<ChatTurn>& turns, const SamplingSettings& sampling);
    // Ends a reply: finished with stop reason "cancelled" and what came so far.
    void abort(quint64 id);
    void abortAll();

signals:
    void modelsListed(const QList<RemoteModelInfo>& models);
    void token(quint64 id, const QString& text);
    void finished(const GenerationStats& stats);
    void failed(quint64 id, const QString& message);

private:
    struct Stream {
        QNetworkReply* reply = nullptr;
        QByteArray pending;       // an unfinished line
        QElapsedTimer clock;
        double firstTokenSeconds = -1;
        int chunks = 0, promptTokens = 0, completionTokens = -1;
        bool inReasoning = false, aborted = false;
        QString finishReason;
    };
    QNetworkReply* send(const RemoteEndpoint& endpoint, const QString& path, const QByteArray& body = {});
    void readStream(quint64 id);
    void endStream(quint64 id);
    static QString errorOf(QNetworkReply* reply, const QByteArray& body);

    QNetworkAccessManager* m_net;
    QHash<quint64, Stream> m_streams;
};
