// Args: options are matched by their full spelling, short aliases handled by callers.
#include "args.h"

#include "engine/builtin_model.h"
#include "engine/cpu/threadpool.h"
#include "engine/error.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace seekbench::cli {

Args::Args(int argc, char** argv, int first, const std::vector<std::string>& with_value)
{
    for (int i = first; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.size() > 1 && a[0] == '-' && !(a.size() > 1 && (std::isdigit(static_cast<unsigned char>(a[1])) != 0))) {
            if (std::find(with_value.begin(), with_value.end(), a) != with_value.end()) {
                if (i + 1 >= argc)
                    throw Error(ErrorCode::InvalidArgument, "option " + a + " needs a value");
                m_values[a] = argv[++i];
            } else {
                m_values[a] = "";
            }
        } else {
            m_positional.push_back(a);
        }
    }
}

bool Args::has(const std::string& name) const { return m_values.count(name) > 0; }

std::string Args::str(const std::string& name, const std::string& fallback) const
{
    const auto it = m_values.find(name);
    return it == m_values.end() ? fallback : it->second;
}

int Args::integer(const std::string& name, int fallback) const
{
    const auto it = m_values.find(name);
    if (it == m_values.end())
        return fallback;
    char* end = nullptr;
    const long v = std::strtol(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end != '\0' || v < -2147483647L || v > 2147483647L)
        throw Error(ErrorCode::InvalidArgument, "option " + name + " needs a whole number, not '" + it->second + "'");
    return static_cast<int>(v);
}

double Args::number(const std::string& name, double fallback) const
{
    const auto it = m_values.find(name);
    if (it == m_values.end())
        return fallback;
    char* end = nullptr;
    const double v = std::strtod(it->second.c_str(), &end);
    if (it->second.empty() || *end != '\0')
        throw Error(ErrorCode::InvalidArgument, "option " + name + " needs a number, not '" + it->second + "'");
    return v;
}

int Args::threads() const
{
    const int n = integer("--threads", 0);
    if (n < 0)
        throw Error(ErrorCode::InvalidArgument, "--threads must be 0 (one per core) or more, not " + std::to_string(n));
    if (n > ThreadPool::hardware_threads()) {
        std::fprintf(stderr, "warning: --threads %d is more than this machine's %d hardware threads; using %d\n", n,
                     ThreadPool::hardware_threads(), ThreadPool::hardware_threads());
        return ThreadPool::hardware_threads();
    }
    return n;
}

void Args::allow_only(const std::vector<std::string>& names) const
{
    for (const auto& [name, value] : m_values)
        if (std::find(names.begin(), names.end(), name) == names.end())
            throw Error(ErrorCode::InvalidArgument, "unknown option " + name);
}

std::string model_path(const Args& a)
{
    const std::string m = a.str("-m", a.str("--model"));
    if (!m.empty())
        return m;
    const std::string builtin = builtin_model_path(); // Seekbench's own, when it is there
    if (builtin.empty())
        throw Error(ErrorCode::InvalidArgument, "a model is needed: -m FILE.gguf");
    std::fprintf(stderr, "using the built-in model %s\n", builtin.c_str());
    return builtin;
}

std::unique_ptr<Backend> backend_for(const Args& a, const Model& model)
{
    BackendOptions o;
    o.device = parse_device(a.str("--device", "auto"));
    o.threads = a.threads();
    o.cpu_tier = a.str("--cpu");
    o.gpu_layers = a.integer("--gpu-layers", -1);
    if (o.gpu_layers < -1)
        throw Error(ErrorCode::InvalidArgument, "--gpu-layers takes a count of layers (or -1: as many as fit)");
    if (a.has("--experts-on-cpu"))
        o.experts = ExpertPlacement::Cpu;
    std::string note;
    auto backend = open_backend(model, o, &note);
    if (!note.empty())
        std::fprintf(stderr, "%s\n", note.c_str());
    return backend;
}

std::vector<std::string> with_backend_flags(std::vector<std::string> names)
{
    names.push_back("--experts-on-cpu");
    return names;
}

std::string read_file(const std::string& path)
{
    constexpr std::size_t kMaxBytes = std::size_t(64) << 20;
    // Opened without blocking (a FIFO would wait for a writer forever), then checked.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        throw Error(ErrorCode::Io, path + ": cannot read: " + std::strerror(errno));
    struct stat st {};
    const bool ok = fstat(fd, &st) == 0;
    std::string text;
    std::string refusal;
    if (!ok)
        refusal = std::string("cannot read: ") + std::strerror(errno);
    else if (S_ISDIR(st.st_mode))
        refusal = "is a folder, not a text file";
    else if (!S_ISREG(st.st_mode))
        refusal = "is not a regular file (a device, a pipe or a socket); give a text file";
    else if (static_cast<std::size_t>(st.st_size) > kMaxBytes)
        refusal = "is " + std::to_string(st.st_size >> 20) + " MiB; text inputs are limited to 64 MiB";
    if (refusal.empty()) {
        text.resize(static_cast<std::size_t>(st.st_size));
        std::size_t got = 0;
        while (got < text.size()) {
            const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            got += static_cast<std::size_t>(n);
        }
        text.resize(got);
    }
    ::close(fd);
    if (!refusal.empty())
        throw Error(ErrorCode::Io, path + ": " + refusal);
    return text;
}

std::string prompt_text(const Args& a)
{
    const bool inline_text = a.has("-p") || a.has("--prompt"), file = a.has("-f") || a.has("--file");
    if (inline_text && file)
        throw Error(ErrorCode::InvalidArgument, "give the prompt with -p TEXT or -f FILE, not both");
    return file ? read_file(a.str("-f", a.str("--file"))) : a.str("-p", a.str("--prompt"));
}

std::vector<std::string> read_lines(const std::string& path)
{
    std::vector<std::string> lines;
    const std::string text = read_file(path);
    for (std::size_t at = 0, nl; at < text.size(); at = nl + 1) {
        nl = text.find('\n', at);
        if (nl == std::string::npos)
            nl = text.size();
        if (nl > at)
            lines.push_back(text.substr(at, nl - at));
    }
    return lines;
}

} // namespace seekbench::cli
