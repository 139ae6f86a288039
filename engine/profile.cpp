// Profile: rows keyed by (layer, op) so the per-layer view comes out in order.
#include "profile.h"

#include <algorithm>

namespace seekbench {

void Profile::add(const std::string& op, double seconds, uint64_t bytes, uint64_t flops)
{
    ProfileRow& r = m_rows[{m_layer, op}];
    r.op = op;
    r.layer = m_layer;
    r.seconds += seconds;
    r.bytes += bytes;
    r.flops += flops;
    ++r.calls;
}

std::vector<ProfileRow> Profile::rows() const
{
    std::vector<ProfileRow> out;
    for (const auto& [key, row] : m_rows)
        out.push_back(row);
    return out;
}

std::vector<ProfileRow> Profile::by_op() const
{
    std::map<std::string, ProfileRow> sum;
    for (const auto& [key, row] : m_rows) {
        ProfileRow& s = sum[row.op];
        s.op = row.op;
        s.seconds += row.seconds;
        s.bytes += row.bytes;
        s.flops += row.flops;
        s.calls += row.calls;
    }
    std::vector<ProfileRow> out;
    for (const auto& [op, row] : sum)
        out.push_back(row);
    std::sort(out.begin(), out.end(), [](const ProfileRow& a, const ProfileRow& b) { return a.seconds > b.seconds; });
    return out;
}

double Profile::total_seconds() const
{
    double t = 0;
    for (const auto& [key, row] : m_rows)
        t += row.seconds;
    return t;
}

} // namespace seekbench
