// json_quote and write_file_whole.
#include "text_io.h"

#include "error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace seekbench {

std::string json_quote(std::string_view s)
{
    std::string o;
    o.reserve(s.size() + 2);
    o += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': o += "\\\""; break;
        case '\\': o += "\\\\"; break;
        case '\n': o += "\\n"; break;
        case '\r': o += "\\r"; break;
        case '\t': o += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                o += buf;
            } else {
                o += static_cast<char>(c);
            }
        }
    }
    o += '"';
    return o;
}

void write_file_whole(const std::string& path, const std::string& text, const std::string& what)
{
    const std::string tmp = path + ".partial";
    {
        std::ofstream out(tmp, std::ios::binary);
        out << text;
        out.flush();
        if (!out) {
            const int err = errno;
            std::remove(tmp.c_str());
            throw Error(ErrorCode::Io, path + ": cannot write the " + what + ": " + std::strerror(err));
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        std::remove(tmp.c_str());
        throw Error(ErrorCode::Io, path + ": cannot write the " + what + ": " + std::strerror(err));
    }
}

} // namespace seekbench
