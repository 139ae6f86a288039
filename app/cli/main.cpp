// seekbench-cli: the engine from a terminal. Results go to stdout, diagnostics and timings
// to stderr; a bad argument exits 2, a bad file or other failure exits 1 with the reason.
#include "commands.h"

#include "engine/error.h"

#include <cstdio>
#include <cstring>
#include <string>

namespace {

int usage(FILE* out)
{
    std::fprintf(out,
                 "usage: seekbench-cli COMMAND [OPTIONS]\n\n"
                 "  info -m FILE                      architecture, sizes, formats, tokenizer, chat template\n"
                 "  run -m FILE [-p TEXT | -f FILE] [-n N] [--temp T] [--seed S] [--threads N] [--device D]\n"
                 "      [--top-k K] [--top-p P] [--min-p P] [--repeat-penalty R] [--ctx N] [--routing-stats]\n"
                 "                                    generate text (stdout); speeds (and expert load) to stderr\n"
                 "  chat [-m FILE] [-p TEXT] [--system TEXT] [-n N] [--temp T] [--seed S] [--threads N] [--device D]\n"
                 "       [--top-k K] [--top-p P] [--min-p P] [--repeat-penalty R]\n"
                 "                                    a conversation with the model's chat template; one turn\n"
                 "                                    with -p, else interactive (/help lists its commands)\n"
                 "  fim [-m FILE] --prefix TEXT --suffix TEXT [-n N] [--temp T] [--device D]\n"
                 "                                    the code between prefix and suffix (code models with FIM tokens)\n"
                 "  trace -m FILE -p TEXT [-n N] [--layers 0,2] [--heads 0,1] [--no-attention] [--no-routing] [--device D]\n"
                 "        --json OUT                  attention and expert routing as JSON\n"
                 "  tokenize -m FILE [--no-bos] [--special] (TEXT | -f FILE)\n"
                 "                                    token ids, space-separated (vocabulary-only files work)\n"
                 "  embed -m FILE (-p TEXT | -f FILE) [--query | --document] [--threads N]\n"
                 "                                    embeddings from a bert or nomic-bert model, one line of\n"
                 "                                    values per text (-f: one text per line), unit length\n"
                 "  bench -m FILE [-p 512] [-n 128] [-r 5] [--threads N] [--device D] [--cpu TIER] [--no-amx] [--trace]\n"
                 "                                    prompt (pp) and generation (tg) tokens/s\n"
                 "  bench --memory [--threads N]      the machine's memory bandwidth\n"
                 "  bench --search N [--db FILE] [-r 100]  conversation search over N stored messages\n"
                 "  bench --first-token -m FILE [--wait-ms N] [-r 3] [--cached]  opening a model (not in memory) to its first token\n"
                 "  synth --preset NAME --type TYPE -o FILE [--seed S]\n"
                 "                                    a random-weight model of a named shape (--list-presets)\n"
                 "  perplexity -m FILE -f TEXT [--window 256] [--device D]\n"
                 "                                    mean loss (nats/token) and perplexity of the text\n"
                 "  convert SRC -o OUT.gguf [--type auto|f32|f16|bf16|q8_0] [--tokenizer tokenizer.bin]\n"
                 "                                    a Hugging Face folder (llama, mistral, qwen2, mixtral, qwen2_moe,\n"
                 "                                    qwen3_moe, deepseek_v2/v3) or a llama2.c model.bin into GGUF\n"
                 "  imatrix -m FILE -f TEXT -o IMATRIX.gguf [--ctx 512] [--chunks N]\n"
                 "                                    the importance matrix of a calibration text (llama.cpp's format)\n"
                 "  quantize IN.gguf OUT.gguf TYPE [--imatrix FILE] [--threads N] [--allow-requantize] [--dry-run] [--verbose]\n"
                 "                                    re-encode the weights: Q8_0, Q6_K, Q5_K_M, Q4_K_M, ... (--list);\n"
                 "                                    the tensor mix of llama-quantize's types of the same name\n"
                 "  kl -m TEST.gguf -r REFERENCE.gguf -f TEXT [--ctx 512] [--device D]\n"
                 "     (or -r REFERENCE.gguf -f TEXT --save-ref REF.kld once, then -m TEST.gguf -f TEXT --ref-logits REF.kld)\n"
                 "                                    how far a quantized model strays from its reference: KL\n"
                 "                                    divergence, same top token, PPL of each (llama-perplexity's chunks)\n"
                 "  profile -m FILE [-p 128] [-n 32] [--threads N] [--cpu TIER]\n"
                 "                                    where prefill and decode spend their time: per kind of\n"
                 "                                    operation (matmul by format, attention, norms, routing,\n"
                 "                                    sampling) and per layer, with bytes moved and GB/s (CPU)\n"
                 "  ingest --db FILE [--collection NAME] [--embed-model FILE] [-v] PATH...\n"
                 "                                    files and folders into a knowledge store (text, Markdown,\n"
                 "                                    code, HTML, PDF); unchanged files skipped, deleted ones removed;\n"
                 "                                    with an embedding model, new chunks are embedded too\n"
                 "  query --db FILE [-k N] [--collection NAME] [--embed-model FILE] (TEXT | --latency QUERIES)\n"
                 "                                    the best chunks for TEXT: rank, score, file, span, first line\n"
                 "                                    (BM25, or hybrid with the embedding model); or p50/p99\n"
                 "                                    latency over a file of queries (one per line)\n"
                 "  devices                           the CPU and CUDA devices this build can use\n"
                 "  version\n\n"
                 "--device D: where the model runs: cpu, cuda or auto (a CUDA GPU when there is one that\n"
                 "can run it, else the CPU; the default). --threads N: CPU threads (0: one per core).\n"
                 "--cpu TIER: the CPU kernels, for comparisons: generic, avx2, avxvnni, avx512, amx or\n"
                 "auto (the best this CPU runs; the default; also read from SEEKBENCH_CPU). On a GPU too\n"
                 "small for the model: --gpu-layers N puts the last N layers on it and runs the others on\n"
                 "the CPU (default: as many as fit), --experts-on-cpu keeps the routed experts of a mixture\n"
                 "of experts in host memory for the CPU to compute (default: when only that makes it fit).\n"
                 "Every command that runs a chat model takes --device, --threads, --cpu, --gpu-layers and\n"
                 "--experts-on-cpu.\n");
    return out == stderr ? 2 : 0;
}

} // namespace

int main(int argc, char** argv)
{
    using namespace seekbench::cli;
    if (argc < 2)
        return usage(stderr);
    const std::string cmd = argv[1];
    try {
        if (cmd == "info") return cmd_info(argc, argv);
        if (cmd == "run") return cmd_run(argc, argv);
        if (cmd == "chat") return cmd_chat(argc, argv);
        if (cmd == "fim") return cmd_fim(argc, argv);
        if (cmd == "tokenize") return cmd_tokenize(argc, argv);
        if (cmd == "embed") return cmd_embed(argc, argv);
        if (cmd == "bench") return cmd_bench(argc, argv);
        if (cmd == "synth") return cmd_synth(argc, argv);
        if (cmd == "trace") return cmd_trace(argc, argv);
        if (cmd == "perplexity") return cmd_perplexity(argc, argv);
        if (cmd == "quantize") return cmd_quantize(argc, argv);
        if (cmd == "kl") return cmd_kl(argc, argv);
        if (cmd == "imatrix") return cmd_imatrix(argc, argv);
        if (cmd == "profile") return cmd_profile(argc, argv);
#ifdef SEEKBENCH_HAVE_CONVERT
        if (cmd == "convert") return cmd_convert(argc, argv);
#else
        if (cmd == "convert")
            throw seekbench::Error(seekbench::ErrorCode::Unsupported, "this build has no converter (nlohmann-json was not found)");
#endif
        if (cmd == "devices") return cmd_devices(argc, argv);
#ifdef SEEKBENCH_HAVE_STORAGE
        if (cmd == "ingest") return cmd_ingest(argc, argv);
        if (cmd == "query") return cmd_query(argc, argv);
#else
        if (cmd == "ingest" || cmd == "query")
            throw seekbench::Error(seekbench::ErrorCode::Unsupported,
                                   "this build has no knowledge store (it was built with -DSEEKBENCH_GUI=OFF)");
#endif
        if (cmd == "version" || cmd == "--version") {
            std::printf("seekbench-cli %s\n", SEEKBENCH_VERSION);
            return 0;
        }
        if (cmd == "help" || cmd == "--help" || cmd == "-h")
            return usage(stdout);
    } catch (const seekbench::Error& e) {
        std::fprintf(stderr, "seekbench-cli %s: %s\n", cmd.c_str(), e.what());
        return e.code() == seekbench::ErrorCode::InvalidArgument ? 2 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "seekbench-cli %s: %s\n", cmd.c_str(), e.what());
        return 1;
    }
    std::fprintf(stderr, "seekbench-cli: unknown command '%s'\n", cmd.c_str());
    return usage(stderr);
}
