// How well a model predicts a text: the mean negative log-likelihood (nats per token) of
// each token given the ones before it, over consecutive windows that each start with an
// empty context, as a trainer's evaluation does. exp(loss) is the perplexity.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
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

// Two next-token distributions compared at one position (`ref` the reference logits,
// `test` the model under test, `next` the token that came): KL(ref || test) in nats, each
// model's loss on `next`, whether their most likely tokens agree. Double precision.
struct TokenComparison {
    double kl = 0;
    double nll_test = 0, nll_ref = 0;
    double p_test = 0, p_ref = 0;          // probability each gave `next`
    int32_t top_test = 0, top_ref = 0;     // argmax, lowest id on ties
};
TokenComparison compare_logits(const float* ref, const float* test, int n_vocab, int32_t next);

// A model against its reference on a text, measured as llama-perplexity's KL-divergence
// mode measures it, so the figures compare: chunks of n_ctx tokens, each starting with BOS
// in place of its first token when the model uses one, the second half of each scored.
struct KlResult {
    long long count = 0;                   // positions scored
    double nll_test = 0, nll_ref = 0;      // mean nats/token; exp: PPL(Q), PPL(base)
    double kl_mean = 0, kl_median = 0, kl_p99 = 0, kl_max = 0;
    double top1 = 0;                       // fraction of positions whose argmax agrees
    double dp_rms = 0;                     // RMS of p_test(next) - p_ref(next)
    std::vector<float> kl_per_position;    // in text order
};
// `tokens` as the tokenizer gives them (BOS first when the model uses one); the text must
// hold two chunks at least. progress(chunks done, chunks). Throws Error (InvalidArgument)
// when the two models' vocabularies differ or the text is too short.
KlResult kl_divergence(Backend& test, Backend& ref, const std::vector<int32_t>& tokens, int n_ctx,
                       const std::function<void(int, int)>& progress = {});

// The reference's side saved once, so later runs load only the model under test: per scored
// position its log-probabilities (16 bits over the 16 nats below the most likely token;
// anything less likely counts as that, as in llama-perplexity's file) and the exact loss of
// the token that came. The file holds the tokens too; reading it for another text, context
// or vocabulary is an Error (InvalidArgument). 2 x vocab bytes per scored position.
void save_kl_reference(Backend& ref, const std::vector<int32_t>& tokens, int n_ctx, const std::string& path,
                       const std::function<void(int, int)>& progress = {});
KlResult kl_divergence(Backend& test, const std::string& reference_path, const std::vector<int32_t>& tokens, int n_ctx,
                       const std::function<void(int, int)>& progress = {});

} // namespace seekbench
