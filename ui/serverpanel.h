// The Server panel: serve the open model to other programs over the OpenAI API. Address,
// port, slots and an optional API key; Start/Stop; the address to give those programs
// (with a Copy button) once it runs; and the live log of the requests it answered.
// Drives nothing itself: ServerController runs the server process.
#pragma once

#include "ui/controllers/servercontroller.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableView;

class ServerPanel : public QWidget {
    Q_OBJECT
public:
    explicit ServerPanel(ServerController& server, QWidget* parent = nullptr);

    // The model the server will serve when started ("" : the built-in model), and its name.
    void setModel(const QString& path, const QString& name);
    ServerSettings settings() const;
    void setSettings(const ServerSettings& settings); // host, port and slots; the key stays empty

    QPushButton* startButton() const { return m_start; }
    QLabel* statusLabel() const { return m_status; }
    QTableView* logView() const { return m_log; }
    QLineEdit* hostEdit() const { return m_host; }
    QSpinBox* portBox() const { return m_port; }
    QSpinBox* slotsBox() const { return m_slots; }
    QLineEdit* keyEdit() const { return m_key; }

signals:
    void settingsChanged(const ServerSettings& settings);

private:
    void updateState();

    ServerController& m_server;
    QString m_modelPath, m_modelName;
    QLineEdit* m_host;
    QSpinBox* m_port;
    QSpinBox* m_slots;
    QLineEdit* m_key;
    QPushButton* m_start;
    QPushButton* m_copy;
    QLabel* m_status;
    QTableView* m_log;
};
