// What the converters share: tensors produced a row range at a time as floats, written in
// the chosen type on the thread pool, with progress and cancel between slabs.
#pragma once

#include "convert.h"
#include "engine/gguf_writer.h"
#include "engine/tensor_type.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace seekbench {

class ThreadPool;

// Fills rows [first, first + n) of a tensor, `cols` floats each, into `out`.
using RowSource = std::function<void(int64_t first, int64_t n, float* out)>;

class ConvertWriter {
public:
    ConvertWriter(GgufWriter& writer, const ConvertOptions& options, TensorType weight_type);
    ~ConvertWriter();

    // dims: ne[0] (the row length) first. Weights (2-D and more) take the chosen type where
    // their rows fit its blocks (F16 otherwise); vectors stay F32.
    void add(const std::string& name, std::vector<int64_t> dims, RowSource rows, bool keep_f32 = false);
    std::size_t bytes() const { return m_total; }
    int tensors() const { return m_count; }

private:
    GgufWriter& m_writer;
    const ConvertOptions& m_options;
    TensorType m_type;
    std::unique_ptr<ThreadPool> m_pool;
    std::size_t m_total = 0, m_done = 0;
    int m_count = 0;
};

// "auto" -> `source`; otherwise f32, f16, bf16 or q8_0. Throws InvalidArgument.
TensorType convert_weight_type(const std::string& name, TensorType source);

// The vocabulary of a Hugging Face folder (tokenizer.json, tokenizer_config.json, config.json)
// as GGUF tokenizer metadata; `config_vocab`: config.json's vocab_size (0 when absent).
void add_hf_tokenizer(GgufWriter& w, const std::string& folder, const std::string& arch, int64_t config_vocab);

ConvertResult convert_llama2c(const std::string& model, const std::string& out, const ConvertOptions& options);
ConvertResult convert_hf(const std::string& folder, const std::string& out, const ConvertOptions& options);

} // namespace seekbench
