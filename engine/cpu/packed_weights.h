// Weights packed once into the panel layout of their GEMM (types whose Kernels::Gemm has
// group_rows: F16/BF16, 16 rows stored value by value; Q4_K, Q6_K, Q8_0 (and Q5_0 on
// AVX-512), 16 rows a block at a time, the same bytes as the rows). Prompts then skip packing a panel per task, and
// decode streams each group in address order instead of reading 16 GGUF rows side by side. The copy costs memory (bytes()) and is made by a thread
// of its own at low priority, weight by weight, while the model already runs: until a weight
// is packed, find() says so and it goes through the kernels for the file's layout, which give
// the same bits.
#pragma once

#include "kernels.h"
#include "matmul.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace seekbench::cpu {

class PackedWeights {
public:
    // A weight `kernels` can pack whole: a type with Gemm::group_rows and a whole number of
    // groups per slice (`w.rows`: all rows of every slice of a 3-D weight).
    static bool packable(const Kernels& kernels, const WeightView& w, int64_t slice_rows);
    // Starts packing `weights` (each packable), in address order, once `ready()` says so
    // (asked every few ms; none: at once); `packed(w)` runs on that thread after each (the
    // file's pages of w may go). Throws Error (Io) when the memory cannot be mapped.
    PackedWeights(const Kernels& kernels, const std::vector<WeightView>& weights,
                  std::function<void(const WeightView&)> packed = {}, std::function<bool()> ready = {});
    ~PackedWeights(); // stops the packing thread first
    PackedWeights(const PackedWeights&) = delete;
    PackedWeights& operator=(const PackedWeights&) = delete;

    // The packed rows of `w` (a view of rows of a weight packed by now, starting at a group's
    // first row, with its row_bytes), or nullptr: then `w` goes through the file-layout kernels.
    const uint8_t* find(const WeightView& w) const;
    // Row r of `w` (a weight as the constructor took it) in the file's bytes (w.row_bytes of
    // them) into `out`, from the packed copy; false where w is not packed by now or its type
    // cannot give a row back (Kernels::Gemm::group_row).
    bool row(const WeightView& w, int64_t r, void* out) const;
    std::size_t bytes() const { return m_bytes; }
    bool done() const { return m_done.load(std::memory_order_acquire); }
    void wait(double timeout_s) const; // until done() or the timeout
    const std::vector<WeightView>& weights() const { return m_weights; } // sorted by address

private:
    void run();

    const Kernels& m_k;
    std::vector<WeightView> m_weights;
    std::vector<std::size_t> m_at;                   // each weight's offset in m_base
    std::unique_ptr<std::atomic<bool>[]> m_ready;    // per weight: packed (release/acquire)
    std::function<void(const WeightView&)> m_packed;
    std::function<bool()> m_ready_to_start;
    uint8_t* m_base = nullptr;
    std::size_t m_bytes = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_done{false};
    std::thread m_thread; // last: started when everything above is set
};

} // namespace seekbench::cpu
