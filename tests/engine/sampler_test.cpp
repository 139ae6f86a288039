// Sampling: greedy picks the first maximum; the same seed gives the same tokens; the
// filters keep what they should; penalties push repeated tokens down; sampled frequencies
// follow the softmax at the temperature.
#include "engine/sampler.h"
#include "testing.h"

#include <cmath>
#include <map>

using namespace seekbench;

TEST_CASE("greedy takes the first maximum")
{
    SamplerParams p;
    p.temperature = 0;
    Sampler s(p);
    const float logits[] = {0.1f, 2.0f, -1.0f, 2.0f};
    CHECK_EQ(s.sample(logits, 4, {}), 1);
}

TEST_CASE("a seed reproduces, another seed differs")
{
    std::vector<float> logits(100);
    for (int i = 0; i < 100; ++i)
        logits[static_cast<std::size_t>(i)] = std::sin(static_cast<float>(i));
    SamplerParams p;
    p.top_k = 0;
    p.top_p = 1;
    p.min_p = 0;
    p.temperature = 1.5f;
    auto draw = [&](uint64_t seed) {
        p.seed = seed;
        Sampler s(p);
        std::vector<int32_t> out;
        for (int i = 0; i < 50; ++i)
            out.push_back(s.sample(logits.data(), 100, {}));
        return out;
    };
    CHECK(draw(7) == draw(7));
    CHECK(draw(7) != draw(8));
}

TEST_CASE("filters keep what they should")
{
    const float logits[] = {5.0f, 4.0f, 3.0f, 0.0f, -2.0f};
    SamplerParams p;
    p.temperature = 1.0f;
    p.top_p = 1.0f;
    p.min_p = 0;
    p.top_k = 2;
    Sampler topk(p);
    for (int i = 0; i < 200; ++i)
        CHECK(topk.sample(logits, 5, {}) <= 1);
    p.top_k = 0;
    p.min_p = 0.3f; // keeps p >= 0.3 * p(top): exp(-1) = 0.37 in, exp(-2) = 0.14 out
    Sampler minp(p);
    for (int i = 0; i < 200; ++i)
        CHECK(minp.sample(logits, 5, {}) <= 1);
    p.min_p = 0;
    p.top_p = 0.5f; // the top token alone has 0.66
    Sampler topp(p);
    for (int i = 0; i < 50; ++i)
        CHECK_EQ(topp.sample(logits, 5, {}), 0);
}

TEST_CASE("frequencies follow the softmax")
{
    const float logits[] = {1.0f, 0.0f, -1.0f};
    SamplerParams p;
    p.temperature = 2.0f;
    p.top_k = 0;
    p.top_p = 1;
    p.min_p = 0;
    p.seed = 3;
    Sampler s(p);
    std::map<int, int> counts;
    const int n = 20000;
    for (int i = 0; i < n; ++i)
        ++counts[s.sample(logits, 3, {})];
    const double z = std::exp(0.5) + 1 + std::exp(-0.5);
    CHECK(std::fabs(counts[0] / double(n) - std::exp(0.5) / z) < 0.015);
    CHECK(std::fabs(counts[2] / double(n) - std::exp(-0.5) / z) < 0.015);
}

TEST_CASE("penalties push repeated tokens down")
{
    const float logits[] = {3.0f, 2.9f, 1.0f};
    SamplerParams p;
    p.temperature = 0;
    p.repeat_penalty = 1.5f; // 3.0 -> 2.0 < 2.9
    Sampler rep(p);
    CHECK_EQ(rep.sample(logits, 3, {0}), 1);
    p.repeat_penalty = 1.0f;
    p.frequency_penalty = 0.05f;
    Sampler freq(p);
    CHECK_EQ(freq.sample(logits, 3, {0}), 0);         // 3.0 - 0.05 > 2.9
    CHECK_EQ(freq.sample(logits, 3, {0, 0, 0, 0}), 1); // 3.0 - 0.2 < 2.9
    p.frequency_penalty = 0;
    p.presence_penalty = 0.2f;
    Sampler pres(p);
    CHECK_EQ(pres.sample(logits, 3, {0}), 1);
    p.repeat_last_n = 1; // only the last token counts
    Sampler window(p);
    CHECK_EQ(window.sample(logits, 3, {0, 2}), 0);
}
