// libFuzzer entry for chat templates: the input is split at NUL bytes into a Jinja
// template (detection only reads it) and messages with roles; rendering and splitting a
// reply into reasoning and answer must never crash whatever the text holds.
#include "engine/chat_template.h"
#include "engine/error.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    std::vector<std::string> parts(1);
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == 0)
            parts.emplace_back();
        else
            parts.back() += static_cast<char>(data[i]);
    }
    try {
        const seekbench::ChatTemplate detected = seekbench::ChatTemplate::detect(parts[0]);
        std::vector<seekbench::ChatMessage> messages;
        static const char* roles[] = {"system", "user", "assistant", "tool", ""};
        for (std::size_t i = 1; i < parts.size(); ++i)
            messages.push_back({roles[(parts[i].empty() ? 0 : static_cast<unsigned char>(parts[i][0])) % 5], parts[i]});
        (void)detected.render(messages, true);
        (void)detected.render(messages, false);
        (void)detected.note();
        for (int family = 0; family <= static_cast<int>(seekbench::ChatFamily::Plain); ++family)
            (void)seekbench::ChatTemplate::of(static_cast<seekbench::ChatFamily>(family)).render(messages, true);
        const seekbench::ReplyParts split = seekbench::split_reasoning(parts.back());
        if (split.reasoning.size() + split.answer.size() > parts.back().size())
            __builtin_trap(); // splitting never invents text
    } catch (const seekbench::Error&) {
    }
    return 0;
}
