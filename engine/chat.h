// One chat turn, as the app, `seekbench-cli chat` and the server run it: a conversation of
// messages and sampling in, the reply's text streamed out, its stats back. Renders with the
// model's template, keeps each recent conversation's KV cache and reuses its unchanged
// prefix (the reply's sampled tokens, not a re-tokenization of its text), and keeps within
// the context. Also looks inside the model for one message within a memory budget.
// Leaves out: threads (callers run it where they like) and storage (messages come in whole).
#pragma once

#include "backend.h"
#include "chat_template.h"
#include "fim.h"
#include "model.h"
#include "sampler.h"
#include "session.h"
#include "trace.h"

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

namespace seekbench {

struct ChatRequest {
    std::vector<ChatMessage> messages; // system prompt (if any) first, the user's last
    SamplerParams sampling = ChatDefaults::sampling(0);
    int max_tokens = ChatDefaults::max_tokens; // the reply's length at most (and the context's room)
};

struct ChatStats {
    int prompt_tokens = 0;      // processed for this turn
    int reused_tokens = 0;      // taken from the conversation's cache
    int generated_tokens = 0;
    double prompt_seconds = 0, generate_seconds = 0;
    std::string stop_reason;    // "eos", "length", "cancelled"
    double tokens_per_second() const { return generate_seconds > 0 ? generated_tokens / generate_seconds : 0; }
};

// Code completion: the text between `prefix` and `suffix`, written by a model that was
// trained to fill in the middle (see fim.h).
struct FimRequest {
    std::string prefix, suffix;
    SamplerParams sampling = ChatDefaults::sampling(0);
    int max_tokens = 64;
};

// Called with each piece of the reply as it is written (never a partial UTF-8 character);
// returning false stops the reply before its next token.
using TextSink = std::function<bool(const std::string& text)>;

// Looking inside the model for one message: which parts to record and how much memory the
// attention probabilities may take (the layers nearest focus_layer are kept first).
struct TraceBudget {
    bool attention = true, routing = true;
    int focus_layer = 0;
    std::size_t max_bytes = std::size_t(256) << 20;
};

struct MessageTrace {
    std::shared_ptr<Trace> trace;
    int message_start = 0, message_end = 0; // the message's tokens: [start, end) of trace->tokens
    std::vector<int> attention_layers;      // the layers whose attention was kept
};

// The attention layers that fit `max_bytes` for `n_tokens` tokens: as many as fit (at
// least one), nearest `focus` first, returned in order.
std::vector<int> attention_layers_within(const ModelConfig& config, int n_tokens, std::size_t max_bytes, int focus);

class Chat {
public:
    // `conversations_kept`: how many conversations keep their KV cache (most recent first).
    explicit Chat(Backend& backend, int conversations_kept = 3);

    const ChatTemplate& chat_template() const { return m_template; }
    const Model& model() const { return m_model; }
    Backend& backend() const { return m_backend; }
    // The context a conversation has, in tokens.
    int context_size() const;

    // Writes the assistant's reply to request.messages in conversation `conversation`.
    // Throws Error: ContextFull when the conversation does not leave room for a reply (nothing
    // was generated), or whatever the engine reports (the conversation's cache is dropped).
    ChatStats reply(int64_t conversation, const ChatRequest& request, const TextSink& on_text);

    // Runs `messages` (the last one the message to look into) through the model once with
    // tracing on. `cancelled` is asked between chunks of tokens; when it says yes this throws
    // Error (Cancelled).
    MessageTrace trace(int64_t conversation, const std::vector<ChatMessage>& messages, const TraceBudget& budget,
                       const std::function<bool()>& cancelled = {});

    // Drops a conversation's cache (it was deleted, or its messages changed under it).
    void forget(int64_t conversation);

    // The model's fill-in-the-middle tokens; nullopt when it was not trained for it.
    const std::optional<FimTokens>& fim() const { return m_fim; }
    // Writes the middle of request.prefix ... request.suffix. Completions share one cache,
    // so a prefix that only grew is not processed again. Long files keep the end of the
    // prefix and the start of the suffix that fit. Throws Error (Unsupported) for a model
    // without FIM tokens.
    ChatStats fill_in_middle(const FimRequest& request, const TextSink& on_text);

private:
    struct Cached {
        int64_t conversation = 0;
        std::unique_ptr<Session> session;
        // The last prompt and reply exactly as the model saw and wrote them, and their
        // tokens: a prompt that starts with this text only tokenizes what follows.
        std::string text;
        std::vector<int32_t> tokens;
    };
    Cached& cached(int64_t conversation); // found or made, now the most recent
    const Cached* find(int64_t conversation) const;
    std::vector<int32_t> tokens_for(const Cached* cached, const std::string& text) const;

    Backend& m_backend;
    const Model& m_model;
    ChatTemplate m_template;
    std::optional<FimTokens> m_fim;
    std::size_t m_kept;
    std::list<Cached> m_cached; // most recently used first
};

} // namespace seekbench
