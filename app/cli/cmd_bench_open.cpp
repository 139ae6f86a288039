// seekbench-cli bench --first-token -m FILE: how long a user waits from opening a model that
// is not in memory (the file dropped from the page cache first, no root needed) to its first
// token, as the app does it: load, then a short prompt once the user has typed it
// (--wait-ms: the typing; not counted). Prints, per run, how much of the file was cached
// when it was opened, the load, and the first token after the prompt. --cached keeps the
// file in the page cache (a model opened again: no disk, only the process's first pass).
#include "args.h"
#include "commands.h"

#include "engine/backend.h"
#include "engine/error.h"
#include "engine/mapped_file.h"
#include "engine/model.h"
#include "engine/sampler.h"
#include "engine/session.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace seekbench::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// Drops the file's pages from the page cache (they are mapped by nobody now; a file on
// tmpfs stays: its pages are the file).
void evict(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(ErrorCode::Io, path + ": cannot open");
    fdatasync(fd); // pages still to be written cannot be dropped
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
}

// The fraction of the file's pages in the page cache.
double cached(const std::string& path)
{
    const MappedFile map = MappedFile::open(path);
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    std::vector<unsigned char> in((map.size() + page - 1) / page);
    if (in.empty() || mincore(const_cast<uint8_t*>(map.data()), map.size(), in.data()) != 0)
        return 0;
    return static_cast<double>(std::count_if(in.begin(), in.end(), [](unsigned char c) { return c & 1; })) /
           static_cast<double>(in.size());
}

} // namespace

int bench_first_token(int argc, char** argv)
{
    const Args a(argc, argv, 2, {"-m", "--model", "-r", "--threads", "--device", "--cpu", "--gpu-layers", "--wait-ms", "-p"});
    a.allow_only({"-m", "--model", "-r", "--threads", "--device", "--cpu", "--gpu-layers", "--experts-on-cpu", "--wait-ms", "-p", "--first-token", "--cached"});
    const std::string path = a.str("-m", a.str("--model"));
    if (path.empty())
        throw Error(ErrorCode::InvalidArgument, "a model is needed: -m FILE.gguf");
    const int reps = a.integer("-r", 3), wait_ms = a.integer("--wait-ms", 0);
    if (reps < 1 || wait_ms < 0)
        throw Error(ErrorCode::InvalidArgument, "-r must be >= 1 and --wait-ms >= 0");
    const std::string prompt = a.str("-p", "Hello, who are you?");
    const bool keep_cached = a.has("--cached");
    std::printf("| run | cached at open | load ms | wait ms | first token ms (after the prompt) | total ms (load + first token) |\n"
                "|---:|---:|---:|---:|---:|---:|\n");
    std::vector<double> totals;
    for (int r = 0; r < reps; ++r) {
        if (!keep_cached)
            evict(path);
        const double was_cached = cached(path);
        const auto t0 = Clock::now();
        const auto model = Model::load(path);
        const auto backend = backend_for(a, *model);
        Session session(*backend, SessionOptions{});
        const double load_ms = ms_since(t0);
        std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
        const auto t1 = Clock::now();
        std::vector<int32_t> tokens = model->tokenizer().encode(prompt, true, false);
        Sampler sampler(SamplerParams{});
        session.generate(tokens, sampler, 1, [](int32_t, const std::string&) { return true; });
        const double first_ms = ms_since(t1);
        totals.push_back(load_ms + first_ms);
        std::printf("| %d | %.0f%% | %.0f | %d | %.0f | %.0f |\n", r + 1, 100 * was_cached, load_ms, wait_ms, first_ms,
                    load_ms + first_ms);
        std::fflush(stdout);
    }
    std::sort(totals.begin(), totals.end());
    std::printf("median total: %.0f ms (%s, %.2f GB)\n", totals[totals.size() / 2], path.c_str(),
                static_cast<double>(MappedFile::open(path).size()) / 1e9);
    return 0;
}

} // namespace seekbench::cli
