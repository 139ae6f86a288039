// The messages of the shown branch as an item model: one row per message, roles for
// everything the chat view draws, the reasoning already split from the answer. Owned and
// fed by ConversationController; streaming replies grow in place.
#pragma once

#include "chattypes.h"

#include <QAbstractListModel>

class ChatModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        IdRole = Qt::UserRole + 1, RoleRole, ContentRole, AnswerRole, ReasoningRole, ThinkingRole, StreamingRole,
        ModelRole, PromptTokensRole, GeneratedTokensRole, TokensPerSecondRole, StopReasonRole, SiblingIndexRole,
        SiblingCountRole,
    };
    explicit ChatModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setMessages(const QList<MessageData>& messages);
    void appendText(qint64 messageId, const QString& text);
    void updateMessage(const MessageData& message);
    const MessageData& at(int row) const { return m_messages.at(row); }
    int rowOf(qint64 messageId) const;

private:
    QList<MessageData> m_messages;
};
