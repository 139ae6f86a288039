// Fill-in-the-middle: the tokens each code-model family trained with to ask for the text
// between a prefix and a suffix, found in the vocabulary (or named by llama.cpp's
// tokenizer.ggml.fim_*_token_id keys), and the prompt laid out the way that family trained
// it (prefix, suffix, then the middle to write). Leaves out: the repository-level formats
// (file separators, repo names) some families add on top.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seekbench {

class GgufFile;
class Tokenizer;

struct FimTokens {
    std::string family;          // "deepseek-coder", "qwen/starcoder", "codellama", "from metadata"
    int32_t prefix = -1, suffix = -1, middle = -1;
    std::vector<int32_t> stops;  // end the middle, besides end-of-generation tokens
};

// The model's FIM tokens, or nullopt when it has none (it cannot fill in the middle).
std::optional<FimTokens> find_fim_tokens(const Tokenizer& tokenizer, const GgufFile* file = nullptr);

// BOS (when the model adds one), prefix token, the prefix, suffix token, the suffix, middle
// token: the middle is what the model writes next.
std::vector<int32_t> fim_prompt(const Tokenizer& tokenizer, const FimTokens& fim, std::string_view prefix,
                                std::string_view suffix);

} // namespace seekbench
