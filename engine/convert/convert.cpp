// convert_model: picks the converter by what `src` is; ConvertWriter streams each tensor
// through floats into its GGUF type.
#include "convert_impl.h"

#include "engine/cpu/threadpool.h"
#include "engine/error.h"
#include "engine/quants.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace seekbench {

TensorType convert_weight_type(const std::string& name, TensorType source)
{
    if (name == "auto")
        return source;
    if (name == "f32")
        return TensorType::F32;
    if (name == "f16")
        return TensorType::F16;
    if (name == "bf16")
        return TensorType::BF16;
    if (name == "q8_0")
        return TensorType::Q8_0;
    throw Error(ErrorCode::InvalidArgument, "unknown output type '" + name + "' (auto, f32, f16, bf16 or q8_0)");
}

ConvertWriter::ConvertWriter(GgufWriter& writer, const ConvertOptions& options, TensorType weight_type)
    : m_writer(writer), m_options(options), m_type(weight_type), m_pool(std::make_unique<ThreadPool>(options.threads))
{
}

ConvertWriter::~ConvertWriter() = default;

void ConvertWriter::add(const std::string& name, std::vector<int64_t> dims, RowSource rows, bool keep_f32)
{
    for (int64_t d : dims)
        if (d <= 0)
            throw Error(ErrorCode::Format, "tensor '" + name + "' would have an empty dimension");
    TensorType type = dims.size() < 2 || keep_f32 ? TensorType::F32 : m_type;
    if (dims[0] % traits(type).block_size != 0)
        type = TensorType::F16;
    int64_t n = 1;
    for (int64_t d : dims)
        n *= d;
    const int64_t cols = dims[0], n_rows = n / cols;
    m_total += row_bytes(type, cols) * static_cast<std::size_t>(n_rows);
    ++m_count;
    m_writer.add_tensor(name, type, dims, [this, name, type, cols, n_rows, rows = std::move(rows)](uint8_t* out, std::size_t) {
        const std::size_t rb = row_bytes(type, cols);
        // Slabs of about 8 MB of floats: progress and cancel between them.
        const int64_t slab = std::max<int64_t>(1, (int64_t(8) << 20) / (cols * 4));
        std::vector<float> f;
        for (int64_t r0 = 0; r0 < n_rows; r0 += slab) {
            if (m_options.cancel && m_options.cancel->load(std::memory_order_relaxed))
                throw Error(ErrorCode::Cancelled, "conversion cancelled");
            const int64_t r1 = std::min(n_rows, r0 + slab);
            f.resize(static_cast<std::size_t>((r1 - r0) * cols));
            rows(r0, r1 - r0, f.data());
            m_pool->parallel_for(static_cast<int>((r1 - r0 + 15) / 16), [&](int task, int) {
                for (int64_t r = r0 + 16 * task; r < std::min(r1, r0 + 16 * task + 16); ++r)
                    quantize_row(type, f.data() + (r - r0) * cols, out + static_cast<std::size_t>(r) * rb, cols);
            });
            m_done += static_cast<std::size_t>(r1 - r0) * rb;
            if (m_options.progress)
                m_options.progress(m_done, m_total, name);
        }
    });
}

ConvertResult convert_model(const std::string& src, const std::string& out, const ConvertOptions& options)
{
    const auto start = std::chrono::steady_clock::now();
    convert_weight_type(options.type, TensorType::F32); // a bad name fails before any work
    ConvertResult r = std::filesystem::is_directory(src) ? convert_hf(src, out, options)
                                                         : convert_llama2c(src, out, options);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

} // namespace seekbench
