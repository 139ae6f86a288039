// The first-run welcome: what the built-in model is, how to open a real one, where GGUF
// models come from (a hint only: the app downloads nothing by itself), and where data lives.
// Also under Help › Welcome.
#pragma once

#include <QDialog>

class QLabel;
class QPushButton;

class WelcomeDialog : public QDialog {
    Q_OBJECT
public:
    explicit WelcomeDialog(const QString& dataDir, QWidget* parent = nullptr);

    QLabel* textLabel() const { return m_text; }
    QPushButton* openModelButton() const { return m_open; }

signals:
    void openModelRequested();

private:
    QLabel* m_text = nullptr;
    QPushButton* m_open = nullptr;
};
