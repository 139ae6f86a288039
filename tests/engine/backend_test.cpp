// The backend seam: picking a device (what is asked, what this machine has, and why not),
// and the CPU backend behind it: contexts of their own size, batches checked, shifts.
#include "model_files.h"
#include "testing.h"

#include "engine/backend.h"
#include "engine/cpu/backend.h"
#include "engine/device.h"
#include "engine/error.h"
#include "engine/synth.h"

#include <cstdlib>
#include <filesystem>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

using namespace seekbench;
using namespace seekbench::test;

TEST_CASE("devices are named cpu, cuda or auto")
{
    CHECK(parse_device("cpu") == DeviceChoice::Cpu);
    CHECK(parse_device("cuda") == DeviceChoice::Cuda);
    CHECK(parse_device("auto") == DeviceChoice::Auto);
    CHECK_THROWS_WITH(parse_device("gpu"), "cpu, cuda or auto");
}

TEST_CASE("the CPU when asked, and when CUDA cannot be had, with the reason")
{
    const auto model = Model::load(tiny_model("llama-tiny", TensorType::Q8_0));
    std::string note = "stale";
    BackendOptions cpu;
    cpu.device = DeviceChoice::Cpu;
    cpu.threads = 1;
    auto b = open_backend(*model, cpu, &note);
    CHECK(b->kind() == DeviceKind::Cpu);
    CHECK(note.empty());
    CHECK_MSG(b->describe().find("1 threads") != std::string::npos, b->describe());
    CHECK(&b->model() == model.get());

    const CudaProbe probe = probe_cuda();
    if (probe.available)
        SKIP("this machine has a CUDA device: the fallback is tested where there is none");
    BackendOptions cuda;
    cuda.device = DeviceChoice::Cuda;
    b = open_backend(*model, cuda, &note);
    CHECK(b->kind() == DeviceKind::Cpu);
    CHECK_MSG(note.find(probe.reason) == 0 && note.find("running on the CPU") != std::string::npos, note);
    // Auto says nothing when there is simply no GPU.
    BackendOptions any;
    b = open_backend(*model, any, &note);
    CHECK(b->kind() == DeviceKind::Cpu);
    CHECK(note.empty());
}

TEST_CASE("a CPU context runs batches it can hold and refuses the rest")
{
    const auto model = Model::load(tiny_model("qwen2-tiny", TensorType::F16));
    BackendOptions o;
    o.device = DeviceChoice::Cpu;
    o.threads = 2;
    const auto backend = open_backend(*model, o);
    const auto ctx = backend->new_context(16, 2, KvType::F16);
    CHECK_EQ(ctx->n_ctx(), 16);
    CHECK_EQ(ctx->n_seq(), 2);
    CHECK(ctx->bytes() > 0);
    Batch b;
    for (int i = 0; i < 4; ++i)
        b.add(10 + i, i, 1, i == 3);
    std::vector<float> logits;
    ctx->forward(b, logits);
    CHECK_EQ(logits.size(), static_cast<std::size_t>(model->config().n_vocab));
    Batch far;
    far.add(1, 16, 0, true);
    CHECK_THROWS_WITH(ctx->forward(far, logits), "outside the context of 16");
    CHECK_THROWS_WITH(backend->new_context(0, 1, KvType::F16), "at least one position");
    // A shift moves the keys down: what was at position 3 is now at 1, re-rotated.
    const std::vector<float> before = ctx->cached_key(0, 1, 3);
    ctx->shift(1, 1, 2, 4);
    const std::vector<float> after = ctx->cached_key(0, 1, 1);
    REQUIRE(before.size() == after.size());
    bool moved = false;
    for (std::size_t i = 0; i < before.size(); ++i)
        moved = moved || before[i] != after[i];
    CHECK(moved); // rotated by two positions, so not the same numbers
}


// Tokens through a context: a prompt of 20 (the GEMM's size), three single tokens, a batch
// of three; every step's logits.
std::vector<std::vector<float>> run_steps(Backend& backend)
{
    const auto ctx = backend.new_context(32, 1, KvType::F16);
    std::vector<std::vector<float>> out;
    int pos = 0;
    for (int n : {20, 1, 1, 1, 3}) {
        Batch b;
        for (int i = 0; i < n; ++i, ++pos)
            b.add(5 + (pos * 37) % 900, pos, 0, i == n - 1);
        out.emplace_back();
        ctx->forward(b, out.back());
    }
    return out;
}

// A tiny preset made 256 wide, so its matrices hold Q4_K rows (a tiny one's 64 values fall
// back to Q5_0): dense, MoE (experts as 3-D weights) and MLA.
std::string wide_tiny_model(const std::string& preset, TensorType type)
{
    const std::string path = temp_path(preset + "-wide-" + type_name(type) + ".gguf");
    if (!std::filesystem::exists(path)) {
        SynthPreset p = *find_synth_preset(preset);
        p.name += "-wide";
        p.dim = 256;
        p.hidden_dim = 512;
        p.expert_hidden = p.expert_hidden ? 256 : 0;
        p.shared_hidden = p.shared_hidden ? 256 : 0;
        SynthOptions o;
        o.type = type;
        o.seed = 7;
        o.threads = 1;
        write_synth_model(p, o, path);
    }
    return path;
}

TEST_CASE("weights packed at load give the bits of the file's layout")
{
    // F16/BF16, Q4_K, Q6_K and Q8_0 on every x86 tier. qwen2-tiny ties its output matrix to
    // the token embedding: once packed, its embedding rows come from the packed copy.
    struct Case {
        const char* preset;
        TensorType type;
    };
    std::vector<Case> cases;
    for (const char* preset : {"qwen2-tiny", "qwen2moe-tiny", "deepseek-tiny"})
        for (TensorType type : {TensorType::F16, TensorType::BF16, TensorType::Q4_K, TensorType::Q6_K, TensorType::Q8_0})
            cases.push_back({preset, type});
    for (const Case& c : cases) {
        const bool wide = c.type == TensorType::Q4_K || c.type == TensorType::Q6_K;
        const auto model = Model::load(wide ? wide_tiny_model(c.preset, c.type) : tiny_model(c.preset, c.type));
        for (const cpu::Kernels* k : cpu::runnable_kernels()) {
            if (!k->gemm[static_cast<int>(c.type)].group_rows)
                continue;
            const CpuTier tier{k, false};
            CpuBackend packed(*model, 2, tier);
            REQUIRE_MSG(packed.packed() && !packed.packed()->weights().empty(), c.preset << " " << k->name);
            int of_type = 0;
            for (const cpu::WeightView& w : packed.packed()->weights())
                of_type += w.type == c.type;
            CHECK_MSG(of_type > 0, c.preset << " " << type_name(c.type) << " " << k->name);
            const auto during = run_steps(packed); // some weights packed by now, maybe all
            packed.wait_for_background_work(60);
            REQUIRE(packed.packed()->done());
            CHECK_MSG(packed.describe().find("of weights packed") != std::string::npos, packed.describe());
            const auto with = run_steps(packed);
            CHECK(during == with);
            setenv("SEEKBENCH_PACK_WEIGHTS", "0", 1);
            CpuBackend plain(*model, 2, tier);
            unsetenv("SEEKBENCH_PACK_WEIGHTS");
            CHECK(!plain.packed());
            const auto without = run_steps(plain);
            CHECK_MSG(with == without, c.preset << " " << type_name(c.type) << " " << k->name);
            // The file's pages given back are read again where the file's layout is wanted.
            CHECK(run_steps(packed) == with);
        }
    }
}

TEST_CASE("weights packed at load leave the page cache")
{
    // The copy in anonymous memory is the only one: the file's pages of a packed weight leave
    // the page cache (mincore sees them go) once the file is on disk (written-back pages
    // only: the kernel does not write a dirty page to drop it). A file of this test's own: the
    // shared test model may be mapped by another test running beside it, and pages another
    // process maps stay (CI's sanitizer run saw the tensor fully resident after packing).
    const std::string path = temp_path("page-cache-qwen2-tiny-f16.gguf");
    std::filesystem::copy_file(tiny_model("qwen2-tiny", TensorType::F16), path,
                               std::filesystem::copy_options::overwrite_existing);
    {
        const int fd = ::open(path.c_str(), O_RDONLY);
        REQUIRE(fd >= 0);
        fdatasync(fd);
        ::close(fd);
    }
    struct statfs fs {};
    if (statfs(path.c_str(), &fs) == 0 && fs.f_type == TMPFS_MAGIC) { // memory is its only place
        std::printf("    skipped: %s is on tmpfs\n", path.c_str());
        return;
    }
    const auto model = Model::load(path);
    const GgufTensor* t = model->file().find_tensor("blk.0.ffn_down.weight");
    REQUIRE(t != nullptr);
    const auto resident = [&] { // share of the tensor's whole pages in the page cache
        const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
        const auto from = (reinterpret_cast<std::uintptr_t>(t->data) + page - 1) / page * page;
        const auto to = (reinterpret_cast<std::uintptr_t>(t->data) + t->nbytes) / page * page;
        std::vector<unsigned char> in((to - from) / page);
        REQUIRE(mincore(reinterpret_cast<void*>(from), to - from, in.data()) == 0);
        std::size_t n = 0;
        for (unsigned char c : in)
            n += c & 1;
        return in.empty() ? 0.0 : static_cast<double>(n) / static_cast<double>(in.size());
    };
    volatile uint8_t sink = 0;
    for (std::size_t i = 0; i < t->nbytes; i += 512)
        sink = sink + t->data[i]; // in the page cache now
    CHECK(resident() == 1.0);
    const cpu::Kernels* tier = nullptr;
    for (const cpu::Kernels* k : cpu::runnable_kernels())
        if (k->gemm[static_cast<int>(TensorType::F16)].group_rows)
            tier = k;
    REQUIRE(tier != nullptr);
    CpuBackend packed(*model, 2, CpuTier{tier, false});
    REQUIRE(packed.packed());
    packed.wait_for_background_work(60);
    REQUIRE(packed.packed()->done());
    CHECK_MSG(resident() == 0.0, "resident after packing: " << resident());
}

#if defined(SEEKBENCH_CUDA_PLUGIN)
#include "engine/cuda_loader.h"

#include <dlfcn.h>

TEST_CASE("the CUDA plugin loads, and without a device refuses with the reason")
{
    if (probe_cuda().available)
        SKIP("this machine has a CUDA device: cuda_backend_gpu_test runs the plugin's backend");
    void* handle = dlopen(SEEKBENCH_CUDA_PLUGIN, RTLD_NOW | RTLD_LOCAL);
    REQUIRE_MSG(handle, dlerror());
    const auto open = reinterpret_cast<CudaOpenFn>(dlsym(handle, kCudaOpenSymbol));
    REQUIRE(open);
    const auto model = Model::load(tiny_model("llama-tiny", TensorType::F16));
    char why[512] = "";
    const BackendOptions options;
    std::unique_ptr<Backend> backend(open(*model, options, why, sizeof why));
    CHECK(!backend);
    CHECK_MSG(std::string(why).starts_with("no CUDA device: "), why);
    // A mixture of experts reaches the device check too; a format it does not run says that
    // first, device or not.
    const auto moe = Model::load(tiny_model("qwen2moe-tiny", TensorType::F16));
    CHECK(open(*moe, options, why, sizeof why) == nullptr);
    CHECK_MSG(std::string(why).starts_with("no CUDA device: "), why);
    SynthPreset wide = *find_synth_preset("llama-tiny"); // rows of 256: k-quant blocks fit
    wide.dim = 256, wide.hidden_dim = 256;
    SynthOptions f16;
    f16.type = TensorType::F16;
    const std::string plain = temp_path("backend-wide-f16.gguf");
    write_synth_model(wide, f16, plain);
    // A format the CPU computes and no GPU kernel reads.
    const auto unrun = Model::load(retyped_copy(plain, "backend-q3_k.gguf", "blk.0.ffn_down.weight", TensorType::Q3_K));
    CHECK(open(*unrun, options, why, sizeof why) == nullptr);
    CHECK_MSG(std::string(why).find("q3_K weights") != std::string::npos, why);
}
#endif
