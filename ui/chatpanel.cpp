// ChatPanel: the conversations controller keeps the message model current; the model's
// signals update the widgets. Nothing here waits on the engine.
#include "chatpanel.h"

#include "chatsettingsdialog.h"
#include "emptystate.h"
#include "messagewidget.h"

#include "ui/controllers/chatmodel.h"
#include "ui/controllers/conversationcontroller.h"
#include "ui/controllers/turncontroller.h"

#include <QToolButton>
#include <QMenu>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QStackedWidget>
#include <QTimer>
#include <QVBoxLayout>

ChatPanel::ChatPanel(ConversationController& conversations, TurnController& turns,
                     KSyntaxHighlighting::Repository& repository, QWidget* parent)
    : QWidget(parent), m_conversations(conversations), m_turns(turns), m_repository(repository),
      m_model(conversations.messages()),
      m_stack(new QStackedWidget(this)),
      m_empty(new EmptyState(tr("No model loaded"),
                             tr("Open a GGUF model to start chatting: use File › Open Model…, drop a .gguf file on "
                                "this window, or start Seekbench with --model FILE."),
                             this)),
      m_title(new QLabel(this)), m_settings(new QPushButton(tr("Conversation Settings…"), this)),
      m_scroll(new QScrollArea(this)), m_list(new QWidget), m_hint(new QLabel(this)),
      m_input(new QPlainTextEdit(this)), m_send(new QPushButton(tr("Send"), this))
{
    connect(m_empty->addAction(tr("Open Model…")), &QPushButton::clicked, this, &ChatPanel::openModelRequested);

    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_listLayout = new QVBoxLayout(m_list);
    m_listLayout->setContentsMargins(0, 0, 0, 0);
    m_listLayout->setSpacing(2);
    m_listLayout->addStretch(1);
    m_scroll->setWidget(m_list);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_hint->setText(tr("Ask anything. Enter sends, Shift+Enter starts a new line."));
    m_hint->setForegroundRole(QPalette::PlaceholderText);
    m_hint->setAlignment(Qt::AlignCenter);
    m_input->setPlaceholderText(tr("Message"));
    m_input->setMaximumHeight(120);
    m_input->installEventFilter(this);
    connect(m_send, &QPushButton::clicked, this, [this] {
        if (m_turns.isGenerating())
            m_turns.stop();
        else
            send();
    });
    connect(m_settings, &QPushButton::clicked, this, &ChatPanel::editSettings);
    m_knowledge = new QToolButton(this);
    m_knowledge->setPopupMode(QToolButton::InstantPopup);
    m_knowledge->setMenu(new QMenu(m_knowledge));
    m_knowledge->setToolTip(tr("Knowledge collections this conversation answers from, with citations"));
    connect(&m_conversations, &ConversationController::currentChanged, this, &ChatPanel::updateKnowledgeButton);
    connect(&m_conversations, &ConversationController::knowledgeChanged, this, &ChatPanel::updateKnowledgeButton);
    connect(m_scroll->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int v) {
        m_follow = v >= m_scroll->verticalScrollBar()->maximum() - 8;
    });
    connect(m_scroll->verticalScrollBar(), &QScrollBar::rangeChanged, this, [this] {
        if (m_follow)
            scrollToEnd();
    });

    auto* chatPage = new QWidget(this);
    // Narrow windows: a long title is cut, not a reason for the chat to be wider.
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_hint->setWordWrap(true);
    auto* header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(m_knowledge);
    header->addWidget(m_settings);
    auto* inputRow = new QHBoxLayout;
    inputRow->addWidget(m_input, 1);
    inputRow->addWidget(m_send, 0, Qt::AlignBottom);
    auto* page = new QVBoxLayout(chatPage);
    page->addLayout(header);
    page->addWidget(m_scroll, 1);
    page->addWidget(m_hint);
    page->addLayout(inputRow);
    m_stack->addWidget(m_empty);
    m_stack->addWidget(chatPage);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);

    connect(&m_turns, &TurnController::generatingChanged, this, &ChatPanel::updateSendButton);
    connect(&m_conversations, &ConversationController::currentChanged, this, &ChatPanel::updateHeader);
    connect(&m_conversations, &ConversationController::conversationsChanged, this, &ChatPanel::updateHeader);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ChatPanel::rebuild);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex& from, const QModelIndex& to) {
        for (int r = from.row(); r <= to.row(); ++r)
            refreshRow(r);
    });
    rebuild();
    updateHeader();
    updateKnowledgeButton();
    updateSendButton(false);
    setModelLoaded(false);
}

void ChatPanel::setModelLoaded(bool loaded)
{
    m_stack->setCurrentIndex(loaded || !m_conversations.branch().isEmpty() ? 1 : 0);
    m_input->setEnabled(loaded);
    m_send->setEnabled(loaded || m_turns.isGenerating());
}

void ChatPanel::appendToInput(const QString& text)
{
    QString current = m_input->toPlainText();
    if (!current.isEmpty() && !current.endsWith(QLatin1Char('\n')))
        current += QLatin1Char('\n');
    m_input->setPlainText(current + text);
    m_input->moveCursor(QTextCursor::End);
    m_input->setFocus();
}

void ChatPanel::send()
{
    const QString text = m_input->toPlainText();
    if (m_turns.send(text))
        m_input->clear();
}

bool ChatPanel::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_input && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && !(key->modifiers() & Qt::ShiftModifier)) {
            if (!m_turns.isGenerating())
                send();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void ChatPanel::rebuild()
{
    for (MessageWidget* w : std::as_const(m_widgets)) {
        m_listLayout->removeWidget(w);
        w->hide(); // gone from the screen now, not when the event loop next deletes
        w->deleteLater();
    }
    m_widgets.clear();
    for (int row = 0; row < m_model->rowCount(); ++row) {
        auto* w = new MessageWidget(m_repository, m_list);
        connect(w, &MessageWidget::regenerateRequested, this, [this] { m_turns.regenerate(); });
        connect(w, &MessageWidget::editRequested, this, [this](qint64 id, const QString& text) {
            m_turns.editAndResend(m_model->rowOf(id), text);
        });
        connect(w, &MessageWidget::openInCodePanel, this, &ChatPanel::openInCodePanel);
        connect(w, &MessageWidget::citationActivated, this, &ChatPanel::citationActivated);
        connect(w, &MessageWidget::branchRequested, this, [this](qint64 id, int delta) {
            m_conversations.switchBranch(m_model->rowOf(id), delta);
        });
        m_listLayout->insertWidget(m_listLayout->count() - 1, w);
        m_widgets.append(w);
        w->show(m_model->at(row), row + 1 == m_model->rowCount());
        if (const auto it = m_provenance.constFind(w->messageId()); it != m_provenance.constEnd())
            w->setProvenance(it->first, it->second);
    }
    m_hint->setVisible(m_widgets.isEmpty());
    if (!m_widgets.isEmpty())
        m_stack->setCurrentIndex(1);
    m_follow = true;
    QTimer::singleShot(0, this, &ChatPanel::scrollToEnd);
}

void ChatPanel::refreshRow(int row)
{
    if (row >= 0 && row < m_widgets.size())
        m_widgets[row]->show(m_model->at(row), row + 1 == m_model->rowCount());
}

void ChatPanel::scrollToEnd() { m_scroll->verticalScrollBar()->setValue(m_scroll->verticalScrollBar()->maximum()); }

void ChatPanel::updateHeader()
{
    const qint64 id = m_conversations.current();
    m_title->setText(id ? m_conversations.conversation(id).title : tr("New conversation"));
    m_title->setToolTip(m_title->text());
}

void ChatPanel::updateSendButton(bool generating)
{
    m_send->setText(generating ? tr("Stop") : tr("Send"));
    m_send->setToolTip(generating ? tr("Stop the reply (what was written is kept)") : tr("Send the message"));
    m_send->setEnabled(generating || m_input->isEnabled());
}

void ChatPanel::editSettings()
{
    const qint64 id = m_conversations.current();
    auto* dialog = new ChatSettingsDialog(id ? m_conversations.conversation(id).systemPrompt : QString(),
                                          m_conversations.sampling(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_conversations.setSystemPrompt(dialog->systemPrompt());
        m_conversations.setSampling(dialog->sampling());
    });
    dialog->open();
}

void ChatPanel::setCollections(const QStringList& names)
{
    if (names == m_collections && !m_knowledge->menu()->isEmpty()) {
        updateKnowledgeButton();
        return;
    }
    m_collections = names;
    QMenu* menu = m_knowledge->menu();
    menu->clear();
    for (const QString& name : names) {
        QAction* a = menu->addAction(name);
        a->setCheckable(true);
        connect(a, &QAction::toggled, this, [this, name](bool on) {
            QStringList now = m_conversations.knowledge();
            now.removeAll(name);
            if (on)
                now.append(name);
            m_conversations.setKnowledge(now);
        });
    }
    if (names.isEmpty())
        menu->addAction(tr("No collections yet: add documents in the Knowledge panel"))->setEnabled(false);
    updateKnowledgeButton();
}

// The menu's ticks and the button's text follow the current conversation.
void ChatPanel::updateKnowledgeButton()
{
    const QStringList chosen = m_conversations.current() ? m_conversations.knowledge() : QStringList();
    for (QAction* a : m_knowledge->menu()->actions()) {
        if (!a->isCheckable())
            continue;
        const QSignalBlocker quiet(a);
        a->setChecked(chosen.contains(a->text()));
    }
    QStringList on;
    for (const QString& name : chosen)
        if (m_collections.contains(name))
            on.append(name);
    m_knowledge->setText(on.isEmpty() ? tr("Knowledge: off") : tr("Knowledge: %1").arg(on.join(QStringLiteral(", "))));
}

void ChatPanel::showProvenance(qint64 messageId, const QList<double>& shares,
                               const QList<SentenceProvenance>& sentences)
{
    m_provenance.insert(messageId, {shares, sentences});
    for (MessageWidget* w : std::as_const(m_widgets))
        if (w->messageId() == messageId)
            w->setProvenance(shares, sentences);
}
