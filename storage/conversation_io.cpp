// Export and import of conversations: JSON keeps everything (every branch, statistics);
// Markdown is for people, with invisible markers so it can be read back.
#include "conversation_store.h"

#include "engine/error.h"

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace seekbench::storage {
namespace {

using nlohmann::json;

constexpr const char* kJsonFormat = "seekbench-conversation";
constexpr const char* kMarker = "<!-- seekbench:";

[[noreturn]] void bad(const std::string& what)
{
    throw Error(ErrorCode::Format, "not a Seekbench conversation: " + what);
}

std::string heading(const std::string& role)
{
    if (role == "user")
        return "User";
    if (role == "assistant")
        return "Assistant";
    return "System";
}

} // namespace

std::string ConversationStore::export_json(int64_t conversation_id)
{
    const auto c = conversation(conversation_id);
    if (!c)
        throw Error(ErrorCode::InvalidArgument, "conversation " + std::to_string(conversation_id) + " does not exist");
    json j;
    j["format"] = kJsonFormat;
    j["version"] = 1;
    j["title"] = c->title;
    j["created_at"] = c->created_at;
    j["updated_at"] = c->updated_at;
    j["pinned"] = c->pinned;
    j["model"] = c->model;
    j["system_prompt"] = c->system_prompt;
    j["sampling"] = json::parse(c->sampling, nullptr, false).is_discarded() ? json(c->sampling) : json::parse(c->sampling);
    j["current_leaf"] = c->current_leaf;
    j["knowledge"] = json::parse(c->knowledge, nullptr, false).is_discarded() ? json::array() : json::parse(c->knowledge);
    json messages = json::array();
    for (const Message& m : all_messages(conversation_id)) {
        json message = {{"id", m.id}, {"parent", m.parent_id}, {"role", m.role}, {"content", m.content},
                        {"created_at", m.created_at}, {"model", m.model}, {"prompt_tokens", m.prompt_tokens},
                        {"generated_tokens", m.generated_tokens}, {"tokens_per_second", m.tokens_per_second},
                        {"stop_reason", m.stop_reason}};
        if (!m.sources.empty() && !json::parse(m.sources, nullptr, false).is_discarded())
            message["sources"] = json::parse(m.sources);
        messages.push_back(message);
    }
    j["messages"] = messages;
    return j.dump(2);
}

int64_t ConversationStore::import_json(const std::string& text)
{
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        bad("the text is not JSON");
    auto str = [](const json& o, const char* key) {
        const auto it = o.find(key);
        if (it == o.end() || it->is_null())
            return std::string();
        if (!it->is_string())
            bad(std::string("\"") + key + "\" is not text");
        return it->get<std::string>();
    };
    auto num = [](const json& o, const char* key) -> int64_t {
        const auto it = o.find(key);
        if (it == o.end() || it->is_null())
            return 0;
        if (!it->is_number())
            bad(std::string("\"") + key + "\" is not a number");
        if (it->is_number_float()) { // a whole number written as a float: in range, or an error
            const double v = it->get<double>();
            if (!(v >= -9.0e18 && v <= 9.0e18))
                bad(std::string("\"") + key + "\" is out of range");
            return static_cast<int64_t>(v);
        }
        return it->get<int64_t>();
    };
    if (str(j, "format") != kJsonFormat)
        bad("\"format\" is not \"" + std::string(kJsonFormat) + "\"");
    if (!j.contains("messages") || !j["messages"].is_array())
        bad("\"messages\" is missing");
    const auto pinned = j.find("pinned");
    if (pinned != j.end() && !pinned->is_boolean() && !pinned->is_null())
        bad("\"pinned\" is not true or false");
    const std::string sampling = j.contains("sampling") ? (j["sampling"].is_string() ? j["sampling"].get<std::string>()
                                                                                     : j["sampling"].dump())
                                                        : "{}";
    // Check everything before writing anything: a bad file imports nothing.
    std::vector<Message> messages;
    for (const json& m : j["messages"]) {
        if (!m.is_object())
            bad("a message is not an object");
        Message msg;
        msg.id = num(m, "id");
        msg.parent_id = num(m, "parent");
        msg.role = str(m, "role");
        if (msg.role != "user" && msg.role != "assistant" && msg.role != "system")
            bad("a message has role \"" + msg.role + "\"");
        msg.content = str(m, "content");
        msg.created_at = num(m, "created_at");
        msg.model = str(m, "model");
        msg.prompt_tokens = static_cast<int>(num(m, "prompt_tokens"));
        msg.generated_tokens = static_cast<int>(num(m, "generated_tokens"));
        msg.tokens_per_second = m.contains("tokens_per_second") && m["tokens_per_second"].is_number()
                                    ? m["tokens_per_second"].get<double>() : 0.0;
        msg.stop_reason = str(m, "stop_reason");
        if (m.contains("sources") && m["sources"].is_array())
            msg.sources = m["sources"].dump();
        messages.push_back(msg);
    }
    std::map<int64_t, int64_t> new_id;
    for (const Message& m : messages) {
        if (m.parent_id != 0 && !new_id.count(m.parent_id))
            bad("message " + std::to_string(m.id) + " names a parent that comes later or not at all");
        new_id[m.id] = -1;
    }

    Transaction tx(m_db);
    Statement ins(m_db, "INSERT INTO conversations (title, created_at, updated_at, pinned, model, system_prompt, sampling, "
                        "knowledge) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    const int64_t now = now_ms();
    ins.bind(1, std::string_view(str(j, "title"))).bind(2, num(j, "created_at") ? num(j, "created_at") : now);
    ins.bind(3, num(j, "updated_at") ? num(j, "updated_at") : now).bind(4, int64_t(pinned != j.end() && pinned->is_boolean() && pinned->get<bool>() ? 1 : 0));
    ins.bind(5, std::string_view(str(j, "model"))).bind(6, std::string_view(str(j, "system_prompt")));
    ins.bind(7, std::string_view(sampling));
    const std::string knowledge = j.contains("knowledge") && j["knowledge"].is_array() ? j["knowledge"].dump() : "[]";
    ins.bind(8, std::string_view(knowledge));
    ins.run();
    const int64_t cid = m_db.last_insert_rowid();
    Statement msg_ins(m_db, "INSERT INTO messages (conversation_id, parent_id, role, content, created_at, model, "
                            "prompt_tokens, generated_tokens, tokens_per_second, stop_reason, sources) "
                            "VALUES (?1, NULLIF(?2, 0), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    for (const Message& m : messages) {
        msg_ins.bind(1, cid).bind(2, m.parent_id ? new_id[m.parent_id] : 0).bind(3, std::string_view(m.role));
        msg_ins.bind(4, std::string_view(m.content)).bind(5, m.created_at ? m.created_at : now).bind(6, std::string_view(m.model));
        msg_ins.bind(7, int64_t(m.prompt_tokens)).bind(8, int64_t(m.generated_tokens)).bind(9, m.tokens_per_second);
        msg_ins.bind(10, std::string_view(m.stop_reason)).bind(11, std::string_view(m.sources));
        msg_ins.run();
        new_id[m.id] = m_db.last_insert_rowid();
    }
    const int64_t leaf = num(j, "current_leaf");
    const int64_t mapped = new_id.count(leaf) ? new_id[leaf] : (messages.empty() ? 0 : new_id[messages.back().id]);
    if (mapped) {
        Statement st(m_db, "UPDATE conversations SET current_leaf = ?2 WHERE id = ?1");
        st.bind(1, cid).bind(2, mapped).run();
    }
    tx.commit();
    return cid;
}

std::string ConversationStore::export_markdown(int64_t conversation_id)
{
    const auto c = conversation(conversation_id);
    if (!c)
        throw Error(ErrorCode::InvalidArgument, "conversation " + std::to_string(conversation_id) + " does not exist");
    std::ostringstream o;
    o << "# " << (c->title.empty() ? "Conversation" : c->title) << "\n\n";
    if (!c->model.empty())
        o << "Model: `" << c->model << "`\n\n";
    if (!c->system_prompt.empty())
        o << kMarker << "message role=system -->\n## System\n\n" << c->system_prompt << "\n\n";
    for (const Message& m : branch(conversation_id)) {
        o << kMarker << "message role=" << m.role << " -->\n## " << heading(m.role) << "\n\n" << m.content << "\n\n";
    }
    return o.str();
}

int64_t ConversationStore::import_markdown(const std::string& text)
{
    std::istringstream in(text);
    std::string line, title, system;
    std::vector<Message> messages;
    Message* current = nullptr;
    bool skip_heading = false, in_system = false;
    while (std::getline(in, line)) {
        if (title.empty() && !current && !in_system && line.rfind("# ", 0) == 0) {
            title = line.substr(2);
            continue;
        }
        if (line.rfind(kMarker, 0) == 0) {
            const std::size_t at = line.find("role=");
            const std::string role = at == std::string::npos ? "" : line.substr(at + 5, line.find(' ', at) - at - 5);
            if (role != "user" && role != "assistant" && role != "system")
                bad("a message marker names role \"" + role + "\"");
            in_system = role == "system";
            if (!in_system) {
                messages.push_back(Message{});
                messages.back().role = role;
                current = &messages.back();
            } else {
                current = nullptr;
            }
            skip_heading = true;
            continue;
        }
        if (skip_heading && line.rfind("## ", 0) == 0) {
            skip_heading = false;
            continue;
        }
        std::string& target = in_system ? system : current ? current->content : title;
        if (!in_system && !current)
            continue; // preamble (the model line)
        target += line + "\n";
    }
    if (messages.empty() && system.empty())
        bad("no message markers; only Markdown exported by Seekbench can be imported");
    auto trim = [](std::string& s) {
        while (!s.empty() && (s.front() == '\n'))
            s.erase(0, 1);
        while (!s.empty() && (s.back() == '\n'))
            s.pop_back();
    };
    trim(system);
    for (Message& m : messages)
        trim(m.content);
    Transaction tx(m_db);
    Statement ins(m_db, "INSERT INTO conversations (title, created_at, updated_at, system_prompt) VALUES (?1, ?2, ?2, ?3)");
    ins.bind(1, std::string_view(title)).bind(2, now_ms()).bind(3, std::string_view(system)).run();
    const int64_t cid = m_db.last_insert_rowid();
    tx.commit();
    int64_t parent = 0;
    for (Message& m : messages) {
        m.conversation_id = cid;
        m.parent_id = parent;
        parent = add_message(m);
    }
    return cid;
}

} // namespace seekbench::storage
