// The seam's shared pieces: batch checks, trace headers, and choosing the backend.
#include "backend.h"

#include "cpu/backend.h"
#include "cuda_loader.h"
#include "error.h"

#include <cstdlib>

namespace seekbench {

void check_batch(const ModelConfig& c, int n_ctx, int n_seq, const Batch& batch)
{
    for (int i = 0; i < batch.size(); ++i) {
        if (batch.tokens[i] < 0 || batch.tokens[i] >= c.n_vocab)
            throw Error(ErrorCode::InvalidArgument, "token id " + std::to_string(batch.tokens[i]) +
                                                        " is outside the vocabulary of " + std::to_string(c.n_vocab));
        if (batch.seq[i] < 0 || batch.seq[i] >= n_seq)
            throw Error(ErrorCode::InvalidArgument, "sequence slot " + std::to_string(batch.seq[i]) + " does not exist");
        if (batch.pos[i] < 0 || batch.pos[i] >= n_ctx)
            throw Error(ErrorCode::InvalidArgument, "position " + std::to_string(batch.pos[i]) +
                                                        " is outside the context of " + std::to_string(n_ctx));
    }
}

void begin_trace(const ModelConfig& c, const Batch& batch, Trace* trace)
{
    if (!trace)
        return;
    trace->n_layers = c.n_layers;
    trace->n_heads = c.n_heads;
    trace->n_experts = c.n_experts;
    trace->n_experts_used = c.n_experts_used;
    if (trace->model.empty())
        trace->model = c.name.empty() ? c.arch_name : c.name;
    trace->tokens.insert(trace->tokens.end(), batch.tokens.begin(), batch.tokens.end());
    trace->positions.insert(trace->positions.end(), batch.pos.begin(), batch.pos.end());
}

AttentionProbe attention_probe(Trace* trace, int layer, const Batch& batch, int n_heads)
{
    if (!trace || !trace->options.attention || !trace->options.wants_layer(layer))
        return {};
    const int M = batch.size();
    // Rows are made here, before the threads write into them: one per token per head kept.
    std::vector<std::pair<std::vector<std::vector<float>>*, std::size_t>> slots(static_cast<std::size_t>(n_heads),
                                                                               {nullptr, 0});
    for (int h = 0; h < n_heads; ++h) // first every map, since adding one may move the others
        if (trace->options.wants_head(h))
            trace->map(layer, h);
    for (int h = 0; h < n_heads; ++h) {
        if (!trace->options.wants_head(h))
            continue;
        AttentionMap& map = trace->map(layer, h);
        slots[static_cast<std::size_t>(h)] = {&map.probs, map.probs.size()};
        map.query_pos.insert(map.query_pos.end(), batch.pos.begin(), batch.pos.end());
        map.probs.resize(map.probs.size() + static_cast<std::size_t>(M));
    }
    return [slots](int m, int head, const float* probs, int n_keys) {
        const auto& [rows, base] = slots[static_cast<std::size_t>(head)];
        if (rows)
            (*rows)[base + static_cast<std::size_t>(m)].assign(probs, probs + n_keys);
    };
}

DeviceChoice parse_device(const std::string& name)
{
    if (name == "auto")
        return DeviceChoice::Auto;
    if (name == "cpu")
        return DeviceChoice::Cpu;
    if (name == "cuda")
        return DeviceChoice::Cuda;
    throw Error(ErrorCode::InvalidArgument, "the device must be cpu, cuda or auto, not '" + name + "'");
}

std::unique_ptr<Backend> open_backend(const Model& model, const BackendOptions& options, std::string* note)
{
    if (note)
        note->clear();
    if (model.config().is_encoder())
        throw Error(ErrorCode::Unsupported, model.file().path() + " is an embedding model (" + model.config().arch_name +
                                                "): it cannot chat or generate; open it as the Knowledge panel's "
                                                "embedding model, or use `seekbench-cli embed`");
    if (options.device != DeviceChoice::Cpu) {
        CudaOpen cuda = open_cuda_backend(model, options);
        if (cuda.backend)
            return std::move(cuda.backend);
        // Auto stays quiet when there is simply no GPU; anything else is worth saying.
        if (note && (options.device == DeviceChoice::Cuda || cuda.device_present))
            *note = cuda.why + "; running on the CPU";
    }
    const char* env = std::getenv("SEEKBENCH_CPU");
    const std::string tier = !options.cpu_tier.empty() ? options.cpu_tier : env ? env : "";
    return std::make_unique<CpuBackend>(model, options.threads, cpu_tier(tier));
}

} // namespace seekbench
