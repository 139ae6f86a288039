// Importance matrices: for each weight matrix (each expert of a stacked one), the sum of the
// squared activations every input column met over a calibration text, and how many rows
// were summed. Quantization then weighs each column's error by them (quantize_row_weighted).
// Read and written in llama.cpp's imatrix GGUF layout (NAME.in_sum2, NAME.counts), so files
// made by either tool serve the other.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace seekbench {

class CpuBackend;

struct ImatrixEntry {
    int64_t cols = 0;
    std::vector<double> sum2;     // n_mat x cols
    std::vector<double> counts;   // n_mat: rows summed into each
};

struct ImportanceMatrix {
    std::map<std::string, ImatrixEntry> entries; // by weight tensor name
    std::vector<std::string> datasets;
    int chunks = 0, chunk_size = 0;

    // Matrix `mat`'s mean squared activation per column; empty when the tensor has no entry
    // (or no rows for that expert, or another row length).
    std::vector<float> column_means(const std::string& name, int64_t mat, int64_t cols) const;
    void write(const std::string& path) const;
    static ImportanceMatrix read(const std::string& path); // Error (Format) naming what is wrong
};

// The text (tokens, BOS first where the model uses one) through the model in chunks of
// n_ctx, every matmul's input squares summed per column. progress(chunk, chunks); Error
// (Cancelled) when `cancel` is set between chunks.
ImportanceMatrix compute_imatrix(CpuBackend& cpu, const std::vector<int32_t>& tokens, int n_ctx,
                                 const std::function<void(int, int)>& progress = {},
                                 const std::atomic<bool>* cancel = nullptr);

} // namespace seekbench
