// seekbench-cli as a user runs it: info, run (the stories260K oracle), tokenize on a
// vocabulary-only file, synth + bench, chat (typed at, and Ctrl-C), and the exit codes and
// messages for bad input.
#include "testing.h"
#include "engine/builtin_model.h"
#include "engine/cpu/kernels.h"
#include "engine/cpu/matmul.h"
#include "engine/error.h"
#include "engine/synth.h"

#include <array>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace seekbench;

namespace {

struct Result {
    int code;
    std::string out; // stdout and stderr together
};

// stdout and stderr together, or stdout alone when `errors` is false.
Result run(const std::string& args, const std::string& env = "", bool errors = true)
{
    const std::string cmd = env + (env.empty() ? "" : " ") + std::string(SEEKBENCH_CLI) + " " + args +
                            (errors ? " 2>&1" : " 2>/dev/null");
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

std::string temp_path_for_cli(const std::string& name)
{
    std::filesystem::create_directories(SEEKBENCH_TEST_TMP);
    return std::string(SEEKBENCH_TEST_TMP) + "/" + name;
}

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
    // Opening a model that is not in memory to its first token, the file evicted first.
    r = run("bench --first-token -m " + out + " -r 2 --threads 1 --wait-ms 5");
    CHECK_EQ(r.code, 0);
    for (const char* s : {"| 1 | ", "| 2 | ", "| 5 |", "median total:"})
        CHECK_MSG(r.out.find(s) != std::string::npos, "missing '" << s << "' in\n" << r.out);
}

TEST_CASE("--cpu and SEEKBENCH_CPU force a kernel tier; every tier this CPU runs tells the oracle's story")
{
    need_shared();
    const std::string model = kShared + "/models/stories260K/stories260K.gguf";
    std::string tiers;
    for (const cpu::Kernels* table : cpu::runnable_kernels()) {
        const std::string tier = table->name;
        tiers += tier + " ";
        const Result r = run("run -m " + model + " --temp 0 -n 64 --threads 2 --cpu " + tier);
        CHECK_EQ(r.code, 0);
        CHECK_MSG(r.out.find("Once upon a time, there was a little girl named Lily.") == 0, tier << ":\n" << r.out);
        CHECK_MSG(r.out.find("(CPU " + tier + ",") != std::string::npos, tier << ": the load line names the tier\n" << r.out);
        const Result env = run("bench -m " + model + " -p 16 -n 4 -r 1 --threads 1", "SEEKBENCH_CPU=" + tier);
        CHECK_EQ(env.code, 0);
        CHECK_MSG(env.out.find("CPU " + tier + ", 1 threads") != std::string::npos, env.out);
    }
    std::printf("    tiers run: %s\n", tiers.c_str());
    const Result bad = run("run -m " + model + " -n 4 --cpu sse9");
    CHECK_EQ(bad.code, 2);
    CHECK_MSG(bad.out.find("generic, avx2, avxvnni, avx512, amx or auto") != std::string::npos, bad.out);
    if (!cpu::amx_available()) {
        const Result amx = run("run -m " + model + " -n 4 --cpu amx");
        CHECK_EQ(amx.code, 2);
        CHECK_MSG(amx.out.find("cannot run the amx kernels; it runs generic") != std::string::npos, amx.out);
    }
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

TEST_CASE("--device picks where the model runs, and says why when it cannot be there")
{
    const Result cpu = run("run --device cpu --temp 0 -n 4 -p \"Once upon\" --threads 1");
    CHECK_EQ(cpu.code, 0);
    CHECK_MSG(cpu.out.find("load: ") != std::string::npos && cpu.out.find("(CPU ") != std::string::npos, cpu.out);
    const Result bad = run("run --device gpu -n 4 -p x");
    CHECK_EQ(bad.code, 2);
    CHECK_MSG(bad.out.find("cpu, cuda or auto") != std::string::npos, bad.out);
    const Result layers = run("run --gpu-layers -3 -n 4 -p x");
    CHECK_EQ(layers.code, 2);
    CHECK_MSG(layers.out.find("--gpu-layers takes a count") != std::string::npos, layers.out);
    const Result devices = run("devices");
    if (devices.out.find("cuda: no CUDA device") == std::string::npos)
        SKIP("this machine has a CUDA device");
    // No GPU here: asked for CUDA, it runs on the CPU and says why, for every command.
    const std::string builtin = builtin_model_path();
    for (const std::string& cmd : {std::string("run --temp 0 -n 4 -p \"Once upon\""),
                                  std::string("chat --temp 0 -n 4 -p Hello"), "bench -p 8 -n 4 -r 1 -m " + builtin,
                                  "trace -p Hello --json " + std::string(SEEKBENCH_TEST_TMP) + "/t.json -m " + builtin}) {
        const Result r = run(cmd + " --device cuda --threads 1 --gpu-layers 2 --experts-on-cpu");
        CHECK_EQ(r.code, 0);
        CHECK_MSG(r.out.find("no CUDA device") != std::string::npos &&
                      r.out.find("; running on the CPU") != std::string::npos,
                  r.out);
    }
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
    std::filesystem::remove(text);
    const Result bad = run("perplexity -m " + stories);
    CHECK_EQ(bad.code, 2);
}

namespace {

// seekbench-cli with a pipe to its stdin and one from its stdout (stderr to a file), so a
// test can type at it, read what it says, and press Ctrl-C (SIGINT) as a user would.
struct Terminal {
    pid_t pid = -1;
    int in = -1, out = -1;

    explicit Terminal(const std::vector<std::string>& args, const std::string& err)
    {
        int to[2], from[2];
        REQUIRE(pipe(to) == 0 && pipe(from) == 0);
        pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            dup2(to[0], 0);
            dup2(from[1], 1);
            const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            dup2(e, 2);
            close(to[1]);
            close(from[0]);
            std::vector<char*> argv{const_cast<char*>(SEEKBENCH_CLI)};
            for (const std::string& a : args)
                argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            execv(SEEKBENCH_CLI, argv.data());
            _exit(127);
        }
        close(to[0]);
        close(from[1]);
        in = to[1];
        out = from[0];
    }
    void type(const std::string& text) { REQUIRE(write(in, text.data(), text.size()) == ssize_t(text.size())); }
    std::string read_some()
    {
        char buf[4096];
        const ssize_t n = read(out, buf, sizeof buf);
        return n > 0 ? std::string(buf, std::size_t(n)) : std::string();
    }
    int finish(std::string& rest)
    {
        close(in);
        for (std::string s; !(s = read_some()).empty();)
            rest += s;
        close(out);
        int status = 0;
        waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
};

std::string slurp(const std::string& path)
{
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

} // namespace

TEST_CASE("chat: one turn with -p, then a session with its commands")
{
    // Greedy is greedy: the same question answers the same, and the reply ends with a newline.
    const Result a = run("chat -p \"What does os.path.join do?\" --temp 0 -n 24 --threads 2", "", false);
    const Result b = run("chat -p \"What does os.path.join do?\" --temp 0 -n 24 --threads 2");
    CHECK_EQ(a.code, 0);
    CHECK(a.out.size() > 1 && a.out.back() == '\n');
    CHECK_MSG(b.out.find(a.out) != std::string::npos, b.out); // the same answer, with the timings beside it
    CHECK_MSG(b.out.find("tokens/s; prompt") != std::string::npos, b.out);

    const std::string tmp = SEEKBENCH_TEST_TMP;
    std::filesystem::create_directories(tmp);
    const std::string saved = tmp + "/chat.json", err = tmp + "/chat.err";
    Terminal t({"chat", "--temp", "0", "-n", "16", "--threads", "2"}, err);
    t.type("Hello\n/system You are terse.\nWhat is a list?\n/save " + saved + "\n/reset\nHi\n/quit\n");
    std::string out;
    CHECK_EQ(t.finish(out), 0);
    const std::string json = slurp(saved);
    for (const char* s : {"\"format\":\"seekbench-conversation\"", "\"system_prompt\":\"You are terse.\"",
                          "\"content\":\"Hello\"", "\"content\":\"What is a list?\"", "\"role\":\"assistant\""})
        CHECK_MSG(json.find(s) != std::string::npos, "missing " << s << " in " << json);
    CHECK(json.find("\"Hi\"") == std::string::npos); // said after the save
    const std::string said = slurp(err);
    for (const char* s : {"[system prompt set]", "[saved 4 messages to", "[the conversation starts over]"})
        CHECK_MSG(said.find(s) != std::string::npos, "missing " << s << " in " << said);

    const Result bad = run("chat -n 0 -p x");
    CHECK_EQ(bad.code, 2);
    const Result empty = run("chat -p \"\"");
    CHECK_EQ(empty.code, 2);
}

TEST_CASE("chat: Ctrl-C stops a reply, keeps what was written, and the session goes on")
{
    const std::string tmp = SEEKBENCH_TEST_TMP;
    std::filesystem::create_directories(tmp);
    // A random-weight llama slow enough (a few ms a token) that a reply of 2,000 tokens is
    // still being written when the test presses Ctrl-C.
    const std::string model = tmp + "/chat-slow.gguf";
    SynthPreset p = *find_synth_preset("llama-tiny");
    p.dim = 512, p.n_layers = 8, p.n_heads = 8, p.n_kv_heads = 8, p.hidden_dim = 1536, p.n_vocab = 2048;
    p.n_ctx = 4096;
    SynthOptions o;
    o.type = TensorType::F32;
    write_synth_model(p, o, model);
    const std::string saved = tmp + "/chat-stopped.json", err = tmp + "/chat-stopped.err";
    Terminal t({"chat", "-m", model, "--temp", "0", "-n", "2000", "--threads", "2"}, err);
    t.type("Tell me a long story\n");
    std::string first = t.read_some(); // the reply has begun
    CHECK(!first.empty());
    kill(t.pid, SIGINT);
    t.type("/save " + saved + "\n/quit\n");
    std::string out;
    CHECK_EQ(t.finish(out), 0); // still running after the Ctrl-C, left by /quit
    const std::string json = slurp(saved);
    CHECK_MSG(json.find("\"stop_reason\":\"cancelled\"") != std::string::npos, json);
    const auto g = json.find("\"generated_tokens\":");
    REQUIRE(g != std::string::npos);
    CHECK(std::atoi(json.c_str() + g + 19) < 2000);
    CHECK_MSG(slurp(err).find("; stopped]") != std::string::npos, slurp(err));
}

TEST_CASE("fim prints the middle for a code model and refuses one without FIM tokens")
{
    const std::string model = temp_path_for_cli("qwen2-tiny-fim.gguf");
    {
        SynthOptions o;
        o.type = TensorType::F32;
        write_synth_model(*find_synth_preset("qwen2-tiny"), o, model);
    }
    const Result r = run("fim -m " + model + " --prefix \"def add(a, b):\" --suffix \"\" -n 6", "", false);
    CHECK_EQ(r.code, 0);
    const Result timed = run("fim -m " + model + " --prefix \"def add(a, b):\" --suffix \"\" -n 6");
    CHECK_MSG(timed.out.find("[qwen/starcoder FIM: ") != std::string::npos, timed.out);
    CHECK_MSG(timed.out.find(r.out) == 0, timed.out); // the same middle, then the timings
    // The built-in model learned DeepSeek-Coder's layout; a story model never saw code.
    const Result builtin = run("fim --prefix \"def add(a, b):\" --suffix \"\" -n 4");
    CHECK_EQ(builtin.code, 0);
    CHECK_MSG(builtin.out.find("[deepseek-coder FIM: ") != std::string::npos, builtin.out);
    const std::string stories = kShared + "/models/stories260K/stories260K.gguf";
    if (std::filesystem::exists(stories)) {
        const Result none = run("fim -m " + stories + " --prefix x --suffix y");
        CHECK_EQ(none.code, 1);
        CHECK_MSG(none.out.find("not trained to fill in the middle") != std::string::npos, none.out);
    }
    CHECK_EQ(run("fim -m " + model).code, 2);
}

TEST_CASE("embed prints one unit vector per text, and refuses a chat model")
{
    const std::string bert = temp_path_for_cli("cli-bert-tiny.gguf");
    REQUIRE(run("synth --preset bert-tiny --type q8_0 -o " + bert).code == 0);
    const std::string texts = temp_path_for_cli("cli-embed.txt");
    std::ofstream(texts) << "the model\n\nsearch the code\n";
    const Result r = run("embed -m " + bert + " -f " + texts, "", false);
    REQUIRE(r.code == 0);
    std::istringstream lines(r.out);
    int n_lines = 0;
    for (std::string line; std::getline(lines, line); ++n_lines) {
        std::istringstream values(line);
        double v = 0, norm = 0;
        int n = 0;
        for (; values >> v; ++n)
            norm += v * v;
        CHECK_EQ(n, 64);
        CHECK_MSG(std::abs(norm - 1) < 1e-3, "norm " << norm);
    }
    CHECK_EQ(n_lines, 2); // the empty line is not a text
    const std::string llama = temp_path_for_cli("cli-llama-tiny.gguf");
    REQUIRE(run("synth --preset llama-tiny --type q8_0 -o " + llama).code == 0);
    const Result bad = run("embed -m " + llama + " -p hello");
    CHECK_EQ(bad.code, 1);
    CHECK(bad.out.find("not an embedding model") != std::string::npos);
    const Result chat = run("run -m " + bert + " -p hello -n 2");
    CHECK_EQ(chat.code, 1);
    CHECK(chat.out.find("is an embedding model") != std::string::npos);
}

// Issue 19's cases, each once a crash, a hang or a silent wrong answer.
TEST_CASE("reliability: threads, files that are not files, context and sampling limits")
{
    const std::string model = temp_path_for_cli("rel-llama-tiny.gguf");
    REQUIRE(run("synth --preset llama-tiny --type q8_0 -o " + model).code == 0);
    const std::string m = "-m " + model + " ";

    // 1. A thread count the machine cannot give: cut to its cores with a warning, never abort.
    Result r = run("run " + m + "-p hi -n 2 --threads 1000000");
    CHECK_EQ(r.code, 0);
    CHECK_MSG(r.out.find("warning: --threads 1000000 is more than") != std::string::npos, r.out);
    r = run("run " + m + "-p hi -n 2 --threads -3");
    CHECK_EQ(r.code, 2);

    // 2, 3. Devices, FIFOs and oversized files are refused before anything is read, at once.
    r = run("run " + m + "-f /dev/zero -n 1");
    CHECK_EQ(r.code, 1);
    CHECK_MSG(r.out.find("not a regular file") != std::string::npos, r.out);
    const std::string fifo = temp_path_for_cli("rel.fifo");
    std::filesystem::remove(fifo);
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    for (const std::string& cmd : {"info -m " + fifo, "run " + m + "-f " + fifo + " -n 1"}) {
        r = run(cmd, "timeout 20");
        CHECK_MSG(r.code == 1 && r.out.find("not a regular file") != std::string::npos, cmd << ": " << r.code << " " << r.out);
    }
    const std::string big = temp_path_for_cli("rel-big.txt");
    {
        std::ofstream(big) << "x";
        std::filesystem::resize_file(big, (std::uintmax_t(65) << 20)); // sparse: 65 MiB of zeros
    }
    r = run("run " + m + "-f " + big + " -n 1");
    CHECK_EQ(r.code, 1);
    CHECK_MSG(r.out.find("limited to 64 MiB") != std::string::npos, r.out);
    r = run("run " + m + "-p hi -n 1 --ctx 10000000");
    CHECK_EQ(r.code, 2);
    CHECK_MSG(r.out.find("trained for") != std::string::npos, r.out);
    r = run("bench " + m + "-p 1000000 -n 1 -r 1");
    CHECK_EQ(r.code, 2);
    CHECK_MSG(r.out.find("do not fit") != std::string::npos, r.out);

    // 4. What used to run with a wrong or empty input now says what is wrong.
    r = run("run " + m + "-f " + std::string(SEEKBENCH_TEST_TMP) + " -n 1");
    CHECK_EQ(r.code, 1);
    CHECK_MSG(r.out.find("is a folder") != std::string::npos, r.out);
    const std::string text = temp_path_for_cli("rel-text.txt"), empty = temp_path_for_cli("rel-empty.txt");
    std::ofstream(text) << "once upon a time";
    std::ofstream(empty) << "";
    r = run("run " + m + "-p hi -f " + text + " -n 1");
    CHECK_EQ(r.code, 2);
    CHECK_MSG(r.out.find("not both") != std::string::npos, r.out);
    r = run("perplexity " + m + "-f " + empty);
    CHECK_EQ(r.code, 2);
    CHECK_MSG(r.out.find("needs at least 2") != std::string::npos, r.out);
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"--temp -1", "temperature"},        {"--temp nan", "temperature"},   {"--temp inf", "temperature"},
        {"--top-p 2", "top-p"},              {"--min-p nan", "min-p"},        {"--repeat-penalty 0", "repeat penalty"},
        {"--top-k -1", "top-k"},             {"-n -1", "-n must be"},         {"--ctx 0", "--ctx must be"},
        {"--ctx -1", "--ctx must be"},
    };
    for (const auto& [option, needle] : bad) {
        r = run("run " + m + "-p hi " + option);
        CHECK_MSG(r.code == 2 && r.out.find(needle) != std::string::npos, option << ": " << r.code << " " << r.out);
    }
}
