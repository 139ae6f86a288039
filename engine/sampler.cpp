// Sampler: candidates sorted once, filters applied in llama.cpp's default order
// (penalties, top-k, top-p, min-p, temperature), then a draw.
#include "sampler.h"

#include "error.h"

#include <cstdio>
#include <string>

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace seekbench {

SamplerParams ChatDefaults::sampling(uint64_t seed)
{
    SamplerParams p;
    p.temperature = static_cast<float>(temperature);
    p.top_k = top_k;
    p.top_p = static_cast<float>(top_p);
    p.min_p = static_cast<float>(min_p);
    p.repeat_penalty = static_cast<float>(repeat_penalty);
    p.seed = seed;
    return p;
}

void check_sampler_params(const SamplerParams& p)
{
    const auto check = [](const char* name, double v, double lo, double hi, bool lo_open, const char* means) {
        if (!std::isfinite(v) || v > hi || (lo_open ? v <= lo : v < lo)) {
            char shown[32];
            std::snprintf(shown, sizeof shown, "%g", v);
            throw Error(ErrorCode::InvalidArgument, std::string(name) + " must be " + means + ", not " + shown);
        }
    };
    check("temperature", p.temperature, 0, 100, false, "between 0 (greedy) and 100");
    check("top-k", p.top_k, 0, 1e9, false, "0 (off) or more");
    check("top-p", p.top_p, 0, 1, true, "above 0 and at most 1 (1: off)");
    check("min-p", p.min_p, 0, 1, false, "between 0 (off) and 1");
    check("repeat penalty", p.repeat_penalty, 0, 10, true, "above 0 and at most 10 (1: off)");
    check("repeat window", p.repeat_last_n, 0, 1e9, false, "0 or more tokens");
    check("presence penalty", p.presence_penalty, -2, 2, false, "between -2 and 2");
    check("frequency penalty", p.frequency_penalty, -2, 2, false, "between -2 and 2");
}

Sampler::Sampler(const SamplerParams& params) : m_params(params), m_state(params.seed * 0x9E3779B97F4A7C15ull + 1)
{
    check_sampler_params(params);
}

double Sampler::uniform()
{
    // splitmix64: small, fast, the same everywhere.
    uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);
}

int32_t Sampler::sample(const float* logits, int n_vocab, const std::vector<int32_t>& history)
{
    const SamplerParams& p = m_params;
    m_candidates.resize(static_cast<std::size_t>(n_vocab));
    for (int i = 0; i < n_vocab; ++i)
        m_candidates[static_cast<std::size_t>(i)] = {logits[i], i};

    const bool penalize = p.repeat_penalty != 1.0f || p.presence_penalty != 0.0f || p.frequency_penalty != 0.0f;
    if (penalize && p.repeat_last_n != 0 && !history.empty()) {
        const std::size_t n = p.repeat_last_n < 0 ? history.size()
                                                   : std::min(history.size(), static_cast<std::size_t>(p.repeat_last_n));
        std::unordered_map<int32_t, int> counts;
        for (std::size_t i = history.size() - n; i < history.size(); ++i)
            ++counts[history[i]];
        for (const auto& [tok, count] : counts) {
            if (tok < 0 || tok >= n_vocab)
                continue;
            float& l = m_candidates[static_cast<std::size_t>(tok)].first;
            l = l > 0 ? l / p.repeat_penalty : l * p.repeat_penalty;
            l -= static_cast<float>(count) * p.frequency_penalty + p.presence_penalty;
        }
    }

    if (p.temperature <= 0.0f) { // greedy: first maximum = lowest id on ties
        int32_t best = 0;
        for (int i = 1; i < n_vocab; ++i)
            if (m_candidates[static_cast<std::size_t>(i)].first > m_candidates[static_cast<std::size_t>(best)].first)
                best = i;
        return best;
    }

    auto by_logit = [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); };
    std::size_t n = m_candidates.size();
    if (p.top_k > 0 && static_cast<std::size_t>(p.top_k) < n) {
        std::partial_sort(m_candidates.begin(), m_candidates.begin() + p.top_k, m_candidates.end(), by_logit);
        n = static_cast<std::size_t>(p.top_k);
    } else {
        std::sort(m_candidates.begin(), m_candidates.end(), by_logit);
    }
    // Probabilities at temperature 1 for the top-p / min-p cuts, as llama.cpp does.
    std::vector<double> probs(n);
    const double max_logit = m_candidates[0].first;
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i)
        sum += probs[i] = std::exp(static_cast<double>(m_candidates[i].first) - max_logit);
    for (double& q : probs)
        q /= sum;
    if (p.top_p < 1.0f) {
        double cum = 0;
        for (std::size_t i = 0; i < n; ++i) {
            cum += probs[i];
            if (cum >= p.top_p) {
                n = i + 1;
                break;
            }
        }
    }
    if (p.min_p > 0.0f) {
        const double cut = probs[0] * p.min_p;
        std::size_t keep = 1;
        while (keep < n && probs[keep] >= cut)
            ++keep;
        n = keep;
    }
    // Temperature, then a draw from what is left.
    sum = 0;
    for (std::size_t i = 0; i < n; ++i)
        sum += probs[i] = std::exp((static_cast<double>(m_candidates[i].first) - max_logit) / p.temperature);
    double r = uniform() * sum;
    for (std::size_t i = 0; i < n; ++i) {
        r -= probs[i];
        if (r < 0)
            return m_candidates[i].second;
    }
    return m_candidates[n - 1].second;
}

} // namespace seekbench
