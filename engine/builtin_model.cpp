// builtin_model_path: the first of the candidate files that exists.
#include "builtin_model.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace seekbench {

std::string builtin_model_path()
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (const char* env = std::getenv("SEEKBENCH_BUILTIN_MODEL"))
        return fs::is_regular_file(env, ec) ? std::string(env) : std::string();
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path installed = exe.parent_path().parent_path() / "share/seekbench/models/seekbench-moe.gguf";
        if (fs::is_regular_file(installed, ec))
            return installed.string();
    }
    const fs::path source = SEEKBENCH_SOURCE_MODEL;
    return fs::is_regular_file(source, ec) ? source.string() : std::string();
}

} // namespace seekbench
