// Chat: the template, the per-conversation caches and the budgets around Session.
#include "chat.h"

#include "error.h"

#include <algorithm>

namespace seekbench {
namespace {
constexpr std::size_t kTraceChunk = 128; // tokens a trace runs between looks at `cancelled`
constexpr int64_t kFimCache = INT64_MIN;  // the cache completions share

ChatStats stats_of(const GenerateStats& st)
{
    ChatStats s;
    s.prompt_tokens = st.prompt_tokens;
    s.reused_tokens = st.reused_tokens;
    s.generated_tokens = st.generated_tokens;
    s.prompt_seconds = st.prompt_seconds;
    s.generate_seconds = st.generate_seconds;
    s.stop_reason = st.stop_reason;
    return s;
}
} // namespace

std::vector<int> attention_layers_within(const ModelConfig& config, int n_tokens, std::size_t max_bytes, int focus)
{
    const int n_layers = config.n_layers;
    if (n_layers <= 0)
        return {};
    // One layer holds n_heads lower-triangular token x token maps of floats.
    const double per_layer = double(config.n_heads) * n_tokens * (n_tokens + 1) / 2.0 * sizeof(float);
    const int fit = std::clamp(static_cast<int>(double(max_bytes) / std::max(per_layer, 1.0)), 1, n_layers);
    focus = std::clamp(focus, 0, n_layers - 1);
    std::vector<int> layers;
    for (int d = 0; static_cast<int>(layers.size()) < fit; ++d) {
        if (d > 0 && focus - d >= 0)
            layers.push_back(focus - d);
        if (focus + d < n_layers && static_cast<int>(layers.size()) < fit)
            layers.push_back(focus + d);
    }
    std::sort(layers.begin(), layers.end());
    return layers;
}

Chat::Chat(Backend& backend, int conversations_kept)
    : m_backend(backend), m_model(backend.model()),
      m_template(ChatTemplate::detect(backend.model().info().chat_template)),
      m_fim(find_fim_tokens(backend.model().tokenizer(), &backend.model().file())),
      m_kept(static_cast<std::size_t>(std::max(1, conversations_kept)) + 1) // + the completions' cache
{
}

int Chat::context_size() const { return session_context(m_model, {}); }

void Chat::forget(int64_t conversation)
{
    m_cached.remove_if([&](const Cached& c) { return c.conversation == conversation; });
}

const Chat::Cached* Chat::find(int64_t conversation) const
{
    for (const Cached& c : m_cached)
        if (c.conversation == conversation)
            return &c;
    return nullptr;
}

Chat::Cached& Chat::cached(int64_t conversation)
{
    for (auto it = m_cached.begin(); it != m_cached.end(); ++it)
        if (it->conversation == conversation) {
            m_cached.splice(m_cached.begin(), m_cached, it);
            return m_cached.front();
        }
    if (m_cached.size() >= m_kept)
        m_cached.pop_back();
    m_cached.push_front({conversation, std::make_unique<Session>(m_backend), {}, {}});
    return m_cached.front();
}

// The prompt's tokens: when it continues what the conversation's cache last saw, those
// tokens (as sampled) and the rest tokenized; otherwise the whole text tokenized.
std::vector<int32_t> Chat::tokens_for(const Cached* cached, const std::string& text) const
{
    const Tokenizer& tokenizer = m_model.tokenizer();
    if (cached == nullptr || cached->text.empty() || !text.starts_with(cached->text))
        return tokenizer.encode(text, true, true);
    std::vector<int32_t> tokens = cached->tokens;
    const auto rest = tokenizer.encode(std::string_view(text).substr(cached->text.size()), false, true, true);
    tokens.insert(tokens.end(), rest.begin(), rest.end());
    return tokens;
}

ChatStats Chat::reply(int64_t conversation, const ChatRequest& request, const TextSink& on_text)
{
    const std::string prompt = m_template.render(request.messages, true);
    Cached& c = cached(conversation);
    Session& session = *c.session;
    std::vector<int32_t> tokens = tokens_for(&c, prompt);
    const int room = session.n_ctx() - static_cast<int>(tokens.size()) - 1;
    if (room <= 0)
        throw Error(ErrorCode::ContextFull, "the conversation (" + std::to_string(tokens.size()) +
                                                " tokens) is longer than the context of " +
                                                std::to_string(session.n_ctx()) + " tokens");
    c.text.clear(); // until this turn has finished
    c.tokens.clear();
    Sampler sampler(request.sampling);
    // R1-style templates open the reply inside <think>: the reader should see it as such.
    if (m_template.starts_with_thinking() && on_text)
        on_text("<think>\n");
    const Tokenizer& tokenizer = m_model.tokenizer();
    std::string written;
    std::vector<int32_t> sampled;
    const int shifts_before = session.shifts();
    GenerateStats st;
    try {
        st = session.generate(tokens, sampler, std::min(request.max_tokens, room),
                              [&](int32_t id, const std::string& piece) {
                                  if (id >= 0) {
                                      sampled.push_back(id);
                                      written += tokenizer.piece(id, true);
                                  }
                                  return piece.empty() || !on_text || on_text(piece);
                              });
    } catch (...) {
        forget(conversation); // its cache may be half-written
        throw;
    }
    if (session.shifts() == shifts_before) { // a shifted cache no longer matches the text
        c.text = prompt + written;
        c.tokens = std::move(tokens);
        c.tokens.insert(c.tokens.end(), sampled.begin(), sampled.end());
    }
    return stats_of(st);
}

ChatStats Chat::fill_in_middle(const FimRequest& r, const TextSink& on_text)
{
    if (!m_fim)
        throw Error(ErrorCode::Unsupported, "this model was not trained to fill in the middle (it has no FIM tokens); "
                                            "a code model such as DeepSeek-Coder or Qwen2.5-Coder is");
    const Tokenizer& tokenizer = m_model.tokenizer();
    Cached& c = cached(kFimCache);
    Session& session = *c.session;
    std::vector<int32_t> tokens = fim_prompt(tokenizer, *m_fim, r.prefix, r.suffix);
    const int budget = session.n_ctx() - r.max_tokens - 1;
    if (static_cast<int>(tokens.size()) > budget) {
        // Keep the code nearest the cursor: three quarters for the end of the prefix.
        if (budget < 16)
            throw Error(ErrorCode::ContextFull, "the context is too small for a completion");
        const auto pre = tokenizer.encode(r.prefix, false, false, true);
        const auto suf = tokenizer.encode(r.suffix, false, false, true);
        const std::size_t room = static_cast<std::size_t>(budget - 4);
        std::size_t keep_suf = std::min(suf.size(), room / 4);
        const std::size_t keep_pre = std::min(pre.size(), room - keep_suf);
        keep_suf = std::min(suf.size(), room - keep_pre);
        tokens.clear();
        if (tokenizer.adds_bos() && tokenizer.bos() >= 0)
            tokens.push_back(tokenizer.bos());
        tokens.push_back(m_fim->prefix);
        tokens.insert(tokens.end(), pre.end() - static_cast<std::ptrdiff_t>(keep_pre), pre.end());
        tokens.push_back(m_fim->suffix);
        tokens.insert(tokens.end(), suf.begin(), suf.begin() + static_cast<std::ptrdiff_t>(keep_suf));
        tokens.push_back(m_fim->middle);
    }
    Sampler sampler(r.sampling);
    bool stopped_by_fim = false;
    GenerateStats st;
    try {
        st = session.generate(tokens, sampler, r.max_tokens, [&](int32_t id, const std::string& piece) {
            if (std::find(m_fim->stops.begin(), m_fim->stops.end(), id) != m_fim->stops.end()) {
                stopped_by_fim = true;
                return false;
            }
            return piece.empty() || !on_text || on_text(piece);
        });
    } catch (...) {
        forget(kFimCache);
        throw;
    }
    ChatStats s = stats_of(st);
    if (stopped_by_fim) {
        s.stop_reason = "eos";
        --s.generated_tokens; // the stop token is not part of the middle
    }
    return s;
}

MessageTrace Chat::trace(int64_t conversation, const std::vector<ChatMessage>& messages, const TraceBudget& budget,
                         const std::function<bool()>& cancelled)
{
    if (messages.empty())
        throw Error(ErrorCode::InvalidArgument, "there is no message to look into");
    // The message's tokens start where the conversation before it (with the reply's opening
    // when it is a reply) ends.
    const bool reply = messages.back().role == "assistant";
    const std::string before = m_template.render({messages.begin(), messages.end() - 1}, reply);
    const std::string text = m_template.render(messages, false);
    const Cached* c = find(conversation);
    const std::vector<int32_t> tokens = tokens_for(c, text);
    const int n = static_cast<int>(tokens.size());

    const ModelConfig& cfg = m_model.config();
    MessageTrace out;
    out.message_start = std::min(n, static_cast<int>(tokens_for(c, before).size()));
    out.message_end = n;
    out.trace = std::make_shared<Trace>();
    Trace& trace = *out.trace;
    trace.options.attention = budget.attention;
    trace.options.routing = budget.routing && cfg.is_moe();
    if (budget.attention) {
        out.attention_layers = attention_layers_within(cfg, n, budget.max_bytes, budget.focus_layer);
        if (static_cast<int>(out.attention_layers.size()) < cfg.n_layers)
            trace.options.layers = out.attention_layers;
    }
    SessionOptions so;
    so.n_ctx = n + 1;
    so.beyond_training = true; // a replay of text that exists, however long; nothing is generated
    Session session(m_backend, so);
    session.set_trace(&trace);
    for (std::size_t end = 0; end < tokens.size();) { // in chunks, so that it can be cancelled
        if (cancelled && cancelled())
            throw Error(ErrorCode::Cancelled, "the trace was cancelled");
        end = std::min(tokens.size(), end + kTraceChunk);
        session.eval({tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(end)});
    }
    session.set_trace(nullptr);
    for (int t : trace.tokens)
        trace.pieces.push_back(m_model.tokenizer().piece(t, true)); // bytes: may be part of a character
    return out;
}

} // namespace seekbench
