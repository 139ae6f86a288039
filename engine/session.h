// A conversation's state on one model: the KV cache, which tokens it holds, and how to
// extend it. eval() reuses the longest common prefix of what is cached (a follow-up turn
// only processes new text), processes the rest in batches, and shifts the context (drops
// the oldest tokens after the first n_keep, re-rotating the kept keys) when it is full.
// Backend-blind: it runs on whatever backend the model was placed on.
#pragma once

#include "backend.h"
#include "kv_cache.h"
#include "model.h"
#include "sampler.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace seekbench {

struct SessionOptions {
    int n_ctx = 0;          // 0: the model's training context, at most 4096
    int n_batch = 512;      // prompt tokens per forward pass
    KvType kv_type = KvType::F16;
    int n_keep = -1;        // tokens a context shift never drops; -1: the BOS token if any
    bool beyond_training = false; // allow n_ctx above the model's training context
};

// The context a session made with these options has, in tokens. Throws Error
// (InvalidArgument) for a negative one, or one past the model's training context unless
// options.beyond_training.
int session_context(const Model& model, const SessionOptions& options);

struct GenerateStats {
    int prompt_tokens = 0;      // processed now (after prefix reuse)
    int reused_tokens = 0;
    int generated_tokens = 0;
    double prompt_seconds = 0, generate_seconds = 0;
    std::string stop_reason;    // "eos", "length", "cancelled"
};

class Session {
public:
    explicit Session(Backend& backend, const SessionOptions& options = {});

    // Makes the cache hold `tokens` and returns the logits after the last one (n_vocab floats).
    const float* eval(const std::vector<int32_t>& tokens);
    // Appends one token; shifts the context first when it is full.
    const float* eval_next(int32_t token);

    // Records into `trace` (or stops recording with nullptr) for every forward pass from now.
    void set_trace(Trace* trace) { m_trace = trace; }
    const std::vector<int32_t>& tokens() const { return m_tokens; }
    int n_ctx() const { return m_context->n_ctx(); }
    int last_reused() const { return m_last_reused; }
    int shifts() const { return m_shifts; }
    const BackendContext& context() const { return *m_context; }
    const Model& model() const { return m_model; }

    // Generates after `prompt`: calls on_token(id, text) for each new token (text is never a
    // partial UTF-8 character); stops at end-of-generation, max_tokens, or when on_token
    // returns false.
    GenerateStats generate(const std::vector<int32_t>& prompt, Sampler& sampler, int max_tokens,
                           const std::function<bool(int32_t, const std::string&)>& on_token);

private:
    void shift_context(int needed);
    const float* run(const std::vector<int32_t>& tokens, std::size_t from);

    const Model& m_model;
    SessionOptions m_options;
    std::unique_ptr<BackendContext> m_context;
    Batch m_batch;
    std::vector<float> m_logits;
    std::vector<int32_t> m_tokens;
    int m_last_reused = 0;
    int m_shifts = 0;
    Trace* m_trace = nullptr;
};

} // namespace seekbench
