// The profiler: attached, a forward pass is timed per operation and layer and moves the
// bytes its weights hold; detached, nothing is recorded; either way the logits are the same.
#include "engine/cpu/backend.h"
#include "engine/cpu/profile_run.h"
#include "engine/model.h"
#include "engine/profile.h"
#include "model_files.h"
#include "testing.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

using namespace seekbench;
using namespace seekbench::test;

TEST_CASE("a profiled forward pass accounts for every layer and every weight byte")
{
    for (const char* preset : {"llama-tiny", "deepseek-tiny"}) {
        const auto model = Model::load(tiny_model(preset, TensorType::Q8_0));
        CpuBackend cpu(*model, 2);
        const auto ctx = cpu.new_context(32, 1, KvType::F16);
        Batch batch;
        for (int i = 0; i < 8; ++i)
            batch.add(i + 3, i, 0, i == 7);
        std::vector<float> plain, profiled;
        ctx->forward(batch, plain);

        Profile p;
        cpu.device().set_profile(&p);
        ctx->forward(batch, profiled);
        cpu.device().set_profile(nullptr);
        CHECK(plain == profiled);

        std::set<int> layers;
        std::set<std::string> ops;
        uint64_t matmul_bytes = 0;
        for (const ProfileRow& r : p.rows()) {
            layers.insert(r.layer);
            ops.insert(r.op);
            CHECK(r.seconds >= 0 && r.calls > 0);
            if (r.op.rfind("matmul ", 0) == 0)
                matmul_bytes += r.bytes;
        }
        CHECK_EQ(static_cast<int>(layers.size()), model->config().n_layers + 1); // and -1: embedding, output
        for (const char* op : {"embedding", "norm", "attention", "rope + kv"})
            CHECK_MSG(ops.count(op), preset << ": no " << op);
        CHECK(p.total_seconds() > 0);
        // Each weight matrix is read once per pass (the router and every expert included):
        // at least the bytes of all 2-D tensors but the embedding table.
        uint64_t weights = 0;
        for (const GgufTensor& t : model->file().tensors())
            if (t.n_dims >= 2 && t.name != "token_embd.weight")
                weights += t.nbytes;
        CHECK_MSG(matmul_bytes >= weights / 2 && matmul_bytes <= 2 * weights,
                  preset << ": matmuls moved " << matmul_bytes << " bytes of " << weights);
        if (model->config().n_experts > 0)
            CHECK(ops.count("moe routing"));

        // A multiply and an add per weight and input row, on matmuls only: every layer's
        // matrices meet all 8 tokens (dense llama), the output matrix only the one with logits.
        std::map<int, uint64_t> flops;
        for (const ProfileRow& r : p.rows()) {
            if (r.op.rfind("matmul ", 0) != 0)
                CHECK_MSG(r.flops == 0, preset << ": " << r.op << " counts float operations");
            flops[r.layer] += r.flops;
        }
        if (model->config().n_experts == 0) {
            std::map<int, uint64_t> want;
            const GgufTensor* output = nullptr;
            for (const GgufTensor& t : model->file().tensors()) {
                int layer = -1;
                if (t.n_dims == 2 && std::sscanf(t.name.c_str(), "blk.%d.", &layer) == 1)
                    want[layer] += 2 * 8 * static_cast<uint64_t>(t.elements());
                if (t.name == "output.weight" || (!output && t.name == "token_embd.weight"))
                    output = &t;
            }
            REQUIRE(output);
            want[-1] = 2 * static_cast<uint64_t>(output->elements());
            CHECK_EQ(flops.size(), want.size());
            for (const auto& [layer, n] : want)
                CHECK_MSG(flops[layer] == n, preset << ": layer " << layer << " counts " << flops[layer] << " float operations, not " << n);
        } else {
            for (int layer = 0; layer < model->config().n_layers; ++layer)
                CHECK_MSG(flops[layer] > 0, preset << ": layer " << layer << " counts no float operations");
        }

        const std::size_t rows = p.rows().size();
        ctx->forward(batch, plain); // detached: nothing more recorded
        CHECK_EQ(p.rows().size(), rows);
    }
}

TEST_CASE("the multiply-add peak runs every chain of every lane, on every tier")
{
    for (const cpu::Kernels* k : cpu::runnable_kernels()) {
        CHECK_MSG(k->fma_lanes == 1 || k->fma_lanes == 8 || k->fma_lanes == 16, k->name << ": " << k->fma_lanes << " lanes");
        // No steps: the chains' start values, x + c in every lane.
        CHECK_MSG(k->fma_chains(0, 0.5f) == 72.0f * static_cast<float>(k->fma_lanes), k->name);
        // 1000 steps of v * 0.999999 + 1e-6 from x + c: each chain moves towards 1.
        const double decay = std::pow(0.999999, 1000);
        double want = 0;
        for (int c = 0; c < cpu::kFmaChains; ++c)
            want += 1.0 + (0.5 + c - 1.0) * decay;
        want *= k->fma_lanes;
        const double got = k->fma_chains(1000, 0.5f);
        CHECK_MSG(std::fabs(got - want) <= 1e-4 * want, k->name << ": " << got << " against " << want);

        CpuDevice device(2, k);
        const double gflops = fma_peak(device.pool(), *k);
        CHECK_MSG(std::isfinite(gflops) && gflops > 0, k->name << ": " << gflops << " GFLOP/s");
    }
}
