// Chat templates: the families are recognized from their real Jinja text, and a fixed
// conversation renders in each family's documented format, byte for byte.
#include "engine/chat_template.h"
#include "testing.h"

using namespace seekbench;

namespace {

const std::vector<ChatMessage> kChat = {
    {"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello!"}, {"user", "2+2?"}};

// "<｜User｜>" and friends, spelled out.
const std::string kUser = "<\xef\xbd\x9cUser\xef\xbd\x9c>";
const std::string kAssistant = "<\xef\xbd\x9c" "Assistant\xef\xbd\x9c>";
const std::string kEos = "<\xef\xbd\x9c" "end\xe2\x96\x81of\xe2\x96\x81sentence\xef\xbd\x9c>";

} // namespace

TEST_CASE("families are recognized from their templates")
{
    struct Case {
        std::string jinja;
        ChatFamily family;
    };
    const std::vector<Case> cases = {
        {"{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>'}}", ChatFamily::ChatML},
        {"{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' }}", ChatFamily::Llama3},
        {"{{ bos_token + '[INST] ' + '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' }}", ChatFamily::Llama2},
        {"{{ bos_token }}{% for m in messages %}{{ '[INST] ' + m['content'] + ' [/INST]' }}", ChatFamily::Mistral},
        {"{{ 'User: ' + message['content'] + '\\n\\n' }}{{ 'Assistant: ' + message['content'] + eos_token }}", ChatFamily::DeepSeek2},
        {"{{'" + kUser + "' + message['content']}}{{'" + kAssistant + "' + content + '" + kEos + "'}}", ChatFamily::DeepSeek3},
    };
    for (const Case& c : cases) {
        const ChatTemplate t = ChatTemplate::detect(c.jinja);
        CHECK_MSG(t.family() == c.family, "template " << c.jinja << " -> " << t.name());
        CHECK(!t.assumed());
    }
    const ChatTemplate r1 = ChatTemplate::detect("{{'" + kUser + "'}}{{'" + kAssistant + "<think>\\n'}}{{'" + kEos + "'}}");
    CHECK(r1.family() == ChatFamily::DeepSeek3 && r1.starts_with_thinking());
    CHECK_EQ(std::string(r1.name()), std::string("DeepSeek R1"));
    const ChatTemplate unknown = ChatTemplate::detect("{% for m in messages %}<<{{ m.role }}>>{{ m.content }}{% endfor %}");
    CHECK(unknown.family() == ChatFamily::Plain && unknown.assumed());
    CHECK(unknown.note().find("unrecognized") != std::string::npos);
    CHECK(ChatTemplate::detect("").note().find("no chat template") != std::string::npos);
}

TEST_CASE("each family renders its documented format")
{
    struct Case {
        ChatFamily family;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {ChatFamily::ChatML, "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
                             "Hello!<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n"},
        {ChatFamily::Llama3, "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user"
                             "<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
                             "<|start_header_id|>user<|end_header_id|>\n\n2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"},
        {ChatFamily::Llama2, "[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello!</s>[INST] 2+2? [/INST]"},
        {ChatFamily::Mistral, "[INST] Be brief.\n\nHi [/INST] Hello!</s>[INST] 2+2? [/INST]"},
        {ChatFamily::DeepSeek2, "Be brief.\n\nUser: Hi\n\nAssistant: Hello!" + kEos + "User: 2+2?\n\nAssistant:"},
        {ChatFamily::DeepSeek3, "Be brief.\n\n" + kUser + "Hi" + kAssistant + "Hello!" + kEos + kUser + "2+2?" + kAssistant},
        {ChatFamily::Plain, "Be brief.\n\nUser: Hi\nAssistant: Hello!\nUser: 2+2?\nAssistant:"},
    };
    for (const Case& c : cases) {
        const std::string got = ChatTemplate::of(c.family).render(kChat);
        CHECK_MSG(got == c.expected, ChatTemplate::of(c.family).name() << ":\n got      " << got << "\n expected " << c.expected);
    }
}

TEST_CASE("R1: earlier reasoning leaves the history, the reply opens thinking")
{
    const ChatTemplate r1 = ChatTemplate::detect("{{'" + kUser + "'}}{{'" + kAssistant + "<think>\\n'}}{{'" + kEos + "'}}");
    const std::string got = r1.render({{"user", "Hi"}, {"assistant", "<think>\nthe user greets\n</think>\n\nHello!"}, {"user", "Bye"}});
    CHECK_EQ(got, kUser + "Hi" + kAssistant + "Hello!" + kEos + kUser + "Bye" + kAssistant + "<think>\n");
}

TEST_CASE("reasoning splits from the answer")
{
    ReplyParts p = split_reasoning("<think>\nLet me add.\n</think>\n\nFour.");
    CHECK_EQ(p.reasoning, std::string("Let me add."));
    CHECK_EQ(p.answer, std::string("Four."));
    CHECK(!p.thinking);
    p = split_reasoning("<think>still going");
    CHECK(p.thinking);
    CHECK_EQ(p.reasoning, std::string("still going"));
    CHECK(p.answer.empty());
    p = split_reasoning("No reasoning here.");
    CHECK(p.reasoning.empty() && p.answer == "No reasoning here.");
}
