// The built-in model (resources/models, a trained deepseek2: MLA, shared and routed experts,
// Q8_0) on the CUDA path, under the emulator (or on a GPU, built by nvcc): its held-out loss
// against the CPU engine's over the same tokens, and on a GPU over the whole held-out text
// against the figure its card states for the CPU engine (the emulator reads the first
// quarter: the whole text takes it two minutes).
#include "cuda_testing.h"

#include "engine/builtin_model.h"
#include "engine/cpu/backend.h"
#include "engine/cuda/backend.h"
#include "engine/model.h"
#include "engine/perplexity.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

using namespace seekbench;
using seekbench::test::gpu;
using seekbench::test::need_device;

namespace {

std::string slurp(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

} // namespace

TEST_CASE("the built-in model's held-out loss on the GPU is the CPU's and its card's figure within 0.1%")
{
    need_device();
    const std::string path = builtin_model_path();
    if (path.empty())
        SKIP("the built-in model is not installed beside the tests");
    const auto model = Model::load(path);
    const auto cuda = gpu(*model);
    std::smatch m;
    const std::string text = slurp(path.substr(0, path.rfind('.')) + ".json");
    REQUIRE(std::regex_search(text, m, std::regex("\"heldout_loss_engine_q8_0\":\\s*([0-9.]+)")));
    const double stated = std::stod(m[1]);
    REQUIRE(std::regex_search(text, m, std::regex("\"seq\":\\s*([0-9]+)")));
    const int window = std::stoi(m[1]);
    auto tokens = model->tokenizer().encode(slurp(path.substr(0, path.rfind('/')) + "/heldout.txt"), false, true);
#if defined(SEEKBENCH_CUDA_EMULATED)
    tokens.resize(tokens.size() / 4);
    const bool whole = false;
#else
    const bool whole = true;
#endif
    const LossResult r = mean_loss(*cuda, tokens, window);
    CpuBackend cpu(*model, 2);
    const LossResult c = mean_loss(cpu, tokens, window);
    std::printf("    held-out loss on the GPU path: %.4f over %lld tokens (the CPU: %.4f; the card, whole text: %.4f)\n",
                r.mean_nll, r.predicted, c.mean_nll, stated);
    CHECK_EQ(r.predicted, c.predicted);
    CHECK_MSG(std::abs(r.mean_nll - c.mean_nll) <= 0.001 * c.mean_nll, "loss " << r.mean_nll << " vs the CPU's " << c.mean_nll);
    if (whole)
        CHECK_MSG(std::abs(r.mean_nll - stated) <= 0.001 * stated, "loss " << r.mean_nll << " vs the card's " << stated);
}
