// Uploading a model to the GPU: every matrix in its file's format (expert stacks whole),
// norms and biases as floats, MLA's W_UK^T and W_UV per head as F16 from either layout
// (attn_k_b/attn_v_b, or the older attn_kv_b), the rotary frequencies as the CPU makes them.
#include "weights.h"

#include "cuda_compat.cuh"

#include "engine/cpu/ops.h"
#include "engine/fp16.h"
#include "engine/quants.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace seekbench::cuda {

DeviceMemory::~DeviceMemory()
{
    for (void* p : m_blocks)
        cudaFree(p);
}

void* DeviceMemory::alloc_bytes(std::size_t bytes)
{
    void* p = nullptr;
    CUDA_CHECK(cudaMalloc(&p, std::max<std::size_t>(bytes, 16)));
    m_blocks.push_back(p);
    return p;
}

void* DeviceMemory::upload(const void* host, std::size_t bytes)
{
    void* p = alloc_bytes(bytes);
    CUDA_CHECK(cudaMemcpy(p, host, bytes, cudaMemcpyHostToDevice));
    return p;
}

namespace {

// The latent attention's per-head matrices, uploaded as F16 instead of their tensors.
bool made_per_head(const std::string& name)
{
    return name.ends_with("attn_kv_b.weight") || name.ends_with("attn_k_b.weight") || name.ends_with("attn_v_b.weight");
}

std::size_t head_matrix_bytes(const ModelConfig& c)
{
    return std::size_t(c.n_heads) * std::size_t(c.kv_lora_rank) * std::size_t(c.qk_nope_dim + c.head_dim_v) * 2;
}

class Uploader {
public:
    Uploader(DeviceMemory& memory, DeviceWeights& out) : m_mem(memory), m_out(out) {}

    DeviceMatrix matrix(const TensorRef& t)
    {
        if (!t)
            return {};
        DeviceMatrix m{t.type(), t.rows(), t.cols(), t.row_bytes(), nullptr};
        m.data = m_mem.upload(t.data(), std::size_t(t.t->nbytes));
        m_out.max_cols = std::max(m_out.max_cols, m.cols);
        m_out.max_rows = std::max(m_out.max_rows, m.rows);
        return m;
    }
    ExpertMatrices experts(const TensorRef& t)
    {
        ExpertMatrices e;
        e.first = matrix(t);
        e.stride = std::size_t(t.rows()) * t.row_bytes();
        return e;
    }
    const float* vec(const TensorRef& t)
    {
        return t ? static_cast<const float*>(m_mem.upload(t.data(), std::size_t(t.t->nbytes))) : nullptr;
    }
    HeadMatrices heads(const std::vector<uint16_t>& halves, int n_heads, int rows, int cols)
    {
        return {static_cast<const __half*>(m_mem.upload(halves.data(), halves.size() * sizeof(uint16_t))), n_heads, rows,
                cols};
    }

private:
    DeviceMemory& m_mem;
    DeviceWeights& m_out;
};

// Row `r` of a 2-D tensor, or of slice `s` of a 3-D one, as floats.
std::vector<float> row_of(const TensorRef& t, int64_t r, int64_t s = 0)
{
    std::vector<float> v(std::size_t(t.cols()));
    dequantize_row(t.type(), t.slice(s) + std::size_t(r) * t.row_bytes(), v.data(), t.cols());
    return v;
}

// W_UK^T (H x (lora, nope)) and W_UV (H x (dv, lora)) of one layer, as F16.
void mla_head_matrices(const ModelConfig& c, const LayerWeights& lw, std::vector<uint16_t>& uk_t,
                       std::vector<uint16_t>& uv)
{
    const int H = c.n_heads, nope = c.qk_nope_dim, dv = c.head_dim_v, lora = c.kv_lora_rank;
    uk_t.assign(std::size_t(H) * std::size_t(lora) * std::size_t(nope), 0);
    uv.assign(std::size_t(H) * std::size_t(dv) * std::size_t(lora), 0);
    for (int h = 0; h < H; ++h) {
        uint16_t* k = &uk_t[std::size_t(h) * std::size_t(lora) * std::size_t(nope)];
        uint16_t* v = &uv[std::size_t(h) * std::size_t(dv) * std::size_t(lora)];
        if (lw.wkv_b) { // rows h*(nope+dv) .. +nope are W_UK, the next dv rows W_UV
            const int64_t base = int64_t(h) * (nope + dv);
            for (int i = 0; i < nope; ++i) {
                const std::vector<float> r = row_of(lw.wkv_b, base + i);
                for (int j = 0; j < lora; ++j)
                    k[std::size_t(j) * std::size_t(nope) + std::size_t(i)] = f32_to_fp16(r[std::size_t(j)]);
            }
            for (int i = 0; i < dv; ++i) {
                const std::vector<float> r = row_of(lw.wkv_b, base + nope + i);
                for (int j = 0; j < lora; ++j)
                    v[std::size_t(i) * std::size_t(lora) + std::size_t(j)] = f32_to_fp16(r[std::size_t(j)]);
            }
        } else { // attn_k_b holds W_UK^T per head, attn_v_b W_UV per head
            for (int j = 0; j < lora; ++j) {
                const std::vector<float> r = row_of(lw.wk_b, j, h);
                for (int i = 0; i < nope; ++i)
                    k[std::size_t(j) * std::size_t(nope) + std::size_t(i)] = f32_to_fp16(r[std::size_t(i)]);
            }
            for (int i = 0; i < dv; ++i) {
                const std::vector<float> r = row_of(lw.wv_b, i, h);
                for (int j = 0; j < lora; ++j)
                    v[std::size_t(i) * std::size_t(lora) + std::size_t(j)] = f32_to_fp16(r[std::size_t(j)]);
            }
        }
    }
}

} // namespace

std::string gib(std::size_t bytes)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f GiB", double(bytes) / 1073741824.0);
    return buf;
}

std::string unsupported(const Model& model)
{
    const ModelConfig& c = model.config();
    if (c.is_encoder())
        return "the CUDA backend runs generative models; " + c.arch_name + " is an embedding model";
    if (c.is_mla()) {
        if (c.kv_lora_rank + c.qk_rope_dim > kMaxHeadDim)
            return "the CUDA backend's latent attention takes up to " + std::to_string(kMaxHeadDim) +
                   " cached values per token; this model has " + std::to_string(c.kv_lora_rank + c.qk_rope_dim);
    } else if (c.head_dim > kMaxHeadDim || c.head_dim_v > kMaxHeadDim || c.n_kv_heads <= 0 ||
               c.n_heads % c.n_kv_heads != 0) {
        return "the CUDA backend does not run attention heads of " + std::to_string(c.head_dim) + " values";
    }
    if (c.is_moe() && (c.n_experts > kMaxExperts || c.n_experts_used > kMaxExpertsUsed ||
                       c.n_expert_groups > kMaxExpertGroups ||
                       (c.n_expert_groups > 1 && c.n_experts % c.n_expert_groups != 0)))
        return "the CUDA backend routes up to " + std::to_string(kMaxExperts) + " experts (top-" +
               std::to_string(kMaxExpertsUsed) + "); this model has " + std::to_string(c.n_experts) + " (top-" +
               std::to_string(c.n_experts_used) + ")";
    auto check = [&](const TensorRef& t) -> std::string {
        if (t && !runs_format(t.type()))
            return std::string("the CUDA backend does not run ") + type_name(t.type()) + " weights yet (tensor " +
                   t.t->name + ")";
        return "";
    };
    const Weights& w = model.weights();
    if (auto why = check(w.output); !why.empty())
        return why;
    for (const LayerWeights& l : w.layers)
        for (const TensorRef* t : {&l.wq, &l.wk, &l.wv, &l.wo, &l.wq_a, &l.wq_b, &l.wkv_a, &l.w_gate, &l.w_up,
                                   &l.w_down, &l.router, &l.gate_exps, &l.up_exps, &l.down_exps, &l.gate_shexp,
                                   &l.up_shexp, &l.down_shexp})
            if (auto why = check(*t); !why.empty())
                return why;
    return "";
}

ModelBytes model_bytes(const Model& model)
{
    const ModelConfig& c = model.config();
    ModelBytes b;
    b.layer.assign(std::size_t(c.n_layers), 0);
    b.experts.assign(std::size_t(c.n_layers), 0);
    for (const GgufTensor& t : model.file().tensors()) {
        if (t.name.starts_with("blk.")) {
            const int l = std::atoi(t.name.c_str() + 4);
            if (l < 0 || l >= c.n_layers || made_per_head(t.name))
                continue;
            const bool routed = t.name.find("_exps.") != std::string::npos;
            (routed ? b.experts : b.layer)[std::size_t(l)] += t.nbytes;
        } else if (t.name == "output.weight" || t.name == "output_norm.weight" ||
                   (t.name == "token_embd.weight" && c.tied_output)) {
            b.output += t.nbytes;
        }
    }
    if (c.is_mla())
        for (std::size_t& l : b.layer)
            l += head_matrix_bytes(c);
    return b;
}

Placement plan_placement(const Model& model, std::size_t free, int gpu_layers, ExpertPlacement experts)
{
    const ModelConfig& c = model.config();
    const ModelBytes b = model_bytes(model);
    const std::size_t room = free > kGpuReserve ? free - kGpuReserve : 0;
    auto bytes = [&](int first, bool with_experts) {
        std::size_t n = b.output;
        for (int l = first; l < c.n_layers; ++l)
            n += b.layer[std::size_t(l)] + (with_experts ? b.experts[std::size_t(l)] : 0);
        return n;
    };
    const bool moe = c.is_moe();
    if (gpu_layers >= 0) { // as asked, the experts too unless they do not fit (Auto) or are kept out
        const int first = c.n_layers - std::min(gpu_layers, c.n_layers);
        bool with = experts != ExpertPlacement::Cpu;
        if (with && experts == ExpertPlacement::Auto && moe && bytes(first, true) > room)
            with = false;
        if (bytes(first, with) > room)
            throw Error(ErrorCode::Device, "out of GPU memory: " + std::to_string(c.n_layers - first) + " layers" +
                                               (moe && !with ? " without their routed experts" : "") + " need " +
                                               gib(bytes(first, with)) + ", " + gib(free) + " are free");
        return {first, with, bytes(first, with)};
    }
    if (experts != ExpertPlacement::Cpu && bytes(0, true) <= room)
        return {0, true, bytes(0, true)};
    const bool with = experts == ExpertPlacement::Gpu || !moe; // Auto: experts go first, they are the bulk
    for (int first = 0; first < c.n_layers; ++first)
        if (bytes(first, with) <= room)
            return {first, with, bytes(first, with)};
    throw Error(ErrorCode::Device, "out of GPU memory: the weights need " + gib(bytes(0, true)) + " (one layer " +
                                       gib(bytes(c.n_layers - 1, with)) + " with the output), " + gib(free) +
                                       " are free");
}

DeviceWeights upload_weights(const Model& model, DeviceMemory& memory, const Placement& placement)
{
    const ModelConfig& c = model.config();
    const Weights& w = model.weights();
    DeviceWeights out;
    Uploader up(memory, out);
    std::vector<uint16_t> uk_t, uv;
    out.layers.resize(std::size_t(placement.first_gpu_layer)); // run on the CPU
    for (std::size_t i = std::size_t(placement.first_gpu_layer); i < w.layers.size(); ++i) {
        const LayerWeights& l = w.layers[i];
        DeviceLayer d;
        d.attn_norm = up.vec(l.attn_norm);
        d.ffn_norm = up.vec(l.ffn_norm);
        d.bq = up.vec(l.bq);
        d.bk = up.vec(l.bk);
        d.bv = up.vec(l.bv);
        d.q_norm = up.vec(l.q_norm);
        d.k_norm = up.vec(l.k_norm);
        d.wq = up.matrix(l.wq);
        d.wk = up.matrix(l.wk);
        d.wv = up.matrix(l.wv);
        d.wo = up.matrix(l.wo);
        if (c.is_mla()) {
            d.wq_a = up.matrix(l.wq_a);
            d.wq_b = up.matrix(l.wq_b);
            d.wkv_a = up.matrix(l.wkv_a);
            d.q_a_norm = up.vec(l.q_a_norm);
            d.kv_a_norm = up.vec(l.kv_a_norm);
            mla_head_matrices(c, l, uk_t, uv);
            d.uk_t = up.heads(uk_t, c.n_heads, c.kv_lora_rank, c.qk_nope_dim);
            d.uv = up.heads(uv, c.n_heads, c.head_dim_v, c.kv_lora_rank);
        }
        d.gate = up.matrix(l.w_gate);
        d.up = up.matrix(l.w_up);
        d.down = up.matrix(l.w_down);
        d.router = up.matrix(l.router);
        d.router_bias = up.vec(l.router_bias);
        if (l.gate_exps && placement.experts_on_gpu) {
            d.gate_exps = up.experts(l.gate_exps);
            d.up_exps = up.experts(l.up_exps);
            d.down_exps = up.experts(l.down_exps);
        }
        d.gate_sh = up.matrix(l.gate_shexp);
        d.up_sh = up.matrix(l.up_shexp);
        d.down_sh = up.matrix(l.down_shexp);
        d.shexp_gate = up.vec(l.shexp_gate);
        out.layers.push_back(d);
    }
    out.output = up.matrix(w.output);
    out.output_norm = up.vec(w.output_norm);
    const GgufTensor* factors = model.file().find_tensor("rope_freqs.weight");
    const cpu::Rope rope(c, factors && factors->type == TensorType::F32 && factors->elements() == c.rope_dims / 2
                                ? reinterpret_cast<const float*>(factors->data) : nullptr);
    const std::vector<double>& inv = rope.inv_freq();
    out.rope.inv_freq = static_cast<const double*>(memory.upload(inv.data(), inv.size() * sizeof(double)));
    out.rope.dims = c.rope_dims;
    out.rope.neox = c.rope_type == RopeType::Neox;
    out.rope.mscale = static_cast<float>(rope.mscale());
    return out;
}

} // namespace seekbench::cuda
