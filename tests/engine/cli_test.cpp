// seekbench-cli as a user runs it: info, run (the stories260K oracle), tokenize on a
// vocabulary-only file, synth + bench, and the exit codes and messages for bad input.
#include "testing.h"
#include "engine/error.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <sys/wait.h>

namespace {

struct Result {
    int code;
    std::string out; // stdout and stderr together
};

Result run(const std::string& args, const std::string& env = "")
{
    const std::string cmd = env + (env.empty() ? "" : " ") + std::string(SEEKBENCH_CLI) + " " + args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p);
    std::string out;
    std::array<char, 4096> buf{};
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p))
        out.append(buf.data(), n);
    const int status = pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

const std::string kShared = SEEKBENCH_SHARED_DIR;

void need_shared()
{
    if (!std::filesystem::exists(kShared + "/models/stories260K/stories260K.gguf"))
        SKIP("../shared is not beside the repository");
}

} // namespace

TEST_CASE("info describes a model")
{
    need_shared();
    const Result r = run("info -m " + kShared + "/models/stories260K/stories260K.gguf");
    CHECK_EQ(r.code, 0);
    for (const char* s : {"architecture:  llama", "5, embedding 64", "8 heads, 4 KV heads", "SentencePiece"})
        CHECK_MSG(r.out.find(s) != std::string::npos, "missing '" << s << "' in\n" << r.out);
}

TEST_CASE("run prints the oracle text and the speeds")
{
    need_shared();
    const Result r = run("run -m " + kShared + "/models/stories260K/stories260K.gguf --temp 0 -n 256 --threads 1");
    CHECK_EQ(r.code, 0);
    CHECK(r.out.find("Once upon a time, there was a little girl named Lily.") == 0);
    CHECK(r.out.find("We can help you.\n") != std::string::npos);
    for (const char* s : {"load:", "prompt:", "generation: 256 tokens", "tokens/s"})
        CHECK_MSG(r.out.find(s) != std::string::npos, "missing '" << s << "'");
    const Result sampled = run("run -m " + kShared + "/models/stories260K/stories260K.gguf -p \"Tom had a\" -n 20 --seed 3");
    const Result again = run("run -m " + kShared + "/models/stories260K/stories260K.gguf -p \"Tom had a\" -n 20 --seed 3");
    CHECK_EQ(sampled.code, 0);
    CHECK(sampled.out.substr(0, sampled.out.find("load:")) == again.out.substr(0, again.out.find("load:")));
}

TEST_CASE("tokenize works on a vocabulary-only file")
{
    need_shared();
    const Result r = run("tokenize -m " + kShared + "/vocab/ggml-vocab-llama-spm.gguf --no-bos \"Hello world\"");
    CHECK_EQ(r.code, 0);
    CHECK_EQ(r.out, std::string("15043 3186\n"));
    const Result bos = run("tokenize -m " + kShared + "/vocab/ggml-vocab-llama-spm.gguf \"Hello world\"");
    CHECK_EQ(bos.out, std::string("1 15043 3186\n"));
}

TEST_CASE("synth then bench")
{
    const std::string out = std::string(SEEKBENCH_TEST_TMP) + "/cli-synth.gguf";
    std::filesystem::create_directories(SEEKBENCH_TEST_TMP);
    Result r = run("synth --preset qwen2-tiny --type q8_0 -o " + out);
    CHECK_EQ(r.code, 0);
    REQUIRE(std::filesystem::exists(out));
    r = run("bench -m " + out + " -p 32 -n 8 -r 2 --threads 1");
    CHECK_EQ(r.code, 0);
    for (const char* s : {"| pp32 |", "| tg8 |", "qwen2 Q8_0"})
        CHECK_MSG(r.out.find(s) != std::string::npos, "missing '" << s << "' in\n" << r.out);
    r = run("synth --list-presets");
    CHECK(r.out.find("qwen2.5-1.5b") != std::string::npos && r.out.find("tinyllama-1.1b") != std::string::npos);
}

TEST_CASE("bad input exits with a reason")
{
    Result r = run("run -m /nonexistent/model.gguf");
    CHECK_EQ(r.code, 1);
    CHECK(r.out.find("/nonexistent/model.gguf") != std::string::npos);
    r = run("run --frobnicate");
    CHECK_EQ(r.code, 2);
    CHECK(r.out.find("unknown option --frobnicate") != std::string::npos);
    r = run("bench -m x.gguf -r zero");
    CHECK_EQ(r.code, 2);
    CHECK(r.out.find("whole number") != std::string::npos);
    r = run("synth --preset nope -o /tmp/x.gguf");
    CHECK_EQ(r.code, 2);
    r = run("wat");
    CHECK_EQ(r.code, 2);
    const std::string notgguf = std::string(SEEKBENCH_TEST_TMP) + "/not-a-model.gguf";
    FILE* f = std::fopen(notgguf.c_str(), "w");
    std::fputs("this is not a model at all, just some text that is long enough", f);
    std::fclose(f);
    r = run("info -m " + notgguf);
    CHECK_EQ(r.code, 1);
    CHECK(r.out.find("not a GGUF file") != std::string::npos);
}

TEST_CASE("run without a model uses the built-in one; perplexity measures a text")
{
    const Result r = run("run --temp 0 -n 8 -p \"Once upon\"");
    CHECK_EQ(r.code, 0); // resources/models/seekbench-moe.gguf is shipped
    CHECK_MSG(r.out.find("using the built-in model") != std::string::npos, r.out);
    const Result gone = run("run -n 8 -p x", "SEEKBENCH_BUILTIN_MODEL=/nonexistent");
    CHECK_EQ(gone.code, 2);
    CHECK_MSG(gone.out.find("a model is needed: -m FILE.gguf") != std::string::npos, gone.out);

    need_shared();
    const std::string stories = kShared + "/models/stories260K/stories260K.gguf";
    const std::string text = std::filesystem::temp_directory_path() / "seekbench-cli-perplexity.txt";
    {
        FILE* f = std::fopen(text.c_str(), "w");
        REQUIRE(f);
        std::fputs("Once upon a time, there was a little girl named Lily. She loved to play outside.", f);
        std::fclose(f);
    }
    const Result p = run("perplexity -m " + stories + " -f " + text + " --window 16 --threads 1");
    CHECK_EQ(p.code, 0);
    CHECK_MSG(p.out.find("perplexity") != std::string::npos && p.out.find("tokens predicted (window 16)") != std::string::npos,
              p.out);
    const Result bad = run("perplexity -m " + stories);
    CHECK_EQ(bad.code, 2);
}
