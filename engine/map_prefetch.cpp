// MapPrefetch: MADV_POPULATE_READ per chunk (Linux 5.14+: waits for the pages and maps them,
// no copy), MADV_WILLNEED where the kernel lacks it (starts the reads only); then the chunk's
// whole 2 MiB pieces that PAGEMAP_SCAN does not find mapped huge already moved into huge
// pages (copy, MADV_COLLAPSE to make sure the copy is one huge page, mremap over the file's
// pages).
#include "map_prefetch.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef PAGEMAP_SCAN // Linux 6.7's ioctl on /proc/PID/pagemap, absent from older headers
struct page_region {
    __u64 start, end, categories;
};
struct pm_scan_arg {
    __u64 size, flags, start, end, walk_end, vec, vec_len, max_pages, category_inverted, category_mask,
        category_anyof_mask, return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_HUGE (1 << 6)
#endif

namespace seekbench {
namespace {
constexpr std::size_t kChunk = std::size_t(8) << 20;
constexpr std::size_t kMinBytes = std::size_t(64) << 20;
constexpr std::size_t kHuge = std::size_t(2) << 20;
constexpr std::size_t kMergeGap = std::size_t(64) << 10; // ranges this close are read as one

std::uintptr_t round_up(std::uintptr_t v, std::size_t to) { return (v + to - 1) / to * to; }

// Transparent huge pages not switched off (sysfs "enabled" is "always" or "madvise"), and
// not switched off for us.
bool huge_pages_wanted()
{
    if (const char* v = std::getenv("SEEKBENCH_HUGE_PAGES"); v && std::strcmp(v, "0") == 0)
        return false;
    bool on = false;
    if (FILE* f = std::fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r")) {
        char line[128] = {};
        on = std::fgets(line, sizeof line, f) && !std::strstr(line, "[never]");
        std::fclose(f);
    }
    return on;
}

// Whether the 2 MiB at `at` are mapped as one huge page already: 1 yes, 0 no, -1 the kernel
// cannot say (no PAGEMAP_SCAN before Linux 6.7). A file read cold into 2 MiB folios is
// (ext4 from Linux 6.16), and then a copy gains nothing.
int huge_mapped(int pagemap, std::uintptr_t at)
{
    page_region region{};
    pm_scan_arg arg{};
    arg.size = sizeof arg;
    arg.start = at;
    arg.end = at + kHuge;
    arg.vec = reinterpret_cast<std::uintptr_t>(&region);
    arg.vec_len = 1;
    arg.category_mask = arg.return_mask = PAGE_IS_HUGE; // only huge pages reported
    const int n = pagemap >= 0 ? ioctl(pagemap, PAGEMAP_SCAN, &arg) : -1;
    if (n < 0)
        return -1;
    return n == 1 && region.start == at && region.end == at + kHuge ? 1 : 0;
}

// Replaces the mapping's 2 MiB at `at` (2 MiB-aligned, resident) with a huge page holding
// the same bytes. EINVAL from MADV_COLLAPSE (a kernel without it) returns -1: stop trying;
// other failures (no huge page free now) return 0 and leave the file's pages in place.
int move_to_huge_page(uint8_t* at)
{
    void* raw = mmap(nullptr, 2 * kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return 0;
    auto* base = static_cast<uint8_t*>(raw);
    auto* page = reinterpret_cast<uint8_t*>(round_up(reinterpret_cast<std::uintptr_t>(base), kHuge));
    if (page > base)
        munmap(base, static_cast<std::size_t>(page - base));
    if (page + kHuge < base + 2 * kHuge)
        munmap(page + kHuge, static_cast<std::size_t>(base + 2 * kHuge - (page + kHuge)));
    madvise(page, kHuge, MADV_HUGEPAGE);
    std::memcpy(page, at, kHuge);
    if (madvise(page, kHuge, MADV_COLLAPSE) != 0) { // already one huge page: 0
        const int err = errno;
        munmap(page, kHuge);
        return err == EINVAL ? -1 : 0;
    }
    if (mprotect(page, kHuge, PROT_READ) != 0 ||
        mremap(page, kHuge, kHuge, MREMAP_MAYMOVE | MREMAP_FIXED, at) == MAP_FAILED) {
        munmap(page, kHuge);
        return 0;
    }
    return 1;
}

} // namespace

std::size_t available_memory()
{
    if (FILE* f = std::fopen("/proc/meminfo", "r")) {
        char line[128];
        unsigned long long kib = 0;
        while (std::fgets(line, sizeof line, f))
            if (std::sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
                break;
        std::fclose(f);
        if (kib > 0)
            return static_cast<std::size_t>(kib) * 1024;
    }
    const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page) : 0;
}

std::unique_ptr<MapPrefetch> MapPrefetch::start(std::vector<Range> ranges, int threads)
{
    auto p = std::unique_ptr<MapPrefetch>(new MapPrefetch);
    const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    // Neighbouring ranges (tensors) are read as one, so the 2 MiB pieces that span two of
    // them can move into huge pages too.
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<std::uintptr_t, std::uintptr_t>> spans; // [from, end)
    for (const auto& [data, bytes] : ranges) {
        const auto from = reinterpret_cast<std::uintptr_t>(data) & ~(page - 1);
        const auto end = reinterpret_cast<std::uintptr_t>(data) + bytes;
        if (!spans.empty() && from <= spans.back().second + kMergeGap)
            spans.back().second = std::max(spans.back().second, end);
        else
            spans.emplace_back(from, end);
    }
    // Chunks end on 8 MiB boundaries, so no 2 MiB piece is split between two of them.
    for (const auto& [start, end] : spans)
        for (std::uintptr_t from = start; from < end;) {
            const std::uintptr_t to = std::min<std::uintptr_t>(end, round_up(from + 1, kChunk));
            p->m_chunks.emplace_back(reinterpret_cast<const uint8_t*>(from), static_cast<std::size_t>(to - from));
            p->m_total += to - from;
            from = to;
        }
    // A hint only: weights that would fill most of the memory available are left to the
    // page faults, which read what a forward pass needs when it needs it.
    const std::size_t available = available_memory();
    if (p->m_total < kMinBytes || p->m_total > available / 10 * 8)
        return nullptr;
    // Anonymous memory cannot be given back under pressure as file pages can: huge pages
    // only for weights that take at most half of the memory available.
    const bool huge = huge_pages_wanted();
    p->m_huge = huge && p->m_total <= available / 2;
    if (huge)
        for (const auto& [from, end] : spans)
            madvise(reinterpret_cast<void*>(from), end - from, MADV_HUGEPAGE);
    p->m_populated.assign(p->m_chunks.size(), 0);
    for (int t = 0; t < threads; ++t)
        p->m_threads.emplace_back([q = p.get()] { q->run(); });
    return p;
}

void MapPrefetch::skip_moves(const std::vector<Range>& ranges)
{
    std::lock_guard lock(m_skip_mutex);
    for (const auto& [data, bytes] : ranges)
        m_skip.emplace_back(reinterpret_cast<std::uintptr_t>(data), reinterpret_cast<std::uintptr_t>(data) + bytes);
    std::sort(m_skip.begin(), m_skip.end());
    std::vector<std::pair<std::uintptr_t, std::uintptr_t>> merged;
    for (const auto& r : m_skip)
        if (!merged.empty() && r.first <= merged.back().second)
            merged.back().second = std::max(merged.back().second, r.second);
        else
            merged.push_back(r);
    m_skip = std::move(merged);
}

bool MapPrefetch::skipped(std::uintptr_t from, std::uintptr_t to) const
{
    std::lock_guard lock(m_skip_mutex);
    auto it = std::upper_bound(m_skip.begin(), m_skip.end(), std::make_pair(from, ~std::uintptr_t(0)));
    return it != m_skip.begin() && std::prev(it)->first <= from && to <= std::prev(it)->second;
}

void MapPrefetch::run()
{
    for (std::size_t i = m_next++; i < m_chunks.size() && !m_stop.load(std::memory_order_relaxed); i = m_next++) {
        auto* addr = const_cast<uint8_t*>(m_chunks[i].first);
        m_populated[i] = madvise(addr, m_chunks[i].second, MADV_POPULATE_READ) == 0;
        if (!m_populated[i])
            madvise(addr, m_chunks[i].second, MADV_WILLNEED);
    }
    if (++m_read == static_cast<int>(m_threads.size()) && m_huge.load()) // the last reader moves
        move_to_huge_pages();
    ++m_done;
}

void MapPrefetch::move_to_huge_pages()
{
    // Below the engine's threads (a thread's own nice value on Linux): a prompt computing now
    // gets most of the cores, and the moves still go on while it does.
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
    const auto going = [this] { return m_huge.load(std::memory_order_relaxed) && !m_stop.load(std::memory_order_relaxed); };
    int pagemap = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    for (std::size_t i = 0; i < m_chunks.size() && going(); ++i) {
        if (!m_populated[i])
            continue;
        const auto from = reinterpret_cast<std::uintptr_t>(m_chunks[i].first);
        const auto end = from + m_chunks[i].second;
        for (auto at = round_up(from, kHuge); at + kHuge <= end && going(); at += kHuge) {
            if (skipped(at, at + kHuge))
                continue;
            if (const int huge = huge_mapped(pagemap, at); huge > 0) {
                m_huge_bytes += kHuge;
                continue;
            } else if (huge < 0 && pagemap >= 0) { // not on this kernel: stop asking
                ::close(pagemap);
                pagemap = -1;
            }
            const int moved = move_to_huge_page(reinterpret_cast<uint8_t*>(at));
            if (moved < 0) // the kernel cannot: no more tries
                m_huge = false;
            else
                m_huge_bytes += static_cast<std::size_t>(moved) * kHuge;
        }
    }
    if (pagemap >= 0)
        ::close(pagemap);
}

MapPrefetch::~MapPrefetch()
{
    m_stop = true;
    for (std::thread& t : m_threads)
        t.join();
}

} // namespace seekbench
