// CudaBackend and its context: the weights uploaded once, a forward pass that reads like the
// CPU's forward_llama (norm, q/k/v, rotary positions, cache, attention, residual, norm,
// SwiGLU, residual; then the logits of the tokens that want them), the decode step captured
// as a CUDA graph, attention traces copied back only when asked for.
#include "backend.h"

#include "cuda_compat.cuh"
#include "kernels.h"

#include "engine/cpu/ops.h"
#include "engine/quants.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

namespace seekbench::cuda {
namespace {

std::atomic<long long> g_graph_replays{0};

std::string gib(double bytes)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / 1073741824.0);
    return buf;
}

// Device memory, freed when the owner goes.
class DeviceMemory {
public:
    DeviceMemory() = default;
    DeviceMemory(const DeviceMemory&) = delete;
    DeviceMemory& operator=(const DeviceMemory&) = delete;
    ~DeviceMemory()
    {
        for (void* p : m_blocks)
            cudaFree(p);
    }
    template <typename T> T* alloc(std::size_t count)
    {
        void* p = nullptr;
        CUDA_CHECK(cudaMalloc(&p, std::max<std::size_t>(count * sizeof(T), 16)));
        m_blocks.push_back(p);
        return static_cast<T*>(p);
    }
    void* upload(const void* host, std::size_t bytes)
    {
        void* p = alloc<unsigned char>(bytes);
        CUDA_CHECK(cudaMemcpy(p, host, bytes, cudaMemcpyHostToDevice));
        return p;
    }

private:
    std::vector<void*> m_blocks;
};

struct DeviceLayer {
    const float* attn_norm = nullptr;
    const float* ffn_norm = nullptr;
    const float *bq = nullptr, *bk = nullptr, *bv = nullptr;
    DeviceMatrix wq, wk, wv, wo, gate, up, down;
};

// Why a model cannot run on this backend yet, or "" when it can.
std::string unsupported(const Model& model)
{
    const ModelConfig& c = model.config();
    if (c.arch != Arch::Llama && c.arch != Arch::Qwen2)
        return "the CUDA backend runs llama and qwen2 models for now; " + c.arch_name +
               " (mixture of experts, latent attention) comes with part 2";
    if (c.is_moe())
        return "the CUDA backend runs dense models for now; this model has experts";
    if (c.qk_norm)
        return "the CUDA backend does not run per-head query/key norms yet";
    if (c.head_dim > 256 || c.head_dim_v > 256 || c.n_kv_heads <= 0 || c.n_heads % c.n_kv_heads != 0)
        return "the CUDA backend does not run attention heads of " + std::to_string(c.head_dim) + " values";
    auto check = [&](const TensorRef& t, const char* what) -> std::string {
        if (t && !runs_format(t.type()))
            return std::string("the CUDA backend does not run ") + type_name(t.type()) + " weights yet (" + what +
                   " " + t.t->name + ")";
        return "";
    };
    const Weights& w = model.weights();
    if (auto why = check(w.output, "tensor"); !why.empty())
        return why;
    for (const LayerWeights& l : w.layers)
        for (const TensorRef* t : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down})
            if (auto why = check(*t, "tensor"); !why.empty())
                return why;
    return "";
}

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
    float *m_x, *m_xn, *m_q, *m_k, *m_v, *m_att, *m_gate, *m_up, *m_out_rows, *m_logits, *m_partials;
    float* m_probs = nullptr; // M x heads x n_ctx, made when a trace first wants it
    int *m_pos, *m_seq, *m_rows;
    __half* m_move_tmp;
    MatmulScratch m_mm;
    std::vector<float> m_host_x;
    cudaGraphExec_t m_decode = nullptr; // one token, logits wanted, no trace
};

class CudaBackend final : public Backend {
public:
    CudaBackend(const Model& model, int gpu, const CudaOptions& options) : m_model(model), m_options(options)
    {
        CUDA_CHECK(cudaSetDevice(gpu));
        cudaDeviceProp prop{};
        CUDA_CHECK(cudaGetDeviceProperties(&prop, gpu));
        m_describe = std::string("CUDA ") + prop.name + " (sm_" + std::to_string(prop.major) +
                     std::to_string(prop.minor) + ", " + gib(double(prop.totalGlobalMem)) + ")";
        CUDA_CHECK(cudaStreamCreate(&m_stream));
        CUBLAS_CHECK(cublasCreate(&m_blas));
        CUBLAS_CHECK(cublasSetStream(m_blas, m_stream));
        upload();
    }
    ~CudaBackend() override
    {
        if (m_blas)
            cublasDestroy(m_blas);
        if (m_stream)
            cudaStreamDestroy(m_stream);
    }

    DeviceKind kind() const override { return DeviceKind::Cuda; }
    std::string describe() const override { return m_describe; }
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
    std::string m_describe;
    cudaStream_t m_stream = nullptr;
    cublasHandle_t m_blas = nullptr;
    DeviceMemory m_weights;
    std::vector<DeviceLayer> m_layers;
    DeviceMatrix m_output;
    const float* m_output_norm = nullptr;
    RopeParams m_rope;
    int64_t m_max_cols = 0, m_max_rows = 0;

private:
    DeviceMatrix matrix(const TensorRef& t)
    {
        DeviceMatrix m;
        m.type = t.type();
        m.rows = t.rows();
        m.cols = t.cols();
        m.row_bytes = t.row_bytes();
        m.data = m_weights.upload(t.data(), std::size_t(m.rows) * m.row_bytes);
        m_max_cols = std::max(m_max_cols, m.cols);
        m_max_rows = std::max(m_max_rows, m.rows);
        return m;
    }
    const float* vec(const TensorRef& t)
    {
        return t ? static_cast<const float*>(m_weights.upload(t.data(), std::size_t(t.t->nbytes))) : nullptr;
    }

    void upload()
    {
        const ModelConfig& c = m_model.config();
        const Weights& w = m_model.weights();
        // Room for the weights, with a little to spare for a context: say so before copying.
        std::size_t need = 0;
        for (const GgufTensor& t : m_model.file().tensors())
            if (t.name != "token_embd.weight" || c.tied_output)
                need += t.nbytes;
        std::size_t free = 0, total = 0;
        CUDA_CHECK(cudaMemGetInfo(&free, &total));
        if (need + (std::size_t(256) << 20) > free)
            throw Error(ErrorCode::Device, "out of GPU memory: the weights need " + gib(double(need)) + ", " +
                                               gib(double(free)) + " are free");
        for (const LayerWeights& l : w.layers) {
            DeviceLayer d;
            d.attn_norm = vec(l.attn_norm);
            d.ffn_norm = vec(l.ffn_norm);
            d.bq = vec(l.bq);
            d.bk = vec(l.bk);
            d.bv = vec(l.bv);
            d.wq = matrix(l.wq);
            d.wk = matrix(l.wk);
            d.wv = matrix(l.wv);
            d.wo = matrix(l.wo);
            d.gate = matrix(l.w_gate);
            d.up = matrix(l.w_up);
            d.down = matrix(l.w_down);
            m_layers.push_back(d);
        }
        m_output = matrix(w.output);
        m_output_norm = vec(w.output_norm);
        const GgufTensor* factors = m_model.file().find_tensor("rope_freqs.weight");
        const cpu::Rope rope(c, factors && factors->type == TensorType::F32 && factors->elements() == c.rope_dims / 2
                                    ? reinterpret_cast<const float*>(factors->data) : nullptr);
        const std::vector<double>& inv = rope.inv_freq();
        m_rope.inv_freq = static_cast<const double*>(m_weights.upload(inv.data(), inv.size() * sizeof(double)));
        m_rope.dims = c.rope_dims;
        m_rope.neox = c.rope_type == RopeType::Neox;
        m_rope.mscale = static_cast<float>(rope.mscale());
    }
};

CudaContext::CudaContext(CudaBackend& b, int n_ctx, int n_seq)
    : m_b(b), m_n_ctx(n_ctx), m_n_seq(n_seq), m_max(std::max(1, b.m_options.max_batch))
{
    const ModelConfig& c = b.m_model.config();
    const int64_t kv_dim = int64_t(c.n_kv_heads) * c.head_dim, v_dim = int64_t(c.n_kv_heads) * c.head_dim_v;
    const std::size_t rows = std::size_t(n_seq) * std::size_t(n_ctx);
    for (int l = 0; l < c.n_layers; ++l) {
        KvLayer kv;
        kv.k = m_mem.alloc<__half>(rows * std::size_t(kv_dim));
        kv.v = m_mem.alloc<__half>(rows * std::size_t(v_dim));
        kv.n_ctx = n_ctx;
        kv.n_seq = n_seq;
        kv.k_dim = kv_dim;
        kv.v_dim = v_dim;
        m_kv.push_back(kv);
        m_kv_bytes += rows * std::size_t(kv_dim + v_dim) * sizeof(__half);
    }
    const std::size_t M = std::size_t(m_max);
    const std::size_t q_dim = std::size_t(c.n_heads) * std::size_t(c.head_dim);
    const std::size_t o_dim = std::size_t(c.n_heads) * std::size_t(c.head_dim_v);
    m_x = m_mem.alloc<float>(M * std::size_t(c.dim));
    m_xn = m_mem.alloc<float>(M * std::size_t(c.dim));
    m_q = m_mem.alloc<float>(M * q_dim);
    m_k = m_mem.alloc<float>(M * std::size_t(kv_dim));
    m_v = m_mem.alloc<float>(M * std::size_t(v_dim));
    m_att = m_mem.alloc<float>(M * o_dim);
    m_gate = m_mem.alloc<float>(M * std::size_t(c.hidden_dim));
    m_up = m_mem.alloc<float>(M * std::size_t(c.hidden_dim));
    m_out_rows = m_mem.alloc<float>(M * std::size_t(c.dim));
    m_logits = m_mem.alloc<float>(M * std::size_t(c.n_vocab));
    AttentionDims d{c.n_heads, c.n_kv_heads, c.head_dim, c.head_dim_v, 1.0f};
    m_partials = m_mem.alloc<float>(attention_scratch_floats(m_max, d, n_ctx));
    m_pos = m_mem.alloc<int>(M);
    m_seq = m_mem.alloc<int>(M);
    m_rows = m_mem.alloc<int>(M);
    m_move_tmp = m_mem.alloc<__half>(std::size_t(n_ctx) * std::size_t(std::max(kv_dim, v_dim)));
    const std::size_t max_cols = std::size_t(std::max<int64_t>(b.m_max_cols, c.hidden_dim));
    m_mm.xq_blocks = std::size_t(kMatvecMaxTokens) * (max_cols / 32 + 1);
    m_mm.xq = m_mem.alloc<BlockQ8_1>(m_mm.xq_blocks);
    m_mm.xh_elems = M * max_cols;
    m_mm.xh = m_mem.alloc<__half>(m_mm.xh_elems);
    // A weight tile of at most 32 MB of halves, and at least one row.
    m_mm.tile_elems = std::max<std::size_t>(max_cols, std::min<std::size_t>(std::size_t(16) << 20,
                                                                           std::size_t(b.m_max_rows) * max_cols));
    m_mm.tile = m_mem.alloc<__half>(m_mm.tile_elems);
}

CudaContext::~CudaContext()
{
    if (m_decode)
        cudaGraphExecDestroy(m_decode);
}

void CudaContext::forward(const Batch& batch, std::vector<float>& logits, Trace* trace)
{
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
    // The embedding rows are dequantized on the host: one row per token, cheap, and the
    // table (often the largest tensor) need not be on the GPU unless the output is tied.
    m_host_x.resize(std::size_t(M) * std::size_t(c.dim));
    std::vector<int> rows;
    for (int i = 0; i < M; ++i) {
        const int32_t token = batch.tokens[std::size_t(i)];
        dequantize_row(w.token_embd.type(), w.token_embd.data() + std::size_t(token) * w.token_embd.row_bytes(),
                       &m_host_x[std::size_t(i) * std::size_t(c.dim)], c.dim);
        if (batch.want_logits[std::size_t(i)])
            rows.push_back(i);
    }
    CUDA_CHECK(cudaMemcpyAsync(m_x, m_host_x.data(), m_host_x.size() * sizeof(float), cudaMemcpyHostToDevice, s));
    CUDA_CHECK(cudaMemcpyAsync(m_pos, batch.pos.data(), std::size_t(M) * sizeof(int), cudaMemcpyHostToDevice, s));
    CUDA_CHECK(cudaMemcpyAsync(m_seq, batch.seq.data(), std::size_t(M) * sizeof(int), cudaMemcpyHostToDevice, s));
    if (!rows.empty())
        CUDA_CHECK(cudaMemcpyAsync(m_rows, rows.data(), rows.size() * sizeof(int), cudaMemcpyHostToDevice, s));
    const int n_out = static_cast<int>(rows.size());

    if (M == 1 && n_out == 1 && !trace && m_b.m_options.graphs) {
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
        CUDA_CHECK(cudaMemcpyAsync(logits.data() + old, m_logits, std::size_t(n_out) * std::size_t(c.n_vocab) * sizeof(float),
                                   cudaMemcpyDeviceToHost, s));
    CUDA_CHECK(cudaStreamSynchronize(s));
}

void CudaContext::layers_and_logits(int M, int n_out, Trace* trace, const Batch* batch)
{
    const ModelConfig& c = m_b.m_model.config();
    cudaStream_t s = m_b.m_stream;
    cublasHandle_t blas = m_b.m_blas;
    const int64_t dim = c.dim, q_dim = int64_t(c.n_heads) * c.head_dim, kv_dim = int64_t(c.n_kv_heads) * c.head_dim,
                  v_dim = int64_t(c.n_kv_heads) * c.head_dim_v;
    const AttentionDims ad{c.n_heads, c.n_kv_heads, c.head_dim, c.head_dim_v,
                           c.attn_scale > 0 ? c.attn_scale : 1.0f / std::sqrt(static_cast<float>(c.head_dim))};
    for (int l = 0; l < c.n_layers; ++l) {
        const DeviceLayer& L = m_b.m_layers[std::size_t(l)];
        const KvLayer& kv = m_kv[std::size_t(l)];
        // Attention block.
        rms_norm(m_x, L.attn_norm, m_xn, M, dim, c.norm_eps, s);
        matmul(L.wq, m_xn, M, m_q, false, m_mm, blas, s);
        matmul(L.wk, m_xn, M, m_k, false, m_mm, blas, s);
        matmul(L.wv, m_xn, M, m_v, false, m_mm, blas, s);
        if (L.bq)
            add_bias(m_q, L.bq, M, q_dim, s);
        if (L.bk)
            add_bias(m_k, L.bk, M, kv_dim, s);
        if (L.bv)
            add_bias(m_v, L.bv, M, v_dim, s);
        rope(m_q, m_pos, M, c.n_heads, c.head_dim, q_dim, m_b.m_rope, s);
        rope(m_k, m_pos, M, c.n_kv_heads, c.head_dim, kv_dim, m_b.m_rope, s);
        kv_store(m_k, m_v, kv, m_seq, m_pos, M, s);
        attention(m_q, kv, m_seq, m_pos, M, ad, m_partials, m_att, s);
        if (trace && batch) {
            const AttentionProbe probe = attention_probe(trace, l, *batch, c.n_heads);
            if (probe) {
                const std::size_t n = std::size_t(M) * std::size_t(c.n_heads) * std::size_t(m_n_ctx);
                if (!m_probs)
                    m_probs = m_mem.alloc<float>(std::size_t(m_max) * std::size_t(c.n_heads) * std::size_t(m_n_ctx));
                attention_probs(m_q, kv, m_seq, m_pos, M, ad, m_probs, s);
                std::vector<float> host(n);
                CUDA_CHECK(cudaMemcpyAsync(host.data(), m_probs, n * sizeof(float), cudaMemcpyDeviceToHost, s));
                CUDA_CHECK(cudaStreamSynchronize(s));
                for (int m = 0; m < M; ++m)
                    for (int h = 0; h < c.n_heads; ++h)
                        probe(m, h, &host[(std::size_t(m) * std::size_t(c.n_heads) + std::size_t(h)) * std::size_t(m_n_ctx)],
                              batch->pos[std::size_t(m)] + 1);
            }
        }
        matmul(L.wo, m_att, M, m_x, true, m_mm, blas, s);
        // Feed-forward block.
        rms_norm(m_x, L.ffn_norm, m_xn, M, dim, c.norm_eps, s);
        matmul(L.gate, m_xn, M, m_gate, false, m_mm, blas, s);
        matmul(L.up, m_xn, M, m_up, false, m_mm, blas, s);
        silu_mul(m_gate, m_up, int64_t(M) * c.hidden_dim, s);
        matmul(L.down, m_gate, M, m_x, true, m_mm, blas, s);
    }
    // Output: the final norm and the vocabulary projection, only for the rows that want it.
    if (n_out > 0) {
        gather_rows(m_x, m_rows, n_out, dim, m_out_rows, s);
        rms_norm(m_out_rows, m_b.m_output_norm, m_out_rows, n_out, dim, c.norm_eps, s);
        matmul(m_b.m_output, m_out_rows, n_out, m_logits, false, m_mm, blas, s);
    }
}

void CudaContext::shift(int seq, int keep, int discard, int n_past)
{
    const ModelConfig& c = m_b.m_model.config();
    cudaStream_t s = m_b.m_stream;
    for (const KvLayer& kv : m_kv) {
        kv_move(kv, seq, keep + discard, n_past, discard, m_move_tmp, s);
        rope_shift(kv.k + (int64_t(seq) * m_n_ctx + keep) * kv.k_dim, n_past - discard - keep, c.n_kv_heads,
                   c.head_dim, kv.k_dim, -discard, m_b.m_rope, s);
    }
    CUDA_CHECK(cudaStreamSynchronize(s));
}

std::vector<float> CudaContext::cached_key(int layer, int seq, int pos) const
{
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
