// ChatController: every storage call is one transaction in ConversationStore; errors from
// it (a full disk, a locked file) become errorOccurred, never a crash.
#include "chatcontroller.h"

#include "enginecontroller.h"
#include "modelcontroller.h"

#include "engine/error.h"
#include "storage/conversation_store.h"

#include <QDir>

namespace {

using seekbench::storage::ConversationStore;
using seekbench::storage::Message;

constexpr qint64 kPersistEveryMs = 2000;      // a crash mid-reply loses at most this much
constexpr qint64 kKeepDeletedMs = 7LL * 24 * 3600 * 1000;

QString q(const std::string& s) { return QString::fromStdString(s); }
std::string s(const QString& q) { return q.toStdString(); }

QString titleFrom(const QString& text)
{
    QString t = text.simplified();
    if (t.size() > 48)
        t = t.left(45) + QStringLiteral("…");
    return t;
}

} // namespace

ChatController::ChatController(AppSettings& settings, EngineController& engine, ModelController& models, QObject* parent)
    : QObject(parent), m_settings(settings), m_engine(engine), m_models(models)
{
    openStore();
    connect(&m_engine, &EngineController::tokenGenerated, this, [this](quint64 id, const QString& text) {
        if (id != m_requestId)
            return;
        m_replyText += text;
        emit streamed(m_replyId, text);
        if (m_sincePersist.elapsed() > kPersistEveryMs)
            persistReply(false);
    });
    connect(&m_engine, &EngineController::generationFinished, this, [this](const GenerationStats& st) {
        if (st.id != m_requestId)
            return;
        try {
            if (auto m = m_store->message(m_replyId)) {
                m->content = s(m_replyText);
                m->prompt_tokens = st.promptTokens + st.reusedTokens;
                m->generated_tokens = st.generatedTokens;
                m->tokens_per_second = st.tokensPerSecond;
                m->stop_reason = s(st.stopReason);
                m->model = s(m_models.currentName());
                m_store->update_message(*m);
            }
        } catch (const seekbench::Error& e) {
            emit errorOccurred(tr("The reply could not be saved: %1").arg(QString::fromUtf8(e.what())));
        }
        const qint64 reply = endReply();
        emit conversationsChanged();
        if (m_traceWanted)
            requestTrace(reply);
    });
    connect(&m_engine, &EngineController::generationFailed, this, [this](quint64 id, const QString& message) {
        if (id != m_requestId)
            return;
        try {
            if (auto m = m_store->message(m_replyId)) {
                m->content = s(m_replyText);
                m->stop_reason = "error";
                m_store->update_message(*m);
            }
        } catch (const seekbench::Error&) {
        }
        endReply();
        emit errorOccurred(message);
    });
    connect(&m_engine, &EngineController::traceReady, this, [this](const TraceResult& result) {
        if (result.id != m_traceRequestId)
            return; // superseded
        m_traceRequestId = 0;
        m_trace = result;
        emit traceReady(m_trace);
    });
    connect(&m_engine, &EngineController::traceFailed, this, [this](quint64 id, const QString& message) {
        if (id != m_traceRequestId)
            return;
        m_traceRequestId = 0;
        emit traceFailed(message);
    });
    connect(this, &ChatController::currentChanged, this, [this] {
        clearTrace();
        setTraceWanted(m_traceWanted);
    });
    connect(&m_engine, &EngineController::modelLoaded, this, [this] { // a trace of another model is stale
        clearTrace();
        setTraceWanted(m_traceWanted);
    });
    connect(&m_engine, &EngineController::modelUnloaded, this, &ChatController::clearTrace);
}

ChatController::~ChatController()
{
    if (m_requestId != 0) { // keep what was streamed so far
        m_engine.stop();
        persistReply(true);
    }
}

void ChatController::openStore()
{
    m_dbPath = QDir(m_settings.dataDir()).filePath(QStringLiteral("conversations.db"));
    try {
        m_store = std::make_unique<ConversationStore>(s(m_dbPath));
        m_store->purge_deleted(seekbench::storage::now_ms() - kKeepDeletedMs);
    } catch (const seekbench::Error& e) {
        m_storageWarning = tr("Conversations cannot be saved: %1. They will be lost when Seekbench closes; "
                              "the file was left untouched.").arg(QString::fromUtf8(e.what()));
        m_store = std::make_unique<ConversationStore>(":memory:");
        copyReadableConversations();
    }
}

// A store that can be read but not written (a read-only file or disk) is still shown: its
// conversations are copied into the in-memory store the app works on.
void ChatController::copyReadableConversations()
{
    try {
        ConversationStore readOnly(s(m_dbPath), true);
        const auto all = readOnly.conversations();
        for (auto it = all.rbegin(); it != all.rend(); ++it)
            m_store->import_json(readOnly.export_json(it->id));
    } catch (const seekbench::Error&) {
        // Not readable either (not a database, another program's): nothing to show.
    }
}

namespace {
ConversationData toConversationData(const seekbench::storage::Conversation& c)
{
    ConversationData d;
    d.id = c.id;
    d.title = q(c.title);
    d.model = q(c.model);
    d.systemPrompt = q(c.system_prompt);
    d.pinned = c.pinned;
    d.updated = c.updated_at;
    d.sampling = SamplingSettings::fromJson(q(c.sampling));
    return d;
}
} // namespace

ConversationData ChatController::conversation(qint64 id) const
{
    const auto c = m_store->conversation(id);
    return c ? toConversationData(*c) : ConversationData{};
}

QList<ConversationData> ChatController::conversations() const
{
    QList<ConversationData> out; // one query for the list, not one more per conversation
    for (const auto& c : m_store->conversations())
        out.append(toConversationData(c));
    return out;
}

QList<SearchHitData> ChatController::search(const QString& query) const
{
    QList<SearchHitData> out;
    try {
        for (const auto& h : m_store->search(s(query)))
            out.append({h.conversation_id, h.message_id, q(h.title), q(h.snippet)});
    } catch (const seekbench::Error&) {
    }
    return out;
}

void ChatController::setTraceWanted(bool wanted)
{
    m_traceWanted = wanted;
    if (!wanted) {
        clearTrace();
        return;
    }
    if (isGenerating() || isTracing() || m_branch.isEmpty() || !m_engine.isLoaded())
        return;
    if (m_trace.trace && m_trace.conversationId == m_current)
        return; // already showing one of this conversation
    requestTrace(m_branch.back().id);
}

void ChatController::requestTrace(qint64 messageId, int focusLayer)
{
    if (!m_engine.isLoaded() || m_current == 0)
        return;
    TraceRequest r;
    r.conversationId = m_current;
    r.messageId = messageId;
    r.focusLayer = focusLayer;
    const ConversationData conv = conversation(m_current);
    if (!conv.systemPrompt.isEmpty())
        r.turns.append({QStringLiteral("system"), conv.systemPrompt});
    for (const Message& m : m_store->branch(m_current, messageId))
        r.turns.append({q(m.role), q(m.content)});
    m_traceRequestId = m_engine.traceMessage(r);
    emit traceStarted(messageId);
}

void ChatController::clearTrace()
{
    m_traceRequestId = 0;
    if (m_trace.trace) {
        m_trace = TraceResult{};
        emit traceCleared();
    }
}

MessageData ChatController::toData(qint64 id) const
{
    MessageData d;
    const auto m = m_store->message(id);
    if (!m)
        return d;
    d.id = m->id;
    d.parentId = m->parent_id;
    d.role = q(m->role);
    d.content = q(m->content);
    d.model = q(m->model);
    d.stopReason = q(m->stop_reason);
    d.created = m->created_at;
    d.promptTokens = m->prompt_tokens;
    d.generatedTokens = m->generated_tokens;
    d.tokensPerSecond = m->tokens_per_second;
    const auto sib = m_store->siblings(id);
    d.siblingCount = static_cast<int>(sib.size());
    for (int i = 0; i < static_cast<int>(sib.size()); ++i)
        if (sib[static_cast<std::size_t>(i)].id == id)
            d.siblingIndex = i;
    d.streaming = id == m_replyId && m_requestId != 0;
    return d;
}

void ChatController::reloadBranch()
{
    m_branch.clear();
    if (m_current != 0)
        for (const Message& m : m_store->branch(m_current))
            m_branch.append(toData(m.id));
    emit branchChanged(m_branch);
}

qint64 ChatController::newConversation()
{
    try {
        m_current = m_store->create_conversation(s(tr("New conversation")), s(m_models.currentPath()), "",
                                                 s(SamplingSettings{}.toJson()));
    } catch (const seekbench::Error& e) {
        emit errorOccurred(QString::fromUtf8(e.what()));
        return 0;
    }
    emit conversationsChanged();
    emit currentChanged(m_current);
    reloadBranch();
    return m_current;
}

void ChatController::select(qint64 id)
{
    if (id == m_current || !m_store->conversation(id))
        return;
    m_current = id;
    emit currentChanged(id);
    reloadBranch();
}

void ChatController::rename(qint64 id, const QString& title)
{
    try {
        m_store->rename(id, s(title.trimmed()));
        emit conversationsChanged();
    } catch (const seekbench::Error& e) {
        emit errorOccurred(QString::fromUtf8(e.what()));
    }
}

void ChatController::setPinned(qint64 id, bool pinned)
{
    try {
        m_store->set_pinned(id, pinned);
        emit conversationsChanged();
    } catch (const seekbench::Error& e) {
        emit errorOccurred(QString::fromUtf8(e.what()));
    }
}

void ChatController::remove(qint64 id)
{
    const auto c = m_store->conversation(id);
    if (!c)
        return;
    if (id == m_current && isGenerating())
        stop();
    try {
        m_store->remove(id);
    } catch (const seekbench::Error& e) {
        emit errorOccurred(QString::fromUtf8(e.what()));
        return;
    }
    m_lastRemoved = id;
    m_engine.forgetConversation(id);
    if (id == m_current) {
        m_current = 0;
        emit currentChanged(0);
        reloadBranch();
    }
    emit conversationsChanged();
    emit removed(id, q(c->title));
}

void ChatController::undoRemove()
{
    if (m_lastRemoved == 0)
        return;
    try {
        m_store->undelete(m_lastRemoved);
    } catch (const seekbench::Error& e) {
        emit errorOccurred(QString::fromUtf8(e.what()));
        return;
    }
    const qint64 id = m_lastRemoved;
    m_lastRemoved = 0;
    emit conversationsChanged();
    select(id);
}

void ChatController::setSystemPrompt(const QString& text)
{
    if (m_current == 0 && newConversation() == 0)
        return;
    try {
        m_store->set_system_prompt(m_current, s(text));
    } catch (const seekbench::Error& e) {
        emit errorOccurred(QString::fromUtf8(e.what()));
    }
}

void ChatController::setSampling(const SamplingSettings& sampling)
{
    if (m_current == 0 && newConversation() == 0)
        return;
    try {
        m_store->set_sampling(m_current, s(sampling.toJson()));
    } catch (const seekbench::Error& e) {
        emit errorOccurred(QString::fromUtf8(e.what()));
    }
}

SamplingSettings ChatController::sampling() const
{
    return m_current ? conversation(m_current).sampling : SamplingSettings{};
}

QString ChatController::exportConversation(qint64 id, bool json) const
{
    return q(json ? m_store->export_json(id) : m_store->export_markdown(id));
}

qint64 ChatController::importConversation(const QString& text)
{
    try {
        const std::string t = s(text);
        const auto first = t.find_first_not_of(" \t\r\n");
        const bool json = first != std::string::npos && t[first] == '{';
        const qint64 id = json ? m_store->import_json(t) : m_store->import_markdown(t);
        emit conversationsChanged();
        select(id);
        return id;
    } catch (const seekbench::Error& e) {
        emit errorOccurred(tr("Import failed: %1").arg(QString::fromUtf8(e.what())));
        return 0;
    }
}

bool ChatController::send(const QString& text)
{
    if (text.trimmed().isEmpty())
        return false;
    if (isGenerating()) {
        emit errorOccurred(tr("Wait for the current reply, or stop it, before sending."));
        return false;
    }
    if (!m_engine.isLoaded()) {
        emit errorOccurred(tr("Load a model first: File › Open Model…"));
        return false;
    }
    if (m_current == 0 && newConversation() == 0)
        return false;
    try {
        const auto c = m_store->conversation(m_current);
        if (c && (c->title.empty() || c->title == s(tr("New conversation"))) && m_branch.isEmpty())
            m_store->rename(m_current, s(titleFrom(text)));
        Message m;
        m.conversation_id = m_current;
        m.parent_id = m_branch.isEmpty() ? 0 : m_branch.back().id;
        m.role = "user";
        m.content = s(text);
        const qint64 id = m_store->add_message(m);
        m_branch.append(toData(id));
        return startReply(id);
    } catch (const seekbench::Error& e) {
        emit errorOccurred(tr("The message could not be saved: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
}

bool ChatController::startReply(qint64 userMessage)
{
    const ConversationData conv = conversation(m_current);
    GenerationRequest r;
    r.conversationId = m_current;
    r.sampling = conv.sampling;
    if (!conv.systemPrompt.isEmpty())
        r.turns.append({QStringLiteral("system"), conv.systemPrompt});
    for (const Message& m : m_store->branch(m_current, userMessage))
        r.turns.append({q(m.role), q(m.content)});
    Message reply;
    reply.conversation_id = m_current;
    reply.parent_id = userMessage;
    reply.role = "assistant";
    reply.model = s(m_models.currentName());
    m_replyId = m_store->add_message(reply);
    m_store->set_model(m_current, s(m_models.currentPath()));
    m_replyText.clear();
    m_sincePersist.start();
    m_traceRequestId = 0; // a trace still running is cancelled for this reply
    m_requestId = m_engine.generate(r);
    reloadBranch();
    emit generatingChanged(true);
    emit conversationsChanged();
    return true;
}

// The reply being written is finished (or failed): forget the request, show it as stored.
qint64 ChatController::endReply()
{
    const qint64 reply = m_replyId;
    m_requestId = 0;
    m_replyId = 0;
    m_replyText.clear();
    for (MessageData& d : m_branch)
        if (d.id == reply)
            d = toData(reply);
    emit messageUpdated(toData(reply));
    emit generatingChanged(false);
    return reply;
}

void ChatController::persistReply(bool final)
{
    if (m_replyId == 0)
        return;
    try {
        if (auto m = m_store->message(m_replyId)) {
            m->content = s(m_replyText);
            if (final)
                m->stop_reason = "cancelled";
            m_store->update_message(*m);
        }
    } catch (const seekbench::Error&) {
    }
    m_sincePersist.restart();
}

void ChatController::stop()
{
    if (isGenerating())
        m_engine.stop();
}

bool ChatController::regenerate()
{
    if (isGenerating() || !m_engine.isLoaded())
        return false;
    for (int i = static_cast<int>(m_branch.size()) - 1; i >= 0; --i)
        if (m_branch[i].role == QLatin1String("user")) {
            try {
                return startReply(m_branch[i].id);
            } catch (const seekbench::Error& e) {
                emit errorOccurred(QString::fromUtf8(e.what()));
                return false;
            }
        }
    return false;
}

bool ChatController::editAndResend(int row, const QString& text)
{
    if (isGenerating() || !m_engine.isLoaded() || row < 0 || row >= m_branch.size() ||
        m_branch[row].role != QLatin1String("user") || text.trimmed().isEmpty())
        return false;
    try {
        Message m;
        m.conversation_id = m_current;
        m.parent_id = m_branch[row].parentId;
        m.role = "user";
        m.content = s(text);
        const qint64 id = m_store->add_message(m);
        return startReply(id);
    } catch (const seekbench::Error& e) {
        emit errorOccurred(QString::fromUtf8(e.what()));
        return false;
    }
}

void ChatController::switchBranch(int row, int delta)
{
    if (isGenerating() || row < 0 || row >= m_branch.size())
        return;
    const auto sib = m_store->siblings(m_branch[row].id);
    const int target = m_branch[row].siblingIndex + delta;
    if (target < 0 || target >= static_cast<int>(sib.size()))
        return;
    try {
        m_store->set_current_leaf(m_current, m_store->newest_leaf_under(sib[static_cast<std::size_t>(target)].id));
    } catch (const seekbench::Error& e) {
        emit errorOccurred(QString::fromUtf8(e.what()));
        return;
    }
    reloadBranch();
}
