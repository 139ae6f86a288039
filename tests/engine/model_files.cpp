// Writing the test models (the copy re-encodes every metadata value from its parsed form),
// and reading the oracle text published for stories260K.
#include "model_files.h"
#include "testing.h"

#include "engine/error.h"
#include "engine/synth.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace seekbench::test {

std::string temp_path(const std::string& name)
{
    std::filesystem::create_directories(SEEKBENCH_TEST_TMP);
    return std::string(SEEKBENCH_TEST_TMP) + "/" + name;
}

std::string published_stories_text()
{
    std::ifstream in(std::string(SEEKBENCH_SHARED_DIR) + "/models/README.md");
    std::ostringstream s;
    s << in.rdbuf();
    const std::string readme = s.str();
    const std::size_t section = readme.find("Published output");
    REQUIRE(section != std::string::npos);
    const std::size_t open = readme.find("```\n", section);
    const std::size_t close = readme.find("\n```", open + 4);
    REQUIRE(open != std::string::npos && close != std::string::npos);
    return readme.substr(open + 4, close - open - 4);
}

std::string tiny_model(const std::string& preset, TensorType type)
{
    const std::string path = temp_path(preset + "-" + type_name(type) + ".gguf");
    if (!std::filesystem::exists(path)) {
        SynthOptions o;
        o.type = type;
        o.seed = 5;
        o.threads = 1;
        write_synth_model(*find_synth_preset(preset), o, path);
    }
    return path;
}

namespace {

std::string copy_model(const std::string& src, const std::string& name, const Tamper& t, const std::string& retype_tensor,
                       TensorType retype)
{
    const auto f = GgufFile::open(src);
    GgufWriter w;
    for (const auto& [key, value] : f->metadata())
        if (key != t.drop_key)
            w.add_value(key, value);
    if (t.add)
        t.add(w);
    for (const GgufTensor& tensor : f->tensors()) {
        if (tensor.name == t.drop_tensor)
            continue;
        std::vector<int64_t> dims(tensor.ne, tensor.ne + tensor.n_dims);
        if (tensor.name == t.reshape_tensor && dims.size() >= 2 && dims[1] % traits(tensor.type).block_size == 0)
            std::swap(dims[0], dims[1]);
        if (tensor.name == retype_tensor) {
            w.add_tensor(tensor.name, retype, dims,
                         std::vector<uint8_t>(row_bytes(retype, dims[0]) * std::size_t(tensor.elements() / dims[0]), 0));
            continue;
        }
        std::vector<uint8_t> bytes(tensor.data, tensor.data + tensor.nbytes);
        w.add_tensor(tensor.name, tensor.type, dims, std::move(bytes));
    }
    const std::string out = temp_path(name);
    w.write(out);
    return out;
}

} // namespace

std::string tampered_copy(const std::string& src, const std::string& name, const Tamper& t)
{
    return copy_model(src, name, t, "", TensorType::F32);
}

std::string retyped_copy(const std::string& src, const std::string& name, const std::string& tensor, TensorType type)
{
    return copy_model(src, name, Tamper{}, tensor, type);
}

} // namespace seekbench::test
