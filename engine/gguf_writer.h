// Writing GGUF v3 files: metadata of every type and tensors whose bytes are produced one
// tensor at a time (so a multi-GB model never sits in memory whole). Writes to a
// temporary file and renames it into place, so a failure leaves no partial model behind.
#pragma once

#include "gguf.h"
#include "tensor_type.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace seekbench {

class GgufWriter {
public:
    // Fills exactly `nbytes` bytes of the tensor's data.
    using Fill = std::function<void(uint8_t* out, std::size_t nbytes)>;

    void set_alignment(uint32_t alignment);        // default 32, written as general.alignment when not 32

    void add_u32(const std::string& key, uint32_t v);
    void add_i32(const std::string& key, int32_t v);
    void add_u64(const std::string& key, uint64_t v);
    void add_f32(const std::string& key, float v);
    void add_bool(const std::string& key, bool v);
    void add_string(const std::string& key, const std::string& v);
    void add_strings(const std::string& key, const std::vector<std::string>& v);
    void add_f32s(const std::string& key, const std::vector<float>& v);
    void add_i32s(const std::string& key, const std::vector<int32_t>& v);
    // A value read from another file, re-encoded as it was (conversion and quantization
    // carry every key over).
    void add_value(const std::string& key, const GgufValue& v);
    // Raw escape hatch for tests that need odd files: the value bytes exactly as written.
    void add_raw(const std::string& key, GgufType type, std::vector<uint8_t> value_bytes);

    // dims: ne[0] first (the row length). Throws if ne[0] is not a multiple of the block.
    void add_tensor(const std::string& name, TensorType type, std::vector<int64_t> dims, Fill fill);
    void add_tensor(const std::string& name, TensorType type, std::vector<int64_t> dims,
                    std::vector<uint8_t> bytes);

    // Writes everything; `on_progress(done, total)` after each tensor. Throws Error (Io)
    // on any write failure (a full disk included), leaving `path` as it was.
    void write(const std::string& path,
               const std::function<void(std::size_t, std::size_t)>& on_progress = {}) const;

private:
    struct Kv {
        std::string key;
        GgufType type;
        std::vector<uint8_t> bytes; // the value as it appears after the type
    };
    struct Tensor {
        std::string name;
        TensorType type;
        std::vector<int64_t> dims;
        std::size_t nbytes;
        Fill fill;
    };
    void add(const std::string& key, GgufType type, std::vector<uint8_t> bytes);

    uint32_t m_alignment = 32;
    std::vector<Kv> m_kv;
    std::vector<Tensor> m_tensors;
};

} // namespace seekbench
