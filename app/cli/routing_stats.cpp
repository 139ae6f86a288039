// Per layer: the busiest experts with their share of the choices, how uneven the load is
// (the busiest expert against a perfectly balanced one) and its entropy in bits.
#include "routing_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace seekbench::cli {

void print_routing_stats(const Trace& trace, FILE* out)
{
    const auto counts = trace.expert_counts();
    std::fprintf(out, "expert load (share of choices; max/balanced; entropy in bits, %g is perfectly even):\n",
                 std::log2(static_cast<double>(std::max(trace.n_experts, 1))));
    for (std::size_t l = 0; l < counts.size(); ++l) {
        const auto& c = counts[l];
        const int total = std::accumulate(c.begin(), c.end(), 0);
        if (total == 0)
            continue;
        std::vector<int> order(c.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int a, int b) { return c[static_cast<std::size_t>(a)] > c[static_cast<std::size_t>(b)]; });
        double entropy = 0;
        for (int n : c)
            if (n > 0) {
                const double p = static_cast<double>(n) / total;
                entropy -= p * std::log2(p);
            }
        const double balanced = static_cast<double>(total) / static_cast<double>(c.size());
        std::fprintf(out, "  layer %2zu: max/balanced %.2f, entropy %.2f; top", l,
                     c[static_cast<std::size_t>(order[0])] / balanced, entropy);
        for (std::size_t i = 0; i < std::min<std::size_t>(6, order.size()); ++i)
            std::fprintf(out, " e%d %.1f%%", order[i], 100.0 * c[static_cast<std::size_t>(order[i])] / total);
        std::fprintf(out, "\n");
    }
}

} // namespace seekbench::cli
