// Conversion. The real-model oracle: stories260K's llama2.c checkpoint (../shared/models)
// becomes the tensors and vocabulary of the GGUF published beside it, and prints the
// published story. Hugging Face checkpoints of every supported architecture, written with
// random weights by hf_checkpoints.py (a CTest fixture), give the logits of its float64
// forward pass, written from the HF modeling code's definitions. Bad files name the fault.
#include "engine/convert/convert.h"
#include "engine/convert/safetensors.h"
#include "engine/cpu/backend.h"
#include "engine/error.h"
#include "engine/gguf.h"
#include "engine/model.h"
#include "engine/session.h"
#include "model_files.h"
#include "testing.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace seekbench;
using namespace seekbench::test;

namespace {

const std::string kStories = std::string(SEEKBENCH_SHARED_DIR) + "/models/stories260K/";
const std::string kCheckpoints = std::string(SEEKBENCH_TEST_TMP) + "/hf";

void need_stories()
{
    if (!std::filesystem::exists(kStories + "stories260K.bin"))
        SKIP("../shared/models is not beside the repository");
}

void need_checkpoint(const std::string& name)
{
    if (!std::filesystem::exists(kCheckpoints + "/" + name + "/config.json"))
        SKIP("no Hugging Face test checkpoints (hf_checkpoints.py needs python3-numpy and python3-safetensors)");
}

std::string convert(const std::string& src, const std::string& name, const std::string& type = "auto",
                    const std::string& tokenizer = "")
{
    ConvertOptions o;
    o.type = type;
    o.tokenizer = tokenizer;
    o.threads = 2;
    const std::string out = temp_path(name);
    convert_model(src, out, o);
    return out;
}

std::vector<double> read_doubles(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<double> v(bytes.size() / 8);
    std::memcpy(v.data(), bytes.data(), v.size() * 8);
    return v;
}

std::vector<int32_t> read_tokens(const std::string& path)
{
    std::ifstream in(path);
    std::vector<int32_t> t;
    for (int32_t x; in >> x;)
        t.push_back(x);
    return t;
}

// The converted model's logits for the reference tokens against the float64 ones: the
// largest difference relative to the largest logit.
double logits_error(const std::string& name, const std::string& gguf)
{
    const std::string dir = kCheckpoints + "/" + name + "/";
    const std::vector<int32_t> tokens = read_tokens(dir + "reference_tokens.txt");
    const std::vector<double> ref = read_doubles(dir + "reference_logits.f64");
    const auto model = Model::load(gguf);
    CpuBackend cpu(*model, 2);
    const auto ctx = cpu.new_context(64, 1, KvType::F32);
    Batch batch;
    for (std::size_t i = 0; i < tokens.size(); ++i)
        batch.add(tokens[i], static_cast<int32_t>(i), 0, true);
    std::vector<float> logits;
    ctx->forward(batch, logits);
    REQUIRE(logits.size() == ref.size());
    double worst = 0, scale = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        worst = std::max(worst, std::abs(double(logits[i]) - ref[i]));
        scale = std::max(scale, std::abs(ref[i]));
    }
    return worst / scale;
}

// A safetensors file image: the header given as JSON text, then `data` bytes.
std::vector<uint8_t> safetensors_image(const std::string& header, std::size_t data)
{
    std::vector<uint8_t> b(8 + header.size() + data, 0);
    const uint64_t n = header.size();
    std::memcpy(b.data(), &n, 8);
    std::memcpy(b.data() + 8, header.data(), header.size());
    return b;
}

} // namespace

TEST_CASE("stories260K.bin converts to the tensors and vocabulary of stories260K.gguf")
{
    need_stories();
    const std::string out = convert(kStories + "stories260K.bin", "stories-from-llama2c.gguf", "auto", kStories + "tok512.bin");
    const auto ours = GgufFile::open(out);
    const auto oracle = GgufFile::open(kStories + "stories260K.gguf");
    REQUIRE(ours->tensors().size() == oracle->tensors().size());
    for (const GgufTensor& want : oracle->tensors()) {
        const GgufTensor* got = ours->find_tensor(want.name);
        REQUIRE_MSG(got != nullptr, "no tensor " << want.name);
        CHECK(got->type == want.type && got->shape_string() == want.shape_string());
        CHECK_MSG(got->nbytes == want.nbytes && std::memcmp(got->data, want.data, want.nbytes) == 0,
                  want.name << " differs");
    }
    for (const char* key : {"tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"}) {
        const GgufValue* a = ours->find(key);
        const GgufValue* b = oracle->find(key);
        REQUIRE(a && b && a->count == b->count);
        if (a->elem_type == GgufType::String)
            CHECK(a->strings == b->strings);
        else
            CHECK(std::memcmp(a->array_data, b->array_data, a->count * gguf_value_size(a->elem_type)) == 0);
    }
    for (const char* key : {"llama.embedding_length", "llama.block_count", "llama.attention.head_count_kv",
                            "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id"})
        CHECK_EQ(ours->get_int(key).value_or(-1), oracle->get_int(key).value_or(-2));
    CHECK_EQ(ours->get_int("llama.context_length").value_or(0), 512); // the checkpoint's own seq_len

    const auto model = Model::load(out);
    CpuBackend cpu(*model, 2);
    Session session(cpu);
    SamplerParams greedy;
    greedy.temperature = 0;
    Sampler sampler(greedy);
    std::string text;
    session.generate({model->tokenizer().bos()}, sampler, 256, [&](int32_t, const std::string& piece) {
        text += piece;
        return true;
    });
    CHECK_MSG(text == published_stories_text(), "got\n" << text);
}

TEST_CASE("a llama2.c checkpoint cut short or given another model's tokenizer is refused by name")
{
    need_stories();
    const std::string cut = temp_path("stories-cut.bin");
    std::filesystem::copy_file(kStories + "stories260K.bin", cut, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::resize_file(cut, std::filesystem::file_size(cut) - 100);
    CHECK_THROWS_WITH(convert(cut, "cut.gguf", "auto", kStories + "tok512.bin"), "truncated");
    CHECK_THROWS_WITH(convert(kStories + "stories260K.bin", "x.gguf"), "needs its tokenizer.bin");
    const std::string tok = temp_path("tok-cut.bin");
    std::filesystem::copy_file(kStories + "tok512.bin", tok, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::resize_file(tok, 3000);
    CHECK_THROWS_WITH(convert(kStories + "stories260K.bin", "x.gguf", "auto", tok), "ends at token");
    CHECK_THROWS_WITH(convert(kStories + "stories260K.bin", "x.gguf", "q3_k", kStories + "tok512.bin"), "unknown output type");
    CHECK(!std::filesystem::exists(temp_path("x.gguf")));
}

TEST_CASE("Hugging Face checkpoints give the logits of the float64 forward pass")
{
    // llama is stored as bfloat16 in two shards: converted to F32 its weights are exact.
    const std::vector<std::pair<std::string, std::string>> models = {
        {"llama", "f32"}, {"qwen2", "auto"}, {"mixtral", "auto"}, {"qwen2moe", "auto"},
        {"qwen3moe", "auto"}, {"deepseek-v2", "auto"}, {"deepseek-v3", "auto"}};
    need_checkpoint("llama");
    for (const auto& [name, type] : models) {
        const std::string gguf = convert(kCheckpoints + "/" + name, "hf-" + name + ".gguf", type);
        const double err = logits_error(name, gguf);
        CHECK_MSG(err < 2e-5, name << ": logits differ by " << err << " of the largest");
    }
}

TEST_CASE("a converted Hugging Face folder carries its tokenizer, template and formats")
{
    need_checkpoint("qwen2");
    const auto f = GgufFile::open(convert(kCheckpoints + "/qwen2", "hf-qwen2-meta.gguf"));
    CHECK_EQ(f->get_string("tokenizer.ggml.model").value_or(""), "gpt2");
    CHECK_EQ(f->get_string("tokenizer.ggml.pre").value_or(""), "qwen2");
    const GgufValue* tokens = f->get_array("tokenizer.ggml.tokens", GgufType::String);
    const GgufValue* types = f->get_array("tokenizer.ggml.token_type", GgufType::I32);
    REQUIRE(tokens && types && tokens->count == 320);
    // 256 byte tokens, 5 merges, 4 added tokens, then padding up to config.json's vocab_size.
    CHECK_EQ(std::string(tokens->strings[261]), "<|endoftext|>");
    CHECK_EQ(types->array_int(261), 3);                                   // control
    CHECK_EQ(types->array_int(264), 4);                                   // <think>: user-defined
    CHECK_EQ(std::string(tokens->strings[300]), "[PAD300]");
    CHECK_EQ(types->array_int(300), 5);                                   // unused
    CHECK_EQ(f->get_int("tokenizer.ggml.eos_token_id").value_or(-1), 263); // <|im_end|>
    CHECK_EQ(f->get_int("tokenizer.ggml.padding_token_id").value_or(-1), 261);
    CHECK(f->get_string("tokenizer.chat_template").value_or("").find("<|im_start|>") != std::string::npos);
    CHECK(f->find_tensor("output.weight") == nullptr);                    // tied: the embedding serves
    CHECK(f->find_tensor("blk.0.attn_q.bias") != nullptr);
    const auto model = Model::load(f->path());
    CHECK(model->tokenizer().encode(" the", false).size() == 1);          // "Ġ t h e" merged by the BPE merges

    need_checkpoint("llama");
    const auto bf = GgufFile::open(convert(kCheckpoints + "/llama", "hf-llama-bf16.gguf"));
    CHECK(bf->find_tensor("blk.1.attn_q.weight")->type == TensorType::BF16); // auto: the source's type
    CHECK(bf->find_tensor("blk.1.attn_norm.weight")->type == TensorType::F32);
    CHECK_EQ(bf->get_int("general.file_type").value_or(-1), 32);
    const auto q8 = GgufFile::open(convert(kCheckpoints + "/deepseek-v3", "hf-dsv3-q8.gguf", "q8_0"));
    CHECK(q8->find_tensor("blk.1.ffn_up_exps.weight")->type == TensorType::Q8_0);
    CHECK(q8->find_tensor("blk.1.ffn_gate_inp.weight")->type == TensorType::F32); // routers stay F32
    CHECK(q8->find_tensor("blk.1.attn_k_b.weight")->type == TensorType::F16);     // rows of 16: no Q8_0 block
    CHECK_EQ(q8->get_string("deepseek2.rope.scaling.type").value_or(""), "yarn");
}

TEST_CASE("a checkpoint with a tensor nothing converts, or of another architecture, is refused")
{
    need_checkpoint("qwen2");
    const std::string dir = temp_path("hf-odd");
    std::filesystem::remove_all(dir);
    std::filesystem::copy(kCheckpoints + "/qwen2", dir);
    // An extra tensor in a second shard: it would be left out, so nothing is written.
    const std::string header = R"({"model.layers.0.mlp.mystery.weight":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    const auto image = safetensors_image(header, 8);
    std::ofstream(dir + "/extra.safetensors", std::ios::binary).write(reinterpret_cast<const char*>(image.data()),
                                                                         static_cast<std::streamsize>(image.size()));
    CHECK_THROWS_WITH(convert(dir, "odd.gguf"), "mlp.mystery.weight");
    // A tensor with an empty dimension where a weight should be: named, not a crash.
    const auto empty =
        safetensors_image(R"({"model.embed_tokens.weight":{"dtype":"F32","shape":[0,64],"data_offsets":[0,0]}})", 0);
    std::filesystem::rename(dir + "/model.safetensors", dir + "/model.safetensors.keep");
    std::filesystem::remove(dir + "/extra.safetensors");
    {
        std::ofstream f(dir + "/model.safetensors", std::ios::binary);
        f.write(reinterpret_cast<const char*>(empty.data()), static_cast<std::streamsize>(empty.size()));
    }
    CHECK_THROWS_WITH(convert(dir, "odd.gguf"), "empty dimension");
    std::filesystem::rename(dir + "/model.safetensors.keep", dir + "/model.safetensors");
    std::ofstream(dir + "/config.json") << R"({"architectures": ["GPTNeoXForCausalLM"], "hidden_size": 64})";
    CHECK_THROWS_WITH(convert(dir, "odd.gguf"), "GPTNeoXForCausalLM");
    CHECK(!std::filesystem::exists(temp_path("odd.gguf")));
}

TEST_CASE("safetensors: hostile headers are named, never read past")
{
    const auto parse = [](const std::string& header, std::size_t data) {
        const auto b = safetensors_image(header, data);
        return SafetensorsFile::parse(b.data(), b.size(), "t.safetensors")->tensors().size();
    };
    CHECK_EQ(parse(R"({"a":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]},"__metadata__":{"format":"pt"}})", 8),
             std::size_t(1));
    CHECK_THROWS_WITH(parse(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8), "outside the data");
    CHECK_THROWS_WITH(parse(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}})", 16), "16 bytes for 3");
    CHECK_THROWS_WITH(parse(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                            R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12), "overlap");
    CHECK_THROWS_WITH(parse(R"({"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", 8), "only F32, F16 and BF16");
    CHECK_THROWS_WITH(parse(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}})", 8), "non-negative");
    CHECK_THROWS_WITH(parse(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", 8),
                      "more elements");
    CHECK_THROWS_WITH(parse(R"({"a":)", 0), "not valid JSON");
    std::vector<uint8_t> lying(16, 0);
    lying[0] = 0xFF;
    lying[7] = 0x7F; // a header length past the end
    CHECK_THROWS_WITH(SafetensorsFile::parse(lying.data(), lying.size(), "x"), "does not fit");
}
