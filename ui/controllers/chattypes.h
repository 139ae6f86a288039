// The plain values that cross between the GUI thread and the engine worker: what to
// generate, how, and what came back. Controllers convert engine structs into these.
#pragma once

#include "engine/sampler.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <memory>

namespace seekbench {
struct Trace;
}

// The engine's ChatDefaults, as the app stores and edits them per conversation.
struct SamplingSettings {
    double temperature = seekbench::ChatDefaults::temperature;
    int topK = seekbench::ChatDefaults::top_k;
    double topP = seekbench::ChatDefaults::top_p;
    double minP = seekbench::ChatDefaults::min_p;
    double repeatPenalty = seekbench::ChatDefaults::repeat_penalty;
    int maxTokens = seekbench::ChatDefaults::max_tokens;
    quint64 seed = 0;        // 0: a new seed every time

    QString toJson() const;                         // what the conversation store keeps
    static SamplingSettings fromJson(const QString& json); // unknown or bad keys: defaults
    // The engine's form (the one place it is converted); seed 0 becomes a fresh one.
    seekbench::SamplerParams toSamplerParams() const;
};

struct ChatTurn {
    QString role;    // "system", "user", "assistant"
    QString content;
};

struct GenerationRequest {
    quint64 id = 0;
    qint64 conversationId = 0;  // which KV cache to reuse
    QList<ChatTurn> turns;      // the whole visible conversation, system prompt first
    SamplingSettings sampling;
};

struct GenerationStats {
    quint64 id = 0;
    int promptTokens = 0;       // processed now
    int reusedTokens = 0;       // taken from the cache
    int generatedTokens = 0;
    double promptSeconds = 0;
    double tokensPerSecond = 0;
    QString stopReason;         // "eos", "length", "cancelled", "context"
};

struct LoadedModel {
    QString path, name, architecture, fileType, tokenizer, templateName, templateNote;
    QString device;        // where it runs: "CPU avx512, 2 threads", "CUDA NVIDIA H200 (sm_90)"
    QString deviceNote;    // why not where it was asked to run ("" when it is)
    // A GPU too small for the model: the last gpuLayers layers on it, the others (and the
    // routed experts when expertsOnCpu) on the CPU; gpuBytes of weights on the GPU.
    int gpuLayers = 0;
    bool expertsOnCpu = false;
    qint64 gpuBytes = 0;
    qint64 parameters = 0, activeParameters = 0, fileBytes = 0;
    int layers = 0, contextLength = 0, experts = 0, expertsUsed = 0, heads = 0;
    bool templateAssumed = false;
    QString fimFamily;     // the model's fill-in-the-middle tokens ("" when it has none)
};

using TracePtr = std::shared_ptr<const seekbench::Trace>;

// Look inside the model for one message: the conversation up to and including it is run
// through the model once (a prefill) with tracing on.
struct TraceRequest {
    quint64 id = 0;
    qint64 conversationId = 0, messageId = 0;
    QList<ChatTurn> turns;      // system prompt first, the traced message last
    bool attention = true, routing = true;
    int focusLayer = 0;         // kept first when not every layer's attention fits
    qint64 budgetBytes = qint64(256) << 20; // attention probabilities kept at most
};

struct TraceResult {
    quint64 id = 0;
    qint64 conversationId = 0, messageId = 0;
    int messageStart = 0, messageEnd = 0; // the message's tokens: [start, end) of the trace
    QList<int> attentionLayers;           // the layers whose attention was kept
    TracePtr trace;
};

// Complete code at the cursor: the model writes what belongs between prefix and suffix.
struct CompletionRequest {
    quint64 id = 0;
    QString prefix, suffix;
    int maxTokens = 48;
};

// A stored message as the chat panel shows it.
// A passage of a knowledge collection that a question was asked with: number n in the
// prompt ("[1]"), where it is (the chunk, its file, page and byte span) and its text.
struct CitedSource {
    int n = 0;
    qint64 chunkId = 0;
    QString path, heading, text;
    int page = 0;
    qint64 byteStart = 0, byteEnd = 0;
};

// One sentence of an answer and the share of its attention on each of the answer's sources.
struct SentenceProvenance {
    QString text;
    QList<double> shares;
};

// Where a passage is, as the app shows it: "notes.pdf, page 3 — Install > From source".
QString passagePlace(const QString& file, int page, const QString& heading);

QString sourcesToJson(const QList<CitedSource>& sources);          // "" for none
QList<CitedSource> sourcesFromJson(const QString& json);           // bad JSON: none
// What the model reads for a question asked with passages: the numbered passages, how to
// use and cite them, then the question. Without passages, the question alone.
QString promptWithSources(const QString& question, const QList<CitedSource>& sources);

struct MessageData {
    qint64 id = 0, parentId = 0;
    QString role, content, model, stopReason;
    QString answer, reasoning;       // content split at <think>…</think> (splitReasoning)
    bool thinking = false;           // the reasoning is still open (a reply being written)
    qint64 created = 0;              // ms since the epoch
    int promptTokens = 0, generatedTokens = 0;
    double tokensPerSecond = 0;
    int siblingIndex = 0, siblingCount = 1; // which branch of its parent, of how many
    bool streaming = false;
    QList<CitedSource> sources;      // a question's passages; an answer's: its question's
};

// Fills answer, reasoning and thinking from content.
void splitReasoning(MessageData& message);

struct ConversationData {
    qint64 id = 0;
    QString title, model, systemPrompt;
    bool pinned = false;
    qint64 updated = 0;
    SamplingSettings sampling;
    QStringList knowledge;           // collections it answers from
};

struct SearchHitData {
    qint64 conversationId = 0, messageId = 0;
    QString title, snippet;
};

Q_DECLARE_METATYPE(GenerationRequest)
Q_DECLARE_METATYPE(CompletionRequest)
Q_DECLARE_METATYPE(GenerationStats)
Q_DECLARE_METATYPE(LoadedModel)
Q_DECLARE_METATYPE(TracePtr)
Q_DECLARE_METATYPE(TraceRequest)
Q_DECLARE_METATYPE(TraceResult)
Q_DECLARE_METATYPE(SentenceProvenance)

// A parameter count as people say it: "6.9 M", "38 M", "1.5 B", "671 B".
QString parameterCount(quint64 parameters);
