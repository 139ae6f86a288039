// ConversationController: every store call is one transaction in ConversationStore and goes
// through guarded(), so a full disk or a locked file becomes errorOccurred.
#include "conversationcontroller.h"

#include "chatmodel.h"
#include "guarded.h"
#include "modelcontroller.h"

#include "storage/conversation_store.h"

#include <QJsonDocument>
#include <QJsonArray>
#include <QDir>

namespace {

using seekbench::storage::ConversationStore;
using seekbench::storage::Message;

constexpr qint64 kStoreReplyEveryMs = 2000; // a crash mid-reply loses at most this much
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
    for (const QJsonValue& v : QJsonDocument::fromJson(QByteArray::fromStdString(c.knowledge)).array())
        if (!v.toString().isEmpty())
            d.knowledge.append(v.toString());
    return d;
}

} // namespace

ConversationController::ConversationController(AppSettings& settings, ModelController& models, QObject* parent)
    : QObject(parent), m_settings(settings), m_models(models), m_messages(new ChatModel(this))
{
    openStore();
    connect(this, &ConversationController::branchChanged, m_messages, &ChatModel::setMessages);
    connect(this, &ConversationController::messageUpdated, m_messages, &ChatModel::updateMessage);
}

ConversationController::~ConversationController()
{
    if (m_reply != 0) // keep what was streamed so far
        guarded(this, &ConversationController::errorOccurred, {}, [&] { storeReply(nullptr, QStringLiteral("cancelled")); });
}

void ConversationController::openStore()
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
void ConversationController::copyReadableConversations()
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

ConversationData ConversationController::conversation(qint64 id) const
{
    const auto c = guarded(this, &ConversationController::errorOccurred, {}, [&] { return m_store->conversation(id); });
    return c && *c ? toConversationData(**c) : ConversationData{};
}

QList<ConversationData> ConversationController::list() const
{
    QList<ConversationData> out; // one query for the list, not one more per conversation
    if (const auto all = guarded(this, &ConversationController::errorOccurred, {}, [&] { return m_store->conversations(); }))
        for (const auto& c : *all)
            out.append(toConversationData(c));
    return out;
}

QList<SearchHitData> ConversationController::search(const QString& query) const
{
    QList<SearchHitData> out;
    if (const auto hits = guarded(this, &ConversationController::errorOccurred, tr("Search failed: %1"),
                                  [&] { return m_store->search(s(query)); }))
        for (const auto& h : *hits)
            out.append({h.conversation_id, h.message_id, q(h.title), q(h.snippet)});
    return out;
}

SamplingSettings ConversationController::sampling() const
{
    return m_current ? conversation(m_current).sampling : SamplingSettings{};
}

QList<ChatTurn> ConversationController::turnsUpTo(qint64 messageId) const
{
    QList<ChatTurn> turns;
    const ConversationData conv = conversation(m_current);
    if (!conv.systemPrompt.isEmpty())
        turns.append({QStringLiteral("system"), conv.systemPrompt});
    if (const auto b = guarded(this, &ConversationController::errorOccurred, {},
                               [&] { return m_store->branch(m_current, messageId); }))
        for (const Message& m : *b)
            turns.append({q(m.role), m.role == "user" ? promptWithSources(q(m.content), sourcesFromJson(q(m.sources)))
                                                      : q(m.content)});
    return turns;
}

MessageData ConversationController::toData(qint64 id) const
{
    MessageData d;
    const auto m = m_store->message(id);
    if (!m)
        return d;
    d.id = m->id;
    d.parentId = m->parent_id;
    d.role = q(m->role);
    d.content = id == m_reply ? m_replyText : q(m->content);
    d.model = q(m->model);
    d.stopReason = q(m->stop_reason);
    d.created = m->created_at;
    d.promptTokens = m->prompt_tokens;
    d.generatedTokens = m->generated_tokens;
    d.tokensPerSecond = m->tokens_per_second;
    // A question shows its passages; an answer cites its question's.
    if (m->role == "user")
        d.sources = sourcesFromJson(q(m->sources));
    else if (const auto question = m_store->message(m->parent_id); question && question->role == "user")
        d.sources = sourcesFromJson(q(question->sources));
    const auto sib = m_store->siblings(id);
    d.siblingCount = static_cast<int>(sib.size());
    for (int i = 0; i < static_cast<int>(sib.size()); ++i)
        if (sib[static_cast<std::size_t>(i)].id == id)
            d.siblingIndex = i;
    d.streaming = id == m_reply;
    splitReasoning(d);
    return d;
}

void ConversationController::reloadBranch()
{
    QList<MessageData> branch;
    if (m_current != 0)
        guarded(this, &ConversationController::errorOccurred, {}, [&] {
            for (const Message& m : m_store->branch(m_current))
                branch.append(toData(m.id));
        });
    m_branch = branch;
    emit branchChanged(m_branch);
}

qint64 ConversationController::newConversation()
{
    const auto id = guarded(this, &ConversationController::errorOccurred, {}, [&] {
        return m_store->create_conversation(s(tr("New conversation")), s(m_models.currentPath()), "",
                                            s(SamplingSettings{}.toJson()));
    });
    if (!id)
        return 0;
    m_current = *id;
    emit conversationsChanged();
    emit currentChanged(m_current);
    reloadBranch();
    return m_current;
}

void ConversationController::select(qint64 id)
{
    if (id == m_current || conversation(id).id == 0)
        return;
    m_current = id;
    emit currentChanged(id);
    reloadBranch();
}

void ConversationController::rename(qint64 id, const QString& title)
{
    if (guarded(this, &ConversationController::errorOccurred, {}, [&] { m_store->rename(id, s(title.trimmed())); }))
        emit conversationsChanged();
}

void ConversationController::setPinned(qint64 id, bool pinned)
{
    if (guarded(this, &ConversationController::errorOccurred, {}, [&] { m_store->set_pinned(id, pinned); }))
        emit conversationsChanged();
}

void ConversationController::remove(qint64 id)
{
    const ConversationData c = conversation(id);
    if (c.id == 0 || !guarded(this, &ConversationController::errorOccurred, {}, [&] { m_store->remove(id); }))
        return;
    m_lastRemoved = id;
    if (id == m_current) {
        m_current = 0;
        emit currentChanged(0);
        reloadBranch();
    }
    emit conversationsChanged();
    emit removed(id, c.title);
}

void ConversationController::undoRemove()
{
    if (m_lastRemoved == 0 ||
        !guarded(this, &ConversationController::errorOccurred, {}, [&] { m_store->undelete(m_lastRemoved); }))
        return;
    const qint64 id = m_lastRemoved;
    m_lastRemoved = 0;
    emit conversationsChanged();
    select(id);
}

void ConversationController::setSystemPrompt(const QString& text)
{
    if (m_current == 0 && newConversation() == 0)
        return;
    guarded(this, &ConversationController::errorOccurred, {}, [&] { m_store->set_system_prompt(m_current, s(text)); });
}

void ConversationController::setSampling(const SamplingSettings& sampling)
{
    if (m_current == 0 && newConversation() == 0)
        return;
    guarded(this, &ConversationController::errorOccurred, {},
            [&] { m_store->set_sampling(m_current, s(sampling.toJson())); });
}

QStringList ConversationController::knowledge() const
{
    return conversation(m_current).knowledge;
}

void ConversationController::setKnowledge(const QStringList& collections)
{
    if (m_current == 0 && newConversation() == 0)
        return;
    QJsonArray names;
    for (const QString& c : collections)
        names.append(c);
    const QString json = QString::fromUtf8(QJsonDocument(names).toJson(QJsonDocument::Compact));
    if (guarded(this, &ConversationController::errorOccurred, {}, [&] { m_store->set_knowledge(m_current, s(json)); }))
        emit knowledgeChanged(collections);
}

void ConversationController::setSources(qint64 messageId, const QList<CitedSource>& sources)
{
    if (!guarded(this, &ConversationController::errorOccurred, {},
                 [&] { m_store->set_sources(messageId, s(sourcesToJson(sources))); }))
        return;
    for (MessageData& m : m_branch)
        if (m.id == messageId || m.parentId == messageId)
            m.sources = sources;
    emit branchChanged(m_branch);
}

QString ConversationController::exportConversation(qint64 id, bool json)
{
    return guarded(this, &ConversationController::errorOccurred, tr("Export failed: %1"), [&] {
               return q(json ? m_store->export_json(id) : m_store->export_markdown(id));
           }).value_or(QString());
}

qint64 ConversationController::importConversation(const QString& text)
{
    const std::string t = s(text);
    const auto first = t.find_first_not_of(" \t\r\n");
    const bool json = first != std::string::npos && t[first] == '{';
    const auto id = guarded(this, &ConversationController::errorOccurred, tr("Import failed: %1"),
                            [&] { return json ? m_store->import_json(t) : m_store->import_markdown(t); });
    if (!id)
        return 0;
    emit conversationsChanged();
    select(*id);
    return *id;
}

void ConversationController::switchBranch(int row, int delta)
{
    if (m_reply != 0 || row < 0 || row >= m_branch.size())
        return;
    const int target = m_branch[row].siblingIndex + delta;
    if (guarded(this, &ConversationController::errorOccurred, {}, [&] {
            const auto sib = m_store->siblings(m_branch[row].id);
            if (target < 0 || target >= static_cast<int>(sib.size()))
                return false;
            m_store->set_current_leaf(m_current, m_store->newest_leaf_under(sib[static_cast<std::size_t>(target)].id));
            return true;
        }).value_or(false))
        reloadBranch();
}

qint64 ConversationController::addUserMessage(qint64 parentId, const QString& text)
{
    if (m_current == 0 && newConversation() == 0)
        return 0;
    return guarded(this, &ConversationController::errorOccurred, tr("The message could not be saved: %1"), [&] {
               const auto c = m_store->conversation(m_current);
               if (c && (c->title.empty() || c->title == s(tr("New conversation"))) && parentId == 0)
                   m_store->rename(m_current, s(titleFrom(text)));
               Message m;
               m.conversation_id = m_current;
               m.parent_id = parentId;
               m.role = "user";
               m.content = s(text);
               return m_store->add_message(m);
           }).value_or(0);
}

qint64 ConversationController::addReply(qint64 userMessageId)
{
    const auto id = guarded(this, &ConversationController::errorOccurred, tr("The reply could not be saved: %1"), [&] {
        Message reply;
        reply.conversation_id = m_current;
        reply.parent_id = userMessageId;
        reply.role = "assistant";
        reply.model = s(m_models.currentName());
        const qint64 added = m_store->add_message(reply);
        m_store->set_model(m_current, s(m_models.currentPath()));
        return added;
    });
    if (!id)
        return 0;
    m_reply = *id;
    m_replyText.clear();
    m_replyStoredAt = seekbench::storage::now_ms();
    reloadBranch();
    emit conversationsChanged();
    return m_reply;
}

void ConversationController::appendToReply(const QString& text)
{
    if (m_reply == 0)
        return;
    m_replyText += text;
    m_messages->appendText(m_reply, text);
    if (seekbench::storage::now_ms() - m_replyStoredAt > kStoreReplyEveryMs)
        guarded(this, &ConversationController::errorOccurred, {}, [&] {
            m_replyStoredAt = seekbench::storage::now_ms();
            m_store->save_draft(m_reply, s(m_replyText));
        });
}

void ConversationController::storeReply(const GenerationStats* stats, const QString& stopReason)
{
    m_replyStoredAt = seekbench::storage::now_ms();
    auto m = m_store->message(m_reply);
    if (!m)
        return;
    m->content = s(m_replyText);
    if (!stopReason.isEmpty())
        m->stop_reason = s(stopReason);
    if (stats) {
        m->prompt_tokens = stats->promptTokens + stats->reusedTokens;
        m->generated_tokens = stats->generatedTokens;
        m->tokens_per_second = stats->tokensPerSecond;
        m->model = s(m_models.currentName());
    }
    m_store->update_message(*m);
}

void ConversationController::finishReply(const GenerationStats* stats, const QString& stopReason)
{
    if (m_reply == 0)
        return;
    const bool stored = guarded(this, &ConversationController::errorOccurred, tr("The reply could not be saved: %1"),
                                [&] { storeReply(stats, stopReason); });
    const qint64 reply = m_reply;
    const QString text = m_replyText;
    m_reply = 0;
    m_replyText.clear();
    auto data = guarded(this, &ConversationController::errorOccurred, {}, [&] { return toData(reply); });
    if (data) {
        if (!stored) { // still shown as written, though not kept
            data->content = text;
            splitReasoning(*data);
        }
        for (MessageData& d : m_branch)
            if (d.id == reply)
                d = *data;
        emit messageUpdated(*data);
    }
    emit conversationsChanged();
}
