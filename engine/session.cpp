// Session: prefix reuse, batching and context shifting around a backend context.
#include "session.h"

#include "error.h"

#include <algorithm>
#include <chrono>

namespace seekbench {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

int session_context(const Model& model, const SessionOptions& o)
{
    const int trained = model.config().n_ctx_train;
    if (o.n_ctx < 0)
        throw Error(ErrorCode::InvalidArgument, "a context of " + std::to_string(o.n_ctx) + " tokens is impossible");
    if (o.n_ctx > trained && trained > 0 && !o.beyond_training)
        throw Error(ErrorCode::InvalidArgument, "a context of " + std::to_string(o.n_ctx) +
                                                    " tokens is more than this model was trained for (" +
                                                    std::to_string(trained) + "); past it, answers degrade");
    if (o.n_ctx > 0)
        return o.n_ctx;
    return std::min(model.config().n_ctx_train > 0 ? model.config().n_ctx_train : 4096, 4096);
}

Session::Session(Backend& backend, const SessionOptions& options)
    : m_model(backend.model()), m_options(options),
      m_context(backend.new_context(session_context(backend.model(), options), 1, options.kv_type))
{
    if (m_options.n_batch <= 0)
        m_options.n_batch = 512;
}

const float* Session::run(const std::vector<int32_t>& tokens, std::size_t from)
{
    for (std::size_t i = from; i < tokens.size();) {
        const std::size_t end = std::min(tokens.size(), i + static_cast<std::size_t>(m_options.n_batch));
        m_batch.clear();
        for (std::size_t j = i; j < end; ++j)
            m_batch.add(tokens[j], static_cast<int32_t>(j), 0, j + 1 == tokens.size());
        m_context->forward(m_batch, m_logits, m_trace);
        i = end;
    }
    return m_logits.data();
}

const float* Session::eval(const std::vector<int32_t>& tokens)
{
    if (tokens.empty())
        throw Error(ErrorCode::InvalidArgument, "cannot evaluate an empty prompt");
    if (static_cast<int>(tokens.size()) > n_ctx())
        throw Error(ErrorCode::InvalidArgument, "the prompt has " + std::to_string(tokens.size()) +
                                                    " tokens, more than the context of " + std::to_string(n_ctx()));
    std::size_t common = 0;
    while (common < m_tokens.size() && common < tokens.size() && m_tokens[common] == tokens[common])
        ++common;
    // The last prompt token must be evaluated again to get its logits.
    if (common == tokens.size())
        --common;
    m_last_reused = static_cast<int>(common);
    m_tokens.assign(tokens.begin(), tokens.end());
    try {
        return run(m_tokens, common);
    } catch (...) {
        m_tokens.resize(common); // what the cache still holds for sure
        throw;
    }
}

void Session::shift_context(int needed)
{
    const int n_past = static_cast<int>(m_tokens.size());
    int n_keep = m_options.n_keep >= 0 ? m_options.n_keep
                                       : (!m_tokens.empty() && m_tokens[0] == m_model.tokenizer().bos() ? 1 : 0);
    n_keep = std::min(n_keep, n_past);
    const int n_discard = std::max((n_past - n_keep) / 2, needed);
    if (n_discard <= 0 || n_keep + n_discard > n_past)
        throw Error(ErrorCode::InvalidArgument, "the context of " + std::to_string(n_ctx()) +
                                                    " tokens is too small to continue");
    m_context->shift(0, n_keep, n_discard, n_past);
    m_tokens.erase(m_tokens.begin() + n_keep, m_tokens.begin() + n_keep + n_discard);
    ++m_shifts;
}

const float* Session::eval_next(int32_t token)
{
    if (static_cast<int>(m_tokens.size()) + 1 > n_ctx())
        shift_context(1);
    m_tokens.push_back(token);
    m_batch.clear();
    m_batch.add(token, static_cast<int32_t>(m_tokens.size() - 1), 0, true);
    try {
        m_context->forward(m_batch, m_logits, m_trace);
    } catch (...) {
        m_tokens.pop_back();
        throw;
    }
    m_last_reused = static_cast<int>(m_tokens.size()) - 1;
    return m_logits.data();
}

GenerateStats Session::generate(const std::vector<int32_t>& prompt, Sampler& sampler, int max_tokens,
                                const std::function<bool(int32_t, const std::string&)>& on_token)
{
    GenerateStats stats;
    const Tokenizer& tok = m_model.tokenizer();
    auto t0 = std::chrono::steady_clock::now();
    const float* logits = eval(prompt);
    stats.reused_tokens = m_last_reused;
    stats.prompt_tokens = static_cast<int>(prompt.size()) - m_last_reused;
    stats.prompt_seconds = seconds_since(t0);

    // SentencePiece puts a space before the first word; a reply should not start with it.
    const bool strip = tok.model() == Tokenizer::Model::Spm && tok.adds_space_prefix() &&
                       !prompt.empty() && prompt.back() == tok.bos();
    StreamDecoder decoder(tok, strip);
    t0 = std::chrono::steady_clock::now();
    stats.stop_reason = "length";
    const int vocab = m_model.config().n_vocab;
    for (int i = 0; i < max_tokens; ++i) {
        const int32_t next = sampler.sample(logits, vocab, m_tokens);
        if (tok.is_end_of_generation(next) || next == tok.bos()) {
            stats.stop_reason = "eos";
            break;
        }
        ++stats.generated_tokens;
        if (on_token && !on_token(next, decoder.push(next))) {
            stats.stop_reason = "cancelled";
            break;
        }
        if (i + 1 < max_tokens) // the last token is not evaluated; tokens() holds what the cache does
            logits = eval_next(next);
    }
    if (on_token) {
        const std::string rest = decoder.finish();
        if (!rest.empty())
            on_token(-1, rest);
    }
    stats.generate_seconds = seconds_since(t0);
    return stats;
}

} // namespace seekbench
