// seekbench-cli trace: runs a prompt (and optionally generates) with tracing on and writes
// the attention and routing records as JSON; and the expert-load table of `run`.
#include "args.h"
#include "commands.h"
#include "routing_stats.h"

#include "engine/error.h"
#include "engine/model.h"
#include "engine/session.h"
#include "engine/trace.h"

#include <cstdio>
#include <sstream>

namespace seekbench::cli {
namespace {

std::vector<int> int_list(const std::string& text, const char* what, int limit)
{
    std::vector<int> out;
    std::stringstream s(text);
    for (std::string item; std::getline(s, item, ',');) {
        char* end = nullptr;
        const long v = std::strtol(item.c_str(), &end, 10);
        if (item.empty() || *end != '\0' || v < 0 || v >= limit)
            throw Error(ErrorCode::InvalidArgument, std::string(what) + " '" + item + "' is not between 0 and " +
                                                        std::to_string(limit - 1));
        out.push_back(static_cast<int>(v));
    }
    return out;
}

} // namespace

int cmd_trace(int argc, char** argv)
{
    const Args a(argc, argv, 2, {"-m", "--model", "-p", "--prompt", "-n", "--layers", "--heads", "--json", "--threads", "--device", "--cpu", "--gpu-layers"});
    a.allow_only({"-m", "--model", "-p", "--prompt", "-n", "--layers", "--heads", "--json", "--threads", "--device", "--cpu", "--gpu-layers", "--experts-on-cpu",
                  "--no-attention", "--no-routing"});
    const std::string path = a.str("-m", a.str("--model")), out = a.str("--json");
    if (path.empty() || out.empty())
        throw Error(ErrorCode::InvalidArgument, "trace needs -m FILE.gguf and --json OUT.json");
    const auto model = Model::load(path);
    const ModelConfig& c = model->config();
    Trace trace;
    trace.options.attention = !a.has("--no-attention");
    trace.options.routing = !a.has("--no-routing") && c.is_moe();
    if (a.has("--layers"))
        trace.options.layers = int_list(a.str("--layers"), "layer", c.n_layers);
    if (a.has("--heads"))
        trace.options.heads = int_list(a.str("--heads"), "head", c.n_heads);
    const std::string prompt = a.str("-p", a.str("--prompt"));
    std::vector<int32_t> tokens = model->tokenizer().encode(prompt, true);
    if (tokens.empty())
        throw Error(ErrorCode::InvalidArgument, "give some text to trace with -p");
    const auto backend = backend_for(a, *model);
    Session session(*backend);
    session.set_trace(&trace);
    SamplerParams greedy;
    greedy.temperature = 0;
    Sampler sampler(greedy);
    session.generate(tokens, sampler, a.integer("-n", 0), {});
    for (int32_t t : trace.tokens)
        trace.pieces.push_back(model->tokenizer().piece(t, true));
    write_trace_json(trace, out);
    std::fprintf(stderr, "trace: %zu tokens, %zu attention maps, %zu routing records, %.1f MiB -> %s\n",
                 trace.tokens.size(), trace.attention.size(), trace.routing.size(),
                 static_cast<double>(trace.bytes()) / 1048576.0, out.c_str());
    if (trace.options.routing)
        print_routing_stats(trace, stderr);
    return 0;
}

} // namespace seekbench::cli
