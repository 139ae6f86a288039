// libFuzzer entry for the server's request parsing: any body, for each route, is either a
// request within the limits or an ApiError with a 4xx status; and the reasoning splitter
// takes any reply cut anywhere without losing or inventing a byte.
#include "app/server/openai.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace seekbench::server;

namespace {
void expect(bool ok)
{
    if (!ok)
        std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    const std::string body(reinterpret_cast<const char*>(data), size);
    Limits limits;
    limits.model_id = "m";
    limits.max_tokens = 64;
    limits.default_max_tokens = 16;
    for (Route route : {Route::Chat, Route::Completion}) {
        try {
            const CompletionRequest r = parse_completion(body, route, limits);
            expect(r.max_tokens >= 1 && r.max_tokens <= limits.max_tokens);
            expect(r.stop.size() <= 4 && r.logprobs <= 20);
            expect(route == Route::Chat ? !r.messages.empty() : (r.prompt_is_tokens || r.prompt_tokens.empty()));
        } catch (const ApiError& e) {
            expect(e.status >= 400 && e.status < 500);
            (void)e.body();
        }
    }
    try {
        const EmbeddingRequest r = parse_embedding(body, "e");
        expect(!r.inputs.empty() && r.inputs.size() <= 256);
    } catch (const ApiError& e) {
        expect(e.status >= 400 && e.status < 500);
    }
    // The splitter: the body as a reply, cut where its first byte says.
    const std::size_t cut = size ? data[0] % (size + 1) : 0;
    for (bool thinking : {false, true}) {
        ReasoningSplitter split(thinking);
        std::string out;
        for (const std::string& piece : {body.substr(0, cut), body.substr(cut)}) {
            const auto d = split.push(piece);
            out += d.reasoning + d.content;
        }
        const auto d = split.finish();
        out += d.reasoning + d.content;
        expect(out.size() <= body.size());
    }
    return 0;
}
