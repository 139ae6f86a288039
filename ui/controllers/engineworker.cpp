// EngineWorker: engine calls wrapped so that every seekbench::Error becomes a signal, and
// engine structs converted to the Qt values the controllers pass on.
#include "engineworker.h"

#include "engine/backend.h"
#include "engine/chat.h"
#include "engine/error.h"
#include "engine/model.h"

#include <QFileInfo>
#include <QRegularExpression>
#include <algorithm>

namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

std::vector<seekbench::ChatMessage> toMessages(const QList<ChatTurn>& turns)
{
    std::vector<seekbench::ChatMessage> messages;
    for (const ChatTurn& t : turns)
        messages.push_back({t.role.toStdString(), t.content.toStdString()});
    return messages;
}

} // namespace

// The engine describes its device in English for logs and the CLI ("CPU avx512, 2 threads");
// the app shows the thread count in the user's language.
static QString localizedDevice(QString device)
{
    static const QRegularExpression threads(QStringLiteral(", (\\d+) threads$"));
    const QRegularExpressionMatch m = threads.match(device);
    if (m.hasMatch())
        device.replace(m.capturedStart(), m.capturedLength(),
                       QStringLiteral(", ") + EngineWorker::tr("%n thread(s)", "", m.captured(1).toInt()));
    return device;
}

EngineWorker::EngineWorker(int threads) : m_threads(threads) {}

EngineWorker::~EngineWorker() = default;

void EngineWorker::loadModel(const QString& path, const QString& device)
{
    unloadModel();
    try {
        // The CPU's threads run at equal priority with the GUI on purpose: at a lower one
        // (nice +5) the pool's threads were preempted mid-operation while the others waited
        // at its barrier, and a reply with a highlighted code block streamed at 33 instead
        // of 713 tokens/s.
        seekbench::BackendOptions options;
        options.device = seekbench::parse_device(device.toStdString());
        options.threads = m_threads;
        m_model = seekbench::Model::load(path.toStdString(), [this](float f) { emit loadProgress(f); });
        std::string note;
        m_backend = seekbench::open_backend(*m_model, options, &note);
        m_chat = std::make_unique<seekbench::Chat>(*m_backend);
        const seekbench::ModelInfo info = m_model->info();
        const seekbench::ChatTemplate& tmpl = m_chat->chat_template();
        LoadedModel m;
        m.path = QFileInfo(path).absoluteFilePath();
        m.name = info.name.empty() ? QFileInfo(path).completeBaseName() : q(info.name);
        m.architecture = q(info.arch);
        m.fileType = q(info.file_type);
        m.tokenizer = q(info.tokenizer);
        m.templateName = QString::fromLatin1(tmpl.name());
        m.templateNote = q(tmpl.note());
        m.templateAssumed = tmpl.assumed() || info.chat_template.empty();
        const seekbench::DevicePlacement placement = m_backend->placement();
        QString where = q(m_backend->describe());
        if (placement.gpu_layers > 0) { // the placement is shown in the user's language, not the engine's words
            where = where.section(QStringLiteral(": "), 0, 0);
            m.gpuLayers = placement.gpu_layers;
            m.expertsOnCpu = placement.experts_on_cpu;
            m.gpuBytes = static_cast<qint64>(placement.gpu_bytes);
        }
        m.device = localizedDevice(where);
        m.deviceNote = q(note);
        m.parameters = static_cast<qint64>(info.parameters);
        m.activeParameters = static_cast<qint64>(info.active_parameters);
        m.fileBytes = static_cast<qint64>(info.file_bytes);
        m.layers = info.n_layers;
        m.heads = info.n_heads;
        m.contextLength = info.n_ctx_train;
        m.experts = info.n_experts;
        m.expertsUsed = info.n_experts_used;
        m.fimFamily = m_chat->fim() ? q(m_chat->fim()->family) : QString();
        emit modelLoaded(m);
    } catch (const std::exception& e) {
        m_chat.reset();
        m_backend.reset();
        m_model.reset();
        emit loadFailed(path, QString::fromUtf8(e.what()));
    }
}

void EngineWorker::unloadModel()
{
    m_chat.reset();
    m_backend.reset();
    if (m_model) {
        m_model.reset();
        emit modelUnloaded();
    }
}

void EngineWorker::forgetConversation(qint64 conversationId)
{
    if (m_chat)
        m_chat->forget(conversationId);
}

void EngineWorker::requestStopOf(quint64 id)
{
    const std::lock_guard lock(m_stopMutex);
    m_stoppedIds.push_back(id);
    if (m_stoppedIds.size() > 64) // ids only grow: the oldest are long finished
        m_stoppedIds.erase(m_stoppedIds.begin());
}

bool EngineWorker::stopped(quint64 id) const
{
    if (m_stopUpTo.load() >= id)
        return true;
    const std::lock_guard lock(m_stopMutex);
    return std::find(m_stoppedIds.begin(), m_stoppedIds.end(), id) != m_stoppedIds.end();
}


// The engine's figures for one request, as the app's signals carry them.
static GenerationStats toStats(quint64 id, const seekbench::ChatStats& st)
{
    GenerationStats s;
    s.id = id;
    s.promptTokens = st.prompt_tokens;
    s.reusedTokens = st.reused_tokens;
    s.generatedTokens = st.generated_tokens;
    s.promptSeconds = st.prompt_seconds;
    s.tokensPerSecond = st.tokens_per_second();
    s.stopReason = QString::fromStdString(st.stop_reason);
    return s;
}

// A request about to run: false (and its end reported) when it was stopped while queued
// or there is no model.
bool EngineWorker::readyFor(quint64 id)
{
    if (stopped(id)) {
        GenerationStats s;
        s.id = id;
        s.stopReason = QStringLiteral("cancelled");
        emit generationFinished(s);
        return false;
    }
    if (!m_chat) {
        emit generationFailed(id, tr("No model is loaded."));
        return false;
    }
    return true;
}

void EngineWorker::generate(const GenerationRequest& r)
{
    if (!readyFor(r.id))
        return;
    try {
        seekbench::ChatRequest request;
        request.messages = toMessages(r.turns);
        request.sampling = r.sampling.toSamplerParams();
        request.max_tokens = r.sampling.maxTokens;
        const seekbench::ChatStats st = m_chat->reply(r.conversationId, request, [&](const std::string& piece) {
            emit tokenGenerated(r.id, QString::fromUtf8(piece.data(), static_cast<qsizetype>(piece.size())));
            return !stopped(r.id);
        });
        emit generationFinished(toStats(r.id, st));
    } catch (const seekbench::Error& e) {
        if (e.code() == seekbench::ErrorCode::ContextFull)
            emit generationFailed(r.id, tr("The conversation is longer than the model's context of %1 tokens. "
                                           "Start a new conversation or shorten it.").arg(m_chat->context_size()));
        else
            emit generationFailed(r.id, QString::fromUtf8(e.what()));
    } catch (const std::exception& e) {
        emit generationFailed(r.id, QString::fromUtf8(e.what()));
    }
}

void EngineWorker::completeMiddle(const CompletionRequest& r)
{
    if (!readyFor(r.id)) // typing went on before it started, or no model
        return;
    try {
        seekbench::FimRequest request;
        request.prefix = r.prefix.toStdString();
        request.suffix = r.suffix.toStdString();
        request.max_tokens = r.maxTokens;
        request.sampling.temperature = 0; // a completion should not change when asked twice
        const seekbench::ChatStats st = m_chat->fill_in_middle(request, [&](const std::string& piece) {
            emit tokenGenerated(r.id, QString::fromUtf8(piece.data(), static_cast<qsizetype>(piece.size())));
            return !stopped(r.id);
        });
        emit generationFinished(toStats(r.id, st));
    } catch (const seekbench::Error& e) {
        emit generationFailed(r.id, e.code() == seekbench::ErrorCode::Unsupported
                                        ? tr("This model cannot complete code: it was not trained to fill in the "
                                             "middle. A code model (DeepSeek-Coder, Qwen2.5-Coder) can.")
                                        : QString::fromUtf8(e.what()));
    } catch (const std::exception& e) {
        emit generationFailed(r.id, QString::fromUtf8(e.what()));
    }
}

void EngineWorker::traceMessage(const TraceRequest& r)
{
    if (!m_chat) {
        emit traceFailed(r.id, tr("No model is loaded."));
        return;
    }
    if (r.turns.isEmpty()) {
        emit traceFailed(r.id, tr("There is no message to look into."));
        return;
    }
    try {
        seekbench::TraceBudget budget;
        budget.attention = r.attention;
        budget.routing = r.routing;
        budget.focus_layer = r.focusLayer;
        budget.max_bytes = static_cast<std::size_t>(std::max<qint64>(0, r.budgetBytes));
        seekbench::MessageTrace t = m_chat->trace(r.conversationId, toMessages(r.turns), budget,
                                                  [&] { return m_cancelTracesUpTo.load() >= r.id; });
        TraceResult result;
        result.id = r.id;
        result.conversationId = r.conversationId;
        result.messageId = r.messageId;
        result.messageStart = t.message_start;
        result.messageEnd = t.message_end;
        result.attentionLayers = QList<int>(t.attention_layers.begin(), t.attention_layers.end());
        result.trace = std::move(t.trace);
        emit traceReady(result);
    } catch (const seekbench::Error& e) {
        emit traceFailed(r.id, e.code() == seekbench::ErrorCode::Cancelled ? tr("Cancelled for a new reply.")
                                                                           : QString::fromUtf8(e.what()));
    } catch (const std::exception& e) {
        emit traceFailed(r.id, QString::fromUtf8(e.what()));
    }
}
