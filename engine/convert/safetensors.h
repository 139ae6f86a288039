// Reading safetensors (Hugging Face's weight files): an 8-byte little-endian header length,
// a JSON header giving each tensor's dtype, shape and byte range, then the data. Mapped, not
// copied; every length, range and shape is checked before use, so a corrupt or hostile file
// yields an Error naming the file and tensor (a fuzz target feeds it mutated files).
// Reads F32, F16 and BF16 (what checkpoints ship); other dtypes are named and refused.
#pragma once

#include "engine/mapped_file.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace seekbench {

enum class StDtype { F32, F16, BF16 };
const char* st_dtype_name(StDtype dtype);

struct StTensor {
    std::string name;
    StDtype dtype = StDtype::F32;
    std::vector<int64_t> shape;            // outermost first, as PyTorch lists it
    const uint8_t* data = nullptr;
    std::size_t nbytes = 0;

    int64_t elements() const;
    // Elements [first, first + n) as floats.
    void to_f32(int64_t first, int64_t n, float* out) const;
};

class SafetensorsFile {
public:
    static std::unique_ptr<SafetensorsFile> open(const std::string& path);
    // A file image already in memory (the fuzzer's entry); `bytes` must outlive the result.
    static std::unique_ptr<SafetensorsFile> parse(const uint8_t* bytes, std::size_t size, const std::string& label);

    const std::string& path() const { return m_path; }
    const std::vector<StTensor>& tensors() const { return m_tensors; }
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }

private:
    void parse_all(const uint8_t* bytes, std::size_t size);

    std::string m_path;
    MappedFile m_map;
    std::vector<StTensor> m_tensors;
    std::map<std::string, std::string> m_metadata;
};

// A checkpoint folder's weights: model.safetensors, or the shards its index names (or, with
// no index, every *.safetensors in the folder). A name found twice is an error.
class Checkpoint {
public:
    static Checkpoint open_folder(const std::string& folder);
    const StTensor* find(const std::string& name) const;
    const StTensor& get(const std::string& name) const;     // Error (Format) naming it when absent
    std::vector<std::string> names() const;                 // sorted
    std::size_t bytes() const;

private:
    std::vector<std::unique_ptr<SafetensorsFile>> m_files;
    std::map<std::string, const StTensor*> m_index;
};

} // namespace seekbench
