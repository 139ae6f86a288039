// ChatModel: a streamed piece is appended to the content and the reasoning split again.
#include "chatmodel.h"

ChatModel::ChatModel(QObject* parent) : QAbstractListModel(parent) {}

int ChatModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_messages.size()); }

QVariant ChatModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const MessageData& m = m_messages.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case ContentRole: return m.content;
    case IdRole: return m.id;
    case RoleRole: return m.role;
    case AnswerRole: return m.answer;
    case ReasoningRole: return m.reasoning;
    case ThinkingRole: return m.thinking;
    case StreamingRole: return m.streaming;
    case ModelRole: return m.model;
    case PromptTokensRole: return m.promptTokens;
    case GeneratedTokensRole: return m.generatedTokens;
    case TokensPerSecondRole: return m.tokensPerSecond;
    case StopReasonRole: return m.stopReason;
    case SiblingIndexRole: return m.siblingIndex;
    case SiblingCountRole: return m.siblingCount;
    default: return {};
    }
}

QHash<int, QByteArray> ChatModel::roleNames() const
{
    return {{IdRole, "messageId"}, {RoleRole, "role"}, {ContentRole, "content"}, {AnswerRole, "answer"},
            {ReasoningRole, "reasoning"}, {ThinkingRole, "thinking"}, {StreamingRole, "streaming"}};
}

void ChatModel::setMessages(const QList<MessageData>& messages)
{
    beginResetModel();
    m_messages = messages;
    endResetModel();
}

int ChatModel::rowOf(qint64 messageId) const
{
    for (int i = 0; i < m_messages.size(); ++i)
        if (m_messages[i].id == messageId)
            return i;
    return -1;
}

void ChatModel::appendText(qint64 messageId, const QString& text)
{
    const int row = rowOf(messageId);
    if (row < 0)
        return;
    m_messages[row].content += text;
    m_messages[row].streaming = true;
    splitReasoning(m_messages[row]);
    emit dataChanged(index(row), index(row), {ContentRole, AnswerRole, ReasoningRole, ThinkingRole, StreamingRole});
}

void ChatModel::updateMessage(const MessageData& message)
{
    const int row = rowOf(message.id);
    if (row < 0)
        return;
    m_messages[row] = message;
    emit dataChanged(index(row), index(row));
}
