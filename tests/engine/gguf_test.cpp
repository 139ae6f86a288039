// GGUF reading and writing: a round trip of every metadata type and tensor, and a corpus
// of broken files (truncated at every byte of the header, bad magic and versions, absurd
// counts, overflowing offsets, unknown types, misalignment) that must each give a clear
// error naming the problem, never a crash or a read out of bounds.
#include "engine/error.h"
#include "engine/gguf.h"
#include "engine/gguf_writer.h"
#include "testing.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

using namespace seekbench;

namespace {

std::string tmp_path(const std::string& name)
{
    std::filesystem::create_directories(SEEKBENCH_TEST_TMP);
    return std::string(SEEKBENCH_TEST_TMP) + "/" + name;
}

std::vector<uint8_t> read_all(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// A small valid file with a bit of everything.
std::vector<uint8_t> sample_file()
{
    GgufWriter w;
    w.add_string("general.architecture", "llama");
    w.add_u32("llama.block_count", 2);
    w.add_f32("llama.rope.freq_base", 10000.0f);
    w.add_bool("tokenizer.ggml.add_bos_token", true);
    w.add_strings("tokenizer.ggml.tokens", {"a", "b", "\xe4\xb8\xad"});
    w.add_f32s("tokenizer.ggml.scores", {0.5f, -1.0f, 2.0f});
    std::vector<uint8_t> f32(4 * 8);
    for (int i = 0; i < 8; ++i) {
        const float v = static_cast<float>(i) * 0.5f;
        std::memcpy(&f32[static_cast<std::size_t>(i) * 4], &v, 4);
    }
    w.add_tensor("vec", TensorType::F32, {8}, f32);
    w.add_tensor("q", TensorType::Q8_0, {32, 2}, std::vector<uint8_t>(68, 1));
    const std::string path = tmp_path("sample.gguf");
    w.write(path);
    return read_all(path);
}

void expect_error(const std::vector<uint8_t>& bytes, const std::string& needle, const std::string& what)
{
    try {
        GgufFile::parse(bytes.data(), bytes.size(), "broken.gguf");
        CHECK_MSG(false, what << ": no error");
    } catch (const Error& e) {
        CHECK_MSG(std::string(e.what()).find(needle) != std::string::npos,
                  what << ": message '" << e.what() << "' lacks '" << needle << "'");
        CHECK_MSG(std::string(e.what()).find("broken.gguf") != std::string::npos, what << ": names no file");
    }
}

template <typename T> void poke(std::vector<uint8_t>& b, std::size_t at, T v) { std::memcpy(&b[at], &v, sizeof v); }

// Offset just after the header's fixed part: magic, version, tensor count, kv count.
constexpr std::size_t kAfterCounts = 24;

} // namespace

TEST_CASE("round trip of metadata and tensors")
{
    sample_file();
    const auto f = GgufFile::open(tmp_path("sample.gguf")); // mapped: data is aligned in memory
    CHECK_EQ(f->version(), 3u);
    CHECK_EQ(f->get_string("general.architecture").value(), std::string("llama"));
    CHECK_EQ(f->get_int("llama.block_count").value(), 2);
    CHECK(f->get_float("llama.rope.freq_base").value() == 10000.0);
    CHECK(f->get_bool("tokenizer.ggml.add_bos_token").value());
    const GgufValue* tokens = f->get_array("tokenizer.ggml.tokens", GgufType::String);
    REQUIRE(tokens);
    CHECK_EQ(tokens->count, 3u);
    CHECK(tokens->strings[2] == "\xe4\xb8\xad");
    const GgufValue* scores = f->get_array("tokenizer.ggml.scores", GgufType::F32);
    REQUIRE(scores);
    CHECK(scores->array_double(0) == 0.5 && scores->array_double(2) == 2.0);
    CHECK(!f->get_int("missing.key"));
    CHECK_THROWS_WITH(f->get_int("general.architecture"), "general.architecture");
    REQUIRE(f->tensors().size() == 2);
    const GgufTensor* vec = f->find_tensor("vec");
    REQUIRE(vec);
    CHECK_EQ(vec->nbytes, std::size_t(32));
    CHECK_EQ(reinterpret_cast<std::uintptr_t>(vec->data) % f->alignment(), std::uintptr_t(0));
    float third;
    std::memcpy(&third, vec->data + 12, 4);
    CHECK(third == 1.5f);
    const GgufTensor* q = f->find_tensor("q");
    REQUIRE(q);
    CHECK_EQ(q->shape_string(), std::string("[32, 2]"));
    CHECK_EQ(q->data[0], uint8_t(1));
}

TEST_CASE("open reports missing and non-regular files")
{
    CHECK_THROWS_WITH(GgufFile::open(tmp_path("does-not-exist.gguf")), "does-not-exist.gguf");
    CHECK_THROWS_WITH(GgufFile::open(SEEKBENCH_TEST_TMP), "is a folder");
    const std::string tiny = tmp_path("tiny.gguf");
    std::ofstream(tiny) << "GGUF";
    CHECK_THROWS_WITH(GgufFile::open(tiny), "truncated");
}

TEST_CASE("truncation at every byte of the header and into the data")
{
    const std::vector<uint8_t> bytes = sample_file();
    const auto full = GgufFile::parse(bytes.data(), bytes.size(), "full");
    const std::size_t data_end = full->data_offset() + 32 + 32; // past the first tensor
    int errors = 0;
    for (std::size_t n = 0; n < std::min(bytes.size(), data_end); ++n) {
        // Copy into an exact-size buffer so any overread is a real one (ASan/valgrind see it).
        std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
        try {
            GgufFile::parse(cut.data(), cut.size(), "broken.gguf");
        } catch (const Error& e) {
            ++errors;
            CHECK_MSG(std::string(e.what()).find("truncated") != std::string::npos ||
                          std::string(e.what()).find("past the end") != std::string::npos ||
                          std::string(e.what()).find("more than") != std::string::npos ||
                          std::string(e.what()).find("impossible") != std::string::npos,
                      "cut at " << n << ": " << e.what());
        }
    }
    CHECK_EQ(errors, static_cast<int>(std::min(bytes.size(), data_end)));
}

TEST_CASE("bad magic and versions")
{
    std::vector<uint8_t> b = sample_file();
    b[0] = 'X';
    expect_error(b, "not a GGUF file", "magic");
    b = sample_file();
    poke<uint32_t>(b, 4, 1);
    expect_error(b, "version 1 is not supported", "v1");
    poke<uint32_t>(b, 4, 99);
    expect_error(b, "unknown GGUF version 99", "v99");
    poke<uint32_t>(b, 4, 2); // v2 has the same layout as v3 for us
    CHECK(GgufFile::parse(b.data(), b.size(), "v2")->version() == 2u);
}

TEST_CASE("absurd counts")
{
    std::vector<uint8_t> b = sample_file();
    poke<uint64_t>(b, 8, uint64_t(1) << 60);
    expect_error(b, "tensor count", "tensor count");
    b = sample_file();
    poke<uint64_t>(b, 16, ~uint64_t(0));
    expect_error(b, "metadata count", "kv count");
    b = sample_file();
    poke<uint64_t>(b, kAfterCounts, uint64_t(1) << 62); // first key's length
    expect_error(b, "claims", "key length");
}

TEST_CASE("unknown value types and nested arrays")
{
    std::vector<uint8_t> b = sample_file();
    const std::size_t type_at = kAfterCounts + 8 + std::strlen("general.architecture");
    poke<uint32_t>(b, type_at, 77);
    expect_error(b, "unknown type 77", "kv type");

    GgufWriter w;
    std::vector<uint8_t> nested;
    {
        const uint32_t array = 9;
        const uint64_t count = 1;
        nested.resize(12);
        std::memcpy(&nested[0], &array, 4);
        std::memcpy(&nested[4], &count, 8);
    }
    w.add_raw("bad.nested", GgufType::Array, nested);
    w.write(tmp_path("nested.gguf"));
    expect_error(read_all(tmp_path("nested.gguf")), "nested arrays", "nested");

    GgufWriter w2;
    w2.add_raw("bad.bool", GgufType::Bool, {7});
    w2.write(tmp_path("bool.gguf"));
    expect_error(read_all(tmp_path("bool.gguf")), "bad.bool", "bool");

    GgufWriter w3;
    w3.add_string("dup", "a");
    w3.add_raw("dup", GgufType::U8, {1});
    w3.write(tmp_path("dup.gguf"));
    expect_error(read_all(tmp_path("dup.gguf")), "appears twice", "duplicate key");
}

TEST_CASE("tensor table problems")
{
    // Builds a file with one tensor and lets each case break one field of its entry.
    auto build = [](TensorType type, std::vector<int64_t> dims) {
        GgufWriter w;
        w.add_u32("x", 1);
        int64_t n = 1;
        for (int64_t d : dims)
            n *= d;
        w.add_tensor("t", type, dims, std::vector<uint8_t>(row_bytes(type, n), 0));
        w.write(tmp_path("t.gguf"));
        return read_all(tmp_path("t.gguf"));
    };
    // Offsets inside the tensor entry of build(F32, {8}).
    const std::size_t entry = kAfterCounts + (8 + 1 + 4 + 4); // after the one kv "x": u32
    const std::size_t dims_at = entry + 8 + 1, dim0_at = dims_at + 4, type_at = dim0_at + 8, offset_at = type_at + 4;

    std::vector<uint8_t> b = build(TensorType::F32, {8});
    CHECK(GgufFile::parse(b.data(), b.size(), "ok")->find_tensor("t"));
    poke<uint32_t>(b, dims_at, 5);
    expect_error(b, "5 dimensions", "dims");
    b = build(TensorType::F32, {8});
    poke<uint64_t>(b, dim0_at, 0);
    expect_error(b, "impossible dimension", "zero dim");
    b = build(TensorType::F32, {8});
    poke<uint64_t>(b, dim0_at, uint64_t(1) << 40);
    expect_error(b, "past the end", "huge dim");
    b = build(TensorType::F32, {8});
    poke<uint32_t>(b, type_at, 1000);
    expect_error(b, "unknown type id 1000", "type");
    b = build(TensorType::F32, {8});
    poke<uint64_t>(b, offset_at, 4);
    expect_error(b, "not a multiple of the alignment", "misaligned");
    b = build(TensorType::F32, {8});
    poke<uint64_t>(b, offset_at, ~uint64_t(0) - 31);
    expect_error(b, "past the end", "overflowing offset");
    b = build(TensorType::F32, {8});
    poke<uint32_t>(b, type_at, static_cast<uint32_t>(TensorType::Q8_0)); // 8 values, block of 32
    expect_error(b, "block size", "partial block");
    b = build(TensorType::F32, {8});
    b.resize(b.size() - 4);
    expect_error(b, "past the end", "data cut short");
}

TEST_CASE("alignment metadata")
{
    GgufWriter w;
    w.set_alignment(64);
    w.add_tensor("t", TensorType::F32, {4}, std::vector<uint8_t>(16, 0));
    w.write(tmp_path("a64.gguf"));
    std::vector<uint8_t> b = read_all(tmp_path("a64.gguf"));
    const auto f = GgufFile::parse(b.data(), b.size(), "a64");
    CHECK_EQ(f->alignment(), std::size_t(64));
    CHECK_EQ(f->data_offset() % 64, std::size_t(0));
    // general.alignment = 48 is not a power of two.
    const std::size_t value_at = kAfterCounts + 8 + std::strlen("general.alignment") + 4;
    poke<uint32_t>(b, value_at, 48);
    expect_error(b, "power of two", "alignment 48");
}

TEST_CASE("writer leaves nothing behind when it fails")
{
    GgufWriter w;
    w.add_tensor("t", TensorType::F32, {4}, [](uint8_t*, std::size_t) {
        throw Error(ErrorCode::Io, "simulated failure while producing tensor data");
    });
    const std::string path = tmp_path("failed.gguf");
    std::filesystem::remove(path);
    CHECK_THROWS_WITH(w.write(path), "simulated failure");
    CHECK(!std::filesystem::exists(path));
    CHECK(!std::filesystem::exists(path + ".partial"));
    CHECK_THROWS_WITH(w.write("/proc/cannot/write/here.gguf"), "cannot create");
}
