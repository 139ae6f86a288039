// Embedding models: the WordPiece tokenizer against token ids llama.cpp gave for the same
// synth vocabulary, bert and nomic-bert encoders against the float64 reference in each
// format, pooling, truncation, and the errors a user meets (an encoder asked to chat, a
// chat model asked to embed, a file with a tensor missing).
#include "engine/backend.h"
#include "engine/embedding.h"
#include "engine/error.h"
#include "model_files.h"
#include "reference.h"
#include "testing.h"

#include <algorithm>
#include <cmath>

using namespace seekbench;
using namespace seekbench::test;

namespace {

double cosine(const std::vector<float>& a, const std::vector<double>& b)
{
    double dot = 0, na = 0, nb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        dot += a[i] * b[i];
        na += static_cast<double>(a[i]) * a[i];
        nb += b[i] * b[i];
    }
    return dot / std::sqrt(na * nb);
}

std::string ids(const std::vector<int32_t>& v)
{
    std::string s;
    for (int32_t id : v)
        s += (s.empty() ? "" : " ") + std::to_string(id);
    return s;
}

} // namespace

TEST_CASE("WordPiece splits, lowercases and strips accents as llama.cpp does")
{
    const auto model = Model::load(tiny_model("bert-tiny", TensorType::F32));
    const Tokenizer& tok = model->tokenizer();
    CHECK(tok.model() == Tokenizer::Model::Wpm);
    CHECK(tok.describe().find("uncased") != std::string::npos);
    // Golden ids from llama-embedding --verbose-prompt on the same file.
    CHECK_EQ(ids(tok.encode("Hello world, the model's search!", true)),
             std::string("101 447 183 183 186 126 186 189 183 175 151 243 253 146 122 254 140 102"));
    CHECK_EQ(ids(tok.encode("中文字 café naïve ÉCOLE", true)),
             std::string("101 240 241 242 579 177 176 397 180 193 176 282 186 183 176 102"));
    CHECK_EQ(ids(tok.encode("qwerty zzzzq the", true)), std::string("101 120 194 266 191 196 129 197 197 197 188 243 102"));
    // Whitespace of any kind only separates; a word with a character the vocabulary lacks
    // is one [UNK]; nothing at all is [CLS] [SEP].
    CHECK_EQ(ids(tok.encode("the\t\n\xE2\x80\x83the", false)), std::string("243 243"));
    CHECK_EQ(ids(tok.encode("x\xC2\xB2 the", false)), std::string("100 243"));
    CHECK_EQ(ids(tok.encode("", true)), std::string("101 102"));
    // Control tokens in a document are text unless asked for; invalid UTF-8 is dropped.
    const auto plain = tok.encode("[CLS]", false);
    CHECK(plain.size() >= 3 && plain.front() == tok.find("\xE2\x96\x81["));
    CHECK(std::find(plain.begin(), plain.end(), 101) == plain.end());
    CHECK_EQ(ids(tok.encode("[CLS]", false, true)), std::string("101"));
    CHECK_EQ(ids(tok.encode("th\xFF" "e", false)), ids(tok.encode("the", false)));
    CHECK_EQ(tok.decode(tok.encode("the model searching", true)), std::string(" the model searching"));
}

TEST_CASE("bert and nomic-bert embeddings against the float64 reference")
{
    struct Row {
        const char* preset;
        TensorType type;
        double min_cosine;
    };
    for (const Row& r : {Row{"bert-tiny", TensorType::F32, 1 - 1e-9}, Row{"bert-tiny", TensorType::F16, 0.99999},
                         Row{"bert-tiny", TensorType::Q8_0, 0.9995}, Row{"nomic-bert-tiny", TensorType::F32, 1 - 1e-9},
                         Row{"nomic-bert-tiny", TensorType::Q8_0, 0.9995}}) {
        Embedder e(Model::load(tiny_model(r.preset, r.type)), 2);
        for (const char* text : {"the model", "Search the document for code that returns a value, 中文字 too."}) {
            const Embedding got = e.embed(text);
            const auto want = reference_embedding(e.model(), e.model().tokenizer().encode(text, true));
            REQUIRE(got.vector.size() == want.size());
            double norm = 0;
            for (float v : got.vector)
                norm += static_cast<double>(v) * v;
            CHECK_MSG(std::abs(norm - 1) < 1e-5, r.preset << " norm " << norm);
            const double cos = cosine(got.vector, want);
            CHECK_MSG(cos >= r.min_cosine, r.preset << " " << type_name(r.type) << " '" << text << "': cosine " << cos);
            CHECK(!got.truncated);
        }
    }
}

TEST_CASE("pooling follows the file; a long text keeps its start and its [SEP]")
{
    Embedder cls(Model::load(tiny_model("bert-tiny", TensorType::F32)), 1);
    CHECK(cls.model().config().pooling == Pooling::Cls);
    Embedder mean(Model::load(tiny_model("nomic-bert-tiny", TensorType::F32)), 1);
    CHECK(mean.model().config().pooling == Pooling::Mean);
    CHECK(mean.model().weights().layers[0].wqkv);

    std::string text;
    for (int i = 0; i < 300; ++i)
        text += "the ";
    const Embedding e = cls.embed(text); // 302 tokens for a context of 128
    CHECK(e.truncated);
    CHECK_EQ(e.tokens, 128);
    std::vector<int32_t> kept = cls.model().tokenizer().encode(text, true);
    kept.resize(128);
    kept.back() = cls.model().tokenizer().sep();
    const auto want = reference_embedding(cls.model(), kept);
    CHECK(cosine(e.vector, want) > 1 - 1e-9);
    // The task prefixes nomic-embed-text was trained with; none for plain bert.
    CHECK_EQ(embedding_prefix(mean.model().config(), EmbedPurpose::Query), std::string("search_query: "));
    CHECK_EQ(embedding_prefix(cls.model().config(), EmbedPurpose::Document), std::string());
}

TEST_CASE("an embedding model does not chat, a chat model does not embed, a broken encoder names its fault")
{
    const auto encoder = Model::load(tiny_model("bert-tiny", TensorType::F32));
    CHECK_THROWS_WITH(open_backend(*encoder, BackendOptions{}), "is an embedding model");
    CHECK_THROWS_WITH(Embedder(Model::load(tiny_model("llama-tiny", TensorType::F32))), "not an embedding model");
    Tamper t;
    t.drop_tensor = "blk.1.attn_output_norm.bias";
    CHECK_THROWS_WITH(Model::load(tampered_copy(tiny_model("bert-tiny", TensorType::F32), "bert-no-norm.gguf", t)),
                      "blk.1.attn_output_norm.bias");
    Tamper pooling;
    pooling.drop_key = "bert.pooling_type";
    pooling.add = [](GgufWriter& w) { w.add_u32("bert.pooling_type", 4); };
    CHECK_THROWS_WITH(Model::load(tampered_copy(tiny_model("bert-tiny", TensorType::F32), "bert-rank.gguf", pooling)),
                      "pooling");
}
