// Where an answer's attention went: the share of the attention mass that the answer's
// tokens put on each retrieved passage of the prompt, averaged over the traced layers,
// heads and answer tokens. The app shows it beside the citations; a passage that was
// retrieved but not attended to comes out near zero.
#pragma once

#include "trace.h"

#include <string>
#include <utility>
#include <vector>

namespace seekbench {

struct Provenance {
    std::vector<double> shares;                 // per passage, in [0, 1]
    double attended = 0;                        // all passages together: the sum of shares
    std::vector<std::vector<double>> per_token; // per answer token (from answer_begin), per passage
};

// `answer_begin`, `answer_end`: token indices of the answer in trace.tokens; `spans`: token
// index ranges [first, last) of the passages. Maps whose rows do not cover the answer are
// skipped; with no usable map every share is 0.
Provenance attention_provenance(const Trace& trace, int answer_begin, int answer_end,
                                const std::vector<std::pair<int, int>>& spans);

// The token ranges that hold each text, found in order in the concatenation of `pieces`
// (a token counts when any of its bytes is inside the text); {0, 0} for a text not there.
std::vector<std::pair<int, int>> token_spans(const std::vector<std::string>& pieces,
                                             const std::vector<std::string>& texts);

} // namespace seekbench
