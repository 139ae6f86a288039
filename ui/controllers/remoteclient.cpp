// The OpenAI chat protocol over QNetworkAccessManager: JSON out, "data: {...}" lines in.
#include "remoteclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace {
constexpr int kTimeoutMs = 300000; // a reply that says nothing for five minutes is given up

QUrl joined(const QUrl& base, const QString& path)
{
    QUrl url = base;
    QString p = url.path();
    while (p.endsWith(QLatin1Char('/')))
        p.chop(1);
    url.setPath(p + path);
    return url;
}
} // namespace

RemoteClient::RemoteClient(QObject* parent) : QObject(parent), m_net(new QNetworkAccessManager(this))
{
    qRegisterMetaType<QList<RemoteModelInfo>>();
}

RemoteClient::~RemoteClient()
{
    for (Stream& s : m_streams) { // quietly: nobody is listening any more
        s.reply->disconnect(this);
        s.reply->abort();
    }
    m_streams.clear();
}

QNetworkReply* RemoteClient::send(const RemoteEndpoint& endpoint, const QString& path, const QByteArray& body)
{
    QNetworkRequest request(joined(endpoint.baseUrl, path));
    request.setTransferTimeout(kTimeoutMs);
    if (!endpoint.apiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + endpoint.apiKey.toUtf8());
    if (body.isEmpty())
        return m_net->get(request);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    request.setRawHeader("Accept", "text/event-stream");
    return m_net->post(request, body);
}

QString RemoteClient::errorOf(QNetworkReply* reply, const QByteArray& body)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString message =
        QJsonDocument::fromJson(body).object().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
    if (status > 0)
        return tr("the server answered %1: %2").arg(status).arg(message.isEmpty() ? reply->errorString() : message);
    return reply->errorString();
}

void RemoteClient::listModels(const RemoteEndpoint& endpoint)
{
    QNetworkReply* reply = send(endpoint, QStringLiteral("/models"));
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const QByteArray body = reply->readAll();
        if (reply->error() != QNetworkReply::NoError) {
            emit failed(0, errorOf(reply, body));
            return;
        }
        const QJsonArray data = QJsonDocument::fromJson(body).object().value(QStringLiteral("data")).toArray();
        QList<RemoteModelInfo> models;
        for (const QJsonValue& v : data) {
            const QJsonObject o = v.toObject();
            RemoteModelInfo m;
            m.id = o.value(QStringLiteral("id")).toString();
            m.contextLength = o.value(QStringLiteral("context_length")).toInt();
            if (!m.id.isEmpty())
                models.append(m);
        }
        if (models.isEmpty()) {
            emit failed(0, tr("the server lists no models (is this an OpenAI-compatible endpoint?)"));
            return;
        }
        emit modelsListed(models);
    });
}

void RemoteClient::chat(quint64 id, const RemoteEndpoint& endpoint, const QList<ChatTurn>& turns,
                        const SamplingSettings& sampling)
{
    QJsonArray messages;
    for (const ChatTurn& t : turns)
        messages.append(QJsonObject{{QStringLiteral("role"), t.role}, {QStringLiteral("content"), t.content}});
    // The fields every OpenAI-compatible server takes; top-k, min-p and the repetition
    // penalty are not among them and stay local-only.
    QJsonObject body{{QStringLiteral("model"), endpoint.model},
                     {QStringLiteral("messages"), messages},
                     {QStringLiteral("stream"), true},
                     {QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}}},
                     {QStringLiteral("temperature"), sampling.temperature},
                     {QStringLiteral("top_p"), sampling.topP},
                     {QStringLiteral("max_tokens"), sampling.maxTokens}};
    if (sampling.seed != 0)
        body.insert(QStringLiteral("seed"), qint64(sampling.seed & 0x7fffffffffffffffULL));
    Stream s;
    s.reply = send(endpoint, QStringLiteral("/chat/completions"), QJsonDocument(body).toJson(QJsonDocument::Compact));
    s.clock.start();
    m_streams.insert(id, s);
    connect(s.reply, &QNetworkReply::readyRead, this, [this, id] { readStream(id); });
    connect(s.reply, &QNetworkReply::finished, this, [this, id] { endStream(id); });
}

void RemoteClient::readStream(quint64 id)
{
    auto it = m_streams.find(id);
    if (it == m_streams.end())
        return;
    Stream& s = *it;
    if (!s.reply->isOpen() || s.reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200)
        return; // an error body: read whole when finished
    s.pending += s.reply->readAll();
    qsizetype nl;
    while ((nl = s.pending.indexOf('\n')) >= 0) {
        const QByteArray line = s.pending.left(nl).trimmed();
        s.pending.remove(0, nl + 1);
        if (!line.startsWith("data:"))
            continue;
        const QByteArray data = line.mid(5).trimmed();
        if (data == "[DONE]")
            continue;
        const QJsonObject chunk = QJsonDocument::fromJson(data).object();
        const QJsonObject usage = chunk.value(QStringLiteral("usage")).toObject();
        if (!usage.isEmpty()) {
            s.promptTokens = usage.value(QStringLiteral("prompt_tokens")).toInt();
            s.completionTokens = usage.value(QStringLiteral("completion_tokens")).toInt();
        }
        const QJsonArray choices = chunk.value(QStringLiteral("choices")).toArray();
        if (choices.isEmpty())
            continue;
        const QJsonObject choice = choices.first().toObject();
        const QJsonObject delta = choice.value(QStringLiteral("delta")).toObject();
        if (const QString f = choice.value(QStringLiteral("finish_reason")).toString(); !f.isEmpty())
            s.finishReason = f;
        const QString reasoning = delta.value(QStringLiteral("reasoning_content")).toString();
        const QString content = delta.value(QStringLiteral("content")).toString();
        QString text;
        if (!reasoning.isEmpty()) {
            if (!s.inReasoning)
                text += QStringLiteral("<think>\n");
            s.inReasoning = true;
            text += reasoning;
        }
        if (!content.isEmpty()) {
            if (s.inReasoning)
                text += QStringLiteral("\n</think>\n\n");
            s.inReasoning = false;
            text += content;
        }
        if (text.isEmpty())
            continue;
        ++s.chunks;
        if (s.firstTokenSeconds < 0)
            s.firstTokenSeconds = s.clock.elapsed() / 1000.0;
        emit token(id, text);
    }
}

void RemoteClient::endStream(quint64 id)
{
    auto it = m_streams.find(id);
    if (it == m_streams.end())
        return;
    readStream(id);
    Stream s = *it;
    m_streams.erase(it);
    s.reply->deleteLater();
    const bool ok = s.reply->error() == QNetworkReply::NoError;
    if (!ok && !s.aborted) {
        emit failed(id, errorOf(s.reply, s.reply->readAll()));
        return;
    }
    if (s.inReasoning)
        emit token(id, QStringLiteral("\n</think>\n"));
    GenerationStats st;
    st.id = id;
    st.promptTokens = s.promptTokens;
    st.generatedTokens = s.completionTokens >= 0 ? s.completionTokens : s.chunks;
    st.promptSeconds = std::max(0.0, s.firstTokenSeconds);
    const double writing = s.clock.elapsed() / 1000.0 - st.promptSeconds;
    st.tokensPerSecond = writing > 0 && st.generatedTokens > 1 ? (st.generatedTokens - 1) / writing : 0;
    st.stopReason = s.aborted ? QStringLiteral("cancelled")
                    : s.finishReason == QLatin1String("length") ? QStringLiteral("length")
                                                                 : QStringLiteral("eos");
    emit finished(st);
}

void RemoteClient::abort(quint64 id)
{
    auto it = m_streams.find(id);
    if (it == m_streams.end())
        return;
    it->aborted = true;
    it->reply->abort(); // finished follows, and ends the stream
}

void RemoteClient::abortAll()
{
    const QList<quint64> ids = m_streams.keys();
    for (quint64 id : ids)
        abort(id);
}
