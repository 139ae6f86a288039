// EmptyState: centred text; the body wraps to the panel's width.
#include "emptystate.h"

#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

EmptyState::EmptyState(const QString& title, const QString& body, QWidget* parent)
    : QWidget(parent), m_title(new QLabel(title, this)), m_body(new QLabel(body, this))
{
    QFont font = m_title->font();
    font.setPointSizeF(font.pointSizeF() * 1.4);
    font.setBold(true);
    m_title->setFont(font);
    m_title->setAlignment(Qt::AlignCenter);
    m_title->setObjectName(QStringLiteral("emptyTitle"));
    m_body->setWordWrap(true);
    m_body->setAlignment(Qt::AlignCenter);
    m_body->setContentsMargins(24, 0, 24, 0);
    m_body->setForegroundRole(QPalette::PlaceholderText);
    m_body->setObjectName(QStringLiteral("emptyBody"));

    auto* layout = new QVBoxLayout(this);
    layout->addStretch(1);
    // No alignment flags on the wrapped label: they would break its height-for-width.
    layout->addWidget(m_title);
    layout->addWidget(m_body);
    layout->addStretch(1);
}

QPushButton* EmptyState::addAction(const QString& text)
{
    auto* button = new QPushButton(text, this);
    auto* box = static_cast<QVBoxLayout*>(layout());
    box->insertWidget(box->count() - 1, button, 0, Qt::AlignHCenter);
    return button;
}

QString EmptyState::title() const { return m_title->text(); }

QString EmptyState::body() const { return m_body->text(); }

void EmptyState::setText(const QString& title, const QString& body)
{
    m_title->setText(title);
    m_body->setText(body);
}
