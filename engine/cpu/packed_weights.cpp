// PackedWeights: one anonymous mapping (huge pages where the kernel has them), filled in
// tasks of a few groups by Kernels::Gemm::pack, then made read-only.
#include "packed_weights.h"

#include "engine/error.h"

#include <algorithm>
#include <cstring>
#include <sys/mman.h>

namespace seekbench::cpu {
namespace {
constexpr std::size_t kAlign = 4096;
constexpr int64_t kTaskRows = 256; // rows packed per task
} // namespace

bool PackedWeights::packable(const Kernels& kernels, const WeightView& w, int64_t slice_rows)
{
    const Kernels::Gemm& g = kernels.gemm[static_cast<int>(w.type)];
    return g.group_rows > 0 && g.pack && slice_rows > 0 && slice_rows % g.group_rows == 0 && w.rows % slice_rows == 0 &&
           w.cols > 0;
}

PackedWeights::PackedWeights(const Kernels& kernels, ThreadPool& pool, const std::vector<WeightView>& weights)
    : m_k(kernels), m_weights(weights)
{
    std::sort(m_weights.begin(), m_weights.end(), [](const WeightView& a, const WeightView& b) { return a.data < b.data; });
    for (const WeightView& w : m_weights) {
        m_at.push_back(m_bytes);
        m_bytes += (static_cast<std::size_t>(w.rows) * w.row_bytes + kAlign - 1) / kAlign * kAlign;
    }
    if (m_bytes == 0)
        return;
    void* map = mmap(nullptr, m_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        throw Error(ErrorCode::Io, "cannot map " + std::to_string(m_bytes >> 20) + " MiB for the packed weights: " +
                                       std::strerror(errno));
    m_base = static_cast<uint8_t*>(map);
    madvise(m_base, m_bytes, MADV_HUGEPAGE);
    std::vector<std::pair<std::size_t, int64_t>> tasks; // (weight, first row)
    for (std::size_t i = 0; i < m_weights.size(); ++i)
        for (int64_t r = 0; r < m_weights[i].rows; r += kTaskRows)
            tasks.emplace_back(i, r);
    pool.parallel_for(static_cast<int>(tasks.size()), [&](int task, int) {
        const auto [i, r] = tasks[static_cast<std::size_t>(task)];
        const WeightView& w = m_weights[i];
        const std::size_t at = static_cast<std::size_t>(r) * w.row_bytes;
        m_k.gemm[static_cast<int>(w.type)].pack(w.cols, w.data + at, w.row_bytes,
                                                static_cast<int>(std::min(kTaskRows, w.rows - r)), m_base + m_at[i] + at);
    });
    mprotect(m_base, m_bytes, PROT_READ);
}

PackedWeights::~PackedWeights()
{
    if (m_base)
        munmap(m_base, m_bytes);
}

const uint8_t* PackedWeights::find(const WeightView& v) const
{
    auto it = std::upper_bound(m_weights.begin(), m_weights.end(), v.data,
                               [](const uint8_t* p, const WeightView& w) { return p < w.data; });
    if (it == m_weights.begin())
        return nullptr;
    --it;
    const WeightView& w = *it;
    const std::size_t offset = static_cast<std::size_t>(v.data - w.data);
    const std::size_t group = static_cast<std::size_t>(m_k.gemm[static_cast<int>(w.type)].group_rows) * w.row_bytes;
    if (v.type != w.type || v.cols != w.cols || v.row_bytes != w.row_bytes || offset % group != 0 ||
        offset + static_cast<std::size_t>(v.rows) * v.row_bytes > static_cast<std::size_t>(w.rows) * w.row_bytes)
        return nullptr;
    return m_base + m_at[static_cast<std::size_t>(it - m_weights.begin())] + offset;
}

} // namespace seekbench::cpu
