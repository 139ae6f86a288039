// The tensor element formats GGUF files use, with GGML's numeric type ids (they are what
// the file stores), block sizes and bytes per block. Formats we can read are listed in
// kTypeTraits; anything else is reported as unsupported by name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace seekbench {

enum class TensorType : uint32_t {
    F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
    Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
    IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21, IQ2_S = 22,
    IQ4_XS = 23, I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, IQ1_M = 29, BF16 = 30,
    TQ1_0 = 34, TQ2_0 = 35, MXFP4 = 39,
};

struct TypeTraits {
    const char* name;      // as llama.cpp prints it: "q4_K", "f16"
    int block_size;        // elements per block (1 for plain floats)
    int block_bytes;       // bytes per block
    bool supported;        // we can dequantize it
};

// Traits of a type id read from a file; nullopt for ids GGML never defined.
std::optional<TypeTraits> type_traits(uint32_t type_id);
TypeTraits traits(TensorType type);       // for ids known to be valid
const char* type_name(TensorType type);
std::optional<TensorType> type_from_name(const std::string& name);  // "q4_k" or "Q4_K"

// `type`, or where rows of `cols` values do not fill its blocks, what llama-quantize writes
// instead (Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0; F16 when that does not fit either):
// DeepSeek-V2-Lite's 1,408-wide expert rows in a Q4_K_M file are Q5_0.
TensorType fit_row(TensorType type, int64_t cols);

// Bytes of `n` elements stored as `type` (n must be a multiple of the block size).
inline std::size_t row_bytes(TensorType type, int64_t n)
{
    const TypeTraits t = traits(type);
    return static_cast<std::size_t>(n / t.block_size) * static_cast<std::size_t>(t.block_bytes);
}

} // namespace seekbench
