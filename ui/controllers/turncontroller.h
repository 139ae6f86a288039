// The turn in flight: sending a message, the reply streaming back from the engine, stopping
// it, regenerating an answer and editing a question (both as new branches). Messages are
// written through ConversationController; the engine is reached through EngineController.
#pragma once

#include "chattypes.h"

#include <QObject>
#include <QString>

class ConversationController;
class EngineController;
class KnowledgeController;
struct KnowledgeHit;

class TurnController : public QObject {
    Q_OBJECT
public:
    TurnController(ConversationController& conversations, EngineController& engine, QObject* parent = nullptr);
    ~TurnController() override;

    // A reply is being written, or the passages for it are being looked up.
    bool isGenerating() const { return m_requestId != 0 || m_retrieval != 0; }
    // Where questions of conversations with knowledge collections find their passages.
    void setKnowledge(KnowledgeController* knowledge);

    bool send(const QString& text);  // false (with errorOccurred) when it cannot start
    void stop();
    bool regenerate();               // a new answer to the last question, as a new branch
    bool editAndResend(int row, const QString& text); // a changed question, as a new branch

signals:
    void streamed(qint64 messageId, const QString& text); // appended to the reply
    void generatingChanged(bool generating);
    void replyFinished(qint64 messageId);                 // stored with its statistics
    void errorOccurred(const QString& message);

private:
    // Looks up the passages for a new question when the conversation answers from knowledge
    // (the reply starts when they are there), else starts the reply.
    bool beginTurn(qint64 userMessageId, const QString& question);
    void passagesFound(int request, const QList<KnowledgeHit>& hits);
    bool startReply(qint64 userMessageId);
    void endReply(const GenerationStats* stats, const QString& stopReason);

    ConversationController& m_conversations;
    EngineController& m_engine;
    quint64 m_requestId = 0; // the engine's request for the reply in flight, 0 when none
    KnowledgeController* m_knowledge = nullptr;
    int m_retrieval = 0;     // the knowledge search for the question below, 0 when none
    qint64 m_retrievalFor = 0;
    qint64 m_replyConversation = 0;
};
