// EngineWorker: engine calls wrapped so that every seekbench::Error becomes a signal.
#include "engineworker.h"

#include "engine/chat_template.h"
#include "engine/cpu/backend.h"
#include "engine/error.h"
#include "engine/model.h"
#include "engine/session.h"
#include "engine/trace.h"

#include <QFileInfo>
#include <chrono>

namespace {
constexpr std::size_t kSessionsKept = 3;
constexpr std::size_t kTraceChunk = 128; // tokens a trace runs between looks at its cancel flag
}

EngineWorker::EngineWorker(int threads) : m_threads(threads) {}

EngineWorker::~EngineWorker() = default;

void EngineWorker::loadModel(const QString& path)
{
    unloadModel();
    try {
        // Equal priority with the GUI on purpose: at a lower one (nice +5) the pool's threads
        // were preempted mid-operation while the others waited at its barrier, and a reply
        // with a highlighted code block streamed at 33 instead of 713 tokens/s.
        if (!m_cpu)
            m_cpu = std::make_unique<seekbench::CpuBackend>(m_threads);
        m_model = seekbench::Model::load(path.toStdString(), [this](float f) { emit loadProgress(f); });
        const seekbench::ModelInfo info = m_model->info();
        m_template = std::make_unique<seekbench::ChatTemplate>(seekbench::ChatTemplate::detect(info.chat_template));
        LoadedModel m;
        m.path = QFileInfo(path).absoluteFilePath();
        m.name = QString::fromStdString(info.name.empty() ? QFileInfo(path).completeBaseName().toStdString() : info.name);
        m.architecture = QString::fromStdString(info.arch);
        m.fileType = QString::fromStdString(info.file_type);
        m.tokenizer = QString::fromStdString(info.tokenizer);
        m.templateName = QString::fromLatin1(m_template->name());
        m.templateNote = QString::fromStdString(m_template->note());
        m.templateAssumed = m_template->assumed() || info.chat_template.empty();
        m.device = QString::fromStdString(m_cpu->describe());
        m.parameters = static_cast<qint64>(info.parameters);
        m.activeParameters = static_cast<qint64>(info.active_parameters);
        m.fileBytes = static_cast<qint64>(info.file_bytes);
        m.layers = info.n_layers;
        m.heads = info.n_heads;
        m.contextLength = info.n_ctx_train;
        m.experts = info.n_experts;
        m.expertsUsed = info.n_experts_used;
        emit modelLoaded(m);
    } catch (const std::exception& e) {
        m_model.reset();
        emit loadFailed(path, QString::fromUtf8(e.what()));
    }
}

void EngineWorker::unloadModel()
{
    m_sessions.clear();
    m_template.reset();
    if (m_model) {
        m_model.reset();
        emit modelUnloaded();
    }
}

void EngineWorker::forgetConversation(qint64 conversationId)
{
    m_sessions.remove_if([&](const Cached& c) { return c.conversationId == conversationId; });
}

EngineWorker::Cached* EngineWorker::findSession(qint64 conversationId)
{
    for (Cached& c : m_sessions)
        if (c.conversationId == conversationId)
            return &c;
    return nullptr;
}

// The prompt's tokens: when it continues what the conversation's cache last saw, those
// tokens (as sampled) and the rest tokenized; otherwise the whole text tokenized.
std::vector<int32_t> EngineWorker::tokensFor(const Cached* cached, const std::string& text) const
{
    const seekbench::Tokenizer& tokenizer = m_model->tokenizer();
    if (cached == nullptr || cached->text.empty() || !text.starts_with(cached->text))
        return tokenizer.encode(text, true, true);
    std::vector<int32_t> tokens = cached->tokens;
    const auto rest = tokenizer.encode(std::string_view(text).substr(cached->text.size()), false, true, true);
    tokens.insert(tokens.end(), rest.begin(), rest.end());
    return tokens;
}

EngineWorker::Cached& EngineWorker::sessionFor(qint64 conversationId)
{
    for (auto it = m_sessions.begin(); it != m_sessions.end(); ++it)
        if (it->conversationId == conversationId) {
            m_sessions.splice(m_sessions.begin(), m_sessions, it);
            return m_sessions.front();
        }
    if (m_sessions.size() >= kSessionsKept)
        m_sessions.pop_back();
    m_sessions.push_front({conversationId, std::make_unique<seekbench::Session>(*m_model, *m_cpu), {}, {}});
    return m_sessions.front();
}

void EngineWorker::generate(const GenerationRequest& r)
{
    if (m_stopUpTo.load() >= r.id) { // stopped while still queued
        GenerationStats s;
        s.id = r.id;
        s.stopReason = QStringLiteral("cancelled");
        emit generationFinished(s);
        return;
    }
    if (!m_model) {
        emit generationFailed(r.id, tr("No model is loaded."));
        return;
    }
    try {
        std::vector<seekbench::ChatMessage> chat;
        for (const ChatTurn& t : r.turns)
            chat.push_back({t.role.toStdString(), t.content.toStdString()});
        const std::string prompt = m_template->render(chat, true);
        const seekbench::Tokenizer& tokenizer = m_model->tokenizer();
        Cached& cached = sessionFor(r.conversationId);
        seekbench::Session& session = *cached.session;
        std::vector<int32_t> tokens = tokensFor(&cached, prompt);
        cached.text.clear(); // until this turn has finished
        cached.tokens.clear();
        std::string written;
        std::vector<int32_t> sampled;
        const int shiftsBefore = session.shifts();
        const int room = session.n_ctx() - static_cast<int>(tokens.size()) - 1;
        if (room <= 0) { // keep the start and as much of the end as fits
            emit generationFailed(r.id, tr("The conversation is longer than the model's context of %1 tokens. "
                                           "Start a new conversation or shorten it.").arg(session.n_ctx()));
            return;
        }
        seekbench::SamplerParams sp;
        sp.temperature = static_cast<float>(r.sampling.temperature);
        sp.top_k = r.sampling.topK;
        sp.top_p = static_cast<float>(r.sampling.topP);
        sp.min_p = static_cast<float>(r.sampling.minP);
        sp.repeat_penalty = static_cast<float>(r.sampling.repeatPenalty);
        sp.seed = r.sampling.seed ? r.sampling.seed
                                  : static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        seekbench::Sampler sampler(sp);
        // R1-style templates open the reply inside <think>: show it as such.
        if (m_template->starts_with_thinking())
            emit tokenGenerated(r.id, QStringLiteral("<think>\n"));
        const int budget = std::min(r.sampling.maxTokens, room);
        const seekbench::GenerateStats st = session.generate(tokens, sampler, budget, [&](int32_t id, const std::string& piece) {
            if (id >= 0) {
                sampled.push_back(id);
                written += tokenizer.piece(id, true);
            }
            if (!piece.empty())
                emit tokenGenerated(r.id, QString::fromUtf8(piece.data(), static_cast<qsizetype>(piece.size())));
            return m_stopUpTo.load() < r.id;
        });
        if (session.shifts() == shiftsBefore) { // a shifted cache no longer matches the text
            cached.text = prompt + written;
            cached.tokens = std::move(tokens);
            cached.tokens.insert(cached.tokens.end(), sampled.begin(), sampled.end());
        }
        GenerationStats s;
        s.id = r.id;
        s.promptTokens = st.prompt_tokens;
        s.reusedTokens = st.reused_tokens;
        s.generatedTokens = st.generated_tokens;
        s.promptSeconds = st.prompt_seconds;
        s.tokensPerSecond = st.generate_seconds > 0 ? st.generated_tokens / st.generate_seconds : 0;
        s.stopReason = QString::fromStdString(st.stop_reason);
        emit generationFinished(s);
    } catch (const std::exception& e) {
        forgetConversation(r.conversationId); // its cache may be half-written
        emit generationFailed(r.id, QString::fromUtf8(e.what()));
    }
}

void EngineWorker::traceMessage(const TraceRequest& r)
{
    if (!m_model) {
        emit traceFailed(r.id, tr("No model is loaded."));
        return;
    }
    if (r.turns.isEmpty()) {
        emit traceFailed(r.id, tr("There is no message to look into."));
        return;
    }
    try {
        std::vector<seekbench::ChatMessage> chat;
        for (const ChatTurn& t : r.turns)
            chat.push_back({t.role.toStdString(), t.content.toStdString()});
        // The message's tokens start where the conversation before it (with the reply's
        // opening when it is a reply) ends.
        const bool reply = chat.back().role == "assistant";
        const std::string before = m_template->render({chat.begin(), chat.end() - 1}, reply);
        const std::string text = m_template->render(chat, false);
        const Cached* cached = findSession(r.conversationId);
        const std::vector<int32_t> tokens = tokensFor(cached, text);
        const int n = static_cast<int>(tokens.size());
        const int start = std::min(n, static_cast<int>(tokensFor(cached, before).size()));

        const seekbench::ModelConfig& cfg = m_model->config();
        auto trace = std::make_shared<seekbench::Trace>();
        trace->options.attention = r.attention;
        trace->options.routing = r.routing && cfg.is_moe();
        QList<int> layers;
        if (r.attention) { // as many layers as fit the budget, nearest the focus first
            const double perLayer = double(cfg.n_heads) * n * (n + 1) / 2.0 * sizeof(float);
            const int fit = std::clamp(static_cast<int>(double(r.budgetBytes) / std::max(perLayer, 1.0)), 1, cfg.n_layers);
            const int focus = std::clamp(r.focusLayer, 0, cfg.n_layers - 1);
            for (int d = 0; static_cast<int>(layers.size()) < fit; ++d) {
                if (focus - d >= 0 && d > 0)
                    layers.append(focus - d);
                if (focus + d < cfg.n_layers && static_cast<int>(layers.size()) < fit)
                    layers.append(focus + d);
            }
            std::sort(layers.begin(), layers.end());
            if (layers.size() < cfg.n_layers)
                trace->options.layers.assign(layers.begin(), layers.end());
        }
        seekbench::SessionOptions so;
        so.n_ctx = n + 1;
        seekbench::Session session(*m_model, *m_cpu, so);
        session.set_trace(trace.get());
        for (std::size_t end = 0; end < tokens.size();) { // in chunks, so that it can be cancelled
            if (m_cancelTracesUpTo.load() >= r.id) {
                emit traceFailed(r.id, tr("Cancelled for a new reply."));
                return;
            }
            end = std::min(tokens.size(), end + kTraceChunk);
            session.eval({tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(end)});
        }
        session.set_trace(nullptr);
        for (int t : trace->tokens)
            trace->pieces.push_back(seekbench::utf8_sanitize(m_model->tokenizer().piece(t, true)));
        TraceResult result;
        result.id = r.id;
        result.conversationId = r.conversationId;
        result.messageId = r.messageId;
        result.messageStart = start;
        result.messageEnd = n;
        result.attentionLayers = layers;
        result.trace = std::move(trace);
        emit traceReady(result);
    } catch (const std::exception& e) {
        emit traceFailed(r.id, QString::fromUtf8(e.what()));
    }
}
