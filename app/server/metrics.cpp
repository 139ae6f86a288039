// Prometheus text format: # HELP and # TYPE before each family, label values escaped,
// histogram buckets cumulative with +Inf, _sum and _count.
#include "metrics.h"

#include <cstdio>

namespace seekbench::server {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kRecentSeconds = 10;

std::string num(double x)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.12g", x);
    return buf;
}

std::string escape_label(const std::string& s)
{
    std::string out;
    for (char c : s) {
        if (c == '\\' || c == '"')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

void family(std::string& out, const char* name, const char* type, const char* help)
{
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void sample(std::string& out, const char* name, double value)
{
    out += std::string(name) + " " + num(value) + "\n";
}

} // namespace

void Metrics::Histogram::observe(double x)
{
    for (std::size_t i = 0; i < kBounds.size(); ++i)
        if (x <= kBounds[i])
            ++counts[i];
    ++count;
    sum += x;
}

void Metrics::Histogram::render(std::string& out, const char* name, const char* help) const
{
    family(out, name, "histogram", help);
    for (std::size_t i = 0; i < kBounds.size(); ++i)
        out += std::string(name) + "_bucket{le=\"" + num(kBounds[i]) + "\"} " + std::to_string(counts[i]) + "\n";
    out += std::string(name) + "_bucket{le=\"+Inf\"} " + std::to_string(count) + "\n";
    out += std::string(name) + "_sum " + num(sum) + "\n";
    out += std::string(name) + "_count " + std::to_string(count) + "\n";
}

void Metrics::request_done(const std::string& route, int status)
{
    std::lock_guard lock(m_mutex);
    ++m_requests[{route, status}];
}

void Metrics::tokens(int prompt, int generated)
{
    std::lock_guard lock(m_mutex);
    m_prompt_tokens += static_cast<uint64_t>(prompt);
    m_generated_tokens += static_cast<uint64_t>(generated);
}

void Metrics::time_to_first_token(double seconds)
{
    std::lock_guard lock(m_mutex);
    m_ttft.observe(seconds);
}

void Metrics::inter_token(double seconds)
{
    std::lock_guard lock(m_mutex);
    m_itl.observe(seconds);
}

void Metrics::request_duration(double seconds)
{
    std::lock_guard lock(m_mutex);
    m_duration.observe(seconds);
}

void Metrics::generated_now(int tokens)
{
    const auto now = Clock::now();
    std::lock_guard lock(m_mutex);
    m_recent.emplace_back(now, tokens);
    while (!m_recent.empty() && std::chrono::duration<double>(now - m_recent.front().first).count() > kRecentSeconds)
        m_recent.pop_front();
}

std::string Metrics::render(const BatcherStats& b, int n_ctx) const
{
    std::lock_guard lock(m_mutex);
    std::string out;
    family(out, "seekbench_requests_total", "counter", "HTTP requests answered, by route and status code.");
    for (const auto& [key, count] : m_requests)
        out += "seekbench_requests_total{route=\"" + escape_label(key.first) + "\",code=\"" + std::to_string(key.second) +
               "\"} " + std::to_string(count) + "\n";
    family(out, "seekbench_prompt_tokens_total", "counter", "Prompt tokens of finished requests.");
    sample(out, "seekbench_prompt_tokens_total", double(m_prompt_tokens));
    family(out, "seekbench_generated_tokens_total", "counter", "Tokens generated for finished requests.");
    sample(out, "seekbench_generated_tokens_total", double(m_generated_tokens));
    m_ttft.render(out, "seekbench_time_to_first_token_seconds", "From a request's arrival to its first token.");
    m_itl.render(out, "seekbench_inter_token_latency_seconds", "Between two tokens of one reply.");
    m_duration.render(out, "seekbench_request_duration_seconds", "From a completion request's arrival to its end.");
    family(out, "seekbench_queue_depth", "gauge", "Requests waiting for a slot.");
    sample(out, "seekbench_queue_depth", b.queued);
    family(out, "seekbench_slots", "gauge", "Slots (requests generated at once).");
    sample(out, "seekbench_slots", b.slots);
    family(out, "seekbench_slots_busy", "gauge", "Slots running a request.");
    sample(out, "seekbench_slots_busy", b.slots_busy);
    family(out, "seekbench_kv_cache_tokens", "gauge", "Positions held in the KV cache, all slots.");
    sample(out, "seekbench_kv_cache_tokens", double(b.kv_tokens_used));
    family(out, "seekbench_kv_cache_usage_ratio", "gauge", "Share of the KV cache in use, 0 to 1.");
    sample(out, "seekbench_kv_cache_usage_ratio",
           b.kv_tokens_total > 0 ? double(b.kv_tokens_used) / double(b.kv_tokens_total) : 0.0);
    family(out, "seekbench_context_size_tokens", "gauge", "Context of each slot.");
    sample(out, "seekbench_context_size_tokens", n_ctx);
    family(out, "seekbench_decode_steps_total", "counter", "Forward passes the batcher ran.");
    sample(out, "seekbench_decode_steps_total", double(b.steps));
    double recent = 0;
    for (const auto& [when, n] : m_recent)
        if (std::chrono::duration<double>(Clock::now() - when).count() <= kRecentSeconds)
            recent += n;
    family(out, "seekbench_tokens_per_second", "gauge", "Tokens generated per second over the last 10 seconds, all slots.");
    sample(out, "seekbench_tokens_per_second", recent / kRecentSeconds);
    return out;
}

} // namespace seekbench::server
