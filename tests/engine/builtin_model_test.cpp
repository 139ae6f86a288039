// Seekbench's own model (resources/models/): found where the app and the CLI look for it,
// the deepseek2 shapes its card states, the held-out loss within 2% of the card's figure on
// the held-out text shipped beside it, and a stable greedy answer to a fixed question.
#include "engine/builtin_model.h"
#include "engine/chat_template.h"
#include "engine/cpu/backend.h"
#include "engine/model.h"
#include "engine/perplexity.h"
#include "engine/sampler.h"
#include "engine/session.h"
#include "testing.h"

#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

using namespace seekbench;

namespace {

std::string slurp(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

std::string dir_of(const std::string& path) { return path.substr(0, path.rfind('/')); }

// A number or string field of the card's JSON (flat keys; enough for these fields).
std::string field(const std::string& json, const std::string& key)
{
    std::smatch m;
    const std::regex number("\"" + key + "\":\\s*(-?[0-9.eE+-]+)");
    if (std::regex_search(json, m, number))
        return m[1];
    const std::regex text("\"" + key + "\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    return std::regex_search(json, m, text) ? std::string(m[1]) : std::string();
}

// Undoes the JSON escapes json.dump writes for this text (\n, \", \\, \uXXXX).
std::string unescape(const std::string& s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        const char c = s[++i];
        if (c == 'n') out += '\n';
        else if (c == 't') out += '\t';
        else if (c == 'u' && i + 4 < s.size()) {
            const unsigned cp = static_cast<unsigned>(std::stoul(s.substr(i + 1, 4), nullptr, 16));
            i += 4;
            if (cp < 0x80) out += static_cast<char>(cp);
            else if (cp < 0x800) out += static_cast<char>(0xC0 | (cp >> 6)), out += static_cast<char>(0x80 | (cp & 0x3F));
            else out += static_cast<char>(0xE0 | (cp >> 12)), out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                 out += static_cast<char>(0x80 | (cp & 0x3F));
        } else out += c;
    }
    return out;
}

} // namespace

TEST_CASE("the built-in model is found, has the card's shapes, and predicts the held-out text as stated")
{
    const std::string path = builtin_model_path();
    REQUIRE(!path.empty()); // shipped in resources/models/
    const std::string card = slurp(dir_of(path) + "/seekbench-moe.json");
    REQUIRE(!card.empty());
    const auto model = Model::load(path);
    const ModelConfig& c = model->config();
    CHECK_EQ(model->info().arch, std::string("deepseek2"));
    CHECK_EQ(c.n_layers, std::stoi(field(card, "layers")));
    CHECK_EQ(c.dim, std::stoi(field(card, "dim")));
    CHECK_EQ(c.n_heads, std::stoi(field(card, "heads")));
    CHECK_EQ(c.n_experts, std::stoi(field(card, "experts")));
    CHECK_EQ(c.n_experts_used, std::stoi(field(card, "experts_used")));
    CHECK_EQ(c.n_dense_lead, std::stoi(field(card, "dense_layers")));
    CHECK_EQ(c.n_vocab, std::stoi(field(card, "vocab")));
    CHECK(c.is_moe());

    CpuBackend cpu(*model, 0);
    const auto tokens = model->tokenizer().encode(slurp(dir_of(path) + "/heldout.txt"), false, true);
    CHECK_EQ(static_cast<long long>(tokens.size()), std::stoll(field(card, "heldout_tokens")));
    const LossResult r = mean_loss(cpu, tokens, std::stoi(field(card, "seq")));
    const double stated = std::stod(field(card, "heldout_loss_engine_q8_0"));
    CHECK_MSG(std::abs(r.mean_nll - stated) <= 0.02 * stated, "loss " << r.mean_nll << " vs the card's " << stated);
    // And what PyTorch measured for the unquantized weights, within the same 2%.
    const double torch = std::stod(field(card, "heldout_loss_torch_f32"));
    CHECK_MSG(std::abs(r.mean_nll - torch) <= 0.02 * torch, "loss " << r.mean_nll << " vs PyTorch's " << torch);
}

TEST_CASE("the built-in model's greedy answer to a fixed question is stable")
{
    const std::string path = builtin_model_path();
    REQUIRE(!path.empty());
    const std::string card = slurp(dir_of(path) + "/seekbench-moe.json");
    const std::string question = unescape(field(card, "greedy_question"));
    const std::string expected = unescape(field(card, "greedy_answer"));
    REQUIRE(!question.empty());
    const auto model = Model::load(path);
    const ChatTemplate tpl = ChatTemplate::detect(model->info().chat_template);
    CHECK_EQ(std::string(tpl.name()), std::string("ChatML (Qwen)"));
    CpuBackend cpu(*model, 0);
    Session session(cpu);
    SamplerParams sp;
    sp.temperature = 0;
    Sampler sampler(sp);
    std::string answer;
    session.generate(model->tokenizer().encode(tpl.render({{"user", question}}, true), false, true), sampler, 64,
                     [&](int32_t, const std::string& piece) {
                         answer += piece;
                         return true;
                     });
    CHECK_EQ(answer, expected);
}
