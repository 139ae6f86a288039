// The JSON files of a checkpoint folder (config.json, tokenizer.json, the shard index), read
// whole and parsed, with errors that name the file.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace seekbench {

// nullopt when the file does not exist; Error (Format) naming it when it is not valid JSON.
std::optional<nlohmann::json> read_json_file(const std::string& path);

} // namespace seekbench
