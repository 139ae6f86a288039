// Text embeddings from an encoder model (bert, nomic-bert as GGUF names them): the text is
// tokenized ([CLS] ... [SEP]), encoded in one bidirectional pass, pooled as the file says
// (mean, CLS or last token) and L2-normalized, so a dot product is the cosine. Decoders
// cannot embed here; the chat models stay in Session.
#pragma once

#include "cpu/cpu_device.h"
#include "forward.h"
#include "model.h"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace seekbench {

struct Embedding {
    std::vector<float> vector; // dim values, unit length
    int tokens = 0;            // tokens encoded, [CLS] and [SEP] included
    bool truncated = false;    // the text had more tokens than the context; the rest was dropped
};

// What a text is for: some models were trained with a task prefix on each side.
enum class EmbedPurpose { Query, Document };

// The prefix a model expects before a query or a document ("search_query: " for
// nomic-embed-text), "" for models trained without one.
std::string embedding_prefix(const ModelConfig& config, EmbedPurpose purpose);

class Embedder {
public:
    // Loads an encoder; throws Error (Unsupported) for a model that is not one.
    static std::unique_ptr<Embedder> open(const std::string& path, int n_threads = 0,
                                          const std::function<void(float)>& progress = {});
    explicit Embedder(std::unique_ptr<Model> model, int n_threads = 0);

    // The embedding of `text` exactly as given (add embedding_prefix() yourself).
    Embedding embed(std::string_view text);
    // The pooled, normalized vector of tokens already made (tests, the reference).
    Embedding embed_tokens(std::vector<int32_t> tokens);

    int dim() const { return m_model->config().dim; }
    const Model& model() const { return *m_model; }
    CpuDevice& cpu() { return m_cpu; }

private:
    std::unique_ptr<Model> m_model;
    CpuDevice m_cpu;
    ForwardState m_state;
    std::vector<float> m_hidden;
};

} // namespace seekbench
