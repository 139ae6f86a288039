// GgufWriter: header bytes are built in memory, tensor data streamed with one buffer.
#include "gguf_writer.h"

#include "error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace seekbench {
namespace {

template <typename T> void put(std::vector<uint8_t>& out, T v)
{
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    out.insert(out.end(), p, p + sizeof(T));
}

void put_string(std::vector<uint8_t>& out, const std::string& s)
{
    put<uint64_t>(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
}

class File {
public:
    File(const std::string& path) : m_path(path), m_f(std::fopen(path.c_str(), "wb"))
    {
        if (!m_f)
            throw Error(ErrorCode::Io, path + ": cannot create: " + std::strerror(errno));
    }
    ~File()
    {
        if (m_f)
            std::fclose(m_f);
    }
    void write(const void* p, std::size_t n)
    {
        if (n && std::fwrite(p, 1, n, m_f) != n)
            throw Error(ErrorCode::Io, m_path + ": write failed: " + std::strerror(errno));
    }
    void close()
    {
        const bool flushed = std::fflush(m_f) == 0 && fsync(fileno(m_f)) == 0;
        const int err = errno;
        const bool closed = std::fclose(m_f) == 0;
        m_f = nullptr;
        if (!flushed || !closed)
            throw Error(ErrorCode::Io, m_path + ": write failed: " + std::strerror(err));
    }

private:
    std::string m_path;
    FILE* m_f;
};

} // namespace

void GgufWriter::set_alignment(uint32_t alignment) { m_alignment = alignment; }

void GgufWriter::add(const std::string& key, GgufType type, std::vector<uint8_t> bytes)
{
    for (Kv& kv : m_kv)
        if (kv.key == key) {
            kv.type = type;
            kv.bytes = std::move(bytes);
            return;
        }
    m_kv.push_back({key, type, std::move(bytes)});
}

void GgufWriter::add_u32(const std::string& key, uint32_t v)
{
    std::vector<uint8_t> b;
    put(b, v);
    add(key, GgufType::U32, std::move(b));
}

void GgufWriter::add_i32(const std::string& key, int32_t v)
{
    std::vector<uint8_t> b;
    put(b, v);
    add(key, GgufType::I32, std::move(b));
}

void GgufWriter::add_u64(const std::string& key, uint64_t v)
{
    std::vector<uint8_t> b;
    put(b, v);
    add(key, GgufType::U64, std::move(b));
}

void GgufWriter::add_f32(const std::string& key, float v)
{
    std::vector<uint8_t> b;
    put(b, v);
    add(key, GgufType::F32, std::move(b));
}

void GgufWriter::add_bool(const std::string& key, bool v)
{
    add(key, GgufType::Bool, {static_cast<uint8_t>(v ? 1 : 0)});
}

void GgufWriter::add_string(const std::string& key, const std::string& v)
{
    std::vector<uint8_t> b;
    put_string(b, v);
    add(key, GgufType::String, std::move(b));
}

void GgufWriter::add_strings(const std::string& key, const std::vector<std::string>& v)
{
    std::vector<uint8_t> b;
    put<uint32_t>(b, static_cast<uint32_t>(GgufType::String));
    put<uint64_t>(b, v.size());
    for (const std::string& s : v)
        put_string(b, s);
    add(key, GgufType::Array, std::move(b));
}

void GgufWriter::add_f32s(const std::string& key, const std::vector<float>& v)
{
    std::vector<uint8_t> b;
    put<uint32_t>(b, static_cast<uint32_t>(GgufType::F32));
    put<uint64_t>(b, v.size());
    for (float f : v)
        put(b, f);
    add(key, GgufType::Array, std::move(b));
}

void GgufWriter::add_i32s(const std::string& key, const std::vector<int32_t>& v)
{
    std::vector<uint8_t> b;
    put<uint32_t>(b, static_cast<uint32_t>(GgufType::I32));
    put<uint64_t>(b, v.size());
    for (int32_t x : v)
        put(b, x);
    add(key, GgufType::Array, std::move(b));
}

void GgufWriter::add_value(const std::string& key, const GgufValue& v)
{
    std::vector<uint8_t> b;
    const auto scalar = [&b, &v](GgufType type) {
        switch (type) {
        case GgufType::U8: put<uint8_t>(b, static_cast<uint8_t>(v.u)); break;
        case GgufType::I8: put<int8_t>(b, static_cast<int8_t>(v.i)); break;
        case GgufType::U16: put<uint16_t>(b, static_cast<uint16_t>(v.u)); break;
        case GgufType::I16: put<int16_t>(b, static_cast<int16_t>(v.i)); break;
        case GgufType::U32: put<uint32_t>(b, static_cast<uint32_t>(v.u)); break;
        case GgufType::I32: put<int32_t>(b, static_cast<int32_t>(v.i)); break;
        case GgufType::F32: put<float>(b, static_cast<float>(v.f)); break;
        case GgufType::Bool: put<uint8_t>(b, v.i ? 1 : 0); break;
        case GgufType::U64: put<uint64_t>(b, v.u); break;
        case GgufType::I64: put<int64_t>(b, v.i); break;
        case GgufType::F64: put<double>(b, v.f); break;
        case GgufType::String: put_string(b, std::string(v.str)); break;
        case GgufType::Array: break;
        }
    };
    if (v.type != GgufType::Array) {
        scalar(v.type);
    } else {
        put<uint32_t>(b, static_cast<uint32_t>(v.elem_type));
        put<uint64_t>(b, v.count);
        if (v.elem_type == GgufType::String) {
            for (std::string_view s : v.strings)
                put_string(b, std::string(s));
        } else if (v.elem_type == GgufType::Array) {
            throw Error(ErrorCode::Unsupported, "key '" + key + "': arrays of arrays cannot be copied");
        } else {
            b.insert(b.end(), v.array_data, v.array_data + v.count * gguf_value_size(v.elem_type));
        }
    }
    add(key, v.type, std::move(b));
}

void GgufWriter::add_raw(const std::string& key, GgufType type, std::vector<uint8_t> value_bytes)
{
    m_kv.push_back({key, type, std::move(value_bytes)});
}

void GgufWriter::add_tensor(const std::string& name, TensorType type, std::vector<int64_t> dims,
                            Fill fill)
{
    const TypeTraits t = traits(type);
    if (dims.empty() || dims.size() > 4 || dims[0] % t.block_size != 0)
        throw Error(ErrorCode::InvalidArgument,
                    "tensor '" + name + "': bad shape for type " + t.name);
    int64_t n = 1;
    for (int64_t d : dims)
        n *= d;
    m_tensors.push_back({name, type, std::move(dims),
                         static_cast<std::size_t>(n / t.block_size) * static_cast<std::size_t>(t.block_bytes),
                         std::move(fill)});
}

void GgufWriter::add_tensor(const std::string& name, TensorType type, std::vector<int64_t> dims,
                            std::vector<uint8_t> bytes)
{
    auto shared = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
    add_tensor(name, type, std::move(dims), [shared, name](uint8_t* out, std::size_t n) {
        if (shared->size() != n)
            throw Error(ErrorCode::InvalidArgument, "tensor '" + name + "': has " +
                                                        std::to_string(shared->size()) +
                                                        " bytes, its shape needs " + std::to_string(n));
        std::memcpy(out, shared->data(), n);
    });
}

void GgufWriter::write(const std::string& path,
                       const std::function<void(std::size_t, std::size_t)>& on_progress) const
{
    const auto align = [this](std::size_t x) { return (x + m_alignment - 1) / m_alignment * m_alignment; };
    std::vector<uint8_t> header;
    put<uint32_t>(header, 0x46554747);
    put<uint32_t>(header, 3);
    put<uint64_t>(header, m_tensors.size());
    const bool write_alignment = m_alignment != 32;
    put<uint64_t>(header, m_kv.size() + (write_alignment ? 1 : 0));
    if (write_alignment) {
        put_string(header, "general.alignment");
        put<uint32_t>(header, static_cast<uint32_t>(GgufType::U32));
        put<uint32_t>(header, m_alignment);
    }
    for (const Kv& kv : m_kv) {
        put_string(header, kv.key);
        put<uint32_t>(header, static_cast<uint32_t>(kv.type));
        header.insert(header.end(), kv.bytes.begin(), kv.bytes.end());
    }
    std::size_t offset = 0;
    for (const Tensor& t : m_tensors) {
        put_string(header, t.name);
        put<uint32_t>(header, static_cast<uint32_t>(t.dims.size()));
        for (int64_t d : t.dims)
            put<uint64_t>(header, static_cast<uint64_t>(d));
        put<uint32_t>(header, static_cast<uint32_t>(t.type));
        put<uint64_t>(header, offset);
        offset = align(offset + t.nbytes);
    }
    header.resize(align(header.size()), 0);

    const std::string tmp = path + ".partial";
    try {
        File out(tmp);
        out.write(header.data(), header.size());
        std::vector<uint8_t> buffer;
        const std::vector<uint8_t> zeros(m_alignment, 0);
        for (std::size_t i = 0; i < m_tensors.size(); ++i) {
            const Tensor& t = m_tensors[i];
            buffer.assign(t.nbytes, 0);
            t.fill(buffer.data(), t.nbytes);
            out.write(buffer.data(), t.nbytes);
            out.write(zeros.data(), align(t.nbytes) - t.nbytes);
            if (on_progress)
                on_progress(i + 1, m_tensors.size());
        }
        out.close();
    } catch (...) {
        std::remove(tmp.c_str());
        throw;
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        std::remove(tmp.c_str());
        throw Error(ErrorCode::Io, path + ": cannot move the written file into place: " + std::strerror(err));
    }
}

} // namespace seekbench
