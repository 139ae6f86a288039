// The families' formats as their model cards and official templates define them.
#include "chat_template.h"

#include <sstream>

namespace seekbench {
namespace {

bool contains(const std::string& s, const char* needle) { return s.find(needle) != std::string::npos; }

std::string trim(const std::string& s)
{
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos)
        return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

// R1's template drops earlier turns' reasoning from the history.
std::string without_reasoning(const std::string& s)
{
    const auto end = s.rfind("</think>");
    return end == std::string::npos ? s : trim(s.substr(end + 8));
}

} // namespace

ChatTemplate ChatTemplate::of(ChatFamily family)
{
    ChatTemplate t;
    t.m_family = family;
    return t;
}

ChatTemplate ChatTemplate::detect(const std::string& j)
{
    ChatTemplate t;
    t.m_has_template = !j.empty();
    if (contains(j, "<|im_start|>")) {
        t.m_family = ChatFamily::ChatML;
    } else if (contains(j, "<|start_header_id|>") && contains(j, "<|end_header_id|>")) {
        t.m_family = ChatFamily::Llama3;
    } else if (contains(j, "\xef\xbd\x9c" "Assistant" "\xef\xbd\x9c") && contains(j, "\xef\xbd\x9c" "User" "\xef\xbd\x9c")) {
        t.m_family = ChatFamily::DeepSeek3; // <｜User｜> <｜Assistant｜>
        t.m_think = contains(j, "<think>\\n") || contains(j, "<think>\n");
    } else if (contains(j, "'Assistant: ' + message['content']") || (contains(j, "User: ") && contains(j, "Assistant:") &&
                                                                     contains(j, "begin\xe2\x96\x81of\xe2\x96\x81sentence"))) {
        t.m_family = ChatFamily::DeepSeek2;
    } else if (contains(j, "[INST]")) {
        t.m_family = contains(j, "<<SYS>>") ? ChatFamily::Llama2 : ChatFamily::Mistral;
    } else {
        t.m_family = ChatFamily::Plain;
        t.m_assumed = t.m_has_template;
    }
    return t;
}

const char* ChatTemplate::name() const
{
    switch (m_family) {
    case ChatFamily::ChatML: return "ChatML (Qwen)";
    case ChatFamily::Llama2: return "Llama 2";
    case ChatFamily::Llama3: return "Llama 3";
    case ChatFamily::Mistral: return "Mistral";
    case ChatFamily::DeepSeek2: return "DeepSeek V2";
    case ChatFamily::DeepSeek3: return m_think ? "DeepSeek R1" : "DeepSeek V3";
    case ChatFamily::Plain: return "plain";
    }
    return "plain";
}

std::string ChatTemplate::note() const
{
    if (!m_has_template)
        return "the model has no chat template; using a plain User/Assistant layout";
    if (m_assumed)
        return "unrecognized chat template; assuming a plain User/Assistant layout";
    return std::string("chat template recognized as ") + name();
}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, bool gen) const
{
    std::ostringstream o;
    switch (m_family) {
    case ChatFamily::ChatML:
        for (const ChatMessage& m : messages)
            o << "<|im_start|>" << m.role << "\n" << m.content << "<|im_end|>\n";
        if (gen)
            o << "<|im_start|>assistant\n";
        break;
    case ChatFamily::Llama3:
        for (const ChatMessage& m : messages)
            o << "<|start_header_id|>" << m.role << "<|end_header_id|>\n\n" << trim(m.content) << "<|eot_id|>";
        if (gen)
            o << "<|start_header_id|>assistant<|end_header_id|>\n\n";
        break;
    case ChatFamily::Llama2:
    case ChatFamily::Mistral: {
        // Llama 2: [INST] <<SYS>>\nsys\n<</SYS>>\n\nuser [/INST] answer</s>[INST] ...
        // Mistral: [INST] sys\n\nuser [/INST] answer</s>[INST] ...
        bool open = false;
        for (const ChatMessage& m : messages) {
            if (!open) {
                o << "[INST] ";
                open = true;
            }
            if (m.role == "system")
                o << (m_family == ChatFamily::Llama2 ? "<<SYS>>\n" + m.content + "\n<</SYS>>\n\n" : m.content + "\n\n");
            else if (m.role == "user")
                o << m.content << " [/INST]";
            else {
                o << " " << trim(m.content) << "</s>";
                open = false;
            }
        }
        break;
    }
    case ChatFamily::DeepSeek2:
        for (const ChatMessage& m : messages) {
            if (m.role == "system")
                o << m.content << "\n\n";
            else if (m.role == "user")
                o << "User: " << m.content << "\n\n";
            else
                o << "Assistant: " << m.content << "<\xef\xbd\x9c" "end\xe2\x96\x81of\xe2\x96\x81sentence\xef\xbd\x9c>";
        }
        if (gen)
            o << "Assistant:";
        break;
    case ChatFamily::DeepSeek3:
        for (const ChatMessage& m : messages) {
            if (m.role == "system")
                o << m.content << "\n\n";
            else if (m.role == "user")
                o << "<\xef\xbd\x9c" "User\xef\xbd\x9c>" << m.content;
            else
                o << "<\xef\xbd\x9c" "Assistant\xef\xbd\x9c>" << without_reasoning(m.content)
                  << "<\xef\xbd\x9c" "end\xe2\x96\x81of\xe2\x96\x81sentence\xef\xbd\x9c>";
        }
        if (gen)
            o << "<\xef\xbd\x9c" "Assistant\xef\xbd\x9c>" << (m_think ? "<think>\n" : "");
        break;
    case ChatFamily::Plain:
        for (const ChatMessage& m : messages) {
            if (m.role == "system")
                o << m.content << "\n\n";
            else if (m.role == "user")
                o << "User: " << m.content << "\n";
            else // a reply as the model wrote it after "Assistant:" keeps its own leading space
                o << "Assistant:" << (m.content.starts_with(' ') ? "" : " ") << m.content << "\n";
        }
        if (gen)
            o << "Assistant:";
        break;
    }
    return o.str();
}

ReplyParts split_reasoning(const std::string& reply)
{
    ReplyParts parts;
    const auto open = reply.find("<think>");
    if (open == std::string::npos) {
        parts.answer = reply;
        return parts;
    }
    const auto close = reply.find("</think>", open);
    if (close == std::string::npos) {
        parts.reasoning = trim(reply.substr(open + 7));
        parts.thinking = true;
        parts.answer = trim(reply.substr(0, open));
        return parts;
    }
    parts.reasoning = trim(reply.substr(open + 7, close - open - 7));
    parts.answer = trim(reply.substr(0, open) + reply.substr(close + 8));
    return parts;
}

} // namespace seekbench
