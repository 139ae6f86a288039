// attention_provenance and token_spans: sums over the trace's attention rows, no model.
#include "provenance.h"

#include <algorithm>

namespace seekbench {

Provenance attention_provenance(const Trace& trace, int answer_begin, int answer_end,
                                const std::vector<std::pair<int, int>>& spans)
{
    Provenance out;
    out.shares.assign(spans.size(), 0.0);
    const int answer = std::max(0, answer_end - answer_begin);
    out.per_token.assign(static_cast<std::size_t>(answer), std::vector<double>(spans.size(), 0.0));
    if (answer == 0 || trace.positions.empty())
        return out;
    // Keys are indexed by position; the passages' token ranges as position ranges.
    auto position = [&](int token) {
        return token >= 0 && token < static_cast<int>(trace.positions.size()) ? trace.positions[static_cast<std::size_t>(token)]
                                                                               : -1;
    };
    std::vector<std::pair<int, int>> keys;
    for (const auto& [first, last] : spans)
        keys.emplace_back(position(first), last > first ? position(last - 1) + 1 : position(first));
    std::vector<int> counted(static_cast<std::size_t>(answer), 0);
    for (const AttentionMap& map : trace.attention) {
        for (std::size_t row = 0; row < map.query_pos.size(); ++row) {
            const auto it = std::find(trace.positions.begin(), trace.positions.end(), map.query_pos[row]);
            const int token = static_cast<int>(it - trace.positions.begin());
            if (it == trace.positions.end() || token < answer_begin || token >= answer_end)
                continue;
            const std::vector<float>& p = map.probs[row];
            const auto q = static_cast<std::size_t>(token - answer_begin);
            for (std::size_t s = 0; s < spans.size(); ++s) {
                const int a = std::max(0, keys[s].first), b = std::min(static_cast<int>(p.size()), keys[s].second);
                double mass = 0;
                for (int k = a; k < b; ++k)
                    mass += p[static_cast<std::size_t>(k)];
                out.per_token[q][s] += mass;
            }
            ++counted[q];
        }
    }
    int tokens = 0;
    for (std::size_t q = 0; q < counted.size(); ++q) {
        if (counted[q] == 0)
            continue;
        ++tokens;
        for (std::size_t s = 0; s < spans.size(); ++s) {
            out.per_token[q][s] /= counted[q];
            out.shares[s] += out.per_token[q][s];
        }
    }
    for (double& share : out.shares) {
        share = tokens ? share / tokens : 0.0;
        out.attended += share;
    }
    return out;
}

std::vector<std::pair<int, int>> token_spans(const std::vector<std::string>& pieces,
                                             const std::vector<std::string>& texts)
{
    std::string all;
    std::vector<std::size_t> starts;
    for (const std::string& p : pieces) {
        starts.push_back(all.size());
        all += p;
    }
    starts.push_back(all.size());
    std::vector<std::pair<int, int>> out;
    std::size_t from = 0;
    for (const std::string& text : texts) {
        const std::size_t at = text.empty() ? std::string::npos : all.find(text, from);
        if (at == std::string::npos) {
            out.emplace_back(0, 0);
            continue;
        }
        const std::size_t end = at + text.size();
        // The first token whose bytes reach past `at`, and the first that starts at or after `end`.
        const auto first = std::upper_bound(starts.begin(), starts.end() - 1, at) - starts.begin() - 1;
        const auto last = std::lower_bound(starts.begin(), starts.end() - 1, end) - starts.begin();
        out.emplace_back(static_cast<int>(first), static_cast<int>(last));
        from = end;
    }
    return out;
}

} // namespace seekbench
