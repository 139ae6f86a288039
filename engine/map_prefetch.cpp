// MapPrefetch: MADV_POPULATE_READ per chunk (Linux 5.14+: waits for the pages and maps them,
// no copy), MADV_WILLNEED where the kernel lacks it (starts the reads only).
#include "map_prefetch.h"

#include <algorithm>
#include <cstdio>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

namespace seekbench {
namespace {
constexpr std::size_t kChunk = std::size_t(8) << 20;
constexpr std::size_t kMinBytes = std::size_t(64) << 20;

// MemAvailable (free memory plus what the page cache can give back), else free memory.
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
} // namespace

std::unique_ptr<MapPrefetch> MapPrefetch::start(std::vector<Range> ranges, int threads)
{
    auto p = std::unique_ptr<MapPrefetch>(new MapPrefetch);
    const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    for (const auto& [data, bytes] : ranges) {
        auto from = reinterpret_cast<std::uintptr_t>(data) & ~(page - 1);
        const auto end = reinterpret_cast<std::uintptr_t>(data) + bytes;
        for (; from < end; from += kChunk) {
            const std::size_t n = std::min<std::size_t>(kChunk, end - from);
            p->m_chunks.emplace_back(reinterpret_cast<const uint8_t*>(from), n);
            p->m_total += n;
        }
    }
    // A hint only: weights that would fill most of the memory available are left to the
    // page faults, which read what a forward pass needs when it needs it.
    if (p->m_total < kMinBytes || p->m_total > available_memory() / 10 * 8)
        return nullptr;
    for (int t = 0; t < threads; ++t)
        p->m_threads.emplace_back([q = p.get()] { q->run(); });
    return p;
}

void MapPrefetch::run()
{
    for (std::size_t i = m_next++; i < m_chunks.size() && !m_stop.load(std::memory_order_relaxed); i = m_next++) {
        auto* addr = const_cast<uint8_t*>(m_chunks[i].first);
        if (madvise(addr, m_chunks[i].second, MADV_POPULATE_READ) != 0)
            madvise(addr, m_chunks[i].second, MADV_WILLNEED);
    }
    ++m_done;
}

MapPrefetch::~MapPrefetch()
{
    m_stop = true;
    for (std::thread& t : m_threads)
        t.join();
}

} // namespace seekbench
