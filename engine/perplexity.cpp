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

namespace seekbench {
namespace {

// log-sum-exp of a row and its argmax (lowest id on ties).
std::pair<double, int32_t> log_norm(const float* row, int n)
{
    int32_t top = 0;
    for (int v = 1; v < n; ++v)
        if (row[v] > row[top])
            top = v;
    double sum = 0;
    for (int v = 0; v < n; ++v)
        sum += std::exp(double(row[v]) - row[top]);
    return {std::log(sum) + row[top], top};
}

} // namespace

TokenComparison compare_logits(const float* ref, const float* test, int n_vocab, int32_t next)
{
    if (next < 0 || next >= n_vocab)
        throw Error(ErrorCode::InvalidArgument, "token " + std::to_string(next) + " is outside the vocabulary");
    const auto [lz_ref, top_ref] = log_norm(ref, n_vocab);
    const auto [lz_test, top_test] = log_norm(test, n_vocab);
    TokenComparison c;
    for (int v = 0; v < n_vocab; ++v) {
        const double lp_ref = double(ref[v]) - lz_ref;
        const double p = std::exp(lp_ref);
        if (p > 0)
            c.kl += p * (lp_ref - (double(test[v]) - lz_test));
    }
    c.kl = std::max(0.0, c.kl); // rounding can leave -1e-17 for identical rows
    c.nll_ref = lz_ref - ref[next];
    c.nll_test = lz_test - test[next];
    c.p_ref = std::exp(-c.nll_ref);
    c.p_test = std::exp(-c.nll_test);
    c.top_ref = top_ref;
    c.top_test = top_test;
    return c;
}

KlResult kl_divergence(Backend& test, Backend& ref, const std::vector<int32_t>& tokens, int n_ctx,
                       const std::function<void(int, int)>& progress)
{
    const int vocab = test.model().config().n_vocab;
    if (ref.model().config().n_vocab != vocab)
        throw Error(ErrorCode::InvalidArgument, "the two models have different vocabularies (" + std::to_string(vocab) +
                                                    " and " + std::to_string(ref.model().config().n_vocab) + " tokens)");
    if (n_ctx < 4)
        throw Error(ErrorCode::InvalidArgument, "the context must hold at least 4 tokens");
    const int n_chunks = static_cast<int>(tokens.size() / static_cast<std::size_t>(n_ctx));
    if (n_chunks < 1)
        throw Error(ErrorCode::InvalidArgument, "the text has " + std::to_string(tokens.size()) + " tokens; at least " +
                                                    std::to_string(n_ctx) + " (one chunk) are needed");
    const Tokenizer& tok = test.model().tokenizer();
    const int first = n_ctx / 2;
    const auto ctx_test = test.new_context(n_ctx, 1, KvType::F32);
    const auto ctx_ref = ref.new_context(n_ctx, 1, KvType::F32);
    std::vector<float> logits_test, logits_ref;
    KlResult r;
    double sum_nll = 0, sum_nll_ref = 0, sum_dp2 = 0;
    long long same_top = 0;
    for (int c = 0; c < n_chunks; ++c) {
        const std::size_t start = static_cast<std::size_t>(c) * static_cast<std::size_t>(n_ctx);
        Batch batch;
        for (int k = 0; k < n_ctx; ++k) {
            const int32_t t = k == 0 && tok.adds_bos() ? tok.bos() : tokens[start + static_cast<std::size_t>(k)];
            batch.add(t, k, 0, k >= first && k + 1 < n_ctx);
        }
        ctx_test->forward(batch, logits_test);
        ctx_ref->forward(batch, logits_ref);
        for (int k = first; k + 1 < n_ctx; ++k) {
            const std::size_t row = static_cast<std::size_t>(k - first) * static_cast<std::size_t>(vocab);
            const TokenComparison t = compare_logits(&logits_ref[row], &logits_test[row], vocab,
                                                     tokens[start + static_cast<std::size_t>(k) + 1]);
            r.kl_per_position.push_back(static_cast<float>(t.kl));
            sum_nll += t.nll_test;
            sum_nll_ref += t.nll_ref;
            sum_dp2 += (t.p_test - t.p_ref) * (t.p_test - t.p_ref);
            same_top += t.top_test == t.top_ref;
        }
        if (progress)
            progress(c + 1, n_chunks);
    }
    r.count = static_cast<long long>(r.kl_per_position.size());
    const double n = static_cast<double>(r.count);
    r.nll_test = sum_nll / n;
    r.nll_ref = sum_nll_ref / n;
    r.top1 = static_cast<double>(same_top) / n;
    r.dp_rms = std::sqrt(sum_dp2 / n);
    std::vector<float> sorted = r.kl_per_position;
    std::sort(sorted.begin(), sorted.end());
    double sum_kl = 0;
    for (float v : sorted)
        sum_kl += v;
    r.kl_mean = sum_kl / n;
    // Percentiles interpolate linearly between the two nearest ranks (numpy's default).
    const auto percentile = [&sorted](double fraction) {
        const double at = fraction * double(sorted.size() - 1);
        const std::size_t i = static_cast<std::size_t>(at);
        const double w = at - double(i);
        return (1 - w) * sorted[i] + w * sorted[std::min(i + 1, sorted.size() - 1)];
    };
    r.kl_median = percentile(0.5);
    r.kl_p99 = percentile(0.99);
    r.kl_max = sorted.back();
    return r;
}

} // namespace seekbench
