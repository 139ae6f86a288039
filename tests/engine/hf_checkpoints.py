#!/usr/bin/env python3
"""Small random Hugging Face checkpoints of each architecture `seekbench-cli convert` reads,
and the logits a float64 forward pass gives for them, written the way the HF modeling code
defines each model (rotate-half RoPE on HF's Q/K layout, DeepSeek's interleaved rotary
half, its MLA, YaRN and routing), independently of the engine. convert_test converts
each folder and compares the engine's logits with these.

usage: hf_checkpoints.py OUT_DIR     (python3-numpy and python3-safetensors)
"""
import json
import math
import os
import sys

import numpy as np
from safetensors.numpy import save_file

TOKENS = [0, 17, 42, 99, 5, 256, 77, 3, 130, 64, 11, 200]  # positions 0..11


# ---- the tokenizer: byte-level BPE (GPT-2's byte alphabet), Qwen2's pre-tokenizer regex ----

def byte_alphabet():
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    chars, extra = keep[:], 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + extra)
            extra += 1
    return [chr(c) for _, c in sorted(zip(keep, chars))]


QWEN2_SPLIT = ("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
               "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")


def write_tokenizer(folder, vocab_size):
    alphabet = byte_alphabet()
    vocab = {t: i for i, t in enumerate(alphabet)}
    merges = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("i", "n"), ("Ġ", "a")]
    for a, b in merges:
        vocab[a + b] = len(vocab)
    added = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>"]
    tok = {
        "version": "1.0",
        "added_tokens": [{"id": len(vocab) + k, "content": t, "special": t != "<think>", "normalized": False}
                         for k, t in enumerate(added)],
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": QWEN2_SPLIT}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
        "model": {"type": "BPE", "byte_fallback": False, "vocab": vocab, "merges": [a + " " + b for a, b in merges]},
    }
    assert len(vocab) + len(added) <= vocab_size
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False)
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "add_bos_token": False,
                   "chat_template": "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n"
                                    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"}, f)


# ---- the float64 forward pass ----

def rms_norm(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def silu(x):
    return x / (1 + np.exp(-x))


def rotate_half(x):
    h = x.shape[-1] // 2
    return np.concatenate([-x[..., h:], x[..., :h]], axis=-1)


def rope(x, inv_freq, positions, scale=1.0):
    """x: (T, heads, d) in HF's half-split layout."""
    ang = np.outer(positions, inv_freq)                      # (T, d/2)
    cos = np.concatenate([np.cos(ang), np.cos(ang)], -1)[:, None, :] * scale
    sin = np.concatenate([np.sin(ang), np.sin(ang)], -1)[:, None, :] * scale
    return x * cos + rotate_half(x) * sin


def attention(q, k, v, scale):
    """q (T, H, d), k (T, Hk, d), v (T, Hk, dv): causal, keys shared by H/Hk heads."""
    T, H, _ = q.shape
    rep = H // k.shape[1]
    k, v = np.repeat(k, rep, axis=1), np.repeat(v, rep, axis=1)
    s = np.einsum("thd,shd->hts", q, k) * scale
    s = s + np.triu(np.full((T, T), -np.inf), 1)[None]
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    return np.einsum("hts,shd->thd", p, v)


def lin(W, x, b=None):
    y = x @ W[...].T
    return y if b is None else y + b


def mlp(W, p, x):
    return lin(W[p + "down_proj.weight"], silu(lin(W[p + "gate_proj.weight"], x)) * lin(W[p + "up_proj.weight"], x))


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def moe(W, c, p, x, experts_prefix, names=("gate_proj", "up_proj", "down_proj")):
    """Mixtral / Qwen-MoE routing: softmax over experts, top-k, optional renormalization."""
    n, k = c.get("num_local_experts", c.get("num_experts")), c["num_experts_per_tok"]
    probs = softmax(lin(W[p + "gate.weight"], x))
    out = np.zeros_like(x)
    for t in range(x.shape[0]):
        top = np.argsort(-probs[t], kind="stable")[:k]
        w = probs[t, top]
        if c.get("norm_topk_prob", c["architectures"][0] == "MixtralForCausalLM"):
            w = w / w.sum()
        for e, we in zip(top, w):
            g, u, d = [W[f"{experts_prefix}{e}.{nm}.weight"] for nm in names]
            out[t] += we * lin(d, silu(lin(g, x[t])) * lin(u, x[t]))
    return out


def forward_llama_qwen(W, c):
    arch = c["architectures"][0]
    dim, H = c["hidden_size"], c["num_attention_heads"]
    Hk, hd = c.get("num_key_value_heads", H), c.get("head_dim", dim // H)
    eps, base = c["rms_norm_eps"], c.get("rope_theta", 10000.0)
    inv_freq = 1.0 / base ** (np.arange(0, hd, 2) / hd)
    pos = np.arange(len(TOKENS))
    x = W["model.embed_tokens.weight"][TOKENS]
    for l in range(c["num_hidden_layers"]):
        p = f"model.layers.{l}."
        h = rms_norm(x, W[p + "input_layernorm.weight"], eps)
        a = p + "self_attn."
        q = lin(W[a + "q_proj.weight"], h, W.get(a + "q_proj.bias")).reshape(-1, H, hd)
        k = lin(W[a + "k_proj.weight"], h, W.get(a + "k_proj.bias")).reshape(-1, Hk, hd)
        v = lin(W[a + "v_proj.weight"], h, W.get(a + "v_proj.bias")).reshape(-1, Hk, hd)
        if a + "q_norm.weight" in W:
            q, k = rms_norm(q, W[a + "q_norm.weight"], eps), rms_norm(k, W[a + "k_norm.weight"], eps)
        q, k = rope(q, inv_freq, pos), rope(k, inv_freq, pos)
        x = x + lin(W[a + "o_proj.weight"], attention(q, k, v, 1 / math.sqrt(hd)).reshape(len(TOKENS), -1))
        h = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
        if p + "mlp.gate_proj.weight" in W:
            x = x + mlp(W, p + "mlp.", h)
        elif arch == "MixtralForCausalLM":
            x = x + moe(W, c, p + "block_sparse_moe.", h, p + "block_sparse_moe.experts.", ("w1", "w3", "w2"))
        else:
            y = moe(W, c, p + "mlp.", h, p + "mlp.experts.")
            if p + "mlp.shared_expert.gate_proj.weight" in W:
                gate = 1 / (1 + np.exp(-lin(W[p + "mlp.shared_expert_gate.weight"], h)))
                y = y + gate * mlp(W, p + "mlp.shared_expert.", h)
            x = x + y
    x = rms_norm(x, W["model.norm.weight"], eps)
    return lin(W.get("lm_head.weight", W["model.embed_tokens.weight"]), x)


def yarn_mscale(scale, mscale):
    return 1.0 if scale <= 1 else 0.1 * mscale * math.log(scale) + 1.0


def yarn_inv_freq(dim, base, rs):
    factor, orig = rs["factor"], rs["original_max_position_embeddings"]
    fast, slow = rs.get("beta_fast", 32), rs.get("beta_slow", 1)
    extra = 1.0 / base ** (np.arange(0, dim, 2) / dim)
    inter = 1.0 / (factor * base ** (np.arange(0, dim, 2) / dim))
    corr = lambda rot: (dim * math.log(orig / (rot * 2 * math.pi))) / (2 * math.log(base))
    lo, hi = max(math.floor(corr(fast)), 0), min(math.ceil(corr(slow)), dim - 1)
    if lo == hi:
        hi += 0.001
    ramp = np.clip((np.arange(dim // 2) - lo) / (hi - lo), 0, 1)
    mask = 1 - ramp
    return inter * (1 - mask) + extra * mask


def forward_deepseek(W, c):
    dim, H, eps = c["hidden_size"], c["num_attention_heads"], c["rms_norm_eps"]
    nope, rdim, vdim, rank = c["qk_nope_head_dim"], c["qk_rope_head_dim"], c["v_head_dim"], c["kv_lora_rank"]
    base, rs = c.get("rope_theta", 10000.0), c.get("rope_scaling")
    scale = 1 / math.sqrt(nope + rdim)
    cos_scale = 1.0
    if rs:
        inv_freq = yarn_inv_freq(rdim, base, rs)
        m = yarn_mscale(rs["factor"], rs["mscale_all_dim"])
        scale *= m * m
        cos_scale = yarn_mscale(rs["factor"], rs["mscale"]) / m
    else:
        inv_freq = 1.0 / base ** (np.arange(0, rdim, 2) / rdim)
    pos = np.arange(len(TOKENS))

    def rope_interleaved(t):  # DeepSeek's checkpoints keep rotary pairs adjacent
        T, h, d = t.shape
        t = t.reshape(T, h, d // 2, 2).transpose(0, 1, 3, 2).reshape(T, h, d)
        return rope(t, inv_freq, pos, cos_scale)

    x = W["model.embed_tokens.weight"][TOKENS]
    T = len(TOKENS)
    for l in range(c["num_hidden_layers"]):
        p, a = f"model.layers.{l}.", f"model.layers.{l}.self_attn."
        h = rms_norm(x, W[p + "input_layernorm.weight"], eps)
        if a + "q_a_proj.weight" in W:
            q = lin(W[a + "q_b_proj.weight"], rms_norm(lin(W[a + "q_a_proj.weight"], h), W[a + "q_a_layernorm.weight"], eps))
        else:
            q = lin(W[a + "q_proj.weight"], h)
        q = q.reshape(T, H, nope + rdim)
        kva = lin(W[a + "kv_a_proj_with_mqa.weight"], h)
        kv = lin(W[a + "kv_b_proj.weight"], rms_norm(kva[:, :rank], W[a + "kv_a_layernorm.weight"], eps)).reshape(T, H, nope + vdim)
        k_pe = rope_interleaved(kva[:, None, rank:])
        q = np.concatenate([q[..., :nope], rope_interleaved(q[..., nope:])], -1)
        k = np.concatenate([kv[..., :nope], np.repeat(k_pe, H, axis=1)], -1)
        x = x + lin(W[a + "o_proj.weight"], attention(q, k, kv[..., nope:], scale).reshape(T, -1))
        h = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
        if p + "mlp.gate_proj.weight" in W:
            x = x + mlp(W, p + "mlp.", h)
            continue
        logits = lin(W[p + "mlp.gate.weight"], h)
        n, k_top = c["n_routed_experts"], c["num_experts_per_tok"]
        y = mlp(W, p + "mlp.shared_experts.", h)
        for t in range(T):
            if c.get("scoring_func", "softmax") == "sigmoid":  # V3: bias for choosing, groups
                s = 1 / (1 + np.exp(-logits[t]))
                choice = s + W[p + "mlp.gate.e_score_correction_bias"]
                g = c["n_group"]
                groups = choice.reshape(g, -1)
                gscore = np.sort(groups, axis=1)[:, -2:].sum(1)
                keep = np.argsort(-gscore, kind="stable")[:c["topk_group"]]
                masked = np.full(n, -np.inf)
                for gi in keep:
                    masked[gi * (n // g):(gi + 1) * (n // g)] = choice[gi * (n // g):(gi + 1) * (n // g)]
                top = np.argsort(-masked, kind="stable")[:k_top]
                w = s[top]
                if c.get("norm_topk_prob"):
                    w = w / (w.sum() + 1e-20)
                w = w * c["routed_scaling_factor"]
            else:                                              # V2: softmax, scaled when not renormalized
                s = softmax(logits[t])
                top = np.argsort(-s, kind="stable")[:k_top]
                w = s[top] * c["routed_scaling_factor"]
            for e, we in zip(top, w):
                y[t] += we * mlp(W, f"{p}mlp.experts.{e}.", h[t:t + 1])[0]
        x = x + y
    x = rms_norm(x, W["model.norm.weight"], eps)
    return lin(W["lm_head.weight"], x)


# ---- the checkpoints ----

def random_weights(shapes, seed):
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in shapes.items():
        if name.endswith("norm.weight") or name.endswith("layernorm.weight"):
            out[name] = (1 + 0.1 * rng.standard_normal(shape)).astype(np.float32)
        else:
            out[name] = (0.08 * rng.standard_normal(shape)).astype(np.float32)
    return out


def dense_shapes(c, n_layers, mlp_of):
    dim, H = c["hidden_size"], c["num_attention_heads"]
    Hk, hd = c.get("num_key_value_heads", H), c.get("head_dim", dim // H)
    s = {"model.embed_tokens.weight": (c["vocab_size"], dim), "model.norm.weight": (dim,)}
    if not c.get("tie_word_embeddings"):
        s["lm_head.weight"] = (c["vocab_size"], dim)
    for l in range(n_layers):
        p = f"model.layers.{l}."
        s[p + "input_layernorm.weight"] = (dim,)
        s[p + "post_attention_layernorm.weight"] = (dim,)
        a = p + "self_attn."
        s[a + "q_proj.weight"], s[a + "k_proj.weight"], s[a + "v_proj.weight"] = (H * hd, dim), (Hk * hd, dim), (Hk * hd, dim)
        s[a + "o_proj.weight"] = (dim, H * hd)
        s.update(mlp_of(p))
    return s


def ffn(prefix, dim, hidden, names=("gate_proj", "up_proj", "down_proj")):
    g, u, d = names
    return {f"{prefix}{g}.weight": (hidden, dim), f"{prefix}{u}.weight": (hidden, dim), f"{prefix}{d}.weight": (dim, hidden)}


def models():
    common = {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
              "intermediate_size": 96, "rms_norm_eps": 1e-5, "max_position_embeddings": 256, "vocab_size": 320,
              "rope_theta": 10000.0}
    llama = dict(common, architectures=["LlamaForCausalLM"])
    yield "llama", llama, dense_shapes(llama, 2, lambda p: ffn(p + "mlp.", 64, 96)), {}

    qwen2 = dict(common, architectures=["Qwen2ForCausalLM"], tie_word_embeddings=True, rope_theta=1000000.0)
    s = dense_shapes(qwen2, 2, lambda p: ffn(p + "mlp.", 64, 96))
    for l in range(2):
        for t, n in (("q", 64), ("k", 32), ("v", 32)):
            s[f"model.layers.{l}.self_attn.{t}_proj.bias"] = (n,)
    yield "qwen2", qwen2, s, {}

    mixtral = dict(common, architectures=["MixtralForCausalLM"], num_local_experts=4, num_experts_per_tok=2)
    yield "mixtral", mixtral, dense_shapes(mixtral, 2, lambda p: {
        k: v for e in range(4) for k, v in ffn(f"{p}block_sparse_moe.experts.{e}.", 64, 96, ("w1", "w3", "w2")).items()}
        | {p + "block_sparse_moe.gate.weight": (4, 64)}), {}

    q2moe = dict(common, architectures=["Qwen2MoeForCausalLM"], num_experts=4, num_experts_per_tok=2,
                 moe_intermediate_size=32, shared_expert_intermediate_size=48, norm_topk_prob=False)
    s = dense_shapes(q2moe, 2, lambda p: {
        k: v for e in range(4) for k, v in ffn(f"{p}mlp.experts.{e}.", 64, 32).items()}
        | ffn(p + "mlp.shared_expert.", 64, 48) | {p + "mlp.gate.weight": (4, 64), p + "mlp.shared_expert_gate.weight": (1, 64)})
    for l in range(2):
        for t, n in (("q", 64), ("k", 32), ("v", 32)):
            s[f"model.layers.{l}.self_attn.{t}_proj.bias"] = (n,)
    yield "qwen2moe", q2moe, s, {}

    q3moe = dict(common, architectures=["Qwen3MoeForCausalLM"], num_experts=4, num_experts_per_tok=2, head_dim=32,
                 moe_intermediate_size=32, norm_topk_prob=True)
    s = dense_shapes(q3moe, 2, lambda p: {k: v for e in range(4) for k, v in ffn(f"{p}mlp.experts.{e}.", 64, 32).items()}
                     | {p + "mlp.gate.weight": (4, 64)})
    for l in range(2):
        s[f"model.layers.{l}.self_attn.q_norm.weight"] = s[f"model.layers.{l}.self_attn.k_norm.weight"] = (32,)
    yield "qwen3moe", q3moe, s, {}

    for name, v3 in (("deepseek-v2", False), ("deepseek-v3", True)):
        c = {"architectures": ["DeepseekV3ForCausalLM" if v3 else "DeepseekV2ForCausalLM"], "hidden_size": 64,
             "num_hidden_layers": 3, "num_attention_heads": 4, "num_key_value_heads": 4, "intermediate_size": 96,
             "moe_intermediate_size": 32, "n_routed_experts": 4, "n_shared_experts": 1, "num_experts_per_tok": 2,
             "first_k_dense_replace": 1, "kv_lora_rank": 32, "qk_nope_head_dim": 16, "qk_rope_head_dim": 8,
             "v_head_dim": 16, "rms_norm_eps": 1e-6, "max_position_embeddings": 256, "vocab_size": 320,
             "rope_theta": 10000.0, "routed_scaling_factor": 2.5 if v3 else 1.0, "norm_topk_prob": v3,
             "q_lora_rank": 48 if v3 else None, "scoring_func": "sigmoid" if v3 else "softmax",
             "topk_method": "noaux_tc" if v3 else "greedy"}
        if v3:
            c.update(n_group=2, topk_group=1, rope_scaling={"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 64,
                                                            "beta_fast": 32, "beta_slow": 1, "mscale": 1.0, "mscale_all_dim": 1.0})
        s = {"model.embed_tokens.weight": (320, 64), "model.norm.weight": (64,), "lm_head.weight": (320, 64)}
        for l in range(3):
            p, a = f"model.layers.{l}.", f"model.layers.{l}.self_attn."
            s[p + "input_layernorm.weight"] = s[p + "post_attention_layernorm.weight"] = (64,)
            if v3:
                s[a + "q_a_proj.weight"], s[a + "q_a_layernorm.weight"], s[a + "q_b_proj.weight"] = (48, 64), (48,), (4 * 24, 48)
            else:
                s[a + "q_proj.weight"] = (4 * 24, 64)
            s[a + "kv_a_proj_with_mqa.weight"], s[a + "kv_a_layernorm.weight"] = (32 + 8, 64), (32,)
            s[a + "kv_b_proj.weight"], s[a + "o_proj.weight"] = (4 * (16 + 16), 32), (64, 4 * 16)
            if l == 0:
                s.update(ffn(p + "mlp.", 64, 96))
                continue
            for e in range(4):
                s.update(ffn(f"{p}mlp.experts.{e}.", 64, 32))
            s.update(ffn(p + "mlp.shared_experts.", 64, 32))
            s[p + "mlp.gate.weight"] = (4, 64)
            if v3:
                s[p + "mlp.gate.e_score_correction_bias"] = (4,)
        yield name, c, s, {}


def to_bf16_bits(a):
    """float32 -> bfloat16 bits, round to nearest even."""
    u = a.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def write_bf16(path, weights):
    """safetensors.numpy has no bfloat16: the format written by hand (header, then data)."""
    header, blobs, off = {}, [], 0
    for name, a in weights.items():
        b = to_bf16_bits(a).tobytes()
        header[name] = {"dtype": "BF16", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(h).to_bytes(8, "little") + h + b"".join(blobs))
    return {n: (to_bf16_bits(a).astype(np.uint32) << 16).view(np.float32) for n, a in weights.items()}


def main():
    out = sys.argv[1]
    for seed, (name, config, shapes, _) in enumerate(models()):
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        W = random_weights(shapes, seed + 1)
        if name == "deepseek-v3":
            for n in list(W):
                if n.endswith("e_score_correction_bias"):
                    W[n] = (0.3 * np.random.default_rng(seed).standard_normal(W[n].shape)).astype(np.float32)
        if name == "llama":  # bfloat16, in two shards with an index
            names = sorted(W)
            half = len(names) // 2
            Wq = {}
            for k, part in enumerate((names[:half], names[half:])):
                Wq |= write_bf16(os.path.join(folder, f"model-0000{k + 1}-of-00002.safetensors"), {n: W[n] for n in part})
            with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
                json.dump({"weight_map": {n: f"model-0000{1 if i < half else 2}-of-00002.safetensors"
                                          for i, n in enumerate(names)}}, f)
            W = Wq
        else:
            save_file(W, os.path.join(folder, "model.safetensors"))
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(config, f, indent=1)
        write_tokenizer(folder, config["vocab_size"])
        W64 = {n: a.astype(np.float64) for n, a in W.items()}
        logits = forward_deepseek(W64, config) if name.startswith("deepseek") else forward_llama_qwen(W64, config)
        logits.astype("<f8").tofile(os.path.join(folder, "reference_logits.f64"))
        with open(os.path.join(folder, "reference_tokens.txt"), "w") as f:
            f.write(" ".join(map(str, TOKENS)))


if __name__ == "__main__":
    main()
