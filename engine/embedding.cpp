// Embedder: tokenize, forward_encoder, pool, normalize.
#include "embedding.h"

#include "error.h"

#include <cmath>

namespace seekbench {

std::string embedding_prefix(const ModelConfig& config, EmbedPurpose purpose)
{
    // nomic-embed-text was trained with these task prefixes and needs them.
    if (config.arch == Arch::NomicBert)
        return purpose == EmbedPurpose::Query ? "search_query: " : "search_document: ";
    return {};
}

std::unique_ptr<Embedder> Embedder::open(const std::string& path, int n_threads,
                                         const std::function<void(float)>& progress)
{
    return std::make_unique<Embedder>(Model::load(path, progress), n_threads);
}

Embedder::Embedder(std::unique_ptr<Model> model, int n_threads) : m_model(std::move(model)), m_cpu(n_threads)
{
    if (!m_model->config().is_encoder())
        throw Error(ErrorCode::Unsupported, m_model->file().path() + " is a " + m_model->config().arch_name +
                                                " model, not an embedding model (bert or nomic-bert)");
}

Embedding Embedder::embed(std::string_view text)
{
    return embed_tokens(m_model->tokenizer().encode(text, true));
}

Embedding Embedder::embed_tokens(std::vector<int32_t> tokens)
{
    const ModelConfig& c = m_model->config();
    Embedding e;
    if (static_cast<int>(tokens.size()) > c.n_ctx_train) {
        // Keep the start, and the closing [SEP] the model saw in training.
        const int32_t last = tokens.back();
        tokens.resize(static_cast<std::size_t>(c.n_ctx_train));
        if (last == m_model->tokenizer().sep())
            tokens.back() = last;
        e.truncated = true;
    }
    e.tokens = static_cast<int>(tokens.size());
    forward_encoder(*m_model, m_cpu, tokens, m_state, m_hidden);
    const int M = e.tokens, dim = c.dim;
    e.vector.assign(static_cast<std::size_t>(dim), 0.0f);
    const auto row = [&](int m) { return &m_hidden[static_cast<std::size_t>(m) * static_cast<std::size_t>(dim)]; };
    switch (c.pooling) {
    case Pooling::Cls:
        std::copy(row(0), row(0) + dim, e.vector.begin());
        break;
    case Pooling::Last:
        std::copy(row(M - 1), row(M - 1) + dim, e.vector.begin());
        break;
    case Pooling::None: // a file that pools nothing still needs one vector per text here
    case Pooling::Mean: {
        std::vector<double> sum(static_cast<std::size_t>(dim), 0.0);
        for (int m = 0; m < M; ++m)
            for (int i = 0; i < dim; ++i)
                sum[static_cast<std::size_t>(i)] += row(m)[i];
        for (int i = 0; i < dim; ++i)
            e.vector[static_cast<std::size_t>(i)] = static_cast<float>(sum[static_cast<std::size_t>(i)] / M);
        break;
    }
    }
    double norm = 0;
    for (float v : e.vector)
        norm += static_cast<double>(v) * v;
    norm = std::sqrt(norm);
    if (norm > 0)
        for (float& v : e.vector)
            v = static_cast<float>(v / norm);
    return e;
}

} // namespace seekbench
