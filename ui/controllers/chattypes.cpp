// SamplingSettings as JSON (through Qt's own JSON classes) and as the engine's parameters;
// a message's reasoning split; cited passages as JSON and in the prompt; parameter counts.
#include "chattypes.h"

#include "engine/chat_template.h"

#include <QCoreApplication>
#include <QLocale>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <chrono>

QString SamplingSettings::toJson() const
{
    QJsonObject o;
    o[QStringLiteral("temperature")] = temperature;
    o[QStringLiteral("top_k")] = topK;
    o[QStringLiteral("top_p")] = topP;
    o[QStringLiteral("min_p")] = minP;
    o[QStringLiteral("repeat_penalty")] = repeatPenalty;
    o[QStringLiteral("max_tokens")] = maxTokens;
    o[QStringLiteral("seed")] = QString::number(seed);
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

SamplingSettings SamplingSettings::fromJson(const QString& json)
{
    SamplingSettings s;
    const QJsonObject o = QJsonDocument::fromJson(json.toUtf8()).object();
    s.temperature = qBound(0.0, o.value(QStringLiteral("temperature")).toDouble(s.temperature), 5.0);
    s.topK = qBound(0, o.value(QStringLiteral("top_k")).toInt(s.topK), 100000);
    s.topP = qBound(0.0, o.value(QStringLiteral("top_p")).toDouble(s.topP), 1.0);
    s.minP = qBound(0.0, o.value(QStringLiteral("min_p")).toDouble(s.minP), 1.0);
    s.repeatPenalty = qBound(0.5, o.value(QStringLiteral("repeat_penalty")).toDouble(s.repeatPenalty), 3.0);
    s.maxTokens = qBound(1, o.value(QStringLiteral("max_tokens")).toInt(s.maxTokens), 1 << 20);
    s.seed = o.value(QStringLiteral("seed")).toString().toULongLong();
    return s;
}

seekbench::SamplerParams SamplingSettings::toSamplerParams() const
{
    seekbench::SamplerParams p;
    p.temperature = static_cast<float>(temperature);
    p.top_k = topK;
    p.top_p = static_cast<float>(topP);
    p.min_p = static_cast<float>(minP);
    p.repeat_penalty = static_cast<float>(repeatPenalty);
    p.seed = seed ? seed : static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    return p;
}

void splitReasoning(MessageData& message)
{
    const seekbench::ReplyParts parts = seekbench::split_reasoning(message.content.toStdString());
    message.answer = QString::fromStdString(parts.answer);
    message.reasoning = QString::fromStdString(parts.reasoning);
    message.thinking = parts.thinking;
}

QString sourcesToJson(const QList<CitedSource>& sources)
{
    if (sources.isEmpty())
        return {};
    QJsonArray out;
    for (const CitedSource& s : sources)
        out.append(QJsonObject{{QStringLiteral("n"), s.n},
                               {QStringLiteral("chunk"), s.chunkId},
                               {QStringLiteral("path"), s.path},
                               {QStringLiteral("heading"), s.heading},
                               {QStringLiteral("text"), s.text},
                               {QStringLiteral("page"), s.page},
                               {QStringLiteral("start"), s.byteStart},
                               {QStringLiteral("end"), s.byteEnd}});
    return QString::fromUtf8(QJsonDocument(out).toJson(QJsonDocument::Compact));
}

QList<CitedSource> sourcesFromJson(const QString& json)
{
    QList<CitedSource> out;
    for (const QJsonValue& v : QJsonDocument::fromJson(json.toUtf8()).array()) {
        const QJsonObject o = v.toObject();
        CitedSource s;
        s.n = o.value(QStringLiteral("n")).toInt();
        s.chunkId = o.value(QStringLiteral("chunk")).toInteger();
        s.path = o.value(QStringLiteral("path")).toString();
        s.heading = o.value(QStringLiteral("heading")).toString();
        s.text = o.value(QStringLiteral("text")).toString();
        s.page = o.value(QStringLiteral("page")).toInt();
        s.byteStart = o.value(QStringLiteral("start")).toInteger();
        s.byteEnd = o.value(QStringLiteral("end")).toInteger();
        if (s.n > 0)
            out.append(s);
    }
    return out;
}

QString promptWithSources(const QString& question, const QList<CitedSource>& sources)
{
    if (sources.isEmpty())
        return question;
    // In English whatever the app's language: it is the model's prompt, not the user's text.
    QString out = QStringLiteral("Sources:\n\n");
    for (const CitedSource& s : sources) {
        QString where = QFileInfo(s.path).fileName();
        if (s.page > 0)
            where += QStringLiteral(", page %1").arg(s.page);
        if (!s.heading.isEmpty())
            where += QStringLiteral(" - ") + s.heading;
        out += QStringLiteral("[%1] %2\n%3\n\n").arg(s.n).arg(where, s.text);
    }
    out += QStringLiteral("Answer the question from these sources when they hold the answer, and cite them "
                          "by number like [1].\n\nQuestion: ") + question;
    return out;
}

QString passagePlace(const QString& file, int page, const QString& heading)
{
    QString where = page > 0 ? QCoreApplication::translate("Passage", "%1, page %2").arg(file).arg(page) : file;
    if (!heading.isEmpty())
        where += QStringLiteral(" — ") + heading;
    return where;
}

QString parameterCount(quint64 parameters)
{
    const bool billions = parameters >= 1000000000ULL;
    const double v = static_cast<double>(parameters) / (billions ? 1e9 : 1e6);
    const QString number = QLocale().toString(v, 'f', v < 10 ? 1 : 0);
    return billions ? QCoreApplication::translate("parameterCount", "%1 B").arg(number)
                    : QCoreApplication::translate("parameterCount", "%1 M").arg(number);
}
