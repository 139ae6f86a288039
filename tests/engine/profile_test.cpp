// The profiler: attached, a forward pass is timed per operation and layer and moves the
// bytes its weights hold; detached, nothing is recorded; either way the logits are the same.
#include "engine/cpu/backend.h"
#include "engine/model.h"
#include "engine/profile.h"
#include "model_files.h"
#include "testing.h"

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

        const std::size_t rows = p.rows().size();
        ctx->forward(batch, plain); // detached: nothing more recorded
        CHECK_EQ(p.rows().size(), rows);
    }
}
