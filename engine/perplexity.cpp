// mean_loss: one batched forward pass per window with logits for every row; log-softmax
// in double precision.
#include "perplexity.h"

#include "backend.h"
#include "error.h"

#include <algorithm>
#include <cmath>

namespace seekbench {

LossResult mean_loss(Backend& backend, const std::vector<int32_t>& tokens, int window)
{
    if (window < 1)
        throw Error(ErrorCode::InvalidArgument, "the window must hold at least one token");
    const int vocab = backend.model().config().n_vocab;
    // Each window writes positions 0.. again; attention never reads past its own position.
    const auto context = backend.new_context(window + 1, 1, KvType::F32);
    std::vector<float> logits;
    LossResult r;
    double total = 0;
    for (std::size_t s = 0; s + 1 < tokens.size(); s += static_cast<std::size_t>(window)) {
        const std::size_t end = std::min(tokens.size(), s + static_cast<std::size_t>(window) + 1);
        Batch batch;
        for (std::size_t i = s; i + 1 < end; ++i)
            batch.add(tokens[i], static_cast<int32_t>(i - s), 0, true);
        context->forward(batch, logits);
        for (int m = 0; m < batch.size(); ++m) {
            const float* row = &logits[static_cast<std::size_t>(m) * static_cast<std::size_t>(vocab)];
            const float top = *std::max_element(row, row + vocab);
            double sum = 0;
            for (int v = 0; v < vocab; ++v)
                sum += std::exp(double(row[v]) - top);
            const int32_t next = tokens[s + static_cast<std::size_t>(m) + 1];
            if (next < 0 || next >= vocab)
                throw Error(ErrorCode::InvalidArgument, "token " + std::to_string(next) + " is outside the vocabulary");
            total += std::log(sum) + top - row[next];
            ++r.predicted;
        }
    }
    r.mean_nll = r.predicted > 0 ? total / double(r.predicted) : 0;
    return r;
}

} // namespace seekbench

