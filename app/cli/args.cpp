// Args: options are matched by their full spelling, short aliases handled by callers.
#include "args.h"

#include "engine/builtin_model.h"
#include "engine/error.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

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
    o.threads = a.integer("--threads", 0);
    std::string note;
    auto backend = open_backend(model, o, &note);
    if (!note.empty())
        std::fprintf(stderr, "%s\n", note.c_str());
    return backend;
}

std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorCode::Io, path + ": cannot read");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
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
