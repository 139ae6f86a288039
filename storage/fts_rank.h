// sb_bm25(table, n): BM25 exactly as FTS5's bm25() computes it (k1 = 1.2, b = 0.75, the
// same idf and document lengths), but summed over the query's first n phrases only; the
// phrases after them filter rows without scoring. A query written "(all terms) AND (the
// rare terms)" then visits only the rows a rare term matches and gives each the score the
// plain OR query would: the knowledge store's top-k search uses it to skip the tens of
// thousands of rows a common word matches when those rows cannot reach the top k.
#pragma once

struct sqlite3;

namespace seekbench::storage {

// Registers sb_bm25 on this connection; throws Error (Database) when FTS5 is missing.
void register_fts_rank(sqlite3* db);

// FTS5's idf for a term in `n_hit` of `n_rows` rows (never below 1e-6, as FTS5 clamps it),
// and the most one such term can add to a row's score: idf * (k1 + 1).
double fts_idf(long long n_rows, long long n_hit);
double fts_max_term_score(long long n_rows, long long n_hit);

} // namespace seekbench::storage
