"""Writes the trained model as a GGUF v3 file, with the metadata llama.cpp's `deepseek2`
loader reads, in F32, F16 or Q8_0 (norms and the router stay F32, as llama.cpp's converter
keeps 1-D tensors)."""
import struct

import numpy as np

from bpe import BYTES, SPECIALS

U32, I32, F32T, BOOL, STR, ARR = 4, 5, 6, 7, 8, 9
TYPES = {"f32": 0, "f16": 1, "q8_0": 8}
ALIGN = 32

CHAT_TEMPLATE = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def _str(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def _kv(key, kind, value):
    out = _str(key) + struct.pack("<I", kind)
    if kind == U32:
        return out + struct.pack("<I", value)
    if kind == I32:
        return out + struct.pack("<i", value)
    if kind == F32T:
        return out + struct.pack("<f", value)
    if kind == BOOL:
        return out + struct.pack("<?", value)
    if kind == STR:
        return out + _str(value)
    elem, items = value
    out += struct.pack("<IQ", elem, len(items))
    for it in items:
        out += _str(it) if elem == STR else struct.pack("<i", it)
    return out


def q8_0(a):
    """Rows of 32-value blocks: an f16 scale, then 32 signed bytes."""
    blocks = a.reshape(-1, 32).astype(np.float32)
    amax = np.abs(blocks).max(axis=1)
    d = amax / 127.0
    inv = np.where(d > 0, 1.0 / np.where(d > 0, d, 1), 0.0)
    q = np.clip(np.rint(blocks * inv[:, None]), -127, 127).astype(np.int8)
    out = np.empty(len(blocks), dtype=[("d", "<f2"), ("q", "i1", 32)])
    out["d"] = d.astype(np.float16)
    out["q"] = q
    return out.tobytes()


def write(path, cfg, merges, tensors, kind="f32", name="Seekbench MoE"):
    a = "deepseek2"
    tokens = [BYTES[b] for b in range(256)] + [x + y for x, y in merges] + SPECIALS
    types = [1] * (len(tokens) - len(SPECIALS)) + [3] * len(SPECIALS)
    eot = tokens.index("<|endoftext|>")
    im_end = tokens.index("<|im_end|>")
    fim = [tokens.index(t) for t in SPECIALS[3:6]]  # begin (prefix), hole (suffix), end (middle)
    kvs = [
        ("general.architecture", STR, a), ("general.name", STR, name),
        ("general.file_type", U32, {"f32": 0, "f16": 1, "q8_0": 7}[kind]),
        ("general.quantization_version", U32, 2), ("general.alignment", U32, ALIGN),
        (f"{a}.context_length", U32, cfg.ctx), (f"{a}.embedding_length", U32, cfg.dim),
        (f"{a}.block_count", U32, cfg.layers), (f"{a}.feed_forward_length", U32, cfg.ffn_hidden),
        (f"{a}.attention.head_count", U32, cfg.heads), (f"{a}.attention.head_count_kv", U32, cfg.heads),
        (f"{a}.attention.key_length", U32, cfg.qk_nope + cfg.qk_rope),
        (f"{a}.attention.value_length", U32, cfg.v_head),
        (f"{a}.attention.q_lora_rank", U32, 0), (f"{a}.attention.kv_lora_rank", U32, cfg.kv_lora),
        (f"{a}.attention.layer_norm_rms_epsilon", F32T, cfg.eps), (f"{a}.rope.freq_base", F32T, cfg.rope_base),
        (f"{a}.rope.dimension_count", U32, cfg.qk_rope),
        (f"{a}.expert_count", U32, cfg.experts), (f"{a}.expert_used_count", U32, cfg.experts_used),
        (f"{a}.expert_feed_forward_length", U32, cfg.expert_hidden),
        (f"{a}.leading_dense_block_count", U32, cfg.dense_layers),
        (f"{a}.expert_shared_count", U32, cfg.shared_experts), (f"{a}.expert_weights_scale", F32T, 1.0),
        (f"{a}.expert_weights_norm", BOOL, False), (f"{a}.expert_gating_func", U32, 1),
        (f"{a}.vocab_size", U32, len(tokens)),
        ("tokenizer.ggml.model", STR, "gpt2"), ("tokenizer.ggml.pre", STR, "qwen2"),
        ("tokenizer.ggml.tokens", ARR, (STR, tokens)), ("tokenizer.ggml.token_type", ARR, (I32, types)),
        ("tokenizer.ggml.merges", ARR, (STR, [f"{x} {y}" for x, y in merges])),
        ("tokenizer.ggml.bos_token_id", U32, eot), ("tokenizer.ggml.eos_token_id", U32, im_end),
        ("tokenizer.ggml.eot_token_id", U32, im_end), ("tokenizer.ggml.padding_token_id", U32, eot),
        ("tokenizer.ggml.fim_pre_token_id", U32, fim[0]), ("tokenizer.ggml.fim_suf_token_id", U32, fim[1]),
        ("tokenizer.ggml.fim_mid_token_id", U32, fim[2]),
        ("tokenizer.ggml.add_bos_token", BOOL, False), ("tokenizer.chat_template", STR, CHAT_TEMPLATE),
    ]
    infos, blobs, offset = b"", [], 0
    for tname, arr in tensors:
        t = "f32" if arr.ndim == 1 or "ffn_gate_inp" in tname else kind
        if t == "q8_0" and arr.shape[-1] % 32:
            t = "f16"
        data = (arr.astype(np.float32).tobytes() if t == "f32" else arr.astype(np.float16).tobytes() if t == "f16"
                else q8_0(arr))
        dims = list(reversed(arr.shape))
        infos += _str(tname) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        infos += struct.pack("<IQ", TYPES[t], offset)
        pad = (-len(data)) % ALIGN
        blobs.append(data + b"\0" * pad)
        offset += len(data) + pad
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs)) + b"".join(_kv(*kv) for kv in kvs) + infos
    with open(path, "wb") as f:
        f.write(head)
        f.write(b"\0" * ((-len(head)) % ALIGN))
        for b in blobs:
            f.write(b)
