// safetensors: the header parsed with nlohmann-json, then every tensor's range checked
// against the data section and against the others (no overlaps), before any use.
#include "safetensors.h"

#include "json_file.h"

#include "engine/error.h"
#include "engine/fp16.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace seekbench {
namespace {

using Json = nlohmann::json;
constexpr uint64_t kMaxHeaderBytes = 100ull << 20; // safetensors' own limit

std::size_t dtype_size(StDtype d) { return d == StDtype::F32 ? 4 : 2; }

[[noreturn]] void fail(const std::string& label, const std::string& what)
{
    throw Error(ErrorCode::Format, label + ": " + what);
}

StDtype parse_dtype(const std::string& label, const std::string& tensor, const std::string& s)
{
    if (s == "F32")
        return StDtype::F32;
    if (s == "F16")
        return StDtype::F16;
    if (s == "BF16")
        return StDtype::BF16;
    throw Error(ErrorCode::Unsupported, label + ": tensor '" + tensor + "' is " + s +
                                            "; only F32, F16 and BF16 checkpoints can be converted");
}

uint64_t index_value(const std::string& label, const std::string& tensor, const Json& v, const char* what)
{
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0))
        fail(label, "tensor '" + tensor + "': " + what + " is not a non-negative integer");
    return v.get<uint64_t>();
}

} // namespace

const char* st_dtype_name(StDtype d)
{
    switch (d) {
    case StDtype::F32: return "F32";
    case StDtype::F16: return "F16";
    case StDtype::BF16: return "BF16";
    }
    return "?";
}

int64_t StTensor::elements() const
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return n;
}

void StTensor::to_f32(int64_t first, int64_t n, float* out) const
{
    switch (dtype) {
    case StDtype::F32:
        std::memcpy(out, data + static_cast<std::size_t>(first) * 4, static_cast<std::size_t>(n) * 4);
        return;
    case StDtype::F16:
    case StDtype::BF16:
        for (int64_t i = 0; i < n; ++i) {
            uint16_t h;
            std::memcpy(&h, data + static_cast<std::size_t>(first + i) * 2, 2);
            out[i] = dtype == StDtype::F16 ? fp16_to_f32(h) : bf16_to_f32(h);
        }
        return;
    }
}

std::unique_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path)
{
    std::unique_ptr<SafetensorsFile> f(new SafetensorsFile);
    f->m_path = path;
    f->m_map = MappedFile::open(path);
    f->parse_all(f->m_map.data(), f->m_map.size());
    return f;
}

std::unique_ptr<SafetensorsFile> SafetensorsFile::parse(const uint8_t* bytes, std::size_t size, const std::string& label)
{
    std::unique_ptr<SafetensorsFile> f(new SafetensorsFile);
    f->m_path = label;
    f->parse_all(bytes, size);
    return f;
}

void SafetensorsFile::parse_all(const uint8_t* bytes, std::size_t size)
{
    const std::string& label = m_path;
    if (size < 8)
        fail(label, "file is truncated: " + std::to_string(size) + " bytes is too short for a safetensors header");
    uint64_t header_bytes = 0;
    std::memcpy(&header_bytes, bytes, 8);
    if (header_bytes > kMaxHeaderBytes || header_bytes > size - 8)
        fail(label, "header length " + std::to_string(header_bytes) + " does not fit a file of " +
                        std::to_string(size) + " bytes (not a safetensors file, or truncated)");
    Json header;
    try {
        header = Json::parse(bytes + 8, bytes + 8 + header_bytes);
    } catch (const Json::exception& e) {
        fail(label, std::string("the header is not valid JSON: ") + e.what());
    }
    if (!header.is_object())
        fail(label, "the header is not a JSON object");
    const uint8_t* data = bytes + 8 + header_bytes;
    const std::size_t data_size = size - 8 - static_cast<std::size_t>(header_bytes);
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            if (!entry.is_object())
                fail(label, "__metadata__ is not an object");
            for (const auto& [k, v] : entry.items())
                if (v.is_string())
                    m_metadata[k] = v.get<std::string>();
            continue;
        }
        if (!entry.is_object() || !entry.contains("dtype") || !entry["dtype"].is_string() || !entry.contains("shape") ||
            !entry["shape"].is_array() || !entry.contains("data_offsets") || !entry["data_offsets"].is_array() ||
            entry["data_offsets"].size() != 2)
            fail(label, "tensor '" + name + "': needs dtype, shape and two data_offsets");
        StTensor t;
        t.name = name;
        t.dtype = parse_dtype(label, name, entry["dtype"].get<std::string>());
        if (entry["shape"].size() > 8)
            fail(label, "tensor '" + name + "': " + std::to_string(entry["shape"].size()) + " dimensions");
        uint64_t count = 1;
        for (const Json& d : entry["shape"]) {
            const uint64_t n = index_value(label, name, d, "a dimension");
            if (n != 0 && count > (uint64_t(1) << 48) / n)
                fail(label, "tensor '" + name + "': its shape holds more elements than any file can");
            count *= n;
            t.shape.push_back(static_cast<int64_t>(n));
        }
        const uint64_t begin = index_value(label, name, entry["data_offsets"][0], "the first data offset");
        const uint64_t end = index_value(label, name, entry["data_offsets"][1], "the second data offset");
        if (begin > end || end > data_size)
            fail(label, "tensor '" + name + "': bytes " + std::to_string(begin) + ".." + std::to_string(end) +
                            " lie outside the data (" + std::to_string(data_size) + " bytes; truncated file?)");
        if (end - begin != count * dtype_size(t.dtype))
            fail(label, "tensor '" + name + "': " + std::to_string(end - begin) + " bytes for " + std::to_string(count) +
                            " " + st_dtype_name(t.dtype) + " values");
        t.data = data + begin;
        t.nbytes = static_cast<std::size_t>(end - begin);
        m_tensors.push_back(std::move(t));
    }
    // No two tensors may share bytes (a crafted file could alias one tensor's data as another's).
    std::vector<const StTensor*> by_offset;
    for (const StTensor& t : m_tensors)
        by_offset.push_back(&t);
    std::sort(by_offset.begin(), by_offset.end(), [](const StTensor* a, const StTensor* b) { return a->data < b->data; });
    for (std::size_t i = 1; i < by_offset.size(); ++i)
        if (by_offset[i - 1]->nbytes > 0 && by_offset[i]->data < by_offset[i - 1]->data + by_offset[i - 1]->nbytes)
            fail(label, "tensors '" + by_offset[i - 1]->name + "' and '" + by_offset[i]->name + "' overlap");
}

Checkpoint Checkpoint::open_folder(const std::string& folder)
{
    namespace fs = std::filesystem;
    if (!fs::is_directory(folder))
        throw Error(ErrorCode::Io, folder + ": not a folder (a Hugging Face checkpoint is a folder with config.json)");
    std::vector<std::string> files;
    const fs::path index = fs::path(folder) / "model.safetensors.index.json";
    if (fs::exists(index)) {
        const Json j = read_json_file(index.string()).value_or(Json());
        if (!j.contains("weight_map") || !j["weight_map"].is_object())
            throw Error(ErrorCode::Format, index.string() + ": has no weight_map");
        for (const auto& [name, file] : j["weight_map"].items()) {
            if (!file.is_string() || file.get<std::string>().find('/') != std::string::npos)
                throw Error(ErrorCode::Format, index.string() + ": tensor '" + name + "' names no file in the folder");
            if (std::find(files.begin(), files.end(), file.get<std::string>()) == files.end())
                files.push_back(file.get<std::string>());
        }
    } else {
        for (const auto& e : fs::directory_iterator(folder))
            if (e.path().extension() == ".safetensors")
                files.push_back(e.path().filename().string());
        std::sort(files.begin(), files.end());
    }
    if (files.empty())
        throw Error(ErrorCode::Format, folder + ": no *.safetensors weights in the folder");
    Checkpoint c;
    for (const std::string& f : files) {
        c.m_files.push_back(SafetensorsFile::open((fs::path(folder) / f).string()));
        for (const StTensor& t : c.m_files.back()->tensors())
            if (!c.m_index.emplace(t.name, &t).second)
                throw Error(ErrorCode::Format, folder + ": tensor '" + t.name + "' is in two files");
    }
    return c;
}

const StTensor* Checkpoint::find(const std::string& name) const
{
    const auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : it->second;
}

const StTensor& Checkpoint::get(const std::string& name) const
{
    const StTensor* t = find(name);
    if (!t)
        throw Error(ErrorCode::Format, "the checkpoint has no tensor '" + name + "'");
    return *t;
}

std::vector<std::string> Checkpoint::names() const
{
    std::vector<std::string> out;
    for (const auto& [name, t] : m_index)
        out.push_back(name);
    return out;
}

std::size_t Checkpoint::bytes() const
{
    std::size_t n = 0;
    for (const auto& [name, t] : m_index)
        n += t->nbytes;
    return n;
}

} // namespace seekbench
