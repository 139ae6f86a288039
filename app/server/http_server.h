// seekbench-server's HTTP side: the OpenAI routes, /health and /metrics over cpp-httplib
// (a thread per connection from a pool, so a streaming reply notices at its next write or
// within 200 ms that its client went away, and frees its slot). Requests become batcher
// requests; the reply streams as server-sent events or comes back whole.
// Leaves out: TLS (put a reverse proxy in front), more than one model per server.
#pragma once

#include "metrics.h"
#include "openai.h"

#include "engine/batcher.h"
#include "engine/chat_template.h"
#include "engine/embedding.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace httplib {
class Server;
struct Request;
struct Response;
}

namespace seekbench::server {

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8080;            // 0: any free port
    std::string api_key;        // "": no key asked
    std::string cors_origin;    // "": no CORS headers
    std::size_t max_body = std::size_t(8) << 20;
    int max_tokens = 4096;      // a request's max_tokens at most
    int http_threads = 0;       // 0: enough for every slot's stream and more
    bool log_requests = true;   // one JSON line per request on stdout
};

class HttpServer {
public:
    // `embedder` (may be null) answers /v1/embeddings.
    HttpServer(Batcher& batcher, std::string model_id, Embedder* embedder, std::string embed_model_id,
               const ServerOptions& options);
    ~HttpServer();

    // Binds the address; throws Error (Io) when it cannot. Returns the port.
    int bind();
    // Serves until stop(); call bind() first.
    void serve();
    void stop(); // any thread

private:
    struct Pending;
    void routes();
    bool authorized(const httplib::Request& req, httplib::Response& res) const;
    void completion(const httplib::Request& req, const std::string& body, httplib::Response& res, Route route);
    void embeddings(const std::string& body, httplib::Response& res);
    std::shared_ptr<Pending> submit(const CompletionRequest& request, uint64_t& id);
    void reply_whole(const httplib::Request& req, httplib::Response& res, const CompletionRequest& request,
                     const std::shared_ptr<Pending>& pending, uint64_t id);
    void reply_stream(httplib::Response& res, const CompletionRequest& request, std::shared_ptr<Pending> pending,
                      uint64_t id);
    static void send_error(httplib::Response& res, const ApiError& e);

    Batcher& m_batcher;
    const Model& m_model;
    ChatTemplate m_template;
    std::string m_model_id;
    Embedder* m_embedder;
    std::string m_embed_id;
    std::mutex m_embed_mutex; // one text at a time through the embedder
    ServerOptions m_options;
    Limits m_limits;
    Metrics m_metrics;
    std::atomic<uint64_t> m_next_id{1};
    std::unique_ptr<httplib::Server> m_http;
};

} // namespace seekbench::server
