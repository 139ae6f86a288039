// SelfTest: each step waits for the app's own signals (with a deadline), never sleeps.
#include "selftest.h"

#include "chatcontroller.h"
#include "devicecontroller.h"
#include "modelcontroller.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QPixmap>
#include <QTimer>
#include <cstdio>

namespace {
constexpr int kStepTimeoutMs = 30000;

// Pumps events until `done` or the deadline; false on timeout.
template <typename Pred> bool waitUntil(Pred done, int timeoutMs = kStepTimeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QApplication::processEvents(QEventLoop::AllEvents, 20);
    }
    return true;
}
} // namespace

SelfTest::SelfTest(MainWindow& window, ModelController& models, DeviceController& devices, ChatController& chat,
                   const AppOptions& options, QObject* parent)
    : QObject(parent), m_window(window), m_models(models), m_devices(devices), m_chat(chat), m_options(options)
{
    connect(&m_models, &ModelController::errorOccurred, this,
            [this](const QString& message) { m_modelError = message; });
}

void SelfTest::start()
{
    std::printf("self-test: writing to %s\n", qPrintable(m_options.selfTestDir));
    if (!QDir().mkpath(m_options.selfTestDir))
        fail(QStringLiteral("cannot create the output folder %1").arg(m_options.selfTestDir));
    if (!m_failed)
        waitForDevices();
    if (!m_failed)
        waitForModel();
    if (!m_failed)
        chatTurn();
    if (!m_failed)
        capture();
    finish();
}

void SelfTest::waitForDevices()
{
    if (!waitUntil([this] { return m_devices.hasResult(); }))
        return fail(QStringLiteral("the device probe did not answer within %1 s")
                        .arg(kStepTimeoutMs / 1000));
    std::printf("self-test: devices: %s; CUDA: %s\n", qPrintable(m_devices.cpuSummary()),
                qPrintable(m_devices.cudaSummary()));
}

void SelfTest::waitForModel()
{
    if (m_options.modelPath.isEmpty())
        return;
    if (!waitUntil([this] { return !m_models.currentPath().isEmpty() || !m_modelError.isEmpty(); }))
        return fail(QStringLiteral("opening the model %1 did not finish").arg(m_options.modelPath));
    if (!m_modelError.isEmpty())
        return fail(QStringLiteral("opening the model failed: %1").arg(m_modelError));
    std::printf("self-test: model: %s\n", qPrintable(m_models.currentPath()));
}

// With a model: one chat turn, streamed and stored, as a user would have it.
void SelfTest::chatTurn()
{
    if (m_models.currentPath().isEmpty())
        return;
    const QString prompt = QStringLiteral("Tell me a story.");
    m_chat.newConversation();
    int chunks = 0;
    const auto counter = connect(&m_chat, &ChatController::streamed, this, [&chunks] { ++chunks; });
    if (!m_chat.send(prompt))
        return fail(QStringLiteral("the prompt could not be sent"));
    const bool done = waitUntil([this] { return !m_chat.isGenerating(); }, 300000);
    disconnect(counter);
    if (!done)
        return fail(QStringLiteral("the reply did not finish within 5 minutes"));
    const QList<MessageData> branch = m_chat.branch();
    if (branch.size() < 2 || branch.front().content != prompt || branch.back().role != QLatin1String("assistant"))
        return fail(QStringLiteral("the conversation was not stored as sent and answered"));
    const MessageData& reply = branch.back();
    if (reply.content.trimmed().isEmpty() || reply.stopReason == QLatin1String("error"))
        return fail(QStringLiteral("the reply is empty or failed (%1)").arg(reply.stopReason));
    std::printf("self-test: reply streamed in %d pieces, %d tokens at %.1f tokens/s (%s): %s\n", chunks,
                reply.generatedTokens, reply.tokensPerSecond, qPrintable(reply.stopReason),
                qPrintable(reply.content.left(120).simplified()));
    m_window.showPanel(QStringLiteral("chat"));
    QApplication::processEvents();
}

void SelfTest::capture()
{
    m_window.resize(1400, 900);
    QApplication::processEvents();
    if (!save(&m_window, QStringLiteral("window")))
        return;
    for (const QString& id : m_window.panelIds()) {
        QWidget* panel = m_window.showPanel(id);
        if (!panel)
            return fail(QStringLiteral("the %1 panel has no place in the window").arg(id));
        if (!save(panel, id))
            return;
    }
    for (QDialog* dialog : {m_window.createSettingsDialog(), m_window.createAboutDialog()}) {
        dialog->show();
        const bool ok = save(dialog, dialog->objectName());
        dialog->close();
        delete dialog;
        if (!ok)
            return;
    }
}

bool SelfTest::save(QWidget* widget, const QString& name)
{
    QApplication::processEvents();
    const QPixmap shot = widget->grab();
    const QString path = QDir(m_options.selfTestDir).filePath(name + QStringLiteral(".png"));
    if (shot.isNull() || shot.width() < 50 || shot.height() < 50) {
        fail(QStringLiteral("%1 rendered as an empty picture").arg(name));
        return false;
    }
    if (!shot.save(path, "PNG") || QImage(path).isNull()) {
        fail(QStringLiteral("cannot write %1").arg(path));
        return false;
    }
    std::printf("self-test: wrote %s (%dx%d)\n", qPrintable(path), shot.width(), shot.height());
    m_written << path;
    return true;
}

void SelfTest::fail(const QString& reason)
{
    m_failed = true;
    std::fprintf(stderr, "self-test FAILED: %s\n", qPrintable(reason));
}

void SelfTest::finish()
{
    if (!m_failed)
        std::printf("self-test: passed, %lld pictures\n", static_cast<long long>(m_written.size()));
    std::fflush(stdout);
    QTimer::singleShot(0, qApp, [failed = m_failed] { QApplication::exit(failed ? 1 : 0); });
}
