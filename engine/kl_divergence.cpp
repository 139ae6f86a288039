// KL divergence of a model from its reference, chunk by chunk as llama-perplexity scores it.
// The reference's rows come from a second backend, or from a file saved once: per scored
// position its log-probabilities, 16 bits each over the 16 nats below the most likely token
// (anything less likely counts as that), and the exact loss of the token that came.
#include "perplexity.h"

#include "backend.h"
#include "error.h"
#include "mapped_file.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace seekbench {
namespace {

constexpr char kMagic[8] = {'S', 'B', 'K', 'L', 'R', 'E', 'F', '1'};
constexpr double kRange = 16.0; // nats below the top that a saved row keeps

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

struct Chunking {
    int n_chunks, first, scored; // scored positions per chunk
};

Chunking chunking(std::size_t n_tokens, int n_ctx)
{
    if (n_ctx < 4)
        throw Error(ErrorCode::InvalidArgument, "the context must hold at least 4 tokens");
    const int n_chunks = static_cast<int>(n_tokens / static_cast<std::size_t>(n_ctx));
    if (n_chunks < 1)
        throw Error(ErrorCode::InvalidArgument, "the text has " + std::to_string(n_tokens) + " tokens; at least " +
                                                    std::to_string(n_ctx) + " (one chunk) are needed");
    return {n_chunks, n_ctx / 2, n_ctx - 1 - n_ctx / 2};
}

// Chunk c as a batch: BOS in place of its first token when the model uses one, logits for
// the scored positions.
Batch chunk_batch(const Tokenizer& tok, const std::vector<int32_t>& tokens, int c, int n_ctx, int first)
{
    Batch batch;
    const std::size_t start = static_cast<std::size_t>(c) * static_cast<std::size_t>(n_ctx);
    for (int k = 0; k < n_ctx; ++k)
        batch.add(k == 0 && tok.adds_bos() ? tok.bos() : tokens[start + static_cast<std::size_t>(k)], k, 0,
                  k >= first && k + 1 < n_ctx);
    return batch;
}

// The reference's rows of one chunk (scored x vocab: logits or log-probabilities) and, when
// known exactly, its loss on each actual token (else empty).
using ReferenceChunk = std::function<void(int chunk, const Batch& batch, std::vector<float>& rows, std::vector<float>& nll)>;

KlResult kl_core(Backend& test, const std::vector<int32_t>& tokens, int n_ctx, const ReferenceChunk& reference,
                 const std::function<void(int, int)>& progress)
{
    const int vocab = test.model().config().n_vocab;
    const Chunking ch = chunking(tokens.size(), n_ctx);
    const auto ctx = test.new_context(n_ctx, 1, KvType::F32);
    std::vector<float> logits, ref_rows, ref_nll;
    KlResult r;
    double sum_nll = 0, sum_nll_ref = 0, sum_dp2 = 0;
    long long same_top = 0;
    for (int c = 0; c < ch.n_chunks; ++c) {
        const Batch batch = chunk_batch(test.model().tokenizer(), tokens, c, n_ctx, ch.first);
        ctx->forward(batch, logits);
        reference(c, batch, ref_rows, ref_nll);
        const std::size_t start = static_cast<std::size_t>(c) * static_cast<std::size_t>(n_ctx);
        for (int k = 0; k < ch.scored; ++k) {
            const std::size_t row = static_cast<std::size_t>(k) * static_cast<std::size_t>(vocab);
            TokenComparison t = compare_logits(&ref_rows[row], &logits[row], vocab,
                                               tokens[start + static_cast<std::size_t>(ch.first + k) + 1]);
            if (!ref_nll.empty()) {
                t.nll_ref = ref_nll[static_cast<std::size_t>(k)];
                t.p_ref = std::exp(-t.nll_ref);
            }
            r.kl_per_position.push_back(static_cast<float>(t.kl));
            sum_nll += t.nll_test;
            sum_nll_ref += t.nll_ref;
            sum_dp2 += (t.p_test - t.p_ref) * (t.p_test - t.p_ref);
            same_top += t.top_test == t.top_ref;
        }
        if (progress)
            progress(c + 1, ch.n_chunks);
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

struct RefHeader {
    char magic[8];
    uint32_t n_ctx, vocab, n_chunks, reserved;
};

std::size_t saved_row_bytes(int vocab) { return 8 + 2 * static_cast<std::size_t>(vocab); } // top, nll, levels

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
    if (ref.model().config().n_vocab != test.model().config().n_vocab)
        throw Error(ErrorCode::InvalidArgument, "the two models have different vocabularies (" +
                                                    std::to_string(test.model().config().n_vocab) + " and " +
                                                    std::to_string(ref.model().config().n_vocab) + " tokens)");
    chunking(tokens.size(), n_ctx);
    const auto ctx = ref.new_context(n_ctx, 1, KvType::F32);
    return kl_core(
        test, tokens, n_ctx,
        [&ctx](int, const Batch& batch, std::vector<float>& rows, std::vector<float>& nll) {
            ctx->forward(batch, rows);
            nll.clear();
        },
        progress);
}

void save_kl_reference(Backend& ref, const std::vector<int32_t>& tokens, int n_ctx, const std::string& path,
                       const std::function<void(int, int)>& progress)
{
    const int vocab = ref.model().config().n_vocab;
    const Chunking ch = chunking(tokens.size(), n_ctx);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f)
        throw Error(ErrorCode::Io, path + ": cannot create: " + std::strerror(errno));
    bool ok = true;
    const auto put = [&](const void* p, std::size_t n) { ok = ok && std::fwrite(p, 1, n, f) == n; };
    RefHeader h{};
    std::memcpy(h.magic, kMagic, 8);
    h.n_ctx = static_cast<uint32_t>(n_ctx);
    h.vocab = static_cast<uint32_t>(vocab);
    h.n_chunks = static_cast<uint32_t>(ch.n_chunks);
    put(&h, sizeof h);
    put(tokens.data(), static_cast<std::size_t>(ch.n_chunks) * static_cast<std::size_t>(n_ctx) * 4);
    const auto ctx = ref.new_context(n_ctx, 1, KvType::F32);
    std::vector<float> logits;
    std::vector<uint8_t> row(saved_row_bytes(vocab));
    for (int c = 0; c < ch.n_chunks && ok; ++c) {
        ctx->forward(chunk_batch(ref.model().tokenizer(), tokens, c, n_ctx, ch.first), logits);
        for (int k = 0; k < ch.scored; ++k) {
            const float* lr = &logits[static_cast<std::size_t>(k) * static_cast<std::size_t>(vocab)];
            const auto [lz, top] = log_norm(lr, vocab);
            const int32_t next = tokens[static_cast<std::size_t>(c) * static_cast<std::size_t>(n_ctx) +
                                        static_cast<std::size_t>(ch.first + k) + 1];
            const float top_lp = static_cast<float>(double(lr[top]) - lz);
            const float nll = static_cast<float>(lz - lr[next]);
            std::memcpy(row.data(), &top_lp, 4);
            std::memcpy(row.data() + 4, &nll, 4);
            for (int v = 0; v < vocab; ++v) {
                const double below = double(lr[top]) - lr[v]; // >= 0
                const auto q = static_cast<uint16_t>(std::lround(std::clamp(kRange - below, 0.0, kRange) / kRange * 65535.0));
                std::memcpy(row.data() + 8 + 2 * static_cast<std::size_t>(v), &q, 2);
            }
            put(row.data(), row.size());
        }
        if (progress)
            progress(c + 1, ch.n_chunks);
    }
    const bool closed = std::fclose(f) == 0;
    if (!ok || !closed) {
        const int err = errno;
        std::remove(path.c_str());
        throw Error(ErrorCode::Io, path + ": write failed: " + std::strerror(err));
    }
}

KlResult kl_divergence(Backend& test, const std::string& reference_path, const std::vector<int32_t>& tokens, int n_ctx,
                       const std::function<void(int, int)>& progress)
{
    const MappedFile f = MappedFile::open(reference_path);
    RefHeader h{};
    if (f.size() < sizeof h || std::memcmp(f.data(), kMagic, 8) != 0)
        throw Error(ErrorCode::Format, reference_path + ": not a reference saved by kl --save-ref");
    std::memcpy(&h, f.data(), sizeof h);
    const int vocab = test.model().config().n_vocab;
    if (h.vocab != static_cast<uint32_t>(vocab))
        throw Error(ErrorCode::InvalidArgument, reference_path + ": saved for a vocabulary of " + std::to_string(h.vocab) +
                                                    " tokens; this model has " + std::to_string(vocab));
    if (h.n_ctx != static_cast<uint32_t>(n_ctx))
        throw Error(ErrorCode::InvalidArgument, reference_path + ": saved with --ctx " + std::to_string(h.n_ctx));
    const Chunking ch = chunking(tokens.size(), n_ctx);
    const std::size_t n_tokens = static_cast<std::size_t>(ch.n_chunks) * static_cast<std::size_t>(n_ctx);
    const std::size_t rows_at = sizeof h + n_tokens * 4;
    const std::size_t need = rows_at + static_cast<std::size_t>(ch.n_chunks) * static_cast<std::size_t>(ch.scored) *
                                           saved_row_bytes(vocab);
    if (h.n_chunks != static_cast<uint32_t>(ch.n_chunks) || f.size() != need ||
        std::memcmp(f.data() + sizeof h, tokens.data(), n_tokens * 4) != 0)
        throw Error(ErrorCode::InvalidArgument, reference_path + ": was saved for another text (or is truncated)");
    return kl_core(
        test, tokens, n_ctx,
        [&](int c, const Batch&, std::vector<float>& rows, std::vector<float>& nll) {
            rows.resize(static_cast<std::size_t>(ch.scored) * static_cast<std::size_t>(vocab));
            nll.resize(static_cast<std::size_t>(ch.scored));
            for (int k = 0; k < ch.scored; ++k) {
                const uint8_t* row = f.data() + rows_at +
                                     (static_cast<std::size_t>(c) * static_cast<std::size_t>(ch.scored) +
                                      static_cast<std::size_t>(k)) * saved_row_bytes(vocab);
                float top_lp;
                std::memcpy(&top_lp, row, 4);
                std::memcpy(&nll[static_cast<std::size_t>(k)], row + 4, 4);
                float* out = &rows[static_cast<std::size_t>(k) * static_cast<std::size_t>(vocab)];
                for (int v = 0; v < vocab; ++v) {
                    uint16_t q;
                    std::memcpy(&q, row + 8 + 2 * static_cast<std::size_t>(v), 2);
                    out[v] = static_cast<float>(double(top_lp) - kRange + double(q) * kRange / 65535.0);
                }
            }
        },
        progress);
}

} // namespace seekbench
