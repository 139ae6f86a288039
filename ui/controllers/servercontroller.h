// The local server, started from the app: seekbench-server as a child process on the model
// the app has open (the built-in one when none), with its address, its state and the live
// log of the requests it answered. A process of its own, so a crash there never takes the
// app with it and the app's own chat keeps its worker. The API key goes to the child in
// its environment, never on its command line or in the settings file.
#pragma once

#include <QAbstractTableModel>
#include <QDateTime>
#include <QObject>
#include <QProcess>
#include <QUrl>

#include <deque>

struct ServerSettings {
    QString host = QStringLiteral("127.0.0.1");
    int port = 8080;    // 0: any free port
    int slotCount = 4;  // requests generated at once
    QString apiKey;     // "": no key asked
};

// The requests the server answered, newest last (at most kMaxRows).
class ServerLogModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Time, Method, Route, Status, Client, ColumnCount };
    static constexpr int kMaxRows = 1000;
    struct Row {
        QDateTime time;
        QString method, route, client;
        int status = 0;
    };

    using QAbstractTableModel::QAbstractTableModel;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void addRow(const Row& row);
    void clearRows();
    const Row& rowAt(int row) const { return m_rows[static_cast<std::size_t>(row)]; }

private:
    std::deque<Row> m_rows;
};

class ServerController : public QObject {
    Q_OBJECT
public:
    enum class State { Stopped, Starting, Running, Stopping };
    Q_ENUM(State)

    // `program`: the seekbench-server to run ("" : the one beside this program).
    explicit ServerController(const QString& program = {}, QObject* parent = nullptr);
    ~ServerController() override; // stops the server

    State state() const { return m_state; }
    QUrl address() const { return m_address; } // http://host:port once running
    QString modelPath() const { return m_modelPath; } // "" : the built-in model
    QString program() const { return m_program; }
    qint64 processId() const { return m_process.processId(); } // 0 when not running
    ServerLogModel* log() { return &m_log; }

    // Starts serving `modelPath` ("" for the built-in model). Errors (no program, the port
    // in use, a model that does not load) arrive as errorOccurred.
    void start(const QString& modelPath, const ServerSettings& settings);
    void stop();

signals:
    void stateChanged(ServerController::State state);
    void started(const QUrl& address);
    void stopped();
    void errorOccurred(const QString& message);

private:
    void readServerOutput();
    void changeState(State state);
    void processEnded(int exitCode, QProcess::ExitStatus status);

    QString m_program;
    QProcess m_process;
    State m_state = State::Stopped;
    QUrl m_address;
    QString m_modelPath;
    QString m_lastError;   // the server's last line on stderr
    QByteArray m_pending;  // an unfinished stdout line
    ServerLogModel m_log;
};
