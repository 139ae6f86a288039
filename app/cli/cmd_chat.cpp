// seekbench-cli chat: a conversation in the terminal through the engine's chat turn, the
// same one the app and the server call (the model's template, streaming, the cached prefix
// of earlier turns). Interactive, or one turn with -p. Replies go to stdout, timings to
// stderr. Ctrl-C stops a reply and keeps what was written; at the prompt it leaves.
// seekbench-cli fim: the middle between a prefix and a suffix, for code models.
#include "args.h"
#include "commands.h"

#include "engine/chat.h"
#include "engine/error.h"
#include "engine/model.h"
#include "engine/text_io.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace seekbench::cli {
namespace {

constexpr int64_t kConversation = 1; // the one conversation this command holds

volatile std::sig_atomic_t g_interrupted = 0; // set by Ctrl-C, read between tokens

extern "C" void on_interrupt(int) { g_interrupted = 1; }

// Ctrl-C interrupts a blocking read (no SA_RESTART), so the prompt notices it at once.
void catch_interrupts()
{
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
}

struct Said {
    ChatMessage message;
    ChatStats stats;       // replies only
};

struct Conversation {
    std::string system;
    std::vector<Said> said;
    std::vector<ChatMessage> messages() const
    {
        std::vector<ChatMessage> out;
        if (!system.empty())
            out.push_back({"system", system});
        for (const Said& s : said)
            out.push_back(s.message);
        return out;
    }
};

// The app's export format (File › Import Conversation reads it back): one branch.
std::string conversation_json(const Conversation& c, const std::string& model, const SamplerParams& p, int max_tokens)
{
    std::string title = c.said.empty() ? std::string("Terminal chat") : c.said.front().message.content.substr(0, 48);
    char sampling[256];
    std::snprintf(sampling, sizeof sampling,
                  "{\"temperature\":%g,\"top_k\":%d,\"top_p\":%g,\"min_p\":%g,\"repeat_penalty\":%g,"
                  "\"max_tokens\":%d,\"seed\":\"%llu\"}",
                  double(p.temperature), p.top_k, double(p.top_p), double(p.min_p), double(p.repeat_penalty),
                  max_tokens, static_cast<unsigned long long>(p.seed));
    std::string o = "{\"format\":\"seekbench-conversation\",\"version\":1,\"title\":" + json_quote(title) +
                    ",\"model\":" + json_quote(model) + ",\"system_prompt\":" + json_quote(c.system) +
                    ",\"sampling\":" + sampling + ",\"messages\":[";
    for (std::size_t i = 0; i < c.said.size(); ++i) {
        const Said& s = c.said[i];
        char stats[200] = "";
        if (s.message.role == "assistant")
            std::snprintf(stats, sizeof stats,
                          ",\"prompt_tokens\":%d,\"generated_tokens\":%d,\"tokens_per_second\":%.3f,\"stop_reason\":\"%s\"",
                          s.stats.prompt_tokens + s.stats.reused_tokens, s.stats.generated_tokens,
                          s.stats.tokens_per_second(), s.stats.stop_reason.c_str());
        o += (i ? "," : "") + std::string("{\"id\":") + std::to_string(i + 1) + ",\"parent\":" + std::to_string(i) +
             ",\"role\":" + json_quote(s.message.role) + ",\"content\":" + json_quote(s.message.content) + stats + "}";
    }
    return o + "]}\n";
}

class TerminalChat {
public:
    TerminalChat(Chat& chat, const ChatRequest& settings) : m_chat(chat), m_settings(settings) {}

    Conversation& conversation() { return m_conversation; }

    // One turn: the reply streams to stdout. False when the conversation no longer fits.
    bool turn(const std::string& text)
    {
        m_conversation.said.push_back({{"user", text}, {}});
        ChatRequest request = m_settings;
        request.messages = m_conversation.messages();
        std::string reply;
        g_interrupted = 0;
        ChatStats st;
        try {
            st = m_chat.reply(kConversation, request, [&](const std::string& piece) {
                reply += piece;
                std::fwrite(piece.data(), 1, piece.size(), stdout);
                std::fflush(stdout);
                return g_interrupted == 0;
            });
        } catch (const Error& e) {
            m_conversation.said.pop_back();
            if (e.code() != ErrorCode::ContextFull)
                throw;
            std::fprintf(stderr, "%s; /reset starts over\n", e.what());
            return false;
        }
        std::fputc('\n', stdout);
        std::fflush(stdout);
        g_interrupted = 0;
        m_conversation.said.push_back({{"assistant", reply}, st});
        std::fprintf(stderr, "[%d tokens, %.1f tokens/s; prompt %d new + %d cached tokens in %.2f s%s]\n",
                     st.generated_tokens, st.tokens_per_second(), st.prompt_tokens, st.reused_tokens,
                     st.prompt_seconds, st.stop_reason == "cancelled" ? "; stopped" : "");
        return true;
    }

    void reset()
    {
        m_conversation.said.clear();
        m_chat.forget(kConversation);
    }

private:
    Chat& m_chat;
    ChatRequest m_settings;
    Conversation m_conversation;
};

void print_help(FILE* out)
{
    std::fprintf(out, "/reset        start the conversation over (the system prompt stays)\n"
                      "/system TEXT  set the system prompt (/system alone clears it)\n"
                      "/save FILE    save the conversation as JSON (the app imports it)\n"
                      "/quit         leave (also Ctrl-D, or Ctrl-C at the prompt)\n"
                      "Ctrl-C while a reply is written stops it and keeps what was written.\n");
}

// Reads one line without its newline; false at the end of input or on Ctrl-C.
bool read_line(std::string& line)
{
    char* buf = nullptr;
    std::size_t cap = 0;
    const ssize_t n = ::getline(&buf, &cap, stdin);
    const bool ok = n >= 0 && g_interrupted == 0;
    if (ok) {
        line.assign(buf, static_cast<std::size_t>(n));
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
            line.pop_back();
    }
    std::free(buf);
    return ok;
}

int interactive(TerminalChat& chat, const std::string& model_name, const ChatRequest& settings)
{
    const bool tty = ::isatty(STDIN_FILENO) != 0;
    if (tty) {
        std::fprintf(stderr, "Chatting with %s. /help lists the commands.\n", model_name.c_str());
    }
    std::string line;
    for (;;) {
        if (tty) {
            std::fputs("> ", stdout);
            std::fflush(stdout);
        }
        if (!read_line(line)) {
            if (tty)
                std::fputc('\n', stdout);
            return 0;
        }
        if (line.empty())
            continue;
        if (line[0] != '/') {
            chat.turn(line);
            continue;
        }
        const auto space = line.find(' ');
        const std::string cmd = line.substr(0, space);
        const std::string arg = space == std::string::npos ? "" : line.substr(space + 1);
        if (cmd == "/quit" || cmd == "/exit") {
            return 0;
        } else if (cmd == "/reset") {
            chat.reset();
            std::fprintf(stderr, "[the conversation starts over]\n");
        } else if (cmd == "/system") {
            chat.conversation().system = arg;
            std::fprintf(stderr, arg.empty() ? "[no system prompt]\n" : "[system prompt set]\n");
        } else if (cmd == "/save" && !arg.empty()) {
            try {
                write_file_whole(arg, conversation_json(chat.conversation(), model_name, settings.sampling,
                                                        settings.max_tokens),
                                 "conversation");
                std::fprintf(stderr, "[saved %zu messages to %s]\n", chat.conversation().said.size(), arg.c_str());
            } catch (const Error& e) {
                std::fprintf(stderr, "%s\n", e.what());
            }
        } else {
            print_help(stderr);
        }
    }
}

} // namespace

int cmd_chat(int argc, char** argv)
{
    const std::vector<std::string> valued = {"-m", "--model", "-p", "--prompt", "--system", "-n", "--temp",
                                             "--seed", "--threads", "--device", "--cpu", "--gpu-layers", "--top-k", "--top-p", "--min-p",
                                             "--repeat-penalty"};
    const Args a(argc, argv, 2, valued);
    a.allow_only(with_backend_flags(valued));
    const auto model = Model::load(model_path(a));
    const auto backend = backend_for(a, *model);
    Chat chat(*backend);

    ChatRequest settings;
    settings.max_tokens = a.integer("-n", ChatDefaults::max_tokens);
    if (settings.max_tokens <= 0)
        throw Error(ErrorCode::InvalidArgument, "-n must be at least 1");
    settings.sampling.temperature = static_cast<float>(a.number("--temp", ChatDefaults::temperature));
    settings.sampling.top_k = a.integer("--top-k", ChatDefaults::top_k);
    settings.sampling.top_p = static_cast<float>(a.number("--top-p", ChatDefaults::top_p));
    settings.sampling.min_p = static_cast<float>(a.number("--min-p", ChatDefaults::min_p));
    settings.sampling.repeat_penalty = static_cast<float>(a.number("--repeat-penalty", ChatDefaults::repeat_penalty));
    settings.sampling.seed =
        a.has("--seed") ? static_cast<uint64_t>(a.integer("--seed", 0))
                        : static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());

    TerminalChat terminal(chat, settings);
    terminal.conversation().system = a.str("--system");
    catch_interrupts();
    const std::string name = model->config().name.empty() ? model->config().arch_name : model->config().name;
    if (a.has("-p") || a.has("--prompt")) {
        const std::string prompt = a.str("-p", a.str("--prompt"));
        if (prompt.empty())
            throw Error(ErrorCode::InvalidArgument, "-p needs the message to send");
        return terminal.turn(prompt) ? 0 : 1;
    }
    return interactive(terminal, name, settings);
}

int cmd_fim(int argc, char** argv)
{
    const std::vector<std::string> valued = {"-m", "--model", "--prefix", "--suffix", "-n", "--temp", "--seed",
                                             "--threads", "--device", "--cpu", "--gpu-layers"};
    const Args a(argc, argv, 2, valued);
    a.allow_only(with_backend_flags(valued));
    if (!a.has("--prefix") && !a.has("--suffix"))
        throw Error(ErrorCode::InvalidArgument, "give the code around the gap: --prefix TEXT --suffix TEXT");
    const auto model = Model::load(model_path(a));
    const auto backend = backend_for(a, *model);
    Chat chat(*backend);
    if (!chat.fim())
        throw Error(ErrorCode::Unsupported, model->config().name + ": " +
                                                "this model was not trained to fill in the middle (it has no FIM tokens)");
    FimRequest r;
    r.prefix = a.str("--prefix");
    r.suffix = a.str("--suffix");
    r.max_tokens = a.integer("-n", 64);
    r.sampling.temperature = static_cast<float>(a.number("--temp", 0.0));
    r.sampling.seed = static_cast<uint64_t>(a.integer("--seed", 1));
    catch_interrupts();
    const ChatStats st = chat.fill_in_middle(r, [](const std::string& piece) {
        std::fwrite(piece.data(), 1, piece.size(), stdout);
        std::fflush(stdout);
        return g_interrupted == 0;
    });
    std::fprintf(stderr, "\n[%s FIM: %d tokens, %.1f tokens/s; prompt %d new + %d cached tokens; stop: %s]\n",
                 chat.fim()->family.c_str(), st.generated_tokens, st.tokens_per_second(), st.prompt_tokens,
                 st.reused_tokens, st.stop_reason.c_str());
    return 0;
}

} // namespace seekbench::cli
