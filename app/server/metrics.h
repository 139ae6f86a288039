// The server's Prometheus metrics: counters and histograms updated from the HTTP threads
// and the batcher's thread, gauges read from the batcher when scraped, written in the
// Prometheus text exposition format (version 0.0.4) that `promtool check metrics` accepts.
#pragma once

#include "engine/batcher.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace seekbench::server {

class Metrics {
public:
    void request_done(const std::string& route, int status);
    void tokens(int prompt, int generated);
    void time_to_first_token(double seconds);
    void inter_token(double seconds);
    void request_duration(double seconds);
    void generated_now(int tokens); // for the recent tokens/s gauge

    // The exposition text, with the batcher's gauges as they are now.
    std::string render(const BatcherStats& batcher, int n_ctx) const;

private:
    struct Histogram {
        static constexpr std::array<double, 14> kBounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
        std::array<uint64_t, kBounds.size()> counts{};
        uint64_t count = 0;
        double sum = 0;
        void observe(double x);
        void render(std::string& out, const char* name, const char* help) const;
    };

    mutable std::mutex m_mutex;
    std::map<std::pair<std::string, int>, uint64_t> m_requests; // (route, status) -> count
    uint64_t m_prompt_tokens = 0, m_generated_tokens = 0;
    Histogram m_ttft, m_itl, m_duration;
    std::deque<std::pair<std::chrono::steady_clock::time_point, int>> m_recent; // last 10 s of tokens
};

} // namespace seekbench::server
