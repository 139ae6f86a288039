// CudaBackend and its context: the weights uploaded once where they fit (weights.cpp), a
// forward pass of layers.cpp's blocks (attention or MLA, then SwiGLU or experts; then the
// logits of the tokens that want them), the decode step captured as a CUDA graph, the KV
// cache (latent-only for MLA), context shifts, traces copied back only when asked for.
// A GPU too small for the model runs its first layers on the CPU (one hand-over of the
// residual per pass) or leaves the routed experts in host memory for the CPU to compute.
#include "backend.h"

#include "cuda_compat.cuh"
#include "layers.h"
#include "weights.h"

#include "engine/forward.h"
#include "engine/fp16.h"
#include "engine/quants.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

namespace seekbench::cuda {
namespace {

std::atomic<long long> g_graph_replays{0};

class CudaBackend;

class CudaContext final : public BackendContext {
public:
    CudaContext(CudaBackend& backend, int n_ctx, int n_seq);
    ~CudaContext() override;

    int n_ctx() const override { return m_n_ctx; }
    int n_seq() const override { return m_n_seq; }
    std::size_t bytes() const override { return m_kv_bytes; }
    void forward(const Batch& batch, std::vector<float>& logits, Trace* trace) override;
    void shift(int seq, int keep, int discard, int n_past) override;
    std::vector<float> cached_key(int layer, int seq, int pos) const override;

private:
    void run(const Batch& batch, std::vector<float>& logits, Trace* trace);
    void layers_and_logits(int M, int n_out, Trace* trace, const Batch* batch);

    CudaBackend& m_b;
    int m_n_ctx, m_n_seq, m_max;
    std::size_t m_kv_bytes = 0;
    DeviceMemory m_mem;
    std::vector<KvLayer> m_kv;
    Buffers m_buf;
    std::vector<float> m_host_x;
    __half* m_move_tmp = nullptr;
    cudaGraphExec_t m_decode = nullptr; // one token, logits wanted, no trace
    // The layers before the GPU's (--gpu-layers) run on the CPU over their own host cache.
    std::unique_ptr<KvCache> m_host_cache;
    ForwardState m_host_state;
    std::unique_ptr<HostExperts> m_host_experts; // routed experts left in host memory
};

class CudaBackend final : public Backend {
public:
    CudaBackend(const Model& model, int gpu, const CudaOptions& options) : m_model(model), m_options(options), m_gpu(gpu)
    {
        use();
        cudaDeviceProp prop{};
        CUDA_CHECK(cudaGetDeviceProperties(&prop, gpu));
        m_describe = std::string("CUDA ") + prop.name + " (sm_" + std::to_string(prop.major) +
                     std::to_string(prop.minor) + ", " + gib(std::size_t(prop.totalGlobalMem)) + ")";
        try {
            CUDA_CHECK(cudaStreamCreate(&m_stream));
            CUBLAS_CHECK(cublasCreate(&m_blas));
            CUBLAS_CHECK(cublasSetStream(m_blas, m_stream));
            place_weights();
            if (m_placement.first_gpu_layer > 0 || (model.config().is_moe() && !m_placement.experts_on_gpu)) {
                const char* env = std::getenv("SEEKBENCH_CPU");
                m_cpu = std::make_unique<CpuDevice>(options.cpu_threads,
                                                    cpu_tier(!options.cpu_tier.empty() ? options.cpu_tier : env ? env : ""));
            }
        } catch (...) {
            release(); // a refused open (too little memory, say) leaves no stream or handle behind
            throw;
        }
    }
    ~CudaBackend() override { release(); }

    // The device is current per thread: each entry point makes this backend's GPU current, as
    // the thread that runs a context need not be the one that opened the model.
    void use() const { CUDA_CHECK(cudaSetDevice(m_gpu)); }

    DeviceKind kind() const override { return DeviceKind::Cuda; }
    std::string describe() const override
    {
        const DevicePlacement p = placement();
        if (p.gpu_layers == p.n_layers && !p.experts_on_cpu)
            return m_describe;
        std::string d = m_describe + ": " + std::to_string(p.gpu_layers) + " of " + std::to_string(p.n_layers) +
                        " layers on the GPU";
        if (p.experts_on_cpu)
            d += ", routed experts on the CPU";
        return d + ", " + m_cpu->describe();
    }
    DevicePlacement placement() const override
    {
        const ModelConfig& c = m_model.config();
        return {c.n_layers, c.n_layers - m_placement.first_gpu_layer, c.is_moe() && !m_placement.experts_on_gpu,
                m_placement.bytes};
    }
    // A decode step is captured as a graph unless the CPU computes experts in its middle.
    bool graphs() const { return m_options.graphs && !(m_model.config().is_moe() && !m_placement.experts_on_gpu); }
    const Model& model() const override { return m_model; }
    std::unique_ptr<BackendContext> new_context(int n_ctx, int n_seq, KvType) override
    {
        // The GPU cache is F16 whatever is asked: F32 would only double its memory.
        if (n_ctx < 1 || n_seq < 1)
            throw Error(ErrorCode::InvalidArgument, "a context needs at least one position and one sequence");
        return std::make_unique<CudaContext>(*this, n_ctx, n_seq);
    }

    const Model& m_model;
    CudaOptions m_options;
    int m_gpu = 0;
    std::string m_describe;
    cudaStream_t m_stream = nullptr;
    cublasHandle_t m_blas = nullptr;
    DeviceMemory m_memory;
    DeviceWeights m_weights;
    Placement m_placement;
    std::unique_ptr<CpuDevice> m_cpu; // for the parts on the CPU, when there are any

private:
    void release()
    {
        cudaSetDevice(m_gpu);
        if (m_blas)
            cublasDestroy(m_blas);
        if (m_stream)
            cudaStreamDestroy(m_stream);
        m_blas = nullptr;
        m_stream = nullptr;
    }
    void place_weights()
    {
        // What fits, with a little to spare for a context: decided (or refused) before copying.
        std::size_t free = 0, total = 0;
        CUDA_CHECK(cudaMemGetInfo(&free, &total));
        m_placement = plan_placement(m_model, free, m_options.gpu_layers, m_options.experts);
        m_weights = upload_weights(m_model, m_memory, m_placement);
    }
};

CudaContext::CudaContext(CudaBackend& b, int n_ctx, int n_seq)
    : m_b(b), m_n_ctx(n_ctx), m_n_seq(n_seq), m_max(std::max(1, b.m_options.max_batch))
{
    b.use();
    const ModelConfig& c = b.m_model.config();
    // MLA caches the normalized latent and the rotary key of each token, values inside.
    const int64_t k_dim = c.is_mla() ? int64_t(c.kv_lora_rank) + c.qk_rope_dim : int64_t(c.n_kv_heads) * c.head_dim;
    const int64_t v_dim = c.is_mla() ? 0 : int64_t(c.n_kv_heads) * c.head_dim_v;
    const std::size_t rows = std::size_t(n_seq) * std::size_t(n_ctx);
    const int first = b.m_placement.first_gpu_layer;
    m_kv.resize(std::size_t(first)); // those layers' cache is on the host
    if (first > 0) {
        m_host_cache = std::make_unique<KvCache>(make_kv_cache(c, n_ctx, n_seq, KvType::F16, first));
        m_kv_bytes += m_host_cache->bytes();
    }
    if (c.is_moe() && !b.m_placement.experts_on_gpu)
        m_host_experts.reset(new HostExperts{b.m_model, *b.m_cpu, {}, {}, {}, {}, {}});
    for (int l = first; l < c.n_layers; ++l) {
        KvLayer kv;
        kv.k = m_mem.alloc<__half>(rows * std::size_t(k_dim));
        kv.v = v_dim > 0 ? m_mem.alloc<__half>(rows * std::size_t(v_dim)) : kv.k;
        kv.n_ctx = n_ctx;
        kv.n_seq = n_seq;
        kv.k_dim = k_dim;
        kv.v_dim = v_dim > 0 ? v_dim : k_dim;
        m_kv.push_back(kv);
        m_kv_bytes += rows * std::size_t(k_dim + v_dim) * sizeof(__half);
    }
    m_buf = make_buffers(c, b.m_weights, m_max, n_ctx, m_mem);
    m_move_tmp = m_mem.alloc<__half>(std::size_t(n_ctx) * std::size_t(std::max(k_dim, v_dim)));
}

CudaContext::~CudaContext()
{
    cudaSetDevice(m_b.m_gpu);
    if (m_decode)
        cudaGraphExecDestroy(m_decode);
}

void CudaContext::forward(const Batch& batch, std::vector<float>& logits, Trace* trace)
{
    m_b.use();
    const ModelConfig& c = m_b.m_model.config();
    check_batch(c, m_n_ctx, m_n_seq, batch);
    begin_trace(c, batch, trace);
    logits.clear();
    if (batch.size() <= m_max) {
        run(batch, logits, trace);
        return;
    }
    for (int first = 0; first < batch.size(); first += m_max) {
        Batch part;
        for (int i = first; i < std::min(batch.size(), first + m_max); ++i)
            part.add(batch.tokens[std::size_t(i)], batch.pos[std::size_t(i)], batch.seq[std::size_t(i)],
                     batch.want_logits[std::size_t(i)] != 0);
        run(part, logits, trace);
    }
}

// A batch of at most m_max tokens: inputs up, the layers, the logits back (appended).
void CudaContext::run(const Batch& batch, std::vector<float>& logits, Trace* trace)
{
    const int M = batch.size();
    const ModelConfig& c = m_b.m_model.config();
    const Weights& w = m_b.m_model.weights();
    cudaStream_t s = m_b.m_stream;
    std::vector<int> rows;
    for (int i = 0; i < M; ++i)
        if (batch.want_logits[std::size_t(i)])
            rows.push_back(i);
    if (m_host_cache) { // the first layers on the CPU: their residual is the GPU's input
        forward_cpu_first_layers(m_b.m_model, *m_b.m_cpu, *m_host_cache, batch, m_host_state,
                                 m_b.m_placement.first_gpu_layer, trace);
        m_host_x = m_host_state.x;
    } else {
        // The embedding rows are dequantized on the host: one row per token, cheap, and the
        // table (often the largest tensor) need not be on the GPU unless the output is tied.
        m_host_x.resize(std::size_t(M) * std::size_t(c.dim));
        for (int i = 0; i < M; ++i) {
            const int32_t token = batch.tokens[std::size_t(i)];
            dequantize_row(w.token_embd.type(), w.token_embd.data() + std::size_t(token) * w.token_embd.row_bytes(),
                           &m_host_x[std::size_t(i) * std::size_t(c.dim)], c.dim);
        }
    }
    CUDA_CHECK(cudaMemcpyAsync(m_buf.x, m_host_x.data(), m_host_x.size() * sizeof(float), cudaMemcpyHostToDevice, s));
    CUDA_CHECK(cudaMemcpyAsync(m_buf.pos, batch.pos.data(), std::size_t(M) * sizeof(int), cudaMemcpyHostToDevice, s));
    CUDA_CHECK(cudaMemcpyAsync(m_buf.seq, batch.seq.data(), std::size_t(M) * sizeof(int), cudaMemcpyHostToDevice, s));
    if (!rows.empty())
        CUDA_CHECK(cudaMemcpyAsync(m_buf.rows, rows.data(), rows.size() * sizeof(int), cudaMemcpyHostToDevice, s));
    const int n_out = static_cast<int>(rows.size());

    if (M == 1 && n_out == 1 && !trace && m_b.graphs()) {
        // A decode step: the same kernels with the same pointers every time (positions are
        // read on the device), so it is captured once and replayed.
        if (!m_decode) {
            cudaGraph_t graph = nullptr;
            CUDA_CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
            try {
                layers_and_logits(1, 1, nullptr, nullptr);
            } catch (...) {
                cudaStreamEndCapture(s, &graph);
                if (graph)
                    cudaGraphDestroy(graph);
                throw;
            }
            CUDA_CHECK(cudaStreamEndCapture(s, &graph));
            const cudaError_t e = cudaGraphInstantiate(&m_decode, graph, 0);
            cudaGraphDestroy(graph);
            if (e != cudaSuccess)
                m_decode = nullptr; // captured again next time
            CUDA_CHECK(e);
        }
        CUDA_CHECK(cudaGraphLaunch(m_decode, s));
        ++g_graph_replays;
    } else {
        layers_and_logits(M, n_out, trace, &batch);
    }
    const std::size_t old = logits.size();
    logits.resize(old + std::size_t(n_out) * std::size_t(c.n_vocab));
    if (n_out > 0)
        CUDA_CHECK(cudaMemcpyAsync(logits.data() + old, m_buf.logits, std::size_t(n_out) * std::size_t(c.n_vocab) * sizeof(float),
                                   cudaMemcpyDeviceToHost, s));
    CUDA_CHECK(cudaStreamSynchronize(s));
}

void CudaContext::layers_and_logits(int M, int n_out, Trace* trace, const Batch* batch)
{
    const ModelConfig& c = m_b.m_model.config();
    cudaStream_t s = m_b.m_stream;
    const int first = m_b.m_placement.first_gpu_layer;
    const Pass pass{c, m_b.m_weights, m_buf, m_mem, m_kv, s, m_b.m_blas, M, trace, batch, m_host_experts.get(), first};
    for (int l = first; l < c.n_layers; ++l) {
        attention_block(pass, l);
        ffn_block(pass, l);
    }
    // Output: the final norm and the vocabulary projection, only for the rows that want it.
    if (n_out > 0) {
        gather_rows(m_buf.x, m_buf.rows, n_out, c.dim, m_buf.out_rows, s);
        rms_norm(m_buf.out_rows, m_b.m_weights.output_norm, m_buf.out_rows, n_out, c.dim, c.norm_eps, s);
        matmul(m_b.m_weights.output, m_buf.out_rows, n_out, m_buf.logits, false, m_buf.mm, m_b.m_blas, s);
    }
}

void CudaContext::shift(int seq, int keep, int discard, int n_past)
{
    m_b.use();
    const ModelConfig& c = m_b.m_model.config();
    cudaStream_t s = m_b.m_stream;
    // MLA caches one rotary key per token after the latent; others one per KV head.
    const int64_t offset = c.is_mla() ? c.kv_lora_rank : 0;
    const int heads = c.is_mla() ? 1 : c.n_kv_heads, stride = c.is_mla() ? c.qk_rope_dim : c.head_dim;
    if (m_host_cache) {
        m_host_cache->move(seq, keep + discard, n_past, -discard);
        rope_shift_keys(m_b.m_model, *m_host_cache, seq, keep, n_past - discard, -discard);
    }
    for (const KvLayer& kv : m_kv) {
        if (!kv.k)
            continue; // a layer on the CPU
        kv_move(kv, seq, keep + discard, n_past, discard, m_move_tmp, s);
        rope_shift(kv.k + (int64_t(seq) * m_n_ctx + keep) * kv.k_dim + offset, n_past - discard - keep, heads, stride,
                   kv.k_dim, -discard, m_b.m_weights.rope, s);
    }
    CUDA_CHECK(cudaStreamSynchronize(s));
}

std::vector<float> CudaContext::cached_key(int layer, int seq, int pos) const
{
    if (layer < m_b.m_placement.first_gpu_layer) { // the host cache is F16 too
        std::vector<float> k(std::size_t(m_host_cache->k_dim()));
        const auto* row = reinterpret_cast<const uint16_t*>(m_host_cache->k(layer, seq, pos));
        for (std::size_t i = 0; i < k.size(); ++i)
            k[i] = fp16_to_f32(row[i]);
        return k;
    }
    m_b.use();
    const KvLayer& kv = m_kv[std::size_t(layer)];
    std::vector<__half> h(std::size_t(kv.k_dim));
    CUDA_CHECK(cudaMemcpy(h.data(), kv.k + (int64_t(seq) * m_n_ctx + pos) * kv.k_dim, h.size() * sizeof(__half),
                          cudaMemcpyDeviceToHost));
    std::vector<float> out(h.size());
    for (std::size_t i = 0; i < h.size(); ++i)
        out[i] = __half2float(h[i]);
    return out;
}

} // namespace

std::unique_ptr<Backend> open_cuda(const Model& model, int gpu, std::string& why, const CudaOptions& options)
{
    why = unsupported(model);
    if (why.empty() && options.gpu_layers == 0)
        why = "--gpu-layers 0 puts no layer on the GPU";
    if (!why.empty())
        return nullptr;
    int count = 0;
    if (const cudaError_t e = cudaGetDeviceCount(&count); e != cudaSuccess || count <= gpu) {
        why = std::string("no CUDA device: ") + (e != cudaSuccess ? cudaGetErrorString(e) : "there is no device " + std::to_string(gpu));
        cudaGetLastError();
        return nullptr;
    }
    try {
        return std::make_unique<CudaBackend>(model, gpu, options);
    } catch (const Error& e) {
        why = e.what();
        cudaGetLastError(); // leave no sticky error behind for the next attempt
        return nullptr;
    }
}

long long graph_replays() { return g_graph_replays.load(); }

} // namespace seekbench::cuda
