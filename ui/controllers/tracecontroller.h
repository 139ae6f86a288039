// Looking inside the model: while a panel wants it, the newest reply (and each new one) is
// run through the model again with tracing on; any other message on request. Holds the
// trace shown, and drops it when no panel wants it or when it went stale (another
// conversation, another model).
#pragma once

#include "chattypes.h"

#include <QObject>
#include <QString>

class ConversationController;
class EngineController;
class TurnController;

class TraceController : public QObject {
    Q_OBJECT
public:
    TraceController(ConversationController& conversations, TurnController& turns, EngineController& engine,
                    QObject* parent = nullptr);

    const TraceResult& trace() const { return m_trace; }
    bool isTracing() const { return m_requestId != 0; }
    void setTraceWanted(bool wanted); // panels shown: trace the newest reply, and each new one
    // Whether a panel that shows traces is on screen (not behind another tab, the window not
    // minimized). While none is, new replies are not traced (a real model would pay a second
    // pass for each); the newest one is traced when a panel shows again.
    void setPanelsVisible(bool visible);
    bool panelsVisible() const { return m_visible; }
    void requestTrace(qint64 messageId, int focusLayer = 0);

signals:
    void traceStarted(qint64 messageId);
    void traceReady(const TraceResult& result);
    void traceFailed(const QString& message);
    void traceCleared();
    // For an answer asked with passages: the share of its attention on each passage (in
    // the order of its sources) and on all of them, from its trace.
    void provenanceReady(qint64 messageId, const QList<double>& shares, double attended,
                         const QList<SentenceProvenance>& sentences);

private:
    void clearTrace();
    void refresh(); // after the shown conversation or model changed
    void computeProvenance();
    QList<CitedSource> sourcesOf(qint64 messageId) const;

    ConversationController& m_conversations;
    TurnController& m_turns;
    EngineController& m_engine;
    bool m_wanted = false;
    bool m_visible = true;
    bool m_missed = false; // a reply was not traced while no panel was visible
    quint64 m_requestId = 0;
    TraceResult m_trace;
};
