// A slow, obvious float64 forward pass for tests: every weight dequantized to double,
// attention recomputed over the whole sequence, no cache, no batching, no SIMD. What the
// engine computes must agree with it within each format's stated bound.
#pragma once

#include "engine/model.h"

#include <vector>

namespace seekbench::test {

// Logits for every position of `tokens` (tokens.size() rows of n_vocab).
std::vector<std::vector<double>> reference_logits(const Model& model, const std::vector<int32_t>& tokens);

// ||a - b|| / ||b||
double rel_error(const float* a, const std::vector<double>& b);

} // namespace seekbench::test
