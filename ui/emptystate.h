// What a panel shows before it has content: a title, one paragraph on what will appear
// here and how to get it, and optionally the button that gets it.
#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

class EmptyState : public QWidget {
    Q_OBJECT
public:
    EmptyState(const QString& title, const QString& body, QWidget* parent = nullptr);

    // Adds a button under the text; returns it so the caller can connect it.
    QPushButton* addAction(const QString& text);
    void setText(const QString& title, const QString& body);
    QString title() const;
    QString body() const;

private:
    QLabel* m_title;
    QLabel* m_body;
};
