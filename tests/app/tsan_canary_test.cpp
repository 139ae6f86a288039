// Built in the ThreadSanitizer build only: a race TSan must still report with the Qt bridge
// (tests/tsan_qt.cpp) linked in. A queued call hands the worker a task (that hand-over is
// ordered), the worker writes a value, and the test thread writes it again later with no
// hand-over back: a real race in code run from a queued call, which CTest expects to see
// reported. If the bridge ever ordered too much, this test would pass silently and fail here.
#include <QTest>
#include <QThread>

#include <chrono>
#include <thread>

namespace {
int g_shared = 0; // written by both threads, deliberately unguarded
}

class TsanCanaryTest : public QObject {
    Q_OBJECT
private slots:
    void raceInAQueuedCallIsReported()
    {
        QThread thread;
        QObject worker;
        worker.moveToThread(&thread);
        thread.start();
        QMetaObject::invokeMethod(&worker, [] { g_shared = 1; }, Qt::QueuedConnection);
        std::this_thread::sleep_for(std::chrono::milliseconds(300)); // the worker wrote by now
        g_shared = 2;
        thread.quit();
        QVERIFY(thread.wait(10000));
        QCOMPARE(g_shared, 2);
    }
};

QTEST_GUILESS_MAIN(TsanCanaryTest)
#include "tsan_canary_test.moc"
