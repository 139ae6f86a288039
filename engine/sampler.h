// Choosing the next token from logits: greedy, or temperature with top-k, top-p and min-p
// filtering, after repetition, presence and frequency penalties. A seed makes it
// reproducible on every machine (its own random numbers, not the standard library's).
#pragma once

#include <cstdint>
#include <vector>

namespace seekbench {

struct SamplerParams {
    float temperature = 0.8f;     // <= 0: greedy (ties: the lowest token id)
    int top_k = 40;               // <= 0: off
    float top_p = 0.95f;          // >= 1: off
    float min_p = 0.05f;          // <= 0: off
    float repeat_penalty = 1.0f;  // 1: off; divides positive logits of recent tokens
    int repeat_last_n = 64;       // how many recent tokens the penalties look at
    float presence_penalty = 0.0f;
    float frequency_penalty = 0.0f;
    uint64_t seed = 0;
};

// What a chat uses unless the user says otherwise: the app's and the CLI's defaults.
struct ChatDefaults {
    static constexpr double temperature = 0.7;
    static constexpr int top_k = 40;
    static constexpr double top_p = 0.95;
    static constexpr double min_p = 0.05;
    static constexpr double repeat_penalty = 1.1;
    static constexpr int max_tokens = 512;
    static SamplerParams sampling(uint64_t seed);
};

// Throws Error (InvalidArgument) naming the first setting out of its range: temperature
// 0..100 (0: greedy), top_k >= 0, top_p in (0, 1], min_p in [0, 1], repeat_penalty in
// (0, 10], repeat_last_n >= 0, presence and frequency penalties in [-2, 2]; all finite.
void check_sampler_params(const SamplerParams& params);

class Sampler {
public:
    explicit Sampler(const SamplerParams& params); // checks them first

    // `history`: tokens so far (prompt and generated), for the penalties.
    int32_t sample(const float* logits, int n_vocab, const std::vector<int32_t>& history);
    const SamplerParams& params() const { return m_params; }

private:
    double uniform(); // [0, 1)

    SamplerParams m_params;
    uint64_t m_state;
    std::vector<std::pair<float, int32_t>> m_candidates;
};

} // namespace seekbench
