// ConversationList: edits go through ConversationController; the model re-reads on its signals.
#include "conversationlist.h"

#include "ui/controllers/conversationcontroller.h"

#include <QFile>
#include <QCoreApplication>
#include <QFileDialog>
#include <QLocale>
#include <QStyle>
#include <QTextDocument>
#include <QPainter>
#include <QDir>
#include <QStandardPaths>
#include <QRegularExpression>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace {
constexpr int kUndoSeconds = 15;
}

QString plainSnippet(const QString& marked)
{
    QString text = marked;
    return text.remove(QChar(2)).remove(QChar(3));
}

QString activityLabel(const QDateTime& when, const QDateTime& now)
{
    const qint64 days = when.date().daysTo(now.date());
    const QLocale locale;
    if (days <= 0)
        return locale.toString(when.time(), QLocale::ShortFormat);
    if (days == 1)
        return QCoreApplication::translate("ConversationList", "Yesterday");
    if (days < 7)
        return locale.dayName(when.date().dayOfWeek(), QLocale::ShortFormat);
    return locale.toString(when.date(), QLocale::ShortFormat);
}

QString snippetHtml(const QString& title, const QString& marked)
{
    QString html = QStringLiteral("<b>") + title.toHtmlEscaped() + QStringLiteral("</b><br>");
    bool inMatch = false;
    QString run;
    const auto flush = [&] {
        html += inMatch ? QStringLiteral("<span style=\"background-color: palette(highlight); color: palette(highlighted-text)\">")
                              + run.toHtmlEscaped() + QStringLiteral("</span>")
                        : run.toHtmlEscaped();
        run.clear();
    };
    for (const QChar c : marked) {
        if (c == QChar(2) || c == QChar(3)) {
            flush();
            inMatch = c == QChar(2);
        } else {
            run += c;
        }
    }
    flush();
    return html;
}

void SnippetDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const QString marked = index.data(ConversationListModel::SnippetRole).toString();
    if (marked.isEmpty()) {
        // The time of the last activity at the right, in the quieter text colour.
        const QString when = index.data(ConversationListModel::ActivityRole).toString();
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        const int width = opt.fontMetrics.horizontalAdvance(when) + 12;
        if (!when.isEmpty() && opt.rect.width() > 3 * width) {
            opt.text = opt.fontMetrics.elidedText(opt.text, Qt::ElideRight, opt.rect.width() - width - 12);
            opt.widget->style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
            painter->save();
            painter->setPen(opt.palette.color(opt.state & QStyle::State_Selected ? QPalette::HighlightedText
                                                                                  : QPalette::PlaceholderText));
            painter->drawText(opt.rect.adjusted(0, 0, -6, 0), Qt::AlignRight | Qt::AlignVCenter, when);
            painter->restore();
            return;
        }
        return QStyledItemDelegate::paint(painter, option, index);
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    opt.widget->style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    QTextDocument doc;
    doc.setDefaultFont(opt.font);
    doc.setHtml(snippetHtml(index.data(Qt::EditRole).toString(), marked)
                    .replace(QStringLiteral("palette(highlight)"), opt.palette.highlight().color().name())
                    .replace(QStringLiteral("palette(highlighted-text)"), opt.palette.highlightedText().color().name()));
    doc.setTextWidth(opt.rect.width() - 8);
    painter->save();
    painter->translate(opt.rect.topLeft() + QPoint(4, 2));
    doc.drawContents(painter);
    painter->restore();
}

QSize SnippetDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const QString marked = index.data(ConversationListModel::SnippetRole).toString();
    if (marked.isEmpty())
        return QStyledItemDelegate::sizeHint(option, index);
    QTextDocument doc;
    doc.setDefaultFont(option.font);
    doc.setHtml(snippetHtml(index.data(Qt::EditRole).toString(), marked));
    doc.setTextWidth(std::max(100, option.rect.width() - 8));
    return QSize(option.rect.width(), static_cast<int>(doc.size().height()) + 4);
}

ConversationListModel::ConversationListModel(ConversationController& conversations, QObject* parent)
    : QAbstractListModel(parent), m_conversations(conversations)
{
    refresh();
}

int ConversationListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

QVariant ConversationListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return r.snippet.isEmpty() ? (r.pinned ? QStringLiteral("📌 ") + r.title : r.title)
                                   : r.title + QLatin1Char('\n') + plainSnippet(r.snippet);
    case Qt::EditRole: return r.title;
    case Qt::ToolTipRole:
        if (!r.snippet.isEmpty())
            return plainSnippet(r.snippet);
        return r.updated > 0 ? tr("%1\nlast active %2")
                                   .arg(r.title, QLocale().toString(QDateTime::fromMSecsSinceEpoch(r.updated),
                                                                    QLocale::ShortFormat))
                             : r.title;
    case ActivityRole:
        return r.updated > 0 ? activityLabel(QDateTime::fromMSecsSinceEpoch(r.updated), QDateTime::currentDateTime())
                             : QString();
    case IdRole: return r.id;
    case PinnedRole: return r.pinned;
    case SnippetRole: return r.snippet;
    case MessageIdRole: return r.messageId;
    default: return {};
    }
}

Qt::ItemFlags ConversationListModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QAbstractListModel::flags(index);
    if (index.isValid() && m_query.isEmpty())
        f |= Qt::ItemIsEditable;
    return f;
}

bool ConversationListModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != Qt::EditRole || !checkIndex(index, CheckIndexOption::IndexIsValid) || value.toString().trimmed().isEmpty())
        return false;
    m_conversations.rename(m_rows.at(index.row()).id, value.toString()); // refresh() follows from its signal
    return true;
}

void ConversationListModel::setQuery(const QString& query)
{
    m_query = query.trimmed();
    refresh();
}

void ConversationListModel::refresh()
{
    beginResetModel();
    m_rows.clear();
    if (m_query.isEmpty()) {
        for (const ConversationData& c : m_conversations.list())
            m_rows.append({c.id, 0, c.title, QString(), c.pinned, c.updated});
    } else {
        for (const SearchHitData& h : m_conversations.search(m_query))
            m_rows.append({h.conversationId, h.messageId, h.title, h.snippet, false, 0});
    }
    endResetModel();
}

int ConversationListModel::rowOfConversation(qint64 id) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].id == id)
            return i;
    return -1;
}

ConversationList::ConversationList(ConversationController& conversations, QWidget* parent)
    : QWidget(parent), m_conversations(conversations), m_model(new ConversationListModel(conversations, this)), m_search(new QLineEdit(this)),
      m_view(new QListView(this)), m_undoBar(new QWidget(this)), m_undoText(new QLabel(m_undoBar)),
      m_undo(new QPushButton(tr("Undo"), m_undoBar)), m_undoTimer(new QTimer(this))
{
    m_search->setPlaceholderText(tr("Search all conversations"));
    m_search->setClearButtonEnabled(true);
    m_view->setModel(m_model);
    m_view->setItemDelegate(new SnippetDelegate(m_view));
    m_view->setEditTriggers(QAbstractItemView::EditKeyPressed);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setWordWrap(true);
    auto* add = new QPushButton(tr("New Conversation"), this);
    m_undoText->setWordWrap(true);
    auto* undoRow = new QHBoxLayout(m_undoBar);
    undoRow->setContentsMargins(0, 0, 0, 0);
    undoRow->addWidget(m_undoText, 1);
    undoRow->addWidget(m_undo);
    m_undoBar->setVisible(false);
    m_undoTimer->setSingleShot(true);
    m_undoTimer->setInterval(kUndoSeconds * 1000);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(add);
    layout->addWidget(m_search);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_undoBar);

    connect(add, &QPushButton::clicked, this, [this] {
        m_search->clear();
        m_conversations.newConversation();
    });
    connect(m_search, &QLineEdit::textChanged, m_model, &ConversationListModel::setQuery);
    connect(m_view, &QListView::clicked, this, [this](const QModelIndex& index) {
        m_conversations.select(index.data(ConversationListModel::IdRole).toLongLong());
    });
    connect(m_view, &QListView::customContextMenuRequested, this, &ConversationList::showMenu);
    connect(&m_conversations, &ConversationController::conversationsChanged, this, [this] {
        m_model->refresh();
        syncSelection();
    });
    connect(&m_conversations, &ConversationController::currentChanged, this, &ConversationList::syncSelection);
    connect(&m_conversations, &ConversationController::removed, this, [this](qint64, const QString& title) {
        m_undoText->setText(tr("Deleted “%1”.").arg(title));
        m_undoBar->setVisible(true);
        m_undoTimer->start();
    });
    connect(m_undo, &QPushButton::clicked, this, [this] {
        m_conversations.undoRemove();
        m_undoBar->setVisible(false);
    });
    connect(m_undoTimer, &QTimer::timeout, m_undoBar, &QWidget::hide);
}

qint64 ConversationList::selectedId() const
{
    const QModelIndex index = m_view->currentIndex();
    return index.isValid() ? index.data(ConversationListModel::IdRole).toLongLong() : m_conversations.current();
}

void ConversationList::syncSelection()
{
    const int row = m_model->rowOfConversation(m_conversations.current());
    m_view->setCurrentIndex(row >= 0 ? m_model->index(row) : QModelIndex());
}

void ConversationList::showMenu(const QPoint& at)
{
    const QModelIndex index = m_view->indexAt(at);
    if (!index.isValid())
        return;
    const qint64 id = index.data(ConversationListModel::IdRole).toLongLong();
    m_conversations.select(id);
    QMenu menu(this);
    menu.addAction(tr("Rename"), this, &ConversationList::renameCurrent);
    const bool pinned = index.data(ConversationListModel::PinnedRole).toBool();
    menu.addAction(pinned ? tr("Unpin") : tr("Pin to Top"), this, [this, id, pinned] { m_conversations.setPinned(id, !pinned); });
    menu.addAction(tr("Export…"), this, &ConversationList::exportCurrent);
    menu.addSeparator();
    menu.addAction(tr("Delete"), this, &ConversationList::deleteCurrent);
    menu.exec(m_view->viewport()->mapToGlobal(at));
}

void ConversationList::renameCurrent()
{
    m_search->clear();
    const int row = m_model->rowOfConversation(m_conversations.current());
    if (row >= 0)
        m_view->edit(m_model->index(row));
}

void ConversationList::deleteCurrent()
{
    if (const qint64 id = selectedId())
        m_conversations.remove(id);
}

QString exportFileName(const QString& title, bool json)
{
    QString name = title.trimmed();
    name.replace(QRegularExpression(QStringLiteral("[/\\\\:*?\"<>|\\x00-\\x1f]+")), QStringLiteral(" "));
    name = name.simplified().left(80);
    if (name.isEmpty() || name.startsWith(QLatin1Char('.')))
        name = QStringLiteral("conversation") + name;
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return QDir(documents.isEmpty() ? QDir::homePath() : documents)
        .filePath(name + (json ? QStringLiteral(".json") : QStringLiteral(".md")));
}

void ConversationList::exportCurrent()
{
    const qint64 id = selectedId();
    if (!id)
        return;
    auto* dialog = new QFileDialog(this, tr("Export Conversation"),
                                   exportFileName(m_conversations.conversation(id).title, false),
                                   tr("Markdown (*.md);;JSON, every branch (*.json)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    // A name typed without an extension gets the chosen format's.
    dialog->setDefaultSuffix(QStringLiteral("md"));
    connect(dialog, &QFileDialog::filterSelected, dialog, [dialog](const QString& filter) {
        dialog->setDefaultSuffix(filter.contains(QLatin1String("json")) ? QStringLiteral("json") : QStringLiteral("md"));
    });
    connect(dialog, &QFileDialog::fileSelected, this, [this, id, dialog](const QString& path) {
        const bool json = dialog->selectedNameFilter().contains(QLatin1String("json")) || path.endsWith(QLatin1String(".json"));
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(m_conversations.exportConversation(id, json).toUtf8()) < 0 || !file.commit())
            QMessageBox::warning(this, tr("Export Conversation"), tr("Could not write %1: %2").arg(path, file.errorString()));
    });
    dialog->open();
}

void ConversationList::importFile()
{
    auto* dialog = new QFileDialog(this, tr("Import Conversation"), QString(), tr("Conversations (*.json *.md)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& path) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            QMessageBox::warning(this, tr("Import Conversation"), tr("Could not read %1: %2").arg(path, file.errorString()));
            return;
        }
        m_conversations.importConversation(QString::fromUtf8(file.readAll()));
    });
    dialog->open();
}
