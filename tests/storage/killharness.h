// The kill -9 harness every store's crash test uses: a child process does the work and
// reports each thing it committed (one line per commit, through a pipe, written only after
// the commit returned); the parent kills it after a random delay, again and again, and
// collects every line reported. The caller then checks that each one is in the file.
#pragma once

#include <QTest>

#include <functional>
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

// `work(round, report)` runs in the child; report(line) says "this is committed".
inline KillRounds kill_repeatedly(int rounds, std::mt19937& rng, int min_ms, int max_ms,
                                  const std::function<void(int, const std::function<void(const std::string&)>&)>& work)
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
        QTest::qWait(std::uniform_int_distribution<int>(min_ms, max_ms)(rng));
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        out.killed += WIFSIGNALED(status) ? 1 : 0;
        std::string text;
        char buf[4096];
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
