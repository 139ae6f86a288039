// The conversations: the store behind them, which one is shown, the branch of it that is
// shown (as MessageData and as the ChatModel the chat panel draws), and every edit to them.
// The turn in flight writes its messages through here, so every store call is in one place
// and guarded: a storage error becomes errorOccurred, never an exception in the event loop.
#pragma once

#include "appsettings.h"
#include "chattypes.h"

#include <QObject>
#include <QString>
#include <memory>

namespace seekbench::storage {
class ConversationStore;
}
class ChatModel;
class ModelController;

class ConversationController : public QObject {
    Q_OBJECT
public:
    // Opens <data dir>/conversations.db. If it cannot (not a database, another program's,
    // unwritable), chats still work but are not kept, and storageWarning() says why.
    ConversationController(AppSettings& settings, ModelController& models, QObject* parent = nullptr);
    ~ConversationController() override;

    QString storageWarning() const { return m_storageWarning; }
    QString databasePath() const { return m_dbPath; }
    qint64 current() const { return m_current; }
    ConversationData conversation(qint64 id) const;  // empty when missing or unreadable
    QList<ConversationData> list() const;            // pinned first, then newest
    QList<SearchHitData> search(const QString& query) const;
    const QList<MessageData>& branch() const { return m_branch; }
    ChatModel* messages() const { return m_messages; } // the shown branch, for views
    SamplingSettings sampling() const;               // of the current conversation
    // The system prompt and the messages from the first down to `messageId`: what the model
    // sees for a turn or a trace.
    QList<ChatTurn> turnsUpTo(qint64 messageId) const;

    qint64 newConversation();        // 0 (with errorOccurred) when it cannot
    void select(qint64 id);
    void rename(qint64 id, const QString& title);
    void setPinned(qint64 id, bool pinned);
    void remove(qint64 id);          // hidden, undoable with undoRemove()
    void undoRemove();
    void setSystemPrompt(const QString& text);
    void setSampling(const SamplingSettings& sampling);
    // The knowledge collections (names) the current conversation answers from.
    QStringList knowledge() const;
    void setKnowledge(const QStringList& collections);
    // The passages a question was asked with (stored with it; its answer cites them).
    void setSources(qint64 messageId, const QList<CitedSource>& sources);
    QString exportConversation(qint64 id, bool json);
    qint64 importConversation(const QString& text); // JSON or Markdown from export
    void switchBranch(int row, int delta);          // show a sibling of the message at row

    // For the turn in flight. Each returns 0/false (with errorOccurred) when the store fails.
    qint64 addUserMessage(qint64 parentId, const QString& text); // titles a new conversation
    qint64 addReply(qint64 userMessageId);    // an empty reply by the current model, shown streaming
    void appendToReply(const QString& text);  // shown at once; stored every few seconds
    // Stores the reply's text and (when given) its statistics, and shows it as finished.
    void finishReply(const GenerationStats* stats, const QString& stopReason);
    qint64 replyInFlight() const { return m_reply; }

signals:
    void conversationsChanged();
    void currentChanged(qint64 id);
    void branchChanged(const QList<MessageData>& messages); // the whole shown branch
    void messageUpdated(const MessageData& message);        // a reply finished or failed
    void removed(qint64 id, const QString& title);          // for an Undo offer
    void knowledgeChanged(const QStringList& collections);
    void errorOccurred(const QString& message);

private:
    void openStore();
    void copyReadableConversations();
    void reloadBranch();
    void storeReply(const GenerationStats* stats, const QString& stopReason);
    MessageData toData(qint64 messageId) const;

    AppSettings& m_settings;
    ModelController& m_models;
    std::unique_ptr<seekbench::storage::ConversationStore> m_store;
    ChatModel* m_messages;
    QString m_dbPath, m_storageWarning;
    qint64 m_current = 0, m_lastRemoved = 0;
    QList<MessageData> m_branch;
    qint64 m_reply = 0;   // the reply being written, 0 when none
    QString m_replyText;
    qint64 m_replyStoredAt = 0;
};
