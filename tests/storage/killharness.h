// The kill -9 harness every store's crash test uses: a child process does the work and
// reports each thing it committed (one line per commit, through a pipe, written only after
// the commit returned); the parent kills it after a random delay, again and again, and
// collects every line reported. The caller then checks that each one is in the file.
// With KillFrom::FirstReport on odd rounds the delay starts at the child's first report
// (even rounds still count from the start, so a kill can land while the store opens): on
// a slow disk or under a sanitizer a child may not commit at all within a delay counted
// from its start, and a test that needs commits to check would then check nothing.
#pragma once

#include <QTest>

#include <functional>
#include <poll.h>
#include <random>
#include <signal.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace seekbench::test {

struct KillRounds {
    std::vector<std::vector<std::string>> reported; // per round, the lines the child wrote
    int killed = 0;                                 // rounds whose child was still running
};

enum class KillFrom { Start, FirstReport };

// `work(round, report)` runs in the child; report(line) says "this is committed".
inline KillRounds kill_repeatedly(int rounds, std::mt19937& rng, int min_ms, int max_ms,
                                  const std::function<void(int, const std::function<void(const std::string&)>&)>& work,
                                  KillFrom from = KillFrom::Start)
{
    KillRounds out;
    for (int round = 0; round < rounds; ++round) {
        int fds[2];
        if (pipe(fds) != 0)
            qFatal("pipe failed");
        const pid_t pid = fork();
        if (pid < 0)
            qFatal("fork failed");
        if (pid == 0) {
            close(fds[0]);
            try {
                work(round, [&](const std::string& line) {
                    const std::string l = line + "\n";
                    if (::write(fds[1], l.data(), l.size()) < 0)
                        _exit(3);
                });
            } catch (...) {
                _exit(2);
            }
            _exit(0);
        }
        close(fds[1]);
        std::string text;
        char buf[4096];
        if (from == KillFrom::FirstReport && round % 2 == 1) { // up to 20 s for the first line
            pollfd p{fds[0], POLLIN, 0};
            for (int waited = 0; text.find('\n') == std::string::npos && waited < 20000; waited += 50) {
                if (poll(&p, 1, 50) <= 0)
                    continue;
                const ssize_t n = ::read(fds[0], buf, sizeof buf);
                if (n <= 0)
                    break;
                text.append(buf, static_cast<std::size_t>(n));
            }
        }
        QTest::qWait(std::uniform_int_distribution<int>(min_ms, max_ms)(rng));
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        out.killed += WIFSIGNALED(status) ? 1 : 0;
        for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
            text.append(buf, static_cast<std::size_t>(n));
        close(fds[0]);
        std::vector<std::string> lines;
        for (std::size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1)
            lines.push_back(text.substr(at, nl - at));
        out.reported.push_back(std::move(lines));
    }
    return out;
}

} // namespace seekbench::test
