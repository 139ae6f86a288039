// The built-in model (resources/models, a trained deepseek2: MLA, shared and routed experts,
// Q8_0) on the CUDA path, under the emulator (or on a GPU, built by nvcc): its held-out loss
// over the whole held-out text, against the figure its card states for the CPU engine.
#include "cuda_testing.h"

#include "engine/builtin_model.h"
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

TEST_CASE("the built-in model's held-out loss on the GPU is its card's figure within 0.1%")
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
    const auto tokens = model->tokenizer().encode(slurp(path.substr(0, path.rfind('/')) + "/heldout.txt"), false, true);
    const LossResult r = mean_loss(*cuda, tokens, window);
    std::printf("    held-out loss on the GPU path: %.4f over %lld tokens (the card: %.4f)\n", r.mean_nll, r.predicted, stated);
    CHECK_MSG(std::abs(r.mean_nll - stated) <= 0.001 * stated, "loss " << r.mean_nll << " vs the card's " << stated);
}
