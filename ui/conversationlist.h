// The Conversations panel: the list (pinned first, newest activity next), a search box
// backed by the store's full-text index, and new, rename, pin, delete (with Undo), export
// and import.
#pragma once

#include "ui/controllers/chattypes.h"

#include <QAbstractListModel>
#include <QDateTime>
#include <QStyledItemDelegate>
#include <QWidget>

class ConversationController;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class QTimer;

// Conversations, or search hits when a query is set.
// A search hit's snippet as text (its match marks removed), and as HTML with the title in
// bold and each match highlighted.
QString plainSnippet(const QString& marked);
// When a conversation was last active, as a list shows it: "14:05" today, "Yesterday",
// the weekday within a week, else the date.
QString activityLabel(const QDateTime& when, const QDateTime& now);
QString snippetHtml(const QString& title, const QString& marked);

// Draws search hits with their matches highlighted; other rows as usual.
class SnippetDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

// Where an export is offered first: the user's documents folder, the title made a safe
// file name, the format's extension.
QString exportFileName(const QString& title, bool json);

class ConversationListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role { IdRole = Qt::UserRole + 1, PinnedRole, SnippetRole, MessageIdRole, ActivityRole };
    explicit ConversationListModel(ConversationController& conversations, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

    void setQuery(const QString& query);
    QString query() const { return m_query; }
    void refresh();
    int rowOfConversation(qint64 id) const;

private:
    struct Row {
        qint64 id = 0, messageId = 0;
        QString title, snippet;
        bool pinned = false;
        qint64 updated = 0; // milliseconds since the epoch
    };
    ConversationController& m_conversations;
    QString m_query;
    QList<Row> m_rows;
};

class ConversationList : public QWidget {
    Q_OBJECT
public:
    explicit ConversationList(ConversationController& conversations, QWidget* parent = nullptr);

    ConversationListModel* model() const { return m_model; }
    QListView* view() const { return m_view; }
    QLineEdit* searchBox() const { return m_search; }
    QPushButton* undoButton() const { return m_undo; }

    void renameCurrent();
    void deleteCurrent();
    void exportCurrent();
    void importFile();

private:
    void showMenu(const QPoint& at);
    qint64 selectedId() const;
    void syncSelection();

    ConversationController& m_conversations;
    ConversationListModel* m_model;
    QLineEdit* m_search;
    QListView* m_view;
    QWidget* m_undoBar;
    QLabel* m_undoText;
    QPushButton* m_undo;
    QTimer* m_undoTimer;
};
