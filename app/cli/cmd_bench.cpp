// seekbench-cli bench (prompt processing and generation speed, like llama-bench; and the
// machine's memory bandwidth) and synth (random-weight models of named shapes).
#include "args.h"
#include "commands.h"

#include "engine/cpu/backend.h"
#include "engine/cpu/profile_run.h"
#include "engine/error.h"
#include "engine/forward.h"
#include "engine/model.h"
#include "engine/profile.h"
#include "engine/synth.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <numeric>
#include <vector>

namespace seekbench::cli {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Spread {
    double median, low, high;
};

Spread spread(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    const double median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    return {median, v.front(), v.back()};
}

} // namespace

int cmd_bench(int argc, char** argv)
{
    for (int i = 2; i < argc; ++i) {
        if (std::strcmp(argv[i], "--first-token") == 0)
            return bench_first_token(argc, argv);
#ifdef SEEKBENCH_HAVE_STORAGE
        if (std::strcmp(argv[i], "--search") == 0)
            return bench_search(argc, argv);
#endif
    }
    const Args a(argc, argv, 2, {"-m", "--model", "-p", "-n", "-r", "--threads", "--device", "--cpu", "--gpu-layers"});
    a.allow_only({"-m", "--model", "-p", "-n", "-r", "--threads", "--device", "--cpu", "--gpu-layers", "--experts-on-cpu", "--memory", "--fma",
                  "--no-amx", "--trace"});
    if (a.has("--memory")) {
        CpuDevice cpu(a.threads());
        const double gbs = memory_bandwidth(cpu.pool(), std::size_t(1) << 30);
        std::printf("memory read bandwidth: %.1f GB/s (%d threads, 1 GiB buffer, best of 5)\n", gbs, cpu.pool().size());
        return 0;
    }
    if (a.has("--fma")) {
        CpuDevice cpu(a.threads(), cpu_tier(a.str("--cpu")));
        const double gflops = fma_peak(cpu.pool(), cpu.kernels());
        const int bits = 32 * cpu.kernels().fma_lanes;
        std::printf("float multiply-add peak: %.1f GFLOP/s (CPU %s, %d threads, %s, best of 5)\n", gflops, cpu.kernels().name,
                    cpu.pool().size(), bits > 32 ? (std::to_string(bits) + "-bit vectors").c_str() : "scalar");
        return 0;
    }
    const std::string path = a.str("-m", a.str("--model"));
    if (path.empty())
        throw Error(ErrorCode::InvalidArgument, "a model is needed: -m FILE.gguf");
    const int n_prompt = a.integer("-p", 512), n_gen = a.integer("-n", 128), reps = a.integer("-r", 5);
    if (n_prompt < 0 || n_gen < 0 || reps < 1)
        throw Error(ErrorCode::InvalidArgument, "-p and -n must be >= 0 and -r >= 1");
    const auto model = Model::load(path);
    const ModelConfig& c = model->config();
    if (std::max(n_prompt, n_gen) + 1 > c.n_ctx_train)
        throw Error(ErrorCode::InvalidArgument, "-p " + std::to_string(n_prompt) + " / -n " + std::to_string(n_gen) +
                                                    " do not fit the " + std::to_string(c.n_ctx_train) +
                                                    " tokens this model was trained for");
    const ModelInfo info = model->info();
    const auto backend = backend_for(a, *model);
    model->wait_for_background_reads(120); // time the settled model, not its first seconds
    backend->wait_for_background_work(120);
    auto* cpu = dynamic_cast<CpuBackend*>(backend.get());
    if (cpu && a.has("--no-amx"))
        cpu->device().matmul().set_amx(false);
    const std::string threads = cpu ? std::to_string(cpu->device().pool().size()) : "-";
    const int n_ctx = std::max(n_prompt, n_gen) + 1;
    const auto context = backend->new_context(n_ctx, 1, KvType::F16);
    std::vector<float> logits;
    Batch batch;
    // --trace: record everything a trace can (all attention, all routing) to show its cost.
    Trace trace;
    trace.options.attention = trace.options.routing = true;
    Trace* tracing = a.has("--trace") ? &trace : nullptr;
    uint64_t rng = 12345;
    auto random_token = [&] {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<int32_t>((rng >> 33) % static_cast<uint64_t>(c.n_vocab));
    };

    std::printf("| model | size | params | backend | threads | test | t/s (median) | spread |\n");
    std::printf("| --- | ---: | ---: | --- | ---: | --- | ---: | ---: |\n");
    auto row = [&](const char* test, const Spread& s) {
        std::printf("| %s %s | %.2f GiB | %.2f B | %s%s | %s | %s | %.2f | %.2f - %.2f |\n",
                    info.arch.c_str(), info.file_type.c_str(), static_cast<double>(info.file_bytes) / 1073741824.0,
                    static_cast<double>(info.parameters) / 1e9, backend->describe().c_str(), tracing ? ", traced" : "",
                    threads.c_str(), test,
                    s.median, s.low, s.high);
        std::fflush(stdout);
    };
    // One untimed warm-up of each test: page in the weights, size the buffers.
    for (int r = -1; n_prompt > 0 && r < reps; ++r) {
        static std::vector<double> speeds;
        if (r == -1)
            speeds.clear();
        batch.clear();
        for (int i = 0; i < n_prompt; ++i)
            batch.add(random_token(), i, 0, i + 1 == n_prompt);
        const auto t0 = Clock::now();
        context->forward(batch, logits, tracing);
        if (r >= 0)
            speeds.push_back(n_prompt / since(t0));
        trace.attention.clear(), trace.routing.clear(), trace.tokens.clear(), trace.positions.clear();
        if (r + 1 == reps)
            row(("pp" + std::to_string(n_prompt)).c_str(), spread(speeds));
    }
    for (int r = -1; n_gen > 0 && r < reps; ++r) {
        static std::vector<double> speeds;
        if (r == -1)
            speeds.clear();
        const auto t0 = Clock::now();
        for (int i = 0; i < n_gen; ++i) {
            batch.clear();
            batch.add(random_token(), i, 0, true);
            context->forward(batch, logits, tracing);
        }
        if (r >= 0)
            speeds.push_back(n_gen / since(t0));
        trace.attention.clear(), trace.routing.clear(), trace.tokens.clear(), trace.positions.clear();
        if (r + 1 == reps)
            row(("tg" + std::to_string(n_gen)).c_str(), spread(speeds));
    }
    return 0;
}

int cmd_synth(int argc, char** argv)
{
    const Args a(argc, argv, 2, {"--preset", "--type", "-o", "--seed", "--threads"});
    a.allow_only({"--preset", "--type", "-o", "--seed", "--threads", "--list-presets"});
    if (a.has("--list-presets")) {
        for (const SynthPreset& p : synth_presets())
            std::printf("%-16s %-6s dim %d, %d layers, %d/%d heads, ffn %d, vocab %d (%s)\n", p.name.c_str(),
                        p.arch.c_str(), p.dim, p.n_layers, p.n_heads, p.n_kv_heads, p.hidden_dim, p.n_vocab,
                        p.tokenizer.c_str());
        return 0;
    }
    const SynthPreset* preset = find_synth_preset(a.str("--preset"));
    if (!preset)
        throw Error(ErrorCode::InvalidArgument, "unknown preset '" + a.str("--preset") + "' (see --list-presets)");
    const auto type = type_from_name(a.str("--type", "q4_k"));
    if (!type)
        throw Error(ErrorCode::InvalidArgument, "unknown tensor type '" + a.str("--type") + "'");
    const std::string out = a.str("-o");
    if (out.empty())
        throw Error(ErrorCode::InvalidArgument, "an output file is needed: -o FILE.gguf");
    SynthOptions o;
    o.type = *type;
    o.seed = static_cast<uint64_t>(a.integer("--seed", 1));
    o.threads = a.threads();
    const auto t0 = Clock::now();
    write_synth_model(*preset, o, out, [](std::size_t done, std::size_t total) {
        std::fprintf(stderr, "\rsynth: %zu/%zu tensors", done, total);
    });
    std::fprintf(stderr, "\nsynth: wrote %s in %.1f s\n", out.c_str(), since(t0));
    return 0;
}

namespace {

// Each op's bytes against the memory bandwidth; matmuls' float operations also against the
// multiply-add peak (a prompt's float weights are bound by it, not by memory).
void print_profile(const char* phase, const Profile& p, int tokens, double gbs, double gflops_peak)
{
    const double total = p.total_seconds();
    std::printf("\n%s: %d tokens in %.3f s (%.1f tokens/s)\n", phase, tokens, total, total > 0 ? tokens / total : 0.0);
    std::printf("  %-16s %9s %6s %7s %9s %7s %6s %8s %7s\n", "op", "ms", "share", "calls", "MB moved", "GB/s", "of bw",
                "GFLOP/s", "of peak");
    for (const ProfileRow& r : p.by_op()) {
        const double rate = r.seconds > 0 ? double(r.bytes) / r.seconds / 1e9 : 0;
        std::printf("  %-16s %9.2f %5.1f%% %7lld %9.1f %7.1f %5.0f%%", r.op.c_str(), 1e3 * r.seconds,
                    total > 0 ? 100 * r.seconds / total : 0.0, r.calls, double(r.bytes) / 1e6, rate,
                    gbs > 0 ? 100 * rate / gbs : 0.0);
        const double flops = r.seconds > 0 ? double(r.flops) / r.seconds / 1e9 : 0;
        if (r.flops > 0)
            std::printf(" %8.1f %6.0f%%", flops, gflops_peak > 0 ? 100 * flops / gflops_peak : 0.0);
        std::printf("\n");
    }
    std::map<int, double> per_layer;
    for (const ProfileRow& r : p.rows())
        per_layer[r.layer] += r.seconds;
    std::printf("  per layer (ms):");
    int k = 0;
    for (const auto& [layer, seconds] : per_layer) {
        if (k++ % 8 == 0)
            std::printf("\n   ");
        if (layer < 0)
            std::printf("  out %6.2f", 1e3 * seconds);
        else
            std::printf("  %3d %6.2f", layer, 1e3 * seconds);
    }
    std::printf("\n");
}

} // namespace

int cmd_profile(int argc, char** argv)
{
    const Args a(argc, argv, 2, {"-m", "--model", "-p", "-n", "--threads", "--cpu"});
    a.allow_only({"-m", "--model", "-p", "-n", "--threads", "--cpu"});
    const auto model = Model::load(model_path(a));
    CpuBackend cpu(*model, a.threads(), cpu_tier(a.str("--cpu")));
    model->wait_for_background_reads(120); // as bench: the settled model
    cpu.wait_for_background_work(120);
    const ProfileRun run = profile_forward(cpu, a.integer("-p", 128), a.integer("-n", 32));
    std::printf("%s on %s; memory read bandwidth %.1f GB/s, float multiply-add peak %.1f GFLOP/s\n",
                model->info().name.c_str(), cpu.describe().c_str(), run.bandwidth_gbs, run.fma_peak_gflops);
    print_profile("prefill", run.prefill, run.n_prompt, run.bandwidth_gbs, run.fma_peak_gflops);
    print_profile("decode", run.decode, run.n_gen, run.bandwidth_gbs, run.fma_peak_gflops);
    return 0;
}

} // namespace seekbench::cli
