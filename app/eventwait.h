// Waiting for the app to reach a state, for the self-test and the stream bench: events are
// handled meanwhile, and the GUI thread sleeps between them as it does for a user (a busy
// loop here took a core from the engine and halved the reply speed the self-test reported).
#pragma once

#include <QApplication>
#include <QDeadlineTimer>
#include <QTimer>

constexpr int kStepTimeoutMs = 30000;

// Handles events until `done` or the deadline; false on timeout.
template <typename Pred> bool waitUntil(Pred done, int timeoutMs = kStepTimeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    QTimer tick; // wakes the wait at least every 20 ms, so the deadline is seen
    tick.start(20);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
    }
    return true;
}
