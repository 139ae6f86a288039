// Routes, authorization, CORS, limits, request log, and the two ways a completion comes
// back: whole (one JSON) or streamed (server-sent events, "data: [DONE]" last).
#include "http_server.h"

#include "engine/error.h"
#include "engine/tokenizer.h"

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <optional>

namespace seekbench::server {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(200); // how often a waiting reply looks at its client

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The route label metrics and the log use: the known routes, everything else "other".
std::string route_label(const std::string& path)
{
    for (const char* r : {"/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", "/health", "/metrics"})
        if (path == r)
            return r;
    return "other";
}

std::string sse(const Json& j) { return "data: " + dump(j) + "\n\n"; }

} // namespace

// One request's tokens on their way from the batcher's thread to the HTTP thread.
struct HttpServer::Pending {
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<BatchEvent> events;
    std::optional<BatchResult> result;
    std::atomic<bool> gone{false};
    Clock::time_point arrived = Clock::now(), last_token;
    bool first = true;
};

HttpServer::HttpServer(Batcher& batcher, std::string model_id, Embedder* embedder, std::string embed_model_id,
                       const ServerOptions& options)
    : m_batcher(batcher), m_model(batcher.model()),
      m_template(ChatTemplate::detect(batcher.model().info().chat_template)), m_model_id(std::move(model_id)),
      m_embedder(embedder), m_embed_id(std::move(embed_model_id)), m_options(options),
      m_http(std::make_unique<httplib::Server>())
{
    m_limits.model_id = m_model_id;
    m_limits.max_tokens = options.max_tokens;
    m_limits.default_max_tokens = std::min(options.max_tokens, 512);
    routes();
}

HttpServer::~HttpServer() = default;

int HttpServer::bind()
{
    int port = m_options.port;
    bool ok;
    if (port == 0) {
        port = m_http->bind_to_any_port(m_options.host);
        ok = port > 0;
    } else
        ok = m_http->bind_to_port(m_options.host, port);
    if (!ok)
        throw Error(ErrorCode::Io, "cannot listen on " + m_options.host + ":" + std::to_string(m_options.port) +
                                       " (in use, or not an address of this machine)");
    return port;
}

void HttpServer::serve() { m_http->listen_after_bind(); }

void HttpServer::stop() { m_http->stop(); }

void HttpServer::send_error(httplib::Response& res, const ApiError& e)
{
    res.status = e.status;
    res.set_content(e.body(), "application/json");
}

bool HttpServer::authorized(const httplib::Request& req, httplib::Response& res) const
{
    if (m_options.api_key.empty() || req.path == "/health")
        return true;
    if (req.get_header_value("Authorization") == "Bearer " + m_options.api_key)
        return true;
    send_error(res, ApiError(401, "a valid API key is needed: send it as 'Authorization: Bearer KEY'", {},
                             "invalid_api_key"));
    return false;
}

void HttpServer::routes()
{
    httplib::Server& http = *m_http;
    const int threads = m_options.http_threads > 0 ? m_options.http_threads : std::max(64, 4 * m_batcher.n_slots());
    http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
    http.set_payload_max_length(m_options.max_body);
    http.set_keep_alive_max_count(1000);

    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        if (!m_options.cors_origin.empty() && req.method == "OPTIONS") {
            res.status = 204;
            res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
            res.set_header("Access-Control-Max-Age", "600");
            return httplib::Server::HandlerResponse::Handled;
        }
        return authorized(req, res) ? httplib::Server::HandlerResponse::Unhandled
                                    : httplib::Server::HandlerResponse::Handled;
    });
    http.set_post_routing_handler([this](const httplib::Request&, httplib::Response& res) {
        if (!m_options.cors_origin.empty())
            res.set_header("Access-Control-Allow-Origin", m_options.cors_origin);
    });
    http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty())
            return httplib::Server::HandlerResponse::Unhandled;
        std::string message = httplib::status_message(res.status);
        if (res.status == 404)
            message = "there is no route " + req.method + " " + req.path;
        else if (res.status == 413)
            message = "the request body is larger than this server accepts";
        send_error(res, ApiError(res.status, message));
        return httplib::Server::HandlerResponse::Handled;
    });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown error";
        try {
            std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
        }
        send_error(res, ApiError(500, "the server failed: " + what, {}, {}, "server_error"));
    });
    http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
        const std::string route = route_label(req.path);
        m_metrics.request_done(route, res.status);
        if (!m_options.log_requests)
            return;
        const std::time_t now = std::time(nullptr);
        char when[32];
        std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
        std::printf("%s\n", dump(Json{{"time", when}, {"remote", req.remote_addr}, {"method", req.method},
                                      {"path", route}, {"status", res.status}})
                                .c_str());
        std::fflush(stdout);
    });

    http.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
        const BatcherStats st = m_batcher.stats();
        res.set_content(dump(Json{{"status", "ok"}, {"model", m_model_id}, {"slots", st.slots},
                                  {"slots_busy", st.slots_busy}, {"queued", st.queued}}),
                        "application/json");
    });
    http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
        res.set_content(m_metrics.render(m_batcher.stats(), m_batcher.n_ctx()), "text/plain; version=0.0.4; charset=utf-8");
    });
    http.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
        Json data = Json::array();
        const auto created = static_cast<int64_t>(std::time(nullptr));
        data.push_back({{"id", m_model_id}, {"object", "model"}, {"created", created}, {"owned_by", "seekbench"},
                        {"context_length", m_batcher.n_ctx()}});
        if (m_embedder)
            data.push_back({{"id", m_embed_id}, {"object", "model"}, {"created", created}, {"owned_by", "seekbench"}});
        res.set_content(dump(Json{{"object", "list"}, {"data", data}}), "application/json");
    });
    // Bodies are read here whatever their Content-Type says (`curl -d` sends JSON as a form,
    // which httplib would otherwise cap at 8 KiB); --max-body still holds.
    auto post = [this, &http](const char* path, auto handle) {
        http.Post(path, [this, handle](const httplib::Request& req, httplib::Response& res,
                                       const httplib::ContentReader& content) {
            std::string body; // httplib stops reading past max_body
            const bool read = content([&body](const char* data, std::size_t n) {
                body.append(data, n);
                return true;
            });
            if (!read && req.get_header_value_u64("Content-Length") > m_options.max_body)
                return send_error(res, ApiError(413, "the request body is larger than this server accepts"));
            if (!read)
                return send_error(res, ApiError(400, "the request body could not be read"));
            handle(req, body, res);
        });
    };
    post("/v1/chat/completions", [this](const httplib::Request& req, const std::string& body, httplib::Response& res) {
        completion(req, body, res, Route::Chat);
    });
    post("/v1/completions", [this](const httplib::Request& req, const std::string& body, httplib::Response& res) {
        completion(req, body, res, Route::Completion);
    });
    post("/v1/embeddings", [this](const httplib::Request&, const std::string& body, httplib::Response& res) {
        embeddings(body, res);
    });
}

std::shared_ptr<HttpServer::Pending> HttpServer::submit(const CompletionRequest& r, uint64_t& id)
{
    const Tokenizer& tok = m_model.tokenizer();
    BatchRequest b;
    if (r.route == Route::Chat)
        b.prompt = tok.encode(m_template.render(r.messages, true), true, true);
    else if (r.prompt_is_tokens)
        b.prompt = r.prompt_tokens;
    else
        b.prompt = tok.encode(r.prompt, true, true);
    b.sampling = r.sampling;
    b.max_tokens = r.max_tokens;
    b.stop = r.stop;
    b.top_logprobs = r.logprobs;
    b.ignore_eos = r.ignore_eos;
    b.strip_leading_space = tok.model() == Tokenizer::Model::Spm && tok.adds_space_prefix() && !b.prompt.empty() &&
                            b.prompt.back() == tok.bos();
    auto pending = std::make_shared<Pending>();
    b.on_event = [this, pending](const BatchEvent& e) {
        const auto now = Clock::now();
        {
            std::lock_guard lock(pending->mutex);
            if (e.chosen.token >= 0) {
                if (pending->first)
                    m_metrics.time_to_first_token(std::chrono::duration<double>(now - pending->arrived).count());
                else
                    m_metrics.inter_token(std::chrono::duration<double>(now - pending->last_token).count());
                pending->first = false;
                pending->last_token = now;
                m_metrics.generated_now(1);
            }
            pending->events.push_back(e);
        }
        pending->cv.notify_all();
        return !pending->gone.load();
    };
    b.on_done = [this, pending](const BatchResult& result) {
        m_metrics.tokens(result.prompt_tokens, result.generated_tokens);
        m_metrics.request_duration(since(pending->arrived));
        {
            std::lock_guard lock(pending->mutex);
            pending->result = result;
        }
        pending->cv.notify_all();
    };
    try {
        id = m_batcher.submit(std::move(b));
    } catch (const Error& e) {
        if (e.code() == ErrorCode::ContextFull)
            throw ApiError(400, e.what(), r.route == Route::Chat ? "messages" : "prompt", "context_length_exceeded");
        throw ApiError(400, e.what());
    }
    return pending;
}

void HttpServer::completion(const httplib::Request& req, const std::string& body, httplib::Response& res, Route route)
{
    try {
        const CompletionRequest r = parse_completion(body, route, m_limits);
        uint64_t id = 0;
        auto pending = submit(r, id);
        if (r.stream)
            reply_stream(res, r, std::move(pending), id);
        else
            reply_whole(req, res, r, pending, id);
    } catch (const ApiError& e) {
        send_error(res, e);
    }
}

void HttpServer::reply_whole(const httplib::Request& req, httplib::Response& res, const CompletionRequest& r,
                             const std::shared_ptr<Pending>& pending, uint64_t id)
{
    std::unique_lock lock(pending->mutex);
    while (!pending->result) {
        if (!pending->cv.wait_for(lock, kPoll, [&] { return pending->result.has_value(); }) &&
            req.is_connection_closed()) {
            pending->gone = true;
            m_batcher.cancel(id);
        }
    }
    const BatchResult result = *pending->result;
    std::string text;
    Json logprobs = nullptr;
    Json chat_lp = Json::array();
    std::size_t offset = r.echo ? r.prompt.size() : 0;
    for (const BatchEvent& e : pending->events) {
        if (r.logprobs >= 0 && e.chosen.token >= 0) {
            if (r.route == Route::Chat)
                chat_lp.push_back(chat_logprob(e));
            else
                append_completion_logprob(logprobs, e, offset + text.size());
        }
        text += e.text;
    }
    lock.unlock();
    if (result.finish_reason == "error")
        return send_error(res, ApiError(500, "the model failed: " + result.error, {}, {}, "server_error"));
    const auto created = static_cast<int64_t>(std::time(nullptr));
    Json out;
    if (r.route == Route::Chat) {
        ReasoningSplitter split(m_template.starts_with_thinking());
        auto d = split.push(text);
        const auto tail = split.finish();
        Json message = {{"role", "assistant"}, {"content", d.content + tail.content}};
        if (!(d.reasoning + tail.reasoning).empty())
            message["reasoning_content"] = d.reasoning + tail.reasoning;
        out = {{"id", "chatcmpl-" + std::to_string(id)}, {"object", "chat.completion"}, {"created", created},
               {"model", m_model_id},
               {"choices", Json::array({{{"index", 0}, {"message", message},
                                         {"logprobs", r.logprobs >= 0 ? Json{{"content", chat_lp}} : Json(nullptr)},
                                         {"finish_reason", finish_reason(result)}}})},
               {"usage", usage(result)}};
    } else {
        out = {{"id", "cmpl-" + std::to_string(id)}, {"object", "text_completion"}, {"created", created},
               {"model", m_model_id},
               {"choices", Json::array({{{"index", 0}, {"text", (r.echo ? r.prompt : std::string()) + text},
                                         {"logprobs", logprobs}, {"finish_reason", finish_reason(result)}}})},
               {"usage", usage(result)}};
    }
    res.set_content(dump(out), "application/json");
}

void HttpServer::reply_stream(httplib::Response& res, const CompletionRequest& r, std::shared_ptr<Pending> pending,
                              uint64_t id)
{
    const bool chat = r.route == Route::Chat;
    const std::string rid = (chat ? "chatcmpl-" : "cmpl-") + std::to_string(id);
    const auto created = static_cast<int64_t>(std::time(nullptr));
    auto chunk = [this, rid, created, chat](Json choice) {
        choice["index"] = 0;
        return Json{{"id", rid}, {"object", chat ? "chat.completion.chunk" : "text_completion"}, {"created", created},
                    {"model", m_model_id}, {"choices", Json::array({choice})}};
    };
    res.set_header("Cache-Control", "no-cache");
    auto split = std::make_shared<ReasoningSplitter>(m_template.starts_with_thinking());
    auto started = std::make_shared<bool>(false);
    auto offset = std::make_shared<std::size_t>(r.echo ? r.prompt.size() : 0);
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, r, pending, id, chunk, chat, split, started, offset](std::size_t, httplib::DataSink& sink) {
            auto gone = [&] {
                pending->gone = true;
                m_batcher.cancel(id);
                return false;
            };
            std::string out;
            if (!*started) {
                *started = true;
                if (chat)
                    out += sse(chunk({{"delta", {{"role", "assistant"}, {"content", ""}}}, {"logprobs", nullptr},
                                      {"finish_reason", nullptr}}));
                else if (r.echo)
                    out += sse(chunk({{"text", r.prompt}, {"logprobs", nullptr}, {"finish_reason", nullptr}}));
            }
            std::deque<BatchEvent> events;
            std::optional<BatchResult> result;
            {
                std::unique_lock lock(pending->mutex);
                pending->cv.wait_for(lock, kPoll, [&] { return !pending->events.empty() || pending->result; });
                events.swap(pending->events);
                result = pending->result;
            }
            for (const BatchEvent& e : events) {
                const bool lp = r.logprobs >= 0 && e.chosen.token >= 0;
                if (chat) {
                    const auto d = split->push(e.text);
                    Json delta = Json::object();
                    if (!d.reasoning.empty())
                        delta["reasoning_content"] = d.reasoning;
                    if (!d.content.empty())
                        delta["content"] = d.content;
                    if (delta.empty() && !lp)
                        continue;
                    out += sse(chunk({{"delta", delta},
                                      {"logprobs", lp ? Json{{"content", Json::array({chat_logprob(e)})}} : Json(nullptr)},
                                      {"finish_reason", nullptr}}));
                } else {
                    if (e.text.empty() && !lp)
                        continue;
                    Json logprobs = nullptr;
                    if (lp)
                        append_completion_logprob(logprobs, e, *offset);
                    *offset += e.text.size();
                    out += sse(chunk({{"text", e.text}, {"logprobs", logprobs}, {"finish_reason", nullptr}}));
                }
            }
            if (result) {
                if (result->finish_reason == "error") {
                    out += sse(Json{{"error", {{"message", "the model failed: " + result->error}, {"type", "server_error"}}}});
                } else {
                    if (chat) {
                        const auto d = split->finish();
                        Json delta = Json::object();
                        if (!d.reasoning.empty())
                            delta["reasoning_content"] = d.reasoning;
                        if (!d.content.empty())
                            delta["content"] = d.content;
                        out += sse(chunk({{"delta", delta}, {"logprobs", nullptr}, {"finish_reason", finish_reason(*result)}}));
                    } else
                        out += sse(chunk({{"text", ""}, {"logprobs", nullptr}, {"finish_reason", finish_reason(*result)}}));
                    if (r.include_usage) {
                        Json last = chunk({});
                        last["choices"] = Json::array();
                        last["usage"] = usage(*result);
                        out += sse(last);
                    }
                }
                out += "data: [DONE]\n\n";
            }
            if (!out.empty() && !sink.write(out.data(), out.size()))
                return gone();
            if (out.empty() && !sink.is_writable())
                return gone();
            if (result)
                sink.done();
            return true;
        },
        [this, pending, id](bool success) {
            if (!success && !pending->result) {
                pending->gone = true;
                m_batcher.cancel(id);
            }
        });
}

void HttpServer::embeddings(const std::string& body, httplib::Response& res)
{
    try {
        if (!m_embedder)
            throw ApiError(400, "this server has no embedding model; start it with --embed-model FILE", "model",
                           "model_not_found");
        const EmbeddingRequest r = parse_embedding(body, m_embed_id);
        Json data = Json::array();
        int tokens = 0;
        std::lock_guard lock(m_embed_mutex);
        for (std::size_t i = 0; i < r.inputs.size(); ++i) {
            const Embedding e = m_embedder->embed(r.inputs[i]);
            tokens += e.tokens;
            data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", e.vector}});
        }
        res.set_content(dump(Json{{"object", "list"}, {"data", data}, {"model", m_embed_id},
                                  {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}}),
                        "application/json");
    } catch (const ApiError& e) {
        send_error(res, e);
    } catch (const Error& e) {
        send_error(res, ApiError(400, e.what(), "input"));
    }
}

} // namespace seekbench::server
