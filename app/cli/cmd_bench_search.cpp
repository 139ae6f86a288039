// seekbench-cli bench --search N: how fast the app's conversation search answers over a
// store of N messages. The store is filled once (a file that already holds N messages is
// reused) with generated chats: words drawn with Zipf's law from a made-up vocabulary, code
// lines and Chinese sentences, replies longer than questions. Then the queries a user types
// run through ConversationStore::search (what the app's search box calls), by kind, and
// the latency percentiles are printed per kind and over all.
#include "args.h"
#include "commands.h"

#include "engine/error.h"
#include "storage/conversation_store.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace seekbench::cli {
namespace {

using Clock = std::chrono::steady_clock;

// A made-up vocabulary: syllables joined into 8000 distinct words, and 600 two-character
// Chinese words from the common CJK block; word i is drawn with weight 1 / (i + 1).
class Corpus {
public:
    explicit Corpus(uint64_t seed) : m_rng(seed)
    {
        static const char* const kSyllables[] = {"ka", "lo", "mi", "ten", "sor", "vel", "dra", "pin", "qu", "ber",
                                                 "an", "ist", "ro", "mu", "gel", "tor", "fa", "nex", "ul", "cri",
                                                 "po", "shen", "dax", "ri", "mo", "zen", "tal", "us", "ve", "ho"};
        constexpr int n = sizeof(kSyllables) / sizeof(kSyllables[0]);
        for (int i = 0; static_cast<int>(m_words.size()) < 8000; ++i) {
            std::string w = kSyllables[i % n];
            for (int v = i / n; v > 0; v /= n)
                w += kSyllables[v % n];
            m_words.push_back(w);
        }
        for (int i = 0; i < 600; ++i)
            m_chinese.push_back(cjk(0x4E00 + (i * 37) % 3000) + cjk(0x4E00 + (i * 101 + 7) % 3000));
        m_zipf = zipf(m_words.size());
        m_zipf_zh = zipf(m_chinese.size());
    }

    const std::string& word(std::size_t rank) const { return m_words[rank]; }
    const std::string& chinese(std::size_t rank) const { return m_chinese[rank]; }
    std::mt19937_64& rng() { return m_rng; }

    // A message of about `words` words: prose, sometimes a code line or a Chinese sentence.
    std::string message(int words)
    {
        std::string out;
        for (int i = 0; i < words; ++i) {
            const int r = static_cast<int>(m_rng() % 100);
            if (r < 3) {
                out += "\n    if (" + next_word() + "_count > " + std::to_string(m_rng() % 100) + ") { " + next_word() + "(); }\n";
            } else if (r < 10) {
                for (int c = 0; c < 4; ++c)
                    out += m_chinese[m_zipf_zh(m_rng)];
                out += "。";
            } else {
                out += next_word();
                out += (m_rng() % 12 == 0) ? ". " : " ";
            }
        }
        return out;
    }

private:
    static std::string cjk(int cp)
    {
        return {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                static_cast<char>(0x80 | (cp & 0x3F))};
    }
    static std::discrete_distribution<std::size_t> zipf(std::size_t n)
    {
        std::vector<double> w(n);
        for (std::size_t i = 0; i < n; ++i)
            w[i] = 1.0 / static_cast<double>(i + 1);
        return {w.begin(), w.end()};
    }
    const std::string& next_word() { return m_words[m_zipf(m_rng)]; }

    std::mt19937_64 m_rng;
    std::vector<std::string> m_words, m_chinese;
    std::discrete_distribution<std::size_t> m_zipf, m_zipf_zh;
};

int64_t message_count(storage::ConversationStore& store)
{
    storage::Statement st(store.database(), "SELECT count(*) FROM messages");
    return st.step() ? st.column_int(0) : 0;
}

void fill(storage::ConversationStore& store, Corpus& corpus, int64_t n)
{
    const auto t0 = Clock::now();
    int64_t added = message_count(store);
    while (added < n) {
        const int64_t conv = store.create_conversation(corpus.message(4), "bench.gguf");
        int64_t parent = 0;
        const int turns = 2 + static_cast<int>(corpus.rng()() % 10);
        for (int t = 0; t < 2 * turns && added < n; ++t, ++added) {
            storage::Message m;
            m.conversation_id = conv;
            m.parent_id = parent;
            m.role = t % 2 ? "assistant" : "user";
            m.content = corpus.message(t % 2 ? 60 + static_cast<int>(corpus.rng()() % 300) : 8 + static_cast<int>(corpus.rng()() % 40));
            parent = store.add_message(m);
        }
        if (added % 5000 < 2 * turns)
            std::fprintf(stderr, "\rfilling the store: %lld / %lld messages", static_cast<long long>(added), static_cast<long long>(n));
    }
    std::fprintf(stderr, "\rfilled the store: %lld messages in %.1f s\n", static_cast<long long>(n),
                 std::chrono::duration<double>(Clock::now() - t0).count());
}

struct QueryKind {
    const char* name;
    std::vector<std::string> queries;
};

// The same queries every run (their own random stream, whether or not the store was filled now).
std::vector<QueryKind> query_kinds(const Corpus& c, int per_kind)
{
    std::vector<QueryKind> kinds = {{"common word (rank 1-20)", {}},  {"word (rank 100-400)", {}},
                                    {"rare word (rank 3000+)", {}},   {"two-word phrase", {}},
                                    {"typing: 3-4 letters", {}},      {"Chinese, 3+ chars", {}},
                                    {"Chinese, 2 chars (scan)", {}},  {"no match", {}}};
    std::mt19937_64 rng(2);
    for (int i = 0; i < per_kind; ++i) {
        kinds[0].queries.push_back(c.word(rng() % 20));
        kinds[1].queries.push_back(c.word(100 + rng() % 300));
        kinds[2].queries.push_back(c.word(3000 + rng() % 5000));
        kinds[3].queries.push_back(c.word(rng() % 200) + " " + c.word(rng() % 200));
        const std::string& w = c.word(rng() % 2000);
        kinds[4].queries.push_back(w.substr(0, std::min<std::size_t>(w.size(), 3 + rng() % 2)));
        kinds[5].queries.push_back(c.chinese(rng() % 100) + c.chinese(rng() % 100).substr(0, 3));
        kinds[6].queries.push_back(c.chinese(rng() % 600));
        kinds[7].queries.push_back("zzq" + std::to_string(i));
    }
    return kinds;
}

double percentile(std::vector<double> v, double p)
{
    std::sort(v.begin(), v.end());
    const std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1);
    return v[i];
}

} // namespace

int bench_search(int argc, char** argv)
{
    const Args a(argc, argv, 2, {"--search", "--db", "-r"});
    a.allow_only({"--search", "--db", "-r"});
    const int64_t n = a.integer("--search", 100000);
    const int per_kind = a.integer("-r", 100);
    if (n < 1 || per_kind < 1)
        throw Error(ErrorCode::InvalidArgument, "--search N and -r must be >= 1");
    const std::string path = a.str("--db", (std::filesystem::temp_directory_path() / "seekbench-search-bench.db").string());
    const auto t_open = Clock::now();
    storage::ConversationStore store(path);
    std::printf("opened %s in %.2f s (an older schema is upgraded on opening)\n", path.c_str(),
                std::chrono::duration<double>(Clock::now() - t_open).count());
    Corpus corpus(1);
    const int64_t have = message_count(store);
    if (have > n)
        throw Error(ErrorCode::InvalidArgument, path + " holds " + std::to_string(have) + " messages, more than " + std::to_string(n));
    fill(store, corpus, n);
    std::printf("store: %lld messages, %.0f MB\n", static_cast<long long>(n),
                static_cast<double>(std::filesystem::file_size(path)) / 1e6);
    std::printf("| query | n | hits (median) | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|\n");
    std::vector<double> all;
    for (const QueryKind& kind : query_kinds(corpus, per_kind)) {
        std::vector<double> ms, hits;
        for (const std::string& q : kind.queries) {
            const auto t0 = Clock::now();
            const auto found = store.search(q);
            ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            hits.push_back(static_cast<double>(found.size()));
        }
        all.insert(all.end(), ms.begin(), ms.end());
        std::printf("| %s | %zu | %.0f | %.2f | %.2f | %.2f | %.2f |\n", kind.name, ms.size(), percentile(hits, 0.5),
                    percentile(ms, 0.5), percentile(ms, 0.95), percentile(ms, 0.99), percentile(ms, 1.0));
    }
    std::printf("| all | %zu | | %.2f | %.2f | %.2f | %.2f |\n", all.size(), percentile(all, 0.5), percentile(all, 0.95),
                percentile(all, 0.99), percentile(all, 1.0));
    return 0;
}

} // namespace seekbench::cli
