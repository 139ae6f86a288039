// Chat templates: a model's tokenizer.chat_template (Jinja) identified as one of the
// families in use, and conversations rendered in that family's exact format. Templates we
// do not recognize fall back to a plain "User:/Assistant:" layout and say so.
#pragma once

#include <string>
#include <vector>

namespace seekbench {

enum class ChatFamily { ChatML, Llama2, Llama3, Mistral, DeepSeek2, DeepSeek3, Plain };

struct ChatMessage {
    std::string role; // "system", "user", "assistant"
    std::string content;
};

class ChatTemplate {
public:
    // From the GGUF's tokenizer.chat_template ("" when the file has none).
    static ChatTemplate detect(const std::string& jinja);
    static ChatTemplate of(ChatFamily family);

    ChatFamily family() const { return m_family; }
    const char* name() const;            // "ChatML (Qwen)", "DeepSeek V3/R1", ...
    bool assumed() const { return m_assumed; } // the template was not recognized
    std::string note() const;            // why this family, for the model panel
    bool starts_with_thinking() const { return m_think; } // R1: the reply opens inside <think>

    // The prompt text, special tokens spelled out (tokenize with parse_special); BOS is
    // left to the tokenizer. With `add_generation_prompt`, ends where the reply begins.
    std::string render(const std::vector<ChatMessage>& messages, bool add_generation_prompt = true) const;

private:
    ChatFamily m_family = ChatFamily::Plain;
    bool m_assumed = false;
    bool m_has_template = false;
    bool m_llama2_system = true;  // <<SYS>> blocks (Llama 2 chat); else the system text leads
    bool m_think = false;
};

// Splits a reply into its reasoning (inside <think>...</think>) and its answer. An open
// <think> without its end (still streaming) counts as all reasoning.
struct ReplyParts {
    std::string reasoning;
    std::string answer;
    bool thinking = false; // the reasoning is still open
};
ReplyParts split_reasoning(const std::string& reply);

} // namespace seekbench
