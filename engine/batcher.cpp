// The batcher's loop: admit queued requests into free slots, run one forward pass over
// every busy slot, sample each slot's next token, stream it, and free finished slots.
#include "batcher.h"

#include "error.h"
#include "session.h"
#include "tokenizer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>

namespace seekbench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double>(b - a).count();
}

constexpr int kMaxTopLogprobs = 20;

// The length of the longest suffix of `text` that is a proper prefix of some stop string:
// text that may still become a stop string, so it is held back.
std::size_t held_back(const std::string& text, std::size_t from, const std::vector<std::string>& stops)
{
    std::size_t held = 0;
    for (const std::string& s : stops)
        for (std::size_t n = std::min(s.size() - 1, text.size() - from); n > held; --n)
            if (text.compare(text.size() - n, n, s, 0, n) == 0) {
                held = n;
                break;
            }
    return held;
}

// Where the first stop string starts in text[from..], or npos.
std::size_t find_stop(const std::string& text, std::size_t from, const std::vector<std::string>& stops)
{
    std::size_t at = std::string::npos;
    for (const std::string& stop : stops)
        at = std::min(at, text.find(stop, from));
    return at;
}

std::size_t longest(const std::vector<std::string>& strings)
{
    std::size_t n = 0;
    for (const std::string& s : strings)
        n = std::max(n, s.size());
    return n;
}

// A queued request cancelled before it had a slot hears so once.
void never_started(const BatchRequest& request)
{
    BatchResult r;
    r.prompt_tokens = static_cast<int>(request.prompt.size());
    r.finish_reason = "cancelled";
    if (request.on_done)
        request.on_done(r);
}

} // namespace

struct Batcher::Job {
    uint64_t id = 0;
    BatchRequest request;
    Clock::time_point submitted;
};

struct Batcher::Slot {
    int seq = 0;
    std::vector<int32_t> cached;  // what this slot's KV cache holds, in order
    std::unique_ptr<Job> job;     // null when free
    enum class Phase { Prompt, Generate } phase = Phase::Prompt;
    std::size_t prompt_done = 0;  // prompt tokens in the cache
    int32_t next = -1;            // Generate: the sampled token the next pass feeds
    std::optional<Sampler> sampler;
    std::optional<StreamDecoder> decoder;
    std::string text;             // the reply so far
    std::size_t sent = 0;         // bytes of `text` already streamed
    BatchResult result;
    Clock::time_point started, first_token;
};

Batcher::Batcher(Backend& backend, const BatcherOptions& options)
    : m_backend(backend), m_model(backend.model())
{
    if (options.n_slots < 1 || options.n_slots > 256)
        throw Error(ErrorCode::InvalidArgument, "the number of slots must be 1..256, not " + std::to_string(options.n_slots));
    if (options.n_batch < 1)
        throw Error(ErrorCode::InvalidArgument, "the batch size must be at least 1");
    SessionOptions so;
    so.n_ctx = options.n_ctx;
    m_n_ctx = session_context(m_model, so);
    m_n_batch = options.n_batch;
    m_n_slots = options.n_slots;
    m_context = m_backend.new_context(m_n_ctx, options.n_slots, options.kv_type);
    m_slots.resize(static_cast<std::size_t>(options.n_slots));
    for (std::size_t i = 0; i < m_slots.size(); ++i)
        m_slots[i].seq = static_cast<int>(i);
    const Tokenizer& tok = m_model.tokenizer();
    for (int32_t id = 0; id < tok.n_vocab(); ++id)
        if (tok.is_end_of_generation(id) || id == tok.bos())
            m_end_tokens.push_back(id);
    m_stats.slots = options.n_slots;
    m_stats.kv_tokens_total = int64_t(m_n_ctx) * options.n_slots;
    m_thread = std::jthread([this](std::stop_token stop) { loop(stop); });
}

Batcher::~Batcher()
{
    m_thread.request_stop();
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    // The loop has ended: what is left was never finished.
    for (Slot& slot : m_slots)
        if (slot.job)
            finish(slot, "cancelled");
    for (auto& job : m_queue)
        never_started(job->request);
}

uint64_t Batcher::submit(BatchRequest request)
{
    if (request.prompt.empty())
        throw Error(ErrorCode::InvalidArgument, "the prompt is empty");
    check_sampler_params(request.sampling);
    if (request.top_logprobs > kMaxTopLogprobs)
        throw Error(ErrorCode::InvalidArgument, "top_logprobs must be at most " + std::to_string(kMaxTopLogprobs));
    const int n_vocab = m_model.config().n_vocab;
    for (int32_t t : request.prompt)
        if (t < 0 || t >= n_vocab)
            throw Error(ErrorCode::InvalidArgument, "token " + std::to_string(t) + " is not in the vocabulary");
    if (static_cast<int>(request.prompt.size()) >= m_n_ctx)
        throw Error(ErrorCode::ContextFull, "the prompt has " + std::to_string(request.prompt.size()) +
                                                " tokens; the context holds " + std::to_string(m_n_ctx) +
                                                " with the reply");
    std::erase_if(request.stop, [](const std::string& s) { return s.empty(); });
    auto job = std::make_unique<Job>();
    job->request = std::move(request);
    job->submitted = Clock::now();
    uint64_t id;
    {
        std::lock_guard lock(m_mutex);
        id = job->id = m_next_id++;
        m_queue.push_back(std::move(job));
        m_stats.queued = static_cast<int>(m_queue.size());
    }
    m_wake.notify_all();
    return id;
}

void Batcher::cancel(uint64_t id)
{
    {
        std::lock_guard lock(m_mutex);
        m_cancelled.push_back(id);
    }
    m_wake.notify_all();
}

BatcherStats Batcher::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

void Batcher::loop(std::stop_token stop)
{
    while (!stop.stop_requested()) {
        admit();
        const bool busy = std::any_of(m_slots.begin(), m_slots.end(), [](const Slot& s) { return s.job != nullptr; });
        if (!busy) {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, stop, [&] { return !m_queue.empty(); });
            continue;
        }
        step();
    }
}

bool Batcher::admit()
{
    std::vector<std::unique_ptr<Job>> cancelled_queued;
    std::vector<uint64_t> cancelled;
    bool moved = false;
    {
        std::lock_guard lock(m_mutex);
        cancelled.swap(m_cancelled);
        for (uint64_t id : cancelled) {
            auto it = std::find_if(m_queue.begin(), m_queue.end(), [&](const auto& j) { return j->id == id; });
            if (it != m_queue.end()) {
                cancelled_queued.push_back(std::move(*it));
                m_queue.erase(it);
            }
        }
        while (!m_queue.empty()) {
            const std::vector<int32_t>& prompt = m_queue.front()->request.prompt;
            // The free slot whose cache shares the longest prefix with the prompt.
            Slot* best = nullptr;
            std::size_t best_common = 0;
            for (Slot& s : m_slots) {
                if (s.job)
                    continue;
                const auto mismatch = std::mismatch(s.cached.begin(), s.cached.end(), prompt.begin(), prompt.end());
                const auto common = static_cast<std::size_t>(mismatch.first - s.cached.begin());
                if (!best || common > best_common) {
                    best = &s;
                    best_common = common;
                }
            }
            if (!best)
                break;
            Slot& s = *best;
            s.job = std::move(m_queue.front());
            m_queue.pop_front();
            // The last prompt token is evaluated again for its logits.
            const std::size_t keep = std::min(best_common, prompt.size() - 1);
            s.cached.resize(keep);
            s.prompt_done = keep;
            s.phase = Slot::Phase::Prompt;
            s.next = -1;
            s.text.clear();
            s.sent = 0;
            s.result = {};
            s.result.prompt_tokens = static_cast<int>(prompt.size());
            s.result.reused_tokens = static_cast<int>(keep);
            s.started = Clock::now();
            s.result.queue_seconds = seconds_between(s.job->submitted, s.started);
            moved = true;
        }
        m_stats.queued = static_cast<int>(m_queue.size());
        m_stats.slots_busy = static_cast<int>(
            std::count_if(m_slots.begin(), m_slots.end(), [](const Slot& s) { return s.job != nullptr; }));
    }
    for (auto& job : cancelled_queued)
        never_started(job->request);
    for (Slot& s : m_slots) {
        if (!s.job)
            continue;
        if (std::find(cancelled.begin(), cancelled.end(), s.job->id) != cancelled.end()) {
            finish(s, "cancelled");
            continue;
        }
        if (!s.sampler) {
            try {
                s.sampler.emplace(s.job->request.sampling);
            } catch (const Error& e) {
                finish(s, "error", false, e.what());
                continue;
            }
            const Tokenizer& tok = m_model.tokenizer();
            s.decoder.emplace(tok, s.job->request.strip_leading_space);
        }
    }
    return moved;
}

void Batcher::step()
{
    // One token for every generating slot, then prompt chunks within the batch size.
    m_batch.clear();
    std::vector<Slot*> rows; // the slot each logits row belongs to
    int budget = m_n_batch;
    for (Slot& s : m_slots)
        if (s.job && s.phase == Slot::Phase::Generate) {
            m_batch.add(s.next, static_cast<int32_t>(s.cached.size()), s.seq, true);
            rows.push_back(&s);
            --budget;
        }
    std::vector<std::pair<Slot*, std::size_t>> chunks; // slot, prompt tokens this pass
    for (Slot& s : m_slots) {
        if (!s.job || s.phase != Slot::Phase::Prompt || budget <= 0)
            continue;
        const std::vector<int32_t>& prompt = s.job->request.prompt;
        const std::size_t n = std::min(prompt.size() - s.prompt_done, static_cast<std::size_t>(budget));
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t at = s.prompt_done + i;
            const bool last = at + 1 == prompt.size();
            m_batch.add(prompt[at], static_cast<int32_t>(at), s.seq, last);
            if (last)
                rows.push_back(&s);
        }
        chunks.emplace_back(&s, n);
        budget -= static_cast<int>(n);
    }
    if (m_batch.size() == 0)
        return;
    try {
        m_context->forward(m_batch, m_logits);
    } catch (const std::exception& e) {
        // The slots in this pass may hold half-written positions: forget their caches.
        for (Slot& s : m_slots)
            if (s.job) {
                s.cached.clear();
                finish(s, "error", false, e.what());
            }
        return;
    }
    for (Slot& s : m_slots)
        if (s.job && s.phase == Slot::Phase::Generate)
            s.cached.push_back(s.next);
    for (auto [slot, n] : chunks) {
        const auto& prompt = slot->job->request.prompt;
        slot->cached.insert(slot->cached.end(), prompt.begin() + static_cast<std::ptrdiff_t>(slot->prompt_done),
                            prompt.begin() + static_cast<std::ptrdiff_t>(slot->prompt_done + n));
        slot->prompt_done += n;
    }
    const int n_vocab = m_model.config().n_vocab;
    uint64_t generated = 0, prompted = 0;
    for (auto [slot, n] : chunks)
        prompted += n;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        Slot& s = *rows[r];
        const float* logits = m_logits.data() + r * static_cast<std::size_t>(n_vocab);
        if (s.phase == Slot::Phase::Prompt) {
            s.phase = Slot::Phase::Generate;
            s.first_token = Clock::now();
            s.result.prompt_seconds = seconds_between(s.started, s.first_token);
        }
        if (s.job->request.ignore_eos) {
            m_masked.assign(logits, logits + n_vocab);
            for (int32_t id : m_end_tokens)
                if (id < n_vocab)
                    m_masked[static_cast<std::size_t>(id)] = -INFINITY;
            logits = m_masked.data();
        }
        const int32_t token = s.sampler->sample(logits, n_vocab, s.cached);
        ++generated;
        emit_token(s, token, logits);
    }
    std::lock_guard lock(m_mutex);
    ++m_stats.steps;
    m_stats.prompt_tokens += prompted;
    m_stats.generated_tokens += generated;
    int64_t used = 0;
    for (const Slot& s : m_slots)
        used += static_cast<int64_t>(s.cached.size());
    m_stats.kv_tokens_used = used;
}

// Streams `token` (or ends the reply at it) and decides whether the slot goes on.
void Batcher::emit_token(Slot& s, int32_t token, const float* logits)
{
    const BatchRequest& req = s.job->request;
    const Tokenizer& tok = m_model.tokenizer();
    if (tok.is_end_of_generation(token) || token == tok.bos()) {
        finish(s, "stop", true);
        return;
    }
    ++s.result.generated_tokens;
    BatchEvent ev;
    ev.chosen.token = token;
    ev.chosen.text = tok.piece(token, true);
    if (req.top_logprobs >= 0) {
        const int n_vocab = m_model.config().n_vocab;
        const float max = *std::max_element(logits, logits + n_vocab);
        double sum = 0;
        for (int i = 0; i < n_vocab; ++i)
            sum += std::exp(double(logits[i]) - max);
        const double log_z = max + std::log(sum);
        ev.chosen.logprob = static_cast<float>(logits[token] - log_z);
        const int k = std::min(req.top_logprobs, n_vocab);
        std::vector<int32_t> ids(static_cast<std::size_t>(n_vocab));
        for (int i = 0; i < n_vocab; ++i)
            ids[static_cast<std::size_t>(i)] = i;
        std::partial_sort(ids.begin(), ids.begin() + k, ids.end(), [&](int32_t a, int32_t b) {
            return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
        });
        for (int i = 0; i < k; ++i) {
            const int32_t id = ids[static_cast<std::size_t>(i)];
            ev.top.push_back({id, tok.piece(id, true), static_cast<float>(logits[id] - log_z)});
        }
    }
    s.text += s.decoder->push(token);
    // A stop string ends the reply before it; text that may still become one waits.
    const std::size_t reach = longest(req.stop);
    const std::size_t stop_at = find_stop(s.text, s.sent > reach ? s.sent - reach : 0, req.stop);
    const bool stopped = stop_at != std::string::npos;
    const std::size_t until = stopped ? std::max(stop_at, s.sent) : s.text.size() - held_back(s.text, s.sent, req.stop);
    ev.text = s.text.substr(s.sent, until - s.sent);
    s.sent = until;
    if (req.on_event && !req.on_event(ev)) {
        finish(s, "cancelled");
        return;
    }
    if (stopped) {
        s.text.resize(stop_at);
        finish(s, "stop");
        return;
    }
    // The token just sampled goes at position cached.size() in the next pass.
    const bool full = static_cast<int>(s.cached.size()) >= m_n_ctx;
    if (s.result.generated_tokens >= req.max_tokens || full) {
        finish(s, "length", true);
        return;
    }
    s.next = token;
}

void Batcher::finish(Slot& s, const std::string& reason, bool flush, const std::string& error)
{
    const BatchRequest& req = s.job->request;
    if (flush && s.decoder) {
        // The decoder's unfinished character and text held back for a stop string that
        // never came (a stop string completed by that last piece still ends the reply).
        s.text += s.decoder->finish();
        const std::size_t reach = longest(req.stop);
        const std::size_t stop_at = find_stop(s.text, s.sent > reach ? s.sent - reach : 0, req.stop);
        const std::size_t until = stop_at == std::string::npos ? s.text.size() : std::max(stop_at, s.sent);
        if (until > s.sent && req.on_event) {
            BatchEvent ev;
            ev.text = s.text.substr(s.sent, until - s.sent);
            req.on_event(ev);
        }
        s.sent = until;
    }
    const auto now = Clock::now();
    s.result.finish_reason = reason;
    s.result.error = error;
    if (s.phase == Slot::Phase::Generate)
        s.result.generate_seconds = seconds_between(s.first_token, now);
    else
        s.result.prompt_seconds = seconds_between(s.started, now);
    {
        std::lock_guard lock(m_mutex); // the slot is free before its client hears so
        --m_stats.slots_busy;
    }
    if (req.on_done)
        req.on_done(s.result);
    s.job.reset();
    s.sampler.reset();
    s.decoder.reset();
}

} // namespace seekbench
