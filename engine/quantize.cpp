// Quantization: the per-tensor type choice (llama-quantize's rules for the mixes we offer,
// restated from its behaviour) and the streaming re-encode, a slab of rows at a time on the
// CPU thread pool.
#include "quantize.h"

#include "cpu/threadpool.h"
#include "error.h"
#include "gguf.h"
#include "gguf_writer.h"
#include "imatrix.h"
#include "quants.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace seekbench {
namespace {

enum class Role { Output, TokenEmbd, AttnV, AttnK, AttnOutput, FfnDown, Other };

Role role_of(const std::string& name)
{
    const auto has = [&name](const char* s) { return name.find(s) != std::string::npos; };
    if (name == "output.weight")
        return Role::Output;
    if (name == "token_embd.weight")
        return Role::TokenEmbd;
    // attn_qkv and MLA's attn_kv_b carry the values too: they count as V.
    if (has("attn_qkv.weight") || has("attn_kv_b.weight") || has("attn_v.weight"))
        return Role::AttnV;
    if (has("attn_k.weight"))
        return Role::AttnK;
    if (has("attn_output.weight"))
        return Role::AttnOutput;
    if (has("ffn_down"))
        return Role::FfnDown;
    return Role::Other;
}

// Weights only: norms, routers, positional and token-type tables stay as they are.
bool may_quantize(const GgufTensor& t)
{
    if (t.n_dims < 2 || !t.name.ends_with("weight"))
        return false;
    for (const char* keep : {"_norm.weight", "ffn_gate_inp.weight", "position_embd.weight",
                             "token_types.weight", "attn_rel_b.weight"})
        if (t.name.find(keep) != std::string::npos)
            return false;
    return true;
}

bool is_block_quantized(TensorType t)
{
    return t != TensorType::F32 && t != TensorType::F16 && t != TensorType::BF16;
}

// Layers that get more bits in the *_M mixes: the first and last eighth, and every third
// one between.
bool more_bits(int layer, int n_layers)
{
    return layer < n_layers / 8 || layer >= 7 * n_layers / 8 || (layer - n_layers / 8) % 3 == 2;
}

struct Counts {
    int n_layers = 0, n_experts = 0;
    int n_attn_v = 0, i_attn_v = 0, i_ffn_down = 0;
    bool tied = true;
};

TensorType choose(const GgufTensor& t, const QuantMix& mix, Counts& c)
{
    const std::string m = mix.name;
    const bool k_m = m == "Q4_K_M" || m == "Q5_K_M";
    TensorType type = mix.base;
    switch (role_of(t.name)) {
    case Role::TokenEmbd:
        if (!c.tied)
            break;
        [[fallthrough]];
    case Role::Output:
        if (t.ne[0] % traits(type).block_size != 0)
            type = TensorType::Q8_0;
        else if (type != TensorType::Q8_0)
            type = TensorType::Q6_K;
        break;
    case Role::AttnV:
        if (k_m && more_bits(c.i_attn_v, c.n_attn_v))
            type = TensorType::Q6_K;
        else if (m == "Q4_K_S" && c.i_attn_v < 4)
            type = TensorType::Q5_K;
        if (c.n_experts == 8) // Mixtral-like: V is small beside eight experts
            type = TensorType::Q8_0;
        ++c.i_attn_v;
        break;
    case Role::AttnK:
        if (c.n_experts == 8)
            type = TensorType::Q8_0;
        break;
    case Role::AttnOutput:
        if (c.n_experts == 8 && (m == "Q4_K_S" || m == "Q4_K_M"))
            type = TensorType::Q5_K;
        break;
    case Role::FfnDown: {
        // Dense models count FFN-down tensors; expert models read the layer from the name
        // (routed, shared and dense FFNs all say ffn_down).
        int layer = c.i_ffn_down++;
        if (c.n_experts > 1 && std::sscanf(t.name.c_str(), "blk.%d.", &layer) != 1)
            throw Error(ErrorCode::Format, "tensor '" + t.name + "': no layer number in its name");
        if (k_m && more_bits(layer, c.n_layers))
            type = TensorType::Q6_K;
        else if (m == "Q4_K_S" && layer < c.n_layers / 8)
            type = TensorType::Q5_K;
        break;
    }
    case Role::Other:
        break;
    }
    return fit_row(type, t.ne[0]);
}

int64_t arch_int(const GgufFile& in, const std::string& key)
{
    const auto arch = in.get_string("general.architecture");
    const auto v = arch ? in.get_int(*arch + "." + key) : std::nullopt;
    return v ? *v : 0;
}

} // namespace

const std::vector<QuantMix>& quant_mixes()
{
    static const std::vector<QuantMix> mixes = {
        {"Q8_0", 7, TensorType::Q8_0, "8.5 bits per weight; next to lossless"},
        {"Q6_K", 18, TensorType::Q6_K, "6.6 bits per weight; output Q6_K"},
        {"Q5_K_M", 17, TensorType::Q5_K, "5.5 bits per weight; some V and FFN-down layers Q6_K"},
        {"Q5_K_S", 16, TensorType::Q5_K, "5.5 bits per weight"},
        {"Q4_K_M", 15, TensorType::Q4_K, "4.8 bits per weight; some V and FFN-down layers Q6_K (the usual choice)"},
        {"Q4_K_S", 14, TensorType::Q4_K, "4.6 bits per weight; first V and FFN-down layers Q5_K"},
        {"Q4_0", 2, TensorType::Q4_0, "4.5 bits per weight, the legacy format; output Q6_K"},
        {"BF16", 32, TensorType::BF16, "16 bits per weight, the training format of most models"},
        {"F16", 1, TensorType::F16, "16 bits per weight"},
        {"F32", 0, TensorType::F32, "32 bits per weight"},
    };
    return mixes;
}

const QuantMix* find_quant_mix(const std::string& name)
{
    std::string upper = name;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char ch) { return std::toupper(ch); });
    for (const QuantMix& m : quant_mixes())
        if (upper == m.name)
            return &m;
    return nullptr;
}

std::vector<QuantPlanRow> plan_quantization(const GgufFile& in, const QuantMix& mix, bool allow_requantize)
{
    Counts c;
    c.n_layers = static_cast<int>(arch_int(in, "block_count"));
    c.n_experts = static_cast<int>(arch_int(in, "expert_count"));
    for (const GgufTensor& t : in.tensors()) {
        if (role_of(t.name) == Role::AttnV)
            ++c.n_attn_v;
        if (t.name == "output.weight")
            c.tied = false;
    }
    std::vector<QuantPlanRow> plan;
    for (const GgufTensor& t : in.tensors()) {
        QuantPlanRow row;
        row.name = t.name;
        row.from = row.to = t.type;
        row.dims.assign(t.ne, t.ne + t.n_dims);
        if (may_quantize(t))
            row.to = is_block_quantized(mix.base) ? choose(t, mix, c) : fit_row(mix.base, t.ne[0]);
        if (row.to != row.from && is_block_quantized(row.from) && !allow_requantize)
            throw Error(ErrorCode::InvalidArgument,
                        in.path() + ": tensor '" + t.name + "' is already " + type_name(t.type) +
                            "; quantizing it again loses quality twice (start from an F16/BF16/F32 "
                            "file, or allow requantizing)");
        if (!traits(row.from).supported && row.to != row.from)
            throw Error(ErrorCode::Unsupported, in.path() + ": tensor '" + t.name + "' is " +
                                                    type_name(t.type) + ", which cannot be read");
        row.bytes_from = t.nbytes;
        row.bytes_to = row_bytes(row.to, t.ne[0]) * static_cast<std::size_t>(t.elements() / t.ne[0]);
        plan.push_back(std::move(row));
    }
    return plan;
}

QuantizeResult quantize_model(const std::string& in_path, const std::string& out_path,
                              const QuantMix& mix, const QuantizeOptions& o)
{
    const auto start = std::chrono::steady_clock::now();
    const auto in = GgufFile::open(in_path);
    QuantizeResult result;
    result.plan = plan_quantization(*in, mix, o.allow_requantize);

    GgufWriter w;
    w.set_alignment(static_cast<uint32_t>(in->alignment()));
    for (const auto& [key, value] : in->metadata())
        if (key != "general.alignment" && key != "general.file_type" && key != "general.quantization_version")
            w.add_value(key, value);
    w.add_u32("general.quantization_version", 2);
    w.add_u32("general.file_type", static_cast<uint32_t>(mix.file_type));

    std::size_t total = 0;
    for (const QuantPlanRow& row : result.plan) {
        total += row.bytes_to;
        result.bytes_in += row.bytes_from;
    }
    result.bytes_out = total;

    ThreadPool pool(o.threads);
    std::size_t done = 0;
    const auto cancelled = [&o] { return o.cancel && o.cancel->load(std::memory_order_relaxed); };
    for (std::size_t k = 0; k < result.plan.size(); ++k) {
        const QuantPlanRow& row = result.plan[k];
        w.add_tensor(row.name, row.to, row.dims, [&, k](uint8_t* out, std::size_t nbytes) {
            const QuantPlanRow& r = result.plan[k];
            const GgufTensor& src = in->tensors()[k];
            if (cancelled())
                throw Error(ErrorCode::Cancelled, out_path + ": quantization cancelled");
            if (r.to == r.from) {
                std::memcpy(out, src.data, nbytes);
                done += nbytes;
                if (o.progress)
                    o.progress(done, total, r);
                return;
            }
            const int64_t cols = src.ne[0], rows = src.elements() / cols;
            const std::size_t rb_in = row_bytes(r.from, cols), rb_out = row_bytes(r.to, cols);
            // Each matrix's (each expert's) importance per column, when the imatrix has it.
            std::vector<std::vector<float>> importance;
            if (o.imatrix)
                for (int64_t mat = 0; mat < src.ne[2] * src.ne[3]; ++mat)
                    importance.push_back(o.imatrix->column_means(r.name, mat, cols));
            // Slabs of about 4 MB of output: progress and cancel between them.
            const int64_t slab = std::max<int64_t>(16, static_cast<int64_t>((4u << 20) / rb_out));
            std::vector<std::vector<float>> scratch(static_cast<std::size_t>(pool.size()),
                                                    std::vector<float>(static_cast<std::size_t>(cols)));
            for (int64_t r0 = 0; r0 < rows; r0 += slab) {
                const int64_t r1 = std::min(rows, r0 + slab);
                pool.parallel_for(static_cast<int>((r1 - r0 + 15) / 16), [&](int task, int thread) {
                    float* f = scratch[static_cast<std::size_t>(thread)].data();
                    const int64_t a = r0 + 16 * task, b = std::min(r1, a + 16);
                    for (int64_t i = a; i < b; ++i) {
                        dequantize_row(r.from, src.data + static_cast<std::size_t>(i) * rb_in, f, cols);
                        const std::vector<float>* imp =
                            importance.empty() ? nullptr : &importance[static_cast<std::size_t>(i / src.ne[1])];
                        quantize_row_weighted(r.to, f, imp && !imp->empty() ? imp->data() : nullptr,
                                              out + static_cast<std::size_t>(i) * rb_out, cols);
                    }
                });
                done += static_cast<std::size_t>(r1 - r0) * rb_out;
                if (o.progress)
                    o.progress(done, total, r);
                if (cancelled())
                    throw Error(ErrorCode::Cancelled, out_path + ": quantization cancelled");
            }
        });
    }
    w.write(out_path);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace seekbench
