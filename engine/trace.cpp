// Trace helpers and its JSON form, written by hand: the engine has no JSON library, and
// the format is small. Strings are escaped per RFC 8259; floats keep 6 significant digits.
#include "trace.h"

#include "error.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
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

std::vector<std::vector<int>> Trace::expert_counts() const
{
    std::vector<std::vector<int>> counts(static_cast<std::size_t>(n_layers), std::vector<int>(static_cast<std::size_t>(n_experts), 0));
    for (const RoutingRecord& r : routing)
        for (int e : r.experts)
            if (r.layer >= 0 && r.layer < n_layers && e >= 0 && e < n_experts)
                ++counts[static_cast<std::size_t>(r.layer)][static_cast<std::size_t>(e)];
    return counts;
}

namespace {

void put_string(std::ostringstream& o, const std::string& s)
{
    o << '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': o << "\\\""; break;
        case '\\': o << "\\\\"; break;
        case '\n': o << "\\n"; break;
        case '\r': o << "\\r"; break;
        case '\t': o << "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                o << buf;
            } else {
                o << static_cast<char>(c);
            }
        }
    }
    o << '"';
}

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
        put_string(o, t.pieces[i]);
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
    const std::string text = trace_json(trace);
    const std::string tmp = path + ".partial";
    {
        std::ofstream out(tmp, std::ios::binary);
        out << text;
        out.flush();
        if (!out) {
            std::remove(tmp.c_str());
            throw Error(ErrorCode::Io, path + ": cannot write the trace: " + std::strerror(errno));
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw Error(ErrorCode::Io, path + ": cannot write the trace: " + std::strerror(errno));
    }
}

} // namespace seekbench
