// StreamBench: replies go through the same controllers as a user's; the CLI runs between
// them, while the app's engine threads sleep.
#include "streambench.h"

#include "eventwait.h"

#include "engine/sampler.h"
#include "ui/mainwindow.h"

#include "ui/controllers/chatcontrollers.h"
#include "ui/controllers/modelcontroller.h"

#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <algorithm>
#include <cstdio>

namespace {
const QString kPrompt = QStringLiteral("Tell me a story.");
constexpr int kSettleMs = 3000;

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0.0 : v[v.size() / 2];
}
} // namespace

StreamBench::StreamBench(MainWindow& window, ModelController& models, ChatControllers& chat,
                         const AppOptions& options, QObject* parent)
    : QObject(parent), m_window(window), m_models(models), m_chat(chat), m_options(options)
{
    connect(&m_models, &ModelController::errorOccurred, this,
            [this](const QString& message) { m_modelError = message; });
}

bool StreamBench::fail(const QString& reason)
{
    std::fprintf(stderr, "stream-bench FAILED: %s\n", qPrintable(reason));
    return false;
}

// One reply in the window: the reply's stored speed, and the longest stretch the GUI thread
// did not get to a 5 ms timer while it streamed (what a user feels as a stutter).
bool StreamBench::streamInApp(bool docksOpen, Reply& out)
{
    for (const QString& id : {QStringLiteral("attention"), QStringLiteral("routing")})
        if (QDockWidget* dock = m_window.dock(id))
            dock->setVisible(docksOpen);
    m_chat.conversations.newConversation();
    QElapsedTimer sinceTick, sinceSend;
    qint64 longest = 0, longestEndMs = 0;
    int tokens = 0, longestAfterTokens = 0;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    connect(&ticker, &QTimer::timeout, this, [&] {
        if (sinceTick.isValid() && sinceTick.nsecsElapsed() > longest) {
            longest = sinceTick.nsecsElapsed();
            longestEndMs = sinceSend.elapsed();
            longestAfterTokens = tokens;
        }
        sinceTick.start();
    });
    const QMetaObject::Connection counting = connect(&m_chat.turns, &TurnController::streamed, this, [&] { ++tokens; });
    sinceSend.start();
    if (!m_chat.turns.send(kPrompt))
        return fail(QStringLiteral("the prompt could not be sent"));
    ticker.start(5);
    const bool done = waitUntil([this] { return !m_chat.turns.isGenerating(); }, 600000);
    ticker.stop();
    disconnect(counting);
    if (!done)
        return fail(QStringLiteral("the reply did not finish within 10 minutes"));
    // With the docks open the reply is traced after it: that ends before the next reply.
    if (!waitUntil([this] { return !m_chat.traces.isTracing(); }, 600000))
        return fail(QStringLiteral("the trace of the reply did not finish"));
    const MessageData& reply = m_chat.conversations.branch().back();
    out.tokensPerSecond = reply.tokensPerSecond;
    out.longestGapMs = std::max(0.0, static_cast<double>(longest) / 1e6 - 5.0); // beyond the timer's 5 ms
    // Where the longest gap was helps find its cause: before the first token (the prompt),
    // mid-stream, or at the end (the reply stored).
    std::printf("stream-bench: app, docks %s: %d tokens at %.1f tokens/s, longest event-loop gap %.1f ms "
                "(ending %.2f s after sending, %d tokens shown)\n",
                docksOpen ? "open" : "closed", reply.generatedTokens, out.tokensPerSecond, out.longestGapMs,
                static_cast<double>(longestEndMs) / 1000.0, longestAfterTokens);
    std::fflush(stdout);
    return true;
}

bool StreamBench::streamInCli(double& tokensPerSecond)
{
    const QString cli = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("seekbench-cli"));
    QProcess p;
    p.start(cli, {QStringLiteral("chat"), QStringLiteral("-m"), m_models.currentPath(), QStringLiteral("-p"), kPrompt,
                  QStringLiteral("-n"), QString::number(seekbench::ChatDefaults::max_tokens)});
    // The CLI runs long; the window keeps handling its events meanwhile.
    if (!waitUntil([&p] { return p.state() == QProcess::NotRunning; }, 600000) || p.exitCode() != 0)
        return fail(QStringLiteral("%1 chat failed: %2").arg(cli, QString::fromUtf8(p.readAllStandardError())));
    static const QRegularExpression speed(QStringLiteral(R"(\[(\d+) tokens, ([0-9.]+) tokens/s)"));
    const QRegularExpressionMatch m = speed.match(QString::fromUtf8(p.readAllStandardError()));
    if (!m.hasMatch())
        return fail(QStringLiteral("seekbench-cli chat printed no speed"));
    tokensPerSecond = m.captured(2).toDouble();
    std::printf("stream-bench: seekbench-cli chat: %s tokens at %.1f tokens/s\n", qPrintable(m.captured(1)),
                tokensPerSecond);
    std::fflush(stdout);
    settle(); // the CLI's gigabyte was freed as it exited
    return true;
}

// A virtual machine's kernel that hands free memory back to its host (virtio-balloon free page
// reporting) does so about 2 s after it was freed, and the host's unmapping stalls every busy
// process with large mappings for 30-40 ms: on our test machines a gap 2.1-2.3 s into every
// reply that followed the CLI's exit, ending inside the 0.3 s in which the kernel's
// page_reporting counters rose. The bench caused that, not the app, so replies start after
// memory freed before them has been reported.
void StreamBench::settle()
{
    QElapsedTimer settling;
    settling.start();
    waitUntil([&settling] { return settling.elapsed() >= kSettleMs; }, kSettleMs + 1000);
}

void StreamBench::run()
{
    bool ok = waitUntil([this] { return !m_models.currentPath().isEmpty() || !m_modelError.isEmpty(); });
    if (!ok || !m_modelError.isEmpty())
        ok = fail(m_modelError.isEmpty() ? QStringLiteral("no model opened") : m_modelError);
    if (ok)
        settle(); // starting the app and opening the model freed memory too
    QList<double> closed, open, cli, gaps;
    for (int run = 0; ok && run < m_options.streamBenchRuns; ++run) {
        for (const bool docks : {false, true}) {
            Reply r;
            if (!(ok = streamInApp(docks, r)))
                break;
            (docks ? open : closed) << r.tokensPerSecond;
            gaps << r.longestGapMs;
        }
        double speed = 0;
        if (ok && (ok = streamInCli(speed)))
            cli << speed;
    }
    if (ok) {
        const double c = median(cli);
        std::printf("stream-bench: %s, medians of %d: app %.1f tokens/s with Attention/Routing closed (%.2fx the "
                    "CLI), %.1f open (%.2fx), seekbench-cli chat %.1f; longest event-loop gap %.1f ms (median), "
                    "%.1f ms (worst)\n",
                    qPrintable(QFileInfo(m_models.currentPath()).fileName()), m_options.streamBenchRuns,
                    median(closed), median(closed) / c, median(open), median(open) / c, c, median(gaps),
                    *std::max_element(gaps.begin(), gaps.end()));
    }
    std::fflush(stdout);
    QTimer::singleShot(0, qApp, [ok] { QCoreApplication::exit(ok ? 0 : 1); });
}
