// The workbench from a terminal: quantize (and, beside it in this file, what measures and
// makes model files). Progress goes to stderr, results to stdout.
#include "args.h"
#include "commands.h"

#include "engine/error.h"
#include "engine/cpu/backend.h"
#include "engine/gguf.h"
#include "engine/imatrix.h"
#include "engine/model.h"
#include "engine/perplexity.h"
#include "engine/quantize.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>

namespace seekbench::cli {
namespace {

double mib(std::size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

void print_mixes(FILE* out)
{
    for (const QuantMix& m : quant_mixes())
        std::fprintf(out, "  %-7s %s\n", m.name, m.about);
}

} // namespace

int cmd_quantize(int argc, char** argv)
{
    const Args a(argc, argv, 2, {"--threads", "--imatrix"});
    a.allow_only({"--threads", "--imatrix", "--allow-requantize", "--dry-run", "--verbose", "--list"});
    if (a.has("--list")) {
        print_mixes(stdout);
        return 0;
    }
    if (a.positional().size() != 3)
        throw Error(ErrorCode::InvalidArgument, "usage: quantize IN.gguf OUT.gguf TYPE (--list shows the types)");
    const std::string& in = a.positional()[0];
    const std::string& out = a.positional()[1];
    const QuantMix* mix = find_quant_mix(a.positional()[2]);
    if (!mix) {
        std::fprintf(stderr, "types:\n");
        print_mixes(stderr);
        throw Error(ErrorCode::InvalidArgument, "unknown type '" + a.positional()[2] + "'");
    }
    if (in == out)
        throw Error(ErrorCode::InvalidArgument, "the output must be another file than the input");

    QuantizeOptions o;
    o.threads = a.threads();
    o.allow_requantize = a.has("--allow-requantize");
    ImportanceMatrix imatrix;
    if (a.has("--imatrix")) {
        imatrix = ImportanceMatrix::read(a.str("--imatrix"));
        o.imatrix = &imatrix;
        std::fprintf(stderr, "quantize: importance matrix of %zu tensors from %d chunks\n", imatrix.entries.size(),
                     imatrix.chunks);
    }
    std::vector<QuantPlanRow> plan;
    QuantizeResult r;
    if (a.has("--dry-run")) {
        plan = plan_quantization(*GgufFile::open(in), *mix, o.allow_requantize);
    } else {
        int last_percent = -1;
        o.progress = [&last_percent](std::size_t done, std::size_t total, const QuantPlanRow& row) {
            const int percent = total ? static_cast<int>(100.0 * double(done) / double(total)) : 100;
            if (percent != last_percent)
                std::fprintf(stderr, "\rquantize: %3d%%  %-40s", percent, row.name.c_str());
            last_percent = percent;
        };
        r = quantize_model(in, out, *mix, o);
        std::fprintf(stderr, "\n");
        plan = r.plan;
    }
    // What became what: a line per tensor with --verbose, a count per type always.
    std::map<std::string, std::pair<int, std::size_t>> by_type;
    std::size_t bytes_in = 0, bytes_out = 0;
    for (const QuantPlanRow& row : plan) {
        if (a.has("--verbose"))
            std::printf("%-40s %-6s -> %-6s %9.2f MiB -> %9.2f MiB\n", row.name.c_str(), type_name(row.from),
                        type_name(row.to), mib(row.bytes_from), mib(row.bytes_to));
        auto& [count, bytes] = by_type[type_name(row.to)];
        ++count;
        bytes += row.bytes_to;
        bytes_in += row.bytes_from;
        bytes_out += row.bytes_to;
    }
    for (const auto& [type, cb] : by_type)
        std::printf("%-6s %4d tensors %10.2f MiB\n", type.c_str(), cb.first, mib(cb.second));
    std::printf("%s: %.2f MiB -> %.2f MiB (%s)\n", a.has("--dry-run") ? "would write" : out.c_str(), mib(bytes_in),
                mib(bytes_out), mix->name);
    if (!a.has("--dry-run"))
        std::fprintf(stderr, "quantize: %.1f s\n", r.seconds);
    return 0;
}

int cmd_imatrix(int argc, char** argv)
{
    const std::vector<std::string> valued = {"-m", "--model", "-f", "--file", "-o", "--ctx", "--chunks", "--threads", "--cpu"};
    const Args a(argc, argv, 2, valued);
    a.allow_only(valued);
    const std::string text_path = a.str("-f", a.str("--file"));
    if (text_path.empty() || a.str("-o").empty())
        throw Error(ErrorCode::InvalidArgument, "usage: imatrix -m MODEL.gguf -f TEXT -o IMATRIX.gguf [--ctx 512] [--chunks N]");
    const auto model = Model::load(model_path(a));
    CpuBackend cpu(*model, a.threads(), cpu_tier(a.str("--cpu")));
    std::vector<int32_t> tokens = model->tokenizer().encode(read_file(text_path), true);
    const int n_ctx = a.integer("--ctx", 512), chunks = a.integer("--chunks", 0);
    if (chunks > 0 && tokens.size() > static_cast<std::size_t>(chunks) * static_cast<std::size_t>(n_ctx))
        tokens.resize(static_cast<std::size_t>(chunks) * static_cast<std::size_t>(n_ctx));
    const auto t0 = std::chrono::steady_clock::now();
    ImportanceMatrix m = compute_imatrix(cpu, tokens, n_ctx, [](int done, int total) {
        std::fprintf(stderr, "\rimatrix: chunk %d/%d", done, total);
    });
    m.datasets = {text_path};
    m.write(a.str("-o"));
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "\n");
    std::printf("%s: %zu tensors, %d chunks of %d tokens, %.1f s\n", a.str("-o").c_str(), m.entries.size(), m.chunks,
                n_ctx, s);
    return 0;
}

namespace {

void print_kl(const KlResult& r, std::size_t n_tokens, int n_ctx)
{
    std::printf("positions scored      : %lld (%zu chunks of %d tokens, the second half of each)\n", r.count,
                n_tokens / static_cast<std::size_t>(n_ctx), n_ctx);
    std::printf("PPL(test)             : %.6f\n", std::exp(r.nll_test));
    std::printf("PPL(reference)        : %.6f\n", std::exp(r.nll_ref));
    std::printf("ln(PPL(test)/PPL(ref)): %.6f\n", r.nll_test - r.nll_ref);
    std::printf("KL divergence mean    : %.6f nats\n", r.kl_mean);
    std::printf("KL divergence median  : %.6f\n", r.kl_median);
    std::printf("KL divergence 99%%     : %.6f\n", r.kl_p99);
    std::printf("KL divergence max     : %.6f\n", r.kl_max);
    std::printf("same top token        : %.3f%%\n", 100.0 * r.top1);
    std::printf("RMS delta p           : %.3f%%\n", 100.0 * r.dp_rms);
}

} // namespace

int cmd_kl(int argc, char** argv)
{
    const std::vector<std::string> valued = {"-m", "--model", "-r", "--ref", "-f", "--file", "--ctx", "--threads",
                                             "--device", "--cpu", "--gpu-layers", "--save-ref", "--ref-logits"};
    const Args a(argc, argv, 2, valued);
    a.allow_only(with_backend_flags(valued));
    const std::string test_path = a.str("-m", a.str("--model"));
    const std::string ref_path = a.str("-r", a.str("--ref"));
    const std::string text_path = a.str("-f", a.str("--file"));
    const std::string save = a.str("--save-ref"), saved = a.str("--ref-logits");
    const bool saving = !save.empty() && !ref_path.empty() && test_path.empty() && saved.empty();
    const bool with_saved = !saved.empty() && !test_path.empty() && ref_path.empty() && save.empty();
    const bool both = !test_path.empty() && !ref_path.empty() && save.empty() && saved.empty();
    if (text_path.empty() || !(saving || with_saved || both))
        throw Error(ErrorCode::InvalidArgument,
                    "usage: kl -m TEST.gguf -r REFERENCE.gguf -f TEXT [--ctx 512]\n"
                    "   or: kl -r REFERENCE.gguf -f TEXT --save-ref REF.kld, then kl -m TEST.gguf -f TEXT --ref-logits REF.kld");
    const int n_ctx = a.integer("--ctx", 512);
    const std::string text = read_file(text_path);
    const auto progress = [](int done, int total) { std::fprintf(stderr, "\rkl: chunk %d/%d", done, total); };
    const auto t0 = std::chrono::steady_clock::now();
    if (saving) {
        const auto ref = Model::load(ref_path);
        const auto backend = backend_for(a, *ref);
        const std::vector<int32_t> tokens = ref->tokenizer().encode(text, true);
        save_kl_reference(*backend, tokens, n_ctx, save, progress);
        std::fprintf(stderr, "\n");
        std::printf("%s: the reference's log-probabilities over %zu chunks of %d tokens\n", save.c_str(),
                    tokens.size() / static_cast<std::size_t>(n_ctx), n_ctx);
        return 0;
    }
    const auto test = Model::load(test_path);
    const auto test_backend = backend_for(a, *test);
    const std::vector<int32_t> tokens = test->tokenizer().encode(text, true);
    KlResult r;
    if (with_saved) {
        r = kl_divergence(*test_backend, saved, tokens, n_ctx, progress);
    } else {
        const auto ref = Model::load(ref_path);
        const auto ref_backend = backend_for(a, *ref);
        // Both tokenizers must read the text alike, or the positions would not line up.
        if (ref->tokenizer().encode(text, true) != tokens)
            throw Error(ErrorCode::InvalidArgument, test_path + " and " + ref_path + " tokenize the text differently; "
                                                        "compare two files of one model");
        r = kl_divergence(*test_backend, *ref_backend, tokens, n_ctx, progress);
    }
    std::fprintf(stderr, "\n");
    print_kl(r, tokens.size(), n_ctx);
    std::fprintf(stderr, "kl: %.1f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    return 0;
}

} // namespace seekbench::cli
