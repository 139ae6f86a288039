// Where a forward pass spends its time: wall time, calls and bytes moved per kind of
// operation ("matmul q4_K", "attention", "norm", ...) and per layer. Recorded only while a
// Profile is attached to the CPU device; unattached, each hook is one null test. Matmuls
// that run several weights together split their time by each weight's bytes (decoding is
// bound by memory, so the bytes are where the time goes). CPU only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace seekbench {

struct ProfileRow {
    std::string op;        // "matmul q4_K", "attention", "norm", "rope + kv", "embedding", "moe routing"
    int layer = -1;        // -1: outside the layers (embedding, output)
    double seconds = 0;
    uint64_t bytes = 0;    // weights, cache and activations read or written
    uint64_t flops = 0;    // matmuls: 2 x weights x rows of input (a multiply and an add each)
    long long calls = 0;
};

class Profile {
public:
    void set_layer(int layer) { m_layer = layer; }
    void add(const std::string& op, double seconds, uint64_t bytes, uint64_t flops = 0);
    void clear() { m_rows.clear(); }
    // One row per (op, layer), in layer order; and summed over layers, the largest first.
    std::vector<ProfileRow> rows() const;
    std::vector<ProfileRow> by_op() const;
    double total_seconds() const;

private:
    int m_layer = -1;
    std::map<std::pair<int, std::string>, ProfileRow> m_rows;
};

// Times the scope it lives in into `profile` (nothing at all when profile is null).
class ProfileScope {
public:
    ProfileScope(Profile* profile, const char* op, uint64_t bytes)
        : m_profile(profile), m_op(op), m_bytes(bytes)
    {
        if (m_profile)
            m_start = std::chrono::steady_clock::now();
    }
    ~ProfileScope()
    {
        if (m_profile)
            m_profile->add(m_op, std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count(),
                           m_bytes);
    }
    ProfileScope(const ProfileScope&) = delete;
    ProfileScope& operator=(const ProfileScope&) = delete;

private:
    Profile* m_profile;
    const char* m_op;
    uint64_t m_bytes;
    std::chrono::steady_clock::time_point m_start;
};

} // namespace seekbench
