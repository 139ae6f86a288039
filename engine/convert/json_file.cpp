// read_json_file: the whole file, then nlohmann-json's parser; its message kept in ours.
#include "json_file.h"

#include "engine/error.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace seekbench {

std::optional<nlohmann::json> read_json_file(const std::string& path)
{
    if (!std::filesystem::exists(path))
        return std::nullopt;
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    try {
        return nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::Format, path + ": not valid JSON: " + e.what());
    }
}

} // namespace seekbench
