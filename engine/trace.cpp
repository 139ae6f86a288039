// Trace helpers and its JSON form, written by hand: the engine has no JSON library, and
// the format is small. Strings are escaped per RFC 8259; floats keep 6 significant digits.
#include "trace.h"

#include "text_io.h"
#include "tokenizer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace seekbench {

bool TraceOptions::wants_layer(int l) const
{
    return layers.empty() || std::find(layers.begin(), layers.end(), l) != layers.end();
}

bool TraceOptions::wants_head(int h) const
{
    return heads.empty() || std::find(heads.begin(), heads.end(), h) != heads.end();
}

AttentionMap& Trace::map(int layer, int head)
{
    for (AttentionMap& m : attention)
        if (m.layer == layer && m.head == head)
            return m;
    attention.push_back(AttentionMap{layer, head, {}, {}});
    return attention.back();
}

std::size_t Trace::bytes() const
{
    std::size_t b = sizeof(Trace) + tokens.size() * 8;
    for (const AttentionMap& m : attention) {
        b += sizeof(AttentionMap) + m.query_pos.size() * 4;
        for (const auto& row : m.probs)
            b += row.size() * 4 + sizeof(row);
    }
    for (const RoutingRecord& r : routing)
        b += sizeof(RoutingRecord) + (r.scores.size() + r.experts.size() + r.weights.size()) * 4;
    return b;
}

int ExpertLoad::total() const
{
    int sum = 0;
    for (int n : chosen)
        sum += n;
    return sum;
}

std::vector<double> ExpertLoad::relative(int experts_used) const
{
    const double balanced = double(tokens) * experts_used / std::max<std::size_t>(1, chosen.size());
    std::vector<double> out(chosen.size(), 0.0);
    if (balanced > 0)
        for (std::size_t e = 0; e < chosen.size(); ++e)
            out[e] = chosen[e] / balanced;
    return out;
}

double ExpertLoad::entropy_bits() const
{
    const int sum = total();
    double h = 0;
    for (int n : chosen)
        if (n > 0) {
            const double p = double(n) / sum;
            h -= p * std::log2(p);
        }
    return h;
}

ExpertLoad expert_load(const Trace& trace, int layer, int first_token)
{
    ExpertLoad load;
    load.chosen.assign(static_cast<std::size_t>(std::max(0, trace.n_experts)), 0);
    const int first_pos = (trace.positions.empty() ? 0 : trace.positions.front()) + first_token;
    for (const RoutingRecord& r : trace.routing) {
        if (r.layer != layer || r.pos < first_pos)
            continue;
        ++load.tokens;
        for (int e : r.experts)
            if (e >= 0 && e < trace.n_experts)
                ++load.chosen[static_cast<std::size_t>(e)];
    }
    return load;
}

double entropy_bits(const float* p, std::size_t n)
{
    double h = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (p[i] > 0)
            h -= p[i] * std::log2(double(p[i]));
    return h;
}

double mean_entropy_bits(const AttentionMap& map)
{
    if (map.probs.empty())
        return 0;
    double sum = 0;
    for (const auto& row : map.probs)
        sum += entropy_bits(row.data(), row.size());
    return sum / static_cast<double>(map.probs.size());
}

namespace {

void put_string(std::ostringstream& o, const std::string& s) { o << json_quote(s); }

template <typename T> void put_array(std::ostringstream& o, const std::vector<T>& v)
{
    o << '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i)
            o << ',';
        if constexpr (std::is_floating_point_v<T>) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.6g", static_cast<double>(v[i]));
            o << buf;
        } else {
            o << v[i];
        }
    }
    o << ']';
}

} // namespace

std::string trace_json(const Trace& t)
{
    std::ostringstream o;
    o << "{\"format\":\"seekbench-trace\",\"version\":1,\"model\":";
    put_string(o, t.model);
    o << ",\"n_layers\":" << t.n_layers << ",\"n_heads\":" << t.n_heads << ",\"n_experts\":" << t.n_experts
      << ",\"n_experts_used\":" << t.n_experts_used << ",\"tokens\":";
    put_array(o, t.tokens);
    o << ",\"positions\":";
    put_array(o, t.positions);
    o << ",\"pieces\":[";
    for (std::size_t i = 0; i < t.pieces.size(); ++i) {
        if (i)
            o << ',';
        put_string(o, utf8_sanitize(t.pieces[i])); // JSON is text: a part of a character becomes U+FFFD
    }
    o << "],\"attention\":[";
    for (std::size_t i = 0; i < t.attention.size(); ++i) {
        const AttentionMap& m = t.attention[i];
        o << (i ? "," : "") << "{\"layer\":" << m.layer << ",\"head\":" << m.head << ",\"query_pos\":";
        put_array(o, m.query_pos);
        o << ",\"probs\":[";
        for (std::size_t r = 0; r < m.probs.size(); ++r) {
            if (r)
                o << ',';
            put_array(o, m.probs[r]);
        }
        o << "]}";
    }
    o << "],\"routing\":[";
    for (std::size_t i = 0; i < t.routing.size(); ++i) {
        const RoutingRecord& r = t.routing[i];
        o << (i ? "," : "") << "{\"layer\":" << r.layer << ",\"pos\":" << r.pos << ",\"token\":" << r.token
          << ",\"experts\":";
        put_array(o, r.experts);
        o << ",\"weights\":";
        put_array(o, r.weights);
        o << ",\"scores\":";
        put_array(o, r.scores);
        if (r.shared_gate >= 0)
            o << ",\"shared_gate\":" << r.shared_gate;
        o << '}';
    }
    o << "]}\n";
    return o.str();
}

void write_trace_json(const Trace& trace, const std::string& path)
{
    write_file_whole(path, trace_json(trace), "trace");
}

} // namespace seekbench
