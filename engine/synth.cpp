// Synthetic models: a made-up but valid vocabulary (SentencePiece pieces with byte
// fallback, or byte-level BPE with merges that really build the tokens), weights drawn
// from N(0, 0.02^2) like a fresh initialization, norms of one.
#include "synth.h"

#include "error.h"
#include "gguf_writer.h"
#include "quants.h"
#include "synth_impl.h"
#include "tokenizer_impl.h"

#include <cmath>
#include <set>

namespace seekbench {
namespace {

void add_spm_vocab(GgufWriter& w, int n_vocab)
{
    std::vector<std::string> tokens{"<unk>", "<s>", "</s>"};
    std::vector<int32_t> types{2, 3, 3};
    static const char* hex = "0123456789ABCDEF";
    for (int b = 0; b < 256 && static_cast<int>(tokens.size()) < n_vocab; ++b) {
        tokens.push_back(std::string("<0x") + hex[b >> 4] + hex[b & 15] + ">");
        types.push_back(6);
    }
    // Pieces: letters, then "▁" + letters, then longer combinations; scores fall with length.
    const std::string space = "\xE2\x96\x81";
    const std::string letters = "etaoinshrdlucmfwypvbgkqjxz";
    std::vector<std::string> pieces{space};
    for (char a : letters)
        pieces.push_back(std::string(1, a));
    for (char a : letters)
        pieces.push_back(space + a);
    const auto full = [&] { return pieces.size() + tokens.size() >= static_cast<std::size_t>(n_vocab); };
    for (std::size_t i = 1; !full(); ++i) // breadth first: every piece gets every letter
        for (char a : letters) {
            if (full())
                break;
            pieces.push_back(pieces[i] + a);
        }
    std::vector<float> scores(tokens.size(), 0.0f);
    // CodeLlama's fill-in-the-middle tokens close the vocabulary, as in its files.
    const std::vector<std::string> fim{space + "<PRE>", space + "<SUF>", space + "<MID>", space + "<EOT>"};
    const std::size_t room = static_cast<std::size_t>(n_vocab) - fim.size();
    for (std::size_t i = 0; i < pieces.size() && tokens.size() < room; ++i) {
        tokens.push_back(pieces[i]);
        types.push_back(1);
        scores.push_back(-static_cast<float>(i));
    }
    for (const std::string& f : fim) {
        tokens.push_back(f);
        types.push_back(3);
        scores.push_back(0.0f);
    }
    w.add_string("tokenizer.ggml.model", "llama");
    w.add_strings("tokenizer.ggml.tokens", tokens);
    w.add_f32s("tokenizer.ggml.scores", scores);
    w.add_i32s("tokenizer.ggml.token_type", types);
    w.add_u32("tokenizer.ggml.bos_token_id", 1);
    w.add_u32("tokenizer.ggml.eos_token_id", 2);
    w.add_u32("tokenizer.ggml.unknown_token_id", 0);
    w.add_bool("tokenizer.ggml.add_bos_token", true);
}

void add_bpe_vocab(GgufWriter& w, int n_vocab, const std::string& pre, uint64_t seed)
{
    // Qwen2.5's, fill-in-the-middle ones included.
    const std::vector<std::string> specials{"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|fim_prefix|>",
                                            "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>"};
    std::vector<std::string> tokens;
    std::set<std::string> have;
    for (int b = 0; b < 256; ++b) {
        tokens.push_back(bpe_bytes_to_text(std::string(1, static_cast<char>(b))));
        have.insert(tokens.back());
    }
    // Merges that build English-like pieces: an existing piece plus one letter, so the
    // merges (ranked by creation) really produce every token.
    std::vector<std::string> merges;
    const std::string alphabet = " etaoinshrdlucmfwypvbgk";
    std::vector<std::string> grow;
    for (char c : alphabet)
        grow.push_back(bpe_bytes_to_text(std::string(1, c)));
    SynthRng rng{seed};
    const std::size_t target = static_cast<std::size_t>(n_vocab) - specials.size();
    for (std::size_t attempts = 0; tokens.size() < target && attempts < target * 20; ++attempts) {
        const std::string left = grow[rng.next() % grow.size()];
        const std::string right = bpe_bytes_to_text(std::string(1, alphabet[1 + rng.next() % (alphabet.size() - 1)]));
        const std::string merged = left + right;
        if (have.count(merged))
            continue;
        merges.push_back(left + " " + right);
        tokens.push_back(merged);
        have.insert(merged);
        grow.push_back(merged);
    }
    for (int i = 0; tokens.size() < target; ++i) { // unreachable pieces keep the size exact
        tokens.push_back("<unused" + std::to_string(i) + ">");
    }
    std::vector<int32_t> types(tokens.size(), 1);
    for (const std::string& s : specials) {
        tokens.push_back(s);
        types.push_back(3);
    }
    const int32_t first_special = static_cast<int32_t>(target);
    w.add_string("tokenizer.ggml.model", "gpt2");
    w.add_string("tokenizer.ggml.pre", pre);
    w.add_strings("tokenizer.ggml.tokens", tokens);
    w.add_i32s("tokenizer.ggml.token_type", types);
    w.add_strings("tokenizer.ggml.merges", merges);
    w.add_u32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(first_special));
    w.add_u32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(first_special + 2));
    w.add_u32("tokenizer.ggml.padding_token_id", static_cast<uint32_t>(first_special));
    w.add_bool("tokenizer.ggml.add_bos_token", false);
    w.add_string("tokenizer.chat_template",
                 "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
                 "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}");
}

} // namespace

namespace {

SynthPreset dense(std::string name, std::string arch, int dim, int layers, int heads, int kv, int hidden, int vocab,
                  int ctx, float base, float eps, bool tied, std::string tokenizer, std::string pre)
{
    SynthPreset p;
    p.name = std::move(name);
    p.arch = std::move(arch);
    p.dim = dim;
    p.n_layers = layers;
    p.n_heads = heads;
    p.n_kv_heads = kv;
    p.hidden_dim = hidden;
    p.n_vocab = vocab;
    p.n_ctx = ctx;
    p.rope_base = base;
    p.norm_eps = eps;
    p.tied_output = tied;
    p.tokenizer = std::move(tokenizer);
    p.pre = std::move(pre);
    return p;
}

// DeepSeek-V2-Lite's attention and expert shapes; `name` and tokenizer family differ.
SynthPreset v2_lite(std::string name, std::string pre)
{
    SynthPreset p = dense(std::move(name), "deepseek2", 2048, 27, 16, 16, 10944, 102400, 163840, 10000.0f, 1e-6f,
                          false, "gpt2", std::move(pre));
    p.n_experts = 64, p.n_experts_used = 6, p.expert_hidden = 1408, p.n_shared = 2, p.n_dense_lead = 1;
    p.gating = 1, p.weights_scale = 1.0f;
    p.kv_lora = 512, p.qk_nope = 128, p.qk_rope = 64, p.v_head = 128;
    p.yarn_factor = 40.0f, p.yarn_orig_ctx = 4096, p.yarn_log_mul = 0.0707f;
    return p;
}

std::vector<SynthPreset> make_presets()
{
    std::vector<SynthPreset> v;
    // name, arch, dim, layers, heads, kv heads, hidden, vocab, ctx, rope base, eps, tied, tokenizer, pre
    v.push_back(dense("llama-tiny", "llama", 64, 2, 4, 2, 160, 512, 512, 10000.0f, 1e-5f, false, "llama", ""));
    v.push_back(dense("qwen2-tiny", "qwen2", 64, 2, 4, 2, 160, 1024, 1024, 1000000.0f, 1e-6f, true, "gpt2", "qwen2"));
    v.push_back(dense("tinyllama-1.1b", "llama", 2048, 22, 32, 4, 5632, 32000, 2048, 10000.0f, 1e-5f, false, "llama", ""));
    v.push_back(dense("llama-7b", "llama", 4096, 32, 32, 32, 11008, 32000, 4096, 10000.0f, 1e-5f, false, "llama", ""));
    v.push_back(dense("qwen2.5-0.5b", "qwen2", 896, 24, 14, 2, 4864, 151936, 32768, 1000000.0f, 1e-6f, true, "gpt2", "qwen2"));
    v.push_back(dense("qwen2.5-1.5b", "qwen2", 1536, 28, 12, 2, 8960, 151936, 32768, 1000000.0f, 1e-6f, true, "gpt2", "qwen2"));

    // Every deepseek2 feature on, a few MB: q compression, a leading dense layer, shared
    // experts, group-limited sigmoid routing with the score-correction bias, YaRN.
    SynthPreset t = dense("deepseek-tiny", "deepseek2", 64, 3, 4, 4, 128, 1024, 4096, 10000.0f, 1e-6f, false, "gpt2",
                          "deepseek-v3");
    t.n_experts = 16, t.n_experts_used = 4, t.expert_hidden = 32, t.n_shared = 1, t.n_dense_lead = 1;
    t.n_groups = 4, t.n_groups_used = 2, t.gating = 2, t.weights_norm = true, t.router_bias = true, t.weights_scale = 2.5f;
    t.q_lora = 32, t.kv_lora = 32, t.qk_nope = 16, t.qk_rope = 8, t.v_head = 16;
    t.yarn_factor = 4.0f, t.yarn_orig_ctx = 1024, t.yarn_log_mul = 0.1f;
    v.push_back(t);
    SynthPreset legacy = t; // the older single attn_kv_b layout, softmax routing without groups
    legacy.name = "deepseek-tiny-kvb", legacy.mla_split = false, legacy.q_lora = 0;
    legacy.gating = 1, legacy.n_groups = 0, legacy.n_groups_used = 0, legacy.router_bias = false;
    legacy.weights_norm = false, legacy.weights_scale = 1.0f;
    v.push_back(legacy);
    SynthPreset v2t = legacy; // V2-Lite's attention and routing configuration, tiny
    v2t.name = "deepseek-tiny-v2lite", v2t.mla_split = true, v2t.n_shared = 2;
    v2t.yarn_factor = 40.0f, v2t.yarn_log_mul = 0.0707f;
    v.push_back(v2t);
    v.push_back(v2_lite("deepseek-v2-lite", "deepseek-llm"));
    v.push_back(v2_lite("deepseek-coder-v2-lite", "deepseek-coder"));
    // DeepSeek-V3's routing (256 experts, top 8 of 4 of 8 groups, sigmoid + bias, normalized
    // and scaled by 2.5) and attention shapes, at a width and depth a desktop can hold.
    SynthPreset v3 = dense("deepseek-v3-shape-small", "deepseek2", 1024, 4, 16, 16, 2048, 129280, 163840, 10000.0f,
                           1e-6f, false, "gpt2", "deepseek-v3");
    v3.n_experts = 256, v3.n_experts_used = 8, v3.expert_hidden = 256, v3.n_shared = 1, v3.n_dense_lead = 1;
    v3.n_groups = 8, v3.n_groups_used = 4, v3.gating = 2, v3.weights_norm = true, v3.router_bias = true;
    v3.weights_scale = 2.5f;
    v3.q_lora = 384, v3.kv_lora = 512, v3.qk_nope = 128, v3.qk_rope = 64, v3.v_head = 128;
    v3.yarn_factor = 40.0f, v3.yarn_orig_ctx = 4096, v3.yarn_log_mul = 0.1f;
    v.push_back(v3);

    SynthPreset q15 = dense("qwen1.5-moe-a2.7b", "qwen2moe", 2048, 24, 16, 16, 5632, 151936, 8192, 1000000.0f, 1e-6f,
                            false, "gpt2", "qwen2");
    q15.n_experts = 60, q15.n_experts_used = 4, q15.expert_hidden = 1408, q15.shared_hidden = 5632;
    v.push_back(q15);
    SynthPreset qt = dense("qwen2moe-tiny", "qwen2moe", 64, 2, 4, 4, 128, 1024, 1024, 1000000.0f, 1e-6f, false, "gpt2", "qwen2");
    qt.n_experts = 8, qt.n_experts_used = 2, qt.expert_hidden = 32, qt.shared_hidden = 64;
    v.push_back(qt);
    SynthPreset q3 = dense("qwen3moe-tiny", "qwen3moe", 64, 2, 4, 2, 128, 1024, 1024, 1000000.0f, 1e-6f, false, "gpt2", "qwen2");
    q3.head_dim = 32, q3.n_experts = 8, q3.n_experts_used = 2, q3.expert_hidden = 32;
    v.push_back(q3);
    SynthPreset mx = dense("mixtral-tiny", "llama", 64, 2, 4, 2, 96, 512, 1024, 1000000.0f, 1e-5f, false, "llama", "");
    mx.n_experts = 8, mx.n_experts_used = 2, mx.expert_hidden = 96;
    v.push_back(mx);

    // Embedding models (encoders with a WordPiece vocabulary): tiny ones for tests, and the
    // shapes of BAAI/bge-small-en-v1.5 and nomic-embed-text-v1.5 for benchmarks.
    SynthPreset bt = dense("bert-tiny", "bert", 64, 2, 4, 4, 128, 600, 128, 10000.0f, 1e-12f, false, "bert", "");
    bt.pooling = 2;
    v.push_back(bt);
    SynthPreset nt = dense("nomic-bert-tiny", "nomic-bert", 64, 2, 4, 4, 128, 600, 256, 1000.0f, 1e-12f, false, "bert", "");
    nt.pooling = 1;
    v.push_back(nt);
    SynthPreset bge = dense("bge-small", "bert", 384, 12, 12, 12, 1536, 30522, 512, 10000.0f, 1e-12f, false, "bert", "");
    bge.pooling = 2;
    v.push_back(bge);
    SynthPreset nomic = dense("nomic-embed-text-v1.5", "nomic-bert", 768, 12, 12, 12, 3072, 30522, 2048, 1000.0f, 1e-12f,
                              false, "bert", "");
    nomic.pooling = 1;
    v.push_back(nomic);
    return v;
}

} // namespace

const std::vector<SynthPreset>& synth_presets()
{
    static const std::vector<SynthPreset> presets = make_presets();
    return presets;
}
const SynthPreset* find_synth_preset(const std::string& name)
{
    for (const SynthPreset& p : synth_presets())
        if (p.name == name)
            return &p;
    return nullptr;
}

void write_synth_model(const SynthPreset& p, const SynthOptions& o, const std::string& path,
                       const std::function<void(std::size_t, std::size_t)>& progress)
{
    if (!can_quantize(o.type))
        throw Error(ErrorCode::Unsupported, std::string("synth cannot write weights of type ") + type_name(o.type));
    if (p.arch == "bert" || p.arch == "nomic-bert")
        return write_synth_encoder(p, o, path, progress);
    GgufWriter w;
    const std::string& a = p.arch;
    w.add_string("general.architecture", a);
    w.add_string("general.name", "synth " + p.name);
    w.add_u32("general.file_type", static_cast<uint32_t>(synth_file_type_id(o.type)));
    w.add_u32("general.quantization_version", 2);
    const bool mla = p.kv_lora > 0;
    const int head_dim = p.head_dim > 0 ? p.head_dim : mla ? p.qk_nope + p.qk_rope : p.dim / p.n_heads;
    w.add_u32(a + ".context_length", static_cast<uint32_t>(p.n_ctx));
    w.add_u32(a + ".embedding_length", static_cast<uint32_t>(p.dim));
    w.add_u32(a + ".block_count", static_cast<uint32_t>(p.n_layers));
    w.add_u32(a + ".feed_forward_length", static_cast<uint32_t>(p.hidden_dim));
    w.add_u32(a + ".attention.head_count", static_cast<uint32_t>(p.n_heads));
    w.add_f32(a + ".attention.layer_norm_rms_epsilon", p.norm_eps);
    w.add_f32(a + ".rope.freq_base", p.rope_base);
    w.add_u32(a + ".rope.dimension_count", static_cast<uint32_t>(mla ? p.qk_rope : head_dim));
    if (mla && p.mla_split) { // newer files: attention seen as MQA over the latent
        w.add_u32(a + ".attention.head_count_kv", 1);
        w.add_u32(a + ".attention.key_length", static_cast<uint32_t>(p.kv_lora + p.qk_rope));
        w.add_u32(a + ".attention.value_length", static_cast<uint32_t>(p.kv_lora));
        w.add_u32(a + ".attention.key_length_mla", static_cast<uint32_t>(head_dim));
        w.add_u32(a + ".attention.value_length_mla", static_cast<uint32_t>(p.v_head));
    } else {
        w.add_u32(a + ".attention.head_count_kv", static_cast<uint32_t>(p.n_kv_heads));
        if (mla || p.head_dim > 0) {
            w.add_u32(a + ".attention.key_length", static_cast<uint32_t>(head_dim));
            w.add_u32(a + ".attention.value_length", static_cast<uint32_t>(mla ? p.v_head : head_dim));
        }
    }
    if (mla) { // 0 when queries are not compressed: llama.cpp expects the key either way
        w.add_u32(a + ".attention.q_lora_rank", static_cast<uint32_t>(p.q_lora));
        w.add_u32(a + ".attention.kv_lora_rank", static_cast<uint32_t>(p.kv_lora));
    }
    if (p.yarn_factor > 0) {
        w.add_string(a + ".rope.scaling.type", "yarn");
        w.add_f32(a + ".rope.scaling.factor", p.yarn_factor);
        w.add_u32(a + ".rope.scaling.original_context_length", static_cast<uint32_t>(p.yarn_orig_ctx));
        w.add_f32(a + ".rope.scaling.yarn_log_multiplier", p.yarn_log_mul);
    }
    if (p.n_experts > 0) {
        w.add_u32(a + ".expert_count", static_cast<uint32_t>(p.n_experts));
        w.add_u32(a + ".expert_used_count", static_cast<uint32_t>(p.n_experts_used));
        if (a != "llama")
            w.add_u32(a + ".expert_feed_forward_length", static_cast<uint32_t>(p.expert_hidden));
        if (p.shared_hidden > 0)
            w.add_u32(a + ".expert_shared_feed_forward_length", static_cast<uint32_t>(p.shared_hidden));
        if (a == "deepseek2") {
            w.add_u32(a + ".leading_dense_block_count", static_cast<uint32_t>(p.n_dense_lead));
            w.add_u32(a + ".expert_shared_count", static_cast<uint32_t>(p.n_shared));
            w.add_f32(a + ".expert_weights_scale", p.weights_scale);
            w.add_bool(a + ".expert_weights_norm", p.weights_norm);
            w.add_u32(a + ".expert_gating_func", static_cast<uint32_t>(p.gating));
            if (p.n_groups > 0) {
                w.add_u32(a + ".expert_group_count", static_cast<uint32_t>(p.n_groups));
                w.add_u32(a + ".expert_group_used_count", static_cast<uint32_t>(p.n_groups_used));
            }
        }
    }
    if (p.tokenizer == "llama")
        add_spm_vocab(w, p.n_vocab);
    else
        add_bpe_vocab(w, p.n_vocab, p.pre, o.seed);

    ThreadPool pool(o.threads);
    SynthTensors t(w, pool, o.seed);
    const int64_t q_dim = int64_t(p.n_heads) * head_dim, kv_dim = int64_t(p.n_kv_heads) * head_dim;
    t.matrix("token_embd.weight", p.dim, p.n_vocab, o.type);
    for (int l = 0; l < p.n_layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        t.vector(b + "attn_norm.weight", p.dim, 1.0f);
        if (mla) {
            if (p.q_lora > 0) {
                t.matrix(b + "attn_q_a.weight", p.dim, p.q_lora, o.type);
                t.vector(b + "attn_q_a_norm.weight", p.q_lora, 1.0f);
                t.matrix(b + "attn_q_b.weight", p.q_lora, q_dim, o.type);
            } else {
                t.matrix(b + "attn_q.weight", p.dim, q_dim, o.type);
            }
            t.matrix(b + "attn_kv_a_mqa.weight", p.dim, p.kv_lora + p.qk_rope, o.type);
            t.vector(b + "attn_kv_a_norm.weight", p.kv_lora, 1.0f);
            if (p.mla_split) {
                t.stack(b + "attn_k_b.weight", p.qk_nope, p.kv_lora, p.n_heads, o.type);
                t.stack(b + "attn_v_b.weight", p.kv_lora, p.v_head, p.n_heads, o.type);
            } else {
                t.matrix(b + "attn_kv_b.weight", p.kv_lora, int64_t(p.n_heads) * (p.qk_nope + p.v_head), o.type);
            }
            t.matrix(b + "attn_output.weight", int64_t(p.n_heads) * p.v_head, p.dim, o.type);
        } else {
            t.matrix(b + "attn_q.weight", p.dim, q_dim, o.type);
            t.matrix(b + "attn_k.weight", p.dim, kv_dim, o.type);
            t.matrix(b + "attn_v.weight", p.dim, kv_dim, o.type);
            if (a == "qwen2" || a == "qwen2moe") {
                t.bias(b + "attn_q.bias", q_dim);
                t.bias(b + "attn_k.bias", kv_dim);
                t.bias(b + "attn_v.bias", kv_dim);
            }
            if (a == "qwen3moe") {
                t.vector(b + "attn_q_norm.weight", head_dim, 1.0f);
                t.vector(b + "attn_k_norm.weight", head_dim, 1.0f);
            }
            t.matrix(b + "attn_output.weight", q_dim, p.dim, o.type);
        }
        t.vector(b + "ffn_norm.weight", p.dim, 1.0f);
        if (p.n_experts == 0 || l < p.n_dense_lead) {
            t.matrix(b + "ffn_gate.weight", p.dim, p.hidden_dim, o.type);
            t.matrix(b + "ffn_up.weight", p.dim, p.hidden_dim, o.type);
            t.matrix(b + "ffn_down.weight", p.hidden_dim, p.dim, o.type);
            continue;
        }
        // Routers get a wider spread than other weights, as trained ones have: their choice
        // should not hang on rounding.
        t.matrix(b + "ffn_gate_inp.weight", p.dim, p.n_experts, TensorType::F32, 0.3f);
        if (p.router_bias)
            t.bias(b + "exp_probs_b.bias", p.n_experts);
        t.stack(b + "ffn_gate_exps.weight", p.dim, p.expert_hidden, p.n_experts, o.type);
        t.stack(b + "ffn_up_exps.weight", p.dim, p.expert_hidden, p.n_experts, o.type);
        t.stack(b + "ffn_down_exps.weight", p.expert_hidden, p.dim, p.n_experts, o.type);
        const int64_t shared = p.shared_hidden > 0 ? p.shared_hidden : int64_t(p.n_shared) * p.expert_hidden;
        if (shared > 0) {
            t.matrix(b + "ffn_gate_shexp.weight", p.dim, shared, o.type);
            t.matrix(b + "ffn_up_shexp.weight", p.dim, shared, o.type);
            t.matrix(b + "ffn_down_shexp.weight", shared, p.dim, o.type);
        }
        if (a == "qwen2moe")
            t.bias(b + "ffn_gate_inp_shexp.weight", p.dim);
    }
    t.vector("output_norm.weight", p.dim, 1.0f);
    if (!p.tied_output)
        t.matrix("output.weight", p.dim, p.n_vocab, o.type);
    w.write(path, progress);
}

uint64_t synth_hash(const std::string& s, uint64_t seed)
{
    uint64_t h = 1469598103934665603ull ^ seed;
    for (unsigned char c : s)
        h = (h ^ c) * 1099511628211ull;
    return h;
}

int synth_file_type_id(TensorType t)
{
    switch (t) {
    case TensorType::F32: return 0;
    case TensorType::F16: return 1;
    case TensorType::Q4_0: return 2;
    case TensorType::Q4_1: return 3;
    case TensorType::Q8_0: return 7;
    case TensorType::Q5_0: return 8;
    case TensorType::Q5_1: return 9;
    case TensorType::Q4_K: return 15; // reported like llama.cpp's Q4_K_M
    case TensorType::Q5_K: return 17;
    case TensorType::Q6_K: return 18;
    case TensorType::BF16: return 32;
    default: return 0;
    }
}

void SynthTensors::matrix(const std::string& name, int64_t cols, int64_t rows, TensorType type, float scale)
{
    type = fit_row(type, cols); // rows the block format does not fill: llama-quantize's fallback
    m_w.add_tensor(name, type, {cols, rows}, [&pool = m_pool, name, cols, rows, type, scale, seed = m_seed](uint8_t* out, std::size_t) {
        const std::size_t rb = row_bytes(type, cols);
        const uint64_t base = synth_hash(name, seed);
        pool.parallel_for(static_cast<int>((rows + 63) / 64), [&](int task, int) {
            std::vector<float> row(static_cast<std::size_t>(cols));
            for (int64_t r = task * 64; r < std::min<int64_t>(rows, task * 64 + 64); ++r) {
                SynthRng rng{base + static_cast<uint64_t>(r) * 0x632BE59BD9B4E019ull};
                for (float& v : row)
                    v = scale * rng.normal();
                quantize_row(type, row.data(), out + static_cast<std::size_t>(r) * rb, cols);
            }
        });
    });
}

void SynthTensors::stack(const std::string& name, int64_t cols, int64_t rows, int64_t n, TensorType type)
{
    type = fit_row(type, cols);
    m_w.add_tensor(name, type, {cols, rows, n}, [&pool = m_pool, name, cols, rows, n, type, seed = m_seed](uint8_t* out, std::size_t) {
        const std::size_t rb = row_bytes(type, cols);
        const uint64_t base = synth_hash(name, seed);
        pool.parallel_for(static_cast<int>((rows * n + 63) / 64), [&](int task, int) {
            std::vector<float> row(static_cast<std::size_t>(cols));
            for (int64_t r = task * 64; r < std::min<int64_t>(rows * n, task * 64 + 64); ++r) {
                SynthRng rng{base + static_cast<uint64_t>(r) * 0x632BE59BD9B4E019ull};
                for (float& v : row)
                    v = 0.02f * rng.normal();
                quantize_row(type, row.data(), out + static_cast<std::size_t>(r) * rb, cols);
            }
        });
    });
}

void SynthTensors::vector(const std::string& name, int64_t n, float value)
{
    m_w.add_tensor(name, TensorType::F32, {n}, [n, value](uint8_t* out, std::size_t) {
        auto* f = reinterpret_cast<float*>(out);
        for (int64_t i = 0; i < n; ++i)
            f[i] = value;
    });
}

void SynthTensors::bias(const std::string& name, int64_t n)
{
    m_w.add_tensor(name, TensorType::F32, {n}, [name, n, seed = m_seed](uint8_t* out, std::size_t) {
        SynthRng rng{synth_hash(name, seed)};
        auto* f = reinterpret_cast<float*>(out);
        for (int64_t i = 0; i < n; ++i)
            f[i] = 0.02f * rng.normal();
    });
}

} // namespace seekbench
