// The whole CUDA path, under the emulator (or on a GPU, built by nvcc): stories260K's
// published story token for token; the CPU's logits and top-1 over 1,000 positions on synth
// llama and qwen2 models in each format the GPU runs, prompt and decode; a decode step replayed from
// its CUDA graph; a context shift; traces; and the ways it refuses: an embedding model, a
// format it does not run, no device, an old driver, too little memory. MoE and MLA models:
// cuda_moe_test.cpp.
#include "cuda_testing.h"
#include "../engine/model_files.h"

#include "engine/cpu/backend.h"
#include "engine/cuda/backend.h"
#include "engine/model.h"
#include "engine/session.h"
#include "engine/synth.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

using namespace seekbench;
using seekbench::test::Agreement;
using seekbench::test::check_attention_traces;
using seekbench::test::check_context_shift;
using seekbench::test::gpu;
using seekbench::test::need_device;
using seekbench::test::published_stories_text;

namespace {

const std::string kModels = std::string(SEEKBENCH_SHARED_DIR) + "/models/";
const std::string kTmp = SEEKBENCH_TEST_TMP;

// llama and qwen2 shapes whose rows are whole k-quant blocks (256), so every format's
// kernels run, small enough for the emulator.
std::string synth_model(const std::string& preset, TensorType type)
{
    std::filesystem::create_directories(kTmp);
    const std::string path = kTmp + "/cuda-" + preset + "-" + type_name(type) + ".gguf";
    if (!std::filesystem::exists(path)) {
        SynthPreset p = *find_synth_preset(preset);
        p.name += "-256";
        p.dim = 256, p.n_heads = 4, p.n_kv_heads = 2, p.hidden_dim = 512, p.n_layers = 2, p.n_ctx = 2048;
        SynthOptions o;
        o.type = type;
        o.seed = 9;
        write_synth_model(p, o, path);
    }
    return path;
}

} // namespace

TEST_CASE("stories260K greedy from BOS on the GPU prints the published text")
{
    need_device();
    const std::string path = kModels + "stories260K/stories260K.gguf";
    if (!std::filesystem::exists(path))
        SKIP("../shared/models is not beside the repository");
    const auto model = Model::load(path);
    const auto backend = gpu(*model);
    CHECK(backend->kind() == DeviceKind::Cuda);
    CHECK_MSG(backend->describe().starts_with("CUDA "), backend->describe());
    Session session(*backend);
    SamplerParams greedy;
    greedy.temperature = 0;
    Sampler sampler(greedy);
    std::string text;
    const long long replays = cuda::graph_replays();
    const GenerateStats st = session.generate({model->tokenizer().bos()}, sampler, 256,
                                              [&](int32_t, const std::string& piece) {
                                                  text += piece;
                                                  return true;
                                              });
    CHECK_EQ(st.generated_tokens, 256);
    CHECK_MSG(text == published_stories_text(), "got\n" << text);
    CHECK(cuda::graph_replays() - replays >= 250); // every decode step but the first replays the graph
}

TEST_CASE("the GPU's logits and top-1 tokens agree with the CPU's over 1,000 positions, in each format")
{
    need_device();
    struct Format {
        TensorType type;
        double bound; // the logits' relative difference at most
    };
    const Format formats[] = {{TensorType::F32, 1e-4},  {TensorType::F16, 2e-3},  {TensorType::BF16, 1e-2},
                              {TensorType::Q8_0, 2e-2}, {TensorType::Q4_0, 3e-2}, {TensorType::Q5_0, 3e-2},
                              {TensorType::Q4_K, 3e-2},
                              {TensorType::Q5_K, 3e-2}, {TensorType::Q6_K, 3e-2}};
    for (const char* preset : {"llama-tiny", "qwen2-tiny"}) {
        for (const Format& f : formats) {
#if defined(SEEKBENCH_CUDA_EMULATED)
            // The emulator runs qwen2 (llama's kernels plus the projections' biases) in one
            // format of each kind, to keep the suite's longest test near a minute.
            if (std::string_view(preset) == "qwen2-tiny" && f.type != TensorType::F32 && f.type != TensorType::F16 &&
                f.type != TensorType::Q8_0 && f.type != TensorType::Q4_K)
                continue;
#endif
            const auto model = Model::load(synth_model(preset, f.type));
            const int V = model->config().n_vocab;
            CpuBackend cpu(*model, 2);
            const auto cuda = gpu(*model);
            // 976 positions as one prompt (the cuBLAS path, in chunks of the largest batch),
            // then 24 decode steps (the matvec kernels and the graph).
            Batch prompt;
            uint64_t rng = 77;
            for (int i = 0; i < 976; ++i) {
                rng = rng * 6364136223846793005ull + 1442695040888963407ull;
                prompt.add(static_cast<int32_t>((rng >> 33) % static_cast<uint64_t>(V)), i, 0, true);
            }
            const auto cctx = cpu.new_context(1024, 1, KvType::F16);
            const auto gctx = cuda->new_context(1024, 1, KvType::F16);
            std::vector<float> lc, lg;
            cctx->forward(prompt, lc);
            gctx->forward(prompt, lg);
            REQUIRE(lc.size() == lg.size());
            Agreement prompt_part{f.bound}, decode_part{f.bound};
            for (int i = 0; i < prompt.size(); ++i)
                prompt_part.add(&lc[std::size_t(i) * V], &lg[std::size_t(i) * V], V);
            for (int i = 0; i < 24; ++i) {
                Batch one;
                one.add(static_cast<int32_t>((i * 37 + 5) % V), prompt.size() + i, 0, true);
                cctx->forward(one, lc);
                gctx->forward(one, lg);
                decode_part.add(lc.data(), lg.data(), V);
            }
            const int positions = prompt_part.positions + decode_part.positions;
            const int exact = prompt_part.exact + decode_part.exact;
            const int decisive = prompt_part.decisive + decode_part.decisive;
            const int decisive_agree = prompt_part.decisive_agree + decode_part.decisive_agree;
            std::printf("    %s %s: top-1 %d/%d exact (prompt %d/%d, decode %d/%d), %d/%d where not a tie; "
                        "logits within %.2g (prompt) %.2g (decode)\n",
                        preset, type_name(f.type), exact, positions, prompt_part.exact, prompt_part.positions,
                        decode_part.exact, decode_part.positions, decisive_agree, decisive, prompt_part.worst_rel,
                        decode_part.worst_rel);
            CHECK_EQ(positions, 1000);
            CHECK_MSG((decisive - decisive_agree) * 1000 <= positions, preset << " " << type_name(f.type) << ": "
                                                                             << decisive - decisive_agree << " decisive misses");
            CHECK_MSG(decisive * 10 >= positions * 7, preset << " " << type_name(f.type) << ": too few decisive positions");
            CHECK_MSG(prompt_part.worst_rel <= f.bound && decode_part.worst_rel <= f.bound,
                      preset << " " << type_name(f.type) << ": logits differ by " << prompt_part.worst_rel << " / "
                             << decode_part.worst_rel);
        }
    }
}

TEST_CASE("a replayed decode step gives the same logits as one run step by step")
{
    need_device();
    const auto model = Model::load(synth_model("qwen2-tiny", TensorType::Q4_K));
    cuda::CudaOptions plain;
    plain.graphs = false;
    const auto with_graphs = gpu(*model), without = gpu(*model, plain);
    const auto a = with_graphs->new_context(64, 1, KvType::F16), b = without->new_context(64, 1, KvType::F16);
    const long long replays = cuda::graph_replays();
    std::vector<float> la, lb;
    for (int i = 0; i < 12; ++i) {
        Batch one;
        one.add(100 + i, i, 0, true);
        a->forward(one, la);
        b->forward(one, lb);
        CHECK_MSG(la == lb, "step " << i);
    }
    CHECK_EQ(cuda::graph_replays() - replays, 12);
}

TEST_CASE("a context shift on the GPU moves and re-rotates the cached keys")
{
    need_device();
    const auto model = Model::load(synth_model("llama-tiny", TensorType::F16));
    const ModelConfig& c = model->config();
    check_context_shift(*gpu(*model), std::size_t(c.n_kv_heads) * std::size_t(c.head_dim));
}

TEST_CASE("attention traces from the GPU equal the CPU's")
{
    need_device();
    const auto model = Model::load(synth_model("llama-tiny", TensorType::Q8_0));
    CpuBackend cpu(*model, 2);
    const auto cuda = gpu(*model);
    check_attention_traces(cpu, *cuda, 1, {1, 5, 9, 200, 300, 7, 8});
}

TEST_CASE("what the GPU cannot run is refused with the reason, and nothing is left behind")
{
    need_device();
    std::string why;
    const auto dense = Model::load(synth_model("llama-tiny", TensorType::Q8_0)); // runs: the baseline
    CHECK(cuda::open_cuda(*dense, 0, why) != nullptr);
    {
        SynthPreset p = *find_synth_preset("bert-tiny");
        SynthOptions o;
        o.type = TensorType::F32;
        const std::string path = kTmp + "/cuda-bert-tiny.gguf";
        write_synth_model(p, o, path);
        const auto m = Model::load(path);
        CHECK(cuda::open_cuda(*m, 0, why) == nullptr);
        CHECK_MSG(why.find("embedding model") != std::string::npos, why);
    }
    {
        // A format the CPU computes and no GPU kernel reads.
        const auto m = Model::load(seekbench::test::retyped_copy(synth_model("llama-tiny", TensorType::F16),
                                                                 "cuda-q3_k.gguf", "blk.0.ffn_down.weight",
                                                                 TensorType::Q3_K));
        CHECK(cuda::open_cuda(*m, 0, why) == nullptr);
        CHECK_MSG(why.find("q3_K weights") != std::string::npos, why);
    }
#if defined(SEEKBENCH_CUDA_EMULATED)
    const auto model = Model::load(synth_model("qwen2-tiny", TensorType::F16));
    cudaemu::set_memory_limit(1 << 20);
    CHECK(cuda::open_cuda(*model, 0, why) == nullptr);
    CHECK_MSG(why.find("out of GPU memory") != std::string::npos, why);
    cudaemu::set_memory_limit(0);
    CHECK_EQ(cudaemu::memory_in_use(), std::size_t(0));
    cudaemu::set_device_count(0);
    CHECK(cuda::open_cuda(*model, 0, why) == nullptr);
    CHECK_MSG(why.find("no CUDA-capable device") != std::string::npos, why);
    cudaemu::set_device_count(1);
    cudaemu::set_failure(cudaErrorInsufficientDriver);
    CHECK(cuda::open_cuda(*model, 0, why) == nullptr);
    CHECK_MSG(why.find("driver version is insufficient") != std::string::npos, why);
    cudaemu::set_failure(cudaSuccess);
    cudaGetLastError();
    CHECK(cuda::open_cuda(*model, 0, why) != nullptr); // and it recovers
    CHECK_EQ(cudaemu::memory_in_use(), std::size_t(0));
#endif
}
