// Linked into the Qt tests of the ThreadSanitizer build only (dev.sh test --tsan).
//
// Qt here is not built with TSan: its event queue and QThread lock with futexes TSan cannot
// see, so every value our code hands to another thread through a queued call (a functor's
// captures, a queued signal's copied arguments, an object deleted later) looks like a race.
// Suppressing those reports by stack would hide every real race in code run from a queued
// call too, i.e. all worker code. Instead this file tells TSan the orderings Qt guarantees:
//   - posting an event happens before that event is delivered (keyed by the event),
//   - QThread::quit()/exit() happens before the thread's finished() and what follows it
//     (objects deleted later on that thread), and finished() before wait() returns true.
// Both by interposing exported Qt functions (Debian's libQt6Core calls them through its PLT,
// so calls from inside Qt are seen too) and Qt's event-notify callback. What Qt and glib do
// inside themselves (their own allocations and eventfds) is left out by tests/tsan-qt.supp.
// A race between two threads that do not pass through these hand-overs is still reported
// (tsan_canary_test).
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEvent>
#include <QThread>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

namespace {

std::atomic<long> g_posted{0};
std::atomic<long> g_delivered{0};

template <typename F>
F next(const char* symbol)
{
    void* f = dlsym(RTLD_NEXT, symbol);
    if (!f) {
        std::fprintf(stderr, "tsan_qt: %s not found in Qt\n", symbol);
        std::abort();
    }
    return reinterpret_cast<F>(f);
}

// QInternal::EventNotifyCallback: data = {receiver, event, &result}; false = deliver as usual.
bool onDeliver(void** data)
{
    __tsan_acquire(data[1]);
    g_delivered.fetch_add(1, std::memory_order_relaxed);
    return false;
}

// Events were posted but none arrived through the callback: the bridge is not working and
// every report of the run would be noise, so say so rather than pass quietly.
void checkAtExit()
{
    if (g_posted.load() > 0 && g_delivered.load() == 0) {
        std::fprintf(stderr, "tsan_qt: %ld events posted, none seen delivered\n", g_posted.load());
        std::_Exit(2);
    }
}

const bool g_registered = [] {
    QInternal::registerCallback(QInternal::EventNotifyCallback, onDeliver);
    std::atexit(checkAtExit);
    return true;
}();

} // namespace

void QCoreApplication::postEvent(QObject* receiver, QEvent* event, int priority)
{
    static const auto real = next<void (*)(QObject*, QEvent*, int)>("_ZN16QCoreApplication9postEventEP7QObjectP6QEventi");
    __tsan_release(event);
    g_posted.fetch_add(1, std::memory_order_relaxed);
    real(receiver, event, priority);
}

bool QThread::wait(QDeadlineTimer deadline)
{
    static const auto real = next<bool (*)(QThread*, QDeadlineTimer)>("_ZN7QThread4waitE14QDeadlineTimer");
    const bool done = real(this, deadline);
    if (done)
        __tsan_acquire(this);
    return done;
}

void QThread::exit(int returnCode)
{
    static const auto real = next<void (*)(QThread*, int)>("_ZN7QThread4exitEi");
    __tsan_release(this);
    real(this, returnCode);
}

void QThread::quit()
{
    static const auto real = next<void (*)(QThread*)>("_ZN7QThread4quitEv");
    __tsan_release(this);
    real(this);
}

void QThread::finished(QPrivateSignal signal)
{
    static const auto real = next<void (*)(QThread*, QPrivateSignal)>("_ZN7QThread8finishedENS_14QPrivateSignalE");
    __tsan_acquire(this);
    __tsan_release(this);
    real(this, signal);
}
