// Weights packed once, when a backend is made, into the panel layout of their GEMM (types
// whose Kernels::Gemm has group_rows: F16/BF16 on AVX2 and AVX-512, 16 rows stored value by
// value). Prompts then skip packing a panel per task, and decode streams each group in
// address order instead of reading 16 GGUF rows side by side. The copy costs memory (bytes());
// the mapped file's pages of those weights are given back by the caller.
#pragma once

#include "kernels.h"
#include "matmul.h"
#include "threadpool.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace seekbench::cpu {

class PackedWeights {
public:
    // A weight `kernels` can pack whole: a type with Gemm::group_rows and a whole number of
    // groups (`w.rows`: all rows of every slice of a 3-D weight, each slice a whole number too).
    static bool packable(const Kernels& kernels, const WeightView& w, int64_t slice_rows);
    // Packs `weights` (each packable) on the pool's threads into one anonymous mapping.
    // Throws Error (Io) when the memory cannot be had.
    PackedWeights(const Kernels& kernels, ThreadPool& pool, const std::vector<WeightView>& weights);
    ~PackedWeights();
    PackedWeights(const PackedWeights&) = delete;
    PackedWeights& operator=(const PackedWeights&) = delete;

    // The packed rows of `w` (a view of rows of a packed weight, starting at a group's first
    // row, with its row_bytes), or nullptr: then `w` goes through the GGUF-layout kernels.
    const uint8_t* find(const WeightView& w) const;
    std::size_t bytes() const { return m_bytes; }
    const std::vector<WeightView>& weights() const { return m_weights; } // sorted by address

private:
    const Kernels& m_k;
    std::vector<WeightView> m_weights;
    std::vector<std::size_t> m_at; // each weight's offset in m_base
    uint8_t* m_base = nullptr;
    std::size_t m_bytes = 0;
};

} // namespace seekbench::cpu
