// sb_bm25 through FTS5's extension API; FTS5's bm25 (fts5_aux.c) is the formula followed,
// written anew here. The per-query numbers (rows, average length, each phrase's idf) are
// computed on the first row and kept as the query's aux data.
#include "fts_rank.h"

#include "engine/error.h"

#include <sqlite3.h>

#include <cmath>
#include <vector>

namespace seekbench::storage {
namespace {

constexpr double kK1 = 1.2, kB = 0.75;

struct QueryStats {
    double avgdl = 0;
    std::vector<double> idf; // of each scored phrase
};

int count_row(const Fts5ExtensionApi*, Fts5Context*, void* user)
{
    ++*static_cast<sqlite3_int64*>(user);
    return SQLITE_OK;
}

QueryStats* query_stats(const Fts5ExtensionApi* api, Fts5Context* fts, int n_scored, int* rc)
{
    if (auto* cached = static_cast<QueryStats*>(api->xGetAuxdata(fts, 0)))
        return cached;
    sqlite3_int64 rows = 0, tokens = 0;
    *rc = api->xRowCount(fts, &rows);
    if (*rc == SQLITE_OK)
        *rc = api->xColumnTotalSize(fts, -1, &tokens);
    auto* stats = new QueryStats;
    stats->avgdl = rows > 0 ? static_cast<double>(tokens) / static_cast<double>(rows) : 1.0;
    for (int i = 0; i < n_scored && *rc == SQLITE_OK; ++i) {
        sqlite3_int64 hits = 0;
        *rc = api->xQueryPhrase(fts, i, &hits, count_row);
        stats->idf.push_back(fts_idf(rows, hits));
    }
    if (*rc == SQLITE_OK)
        *rc = api->xSetAuxdata(fts, stats, [](void* p) { delete static_cast<QueryStats*>(p); });
    else
        delete stats;
    return *rc == SQLITE_OK ? stats : nullptr;
}

void sb_bm25(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int n_args, sqlite3_value** args)
{
    const int n_phrases = api->xPhraseCount(fts);
    const int n_scored = n_args > 0 ? std::min(n_phrases, sqlite3_value_int(args[0])) : n_phrases;
    int rc = SQLITE_OK;
    const QueryStats* stats = query_stats(api, fts, n_scored, &rc);
    int n_inst = 0, length = 0;
    if (rc == SQLITE_OK)
        rc = api->xInstCount(fts, &n_inst);
    if (rc == SQLITE_OK)
        rc = api->xColumnSize(fts, -1, &length);
    std::vector<double> freq(static_cast<std::size_t>(n_scored), 0.0);
    for (int i = 0; i < n_inst && rc == SQLITE_OK; ++i) {
        int phrase = 0, column = 0, offset = 0;
        rc = api->xInst(fts, i, &phrase, &column, &offset);
        if (rc == SQLITE_OK && phrase < n_scored)
            freq[static_cast<std::size_t>(phrase)] += 1.0;
    }
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    double score = 0;
    const double norm = kK1 * (1 - kB + kB * length / stats->avgdl);
    for (int i = 0; i < n_scored; ++i) {
        const double f = freq[static_cast<std::size_t>(i)];
        score += stats->idf[static_cast<std::size_t>(i)] * (f * (kK1 + 1)) / (f + norm);
    }
    sqlite3_result_double(ctx, -score); // ascending, like bm25(): best first
}

} // namespace

double fts_idf(long long n_rows, long long n_hit)
{
    const double idf = std::log((static_cast<double>(n_rows - n_hit) + 0.5) / (static_cast<double>(n_hit) + 0.5));
    return idf > 0 ? idf : 1e-6;
}

double fts_max_term_score(long long n_rows, long long n_hit)
{
    return fts_idf(n_rows, n_hit) * (kK1 + 1);
}

void register_fts_rank(sqlite3* db)
{
    fts5_api* api = nullptr;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, nullptr) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (!api || api->xCreateFunction(api, "sb_bm25", nullptr, sb_bm25, nullptr) != SQLITE_OK)
        throw Error(ErrorCode::Database, "this SQLite has no FTS5, which the knowledge store needs");
}

} // namespace seekbench::storage
