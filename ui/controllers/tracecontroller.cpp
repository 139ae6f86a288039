// TraceController: a trace is queued behind any reply on the engine worker; a reply that
// starts supersedes the trace still running (the engine cancels it, and asked again after).
#include "tracecontroller.h"

#include "conversationcontroller.h"
#include "enginecontroller.h"
#include "turncontroller.h"

#include "engine/provenance.h"

TraceController::TraceController(ConversationController& conversations, TurnController& turns,
                                 EngineController& engine, QObject* parent)
    : QObject(parent), m_conversations(conversations), m_turns(turns), m_engine(engine)
{
    connect(&m_engine, &EngineController::traceReady, this, [this](const TraceResult& result) {
        if (result.id != m_requestId)
            return; // superseded
        m_requestId = 0;
        m_trace = result;
        emit traceReady(m_trace);
        computeProvenance();
    });
    connect(&m_engine, &EngineController::traceFailed, this, [this](quint64 id, const QString& message) {
        if (id != m_requestId)
            return;
        m_requestId = 0;
        emit traceFailed(message);
    });
    connect(&m_turns, &TurnController::generatingChanged, this, [this](bool generating) {
        if (generating)
            m_requestId = 0; // the trace running is cancelled for the reply
    });
    // An answer from passages is traced even with no panel open: its sources show where
    // its attention went.
    connect(&m_turns, &TurnController::replyFinished, this, [this](qint64 reply) {
        if ((m_wanted && m_visible) || !sourcesOf(reply).isEmpty())
            requestTrace(reply);
        else if (m_wanted)
            m_missed = true;
    });
    connect(&m_conversations, &ConversationController::currentChanged, this, &TraceController::refresh);
    // Another branch shown, or the traced message deleted: a trace of a message that is no
    // longer on screen is stale too (the panels would show a map the Message box cannot name).
    connect(&m_conversations, &ConversationController::branchChanged, this, [this](const QList<MessageData>& branch) {
        if (!m_trace.trace)
            return;
        for (const MessageData& m : branch)
            if (m.id == m_trace.messageId)
                return;
        refresh();
    });
    connect(&m_engine, &EngineController::modelLoaded, this, &TraceController::refresh); // a trace of another model is stale
    connect(&m_engine, &EngineController::modelUnloaded, this, &TraceController::clearTrace);
}

void TraceController::refresh()
{
    clearTrace();
    setTraceWanted(m_wanted);
}

void TraceController::setPanelsVisible(bool visible)
{
    if (visible == m_visible)
        return;
    m_visible = visible;
    if (!visible || !m_wanted)
        return;
    const QList<MessageData>& branch = m_conversations.branch();
    if (m_missed && !branch.isEmpty() && !m_turns.isGenerating() && !isTracing() && m_engine.isLoaded()) {
        m_missed = false;
        requestTrace(branch.back().id);
        return;
    }
    setTraceWanted(true);
}

void TraceController::setTraceWanted(bool wanted)
{
    m_wanted = wanted;
    if (!wanted) {
        m_missed = false;
        clearTrace();
        return;
    }
    if (!m_visible)
        return;
    const QList<MessageData>& branch = m_conversations.branch();
    if (m_turns.isGenerating() || isTracing() || branch.isEmpty() || !m_engine.isLoaded())
        return;
    if (m_trace.trace && m_trace.conversationId == m_conversations.current())
        return; // already showing one of this conversation
    requestTrace(branch.back().id);
}

void TraceController::requestTrace(qint64 messageId, int focusLayer)
{
    if (!m_engine.isLoaded() || m_conversations.current() == 0)
        return;
    TraceRequest r;
    r.conversationId = m_conversations.current();
    r.messageId = messageId;
    r.focusLayer = focusLayer;
    r.turns = m_conversations.turnsUpTo(messageId);
    m_requestId = m_engine.traceMessage(r);
    emit traceStarted(messageId);
}

QList<CitedSource> TraceController::sourcesOf(qint64 messageId) const
{
    for (const MessageData& m : m_conversations.branch())
        if (m.id == messageId)
            return m.role == QLatin1String("assistant") ? m.sources : QList<CitedSource>();
    return {};
}

void TraceController::computeProvenance()
{
    const QList<CitedSource> sources = sourcesOf(m_trace.messageId);
    if (sources.isEmpty() || !m_trace.trace)
        return;
    std::vector<std::string> texts;
    for (const CitedSource& s : sources)
        texts.push_back(s.text.toStdString());
    const auto spans = seekbench::token_spans(m_trace.trace->pieces, texts);
    const seekbench::Provenance p =
        seekbench::attention_provenance(*m_trace.trace, m_trace.messageStart, m_trace.messageEnd, spans);
    // Sentences: the answer's pieces up to one that ends a sentence or a line.
    QList<SentenceProvenance> sentences;
    SentenceProvenance current;
    int tokens = 0;
    std::string textBytes;
    auto close = [&] {
        current.text = QString::fromStdString(textBytes);
        textBytes.clear();
        if (tokens > 0 && !current.text.trimmed().isEmpty()) {
            for (double& share : current.shares)
                share /= tokens;
            current.text = current.text.trimmed();
            sentences.append(current);
        }
        current = SentenceProvenance{};
        tokens = 0;
    };
    for (int i = m_trace.messageStart; i < m_trace.messageEnd; ++i) {
        const auto q = static_cast<std::size_t>(i - m_trace.messageStart);
        if (q >= p.per_token.size() || static_cast<std::size_t>(i) >= m_trace.trace->pieces.size())
            break;
        const std::string& bytes = m_trace.trace->pieces[static_cast<std::size_t>(i)];
        textBytes += bytes; // decoded at the sentence's end: a character may span two tokens
        const QString piece = QString::fromStdString(bytes);
        if (current.shares.isEmpty())
            current.shares = QList<double>(p.per_token[q].size(), 0.0);
        for (std::size_t s = 0; s < p.per_token[q].size(); ++s)
            current.shares[static_cast<qsizetype>(s)] += p.per_token[q][s];
        ++tokens;
        const QString end = piece.trimmed();
        if (piece.contains(QLatin1Char('\n')) || end.endsWith(QLatin1Char('.')) || end.endsWith(QLatin1Char('!')) ||
            end.endsWith(QLatin1Char('?')) || end.endsWith(QChar(0x3002)))
            close();
    }
    close();
    emit provenanceReady(m_trace.messageId, QList<double>(p.shares.begin(), p.shares.end()), p.attended, sentences);
}

void TraceController::clearTrace()
{
    m_requestId = 0;
    if (m_trace.trace) {
        m_trace = TraceResult{};
        emit traceCleared();
    }
}
