// seekbench-cli's subcommands. Each returns the process exit code; errors are thrown as
// seekbench::Error and printed by main().
#pragma once

namespace seekbench::cli {

int cmd_chat(int argc, char** argv);
int cmd_devices(int argc, char** argv);
int cmd_embed(int argc, char** argv);
int cmd_fim(int argc, char** argv);
int cmd_ingest(int argc, char** argv);   // with storage only
int cmd_query(int argc, char** argv);    // with storage only
int bench_search(int argc, char** argv); // bench --search, with storage only
int bench_first_token(int argc, char** argv); // bench --first-token
int cmd_info(int argc, char** argv);
int cmd_run(int argc, char** argv);
int cmd_tokenize(int argc, char** argv);
int cmd_bench(int argc, char** argv);
int cmd_synth(int argc, char** argv);
int cmd_trace(int argc, char** argv);
int cmd_perplexity(int argc, char** argv);
int cmd_quantize(int argc, char** argv);
int cmd_kl(int argc, char** argv);
int cmd_imatrix(int argc, char** argv);
int cmd_profile(int argc, char** argv);
int cmd_convert(int argc, char** argv); // with nlohmann-json only

} // namespace seekbench::cli
