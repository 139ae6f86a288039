// TurnController: one reply at a time; its tokens and its end come from EngineController's
// signals, matched by request id so that a late signal of an older request is ignored.
#include "turncontroller.h"

#include "conversationcontroller.h"
#include "enginecontroller.h"

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
    return id != 0 && startReply(id);
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
    return id != 0 && startReply(id);
}
