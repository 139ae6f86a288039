// The backend seam: where a model runs. A Backend is one model placed on one device (its
// weights there, once; picked when the model loads); a BackendContext is a KV cache and the
// scratch of some sequences on it. Session, Chat, traces, the app and the CLI know only
// these two classes: cpu/ and cuda/ implement them, each in its own folder.
#pragma once

#include "kv_cache.h"
#include "model.h"
#include "trace.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace seekbench {

// One forward pass's tokens. A batch may mix sequences (each token names its KV slot and
// position); tokens flagged for logits get a row of the output, in batch order.
struct Batch {
    std::vector<int32_t> tokens;
    std::vector<int32_t> pos;
    std::vector<int32_t> seq;
    std::vector<uint8_t> want_logits;

    void add(int32_t token, int32_t position, int32_t sequence, bool logits)
    {
        tokens.push_back(token);
        pos.push_back(position);
        seq.push_back(sequence);
        want_logits.push_back(logits ? 1 : 0);
    }
    int size() const { return static_cast<int>(tokens.size()); }
    void clear() { tokens.clear(); pos.clear(); seq.clear(); want_logits.clear(); }
};

// Checks a batch against a model and a context's size; throws Error (InvalidArgument)
// naming the token id, slot or position it cannot take.
void check_batch(const ModelConfig& config, int n_ctx, int n_seq, const Batch& batch);
// Fills a trace's header and tokens for a batch about to run (every backend does this).
void begin_trace(const ModelConfig& config, const Batch& batch, Trace* trace);

// Receives the softmax probabilities of (token m, head h) over positions 0..pos (n_keys).
using AttentionProbe = std::function<void(int m, int head, const float* probs, int n_keys)>;
// A probe that copies attention rows of `layer` into the trace (empty when not wanted).
AttentionProbe attention_probe(Trace* trace, int layer, const Batch& batch, int n_heads);

class BackendContext {
public:
    virtual ~BackendContext() = default;
    virtual int n_ctx() const = 0;
    virtual int n_seq() const = 0;
    virtual std::size_t bytes() const = 0; // the KV cache's memory
    // One forward pass; `logits` becomes (flagged tokens) x n_vocab. With a trace, records
    // what trace->options select; without one, nothing is recorded and nothing is paid.
    // Throws Error (InvalidArgument) for what check_batch() refuses.
    virtual void forward(const Batch& batch, std::vector<float>& logits, Trace* trace = nullptr) = 0;
    // A context shift of `seq`: positions [keep + discard, n_past) move down by `discard`
    // (over the dropped ones) and their keys are rotated to their new positions.
    virtual void shift(int seq, int keep, int discard, int n_past) = 0;
    // The cached key of (layer, seq, pos) as floats, for tests: k_dim values.
    virtual std::vector<float> cached_key(int layer, int seq, int pos) const = 0;
};

enum class DeviceKind { Cpu, Cuda };

// Where a model's parts run when a GPU holds only some of them.
struct DevicePlacement {
    int n_layers = 0;            // the model's
    int gpu_layers = 0;          // the last ones, with the output, run on the GPU
    bool experts_on_cpu = false; // routed experts' weights in host memory, computed by the CPU
    std::size_t gpu_bytes = 0;   // weights on the GPU
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual DeviceKind kind() const = 0;
    virtual std::string describe() const = 0; // "CPU avx512, 2 threads", "CUDA NVIDIA H200 (sm_90)"
    virtual const Model& model() const = 0;
    virtual std::unique_ptr<BackendContext> new_context(int n_ctx, int n_seq, KvType kv_type) = 0;
    // What runs where: nothing on a GPU for the CPU backend.
    virtual DevicePlacement placement() const { return {}; }
    // Waits (up to `timeout_s`) for work a backend goes on with after it opens (the CPU's
    // packing of weights): what `bench` does before timing. Results never depend on it.
    virtual void wait_for_background_work(double /*timeout_s*/) {}
};

enum class DeviceChoice { Auto, Cpu, Cuda };

// "auto", "cpu" or "cuda"; anything else throws Error (InvalidArgument).
DeviceChoice parse_device(const std::string& name);

// Routed experts on a GPU: Auto keeps them in host memory (computed by the CPU) when the GPU
// cannot hold the whole model but can hold everything else.
enum class ExpertPlacement { Auto, Gpu, Cpu };

struct BackendOptions {
    DeviceChoice device = DeviceChoice::Auto;
    int threads = 0; // CPU threads; 0: one per core
    // CPU kernel tier (cpu_tier(): generic, avx2, avxvnni, avx512, amx); empty: $SEEKBENCH_CPU, else
    // the best this CPU runs.
    std::string cpu_tier;
    int gpu = 0;     // which CUDA device
    // CUDA: the last N layers (and the output) on the GPU, the others on the CPU with one
    // hand-over between them; -1: as many as the GPU's free memory holds.
    int gpu_layers = -1;
    ExpertPlacement experts = ExpertPlacement::Auto;
};

// Places `model` on the device asked for. Auto takes a CUDA device when there is one that
// can run the model, the CPU otherwise. When the backend is not the one asked for (no
// device or driver, out of memory, a model or format the GPU cannot run yet), the model
// runs on the CPU and `note` says why; it is left empty otherwise. Never throws for a
// missing or failing GPU.
std::unique_ptr<Backend> open_backend(const Model& model, const BackendOptions& options, std::string* note = nullptr);

} // namespace seekbench
