// Mixture-of-experts and latent-attention models: every MoE architecture on tiny synth
// models against the float64 reference; MLA absorbed against expanded; routing
// invariants; traces equal to what the reference computes, and free when off; broken
// files name the key or tensor at fault.
#include "engine/arch/ffn.h"
#include "engine/cpu/backend.h"
#include "engine/error.h"
#include "engine/forward.h"
#include "engine/model.h"
#include "engine/session.h"
#include "model_files.h"
#include "reference.h"
#include "testing.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

using namespace seekbench;
using namespace seekbench::test;

namespace {

const char* kPresets[] = {"deepseek-tiny", "deepseek-tiny-kvb", "qwen2moe-tiny", "qwen3moe-tiny", "mixtral-tiny"};

std::vector<int32_t> some_tokens(const Model& m, int n)
{
    std::vector<int32_t> t;
    for (int i = 0; static_cast<int>(t.size()) < n; ++i)
        t.push_back((i * 7919 + 13) % m.config().n_vocab);
    return t;
}

std::vector<float> run_logits(const Model& model, CpuDevice& cpu, const std::vector<int32_t>& tokens, bool expanded,
                              Trace* trace = nullptr, KvType kv = KvType::F32)
{
    KvCache cache = make_kv_cache(model.config(), 64, 1, kv);
    ForwardState st;
    st.mla_expanded = expanded;
    Batch b;
    for (std::size_t i = 0; i < tokens.size(); ++i)
        b.add(tokens[i], static_cast<int32_t>(i), 0, true);
    std::vector<float> logits;
    forward_cpu(model, cpu, cache, b, st, logits, trace);
    return logits;
}

} // namespace

TEST_CASE("each MoE architecture against float64, batched and token by token")
{
    // F32 weights: only float summation and the F16/F32 cache differ from the reference.
    // Q8_0: 8-bit activations in the integer dot products, as for dense models.
    for (const char* preset : kPresets) {
        for (TensorType type : {TensorType::F32, TensorType::Q8_0}) {
            const auto model = Model::load(tiny_model(preset, type));
            CpuBackend cpu(*model, 2);
            const auto tokens = some_tokens(*model, 20);
            const double bound = type == TensorType::F32 ? 2e-3 : 3e-2;
            // Where the reference's routing is a near tie, it follows the engine's choice
            // (each way of running has its own rounding, so its own hint). With 8-bit
            // activations the router's inputs are ~1% off, which moves sigmoid scores by
            // ~0.01 and a group's strength by twice that: "near" is 0.05 there.
            auto reference_for = [&](const Trace& t) {
                RoutingHint hint;
                hint.tie = type == TensorType::F32 ? 1e-3 : 5e-2;
                hint.experts.assign(static_cast<std::size_t>(model->config().n_layers), {});
                for (const RoutingRecord& r : t.routing)
                    hint.experts[static_cast<std::size_t>(r.layer)].push_back(r.experts);
                return reference_logits(*model, tokens, nullptr, &hint);
            };
            Trace t1, t2;
            t1.options.routing = t2.options.routing = true;
            Session batched(cpu);
            batched.set_trace(&t1);
            const float* bl = batched.eval(tokens);
            const std::vector<float> batched_logits(bl, bl + model->config().n_vocab);
            const double e1 = rel_error(batched_logits.data(), reference_for(t1).back());
            Session step(cpu);
            step.set_trace(&t2);
            std::vector<std::vector<float>> step_logits;
            const float* l0 = step.eval({tokens[0]});
            step_logits.emplace_back(l0, l0 + model->config().n_vocab);
            for (std::size_t i = 1; i < tokens.size(); ++i) {
                const float* li = step.eval_next(tokens[i]);
                step_logits.emplace_back(li, li + model->config().n_vocab);
            }
            const auto ref = reference_for(t2);
            double worst = 0;
            for (std::size_t i = 0; i < tokens.size(); ++i)
                worst = std::max(worst, rel_error(step_logits[i].data(), ref[i]));
            std::printf("    %-18s %-4s batched %.2e, stepwise %.2e\n", preset, type_name(type), e1, worst);
            CHECK_MSG(e1 < bound, preset << " " << type_name(type) << " batched " << e1);
            CHECK_MSG(worst < bound, preset << " " << type_name(type) << " stepwise " << worst);
        }
    }
}

TEST_CASE("MLA: absorbed and expanded attention give the same logits")
{
    for (const char* preset : {"deepseek-tiny", "deepseek-tiny-kvb"}) {
        const auto model = Model::load(tiny_model(preset, TensorType::F32));
        CpuBackend cpu(*model, 2);
        CHECK(model->config().is_mla());
        const auto tokens = some_tokens(*model, 12);
        const auto absorbed = run_logits(*model, cpu.device(), tokens, false);
        const auto expanded = run_logits(*model, cpu.device(), tokens, true);
        double num = 0, den = 0;
        for (std::size_t i = 0; i < absorbed.size(); ++i) {
            num += (absorbed[i] - expanded[i]) * (absorbed[i] - expanded[i]);
            den += expanded[i] * expanded[i];
        }
        CHECK_MSG(std::sqrt(num / den) < 1e-5, preset << ": " << std::sqrt(num / den));
        // The cache holds the latent and the rotary key only: 576 per token for V2/V3 shapes.
        const ModelConfig& c = model->config();
        CHECK_EQ(make_kv_cache(c, 8, 1, KvType::F16).k_dim(), int64_t(c.kv_lora_rank + c.qk_rope_dim));
        CHECK_EQ(make_kv_cache(c, 8, 1, KvType::F16).v_dim(), int64_t(0));
    }
}

TEST_CASE("routing invariants")
{
    std::mt19937 rng(9);
    std::normal_distribution<float> normal(0.0f, 2.0f);
    ModelConfig c;
    c.n_experts = 32;
    c.n_experts_used = 6;
    for (int variant = 0; variant < 4; ++variant) {
        c.gating = variant % 2 ? Gating::Sigmoid : Gating::Softmax;
        c.n_expert_groups = variant >= 2 ? 8 : 1;
        c.n_expert_groups_used = variant >= 2 ? 3 : 1;
        c.expert_weights_norm = variant % 2 == 1;
        c.expert_weights_scale = variant == 3 ? 2.5f : 1.0f;
        for (int trial = 0; trial < 200; ++trial) {
            std::vector<float> logits(32), bias(32), scores(32), weights(6), nobias_w(6);
            std::vector<int> experts(6), nobias(6);
            for (int e = 0; e < 32; ++e) {
                logits[static_cast<std::size_t>(e)] = normal(rng);
                bias[static_cast<std::size_t>(e)] = 0.3f * normal(rng);
            }
            route(c, logits.data(), bias.data(), scores.data(), experts.data(), weights.data());
            route(c, logits.data(), nullptr, scores.data(), nobias.data(), nobias_w.data());
            CHECK_EQ(std::set<int>(experts.begin(), experts.end()).size(), std::size_t(6)); // exactly k, distinct
            std::set<int> groups;
            for (int e : experts)
                groups.insert(e / (32 / c.n_expert_groups));
            CHECK(static_cast<int>(groups.size()) <= c.n_expert_groups_used);
            double sum = 0;
            for (int i = 0; i < 6; ++i) { // weights are the unbiased scores of the chosen
                const double expect = scores[static_cast<std::size_t>(experts[static_cast<std::size_t>(i)])];
                sum += weights[static_cast<std::size_t>(i)];
                if (!c.expert_weights_norm)
                    CHECK(std::fabs(weights[static_cast<std::size_t>(i)] - expect * c.expert_weights_scale) < 1e-6);
            }
            if (c.expert_weights_norm)
                CHECK(std::fabs(sum - c.expert_weights_scale) < 1e-5);
            // The same against the double-precision reference.
            std::vector<double> rw;
            const std::vector<int> ref = reference_route(c, std::vector<double>(logits.begin(), logits.end()),
                                                         std::vector<double>(bias.begin(), bias.end()), rw);
            CHECK(ref == experts);
        }
    }
    // The bias changes which experts are chosen, never their weights' source: with a large
    // bias on expert 31, it is chosen, and its weight is its unbiased score.
    c.gating = Gating::Sigmoid;
    c.n_expert_groups = 1;
    c.expert_weights_norm = false;
    c.expert_weights_scale = 1.0f;
    std::vector<float> logits(32, 0.0f), bias(32, 0.0f), scores(32), w(6);
    std::vector<int> e(6);
    logits[31] = -5.0f;
    bias[31] = 10.0f;
    route(c, logits.data(), bias.data(), scores.data(), e.data(), w.data());
    CHECK_EQ(e[0], 31);
    CHECK(std::fabs(w[0] - 1.0f / (1.0f + std::exp(5.0f))) < 1e-6);
}

TEST_CASE("traces equal what the reference computes, and cost nothing when off")
{
    for (const char* preset : {"deepseek-tiny", "qwen2moe-tiny", "mixtral-tiny"}) {
        const auto model = Model::load(tiny_model(preset, TensorType::F32));
        CpuBackend cpu(*model, 2);
        const ModelConfig& c = model->config();
        const auto tokens = some_tokens(*model, 10);
        RefTrace ref;
        reference_logits(*model, tokens, &ref);
        Trace trace;
        trace.options.attention = true;
        trace.options.routing = true;
        trace.options.layers = {0, c.n_layers - 1};
        trace.options.heads = {1};
        const auto traced = run_logits(*model, cpu.device(), tokens, false, &trace);
        const auto plain = run_logits(*model, cpu.device(), tokens, false, nullptr);
        CHECK_MSG(traced == plain, preset << ": tracing changed the logits");
        CHECK(trace.tokens == std::vector<int>(tokens.begin(), tokens.end()));
        // Attention: exactly the layers and heads asked for, every query, rows summing to 1.
        CHECK_EQ(trace.attention.size(), std::size_t(2));
        double worst = 0;
        for (const AttentionMap& m : trace.attention) {
            CHECK(m.head == 1 && (m.layer == 0 || m.layer == c.n_layers - 1));
            REQUIRE(m.probs.size() == tokens.size());
            for (std::size_t q = 0; q < tokens.size(); ++q) {
                REQUIRE(m.probs[q].size() == q + 1);
                const auto& expect = ref.attention[static_cast<std::size_t>(m.layer)][q][1];
                for (std::size_t key = 0; key <= q; ++key)
                    worst = std::max(worst, std::fabs(m.probs[q][key] - expect[key]));
            }
        }
        CHECK_MSG(worst < 1e-4, preset << ": attention differs from the reference by " << worst);
        // Routing: every MoE layer and token, the reference's experts and weights.
        int moe_layers = 0;
        for (int l = 0; l < c.n_layers; ++l)
            moe_layers += c.layer_is_moe(l) ? 1 : 0;
        CHECK_EQ(trace.routing.size(), static_cast<std::size_t>(moe_layers) * tokens.size());
        for (const RoutingRecord& r : trace.routing) {
            const RefRouting& expect = ref.routing[static_cast<std::size_t>(r.layer)][static_cast<std::size_t>(r.pos)];
            CHECK_MSG(r.experts == expect.experts, preset << " layer " << r.layer << " token " << r.pos);
            for (std::size_t i = 0; i < r.weights.size() && i < expect.weights.size(); ++i)
                CHECK(std::fabs(r.weights[i] - expect.weights[i]) < 1e-4);
            CHECK_EQ(r.scores.size(), static_cast<std::size_t>(c.n_experts));
            CHECK_EQ(r.shared_gate >= 0, c.shared_expert_gate);
        }
        int total = 0;
        for (int l = 0; l < c.n_layers; ++l) {
            const ExpertLoad load = expert_load(trace, l);
            CHECK_EQ(load.tokens, c.layer_is_moe(l) ? static_cast<int>(tokens.size()) : 0);
            total += load.total();
            if (load.tokens > 0) { // the relative load averages to 1 over the experts
                double mean = 0;
                for (double r : load.relative(c.n_experts_used))
                    mean += r / c.n_experts;
                CHECK(std::fabs(mean - 1.0) < 1e-9);
                CHECK(load.entropy_bits() <= std::log2(c.n_experts) + 1e-9);
            }
        }
        CHECK_EQ(total, moe_layers * static_cast<int>(tokens.size()) * c.n_experts_used);
        CHECK(trace_json(trace).find("\"routing\":[{\"layer\":") != std::string::npos);
    }
}

TEST_CASE("inconsistent MoE files name the key or tensor")
{
    const std::string good = tiny_model("deepseek-tiny", TensorType::Q8_0);
    struct Bad {
        const char* name;
        Tamper tamper;
        const char* needle;
    };
    const std::vector<Bad> cases = {
        {"k.gguf", {"", "", "", [](GgufWriter& w) { w.add_u32("deepseek2.expert_used_count", 17); }}, "deepseek2.expert_used_count"},
        {"groups.gguf", {"", "", "", [](GgufWriter& w) { w.add_u32("deepseek2.expert_group_count", 3); }}, "deepseek2.expert_group_count"},
        {"groups-used.gguf", {"", "", "", [](GgufWriter& w) {
             w.add_u32("deepseek2.expert_group_count", 8); // 2 experts per group, 1 group: fewer than k = 4
             w.add_u32("deepseek2.expert_group_used_count", 1);
         }}, "group-limited routing cannot be met"},
        {"gating.gguf", {"", "", "", [](GgufWriter& w) { w.add_u32("deepseek2.expert_gating_func", 7); }}, "deepseek2.expert_gating_func"},
        {"no-experts.gguf", {"", "blk.2.ffn_up_exps.weight", "", {}}, "blk.2.ffn_up_exps.weight"},
        {"shape.gguf", {"", "", "blk.1.ffn_down_exps.weight", {}}, "blk.1.ffn_down_exps.weight"},
        {"no-latent.gguf", {"", "blk.0.attn_kv_a_mqa.weight", "", {}}, "blk.0.attn_kv_a_mqa.weight"},
        {"no-lora.gguf", {"deepseek2.attention.kv_lora_rank", "", "", {}}, "deepseek2.attention.kv_lora_rank"},
    };
    for (const Bad& c : cases)
        CHECK_THROWS_WITH(Model::load(tampered_copy(good, c.name, c.tamper)), c.needle);
}
