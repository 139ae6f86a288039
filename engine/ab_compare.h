// Two files of one model side by side, token by token (the workbench's A/B lab). Each
// generates greedily from one prompt; then both read each text, so at every position of
// either text both next-token distributions are known in the same context, and their KL
// divergence says how far the two files stray there. No Qt; the app shows the result.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace seekbench {

class Backend;

struct AbCandidate {
    int32_t id = 0;
    double prob = 0;
};

struct AbToken {
    int32_t id = 0;
    std::string piece;                      // its text (may be part of a UTF-8 character)
    double kl = 0;                          // KL(A || B) of the distributions this token was drawn from
    std::vector<AbCandidate> top_a, top_b;  // the five most likely tokens of each there
};

struct AbSide {
    std::vector<AbToken> tokens;
    double tokens_per_second = 0;           // its own greedy generation
};

struct AbResult {
    AbSide a, b;
    int first_divergence = -1;              // index of the first token that differs; -1: none
    double mean_kl = 0;                     // over the positions of both texts
    double top1_agreement = 0;              // share of those positions whose most likely token agrees
};

struct AbOptions {
    int max_tokens = 64;
    const std::atomic<bool>* cancel = nullptr; // checked between tokens: Error (Cancelled)
    std::function<void(int done, int total)> progress; // tokens generated, of 2 * max_tokens
};

// Throws Error (InvalidArgument) when the vocabularies differ or the prompt is empty.
AbResult ab_compare(Backend& a, Backend& b, const std::vector<int32_t>& prompt, const AbOptions& options);

} // namespace seekbench
