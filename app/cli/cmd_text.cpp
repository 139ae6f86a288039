// seekbench-cli info, run, tokenize and devices.
#include "args.h"
#include "commands.h"
#include "routing_stats.h"

#include "engine/cpu/cpu_device.h"
#include "engine/backend.h"
#include "engine/device.h"
#include "engine/error.h"
#include "engine/gguf.h"
#include "engine/model.h"
#include "engine/perplexity.h"
#include "engine/session.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>

namespace seekbench::cli {
namespace {

std::string human_bytes(double b)
{
    char buf[32];
    if (b >= 1073741824.0)
        std::snprintf(buf, sizeof buf, "%.2f GiB", b / 1073741824.0);
    else
        std::snprintf(buf, sizeof buf, "%.2f MiB", b / 1048576.0);
    return buf;
}

} // namespace

int cmd_devices(int, char**)
{
    const CpuInfo cpu = probe_cpu();
    std::printf("cpu: %s\n", cpu.model.empty() ? "(unknown model)" : cpu.model.c_str());
    std::printf("     %s; f16c %s, avx-vnni %s, avx512-vnni %s, avx512-bf16 %s, amx %s\n", describe(cpu).c_str(),
                cpu.f16c ? "yes" : "no", cpu.avxvnni ? "yes" : "no", cpu.avx512vnni ? "yes" : "no",
                cpu.avx512bf16 ? "yes" : "no", cpu.amx_bf16 ? "yes" : "no");
    std::printf("     kernels: %s\n", CpuDevice(1).describe().c_str());
    const CudaProbe cuda = probe_cuda();
    if (!cuda.available) {
        std::printf("cuda: %s\n", cuda.reason.c_str());
        return 0;
    }
    std::printf("cuda: runtime %d.%d, driver %d.%d\n", cuda.runtime_version / 1000,
                cuda.runtime_version % 1000 / 10, cuda.driver_version / 1000, cuda.driver_version % 1000 / 10);
    for (const CudaDevice& d : cuda.devices)
        std::printf("  [%d] %s, sm_%d%d, %.1f GiB (%.1f GiB free)\n", d.index, d.name.c_str(),
                    d.compute_major, d.compute_minor, d.total_memory / 1073741824.0, d.free_memory / 1073741824.0);
    return 0;
}

int cmd_info(int argc, char** argv)
{
    const Args a(argc, argv, 2, {"-m", "--model"});
    a.allow_only({"-m", "--model", "--tensors"});
    const auto model = Model::load(model_path(a));
    const ModelInfo i = model->info();
    const ModelConfig& c = model->config();
    std::printf("file:          %s (%s)\n", i.path.c_str(), human_bytes(static_cast<double>(i.file_bytes)).c_str());
    std::printf("name:          %s\n", i.name.empty() ? "(none)" : i.name.c_str());
    std::printf("architecture:  %s\n", i.arch.c_str());
    std::printf("parameters:    %.3f B (%llu)\n", static_cast<double>(i.parameters) / 1e9,
                static_cast<unsigned long long>(i.parameters));
    std::printf("format:        %s\n", i.file_type.c_str());
    std::printf("layers:        %d, embedding %d, feed-forward %d\n", c.n_layers, c.dim, c.hidden_dim);
    std::printf("attention:     %d heads, %d KV heads, head size %d, rope %s base %g over %d dims\n",
                c.n_heads, c.n_kv_heads, c.head_dim, c.rope_type == RopeType::Neox ? "neox" : "normal",
                static_cast<double>(c.rope_base), c.rope_dims);
    std::printf("context:       %d (training)\n", c.n_ctx_train);
    std::printf("output:        %s\n", c.tied_output ? "tied to the token embedding" : "separate");
    std::printf("tokenizer:     %s\n", i.tokenizer.c_str());
    std::map<std::string, std::pair<int, uint64_t>> types;
    for (const GgufTensor& t : model->file().tensors()) {
        auto& [count, bytes] = types[type_name(t.type)];
        ++count;
        bytes += t.nbytes;
    }
    std::printf("tensor types: ");
    for (const auto& [name, v] : types)
        std::printf(" %s x%d (%s)", name.c_str(), v.first, human_bytes(static_cast<double>(v.second)).c_str());
    std::printf("\nchat template: %s\n", i.chat_template.empty() ? "(none)" : "");
    if (!i.chat_template.empty())
        std::printf("%s\n", i.chat_template.c_str());
    if (a.has("--tensors"))
        for (const GgufTensor& t : model->file().tensors())
            std::printf("  %-32s %-6s %s\n", t.name.c_str(), type_name(t.type), t.shape_string().c_str());
    return 0;
}

int cmd_tokenize(int argc, char** argv)
{
    const Args a(argc, argv, 2, {"-m", "--model", "-f", "--file"});
    a.allow_only({"-m", "--model", "-f", "--file", "--no-bos", "--special"});
    const auto file = GgufFile::open(model_path(a));
    const auto tok = Tokenizer::from_gguf(*file);
    std::string text;
    if (a.has("-f") || a.has("--file"))
        text = read_file(a.str("-f", a.str("--file")));
    else if (a.positional().size() == 1)
        text = a.positional()[0];
    else
        throw Error(ErrorCode::InvalidArgument, "give the text as one argument or with -f FILE");
    const auto ids = tok->encode(text, !a.has("--no-bos"), a.has("--special"));
    for (std::size_t i = 0; i < ids.size(); ++i)
        std::printf(i ? " %d" : "%d", ids[i]);
    std::printf("\n");
    return 0;
}

int cmd_run(int argc, char** argv)
{
    const Args a(argc, argv, 2,
                 {"-m", "--model", "-p", "--prompt", "-f", "--file", "-n", "--temp", "--seed", "--threads",
                  "--device", "--cpu", "--gpu-layers", "--top-k", "--top-p", "--min-p", "--repeat-penalty", "--ctx", "--kv-type"});
    a.allow_only({"-m", "--model", "-p", "--prompt", "-f", "--file", "-n", "--temp", "--seed", "--threads", "--device", "--cpu", "--gpu-layers", "--experts-on-cpu",
                  "--top-k", "--top-p", "--min-p", "--repeat-penalty", "--ctx", "--kv-type", "--special",
                  "--routing-stats", "--force-ctx"});
    // Everything the user typed is checked before the model is read.
    const std::string prompt = prompt_text(a);
    const int n_predict = a.integer("-n", 256);
    if (n_predict < 0)
        throw Error(ErrorCode::InvalidArgument, "-n must be 0 or more tokens, not " + std::to_string(n_predict));
    SamplerParams sp;
    sp.temperature = static_cast<float>(a.number("--temp", 0.8));
    sp.seed = static_cast<uint64_t>(a.integer("--seed", 42));
    sp.top_k = a.integer("--top-k", 40);
    sp.top_p = static_cast<float>(a.number("--top-p", 0.95));
    sp.min_p = static_cast<float>(a.number("--min-p", 0.05));
    sp.repeat_penalty = static_cast<float>(a.number("--repeat-penalty", 1.0));
    check_sampler_params(sp);
    SessionOptions so;
    so.n_ctx = a.integer("--ctx", 0);
    if (a.has("--ctx") && so.n_ctx < 1)
        throw Error(ErrorCode::InvalidArgument, "--ctx must be at least 1 token, not " + std::to_string(so.n_ctx));
    so.beyond_training = a.has("--force-ctx");
    const auto t0 = std::chrono::steady_clock::now();
    const auto model = Model::load(model_path(a));
    if (so.n_ctx > model->config().n_ctx_train && !so.beyond_training)
        throw Error(ErrorCode::InvalidArgument, "--ctx " + std::to_string(so.n_ctx) + " is more than the " +
                                                    std::to_string(model->config().n_ctx_train) +
                                                    " tokens this model was trained for (--force-ctx to go beyond)");
    const auto backend = backend_for(a, *model);
    const std::string kv = a.str("--kv-type", "f16");
    if (kv != "f16" && kv != "f32")
        throw Error(ErrorCode::InvalidArgument, "--kv-type must be f16 or f32");
    so.kv_type = kv == "f32" ? KvType::F32 : KvType::F16;
    Session session(*backend, so);
    Trace routing; // only the router's choices, for --routing-stats
    routing.options.routing = true;
    if (a.has("--routing-stats")) {
        if (!model->config().is_moe())
            throw Error(ErrorCode::InvalidArgument, "--routing-stats: this model has no experts");
        session.set_trace(&routing);
    }
    const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    std::vector<int32_t> tokens = model->tokenizer().encode(prompt, true, a.has("--special"));
    if (tokens.empty()) { // nothing to condition on: start from BOS, as llama2.c does
        if (model->tokenizer().bos() < 0)
            throw Error(ErrorCode::InvalidArgument, "this model has no BOS token; give a prompt with -p");
        tokens.push_back(model->tokenizer().bos());
    }
    Sampler sampler(sp);

    std::fputs(prompt.c_str(), stdout);
    // The whole context is available: prompt + generated, up to the session's size.
    const int budget = std::min(n_predict, session.n_ctx() - static_cast<int>(tokens.size()));
    const GenerateStats st = session.generate(tokens, sampler, budget, [](int32_t, const std::string& text) {
        std::fputs(text.c_str(), stdout);
        std::fflush(stdout);
        return true;
    });
    std::printf("\n");
    std::fprintf(stderr, "\nload: %.3f s (%s)\n", load_s, backend->describe().c_str());
    std::fprintf(stderr, "prompt: %d tokens in %.3f s, %.2f tokens/s\n", st.prompt_tokens, st.prompt_seconds,
                 st.prompt_seconds > 0 ? st.prompt_tokens / st.prompt_seconds : 0.0);
    std::fprintf(stderr, "generation: %d tokens in %.3f s, %.2f tokens/s (stop: %s)\n", st.generated_tokens,
                 st.generate_seconds, st.generate_seconds > 0 ? st.generated_tokens / st.generate_seconds : 0.0,
                 st.stop_reason.c_str());
    if (a.has("--routing-stats")) {
        std::fprintf(stderr, "routing over %zu tokens (prompt and generated):\n", routing.tokens.size());
        print_routing_stats(routing, stderr);
    }
    return 0;
}

int cmd_perplexity(int argc, char** argv)
{
    const Args a(argc, argv, 2, {"-m", "--model", "-f", "--file", "--window", "--threads", "--device", "--cpu", "--gpu-layers"});
    a.allow_only({"-m", "--model", "-f", "--file", "--window", "--threads", "--device", "--cpu", "--gpu-layers", "--experts-on-cpu"});
    if (!a.has("-f") && !a.has("--file"))
        throw Error(ErrorCode::InvalidArgument, "perplexity needs the text: -f FILE");
    const auto model = Model::load(model_path(a));
    const auto backend = backend_for(a, *model);
    // Special-token text (<|endoftext|>, chat markers) becomes those tokens, as in training.
    const std::vector<int32_t> tokens = model->tokenizer().encode(read_file(a.str("-f", a.str("--file"))), false, true);
    if (tokens.size() < 2)
        throw Error(ErrorCode::InvalidArgument, a.str("-f", a.str("--file")) + " has " + std::to_string(tokens.size()) +
                                                    " tokens; perplexity needs at least 2 (one to predict from)");
    const int window = a.integer("--window", 256);
    const auto t0 = std::chrono::steady_clock::now();
    const LossResult r = mean_loss(*backend, tokens, window);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("loss %.4f nats/token, perplexity %.3f, %lld tokens predicted (window %d)\n", r.mean_nll,
                std::exp(r.mean_nll), r.predicted, window);
    std::fprintf(stderr, "%.2f s, %.0f tokens/s\n", s, s > 0 ? double(r.predicted) / s : 0.0);
    return 0;
}

} // namespace seekbench::cli
