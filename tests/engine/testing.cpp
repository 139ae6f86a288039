// The harness's runner: runs every registered case (or those whose name contains argv[1]),
// prints one line per case with the seconds it took, and exits 0 (all passed), 1 (a failure) or 77 (all skipped).
#include "testing.h"

#include "engine/error.h"

#include <chrono>
#include <cstdio>
#include <exception>
#include <vector>

namespace seekbench::test {
namespace {

std::vector<Case>& cases()
{
    static std::vector<Case> all;
    return all;
}
int g_failures_in_case = 0;

} // namespace

int register_case(const char* name, std::function<void()> body)
{
    cases().push_back({name, std::move(body)});
    return 0;
}

void record_failure(const char* file, int line, const std::string& what)
{
    ++g_failures_in_case;
    std::fprintf(stderr, "    %s:%d: %s\n", file, line, what.c_str());
}

} // namespace seekbench::test

int main(int argc, char** argv)
{
    using namespace seekbench::test;
    const std::string filter = argc > 1 ? argv[1] : "";
    int failed = 0, skipped = 0, ran = 0;
    for (const Case& c : cases()) {
        if (!filter.empty() && std::string(c.name).find(filter) == std::string::npos)
            continue;
        ++ran;
        g_failures_in_case = 0;
        std::string skip_reason;
        const auto start = std::chrono::steady_clock::now();
        try {
            c.body();
        } catch (const Skipped& s) {
            skip_reason = s.reason;
        } catch (const Stop&) {
        } catch (const seekbench::Error& e) {
            record_failure("(case)", 0, std::string("unexpected seekbench::Error: ") + e.what());
        } catch (const std::exception& e) {
            record_failure("(case)", 0, std::string("unexpected exception: ") + e.what());
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (g_failures_in_case > 0) {
            ++failed;
            std::printf("FAIL  %s (%.1f s)\n", c.name, seconds);
        } else if (!skip_reason.empty()) {
            ++skipped;
            std::printf("SKIP  %s: %s\n", c.name, skip_reason.c_str());
        } else {
            std::printf("ok    %s (%.1f s)\n", c.name, seconds);
        }
        std::fflush(stdout);
    }
    std::printf("%d cases: %d passed, %d failed, %d skipped\n", ran, ran - failed - skipped,
                failed, skipped);
    if (ran == 0)
        return 1; // a filter that matches nothing is a mistake, not a pass
    if (failed > 0)
        return 1;
    return skipped == ran ? 77 : 0;
}
