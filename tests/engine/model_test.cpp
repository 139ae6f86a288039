// Whole models. The real-model oracle: stories260K (../shared/models) greedy from BOS must
// print llama2.c's published text exactly. Synth llama and qwen2 models in each format
// against the float64 reference, batched and token by token. Broken files name the fault.
#include "engine/cpu/backend.h"
#include "engine/error.h"
#include "engine/map_prefetch.h"
#include "engine/mapped_file.h"
#include "engine/model.h"
#include "engine/session.h"
#include "model_files.h"
#include "reference.h"
#include "testing.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

using namespace seekbench;
using namespace seekbench::test;

namespace {

const std::string kModels = std::string(SEEKBENCH_SHARED_DIR) + "/models/";

std::vector<int32_t> some_tokens(const Model& m, int n)
{
    std::vector<int32_t> t;
    if (m.tokenizer().adds_bos())
        t.push_back(m.tokenizer().bos());
    for (int i = 0; static_cast<int>(t.size()) < n; ++i)
        t.push_back((i * 7919 + 13) % m.config().n_vocab);
    return t;
}

} // namespace

TEST_CASE("stories260K greedy from BOS prints the published text")
{
    const std::string path = kModels + "stories260K/stories260K.gguf";
    if (!std::filesystem::exists(path))
        SKIP("../shared/models is not beside the repository");
    const auto model = Model::load(path);
    CHECK_EQ(model->config().n_layers, 5);
    CHECK_EQ(model->config().n_kv_heads, 4);
    for (int threads : {1, 2}) {
        CpuBackend cpu(*model, threads);
        Session session(cpu);
        SamplerParams greedy;
        greedy.temperature = 0;
        Sampler sampler(greedy);
        std::string text;
        const GenerateStats st = session.generate({model->tokenizer().bos()}, sampler, 256,
                                                  [&](int32_t, const std::string& piece) {
                                                      text += piece;
                                                      return true;
                                                  });
        CHECK_EQ(st.generated_tokens, 256);
        CHECK_MSG(text == published_stories_text(), threads << " threads: got\n" << text);
    }
}

TEST_CASE("stories260K logits against the float64 reference")
{
    const std::string path = kModels + "stories260K/stories260K.gguf";
    if (!std::filesystem::exists(path))
        SKIP("../shared/models is not beside the repository");
    const auto model = Model::load(path);
    const auto tokens = model->tokenizer().encode("Once upon a time, there was a big dog.", true);
    const auto ref = reference_logits(*model, tokens);
    CpuBackend cpu(*model, 2);
    for (KvType kv : {KvType::F32, KvType::F16}) {
        SessionOptions o;
        o.kv_type = kv;
        Session s(cpu, o);
        const float* logits = s.eval(tokens);
        const double err = rel_error(logits, ref.back());
        // F32 weights and activations: only summation order differs; F16 keys/values: 2^-11.
        CHECK_MSG(err < (kv == KvType::F32 ? 1e-5 : 2e-3), "kv " << (kv == KvType::F32 ? "f32" : "f16") << ": " << err);
    }
}

TEST_CASE("synth llama and qwen2 models in each format against float64")
{
    struct Bound {
        TensorType type;
        double token_by_token, batched; // relative error of the logits
    };
    // Token by token: integer dot products with 8-bit activations (F32/F16/BF16: float).
    // Batched (>= 16 tokens): AMX tiles in bf16 where the CPU has them.
    const Bound bounds[] = {{TensorType::F32, 2e-3, 2e-3},  {TensorType::F16, 2e-3, 2e-2},
                            {TensorType::Q8_0, 2e-2, 3e-2}, {TensorType::Q4_K, 2e-2, 3e-2},
                            {TensorType::Q6_K, 2e-2, 3e-2}, {TensorType::Q4_0, 2e-2, 3e-2},
                            {TensorType::Q5_K, 2e-2, 3e-2}, {TensorType::Q5_0, 2e-2, 3e-2},
                            {TensorType::Q5_1, 2e-2, 3e-2}, {TensorType::Q4_1, 2e-2, 3e-2}};
    for (const char* preset : {"llama-tiny", "qwen2-tiny"}) {
        for (const Bound& b : bounds) {
            const auto model = Model::load(tiny_model(preset, b.type));
            CpuBackend cpu(*model, 2);
            const std::vector<int32_t> tokens = some_tokens(*model, 24);
            const auto ref = reference_logits(*model, tokens);
            // Batched: the whole prompt in one forward pass.
            Session batched(cpu);
            const double err_batched = rel_error(batched.eval(tokens), ref.back());
            CHECK_MSG(err_batched < b.batched, preset << " " << type_name(b.type) << " batched: " << err_batched);
            // Token by token, checking every position.
            Session stepwise(cpu);
            double worst = 0;
            const float* logits = stepwise.eval({tokens[0]});
            worst = std::max(worst, rel_error(logits, ref[0]));
            for (std::size_t i = 1; i < tokens.size(); ++i)
                worst = std::max(worst, rel_error(stepwise.eval_next(tokens[i]), ref[i]));
            CHECK_MSG(worst < b.token_by_token, preset << " " << type_name(b.type) << " stepwise: " << worst);
            std::printf("    %-10s %-5s batched %.2e, stepwise %.2e\n", preset, type_name(b.type), err_batched, worst);
        }
    }
}

TEST_CASE("model facts")
{
    const auto model = Model::load(tiny_model("qwen2-tiny", TensorType::Q8_0));
    const ModelInfo i = model->info();
    CHECK_EQ(i.arch, std::string("qwen2"));
    CHECK_EQ(i.file_type, std::string("Q8_0"));
    CHECK(model->config().tied_output);
    CHECK(model->config().rope_type == RopeType::Neox);
    CHECK(model->config().attn_bias);
    CHECK(i.chat_template.find("im_start") != std::string::npos);
    CHECK(i.parameters > 100000);
}

TEST_CASE("broken model files name the fault")
{
    const std::string good = tiny_model("llama-tiny", TensorType::Q8_0);
    struct Bad {
        const char* name;
        Tamper tamper;
        const char* needle;
    };
    const std::vector<Bad> cases = {
        {"no-arch.gguf", {"general.architecture", "", "", {}}, "general.architecture"},
        {"no-layers.gguf", {"llama.block_count", "", "", {}}, "llama.block_count"},
        {"no-wq.gguf", {"", "blk.1.attn_q.weight", "", {}}, "blk.1.attn_q.weight"},
        {"reshaped.gguf", {"", "", "blk.0.ffn_down.weight", {}}, "blk.0.ffn_down.weight"},
        {"arch.gguf", {"", "", "", [](GgufWriter& w) { w.add_string("general.architecture", "gpt-17"); }}, "gpt-17"},
        {"heads.gguf", {"", "", "", [](GgufWriter& w) { w.add_u32("llama.attention.head_count_kv", 3); }}, "3 KV heads"},
        {"string-count.gguf", {"", "", "", [](GgufWriter& w) { w.add_string("llama.block_count", "two"); }}, "llama.block_count"},
        {"huge.gguf", {"", "", "", [](GgufWriter& w) { w.add_u32("llama.embedding_length", 4000000000u); }}, "out of range"},
        {"bos.gguf", {"", "", "", [](GgufWriter& w) { w.add_u32("tokenizer.ggml.bos_token_id", 99999); }}, "bos_token_id"},
        {"tokenizer.gguf", {"", "", "", [](GgufWriter& w) { w.add_string("tokenizer.ggml.model", "t5"); }}, "t5"},
        // Non-finite or impossible hyperparameters (they used to load and print garbage).
        {"nan-eps.gguf", {"", "", "", [](GgufWriter& w) { w.add_f32("llama.attention.layer_norm_rms_epsilon", NAN); }}, "NaN"},
        {"inf-base.gguf", {"", "", "", [](GgufWriter& w) { w.add_f32("llama.rope.freq_base", INFINITY); }}, "infinite"},
        {"zero-base.gguf", {"", "", "", [](GgufWriter& w) { w.add_f32("llama.rope.freq_base", 0.0f); }}, "out of range"},
        // Bytes from the file reach the message escaped: no NUL cuts it, no escape sequence
        // reaches the terminal, invalid UTF-8 is shown as bytes.
        {"name.gguf", {"", "", "", [](GgufWriter& w) { w.add_string("general.architecture", std::string("gp\0t\x1b[31m\xff", 10)); }},
         "'gp\\x00t\\x1B[31m\\xFF'"},
    };
    for (const Bad& c : cases) {
        const std::string path = tampered_copy(good, c.name, c.tamper);
        CHECK_THROWS_WITH(Model::load(path), c.needle);
    }
    // Tensors whose bytes overlap: one moved onto another, or a type changed so that its
    // data runs into the next tensor.
    const auto patched = [&](const std::string& name, const std::string& tensor, int field, uint64_t value) {
        const std::string path = tampered_copy(good, name, {});
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(f)), {});
        std::string needle(8, '\0');
        const uint64_t len = tensor.size();
        std::memcpy(needle.data(), &len, 8);
        std::size_t at = bytes.find(needle + tensor);
        REQUIRE(at != std::string::npos);
        at += 8 + tensor.size();
        uint32_t n_dims = 0;
        std::memcpy(&n_dims, bytes.data() + at, 4);
        at += 4 + 8 * n_dims; // now the type (u32), then the offset (u64)
        f.seekp(static_cast<std::streamoff>(field == 0 ? at : at + 4));
        if (field == 0) {
            const auto type = static_cast<uint32_t>(value);
            f.write(reinterpret_cast<const char*>(&type), 4);
        } else {
            f.write(reinterpret_cast<const char*>(&value), 8);
        }
        return path;
    };
    CHECK_THROWS_WITH(Model::load(patched("offset0.gguf", "blk.0.attn_k.weight", 1, 0)), "overlap");
    CHECK_THROWS_WITH(Model::load(patched("retyped.gguf", "blk.0.attn_q.weight", 0, 0 /* F32 */)), "overlap");

    // A vocabulary-only file is a tokenizer, not a model.
    const std::string vocab = std::string(SEEKBENCH_SHARED_DIR) + "/vocab/ggml-vocab-llama-spm.gguf";
    if (std::filesystem::exists(vocab))
        CHECK_THROWS_WITH(Model::load(vocab), "vocabulary-only");
}

const uint8_t* round_up_to(const uint8_t* p, std::size_t to)
{
    return reinterpret_cast<const uint8_t*>((reinterpret_cast<std::uintptr_t>(p) + to - 1) / to * to);
}

// Bytes in huge pages (AnonHugePages: copies; FilePmdMapped: the file's own 2 MiB folios,
// unless copies_only) in the mappings that overlap [from, from + bytes), from smaps.
std::size_t huge_pages_in(const uint8_t* from, std::size_t bytes, bool copies_only = false)
{
    std::ifstream smaps("/proc/self/smaps");
    const auto lo = reinterpret_cast<std::uintptr_t>(from), hi = lo + bytes;
    std::size_t total = 0;
    bool inside = false;
    for (std::string line; std::getline(smaps, line);) {
        unsigned long start = 0, end = 0;
        if (std::sscanf(line.c_str(), "%lx-%lx ", &start, &end) == 2 && line.find(':') > line.find(' '))
            inside = start < hi && end > lo;
        unsigned long kib = 0;
        if (inside && (std::sscanf(line.c_str(), "AnonHugePages: %lu kB", &kib) == 1 ||
                       (!copies_only && std::sscanf(line.c_str(), "FilePmdMapped: %lu kB", &kib) == 1)))
            total += static_cast<std::size_t>(kib) * 1024;
    }
    return total;
}

TEST_CASE("a model's weights are brought into memory in the background")
{
    // 80 MiB written, dropped from the page cache, mapped: the prefetch faults every page in
    // (mincore sees them), stops at once when destroyed, and leaves small files alone. Where
    // the kernel has transparent huge pages, every whole 2 MiB of it then sits in a huge
    // page (smaps counts them), with the file's bytes at the same addresses.
    const std::string path = (std::filesystem::temp_directory_path() / "seekbench-prefetch-test.bin").string();
    constexpr std::size_t kBytes = std::size_t(80) << 20;
    std::vector<char> block(1 << 20);
    for (std::size_t i = 0; i < block.size(); ++i)
        block[i] = static_cast<char>(i % 251);
    {
        std::ofstream out(path, std::ios::binary);
        for (std::size_t i = 0; i < kBytes / block.size(); ++i)
            out.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
    const auto drop = [&] {
        const int fd = ::open(path.c_str(), O_RDONLY);
        fdatasync(fd);
        posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        ::close(fd);
    };
    drop();
    const MappedFile map = MappedFile::open(path);
    const long page = sysconf(_SC_PAGESIZE);
    const auto resident = [&] {
        std::vector<unsigned char> in((kBytes + static_cast<std::size_t>(page) - 1) / static_cast<std::size_t>(page));
        mincore(const_cast<uint8_t*>(map.data()), kBytes, in.data());
        std::size_t n = 0;
        for (unsigned char c : in)
            n += c & 1;
        return static_cast<double>(n) / static_cast<double>(in.size());
    };
    const double before = resident();
    CHECK_MSG(before < 0.5, "resident before: " << before); // the page cache dropped the file
    bool thp = false;
    if (std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled"); f) {
        std::string line;
        std::getline(f, line);
        thp = line.find("[never]") == std::string::npos;
    }
    const std::size_t whole = (kBytes - (round_up_to(map.data(), 2 << 20) - map.data())) / (2 << 20) * (2 << 20);
    {
        auto prefetch = MapPrefetch::start({{map.data(), kBytes / 2}, {map.data() + kBytes / 2, kBytes / 2}});
        CHECK(prefetch != nullptr);
        CHECK(prefetch->bytes() == kBytes);
        const auto t0 = std::chrono::steady_clock::now();
        while (!prefetch->done() && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(30))
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        CHECK(prefetch->done());
        std::printf("    huge pages: %zu of %zu MiB (transparent huge pages %s)\n", prefetch->huge_bytes() >> 20,
                    whole >> 20, thp ? "on" : "off");
        if (thp) // the two ranges meet mid-file: the piece across the seam moves too
            CHECK(prefetch->huge_bytes() == whole);
        CHECK(huge_pages_in(map.data(), kBytes) == prefetch->huge_bytes());
    }
    CHECK_MSG(resident() == 1.0, "resident after: " << resident());
    bool same = true;
    for (std::size_t off = 0; off < kBytes; off += block.size())
        same = same && std::memcmp(map.data() + off, block.data(), block.size()) == 0;
    CHECK(same);
    drop();
    { auto stopped = MapPrefetch::start({{map.data(), kBytes}}); } // destroyed at once: joins, no crash
    CHECK(MapPrefetch::start({{map.data(), std::size_t(1) << 20}}) == nullptr); // 1 MiB: not worth threads
    std::filesystem::remove(path);
}

TEST_CASE("huge pages can be switched off")
{
    const std::string path = (std::filesystem::temp_directory_path() / "seekbench-prefetch-off-test.bin").string();
    constexpr std::size_t kBytes = std::size_t(72) << 20;
    {
        std::ofstream out(path, std::ios::binary);
        const std::vector<char> block(1 << 20, 'v');
        for (std::size_t i = 0; i < kBytes / block.size(); ++i)
            out.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
    const MappedFile map = MappedFile::open(path);
    setenv("SEEKBENCH_HUGE_PAGES", "0", 1);
    {
        auto prefetch = MapPrefetch::start({{map.data(), kBytes}});
        CHECK(prefetch != nullptr);
        const auto t0 = std::chrono::steady_clock::now();
        while (!prefetch->done() && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(30))
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        CHECK(prefetch->huge_bytes() == 0);
        CHECK(huge_pages_in(map.data(), kBytes, true) == 0); // no copies (the kernel's own mappings aside)
    }
    unsetenv("SEEKBENCH_HUGE_PAGES");
    std::filesystem::remove(path);
}
