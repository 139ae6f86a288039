// TraceBar: the combo lists the shown branch; picking a message asks the controller for its
// trace, which both panels then receive.
#include "tracebar.h"

#include "ui/controllers/conversationcontroller.h"
#include "ui/controllers/tracecontroller.h"

#include "engine/trace.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>

TraceBar::TraceBar(ConversationController& conversations, TraceController& traces, QWidget* parent)
    : QWidget(parent), m_conversations(conversations), m_traces(traces), m_messages(new QComboBox(this)), m_status(new QLabel(this))
{
    m_messages->setToolTip(tr("The message to look inside; the conversation up to it is run through the model"));
    m_messages->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_messages->setMinimumContentsLength(18);
    m_messages->setPlaceholderText(tr("Pick a message"));
    m_status->setForegroundRole(QPalette::PlaceholderText);
    m_status->setWordWrap(true);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Message:"), this));
    layout->addWidget(m_messages, 1);
    layout->addWidget(m_status, 1);

    connect(&m_conversations, &ConversationController::branchChanged, this, &TraceBar::refill);
    connect(&m_conversations, &ConversationController::messageUpdated, this, &TraceBar::refill);
    connect(m_messages, &QComboBox::activated, this, &TraceBar::pick);
    connect(&m_traces, &TraceController::traceStarted, this, [this](qint64 id) {
        m_messages->setCurrentIndex(m_messages->findData(id));
        m_status->setText(tr("Running the conversation through the model…"));
    });
    connect(&m_traces, &TraceController::traceReady, this, &TraceBar::showResult);
    connect(&m_traces, &TraceController::traceFailed, this,
            [this](const QString& message) { m_status->setText(tr("Could not look inside: %1").arg(message)); });
    connect(&m_traces, &TraceController::traceCleared, this, [this] { m_status->clear(); });
    refill();
}

void TraceBar::refill()
{
    const qint64 selected = m_traces.trace().trace ? m_traces.trace().messageId : m_messages->currentData().toLongLong();
    m_messages->clear();
    const QList<MessageData>& branch = m_conversations.branch();
    for (int i = 0; i < branch.size(); ++i) {
        const MessageData& m = branch[i];
        const QString who = m.role == QLatin1String("user") ? tr("You") : tr("Reply");
        m_messages->addItem(QStringLiteral("%1. %2: %3").arg(i + 1).arg(who, m.content.simplified().left(60)), m.id);
    }
    m_messages->setCurrentIndex(m_messages->findData(selected));
}

void TraceBar::pick(int index)
{
    const qint64 id = m_messages->itemData(index).toLongLong();
    if (id != 0)
        m_traces.requestTrace(id, m_focus ? m_focus() : 0);
}

void TraceBar::showResult(const TraceResult& result)
{
    m_messages->setCurrentIndex(m_messages->findData(result.messageId));
    const QLocale locale;
    m_status->setText(tr("%n token(s) · trace %1", nullptr, static_cast<int>(result.trace->tokens.size()))
                          .arg(locale.formattedDataSize(static_cast<qint64>(result.trace->bytes()))));
}
