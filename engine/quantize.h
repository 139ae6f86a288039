// Re-encoding a model's weights in another tensor format. For the named mixes users know
// (Q4_K_M, Q5_K_M, ...) each tensor's format is chosen as llama.cpp's llama-quantize
// chooses it (attention V and some FFN-down layers get more bits, the output matrix Q6_K),
// so a file made here holds the same tensor types as one made there. Every metadata key is
// carried over; the file type key is set to the mix's. Leaves out the 2- and 3-bit mixes.
#pragma once

#include "tensor_type.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace seekbench {

class GgufFile;

struct QuantMix {
    const char* name;       // "Q4_K_M", as llama-quantize spells it
    int file_type;          // general.file_type (llama.cpp's LLAMA_FTYPE_*)
    TensorType base;        // what most weights become
    const char* about;      // one line for --help and the workbench
};
const std::vector<QuantMix>& quant_mixes();
const QuantMix* find_quant_mix(const std::string& name); // any case: "q4_k_m"

// What happens to one tensor.
struct QuantPlanRow {
    std::string name;
    TensorType from = TensorType::F32, to = TensorType::F32;
    std::vector<int64_t> dims;              // ne[0] first
    std::size_t bytes_from = 0, bytes_to = 0;
};
// Throws Error (InvalidArgument) when a weight is already quantized and `allow_requantize`
// is off: requantizing loses quality twice, so it must be asked for.
std::vector<QuantPlanRow> plan_quantization(const GgufFile& in, const QuantMix& mix,
                                            bool allow_requantize = false);

struct ImportanceMatrix;

struct QuantizeOptions {
    int threads = 0;                                   // 0: one per core
    bool allow_requantize = false;
    // Weighs each column's error by the activations it met (imatrix.h); tensors it has no
    // entry for are quantized without.
    const ImportanceMatrix* imatrix = nullptr;
    const std::atomic<bool>* cancel = nullptr;         // checked between row chunks
    // Bytes of output produced so far and in all; and the tensor being written.
    std::function<void(std::size_t done, std::size_t total, const QuantPlanRow& row)> progress;
};

struct QuantizeResult {
    std::vector<QuantPlanRow> plan;
    std::size_t bytes_in = 0, bytes_out = 0;           // tensor data only
    double seconds = 0;
};

// Writes `out_path` (via a temporary file: a failure or cancel leaves nothing behind).
// Throws Error: Cancelled when `cancel` was set, Io for a full disk, Format for a bad input.
QuantizeResult quantize_model(const std::string& in_path, const std::string& out_path,
                              const QuantMix& mix, const QuantizeOptions& options);

} // namespace seekbench
