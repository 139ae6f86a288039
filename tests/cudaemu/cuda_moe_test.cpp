// Mixture-of-experts and latent-attention models on the CUDA path, under the emulator (or on
// a GPU, built by nvcc), against the CPU: logits and top-1 over 1,000 positions (prompt and
// decode) for deepseek2 in both MLA layouts and V3's sigmoid + bias + group routing,
// qwen2moe, qwen3moe and mixtral; the chosen experts of routing traces; attention traces over
// the latent cache; a context shift of the latent cache. Decode steps replay a CUDA graph.
// The built-in model (a real deepseek2) on the GPU: cuda_builtin_test.cpp.
#include "cuda_testing.h"

#include "engine/cpu/backend.h"
#include "engine/cuda/backend.h"
#include "engine/cuda/weights.h"
#include "engine/model.h"
#include "engine/session.h"
#include "engine/synth.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <cstdio>
#include <filesystem>

using namespace seekbench;
using seekbench::test::Agreement;
using seekbench::test::check_attention_traces;
using seekbench::test::check_context_shift;
using seekbench::test::gpu;
using seekbench::test::need_device;

namespace {

const std::string kTmp = SEEKBENCH_TEST_TMP;

// A synth preset at `type` (matrices whose rows are not whole blocks of it stay F16).
std::string synth_model(const std::string& preset, TensorType type)
{
    std::filesystem::create_directories(kTmp);
    const std::string path = kTmp + "/cuda-moe-" + preset + "-" + type_name(type) + ".gguf";
    if (!std::filesystem::exists(path)) {
        SynthOptions o;
        o.type = type;
        o.seed = 5;
        write_synth_model(*find_synth_preset(preset), o, path);
    }
    return path;
}

// The chosen experts of every MoE layer for one position, as sets (order is by weight,
// which rounding may swap).
using Routes = std::map<int, std::vector<std::vector<int>>>; // pos -> layer -> sorted experts

void collect(const Trace& t, Routes& out, std::map<std::pair<int, int>, const RoutingRecord*>& records)
{
    for (const RoutingRecord& r : t.routing) {
        std::vector<int> e = r.experts;
        std::sort(e.begin(), e.end());
        out[r.pos].push_back(e);
        records[{r.pos, r.layer}] = &r;
    }
}

// A mixture of experts amplifies rounding: where two experts' scores nearly tie, the GPU's
// rounding may pick the other one, and that token's later layers then differ entirely (the
// synth models' weights are random, so their ties are many). So the positions are split:
// where every layer chose the same experts, the logits and top-1 must agree as Agreement
// says; where some layer chose otherwise, the scores at the first such layer must agree
// within kScoreSlack (so the choice differed only at a near tie), and such positions must be
// few. The CPU is the reference throughout. A flip also reaches later tokens through the
// next layer's cache, so the formats compared end to end are those whose flips stay rare:
// F16 and Q8_0 (the CPU's own 8-bit activations are its largest rounding); the k-quant
// expert products are checked kernel by kernel (moe_kernels_test.cpp).
constexpr double kScoreSlack = 0.02;

struct MoeAgreement {
    Agreement routed_alike;
    int flipped = 0, flips_not_near_tie = 0;
    double worst_flip_score_diff = 0;
};

// The prompt (976 random tokens, the batched path) then 24 decode steps (the experts picked
// on the device, the graph), both contexts fed the same, routing traced on both.
MoeAgreement compare_thousand(const Model& model, Backend& cpu, Backend& cuda, double bound)
{
    const int V = model.config().n_vocab;
    Batch prompt;
    uint64_t rng = 77;
    for (int i = 0; i < 976; ++i) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        prompt.add(static_cast<int32_t>((rng >> 33) % static_cast<uint64_t>(V)), i, 0, true);
    }
    const auto cctx = cpu.new_context(1024, 1, KvType::F16);
    const auto gctx = cuda.new_context(1024, 1, KvType::F16);
    std::vector<float> lc, lg, all_c, all_g;
    Trace tc, tg;
    tc.options.routing = tg.options.routing = true;
    cctx->forward(prompt, all_c, &tc);
    gctx->forward(prompt, all_g, &tg);
    REQUIRE(all_c.size() == all_g.size());
    const long long replays = cuda::graph_replays();
    for (int i = 0; i < 24; ++i) {
        Batch one;
        one.add(static_cast<int32_t>((i * 37 + 5) % V), prompt.size() + i, 0, true);
        // Decode steps without a trace, so the GPU replays its graph (experts picked on the
        // device); their routes are not compared, their logits are.
        cctx->forward(one, lc);
        gctx->forward(one, lg);
        all_c.insert(all_c.end(), lc.begin(), lc.end());
        all_g.insert(all_g.end(), lg.begin(), lg.end());
    }
    CHECK_EQ(cuda::graph_replays() - replays, 24);
    Routes rc, rg;
    std::map<std::pair<int, int>, const RoutingRecord*> recc, recg;
    collect(tc, rc, recc);
    collect(tg, rg, recg);
    MoeAgreement a{Agreement{bound}};
    for (int pos = 0; pos < 1000; ++pos) {
        const float* c = &all_c[std::size_t(pos) * V];
        const float* g = &all_g[std::size_t(pos) * V];
        if (pos >= prompt.size() || rc[pos] == rg[pos]) {
            a.routed_alike.add(c, g, V);
            continue;
        }
        ++a.flipped;
        std::size_t first = 0;
        while (rc[pos][first] == rg[pos][first])
            ++first;
        const int layer = recc.upper_bound({pos, -1})->first.second + int(first);
        const RoutingRecord& x = *recc.at({pos, layer});
        const RoutingRecord& y = *recg.at({pos, layer});
        double diff = 0;
        for (std::size_t e = 0; e < x.scores.size(); ++e)
            diff = std::max(diff, double(std::fabs(x.scores[e] - y.scores[e])));
        a.worst_flip_score_diff = std::max(a.worst_flip_score_diff, diff);
        a.flips_not_near_tie += diff > kScoreSlack;
    }
    return a;
}

} // namespace

TEST_CASE("MoE and MLA models: the GPU's logits and top-1 agree with the CPU's over 1,000 positions")
{
    need_device();
    struct Case {
        const char* preset;
        TensorType type;
        double bound;
    };
    // deepseek-tiny: V3's routing (sigmoid, bias, groups), q compression, attn_k_b/attn_v_b;
    // -kvb: the older attn_kv_b layout, softmax routing; -v2lite: V2-Lite's configuration.
    const Case cases[] = {{"deepseek-tiny", TensorType::F16, 5e-3},        {"deepseek-tiny", TensorType::Q8_0, 3e-2},
                          {"deepseek-tiny-kvb", TensorType::F16, 5e-3},    {"deepseek-tiny-kvb", TensorType::Q8_0, 3e-2},
                          {"deepseek-tiny-v2lite", TensorType::F16, 5e-3}, {"qwen2moe-tiny", TensorType::F16, 5e-3},
                          {"qwen2moe-tiny", TensorType::Q8_0, 3e-2},       {"qwen3moe-tiny", TensorType::F16, 5e-3},
                          {"qwen3moe-tiny", TensorType::Q8_0, 3e-2},       {"mixtral-tiny", TensorType::F16, 5e-3},
                          {"mixtral-tiny", TensorType::Q8_0, 3e-2}};
    for (const Case& t : cases) {
        const auto model = Model::load(synth_model(t.preset, t.type));
        CpuBackend cpu(*model, 2);
        const auto cuda = gpu(*model);
        const MoeAgreement m = compare_thousand(*model, cpu, *cuda, t.bound);
        const Agreement& a = m.routed_alike;
        std::printf("    %s %s: %d of 1000 positions routed alike in every layer: top-1 %d exact, %d/%d where not a "
                    "tie, logits within %.2g; %d routed otherwise, first at scores within %.2g\n",
                    t.preset, type_name(t.type), a.positions, a.exact, a.decisive_agree,
                    a.decisive, a.worst_rel, m.flipped, m.worst_flip_score_diff);
        CHECK_EQ(a.positions + m.flipped, 1000);
        CHECK_MSG((a.decisive - a.decisive_agree) * 1000 <= a.positions, t.preset << " " << type_name(t.type) << ": "
                                                                           << a.decisive - a.decisive_agree << " decisive misses");
        CHECK_MSG(a.decisive * 10 >= a.positions * 7, t.preset << ": too few decisive positions");
        CHECK_MSG(a.worst_rel <= t.bound, t.preset << " " << type_name(t.type) << ": logits differ by " << a.worst_rel);
        CHECK_MSG(m.flips_not_near_tie == 0, t.preset << " " << type_name(t.type) << ": " << m.flips_not_near_tie
                                                      << " positions chose other experts where the scores differ by "
                                                      << m.worst_flip_score_diff);
        CHECK_MSG(m.flipped * 20 <= 1000, t.preset << " " << type_name(t.type) << ": " << m.flipped
                                                   << " positions routed otherwise (at most 5%)");
    }
}

// F32 weights: the prompt's products run in FP32 on cuBLAS, the decode's in float on the
// GPU's own kernels, so a router's scores differ from the CPU's by the order of sums and, in
// deepseek2, by MLA's per-head matrices, which the GPU keeps in F16 (4e-4 measured).
constexpr double kTraceSlack = 1e-3;

TEST_CASE("routing traces from the GPU choose the CPU's experts with the CPU's scores and weights")
{
    need_device();
    for (const char* preset : {"deepseek-tiny", "qwen2moe-tiny"}) {
        const auto model = Model::load(synth_model(preset, TensorType::F32));
        CpuBackend cpu(*model, 2);
        const auto cuda = gpu(*model);
        Trace tc, tg;
        tc.options.routing = tg.options.routing = true;
        Session sc(cpu), sg(*cuda);
        sc.set_trace(&tc);
        sg.set_trace(&tg);
        const std::vector<int32_t> prompt{1, 5, 9, 200, 300, 7, 8, 40, 41, 42, 43, 44}; // a batch (grouped experts)
        sc.eval(prompt);
        sg.eval(prompt);
        for (int32_t t : {11, 12, 13}) { // then single tokens (experts picked on the device)
            sc.eval({t});
            sg.eval({t});
        }
        REQUIRE(tc.routing.size() == tg.routing.size());
        REQUIRE(!tg.routing.empty());
        double worst = 0;
        for (std::size_t i = 0; i < tc.routing.size(); ++i) {
            const RoutingRecord &a = tc.routing[i], &b = tg.routing[i];
            CHECK(a.layer == b.layer);
            CHECK(a.pos == b.pos);
            CHECK(a.token == b.token);
            CHECK_MSG(a.experts == b.experts, preset << ": layer " << a.layer << " position " << a.pos);
            REQUIRE(a.scores.size() == b.scores.size());
            for (std::size_t e = 0; e < a.scores.size(); ++e)
                worst = std::max(worst, double(std::fabs(a.scores[e] - b.scores[e])));
            for (std::size_t e = 0; e < a.weights.size(); ++e)
                worst = std::max(worst, std::fabs(a.weights[e] - b.weights[e]) / (1.0 + std::fabs(a.weights[e])));
            worst = std::max(worst, double(std::fabs(a.shared_gate - b.shared_gate)));
        }
        std::printf("    %s: %zu routing records alike; scores, weights and gates within %.2g\n", preset,
                    tg.routing.size(), worst);
        CHECK(worst <= kTraceSlack);
        if (std::string(preset) == "qwen2moe-tiny")
            CHECK(tg.routing.front().shared_gate > 0.0f); // its gated shared expert was recorded
    }
}

TEST_CASE("attention traces over the latent cache equal the CPU's")
{
    need_device();
    const auto model = Model::load(synth_model("deepseek-tiny", TensorType::F32));
    CpuBackend cpu(*model, 2);
    const auto cuda = gpu(*model);
    check_attention_traces(cpu, *cuda, 2, {1, 5, 9, 200, 300, 7, 8, 40, 41});
}

TEST_CASE("a context shift of the latent cache moves the latents and re-rotates only the rotary keys")
{
    need_device();
    const auto model = Model::load(synth_model("deepseek-tiny", TensorType::F16));
    const ModelConfig& c = model->config();
    check_context_shift(*gpu(*model), std::size_t(c.kv_lora_rank + c.qk_rope_dim)); // the latent and the rotary key
}

// Greedy tokens of `backend` from a fixed prompt, and the logits of each step.
static std::vector<int32_t> greedy(Backend& backend, int n, std::vector<std::vector<float>>* steps = nullptr)
{
    const auto ctx = backend.new_context(256, 1, KvType::F16);
    const int V = backend.model().config().n_vocab;
    Batch batch;
    for (int32_t t : {1, 17, 230, 45, 99, 600, 7})
        batch.add(t, batch.size(), 0, batch.size() == 6);
    std::vector<float> logits;
    std::vector<int32_t> out;
    for (int i = 0; i < n; ++i) {
        ctx->forward(batch, logits);
        const int32_t next = seekbench::test::argmax(logits.data(), V);
        if (steps)
            steps->push_back(logits);
        out.push_back(next);
        const int pos = batch.pos.back() + 1;
        batch.clear();
        batch.add(next, pos, 0, true);
    }
    return out;
}

TEST_CASE("the first layers on the CPU, or the routed experts, give the tokens of the whole model on the GPU")
{
    need_device();
    for (const char* preset : {"deepseek-tiny", "qwen2moe-tiny"}) {
        const auto model = Model::load(synth_model(preset, TensorType::F16));
        const int L = model->config().n_layers;
        std::vector<std::vector<float>> all_steps;
        const auto whole = gpu(*model);
        CHECK(whole->placement().gpu_layers == L);
        CHECK(!whole->placement().experts_on_cpu);
        const std::vector<int32_t> expect = greedy(*whole, 48, &all_steps);
        struct Way {
            int gpu_layers;
            ExpertPlacement experts;
        };
        for (const Way& w : {Way{L - 1, ExpertPlacement::Auto}, Way{1, ExpertPlacement::Auto},
                             Way{-1, ExpertPlacement::Cpu}, Way{1, ExpertPlacement::Cpu}}) {
            cuda::CudaOptions o;
            o.gpu_layers = w.gpu_layers;
            o.experts = w.experts;
            o.cpu_threads = 2;
            const auto part = gpu(*model, o);
            const DevicePlacement p = part->placement();
            CHECK_EQ(p.gpu_layers, w.gpu_layers < 0 ? L : w.gpu_layers);
            CHECK_EQ(p.experts_on_cpu, w.experts == ExpertPlacement::Cpu);
            CHECK_MSG(part->describe().find("layers on the GPU") != std::string::npos, part->describe());
            std::vector<std::vector<float>> steps;
            CHECK_MSG(greedy(*part, 48, &steps) == expect, preset << ": " << part->describe());
            double worst = 0;
            for (std::size_t i = 0; i < steps.size(); ++i) {
                double diff = 0, norm = 0;
                for (std::size_t j = 0; j < steps[i].size(); ++j) {
                    diff += double(steps[i][j] - all_steps[i][j]) * double(steps[i][j] - all_steps[i][j]);
                    norm += double(all_steps[i][j]) * all_steps[i][j];
                }
                worst = std::max(worst, std::sqrt(diff / norm));
            }
            std::printf("    %s, %s: the same 48 tokens, logits within %.2g\n", preset, part->describe().c_str(), worst);
            CHECK(worst <= 5e-3);
        }
    }
}

#if defined(SEEKBENCH_CUDA_EMULATED)
TEST_CASE("a GPU short of memory gets the routed experts, then the last layers that fit")
{
    const auto model = Model::load(synth_model("deepseek-tiny", TensorType::F16));
    const int L = model->config().n_layers;
    const cuda::ModelBytes b = cuda::model_bytes(*model);
    std::size_t dense = b.output, experts = 0;
    for (int l = 0; l < L; ++l) {
        dense += b.layer[std::size_t(l)];
        experts += b.experts[std::size_t(l)];
    }
    REQUIRE(experts > 0);
    const std::size_t base = cudaemu::memory_in_use();
    auto open_with = [&](std::size_t room) {
        cudaemu::set_memory_limit(base + cuda::kGpuReserve + room);
        std::string why;
        auto backend = cuda::open_cuda(*model, 0, why);
        cudaemu::set_memory_limit(0);
        return std::make_pair(std::move(backend), why);
    };
    { // everything fits
        auto [backend, why] = open_with(dense + experts);
        REQUIRE_MSG(backend, why);
        CHECK_EQ(backend->placement().gpu_layers, L);
        CHECK(!backend->placement().experts_on_cpu);
        CHECK_EQ(backend->placement().gpu_bytes, dense + experts);
    }
    { // all but the experts
        auto [backend, why] = open_with(dense);
        REQUIRE_MSG(backend, why);
        CHECK_EQ(backend->placement().gpu_layers, L);
        CHECK(backend->placement().experts_on_cpu);
    }
    { // not even that: the last layers that fit, experts on the CPU
        auto [backend, why] = open_with(dense - b.layer[0]);
        REQUIRE_MSG(backend, why);
        CHECK_EQ(backend->placement().gpu_layers, L - 1);
        CHECK(backend->placement().experts_on_cpu);
        const auto ctx = backend->new_context(32, 1, KvType::F16);
        Batch one;
        one.add(1, 0, 0, true);
        std::vector<float> logits;
        ctx->forward(one, logits);
        CHECK_EQ(logits.size(), std::size_t(model->config().n_vocab));
    }
    { // nothing fits: refused with the figures
        auto [backend, why] = open_with(b.output / 2);
        CHECK(!backend);
        CHECK_MSG(why.find("out of GPU memory") != std::string::npos, why);
    }
    CHECK_EQ(cudaemu::memory_in_use(), base);
}
#endif
