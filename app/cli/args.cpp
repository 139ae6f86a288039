// Args: options are matched by their full spelling, short aliases handled by callers.
#include "args.h"

#include "engine/error.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

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

} // namespace seekbench::cli
