// The OpenAI API as seekbench-server speaks it: request bodies validated into plain
// requests (every refusal an ApiError with the status and the JSON error body OpenAI's
// clients expect), and the JSON of replies and stream chunks. No HTTP and no engine calls
// here, so the fuzzer and the tests reach it directly.
#pragma once

#include "engine/batcher.h"
#include "engine/chat_template.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace seekbench::server {

using Json = nlohmann::json;

// A refusal: HTTP status and the body's error object.
struct ApiError : std::runtime_error {
    ApiError(int status, std::string message, std::string param = {}, std::string code = {},
             std::string type = "invalid_request_error");
    int status;
    std::string param, code, type;
    std::string body() const; // {"error":{"message","type","param","code"}}
};

enum class Route { Chat, Completion };

struct Limits {
    std::string model_id;      // the one model name requests may ask for
    int max_tokens = 4096;     // a request's max_tokens at most
    int default_max_tokens = 512;
};

struct CompletionRequest {
    Route route = Route::Chat;
    std::vector<ChatMessage> messages; // chat
    std::string prompt;                // completions, as text
    std::vector<int32_t> prompt_tokens; // completions given as token ids
    bool prompt_is_tokens = false;
    SamplerParams sampling;
    int max_tokens = 512;
    std::vector<std::string> stop;
    bool stream = false;
    bool include_usage = false;  // stream_options.include_usage
    bool echo = false;           // completions: the prompt before the text
    int logprobs = -1;           // < 0: none; else how many alternatives (top_logprobs)
    bool ignore_eos = false;     // llama.cpp's extension, for benchmarks of fixed length
};

// Parses and checks a body for `route`. Throws ApiError (400 for bad JSON, a missing or
// mistyped field or a value out of range; 404 for an unknown model).
CompletionRequest parse_completion(const std::string& body, Route route, const Limits& limits);

struct EmbeddingRequest {
    std::vector<std::string> inputs;
};
// POST /v1/embeddings: `input` a string or an array of strings (at most 256).
EmbeddingRequest parse_embedding(const std::string& body, const std::string& embed_model_id);

// Splits a streamed reply into reasoning (inside <think>...</think>, or from the start when
// the template opens the reply inside it) and the answer; a tag cut between two pieces is
// held back until it is whole, so neither part ever has to be taken back.
class ReasoningSplitter {
public:
    explicit ReasoningSplitter(bool starts_thinking) : m_in_reasoning(starts_thinking), m_started(starts_thinking) {}
    struct Delta {
        std::string reasoning, content;
    };
    Delta push(const std::string& text);
    Delta finish();

private:
    Delta drain(bool final);
    std::string m_pending;
    bool m_in_reasoning;
    bool m_started;           // past the point where a reply may open with <think>
    bool m_skip_blank = false; // just after a tag: blank lines there are dropped
};

// The JSON text of `j`, invalid UTF-8 replaced (token pieces may be half a character).
std::string dump(const Json& j);

// One token's log probabilities in the route's format.
Json chat_logprob(const BatchEvent& e);
// Completions' format is columnar: appends the event to tokens/token_logprobs/top_logprobs.
void append_completion_logprob(Json& logprobs, const BatchEvent& e, std::size_t text_offset);

std::string finish_reason(const BatchResult& r); // "stop" or "length"
Json usage(const BatchResult& r);

} // namespace seekbench::server
