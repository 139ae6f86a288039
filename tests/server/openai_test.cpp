// The server's request parsing and reply pieces without HTTP: defaults and ranges, the
// reasoning split at every cut of a streamed reply, and the metrics text's shape.
#include "app/server/metrics.h"
#include "app/server/openai.h"
#include "engine/testing.h"

using namespace seekbench;
using namespace seekbench::server;
using namespace seekbench::test;

namespace {

Limits limits()
{
    Limits l;
    l.model_id = "m";
    l.max_tokens = 100;
    l.default_max_tokens = 50;
    return l;
}

int status_of(const std::string& body, Route route = Route::Chat)
{
    try {
        parse_completion(body, route, limits());
    } catch (const ApiError& e) {
        return e.status;
    }
    return 200;
}

} // namespace

TEST_CASE("a chat request: messages, sampling and limits as given, defaults otherwise")
{
    const auto r = parse_completion(
        R"({"model":"m","messages":[{"role":"developer","content":"be brief"},
            {"role":"user","content":[{"type":"text","text":"hi "},{"type":"text","text":"there"}]}],
            "temperature":0.2,"top_p":0.5,"seed":-1,"max_completion_tokens":7,"stop":"END","stream":true,
            "stream_options":{"include_usage":true},"logprobs":true,"top_logprobs":3,"user":"ignored"})",
        Route::Chat, limits());
    REQUIRE(r.messages.size() == 2);
    CHECK_EQ(r.messages[0].role, std::string("system"));
    CHECK_EQ(r.messages[1].content, std::string("hi there"));
    CHECK(std::fabs(r.sampling.temperature - 0.2f) < 1e-6);
    CHECK(std::fabs(r.sampling.top_p - 0.5f) < 1e-6);
    CHECK_EQ(r.sampling.seed, ~uint64_t(0));
    CHECK_EQ(r.max_tokens, 7);
    CHECK(r.stop == std::vector<std::string>{"END"});
    CHECK(r.stream && r.include_usage);
    CHECK_EQ(r.logprobs, 3);
    const auto d = parse_completion(R"({"model":"m","messages":[{"role":"user","content":"x"}]})", Route::Chat, limits());
    CHECK_EQ(d.max_tokens, 50);
    CHECK_EQ(d.logprobs, -1);
    CHECK(!d.stream);
    const auto greedy = parse_completion(R"({"model":"m","messages":[{"role":"user","content":"x"}],"top_p":0})",
                                         Route::Chat, limits());
    CHECK_EQ(greedy.sampling.temperature, 0.0f);
}

TEST_CASE("a completion request: text, one-string arrays and token ids")
{
    CHECK_EQ(parse_completion(R"({"model":"m","prompt":"abc"})", Route::Completion, limits()).prompt, std::string("abc"));
    CHECK_EQ(parse_completion(R"({"model":"m","prompt":["abc"]})", Route::Completion, limits()).prompt, std::string("abc"));
    const auto t = parse_completion(R"({"model":"m","prompt":[1,2,3],"logprobs":2,"echo":true})", Route::Completion, limits());
    CHECK(t.prompt_is_tokens && t.prompt_tokens == std::vector<int32_t>({1, 2, 3}));
    CHECK(t.echo);
    CHECK_EQ(t.logprobs, 2);
}

TEST_CASE("refusals carry the status OpenAI's clients expect")
{
    CHECK_EQ(status_of("{"), 400);
    CHECK_EQ(status_of("null"), 400);
    CHECK_EQ(status_of(R"({"model":"x","messages":[{"role":"user","content":"x"}]})"), 404);
    CHECK_EQ(status_of(R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":101})"), 400);
    CHECK_EQ(status_of(R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":-3})"), 400);
    CHECK_EQ(status_of(R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":1e999})"), 400);
    CHECK_EQ(status_of(R"({"model":"m","messages":[{"role":"user","content":"x"}],"seed":1.5})"), 400);
    CHECK_EQ(status_of(R"({"model":"m","messages":[{"role":"user","content":"x"}],"n":1,"response_format":{"type":"text"}})"), 200);
    CHECK_EQ(status_of(R"({"model":"m","messages":[{"role":"user"}]})"), 200); // content may be absent
    CHECK_EQ(status_of(R"({"model":"m","prompt":[1,-2]})", Route::Completion), 400);
    CHECK_EQ(status_of(R"({"model":"m","prompt":[]})", Route::Completion), 400);
    try {
        parse_completion(R"({"model":"m","messages":"hi"})", Route::Chat, limits());
    } catch (const ApiError& e) {
        const Json body = Json::parse(e.body());
        CHECK_EQ(body["error"]["param"].get<std::string>(), std::string("messages"));
        CHECK_EQ(body["error"]["type"].get<std::string>(), std::string("invalid_request_error"));
        CHECK(body["error"]["code"].is_null());
    }
}

TEST_CASE("the reasoning split gives the same parts however the reply is cut")
{
    struct Row {
        const char* reply;
        bool starts_thinking;
        const char* reasoning;
        const char* content;
    };
    const Row rows[] = {
        {"<think>\nweigh it</think>\n\nThe answer.", false, "weigh it", "The answer."},
        {"  <think>a</think>b", false, "a", "b"},
        {"plain <think> not at the start", false, "", "plain <think> not at the start"},
        {"thinking already</think>done", true, "thinking already", "done"},
        {"<think>never closed", false, "never closed", ""},
        {"a </thin b", true, "a </thin b", ""},
        {"", false, "", ""},
    };
    for (const Row& row : rows) {
        const std::string reply = row.reply;
        for (std::size_t cut1 = 0; cut1 <= reply.size(); ++cut1)
            for (std::size_t cut2 = cut1; cut2 <= reply.size(); ++cut2) {
                ReasoningSplitter s(row.starts_thinking);
                std::string reasoning, content;
                for (const std::string& piece : {reply.substr(0, cut1), reply.substr(cut1, cut2 - cut1), reply.substr(cut2)}) {
                    const auto d = s.push(piece);
                    reasoning += d.reasoning;
                    content += d.content;
                }
                const auto d = s.finish();
                reasoning += d.reasoning;
                content += d.content;
                CHECK_MSG(reasoning == row.reasoning && content == row.content,
                          "\"" << reply << "\" cut at " << cut1 << "," << cut2 << ": [" << reasoning << "] [" << content << "]");
            }
    }
}

TEST_CASE("the metrics text has HELP and TYPE for each family and cumulative buckets")
{
    Metrics m;
    m.request_done("/v1/completions", 200);
    m.request_done("/v1/completions", 400);
    m.time_to_first_token(0.02);
    m.time_to_first_token(3);
    m.tokens(10, 5);
    BatcherStats st;
    st.slots = 4;
    st.slots_busy = 1;
    st.kv_tokens_used = 256;
    st.kv_tokens_total = 1024;
    const std::string text = m.render(st, 256);
    CHECK(text.find("# TYPE seekbench_time_to_first_token_seconds histogram") != std::string::npos);
    CHECK(text.find("seekbench_time_to_first_token_seconds_bucket{le=\"0.025\"} 1\n") != std::string::npos);
    CHECK(text.find("seekbench_time_to_first_token_seconds_bucket{le=\"5\"} 2\n") != std::string::npos);
    CHECK(text.find("seekbench_time_to_first_token_seconds_bucket{le=\"+Inf\"} 2\n") != std::string::npos);
    CHECK(text.find("seekbench_requests_total{route=\"/v1/completions\",code=\"400\"} 1\n") != std::string::npos);
    CHECK(text.find("seekbench_kv_cache_usage_ratio 0.25\n") != std::string::npos);
    CHECK(text.find("seekbench_generated_tokens_total 5\n") != std::string::npos);
}
