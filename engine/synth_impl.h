// Internals shared by the synth writers (synth.cpp for decoders, synth_bert.cpp for
// encoders): the seeded generator, and random-weight tensors added to a GGUF writer, each
// from its own seed so that a tensor does not depend on the others.
#pragma once

#include "cpu/threadpool.h"
#include "gguf_writer.h"
#include "synth.h"

#include <cmath>
#include <cstdint>
#include <string>

namespace seekbench {

struct SynthRng {
    uint64_t s;
    uint64_t next()
    {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    float uniform() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }
    float normal()
    {
        const float u1 = std::max(uniform(), 1e-7f), u2 = uniform();
        return std::sqrt(-2.0f * std::log(u1)) * std::cos(6.2831853f * u2);
    }
};

uint64_t synth_hash(const std::string& s, uint64_t seed);
int synth_file_type_id(TensorType t); // general.file_type for weights of type t

class SynthTensors {
public:
    SynthTensors(GgufWriter& w, ThreadPool& pool, uint64_t seed) : m_w(w), m_pool(pool), m_seed(seed) {}
    // rows x cols from N(0, scale^2); F16 when a row is shorter than the format's block.
    void matrix(const std::string& name, int64_t cols, int64_t rows, TensorType type, float scale = 0.02f);
    // n matrices of rows x cols in one 3-D tensor (experts, heads).
    void stack(const std::string& name, int64_t cols, int64_t rows, int64_t n, TensorType type);
    void vector(const std::string& name, int64_t n, float value); // F32, every value the same
    void bias(const std::string& name, int64_t n);                  // F32 from N(0, 0.02^2)

private:
    GgufWriter& m_w;
    ThreadPool& m_pool;
    uint64_t m_seed;
};

// Encoders (bert, nomic-bert) with a WordPiece vocabulary.
void write_synth_encoder(const SynthPreset& preset, const SynthOptions& options, const std::string& path,
                         const std::function<void(std::size_t, std::size_t)>& progress);

} // namespace seekbench
