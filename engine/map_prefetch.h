// Brings a loaded model's weights into memory ahead of the first token: two background
// threads fault in the mapped tensors in file order (which is the order a forward pass reads
// them), 8 MiB at a time, so the first prompt finds most pages there instead of waiting on
// one page fault after another. The threads mostly wait for the disk; they stop (and are
// joined) when the object goes, which must be before the mapping does.
//
// The ranges are marked MADV_HUGEPAGE first (transparent huge pages not switched off), so a
// cold file is read in 2 MiB folios and mapped 2 MiB at a time, by these reads and by a
// forward pass's own faults alike; with eight threads reading 8 MiB each and no advice, this
// kernel (6.18, ext4) read the same file in 4 KiB pages. The first access to each mapped page
// is dear on a virtual machine (the hypervisor fills its own tables), and a 3.8 GB file read
// cold took 2.4-2.8 s to the first token that way, against 0.7-1.0 s now (README, "Opening a
// model that is not in memory").
//
// Where the kernel has transparent huge pages, each whole 2 MiB of the ranges that it has not
// mapped as a huge page itself (it does for a file read cold into 2 MiB folios: ext4 from
// Linux 6.16) is then copied into a huge page of anonymous memory that takes its place in the
// mapping (same bytes, same address, read-only): file pages cached in 4 KiB folios, and a
// decode step that streams every weight through 4 KiB translations and prefetchers that stop
// at each 4 KiB boundary ran 20-25% slower (tg of 1.5B Q4_K and Q8_0 files on Zen 5). The
// file's pages stay in the page cache, free to be reclaimed. SEEKBENCH_HUGE_PAGES=0 keeps the
// file pages. The moves wait until everything is read and then run on one thread at nice 10,
// so a first prompt computing meanwhile keeps most of the cores (with every reader moving its
// own chunks at once, the first token of a cold 3.8 GB file came 1.3 s later).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace seekbench {

class MapPrefetch {
public:
    using Range = std::pair<const uint8_t*, std::size_t>; // inside one read-only mapping
    // Nothing to do (nullptr) when the ranges are small (under 64 MiB in all) or would not
    // fit in the memory now available: then faulting them in would only push out others.
    static std::unique_ptr<MapPrefetch> start(std::vector<Range> ranges, int threads = 2);
    ~MapPrefetch();
    MapPrefetch(const MapPrefetch&) = delete;
    MapPrefetch& operator=(const MapPrefetch&) = delete;

    std::size_t bytes() const { return m_total; }
    bool done() const { return m_done.load() == static_cast<int>(m_threads.size()); }
    // Bytes now in huge pages, the file's own or copies (when done(): all that will be).
    std::size_t huge_bytes() const { return m_huge_bytes.load(); }
    // Every chunk read (or its reader stopped); the moves may still run.
    bool read() const { return m_read.load() == static_cast<int>(m_threads.size()); }
    // Ranges a backend makes its own copy of (PackedWeights): still read, as the copy is made
    // from them, but their whole 2 MiB pieces are not moved into huge pages.
    void skip_moves(const std::vector<Range>& ranges);

private:
    MapPrefetch() = default;
    bool skipped(std::uintptr_t from, std::uintptr_t to) const; // all of [from, to) in skipped ranges
    void run();
    void move_to_huge_pages();

    std::vector<Range> m_chunks; // page-aligned, 8 MiB at most, within 8 MiB-aligned blocks, in order
    std::size_t m_total = 0;
    std::atomic<bool> m_huge{false}; // move whole 2 MiB pieces into huge pages
    std::atomic<std::size_t> m_huge_bytes{0};
    std::atomic<std::size_t> m_next{0};
    std::atomic<bool> m_stop{false};
    std::vector<char> m_populated; // per chunk, written by the thread that read it
    std::atomic<int> m_read{0};    // threads done reading
    std::atomic<int> m_done{0};
    std::vector<std::thread> m_threads;
    mutable std::mutex m_skip_mutex;
    std::vector<std::pair<std::uintptr_t, std::uintptr_t>> m_skip; // [from, to), sorted, disjoint
};

// MemAvailable (free memory plus what the page cache can give back), else free memory.
std::size_t available_memory();

} // namespace seekbench
