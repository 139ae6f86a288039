// One chat at a time: the conversation store, the current conversation and its shown
// branch, sending, streaming, stopping, regenerating, editing, branch switching, and the
// per-conversation system prompt and sampling. Converts storage and engine results into
// the Qt values the panels show; the panels only call these methods and read signals.
#pragma once

#include "appsettings.h"
#include "chattypes.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <memory>

namespace seekbench::storage {
class ConversationStore;
}
class EngineController;
class ModelController;

class ChatController : public QObject {
    Q_OBJECT
public:
    // Opens <data dir>/conversations.db. If it cannot (not a database, another program's,
    // unwritable), chats still work but are not kept, and storageWarning() says why.
    ChatController(AppSettings& settings, EngineController& engine, ModelController& models,
                   QObject* parent = nullptr);
    ~ChatController() override;

    QString storageWarning() const { return m_storageWarning; }
    QString databasePath() const { return m_dbPath; }
    qint64 currentConversation() const { return m_current; }
    ConversationData conversation(qint64 id) const;
    QList<ConversationData> conversations() const;
    QList<MessageData> branch() const { return m_branch; }
    QList<SearchHitData> search(const QString& query) const;
    bool isGenerating() const { return m_requestId != 0; }
    // Looking inside the model. The shown trace is held only while a panel wants it.
    const TraceResult& trace() const { return m_trace; }
    bool isTracing() const { return m_traceRequestId != 0; }
    void setTraceWanted(bool wanted); // panels shown: trace the newest reply, and each new one
    void requestTrace(qint64 messageId, int focusLayer = 0);

    // Conversations
    qint64 newConversation();
    void select(qint64 id);
    void rename(qint64 id, const QString& title);
    void setPinned(qint64 id, bool pinned);
    void remove(qint64 id);          // hidden, undoable with undoRemove()
    void undoRemove();
    void setSystemPrompt(const QString& text);
    void setSampling(const SamplingSettings& sampling);
    SamplingSettings sampling() const;
    QString exportConversation(qint64 id, bool json) const;
    qint64 importConversation(const QString& text); // JSON or Markdown from export

    // Turns
    bool send(const QString& text);  // false (with errorOccurred) when it cannot start
    void stop();
    bool regenerate();               // a new answer to the last question, as a new branch
    bool editAndResend(int row, const QString& text); // a changed question, as a new branch
    void switchBranch(int row, int delta);          // show a sibling of the message at row

signals:
    void conversationsChanged();
    void currentChanged(qint64 id);
    void branchChanged(const QList<MessageData>& messages);  // the whole shown branch
    void streamed(qint64 messageId, const QString& text);      // appended to a reply
    void messageUpdated(const MessageData& message);           // a reply finished or failed
    void generatingChanged(bool generating);
    void errorOccurred(const QString& message);
    void removed(qint64 id, const QString& title);             // for an Undo offer
    void traceStarted(qint64 messageId);
    void traceReady(const TraceResult& result);
    void traceFailed(const QString& message);
    void traceCleared();

private:
    void openStore();
    void copyReadableConversations();
    void reloadBranch();
    bool startReply(qint64 parentUserMessage);
    void persistReply(bool final);
    qint64 endReply();
    MessageData toData(qint64 messageId) const;

    AppSettings& m_settings;
    EngineController& m_engine;
    ModelController& m_models;
    std::unique_ptr<seekbench::storage::ConversationStore> m_store;
    QString m_dbPath, m_storageWarning;
    qint64 m_current = 0, m_lastRemoved = 0;
    QList<MessageData> m_branch;
    // The reply being written.
    quint64 m_requestId = 0;
    qint64 m_replyId = 0;
    QString m_replyText;
    QElapsedTimer m_sincePersist;
    void clearTrace();
    bool m_traceWanted = false;
    quint64 m_traceRequestId = 0;
    TraceResult m_trace;
};
