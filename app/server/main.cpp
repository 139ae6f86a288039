// seekbench-server: an OpenAI-compatible HTTP server for one model (the built-in one when
// no -m), with continuous batching over --parallel slots, Prometheus metrics and an
// optional embedding model. Headless: no Qt. Ctrl-C or SIGTERM stops it cleanly.
#include "http_server.h"

#include "app/cli/args.h"
#include "engine/error.h"
#include "engine/model.h"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <pthread.h>
#include <thread>

using namespace seekbench;

namespace {

int usage(FILE* out)
{
    std::fprintf(out,
                 "usage: seekbench-server [-m FILE] [--host 127.0.0.1] [--port 8080] [--parallel N] [--ctx N]\n"
                 "                        [--api-key KEY] [--embed-model FILE] [--threads N] [--device D]\n"
                 "                        [--max-tokens N] [--max-body BYTES] [--cors ORIGIN] [--batch N]\n"
                 "                        [--http-threads N] [--cpu TIER] [--gpu-layers N] [--experts-on-cpu]\n"
                 "                        [--quiet]\n\n"
                 "Serves GET /v1/models, POST /v1/chat/completions, /v1/completions (streaming or not),\n"
                 "POST /v1/embeddings (with --embed-model), GET /health and GET /metrics (Prometheus).\n"
                 "  -m FILE          the chat model (GGUF); the built-in model when absent\n"
                 "  --host H         the address to listen on (loopback unless you say otherwise)\n"
                 "  --port P         0 picks a free port (printed on the first line)\n"
                 "  --parallel N     slots: requests generated at once (4); more wait in a queue\n"
                 "  --ctx N          context per slot (the model's, at most 4096)\n"
                 "  --api-key KEY    every route but /health asks for 'Authorization: Bearer KEY'\n"
                 "                   (also read from SEEKBENCH_API_KEY, which keeps it out of `ps`)\n"
                 "  --max-tokens N   the most a request may ask for (4096)\n"
                 "  --max-body B     the largest request body, bytes (8 MiB)\n"
                 "  --cors ORIGIN    send Access-Control-Allow-Origin: ORIGIN (off by default)\n"
                 "  --quiet          no request log (one JSON line per request on stdout)\n");
    return out == stderr ? 2 : 0;
}

std::string model_id(const std::string& path)
{
    std::string stem = std::filesystem::path(path).stem().string();
    return stem.empty() ? std::string("model") : stem;
}

} // namespace

int main(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i)
        if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h"))
            return usage(stdout);
    try {
        cli::Args a(argc, argv, 1,
                    {"-m", "--model", "--host", "--port", "--parallel", "--ctx", "--api-key", "--embed-model",
                     "--threads", "--device", "--cpu", "--gpu-layers", "--max-tokens", "--max-body", "--cors", "--batch", "--http-threads"});
        a.allow_only({"-m", "--model", "--host", "--port", "--parallel", "--ctx", "--api-key", "--embed-model",
                      "--threads", "--device", "--cpu", "--gpu-layers", "--experts-on-cpu", "--max-tokens", "--max-body", "--cors", "--batch", "--http-threads",
                      "--quiet"});
        if (!a.positional().empty())
            throw Error(ErrorCode::InvalidArgument, "unexpected argument: " + a.positional().front());

        server::ServerOptions o;
        o.host = a.str("--host", "127.0.0.1");
        o.port = a.integer("--port", 8080);
        if (o.port < 0 || o.port > 65535)
            throw Error(ErrorCode::InvalidArgument, "--port must be 0..65535");
        o.api_key = a.str("--api-key");
        if (o.api_key.empty())
            if (const char* env = std::getenv("SEEKBENCH_API_KEY"))
                o.api_key = env;
        o.cors_origin = a.str("--cors");
        o.max_tokens = a.integer("--max-tokens", 4096);
        const double max_body = a.number("--max-body", double(o.max_body));
        if (o.max_tokens < 1 || max_body < 1024 || max_body > double(1ull << 30))
            throw Error(ErrorCode::InvalidArgument, "--max-tokens must be at least 1 and --max-body 1 KiB..1 GiB");
        o.max_body = static_cast<std::size_t>(max_body);
        o.http_threads = a.integer("--http-threads", 0);
        o.log_requests = !a.has("--quiet");

        // Signals go to one thread that stops the server; every other thread ignores them.
        sigset_t stop_signals;
        sigemptyset(&stop_signals);
        sigaddset(&stop_signals, SIGINT);
        sigaddset(&stop_signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
        std::signal(SIGPIPE, SIG_IGN);

        const std::string path = cli::model_path(a);
        std::fprintf(stderr, "loading %s\n", path.c_str());
        const auto model = Model::load(path);
        if (model->config().is_encoder())
            throw Error(ErrorCode::InvalidArgument, path + " is an embedding model; give it as --embed-model and a chat model as -m");
        const auto backend = cli::backend_for(a, *model);
        BatcherOptions bo;
        bo.n_slots = a.integer("--parallel", 4);
        bo.n_ctx = a.integer("--ctx", 0);
        bo.n_batch = a.integer("--batch", 512);
        Batcher batcher(*backend, bo);

        std::unique_ptr<Embedder> embedder;
        std::string embed_id;
        if (a.has("--embed-model")) {
            embedder = Embedder::open(a.str("--embed-model"), a.threads());
            embed_id = model_id(a.str("--embed-model"));
        }

        server::HttpServer http(batcher, model_id(path), embedder.get(), embed_id, o);
        const int port = http.bind();
        std::fprintf(stderr, "seekbench-server: %s on %s, %d slots of %d tokens\n", model_id(path).c_str(),
                     backend->describe().c_str(), batcher.n_slots(), batcher.n_ctx());
        std::printf("listening on http://%s:%d\n", o.host.c_str(), port);
        std::fflush(stdout);
        std::jthread stopper([&http, stop_signals] {
            int sig = 0;
            sigwait(&stop_signals, &sig);
            http.stop();
        });
        http.serve();
        pthread_kill(stopper.native_handle(), SIGTERM); // serve() also ends when listening fails
        std::fprintf(stderr, "seekbench-server: stopped\n");
        return 0;
    } catch (const Error& e) {
        std::fprintf(stderr, "seekbench-server: %s\n", e.what());
        return e.code() == ErrorCode::InvalidArgument ? 2 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "seekbench-server: %s\n", e.what());
        return 1;
    }
}
