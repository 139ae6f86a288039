// The expert-load table `run --routing-stats` and `trace` print: per MoE layer, how the
// router spread its choices over the experts.
#pragma once

#include "engine/trace.h"

#include <cstdio>

namespace seekbench::cli {

void print_routing_stats(const Trace& trace, FILE* out);

} // namespace seekbench::cli
