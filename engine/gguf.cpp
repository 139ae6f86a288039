// GGUF parsing. A Reader walks the header with bounds checks on every read; limits on
// counts and sizes stop absurd values before any allocation.
#include "gguf.h"

#include "error.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace seekbench {
namespace {

constexpr uint32_t kMagic = 0x46554747; // "GGUF" little-endian
constexpr uint64_t kMaxStringBytes = 1ull << 30;
constexpr int kMaxDims = 4;

bool valid_type(uint32_t t) { return t <= static_cast<uint32_t>(GgufType::F64); }

class Reader {
public:
    Reader(const uint8_t* base, std::size_t size, const std::string& label)
        : m_base(base), m_size(size), m_label(label) {}

    std::size_t pos() const { return m_pos; }
    std::size_t remaining() const { return m_size - m_pos; }

    [[noreturn]] void fail(const std::string& what) const
    {
        throw Error(ErrorCode::Format, m_label + ": " + what + " (at byte " + std::to_string(m_pos) + ")");
    }

    const uint8_t* take(std::size_t n, const char* what)
    {
        if (n > remaining())
            fail(std::string("file is truncated: ") + what + " needs " + std::to_string(n) +
                 " bytes, only " + std::to_string(remaining()) + " left");
        const uint8_t* p = m_base + m_pos;
        m_pos += n;
        return p;
    }

    template <typename T> T read(const char* what)
    {
        T v;
        std::memcpy(&v, take(sizeof(T), what), sizeof(T));
        return v;
    }

    std::string_view string(const char* what)
    {
        const uint64_t n = read<uint64_t>(what);
        if (n > kMaxStringBytes || n > remaining())
            fail(std::string(what) + " claims " + std::to_string(n) + " bytes, more than the " +
                 std::to_string(remaining()) + " left in the file");
        const auto* p = take(static_cast<std::size_t>(n), what);
        return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
    }

private:
    const uint8_t* m_base;
    std::size_t m_size;
    std::size_t m_pos = 0;
    const std::string& m_label;
};

void read_scalar(Reader& r, GgufType type, GgufValue& v, const std::string& key)
{
    const char* what = "a metadata value";
    switch (type) {
    case GgufType::U8: v.u = r.read<uint8_t>(what); v.i = static_cast<int64_t>(v.u); break;
    case GgufType::I8: v.i = r.read<int8_t>(what); break;
    case GgufType::U16: v.u = r.read<uint16_t>(what); v.i = static_cast<int64_t>(v.u); break;
    case GgufType::I16: v.i = r.read<int16_t>(what); break;
    case GgufType::U32: v.u = r.read<uint32_t>(what); v.i = static_cast<int64_t>(v.u); break;
    case GgufType::I32: v.i = r.read<int32_t>(what); break;
    case GgufType::U64: v.u = r.read<uint64_t>(what); v.i = static_cast<int64_t>(v.u); break;
    case GgufType::I64: v.i = r.read<int64_t>(what); break;
    case GgufType::F32: v.f = r.read<float>(what); break;
    case GgufType::F64: v.f = r.read<double>(what); break;
    case GgufType::Bool: {
        const uint8_t b = r.read<uint8_t>(what);
        if (b > 1)
            r.fail("boolean '" + key + "' has value " + std::to_string(b));
        v.i = b;
        break;
    }
    case GgufType::String: v.str = r.string("a string value"); break;
    case GgufType::Array: r.fail("nested arrays are not supported (key '" + key + "')");
    }
}

} // namespace

std::size_t gguf_value_size(GgufType t)
{
    switch (t) {
    case GgufType::U8: case GgufType::I8: case GgufType::Bool: return 1;
    case GgufType::U16: case GgufType::I16: return 2;
    case GgufType::U32: case GgufType::I32: case GgufType::F32: return 4;
    case GgufType::U64: case GgufType::I64: case GgufType::F64: return 8;
    default: return 0;
    }
}

const char* gguf_type_name(GgufType type)
{
    static const char* names[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32",
                                  "bool", "string", "array", "u64", "i64", "f64"};
    const auto i = static_cast<uint32_t>(type);
    return i < 13 ? names[i] : "invalid";
}

bool GgufValue::is_integer() const
{
    switch (type) {
    case GgufType::U8: case GgufType::I8: case GgufType::U16: case GgufType::I16:
    case GgufType::U32: case GgufType::I32: case GgufType::U64: case GgufType::I64:
    case GgufType::Bool:
        return true;
    default:
        return false;
    }
}

int64_t GgufValue::as_int() const { return i; }

double GgufValue::as_double() const
{
    if (type == GgufType::F32 || type == GgufType::F64)
        return f;
    if (type == GgufType::U64)
        return static_cast<double>(u);
    return static_cast<double>(i);
}

int64_t GgufValue::array_int(uint64_t k) const
{
    const uint8_t* p = array_data + k * gguf_value_size(elem_type);
    switch (elem_type) {
    case GgufType::U8: case GgufType::Bool: return *p;
    case GgufType::I8: return static_cast<int8_t>(*p);
    case GgufType::U16: { uint16_t x; std::memcpy(&x, p, 2); return x; }
    case GgufType::I16: { int16_t x; std::memcpy(&x, p, 2); return x; }
    case GgufType::U32: { uint32_t x; std::memcpy(&x, p, 4); return x; }
    case GgufType::I32: { int32_t x; std::memcpy(&x, p, 4); return x; }
    case GgufType::U64: { uint64_t x; std::memcpy(&x, p, 8); return static_cast<int64_t>(x); }
    case GgufType::I64: { int64_t x; std::memcpy(&x, p, 8); return x; }
    case GgufType::F32: { float x; std::memcpy(&x, p, 4); return static_cast<int64_t>(x); }
    case GgufType::F64: { double x; std::memcpy(&x, p, 8); return static_cast<int64_t>(x); }
    default: return 0;
    }
}

double GgufValue::array_double(uint64_t k) const
{
    const uint8_t* p = array_data + k * gguf_value_size(elem_type);
    if (elem_type == GgufType::F32) {
        float x;
        std::memcpy(&x, p, 4);
        return x;
    }
    if (elem_type == GgufType::F64) {
        double x;
        std::memcpy(&x, p, 8);
        return x;
    }
    return static_cast<double>(array_int(k));
}

std::string GgufTensor::shape_string() const
{
    std::string s = "[";
    for (int d = 0; d < n_dims; ++d)
        s += (d ? ", " : "") + std::to_string(ne[d]);
    return s + "]";
}

std::unique_ptr<GgufFile> GgufFile::open(const std::string& path)
{
    MappedFile map = MappedFile::open(path);
    if (map.size() < 24)
        throw Error(ErrorCode::Format, path + ": file is truncated: " + std::to_string(map.size()) +
                                           " bytes is too short for a GGUF header");
    std::unique_ptr<GgufFile> file(new GgufFile);
    file->m_path = path;
    file->m_base = map.data();
    file->m_size = map.size();
    file->m_map = std::move(map);
    file->parse_all();
    return file;
}

std::unique_ptr<GgufFile> GgufFile::parse(const uint8_t* bytes, std::size_t size,
                                          const std::string& label)
{
    std::unique_ptr<GgufFile> file(new GgufFile);
    file->m_path = label;
    file->m_base = bytes;
    file->m_size = size;
    file->parse_all();
    return file;
}

GgufFile::~GgufFile() = default;

void GgufFile::parse_all()
{
    Reader r(m_base, m_size, m_path);
    const uint32_t magic = r.read<uint32_t>("the magic number");
    if (magic != kMagic)
        r.fail("not a GGUF file (bad magic number)");
    m_version = r.read<uint32_t>("the version");
    if (m_version == 1)
        r.fail("GGUF version 1 is not supported; convert the file to version 3");
    if (m_version != 2 && m_version != 3)
        r.fail("unknown GGUF version " + std::to_string(m_version));
    const uint64_t n_tensors = r.read<uint64_t>("the tensor count");
    const uint64_t n_kv = r.read<uint64_t>("the metadata count");
    // Each key/value takes at least 8 (key length) + 4 (type) + 1 bytes, each tensor at
    // least 8 + 4 + 8 + 4 + 8: more than the file can hold is corrupt.
    if (n_kv > r.remaining() / 13)
        r.fail("metadata count " + std::to_string(n_kv) + " is impossible for a file of " +
               std::to_string(m_size) + " bytes");
    if (n_tensors > r.remaining() / 32)
        r.fail("tensor count " + std::to_string(n_tensors) + " is impossible for a file of " +
               std::to_string(m_size) + " bytes");

    m_kv.reserve(static_cast<std::size_t>(n_kv));
    for (uint64_t k = 0; k < n_kv; ++k) {
        const std::string key(r.string("a metadata key"));
        if (key.empty())
            r.fail("metadata key " + std::to_string(k) + " is empty");
        if (m_kv_index.count(key))
            r.fail("metadata key '" + key + "' appears twice");
        const uint32_t type = r.read<uint32_t>("a metadata type");
        if (!valid_type(type))
            r.fail("metadata '" + key + "' has unknown type " + std::to_string(type));
        GgufValue v;
        v.type = static_cast<GgufType>(type);
        if (v.type == GgufType::Array) {
            const uint32_t elem = r.read<uint32_t>("an array type");
            if (!valid_type(elem))
                r.fail("array '" + key + "' has unknown element type " + std::to_string(elem));
            v.elem_type = static_cast<GgufType>(elem);
            v.count = r.read<uint64_t>("an array length");
            if (v.elem_type == GgufType::Array)
                r.fail("nested arrays are not supported (key '" + key + "')");
            if (v.elem_type == GgufType::String) {
                if (v.count > r.remaining() / 8)
                    r.fail("array '" + key + "' claims " + std::to_string(v.count) +
                           " strings, more than the file can hold");
                v.strings.reserve(static_cast<std::size_t>(v.count));
                for (uint64_t e = 0; e < v.count; ++e)
                    v.strings.push_back(r.string("an array string"));
            } else {
                const std::size_t es = gguf_value_size(v.elem_type);
                if (v.count > r.remaining() / es)
                    r.fail("array '" + key + "' claims " + std::to_string(v.count) +
                           " elements, more than the file can hold");
                v.array_data = r.take(static_cast<std::size_t>(v.count) * es, "array data");
                if (v.elem_type == GgufType::Bool)
                    for (uint64_t e = 0; e < v.count; ++e)
                        if (v.array_data[e] > 1)
                            r.fail("array '" + key + "' holds a boolean that is not 0 or 1");
            }
        } else {
            read_scalar(r, v.type, v, key);
        }
        m_kv_index.emplace(key, m_kv.size());
        m_kv.emplace_back(key, std::move(v));
    }

    if (const GgufValue* a = find("general.alignment")) {
        if (a->type != GgufType::U32)
            r.fail(std::string("general.alignment must be u32, not ") + gguf_type_name(a->type));
        if (a->u == 0 || (a->u & (a->u - 1)) != 0 || a->u > (1u << 20))
            r.fail("general.alignment " + std::to_string(a->u) + " is not a power of two up to 1 MiB");
        m_alignment = static_cast<std::size_t>(a->u);
    }

    m_tensors.reserve(static_cast<std::size_t>(n_tensors));
    for (uint64_t t = 0; t < n_tensors; ++t) {
        GgufTensor info;
        info.name = std::string(r.string("a tensor name"));
        const std::string who = "tensor '" + info.name + "'";
        if (info.name.empty())
            r.fail("tensor " + std::to_string(t) + " has an empty name");
        if (m_tensor_index.count(info.name))
            r.fail(who + " appears twice");
        const uint32_t n_dims = r.read<uint32_t>("a tensor's dimension count");
        if (n_dims < 1 || n_dims > kMaxDims)
            r.fail(who + " has " + std::to_string(n_dims) + " dimensions (1 to 4 allowed)");
        info.n_dims = static_cast<int>(n_dims);
        uint64_t elements = 1;
        for (uint32_t d = 0; d < n_dims; ++d) {
            const uint64_t n = r.read<uint64_t>("a tensor dimension");
            if (n == 0 || n > (1ull << 40) || elements > (1ull << 50) / n)
                r.fail(who + " has an impossible dimension " + std::to_string(n));
            info.ne[d] = static_cast<int64_t>(n);
            elements *= n;
        }
        const uint32_t type = r.read<uint32_t>("a tensor type");
        const auto tt = type_traits(type);
        if (!tt)
            r.fail(who + " has unknown type id " + std::to_string(type));
        info.type = static_cast<TensorType>(type);
        if (info.ne[0] % tt->block_size != 0)
            r.fail(who + " of type " + tt->name + " has rows of " + std::to_string(info.ne[0]) +
                   " values, not a multiple of its block size " + std::to_string(tt->block_size));
        info.nbytes = static_cast<std::size_t>(elements / static_cast<uint64_t>(tt->block_size) *
                                               static_cast<uint64_t>(tt->block_bytes));
        info.offset = r.read<uint64_t>("a tensor offset");
        if (info.offset % m_alignment != 0)
            r.fail(who + " starts at offset " + std::to_string(info.offset) +
                   ", not a multiple of the alignment " + std::to_string(m_alignment));
        m_tensor_index.emplace(info.name, m_tensors.size());
        m_tensors.push_back(std::move(info));
    }

    // The data section starts at the next multiple of the alignment.
    const std::size_t header_end = r.pos();
    m_data_offset = (header_end + m_alignment - 1) / m_alignment * m_alignment;
    if (!m_tensors.empty() && m_data_offset > m_size)
        throw Error(ErrorCode::Format, m_path + ": file is truncated: the tensor data section "
                                                "would start past the end of the file");
    const std::size_t data_size = m_data_offset <= m_size ? m_size - m_data_offset : 0;
    for (GgufTensor& info : m_tensors) {
        if (info.offset > data_size || info.nbytes > data_size - info.offset)
            throw Error(ErrorCode::Format,
                        m_path + ": tensor '" + info.name + "' (" + std::to_string(info.nbytes) +
                            " bytes at data offset " + std::to_string(info.offset) +
                            ") extends past the end of the file; the file is truncated or corrupt");
        info.data = m_base + m_data_offset + info.offset;
    }
    // Two tensors sharing bytes means a corrupt header (or a type changed so that one runs
    // into the next): their values would be garbage.
    std::vector<const GgufTensor*> by_offset;
    for (const GgufTensor& info : m_tensors)
        by_offset.push_back(&info);
    std::sort(by_offset.begin(), by_offset.end(), [](const GgufTensor* a, const GgufTensor* b) { return a->offset < b->offset; });
    for (std::size_t i = 1; i < by_offset.size(); ++i) {
        const GgufTensor& prev = *by_offset[i - 1];
        if (prev.offset + prev.nbytes > by_offset[i]->offset)
            throw Error(ErrorCode::Format, m_path + ": tensors '" + prev.name + "' (" + std::to_string(prev.nbytes) +
                                               " bytes at data offset " + std::to_string(prev.offset) + ") and '" +
                                               by_offset[i]->name + "' (at " + std::to_string(by_offset[i]->offset) +
                                               ") overlap; the file is corrupt");
    }
}

const GgufValue* GgufFile::find(std::string_view key) const
{
    const auto it = m_kv_index.find(key);
    return it == m_kv_index.end() ? nullptr : &m_kv[it->second].second;
}

const GgufTensor* GgufFile::find_tensor(std::string_view name) const
{
    const auto it = m_tensor_index.find(name);
    return it == m_tensor_index.end() ? nullptr : &m_tensors[it->second];
}

namespace {
[[noreturn]] void wrong_type(const std::string& path, std::string_view key, const char* wanted,
                             GgufType got)
{
    throw Error(ErrorCode::Format, path + ": metadata '" + std::string(key) + "' should be " +
                                       wanted + " but is " + gguf_type_name(got));
}
} // namespace

std::optional<std::string> GgufFile::get_string(std::string_view key) const
{
    const GgufValue* v = find(key);
    if (!v)
        return std::nullopt;
    if (v->type != GgufType::String)
        wrong_type(m_path, key, "a string", v->type);
    return std::string(v->str);
}

std::optional<int64_t> GgufFile::get_int(std::string_view key) const
{
    const GgufValue* v = find(key);
    if (!v)
        return std::nullopt;
    if (!v->is_integer() || v->type == GgufType::Bool)
        wrong_type(m_path, key, "an integer", v->type);
    if (v->type == GgufType::U64 && v->u > static_cast<uint64_t>(INT64_MAX))
        throw Error(ErrorCode::Format, m_path + ": metadata '" + std::string(key) + "' is out of range");
    return v->as_int();
}

std::optional<double> GgufFile::get_float(std::string_view key) const
{
    const GgufValue* v = find(key);
    if (!v)
        return std::nullopt;
    if (!v->is_number() || v->type == GgufType::Bool)
        wrong_type(m_path, key, "a number", v->type);
    const double d = v->as_double();
    if (!std::isfinite(d))
        throw Error(ErrorCode::Format, m_path + ": metadata '" + std::string(key) + "' is " +
                                           (std::isnan(d) ? "NaN" : "infinite") + "; the file is corrupt");
    return d;
}

std::optional<bool> GgufFile::get_bool(std::string_view key) const
{
    const GgufValue* v = find(key);
    if (!v)
        return std::nullopt;
    if (v->type != GgufType::Bool)
        wrong_type(m_path, key, "a boolean", v->type);
    return v->i != 0;
}

const GgufValue* GgufFile::get_array(std::string_view key, GgufType elem_type) const
{
    const GgufValue* v = find(key);
    if (!v)
        return nullptr;
    if (v->type != GgufType::Array)
        wrong_type(m_path, key, "an array", v->type);
    const bool numeric_ok = elem_type != GgufType::String && v->elem_type != GgufType::String;
    if (v->elem_type != elem_type && !numeric_ok)
        throw Error(ErrorCode::Format, m_path + ": metadata '" + std::string(key) +
                                           "' should be an array of " + gguf_type_name(elem_type) +
                                           " but holds " + gguf_type_name(v->elem_type));
    return v;
}

} // namespace seekbench
