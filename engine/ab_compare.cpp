// ab_compare: greedy generation on each backend, then one batched pass of each backend over
// each text for the distributions at every generated position.
#include "ab_compare.h"

#include "backend.h"
#include "error.h"
#include "perplexity.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace seekbench {
namespace {

bool cancelled(const AbOptions& o) { return o.cancel && o.cancel->load(std::memory_order_relaxed); }

std::vector<int32_t> generate(Backend& backend, const std::vector<int32_t>& prompt, const AbOptions& o, int done_before,
                              double& tokens_per_second)
{
    const Tokenizer& tok = backend.model().tokenizer();
    const int vocab = backend.model().config().n_vocab;
    const auto ctx = backend.new_context(static_cast<int>(prompt.size()) + o.max_tokens + 1, 1, KvType::F16);
    Batch batch;
    for (std::size_t i = 0; i < prompt.size(); ++i)
        batch.add(prompt[i], static_cast<int32_t>(i), 0, i + 1 == prompt.size());
    std::vector<float> logits;
    ctx->forward(batch, logits);
    std::vector<int32_t> out;
    const auto start = std::chrono::steady_clock::now();
    while (static_cast<int>(out.size()) < o.max_tokens) {
        if (cancelled(o))
            throw Error(ErrorCode::Cancelled, "comparison cancelled");
        const auto next = static_cast<int32_t>(std::max_element(logits.begin(), logits.begin() + vocab) - logits.begin());
        out.push_back(next);
        if (o.progress)
            o.progress(done_before + static_cast<int>(out.size()), 2 * o.max_tokens);
        if (tok.is_end_of_generation(next) || static_cast<int>(out.size()) == o.max_tokens)
            break;
        batch.clear();
        batch.add(next, static_cast<int32_t>(prompt.size() + out.size() - 1), 0, true);
        ctx->forward(batch, logits);
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    tokens_per_second = s > 0 ? double(out.size()) / s : 0;
    return out;
}

// The logits before each of `text`'s tokens (text.size() rows), read by `backend` in one
// pass over the prompt and the text but its last token.
std::vector<float> read_text(Backend& backend, const std::vector<int32_t>& prompt, const std::vector<int32_t>& text)
{
    const std::size_t n = prompt.size() + text.size() - 1;
    const auto ctx = backend.new_context(static_cast<int>(n) + 1, 1, KvType::F16);
    Batch batch;
    for (std::size_t i = 0; i < n; ++i)
        batch.add(i < prompt.size() ? prompt[i] : text[i - prompt.size()], static_cast<int32_t>(i), 0,
                  i + 1 >= prompt.size());
    std::vector<float> logits;
    ctx->forward(batch, logits);
    return logits;
}

std::vector<AbCandidate> top5(const float* row, int vocab)
{
    const float top = *std::max_element(row, row + vocab);
    double sum = 0;
    for (int v = 0; v < vocab; ++v)
        sum += std::exp(double(row[v]) - top);
    std::vector<int32_t> ids(static_cast<std::size_t>(vocab));
    for (int v = 0; v < vocab; ++v)
        ids[static_cast<std::size_t>(v)] = v;
    const std::size_t k = std::min<std::size_t>(5, ids.size());
    std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(k), ids.end(),
                      [row](int32_t x, int32_t y) { return row[x] > row[y] || (row[x] == row[y] && x < y); });
    std::vector<AbCandidate> out;
    for (std::size_t i = 0; i < k; ++i)
        out.push_back({ids[i], std::exp(double(row[ids[i]]) - top) / sum});
    return out;
}

// Fills a side's tokens: the pieces, both top-5 lists and the KL at each position.
void annotate(Backend& a, Backend& b, const std::vector<int32_t>& prompt, const std::vector<int32_t>& text, AbSide& side,
              double& sum_kl, long long& same_top)
{
    const int vocab = a.model().config().n_vocab;
    const std::vector<float> la = read_text(a, prompt, text), lb = read_text(b, prompt, text);
    const Tokenizer& tok = a.model().tokenizer();
    for (std::size_t i = 0; i < text.size(); ++i) {
        const float* ra = &la[i * static_cast<std::size_t>(vocab)];
        const float* rb = &lb[i * static_cast<std::size_t>(vocab)];
        const TokenComparison c = compare_logits(ra, rb, vocab, text[i]);
        AbToken t;
        t.id = text[i];
        t.piece = tok.piece(text[i]);
        t.kl = c.kl;
        t.top_a = top5(ra, vocab);
        t.top_b = top5(rb, vocab);
        side.tokens.push_back(std::move(t));
        sum_kl += c.kl;
        same_top += c.top_test == c.top_ref;
    }
}

} // namespace

AbResult ab_compare(Backend& a, Backend& b, const std::vector<int32_t>& prompt, const AbOptions& o)
{
    if (a.model().config().n_vocab != b.model().config().n_vocab)
        throw Error(ErrorCode::InvalidArgument, "the two models have different vocabularies (" +
                                                    std::to_string(a.model().config().n_vocab) + " and " +
                                                    std::to_string(b.model().config().n_vocab) + " tokens)");
    if (prompt.empty())
        throw Error(ErrorCode::InvalidArgument, "the prompt is empty");
    if (o.max_tokens < 1)
        throw Error(ErrorCode::InvalidArgument, "at least one token must be generated");
    AbResult r;
    const std::vector<int32_t> text_a = generate(a, prompt, o, 0, r.a.tokens_per_second);
    const std::vector<int32_t> text_b = generate(b, prompt, o, o.max_tokens, r.b.tokens_per_second);
    double sum_kl = 0;
    long long same_top = 0;
    annotate(a, b, prompt, text_a, r.a, sum_kl, same_top);
    annotate(a, b, prompt, text_b, r.b, sum_kl, same_top);
    const std::size_t n = std::min(text_a.size(), text_b.size());
    for (std::size_t i = 0; i < n && r.first_divergence < 0; ++i)
        if (text_a[i] != text_b[i])
            r.first_divergence = static_cast<int>(i);
    if (r.first_divergence < 0 && text_a.size() != text_b.size())
        r.first_divergence = static_cast<int>(n);
    const double positions = double(text_a.size() + text_b.size());
    r.mean_kl = sum_kl / positions;
    r.top1_agreement = double(same_top) / positions;
    return r;
}

} // namespace seekbench
