// seekbench-cli embed: text embeddings from a bert or nomic-bert GGUF, one line of values
// per text (as llama.cpp's llama-embedding prints them), for scripts and comparisons.
#include "args.h"
#include "commands.h"

#include "engine/embedding.h"
#include "engine/error.h"

#include <chrono>
#include <cstdio>

namespace seekbench::cli {

int cmd_embed(int argc, char** argv)
{
    const Args a(argc, argv, 2, {"-m", "--model", "-p", "--prompt", "-f", "--file", "--threads"});
    a.allow_only({"-m", "--model", "-p", "--prompt", "-f", "--file", "--threads", "--query", "--document"});
    if (!a.has("-m") && !a.has("--model"))
        throw Error(ErrorCode::InvalidArgument, "usage: embed -m FILE (-p TEXT | -f FILE) [--query | --document]");
    std::vector<std::string> texts;
    if ((a.has("-p") || a.has("--prompt")) && (a.has("-f") || a.has("--file")))
        throw Error(ErrorCode::InvalidArgument, "give the text with -p TEXT or -f FILE, not both");
    if (a.has("-p") || a.has("--prompt")) {
        texts.push_back(a.str("-p", a.str("--prompt")));
    } else if (a.has("-f") || a.has("--file")) {
        texts = read_lines(a.str("-f", a.str("--file")));
    }
    if (texts.empty())
        throw Error(ErrorCode::InvalidArgument, "give the text with -p TEXT, or -f FILE with one text per line");
    const auto started = std::chrono::steady_clock::now();
    const auto embedder = Embedder::open(a.str("-m", a.str("--model")), a.threads());
    const ModelConfig& c = embedder->model().config();
    // The task prefix only when asked: without it the text is embedded exactly as given.
    std::string prefix;
    if (a.has("--query"))
        prefix = embedding_prefix(c, EmbedPurpose::Query);
    else if (a.has("--document"))
        prefix = embedding_prefix(c, EmbedPurpose::Document);
    const char* pooling[] = {"none (mean)", "mean", "cls", "last"};
    std::fprintf(stderr, "%s: %s, %d dimensions, pooling %s, %s\n", c.name.empty() ? c.arch_name.c_str() : c.name.c_str(),
                 c.arch_name.c_str(), c.dim, pooling[static_cast<int>(c.pooling)], embedder->cpu().describe().c_str());
    const auto loaded = std::chrono::steady_clock::now();
    int tokens = 0;
    for (const std::string& text : texts) {
        const Embedding e = embedder->embed(prefix + text);
        tokens += e.tokens;
        if (e.truncated)
            std::fprintf(stderr, "warning: a text was longer than the model's %d tokens; only its start is embedded\n",
                         c.n_ctx_train);
        for (std::size_t i = 0; i < e.vector.size(); ++i)
            std::printf(i ? " %.6f" : "%.6f", static_cast<double>(e.vector[i]));
        std::printf("\n");
    }
    const auto done = std::chrono::steady_clock::now();
    const double load_ms = std::chrono::duration<double, std::milli>(loaded - started).count();
    const double ms = std::chrono::duration<double, std::milli>(done - loaded).count();
    std::fprintf(stderr, "%zu texts, %d tokens: load %.0f ms, embed %.1f ms (%.0f tokens/s)\n", texts.size(), tokens,
                 load_ms, ms, ms > 0 ? tokens * 1000.0 / ms : 0.0);
    return 0;
}

} // namespace seekbench::cli
