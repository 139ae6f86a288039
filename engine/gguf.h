// Reading GGUF (v2 and v3) files: memory-mapped, every count, offset, size, type and
// string checked before use, so a corrupt or hostile file yields a seekbench::Error that
// says what is wrong and where, never a crash or a read past the end. Tensor data stays in
// the mapping; nothing is copied.
#pragma once

#include "mapped_file.h"
#include "tensor_type.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seekbench {

enum class GgufType : uint32_t {
    U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, Bool = 7, String = 8,
    Array = 9, U64 = 10, I64 = 11, F64 = 12,
};
const char* gguf_type_name(GgufType type);
std::size_t gguf_value_size(GgufType type); // bytes of one number; 0 for strings and arrays

// One metadata value. Numbers are widened (integers to int64/uint64, floats to double);
// strings and string arrays point into the mapping.
struct GgufValue {
    GgufType type = GgufType::U8;
    GgufType elem_type = GgufType::U8;       // for arrays
    int64_t i = 0;                           // signed integers and bool
    uint64_t u = 0;                          // unsigned integers
    double f = 0;                            // floats
    std::string_view str;                    // String
    uint64_t count = 0;                      // Array: number of elements
    const uint8_t* array_data = nullptr;     // Array of numbers: packed little-endian elements
    std::vector<std::string_view> strings;   // Array of strings

    bool is_integer() const;
    bool is_number() const { return is_integer() || type == GgufType::F32 || type == GgufType::F64; }
    int64_t as_int() const;                  // integers and bool (caller checked is_integer)
    double as_double() const;
    // Element k of a numeric array, widened; k < count.
    int64_t array_int(uint64_t k) const;
    double array_double(uint64_t k) const;
};

struct GgufTensor {
    std::string name;
    TensorType type = TensorType::F32;
    int n_dims = 0;
    int64_t ne[4] = {1, 1, 1, 1};            // ne[0] is the contiguous (row) dimension
    uint64_t offset = 0;                     // from the start of the data section
    std::size_t nbytes = 0;
    const uint8_t* data = nullptr;           // inside the mapping

    int64_t elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
    std::string shape_string() const;        // "[1536, 8960]"
};

class GgufFile {
public:
    // Maps and validates the whole header and tensor table. Throws Error naming the file.
    static std::unique_ptr<GgufFile> open(const std::string& path);
    // Validates a file image already in memory (the fuzzer's entry); `bytes` must outlive it.
    static std::unique_ptr<GgufFile> parse(const uint8_t* bytes, std::size_t size,
                                           const std::string& label);
    ~GgufFile();
    GgufFile(const GgufFile&) = delete;
    GgufFile& operator=(const GgufFile&) = delete;

    const std::string& path() const { return m_path; }
    uint32_t version() const { return m_version; }
    std::size_t file_size() const { return m_size; }
    std::size_t alignment() const { return m_alignment; }
    std::size_t data_offset() const { return m_data_offset; }

    const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return m_kv; }
    const GgufValue* find(std::string_view key) const;
    const std::vector<GgufTensor>& tensors() const { return m_tensors; }
    const GgufTensor* find_tensor(std::string_view name) const;

    // Typed look-ups: nullopt when absent; Error naming the key when present with the
    // wrong type or out of range.
    std::optional<std::string> get_string(std::string_view key) const;
    std::optional<int64_t> get_int(std::string_view key) const;
    std::optional<double> get_float(std::string_view key) const;
    std::optional<bool> get_bool(std::string_view key) const;
    const GgufValue* get_array(std::string_view key, GgufType elem_type) const;

private:
    GgufFile() = default;
    void parse_all();

    std::string m_path;
    const uint8_t* m_base = nullptr;
    std::size_t m_size = 0;
    MappedFile m_map; // empty for parse()
    uint32_t m_version = 0;
    std::size_t m_alignment = 32;
    std::size_t m_data_offset = 0;
    std::vector<std::pair<std::string, GgufValue>> m_kv;
    std::map<std::string, std::size_t, std::less<>> m_kv_index;
    std::vector<GgufTensor> m_tensors;
    std::map<std::string, std::size_t, std::less<>> m_tensor_index;
};

} // namespace seekbench
