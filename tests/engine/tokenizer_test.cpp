// Tokenizers against the real families' test vectors in ../shared/vocab (DeepSeek LLM,
// DeepSeek Coder, Llama SentencePiece, GPT-2: every input reproduced exactly), plus round
// trips on multilingual text, the streaming decoder, and invalid UTF-8.
#include "engine/error.h"
#include "engine/gguf.h"
#include "engine/tokenizer.h"
#include "testing.h"

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace seekbench;

namespace {

const std::string kVocab = std::string(SEEKBENCH_SHARED_DIR) + "/vocab/";

std::string slurp(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct Vocab {
    std::unique_ptr<GgufFile> file;
    std::unique_ptr<Tokenizer> tok;
};

Vocab load(const std::string& name)
{
    const std::string path = kVocab + name + ".gguf";
    if (!std::filesystem::exists(path))
        SKIP("../shared/vocab is not beside the repository (" + path + ")");
    Vocab v;
    v.file = GgufFile::open(path);
    v.tok = Tokenizer::from_gguf(*v.file);
    return v;
}

// The vectors: inputs separated by "\n__ggml_vocab_test__\n", one line of ids per input.
void check_vectors(const std::string& name)
{
    const Vocab v = load(name);
    const std::string inp = slurp(kVocab + name + ".gguf.inp");
    const std::string out = slurp(kVocab + name + ".gguf.out");
    const std::string sep = "\n__ggml_vocab_test__\n";
    std::vector<std::string> inputs;
    for (std::size_t at = 0;;) {
        const std::size_t next = inp.find(sep, at);
        if (next == std::string::npos) {
            std::string last = inp.substr(at);
            const std::string tail = "\n__ggml_vocab_test__";
            if (last.size() >= tail.size() && last.compare(last.size() - tail.size(), tail.size(), tail) == 0)
                last.resize(last.size() - tail.size());
            inputs.push_back(last);
            break;
        }
        inputs.push_back(inp.substr(at, next - at));
        at = next + sep.size();
    }
    std::vector<std::string> lines;
    std::istringstream ls(out);
    for (std::string line; std::getline(ls, line);)
        lines.push_back(line);
    REQUIRE(lines.size() >= inputs.size() - 1);
    int passed = 0;
    for (std::size_t i = 0; i < inputs.size() && i < lines.size(); ++i) {
        const std::vector<int32_t> ids = v.tok->encode(inputs[i], false, false);
        std::string got;
        for (int32_t id : ids)
            got += " " + std::to_string(id);
        std::string expected = lines[i];
        while (!expected.empty() && expected.back() == ' ')
            expected.pop_back();
        if (got == expected || (got.empty() && expected.empty()))
            ++passed;
        else
            CHECK_MSG(false, name << " input " << i << ":\n      got     " << got << "\n      expected" << expected);
    }
    std::printf("    %s: %d/%zu vectors\n", name.c_str(), passed, std::min(inputs.size(), lines.size()));
    CHECK(passed >= 40);
}

} // namespace

TEST_CASE("llama SentencePiece vectors") { check_vectors("ggml-vocab-llama-spm"); }
TEST_CASE("GPT-2 BPE vectors") { check_vectors("ggml-vocab-gpt-2"); }
TEST_CASE("DeepSeek LLM vectors") { check_vectors("ggml-vocab-deepseek-llm"); }
TEST_CASE("DeepSeek Coder vectors") { check_vectors("ggml-vocab-deepseek-coder"); }

TEST_CASE("round trips of multilingual text")
{
    const std::vector<std::string> texts = {
        "Hello, world!", "深度求索的模型很强大。", "emoji 🚀🦙 and CJK 日本語 한국어",
        "def f(x):\n\treturn x ** 2  # square\n", "   leading and trailing   ", "\n\n\n",
        "Ünïcödé ñ ç ß", "tabs\tand\r\nwindows lines", "1234567890 3.14159",
    };
    for (const char* name : {"ggml-vocab-deepseek-llm", "ggml-vocab-deepseek-coder", "ggml-vocab-gpt-2",
                             "ggml-vocab-llama-spm"}) {
        const Vocab v = load(name);
        for (const std::string& text : texts) {
            const std::string back = v.tok->decode(v.tok->encode(text, false));
            // SentencePiece adds one dummy space in front.
            const std::string expected = v.tok->model() == Tokenizer::Model::Spm ? " " + text : text;
            CHECK_MSG(back == expected, name << ": '" << text << "' came back as '" << back << "'");
        }
    }
}

TEST_CASE("special tokens only when asked")
{
    const Vocab v = load("ggml-vocab-deepseek-llm");
    const std::string bos_text = v.tok->token_text(v.tok->bos());
    const auto plain = v.tok->encode(bos_text + "Hi", false, false);
    const auto special = v.tok->encode(bos_text + "Hi", false, true);
    REQUIRE(!special.empty());
    CHECK_EQ(special.front(), v.tok->bos());
    CHECK(plain.size() > special.size());
    CHECK(v.tok->piece(v.tok->bos()).empty());          // control tokens print nothing
    CHECK_EQ(v.tok->piece(v.tok->bos(), true), bos_text); // unless asked
    CHECK(v.tok->is_end_of_generation(v.tok->eos()));
    const auto with_bos = v.tok->encode("Hi", true);
    CHECK(with_bos.size() == 2 && with_bos[0] == v.tok->bos());
}

TEST_CASE("streaming decode never splits a character")
{
    for (const char* name : {"ggml-vocab-gpt-2", "ggml-vocab-llama-spm", "ggml-vocab-deepseek-llm"}) {
        const Vocab v = load(name);
        const std::string text = "a🦙b 中文 🚀🚀 é";
        const auto ids = v.tok->encode(text, false);
        StreamDecoder decoder(*v.tok, v.tok->model() == Tokenizer::Model::Spm);
        std::string all;
        for (int32_t id : ids) {
            const std::string piece = decoder.push(id);
            CHECK_MSG(utf8_complete_prefix(piece) == piece.size() && utf8_sanitize(piece) == piece,
                      name << ": emitted a partial character");
            all += piece;
        }
        all += decoder.finish();
        CHECK_MSG(all == text, name << ": streamed '" << all << "'");
    }
}

TEST_CASE("invalid UTF-8 input falls back to bytes")
{
    const std::string bad = std::string("ok \xff\xfe broken \xe4\xb8 end \xc0\xaf");
    for (const char* name : {"ggml-vocab-gpt-2", "ggml-vocab-deepseek-coder", "ggml-vocab-llama-spm"}) {
        const Vocab v = load(name);
        const auto ids = v.tok->encode(bad, false);
        CHECK(!ids.empty());
        for (int32_t id : ids)
            CHECK(id >= 0 && id < v.tok->n_vocab());
        const std::string back = v.tok->decode(ids);
        if (std::string(name) == "ggml-vocab-gpt-2") { // plain byte-level BPE: every byte comes back
            CHECK_MSG(back == bad, name << ": bytes changed");
        } else { // SentencePiece byte fallback, or (deepseek-coder) added tokens that stand
                 // for some bytes as text: the text around the bad bytes survives
            for (const char* part : {"ok", "broken", "end"})
                CHECK_MSG(back.find(part) != std::string::npos, name << ": lost '" << part << "'");
        }
        // Streamed, the bad bytes become U+FFFD instead of broken text.
        StreamDecoder d(*v.tok);
        std::string shown;
        for (int32_t id : ids)
            shown += d.push(id);
        shown += d.finish();
        CHECK(utf8_sanitize(shown) == shown);
        CHECK(shown.find("\xEF\xBF\xBD") != std::string::npos);
    }
    CHECK_EQ(utf8_sanitize("a\xffz"), std::string("a\xEF\xBF\xBDz"));
    CHECK_EQ(utf8_complete_prefix("ab\xe4\xb8"), std::size_t(2));
}

TEST_CASE("a file without a tokenizer says so")
{
    const Vocab v = load("ggml-vocab-gpt-2"); // for the skip when ../shared is absent
    (void)v;
    std::vector<uint8_t> bytes = {'G', 'G', 'U', 'F', 3, 0, 0, 0};
    bytes.resize(24, 0);
    const auto f = GgufFile::parse(bytes.data(), bytes.size(), "empty.gguf");
    CHECK_THROWS_WITH(Tokenizer::from_gguf(*f), "tokenizer.ggml.model is missing");
}
