// Attention provenance on hand-made traces: shares averaged over maps and answer tokens,
// their sum equal to the mass on all passages, maps without the answer's rows skipped, the
// planted passage ahead; and passages found as token ranges in a prompt's pieces.
#include "engine/provenance.h"
#include "testing.h"

#include <cmath>

using namespace seekbench;

namespace {

// A map whose rows are the given (query position, {key position: probability}) pairs.
AttentionMap map_of(int layer, int head, const std::vector<std::pair<int, std::vector<std::pair<int, float>>>>& rows)
{
    AttentionMap m;
    m.layer = layer;
    m.head = head;
    for (const auto& [q, mass] : rows) {
        m.query_pos.push_back(q);
        std::vector<float> p(static_cast<std::size_t>(q) + 1, 0.f);
        for (const auto& [k, v] : mass)
            p[static_cast<std::size_t>(k)] = v;
        m.probs.push_back(p);
    }
    return m;
}

bool near(double a, double b) { return std::abs(a - b) < 1e-6; }

} // namespace

TEST_CASE("shares average over maps and answer tokens and sum to the attended mass")
{
    Trace t;
    for (int i = 0; i < 10; ++i) {
        t.tokens.push_back(100 + i);
        t.positions.push_back(i);
    }
    // Passage A is tokens 2-3, passage B 5-6, the answer 8-9.
    t.attention.push_back(map_of(0, 0, {{4, {{2, 1.f}}}, {8, {{2, .5f}, {5, .2f}, {8, .3f}}}, {9, {{3, .6f}, {6, .1f}, {9, .3f}}}}));
    t.attention.push_back(map_of(0, 1, {{8, {{3, .1f}, {6, .7f}, {8, .2f}}}, {9, {{9, 1.f}}}}));
    t.attention.push_back(map_of(1, 0, {{4, {{2, 1.f}}}})); // no answer rows: not counted
    const Provenance p = attention_provenance(t, 8, 10, {{2, 4}, {5, 7}});
    REQUIRE(p.shares.size() == 2);
    // A: token 8 (0.5 + 0.1) / 2, token 9 (0.6 + 0) / 2 -> 0.3. B: (0.2 + 0.7) / 2, (0.1 + 0) / 2 -> 0.25.
    CHECK_MSG(near(p.shares[0], 0.3), p.shares[0]);
    CHECK_MSG(near(p.shares[1], 0.25), p.shares[1]);
    CHECK(near(p.attended, 0.55));
    CHECK(near(p.per_token[0][1], 0.45));
    CHECK(near(p.per_token[1][0], 0.3));
    // The same mass computed the plain way: everything on keys 2-3 and 5-6, per row, averaged.
    const double plain = ((0.5 + 0.2) + (0.1 + 0.7)) / 2 / 2 + ((0.6 + 0.1) + 0.0) / 2 / 2;
    CHECK(near(p.attended, plain));
}

TEST_CASE("a planted passage gets the answer's attention; an unread one stays near zero")
{
    Trace t;
    for (int i = 0; i < 40; ++i) {
        t.tokens.push_back(i);
        t.positions.push_back(i);
    }
    // Four heads, six answer tokens (30-35): each puts 70% on the planted passage (tokens
    // 10-19), the rest spread over the prompt's other tokens, and nothing on passage 20-29.
    for (int head = 0; head < 4; ++head) {
        std::vector<std::pair<int, std::vector<std::pair<int, float>>>> rows;
        for (int q = 30; q < 36; ++q) {
            std::vector<std::pair<int, float>> mass;
            for (int k = 10; k < 20; ++k)
                mass.emplace_back(k, 0.07f);
            for (int k = 0; k < 10; ++k)
                mass.emplace_back(k, 0.03f);
            rows.emplace_back(q, mass);
        }
        t.attention.push_back(map_of(2, head, rows));
    }
    const Provenance p = attention_provenance(t, 30, 36, {{10, 20}, {20, 30}});
    CHECK_MSG(near(p.shares[0], 0.7), p.shares[0]);
    CHECK(near(p.shares[1], 0.0));
    CHECK(p.shares[0] > 10 * p.shares[1] + 0.5);
    // No maps, or an empty answer: every share is 0.
    CHECK(attention_provenance(Trace{}, 0, 5, {{0, 1}}).attended == 0.0);
    CHECK(attention_provenance(t, 30, 30, {{10, 20}}).shares[0] == 0.0);
}

TEST_CASE("passages are found as token ranges of the prompt's pieces")
{
    const std::vector<std::string> pieces = {"Sources", ":\n\n[", "1", "] kettle", ".md\nDes", "cale the", " kettle",
                                             ".\n\nQuestion"};
    const auto spans = token_spans(pieces, {"Descale the kettle.", "not in the prompt", "Question"});
    REQUIRE(spans.size() == 3);
    CHECK_EQ(spans[0].first, 4);
    CHECK_EQ(spans[0].second, 8);
    CHECK_EQ(spans[1].first, 0);
    CHECK_EQ(spans[1].second, 0);
    CHECK_EQ(spans[2].first, 7);
    CHECK_EQ(spans[2].second, 8);
}
