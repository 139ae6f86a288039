// How well a model predicts a text: the mean negative log-likelihood (nats per token) of
// each token given the ones before it, over consecutive windows that each start with an
// empty context, as a trainer's evaluation does. exp(loss) is the perplexity.
#pragma once

#include <cstdint>
#include <vector>

namespace seekbench {

class Backend;

struct LossResult {
    double mean_nll = 0;   // nats per predicted token
    long long predicted = 0;
};

// Windows of `window` + 1 tokens starting every `window` tokens: each predicts its last
// `window` tokens from the ones before them (the first token of a window is context only).
LossResult mean_loss(Backend& backend, const std::vector<int32_t>& tokens, int window);

} // namespace seekbench
