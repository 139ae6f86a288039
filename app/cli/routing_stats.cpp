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
    std::fprintf(out, "expert load (share of choices; max/balanced; entropy in bits, %g is perfectly even):\n",
                 std::log2(static_cast<double>(std::max(trace.n_experts, 1))));
    for (int l = 0; l < trace.n_layers; ++l) {
        const ExpertLoad load = expert_load(trace, l);
        const int total = load.total();
        if (total == 0)
            continue;
        const std::vector<double> relative = load.relative(trace.n_experts_used);
        std::vector<int> order(load.chosen.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int a, int b) {
            return load.chosen[static_cast<std::size_t>(a)] > load.chosen[static_cast<std::size_t>(b)];
        });
        std::fprintf(out, "  layer %2d: max/balanced %.2f, entropy %.2f; top", l,
                     relative[static_cast<std::size_t>(order[0])], load.entropy_bits());
        for (std::size_t i = 0; i < std::min<std::size_t>(6, order.size()); ++i)
            std::fprintf(out, " e%d %.1f%%", order[i], 100.0 * load.chosen[static_cast<std::size_t>(order[i])] / total);
        std::fprintf(out, "\n");
    }
}

} // namespace seekbench::cli
