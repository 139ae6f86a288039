// Request validation and reply JSON for the OpenAI routes. Unknown fields are ignored (the
// official clients send many); known ones are checked for type and range, and a feature
// we do not have (n > 1, tools, JSON mode) is refused rather than silently dropped.
#include "openai.h"

#include <cmath>
#include <random>

namespace seekbench::server {
namespace {

constexpr std::size_t kMaxStops = 4;
constexpr std::size_t kMaxEmbeddingInputs = 256;

[[noreturn]] void bad(const std::string& message, const std::string& param = {})
{
    throw ApiError(400, message, param);
}

Json parse_object(const std::string& body)
{
    Json j = Json::parse(body, nullptr, false);
    if (j.is_discarded())
        bad("the request body is not valid JSON");
    if (!j.is_object())
        bad("the request body must be a JSON object");
    return j;
}

const Json* field(const Json& j, const char* name)
{
    const auto it = j.find(name);
    return it == j.end() || it->is_null() ? nullptr : &*it;
}

double number(const Json& j, const char* name, double lo, double hi, double fallback)
{
    const Json* v = field(j, name);
    if (!v)
        return fallback;
    if (!v->is_number())
        bad(std::string("'") + name + "' must be a number", name);
    const double x = v->get<double>();
    if (!std::isfinite(x) || x < lo || x > hi)
        bad(std::string("'") + name + "' must be between " + Json(lo).dump() + " and " + Json(hi).dump(), name);
    return x;
}

int64_t integer(const Json& j, const char* name, int64_t lo, int64_t hi, int64_t fallback)
{
    const Json* v = field(j, name);
    if (!v)
        return fallback;
    if (!v->is_number_integer())
        bad(std::string("'") + name + "' must be an integer", name);
    const int64_t x = v->is_number_unsigned() && v->get<uint64_t>() > uint64_t(INT64_MAX) ? INT64_MAX : v->get<int64_t>();
    if (x < lo || x > hi)
        bad(std::string("'") + name + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi), name);
    return x;
}

bool boolean(const Json& j, const char* name, bool fallback)
{
    const Json* v = field(j, name);
    if (!v)
        return fallback;
    if (!v->is_boolean())
        bad(std::string("'") + name + "' must be true or false", name);
    return v->get<bool>();
}

void check_model(const Json& j, const std::string& id)
{
    const Json* m = field(j, "model");
    if (!m)
        bad("you must give a 'model' (this server has \"" + id + "\")", "model");
    if (!m->is_string())
        bad("'model' must be a string", "model");
    if (m->get<std::string>() != id)
        throw ApiError(404, "the model \"" + m->get<std::string>() + "\" does not exist here; this server has \"" + id + "\"",
                       "model", "model_not_found");
}

// A message's content: a string, or an array of text parts.
std::string content_text(const Json& content, std::size_t index)
{
    const std::string param = "messages[" + std::to_string(index) + "].content";
    if (content.is_string())
        return content.get<std::string>();
    if (!content.is_array())
        bad("'" + param + "' must be a string or an array of text parts", param);
    std::string text;
    for (const Json& part : content) {
        const Json* type = part.is_object() ? field(part, "type") : nullptr;
        if (!type || !type->is_string())
            bad("each part of '" + param + "' needs a 'type'", param);
        if (type->get<std::string>() != "text")
            bad("'" + param + "' has a part of type \"" + type->get<std::string>() + "\"; this server reads text only", param);
        const Json* t = field(part, "text");
        if (!t || !t->is_string())
            bad("a text part of '" + param + "' needs a string 'text'", param);
        text += t->get<std::string>();
    }
    return text;
}

std::vector<ChatMessage> parse_messages(const Json& j)
{
    const Json* m = field(j, "messages");
    if (!m)
        bad("you must give 'messages'", "messages");
    if (!m->is_array() || m->empty())
        bad("'messages' must be a non-empty array", "messages");
    std::vector<ChatMessage> out;
    for (std::size_t i = 0; i < m->size(); ++i) {
        const Json& msg = (*m)[i];
        const std::string param = "messages[" + std::to_string(i) + "]";
        if (!msg.is_object())
            bad("'" + param + "' must be an object", param);
        const Json* role = field(msg, "role");
        if (!role || !role->is_string())
            bad("'" + param + ".role' must be a string", param + ".role");
        std::string r = role->get<std::string>();
        if (r == "developer")
            r = "system";
        if (r != "system" && r != "user" && r != "assistant")
            bad("'" + param + ".role' must be system, developer, user or assistant, not \"" + r + "\"", param + ".role");
        const Json* content = field(msg, "content");
        out.push_back({r, content ? content_text(*content, i) : std::string()});
    }
    return out;
}

void parse_prompt(const Json& j, CompletionRequest& req)
{
    const Json* p = field(j, "prompt");
    if (!p)
        bad("you must give a 'prompt'", "prompt");
    if (p->is_string()) {
        req.prompt = p->get<std::string>();
        return;
    }
    if (p->is_array() && p->size() == 1 && (*p)[0].is_string()) {
        req.prompt = (*p)[0].get<std::string>();
        return;
    }
    if (p->is_array() && !p->empty() && (*p)[0].is_number_integer()) {
        for (const Json& t : *p) {
            if (!t.is_number_integer() || t.get<int64_t>() < 0 || t.get<int64_t>() > INT32_MAX)
                bad("a token prompt must be an array of non-negative integers", "prompt");
            req.prompt_tokens.push_back(static_cast<int32_t>(t.get<int64_t>()));
        }
        req.prompt_is_tokens = true;
        return;
    }
    if (p->is_array() && p->size() > 1)
        bad("this server completes one prompt per request", "prompt");
    bad("'prompt' must be a string, an array of one string, or an array of token ids", "prompt");
}

std::vector<std::string> parse_stop(const Json& j)
{
    const Json* s = field(j, "stop");
    if (!s)
        return {};
    if (s->is_string())
        return {s->get<std::string>()};
    if (!s->is_array() || s->size() > kMaxStops)
        bad("'stop' must be a string or an array of at most 4 strings", "stop");
    std::vector<std::string> out;
    for (const Json& x : *s) {
        if (!x.is_string())
            bad("'stop' must be a string or an array of at most 4 strings", "stop");
        out.push_back(x.get<std::string>());
    }
    return out;
}

void refuse_unsupported(const Json& j)
{
    if (integer(j, "n", 1, 128, 1) != 1)
        bad("this server writes one choice per request ('n' must be 1)", "n");
    if (const Json* rf = field(j, "response_format")) {
        const Json* type = rf->is_object() ? field(*rf, "type") : nullptr;
        if (!type || !type->is_string())
            bad("'response_format' must be an object with a 'type'", "response_format");
        if (type->get<std::string>() != "text")
            bad("'response_format' \"" + type->get<std::string>() + "\" is not supported; only \"text\" is",
                "response_format");
    }
    if (const Json* tools = field(j, "tools"); tools && !(tools->is_array() && tools->empty()))
        bad("tools and function calling are not supported by this server", "tools");
}

} // namespace

ApiError::ApiError(int status_, std::string message, std::string param_, std::string code_, std::string type_)
    : std::runtime_error(std::move(message)), status(status_), param(std::move(param_)), code(std::move(code_)),
      type(std::move(type_))
{
}

std::string ApiError::body() const
{
    Json e = {{"message", what()}, {"type", type}, {"param", nullptr}, {"code", nullptr}};
    if (!param.empty())
        e["param"] = param;
    if (!code.empty())
        e["code"] = code;
    return dump(Json{{"error", e}});
}

CompletionRequest parse_completion(const std::string& body, Route route, const Limits& limits)
{
    const Json j = parse_object(body);
    CompletionRequest req;
    req.route = route;
    check_model(j, limits.model_id);
    if (route == Route::Chat)
        req.messages = parse_messages(j);
    else
        parse_prompt(j, req);
    refuse_unsupported(j);

    // Defaults: the app's (temperature 0.7, top-k 40, top-p 0.95, min-p 0.05), a random seed.
    req.sampling = ChatDefaults::sampling(std::random_device{}() | (uint64_t(std::random_device{}()) << 32));
    req.sampling.repeat_penalty = 1.0f; // OpenAI has no repetition penalty; its presence/frequency ones below
    req.sampling.temperature = static_cast<float>(number(j, "temperature", 0, 2, req.sampling.temperature));
    const double top_p = number(j, "top_p", 0, 1, req.sampling.top_p);
    if (top_p == 0)
        req.sampling.temperature = 0; // only the most likely token is left
    else
        req.sampling.top_p = static_cast<float>(top_p);
    req.sampling.top_k = static_cast<int>(integer(j, "top_k", 0, 1 << 20, req.sampling.top_k));
    req.sampling.min_p = static_cast<float>(number(j, "min_p", 0, 1, req.sampling.min_p));
    req.sampling.repeat_penalty = static_cast<float>(number(j, "repeat_penalty", 0.01, 10, req.sampling.repeat_penalty));
    req.sampling.presence_penalty = static_cast<float>(number(j, "presence_penalty", -2, 2, 0));
    req.sampling.frequency_penalty = static_cast<float>(number(j, "frequency_penalty", -2, 2, 0));
    if (field(j, "seed"))
        req.sampling.seed = static_cast<uint64_t>(integer(j, "seed", INT64_MIN, INT64_MAX, 0));

    const char* max_name = field(j, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
    req.max_tokens = static_cast<int>(integer(j, max_name, 1, limits.max_tokens, limits.default_max_tokens));
    req.stop = parse_stop(j);
    req.stream = boolean(j, "stream", false);
    req.ignore_eos = boolean(j, "ignore_eos", false);
    if (const Json* so = field(j, "stream_options")) {
        if (!so->is_object())
            bad("'stream_options' must be an object", "stream_options");
        req.include_usage = boolean(*so, "include_usage", false);
    }
    if (route == Route::Chat) {
        if (boolean(j, "logprobs", false))
            req.logprobs = static_cast<int>(integer(j, "top_logprobs", 0, 20, 0));
        else if (field(j, "top_logprobs"))
            bad("'top_logprobs' needs 'logprobs' set to true", "top_logprobs");
    } else {
        req.logprobs = static_cast<int>(integer(j, "logprobs", 0, 5, -1));
        req.echo = boolean(j, "echo", false);
    }
    return req;
}

EmbeddingRequest parse_embedding(const std::string& body, const std::string& embed_model_id)
{
    const Json j = parse_object(body);
    check_model(j, embed_model_id);
    const Json* input = field(j, "input");
    if (!input)
        bad("you must give an 'input'", "input");
    EmbeddingRequest req;
    if (input->is_string())
        req.inputs.push_back(input->get<std::string>());
    else if (input->is_array() && !input->empty() && input->size() <= kMaxEmbeddingInputs) {
        for (const Json& x : *input) {
            if (!x.is_string())
                bad("'input' must be a string or an array of strings", "input");
            req.inputs.push_back(x.get<std::string>());
        }
    } else
        bad("'input' must be a string or an array of 1 to 256 strings", "input");
    if (const Json* f = field(j, "encoding_format"); f && !(f->is_string() && f->get<std::string>() == "float"))
        bad("'encoding_format' must be \"float\"", "encoding_format");
    return req;
}

ReasoningSplitter::Delta ReasoningSplitter::push(const std::string& text)
{
    m_pending += text;
    return drain(false);
}

ReasoningSplitter::Delta ReasoningSplitter::finish() { return drain(true); }

ReasoningSplitter::Delta ReasoningSplitter::drain(bool final)
{
    static const std::string kOpen = "<think>", kClose = "</think>";
    Delta d;
    for (;;) {
        if (!m_started) {
            // A reply may open with <think> (after blank space): then it reasons first.
            const std::size_t lead = m_pending.find_first_not_of(" \t\r\n");
            if (lead == std::string::npos && !final)
                return d;
            if (lead != std::string::npos && m_pending.compare(lead, std::string::npos, kOpen, 0, m_pending.size() - lead) == 0 &&
                m_pending.size() - lead < kOpen.size() && !final)
                return d; // "<thi": wait for the rest
            m_started = true;
            if (lead != std::string::npos && m_pending.compare(lead, kOpen.size(), kOpen) == 0) {
                m_in_reasoning = true;
                m_skip_blank = true;
                m_pending.erase(0, lead + kOpen.size());
            }
            continue;
        }
        if (m_skip_blank) {
            const std::size_t lead = m_pending.find_first_not_of(" \t\r\n");
            if (lead == std::string::npos) {
                m_pending.clear();
                return d;
            }
            m_pending.erase(0, lead);
            m_skip_blank = false;
        }
        std::string& out = m_in_reasoning ? d.reasoning : d.content;
        if (m_in_reasoning) {
            const std::size_t close = m_pending.find(kClose);
            if (close != std::string::npos) {
                out += m_pending.substr(0, close);
                m_pending.erase(0, close + kClose.size());
                m_in_reasoning = false;
                m_skip_blank = true;
                continue;
            }
        }
        // Hold back a tail that may be the start of </think>.
        std::size_t keep = 0;
        if (m_in_reasoning && !final)
            for (std::size_t n = std::min(kClose.size() - 1, m_pending.size()); n > 0; --n)
                if (m_pending.compare(m_pending.size() - n, n, kClose, 0, n) == 0) {
                    keep = n;
                    break;
                }
        out += m_pending.substr(0, m_pending.size() - keep);
        m_pending.erase(0, m_pending.size() - keep);
        return d;
    }
}

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

namespace {
Json bytes_of(const std::string& s)
{
    Json b = Json::array();
    for (unsigned char c : s)
        b.push_back(int(c));
    return b;
}
} // namespace

Json chat_logprob(const BatchEvent& e)
{
    Json top = Json::array();
    for (const TokenLogprob& t : e.top)
        top.push_back({{"token", t.text}, {"logprob", t.logprob}, {"bytes", bytes_of(t.text)}});
    return {{"token", e.chosen.text}, {"logprob", e.chosen.logprob}, {"bytes", bytes_of(e.chosen.text)}, {"top_logprobs", top}};
}

void append_completion_logprob(Json& lp, const BatchEvent& e, std::size_t text_offset)
{
    if (lp.is_null())
        lp = {{"tokens", Json::array()}, {"token_logprobs", Json::array()}, {"top_logprobs", Json::array()},
              {"text_offset", Json::array()}};
    lp["tokens"].push_back(e.chosen.text);
    lp["token_logprobs"].push_back(e.chosen.logprob);
    Json top = Json::object();
    for (const TokenLogprob& t : e.top)
        top[t.text] = t.logprob;
    lp["top_logprobs"].push_back(top);
    lp["text_offset"].push_back(text_offset);
}

std::string finish_reason(const BatchResult& r) { return r.finish_reason == "length" ? "length" : "stop"; }

Json usage(const BatchResult& r)
{
    return {{"prompt_tokens", r.prompt_tokens}, {"completion_tokens", r.generated_tokens},
            {"total_tokens", r.prompt_tokens + r.generated_tokens},
            {"prompt_tokens_details", {{"cached_tokens", r.reused_tokens}}}};
}

} // namespace seekbench::server
