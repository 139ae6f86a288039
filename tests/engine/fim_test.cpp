// Fill-in-the-middle: each family's tokens found in a real or synthesized vocabulary, the
// prompt laid out token by token, the metadata's ids preferred, models without FIM refused,
// and completions that reuse the cache of the previous one.
#include "model_files.h"
#include "testing.h"

#include "engine/chat.h"
#include "engine/cpu/backend.h"
#include "engine/error.h"
#include "engine/fim.h"
#include "engine/gguf.h"
#include "engine/model.h"
#include "engine/tokenizer.h"

#include <filesystem>

using namespace seekbench;
using namespace seekbench::test;

namespace {

const std::string kVocab = std::string(SEEKBENCH_SHARED_DIR) + "/vocab/";

std::vector<int32_t> join(std::initializer_list<std::vector<int32_t>> parts)
{
    std::vector<int32_t> out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

} // namespace

TEST_CASE("DeepSeek-Coder's FIM tokens and prompt, from its real vocabulary")
{
    const std::string path = kVocab + "ggml-vocab-deepseek-coder.gguf";
    if (!std::filesystem::exists(path))
        SKIP("../shared/vocab is not beside the repository");
    const auto file = GgufFile::open(path);
    const auto tok = Tokenizer::from_gguf(*file);
    const auto fim = find_fim_tokens(*tok, file.get());
    REQUIRE(fim);
    CHECK_EQ(fim->family, std::string("deepseek-coder"));
    // The ids DeepSeek-Coder's tokenizer gives them.
    CHECK_EQ(fim->prefix, 32016);
    CHECK_EQ(fim->suffix, 32015);
    CHECK_EQ(fim->middle, 32017);
    CHECK_EQ(tok->token_text(32016), std::string("<\xEF\xBD\x9C" "fim\xE2\x96\x81" "begin\xEF\xBD\x9C>"));
    CHECK(!fim->stops.empty() && tok->token_text(fim->stops[0]) == "<|EOT|>");
    const std::string prefix = "def fib(n):\n    ", suffix = "\n    return fib(n - 1) + fib(n - 2)\n";
    const auto prompt = fim_prompt(*tok, *fim, prefix, suffix);
    const auto expect = join({{tok->bos()}, {32016}, tok->encode(prefix, false, false, true), {32015},
                              tok->encode(suffix, false, false, true), {32017}});
    CHECK(prompt == expect);
    CHECK_EQ(tok->decode(prompt, true).find("<\xEF\xBD\x9C" "begin"), std::size_t(0));
}

TEST_CASE("Qwen/StarCoder and CodeLlama FIM tokens in synthesized vocabularies; none in GPT-2's")
{
    {
        const auto model = Model::load(tiny_model("qwen2-tiny", TensorType::F32));
        const Tokenizer& tok = model->tokenizer();
        const auto fim = find_fim_tokens(tok, &model->file());
        REQUIRE(fim);
        CHECK_EQ(fim->family, std::string("qwen/starcoder"));
        CHECK_EQ(tok.token_text(fim->prefix), std::string("<|fim_prefix|>"));
        CHECK_EQ(tok.token_text(fim->suffix), std::string("<|fim_suffix|>"));
        CHECK_EQ(tok.token_text(fim->middle), std::string("<|fim_middle|>"));
        const auto prompt = fim_prompt(tok, *fim, "int main(", ") {}");
        CHECK(prompt == join({{fim->prefix}, tok.encode("int main(", false, false, true), {fim->suffix},
                              tok.encode(") {}", false, false, true), {fim->middle}}));
    }
    {
        const auto model = Model::load(tiny_model("llama-tiny", TensorType::F32));
        const Tokenizer& tok = model->tokenizer();
        const auto fim = find_fim_tokens(tok, &model->file());
        REQUIRE(fim);
        CHECK_EQ(fim->family, std::string("codellama"));
        CHECK_EQ(tok.token_text(fim->prefix), std::string("\xE2\x96\x81<PRE>"));
        REQUIRE(fim->stops.size() == 1u);
        CHECK_EQ(tok.token_text(fim->stops[0]), std::string("\xE2\x96\x81<EOT>"));
        const auto prompt = fim_prompt(tok, *fim, "a", "b");
        CHECK_EQ(prompt.front(), tok.bos());
        CHECK_EQ(prompt[1], fim->prefix);
        CHECK_EQ(prompt.back(), fim->middle);
    }
    const std::string gpt2 = kVocab + "ggml-vocab-gpt-2.gguf";
    if (std::filesystem::exists(gpt2)) {
        const auto file = GgufFile::open(gpt2);
        CHECK(!find_fim_tokens(*Tokenizer::from_gguf(*file), file.get()));
    }
}

TEST_CASE("the metadata's FIM ids win over the names")
{
    const std::string base = tiny_model("qwen2-tiny", TensorType::F32);
    Tamper t;
    t.add = [](GgufWriter& w) {
        w.add_u32("tokenizer.ggml.fim_pre_token_id", 100);
        w.add_u32("tokenizer.ggml.fim_suf_token_id", 101);
        w.add_u32("tokenizer.ggml.fim_mid_token_id", 102);
    };
    const auto model = Model::load(tampered_copy(base, "fim-metadata", t));
    const auto fim = find_fim_tokens(model->tokenizer(), &model->file());
    REQUIRE(fim);
    CHECK_EQ(fim->family, std::string("from metadata"));
    CHECK_EQ(fim->prefix, 100);
    CHECK_EQ(fim->middle, 102);
}

TEST_CASE("completions write the middle, reuse the previous one's cache, and are refused without FIM")
{
    const auto model = Model::load(tiny_model("qwen2-tiny", TensorType::F32));
    CpuBackend cpu(*model, 2);
    Chat chat(cpu);
    REQUIRE(chat.fim());
    FimRequest r;
    r.prefix = "the quick brown fox jumps over the lazy dog and then the quick brown";
    r.suffix = " dog sleeps";
    r.max_tokens = 8;
    r.sampling.temperature = 0;
    std::string first;
    ChatStats st = chat.fill_in_middle(r, [&](const std::string& p) {
        first += p;
        return true;
    });
    CHECK(st.generated_tokens > 0 && st.generated_tokens <= 8);
    CHECK_EQ(st.reused_tokens, 0);
    // Typing on: the prompt shares everything up to the old prefix's end, which is not processed again.
    const int before = st.prompt_tokens;
    r.prefix += " fox";
    st = chat.fill_in_middle(r, {});
    CHECK_MSG(st.reused_tokens > before / 2, st.reused_tokens << " of " << before);
    // A prompt longer than the context keeps its end.
    r.prefix = std::string(20000, 'a');
    st = chat.fill_in_middle(r, {});
    CHECK(st.generated_tokens > 0);

    // A model that never saw code (stories260K, ../shared) has no FIM tokens and is refused.
    const std::string stories = std::string(SEEKBENCH_SHARED_DIR) + "/models/stories260K/stories260K.gguf";
    if (!std::filesystem::exists(stories))
        return;
    const auto plain = Model::load(stories);
    CpuBackend cpu2(*plain, 1);
    Chat no_fim(cpu2);
    CHECK(!no_fim.fim());
    CHECK_THROWS_WITH(no_fim.fill_in_middle(r, {}), "not trained to fill in the middle");
}
