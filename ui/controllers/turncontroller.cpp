// TurnController: one reply at a time; its tokens and its end come from EngineController's
// signals, matched by request id so that a late signal of an older request is ignored.
#include "turncontroller.h"

#include "conversationcontroller.h"
#include "enginecontroller.h"
#include "knowledgecontroller.h"

#include <algorithm>

TurnController::TurnController(ConversationController& conversations, EngineController& engine, QObject* parent)
    : QObject(parent), m_conversations(conversations), m_engine(engine)
{
    connect(&m_engine, &EngineController::tokenGenerated, this, [this](quint64 id, const QString& text) {
        if (id != m_requestId)
            return;
        const qint64 reply = m_conversations.replyInFlight();
        m_conversations.appendToReply(text);
        emit streamed(reply, text);
    });
    connect(&m_engine, &EngineController::generationFinished, this, [this](const GenerationStats& st) {
        if (st.id == m_requestId)
            endReply(&st, st.stopReason);
    });
    connect(&m_engine, &EngineController::generationFailed, this, [this](quint64 id, const QString& message) {
        if (id != m_requestId)
            return;
        endReply(nullptr, QStringLiteral("error"));
        emit errorOccurred(message);
    });
    // A conversation deleted while it is being answered: the answer stops (and is kept with
    // the conversation, which can be restored).
    connect(&m_conversations, &ConversationController::removed, this, [this](qint64 id) {
        if (isGenerating() && id == m_replyConversation)
            stop();
    });
}

TurnController::~TurnController()
{
    if (isGenerating()) // the conversations keep what was streamed so far
        m_engine.stop();
}

bool TurnController::send(const QString& text)
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
    const QList<MessageData>& branch = m_conversations.branch();
    const qint64 parent = m_conversations.current() != 0 && !branch.isEmpty() ? branch.back().id : 0;
    const qint64 id = m_conversations.addUserMessage(parent, text);
    return id != 0 && beginTurn(id, text);
}

void TurnController::setKnowledge(KnowledgeController* knowledge)
{
    if (m_knowledge)
        disconnect(m_knowledge, nullptr, this, nullptr);
    m_knowledge = knowledge;
    if (m_knowledge)
        connect(m_knowledge, &KnowledgeController::searchFinished, this, &TurnController::passagesFound);
}

bool TurnController::beginTurn(qint64 userMessageId, const QString& question)
{
    const QStringList collections = m_conversations.knowledge();
    if (!m_knowledge || collections.isEmpty())
        return startReply(userMessageId);
    m_retrieval = m_knowledge->searchCollections(question, collections, 8);
    if (m_retrieval < 0) { // its collections are gone: an answer without them
        m_retrieval = 0;
        return startReply(userMessageId);
    }
    m_retrievalFor = userMessageId;
    emit generatingChanged(true);
    return true;
}

// The best passages that fit the prompt: about 40% of the model's context (4 characters to
// a token), the rest left to the conversation and the answer. A passage that does not fit
// whole is cut, one that would be cut below 200 characters is left out.
void TurnController::passagesFound(int request, const QList<KnowledgeHit>& hits)
{
    if (request != m_retrieval || m_retrieval == 0)
        return;
    m_retrieval = 0;
    const qint64 question = m_retrievalFor;
    const int context = m_engine.model().contextLength > 0 ? m_engine.model().contextLength : 4096;
    int budget = std::clamp(context * 4 * 2 / 5, 600, 16000);
    QList<CitedSource> sources;
    for (const KnowledgeHit& h : hits) {
        if (budget < 200)
            break;
        CitedSource s;
        s.n = int(sources.size()) + 1;
        s.chunkId = h.chunkId;
        s.path = h.path;
        s.heading = h.heading;
        s.text = h.text.left(budget);
        s.page = h.page;
        s.byteStart = h.byteStart;
        s.byteEnd = h.byteEnd;
        budget -= int(s.text.size());
        sources.append(s);
    }
    if (!sources.isEmpty())
        m_conversations.setSources(question, sources);
    if (!startReply(question))
        emit generatingChanged(false);
}

bool TurnController::startReply(qint64 userMessageId)
{
    GenerationRequest r;
    r.conversationId = m_conversations.current();
    r.sampling = m_conversations.sampling();
    r.turns = m_conversations.turnsUpTo(userMessageId);
    if (m_conversations.addReply(userMessageId) == 0)
        return false;
    m_replyConversation = r.conversationId;
    m_requestId = m_engine.generate(r);
    emit generatingChanged(true);
    return true;
}

// The reply is finished (or failed): stored and shown as such.
void TurnController::endReply(const GenerationStats* stats, const QString& stopReason)
{
    const qint64 reply = m_conversations.replyInFlight();
    m_requestId = 0;
    m_replyConversation = 0;
    m_conversations.finishReply(stats, stopReason);
    emit generatingChanged(false);
    if (stats)
        emit replyFinished(reply);
}

void TurnController::stop()
{
    if (m_retrieval != 0) { // before the reply began: the question stays, unanswered
        m_retrieval = 0;
        emit generatingChanged(false);
        return;
    }
    if (isGenerating())
        m_engine.stop(m_requestId);
}

bool TurnController::regenerate()
{
    if (isGenerating() || !m_engine.isLoaded())
        return false;
    const QList<MessageData>& branch = m_conversations.branch();
    for (auto it = branch.rbegin(); it != branch.rend(); ++it)
        if (it->role == QLatin1String("user"))
            return startReply(it->id);
    return false;
}

bool TurnController::editAndResend(int row, const QString& text)
{
    const QList<MessageData>& branch = m_conversations.branch();
    if (isGenerating() || !m_engine.isLoaded() || row < 0 || row >= branch.size() ||
        branch[row].role != QLatin1String("user") || text.trimmed().isEmpty())
        return false;
    const qint64 id = m_conversations.addUserMessage(branch[row].parentId, text);
    return id != 0 && beginTurn(id, text);
}
