// A Hugging Face byte-level BPE tokenizer (tokenizer.json + tokenizer_config.json) as GGUF
// "gpt2" vocabulary metadata: tokens by id (padded to the model's vocab_size), token types,
// merges, the pre-tokenizer family, special ids, add-BOS/EOS and the chat template. The
// SentencePiece kinds (tokenizer.model, byte-fallback BPE) are refused with a reason.
#include "convert_impl.h"
#include "json_file.h"

#include "engine/error.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace seekbench {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

// Added tokens that read like markers are control tokens even when not flagged special.
bool looks_special(const std::string& t)
{
    const auto wraps = [&t](const std::string& a, const std::string& b) {
        return t.size() >= a.size() + b.size() && t.compare(0, a.size(), a) == 0 && t.compare(t.size() - b.size(), b.size(), b) == 0;
    };
    return t == "<pad>" || t == "<mask>" || t == "<2mass>" || t == "[@BOS@]" || wraps("<|", "|>") ||
           wraps("<\xEF\xBD\x9C", "\xEF\xBD\x9C>") || wraps("<unused", ">");
}

// The regexes of the pre-tokenizer's Split steps.
void split_patterns(const Json& pre, std::vector<std::string>& out)
{
    if (!pre.is_object())
        return;
    if (pre.value("type", "") == "Sequence" && pre.contains("pretokenizers"))
        for (const Json& p : pre["pretokenizers"])
            split_patterns(p, out);
    if (pre.value("type", "") == "Split" && pre.contains("pattern") && pre["pattern"].is_object() &&
        pre["pattern"].contains("Regex") && pre["pattern"]["Regex"].is_string())
        out.push_back(pre["pattern"]["Regex"].get<std::string>());
}

// llama.cpp names the family by hashing a test tokenization; we read the family from the
// architecture and the split regexes (digits in groups of up to three: Llama 3, DeepSeek V3).
std::string pre_family(const std::string& arch, const Json& tokenizer)
{
    std::vector<std::string> patterns;
    split_patterns(tokenizer.value("pre_tokenizer", Json()), patterns);
    bool digit_groups = false;
    for (const std::string& p : patterns)
        digit_groups = digit_groups || p.find("\\p{N}{1,3}") != std::string::npos;
    if (arch == "qwen2" || arch == "qwen2moe" || arch == "qwen3moe")
        return "qwen2";
    if (arch == "deepseek2")
        return digit_groups ? "deepseek-v3" : "deepseek-llm";
    return digit_groups ? "llama-bpe" : "gpt-2";
}

std::string token_text(const Json& v)
{
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string())
        return v["content"].get<std::string>();
    return {};
}

} // namespace

void add_hf_tokenizer(GgufWriter& w, const std::string& folder, const std::string& arch, int64_t config_vocab)
{
    const fs::path dir(folder);
    const auto tok = read_json_file((dir / "tokenizer.json").string());
    if (!tok) {
        if (fs::exists(dir / "tokenizer.model"))
            throw Error(ErrorCode::Unsupported, folder + ": has a SentencePiece tokenizer.model and no tokenizer.json; "
                                                         "only byte-level BPE tokenizers (tokenizer.json) are converted");
        throw Error(ErrorCode::Format, folder + ": has no tokenizer.json");
    }
    const Json& model = (*tok)["model"];
    if (!model.is_object() || model.value("type", "") != "BPE" || model.value("byte_fallback", false) ||
        !model.contains("vocab") || !model["vocab"].is_object())
        throw Error(ErrorCode::Unsupported, folder + "/tokenizer.json: not a byte-level BPE tokenizer (SentencePiece-style "
                                                     "tokenizers with byte fallback are not converted yet)");
    // Tokens by id: the BPE vocabulary, then the added tokens over it.
    std::map<int64_t, std::pair<std::string, int32_t>> by_id; // id -> (text, type)
    for (const auto& [text, id] : model["vocab"].items()) {
        if (!id.is_number_integer() || id.get<int64_t>() < 0)
            throw Error(ErrorCode::Format, folder + "/tokenizer.json: token '" + text + "' has no valid id");
        by_id[id.get<int64_t>()] = {text, 1};
    }
    if (tok->contains("added_tokens") && (*tok)["added_tokens"].is_array())
        for (const Json& a : (*tok)["added_tokens"]) {
            if (!a.contains("id") || !a["id"].is_number_integer() || !a.contains("content") || !a["content"].is_string())
                throw Error(ErrorCode::Format, folder + "/tokenizer.json: an added token lacks its id or content");
            const std::string text = a["content"].get<std::string>();
            const bool control = a.value("special", false) || looks_special(text);
            by_id[a["id"].get<int64_t>()] = {text, control ? 3 : 4};
        }
    const int64_t max_id = by_id.empty() ? -1 : by_id.rbegin()->first;
    if (config_vocab > 0 && max_id >= config_vocab)
        throw Error(ErrorCode::Format, folder + ": token id " + std::to_string(max_id) + " is past config.json's vocab_size " +
                                           std::to_string(config_vocab));
    const int64_t n = config_vocab > 0 ? config_vocab : max_id + 1;
    std::vector<std::string> tokens(static_cast<std::size_t>(n));
    std::vector<int32_t> types(static_cast<std::size_t>(n), 5); // unused: padding up to vocab_size
    for (int64_t i = 0; i < n; ++i) {
        const auto it = by_id.find(i);
        if (it == by_id.end()) {
            tokens[static_cast<std::size_t>(i)] = "[PAD" + std::to_string(i) + "]";
            continue;
        }
        tokens[static_cast<std::size_t>(i)] = it->second.first;
        types[static_cast<std::size_t>(i)] = it->second.second;
    }
    std::vector<std::string> merges;
    if (model.contains("merges") && model["merges"].is_array())
        for (const Json& m : model["merges"]) {
            if (m.is_string()) {
                merges.push_back(m.get<std::string>());
            } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
                // Pairs may hold spaces; GGUF's "a b" form writes them as U+0120 (byte-level space).
                auto part = [](std::string s) {
                    std::string out;
                    for (char c : s)
                        out += c == ' ' ? std::string("\xC4\xA0") : std::string(1, c);
                    return out;
                };
                merges.push_back(part(m[0].get<std::string>()) + " " + part(m[1].get<std::string>()));
            } else {
                throw Error(ErrorCode::Format, folder + "/tokenizer.json: a merge is neither \"a b\" nor [a, b]");
            }
        }
    w.add_string("tokenizer.ggml.model", "gpt2");
    w.add_string("tokenizer.ggml.pre", pre_family(arch, *tok));
    w.add_strings("tokenizer.ggml.tokens", tokens);
    w.add_i32s("tokenizer.ggml.token_type", types);
    w.add_strings("tokenizer.ggml.merges", merges);

    // Special tokens: tokenizer_config.json's strings by content, else config.json's ids.
    const auto tcfg = read_json_file((dir / "tokenizer_config.json").string()).value_or(Json::object());
    const auto cfg = read_json_file((dir / "config.json").string()).value_or(Json::object());
    std::map<std::string, int64_t> id_of;
    for (const auto& [id, entry] : by_id)
        id_of.emplace(entry.first, id);
    for (const auto& [kind, key] : std::vector<std::pair<std::string, std::string>>{
             {"bos", "bos"}, {"eos", "eos"}, {"unk", "unknown"}, {"pad", "padding"}, {"sep", "seperator"}}) {
        std::optional<int64_t> id;
        if (tcfg.contains(kind + "_token")) {
            const auto it = id_of.find(token_text(tcfg[kind + "_token"]));
            if (it != id_of.end())
                id = it->second;
        }
        if (!id && cfg.contains(kind + "_token_id") && cfg[kind + "_token_id"].is_number_integer())
            id = cfg[kind + "_token_id"].get<int64_t>();
        if (id && *id >= 0 && *id < n)
            w.add_u32("tokenizer.ggml." + key + "_token_id", static_cast<uint32_t>(*id));
    }
    for (const char* kind : {"bos", "eos"}) {
        const std::string key = std::string("add_") + kind + "_token";
        if (tcfg.contains(key) && tcfg[key].is_boolean())
            w.add_bool("tokenizer.ggml." + key, tcfg[key].get<bool>());
    }
    // The chat template: a string, or a list whose "default" entry is the template.
    std::string tmpl;
    if (tcfg.contains("chat_template") && tcfg["chat_template"].is_string()) {
        tmpl = tcfg["chat_template"].get<std::string>();
    } else if (tcfg.contains("chat_template") && tcfg["chat_template"].is_array()) {
        for (const Json& t : tcfg["chat_template"])
            if (t.is_object() && t.value("name", "") == "default" && t.contains("template") && t["template"].is_string())
                tmpl = t["template"].get<std::string>();
    } else if (fs::exists(dir / "chat_template.jinja")) {
        std::ifstream in(dir / "chat_template.jinja");
        std::stringstream text;
        text << in.rdbuf();
        tmpl = text.str();
    }
    if (!tmpl.empty())
        w.add_string("tokenizer.chat_template", tmpl);
}

} // namespace seekbench
