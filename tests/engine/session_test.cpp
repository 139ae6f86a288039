// Sessions: prefix reuse gives the same logits as starting over, the context shift keeps
// generating with correctly re-rotated keys, several sequences share one batch, F16 and F32
// caches agree, generation stops where it should.
#include "engine/cpu/backend.h"
#include "engine/error.h"
#include "engine/forward.h"
#include "engine/fp16.h"
#include "engine/model.h"
#include "engine/session.h"
#include "model_files.h"
#include "reference.h"
#include "testing.h"

#include <cmath>
#include <cstring>

using namespace seekbench;
using namespace seekbench::test;

namespace {

std::vector<float> copy_logits(const float* p, int n) { return std::vector<float>(p, p + n); }

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b)
{
    double d = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        d = std::max(d, static_cast<double>(std::fabs(a[i] - b[i])));
    return d;
}

std::vector<float> layer0_key(const Session& s, int pos) { return s.context().cached_key(0, 0, pos); }

} // namespace

TEST_CASE("prefix reuse processes only the new tokens, with the same result")
{
    const auto model = Model::load(tiny_model("llama-tiny", TensorType::Q8_0));
    const int V = model->config().n_vocab;
    CpuBackend cpu(*model, 2);
    const std::vector<int32_t> a{1, 50, 60, 70, 80, 90};
    std::vector<int32_t> ab = a, ac = a;
    ab.insert(ab.end(), {100, 110, 120});
    ac.insert(ac.end(), {200, 210});
    Session s(cpu);
    s.eval(ac);
    const auto reused = copy_logits(s.eval(ab), V);
    CHECK_EQ(s.last_reused(), static_cast<int>(a.size()));
    Session fresh(cpu);
    const auto expected = copy_logits(fresh.eval(ab), V);
    CHECK_MSG(max_abs_diff(reused, expected) == 0.0, "diff " << max_abs_diff(reused, expected));
    // The same prompt again re-evaluates only its last token.
    s.eval(ab);
    CHECK_EQ(s.last_reused(), static_cast<int>(ab.size()) - 1);
}

TEST_CASE("context shift re-rotates the kept keys")
{
    const auto model = Model::load(tiny_model("qwen2-tiny", TensorType::F16));
    CpuBackend cpu(*model, 2);
    cpu.device().matmul().set_amx(false); // the same matmul path for both sessions: only the shift differs
    for (KvType kv : {KvType::F32, KvType::F16}) {
        SessionOptions o;
        o.n_ctx = 32;
        o.n_keep = 2;
        o.kv_type = kv;
        Session s(cpu, o);
        std::vector<int32_t> prompt;
        for (int i = 0; i < 32; ++i)
            prompt.push_back(10 + i);
        s.eval(prompt);
        s.eval_next(500); // full: drops (32 - 2) / 2 = 15 tokens after the first 2
        CHECK_EQ(s.shifts(), 1);
        CHECK_EQ(static_cast<int>(s.tokens().size()), 32 - 15 + 1);
        CHECK_EQ(s.tokens()[2], 10 + 17);
        // Layer 0 keys depend only on their own token: the moved key must equal the key of
        // that token computed fresh at its new position.
        Session fresh(cpu, o);
        std::vector<int32_t> placed(s.tokens().begin(), s.tokens().begin() + 6);
        fresh.eval(placed);
        for (int p = 2; p < 6; ++p) {
            const auto moved = layer0_key(s, p), direct = layer0_key(fresh, p);
            double worst = 0, scale = 0;
            for (std::size_t i = 0; i < moved.size(); ++i) {
                worst = std::max(worst, static_cast<double>(std::fabs(moved[i] - direct[i])));
                scale = std::max(scale, static_cast<double>(std::fabs(direct[i])));
            }
            CHECK_MSG(worst <= (kv == KvType::F32 ? 1e-5 : 4e-3) * scale,
                      "position " << p << ": moved key differs by " << worst);
        }
        // Generation keeps going far past the context.
        SamplerParams greedy;
        greedy.temperature = 0;
        Sampler sampler(greedy);
        int produced = 0;
        const std::vector<int32_t> kept = s.tokens();
        s.generate(kept, sampler, 100, [&](int32_t, const std::string&) { return ++produced < 100; });
        CHECK(s.shifts() >= 3);
        CHECK(static_cast<int>(s.tokens().size()) <= 32);
    }
}

TEST_CASE("two sequences in one batch equal two separate runs")
{
    const auto model = Model::load(tiny_model("qwen2-tiny", TensorType::Q4_K));
    const ModelConfig& c = model->config();
    CpuBackend cpu(*model, 2);
    KvCache cache = make_kv_cache(c, 64, 2, KvType::F16);
    ForwardState st;
    std::vector<float> logits;
    const std::vector<int32_t> s0{5, 6, 7, 8, 9}, s1{300, 301, 302};
    Batch b;
    for (std::size_t i = 0; i < std::max(s0.size(), s1.size()); ++i) {
        if (i < s0.size())
            b.add(s0[i], static_cast<int32_t>(i), 0, i + 1 == s0.size());
        if (i < s1.size())
            b.add(s1[i], static_cast<int32_t>(i), 1, i + 1 == s1.size());
    }
    forward_cpu(*model, cpu.device(), cache, b, st, logits);
    REQUIRE(logits.size() == 2u * static_cast<std::size_t>(c.n_vocab));
    // Output rows come in batch order: sequence 1 finishes first here.
    const std::vector<float> last1(logits.begin(), logits.begin() + c.n_vocab);
    const std::vector<float> last0(logits.begin() + c.n_vocab, logits.end());
    Session a(cpu), bb(cpu);
    CHECK(max_abs_diff(last0, copy_logits(a.eval(s0), c.n_vocab)) < 1e-5);
    CHECK(max_abs_diff(last1, copy_logits(bb.eval(s1), c.n_vocab)) < 1e-5);

    Batch bad;
    bad.add(5, 0, 2, true);
    CHECK_THROWS_WITH(forward_cpu(*model, cpu.device(), cache, bad, st, logits), "sequence slot 2");
    bad.clear();
    bad.add(c.n_vocab, 0, 0, true);
    CHECK_THROWS_WITH(forward_cpu(*model, cpu.device(), cache, bad, st, logits), "outside the vocabulary");
}

TEST_CASE("generation stops at end of text, at the limit, and when cancelled")
{
    const auto model = Model::load(tiny_model("llama-tiny", TensorType::F32));
    CpuBackend cpu(*model, 1);
    Session s(cpu);
    SamplerParams greedy;
    greedy.temperature = 0;
    Sampler sampler(greedy);
    auto st = s.generate({1, 40, 41}, sampler, 7, [](int32_t, const std::string&) { return true; });
    CHECK_EQ(st.generated_tokens, 7);
    CHECK_EQ(st.stop_reason, std::string("length"));
    CHECK_EQ(st.reused_tokens, 0);
    int seen = 0;
    st = s.generate({1, 40, 41}, sampler, 50, [&](int32_t, const std::string&) { return ++seen < 3; });
    CHECK_EQ(st.stop_reason, std::string("cancelled"));
    CHECK_EQ(st.generated_tokens, 3);
    CHECK_EQ(st.reused_tokens, 2); // the prompt was cached from the first call
    CHECK_THROWS_WITH(s.eval({}), "empty prompt");
    SessionOptions small;
    small.n_ctx = 4;
    Session tiny(cpu, small);
    CHECK_THROWS_WITH(tiny.eval({1, 2, 3, 4, 5}), "more than the context");
}
