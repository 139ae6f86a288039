// PackedWeights: one anonymous mapping (huge pages where the kernel has them), filled weight
// by weight by Kernels::Gemm::pack on a thread at nice 10, so the engine's threads keep the
// cores; each weight is published with a release store its readers acquire.
#include "packed_weights.h"

#include "engine/error.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <sys/mman.h>
#include <system_error>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace seekbench::cpu {
namespace {
constexpr std::size_t kAlign = 4096;
constexpr int64_t kStepRows = 256; // rows packed between looks at the stop flag
} // namespace

bool PackedWeights::packable(const Kernels& kernels, const WeightView& w, int64_t slice_rows)
{
    const Kernels::Gemm& g = kernels.gemm[static_cast<int>(w.type)];
    return g.group_rows > 0 && g.pack && g.run && slice_rows > 0 && slice_rows % g.group_rows == 0 &&
           w.rows % slice_rows == 0 && w.cols > 0;
}

PackedWeights::PackedWeights(const Kernels& kernels, const std::vector<WeightView>& weights,
                             std::function<void(const WeightView&)> packed, std::function<bool()> ready)
    : m_k(kernels), m_weights(weights), m_packed(std::move(packed)), m_ready_to_start(std::move(ready))
{
    std::sort(m_weights.begin(), m_weights.end(), [](const WeightView& a, const WeightView& b) { return a.data < b.data; });
    for (const WeightView& w : m_weights) {
        m_at.push_back(m_bytes);
        m_bytes += (static_cast<std::size_t>(w.rows) * w.row_bytes + kAlign - 1) / kAlign * kAlign;
    }
    m_ready = std::make_unique<std::atomic<bool>[]>(m_weights.size());
    if (m_bytes == 0) {
        m_done = true;
        return;
    }
    void* map = mmap(nullptr, m_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        throw Error(ErrorCode::Io, "cannot map " + std::to_string(m_bytes >> 20) + " MiB for the packed weights: " +
                                       std::strerror(errno));
    m_base = static_cast<uint8_t*>(map);
    madvise(m_base, m_bytes, MADV_HUGEPAGE);
    try {
        m_thread = std::thread([this] { run(); });
    } catch (const std::system_error& e) { // no thread: no copy (the destructor will not run)
        munmap(m_base, m_bytes);
        throw Error(ErrorCode::Io, std::string("cannot start the thread that packs the weights: ") + e.what());
    }
}

PackedWeights::~PackedWeights()
{
    m_stop = true;
    if (m_thread.joinable())
        m_thread.join();
    if (m_base)
        munmap(m_base, m_bytes);
}

void PackedWeights::run()
{
    // Below the engine's threads (a thread's own nice value on Linux), as the huge-page moves.
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
    while (m_ready_to_start && !m_ready_to_start()) {
        if (m_stop.load(std::memory_order_relaxed))
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    for (std::size_t i = 0; i < m_weights.size(); ++i) {
        const WeightView& w = m_weights[i];
        const Kernels::Gemm& gemm = m_k.gemm[static_cast<int>(w.type)];
        for (int64_t r = 0; r < w.rows; r += kStepRows) {
            if (m_stop.load(std::memory_order_relaxed))
                return;
            const std::size_t at = static_cast<std::size_t>(r) * w.row_bytes;
            gemm.pack(w.cols, w.data + at, w.row_bytes, static_cast<int>(std::min(kStepRows, w.rows - r)), m_base + m_at[i] + at);
        }
        m_ready[i].store(true, std::memory_order_release);
        if (m_packed)
            m_packed(w);
    }
    mprotect(m_base, m_bytes, PROT_READ);
    m_done.store(true, std::memory_order_release);
}

void PackedWeights::wait(double timeout_s) const
{
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (!done() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

const uint8_t* PackedWeights::find(const WeightView& v) const
{
    auto it = std::upper_bound(m_weights.begin(), m_weights.end(), v.data,
                               [](const uint8_t* p, const WeightView& w) { return p < w.data; });
    if (it == m_weights.begin())
        return nullptr;
    --it;
    const auto i = static_cast<std::size_t>(it - m_weights.begin());
    const WeightView& w = *it;
    const std::size_t offset = static_cast<std::size_t>(v.data - w.data);
    const std::size_t group = static_cast<std::size_t>(m_k.gemm[static_cast<int>(w.type)].group_rows) * w.row_bytes;
    if (v.type != w.type || v.cols != w.cols || v.row_bytes != w.row_bytes || offset % group != 0 ||
        offset + static_cast<std::size_t>(v.rows) * v.row_bytes > static_cast<std::size_t>(w.rows) * w.row_bytes ||
        !m_ready[i].load(std::memory_order_acquire))
        return nullptr;
    return m_base + m_at[i] + offset;
}

bool PackedWeights::row(const WeightView& w, int64_t r, void* out) const
{
    const Kernels::Gemm& g = m_k.gemm[static_cast<int>(w.type)];
    if (!g.group_row || g.group_rows <= 0 || r < 0 || r >= w.rows)
        return false;
    const int64_t g0 = r / g.group_rows * g.group_rows;
    const WeightView group{w.type, std::min<int64_t>(g.group_rows, w.rows - g0), w.cols, w.row_bytes,
                           w.data + static_cast<std::size_t>(g0) * w.row_bytes};
    const uint8_t* packed = find(group);
    if (!packed)
        return false;
    g.group_row(w.cols, packed, static_cast<int>(r - g0), out);
    return true;
}

} // namespace seekbench::cpu
