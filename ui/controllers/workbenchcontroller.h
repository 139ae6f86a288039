// The workbench's long jobs, off the GUI thread: an A/B comparison of two files of one
// model, quantization, conversion and a profile. One job at a time on a short-lived thread
// that opens its own models (the chat's model is not touched); progress comes back queued at
// most every 100 ms; cancel() stops a job at its next step, and a stopped quantization or
// conversion leaves no file. Results arrive as Qt types.
#pragma once

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QPair>
#include <QString>
#include <atomic>
#include <functional>

class QThread;

struct WbCandidate {
    QString text;
    double prob = 0;
};

struct WbToken {
    QString text;                // the piece as text (a lone byte shows as U+FFFD)
    double kl = 0;               // KL(A || B) of the two next-token distributions there
    QList<WbCandidate> topA, topB;
};

struct WbComparison {
    QString nameA, nameB;        // file names
    QList<WbToken> a, b;         // each file's greedy text
    int firstDivergence = -1;    // index of the first token that differs; -1: none
    double meanKl = 0, top1 = 0; // over both texts
    double speedA = 0, speedB = 0; // tokens/s of each's generation
};

struct WbProfileRow {
    QString op;                  // "matmul q4_K", "attention", ...
    double ms = 0, megabytes = 0, gbs = 0;
    long long calls = 0;
    double gflops = 0;           // matmuls: float operations a second; 0 for the other ops
};

struct WbProfilePhase {
    int tokens = 0;
    double seconds = 0;
    QList<WbProfileRow> ops;     // the slowest first
    QList<QPair<int, double>> layers; // (layer, ms); layer -1: embedding and output
};

struct WbProfile {
    QString name, backend;
    double bandwidth = 0;        // GB/s, measured first
    double fmaPeak = 0;          // GFLOP/s: the float multiply-add peak, measured first
    WbProfilePhase prefill, decode;
};

Q_DECLARE_METATYPE(WbComparison)
Q_DECLARE_METATYPE(WbProfile)

class WorkbenchController : public QObject {
    Q_OBJECT
public:
    explicit WorkbenchController(QObject* parent = nullptr);
    ~WorkbenchController() override;   // cancels and waits for a running job

    bool isBusy() const { return m_thread != nullptr; }
    void compare(const QString& pathA, const QString& pathB, const QString& prompt, int maxTokens);
    // `imatrix`: an importance-matrix file (seekbench-cli imatrix, llama-imatrix), or empty.
    void quantize(const QString& in, const QString& out, const QString& type, const QString& imatrix = {});
    void convert(const QString& source, const QString& out, const QString& type, const QString& tokenizer);
    void profile(const QString& path, int promptTokens, int generatedTokens);
    void cancel();

    static QStringList quantizeTypes();  // "Q4_K_M", ... as the CLI takes them
    static QString quantizeAbout(const QString& type);

signals:
    void busyChanged(bool busy);
    void progress(int done, int total, const QString& what);
    void compared(const WbComparison& result);
    void quantized(const QString& summary);
    void converted(const QString& summary);
    void profiled(const WbProfile& result);
    void failed(const QString& error);   // the engine's reason (a file, a tensor, a key)
    void cancelled();

private:
    void start(const QString& name, std::function<void()> job);
    void reportProgress(int done, int total, const QString& what);

    QThread* m_thread = nullptr;
    std::atomic<bool> m_cancel{false};
    qint64 m_lastProgress = 0;         // ms since epoch, on the job's thread
};
