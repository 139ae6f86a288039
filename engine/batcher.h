// Continuous batching, the server's engine: N slots share one model and one KV cache (a
// sequence each). Requests wait in a queue, take a free slot between decode steps (the one
// whose cache shares the longest prefix with their prompt, so a repeated system prompt is
// not processed again), and every step runs one forward pass over all busy slots: one
// token for each slot that is generating, prompt chunks for the ones that are starting.
// Each slot has its own sampler, stop strings and limits; a finished or cancelled request
// frees its slot at once. One thread of its own runs the steps; callbacks run on it.
// Leaves out: HTTP, JSON and chat templates (callers tokenize), context shifts (a slot that
// is full ends with "length").
#pragma once

#include "backend.h"
#include "sampler.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace seekbench {

struct TokenLogprob {
    int32_t token = -1;
    std::string text;  // the token's bytes (may be part of a UTF-8 character)
    float logprob = 0; // natural log of its probability under the model (temperature 1)
};

// What one generated token adds to a reply.
struct BatchEvent {
    std::string text;            // new text: whole UTF-8 characters, stop strings held back
    TokenLogprob chosen;         // the token sampled (logprob filled when asked for)
    std::vector<TokenLogprob> top; // the most likely tokens, when top_logprobs > 0
};

struct BatchResult {
    int prompt_tokens = 0;       // the prompt's length
    int reused_tokens = 0;       // of those, taken from the slot's cache
    int generated_tokens = 0;
    double queue_seconds = 0;    // waiting for a slot
    double prompt_seconds = 0;   // from taking a slot to the first token
    double generate_seconds = 0; // from the first token to the end
    std::string finish_reason;   // "stop" (end of generation or a stop string), "length", "cancelled", "error"
    std::string error;           // when finish_reason is "error"
};

struct BatchRequest {
    std::vector<int32_t> prompt;    // at least one token
    SamplerParams sampling;
    int max_tokens = 256;           // cut to what the slot's context has room for
    std::vector<std::string> stop;  // the reply ends before the first of these
    int top_logprobs = -1;          // < 0: no log probabilities; 0..20: the chosen token's and this many more
    bool strip_leading_space = false; // SentencePiece's dummy space before the first word
    bool ignore_eos = false;        // never end at end-of-generation (benchmarks: fixed lengths)
    // Each token's text; returning false cancels the request (its client went away).
    std::function<bool(const BatchEvent&)> on_event;
    std::function<void(const BatchResult&)> on_done; // exactly once, also after an error or cancel
};

struct BatcherOptions {
    int n_slots = 4;
    int n_ctx = 0;    // per slot; 0: the model's training context, at most 4096
    int n_batch = 512; // tokens per forward pass
    KvType kv_type = KvType::F16;
};

struct BatcherStats {
    int slots = 0, slots_busy = 0, queued = 0;
    int64_t kv_tokens_used = 0, kv_tokens_total = 0; // cached positions over all slots
    uint64_t steps = 0, prompt_tokens = 0, generated_tokens = 0; // since start
};

class Batcher {
public:
    // Throws Error (InvalidArgument) for options out of range (as session_context() does).
    Batcher(Backend& backend, const BatcherOptions& options);
    ~Batcher(); // cancels what is running or queued (on_done with "cancelled") and stops
    Batcher(const Batcher&) = delete;
    Batcher& operator=(const Batcher&) = delete;

    // Queues a request; returns its id. Throws Error (InvalidArgument) for an empty prompt,
    // sampling out of range or top_logprobs above 20, and (ContextFull) for a prompt that
    // leaves no room for a token in a slot's context. Any thread.
    uint64_t submit(BatchRequest request);
    // Ends a request before its next token (a queued one never starts). Any thread.
    void cancel(uint64_t id);

    BatcherStats stats() const; // any thread
    int n_ctx() const { return m_n_ctx; }
    int n_slots() const { return m_n_slots; }
    const Model& model() const { return m_model; }

private:
    struct Job;
    struct Slot;
    void loop(std::stop_token stop);
    bool admit();                // queued jobs into free slots; false when none moved
    void step();                 // one forward pass over the busy slots
    void finish(Slot& slot, const std::string& reason, bool flush = false, const std::string& error = {});
    void emit_token(Slot& slot, int32_t token, const float* logits);

    Backend& m_backend;
    const Model& m_model;
    int m_n_ctx = 0;
    int m_n_batch = 512;
    int m_n_slots = 0;
    std::unique_ptr<BackendContext> m_context;
    std::vector<Slot> m_slots;     // the loop thread's own
    Batch m_batch;
    std::vector<float> m_logits;
    std::vector<int32_t> m_end_tokens; // end of generation (and BOS), masked for ignore_eos
    std::vector<float> m_masked;       // a logits row with those masked

    mutable std::mutex m_mutex;    // guards what follows
    std::condition_variable_any m_wake;
    std::deque<std::unique_ptr<Job>> m_queue;
    std::vector<uint64_t> m_cancelled;
    uint64_t m_next_id = 1;
    BatcherStats m_stats;

    std::jthread m_thread; // last: starts after everything above exists
};

} // namespace seekbench
