"""A DeepSeek-V2-style model in PyTorch, laid out exactly as llama.cpp's `deepseek2` reads it:
multi-head latent attention (plain queries as in V2-Lite, a compressed KV latent with its
RMSNorm, decoupled RoPE keys shared by all heads, the combined attn_kv_b up-projection),
a leading dense SwiGLU layer, then DeepSeekMoE layers (one shared expert plus fine-grained
routed experts, softmax gating, top-k) trained with DeepSeekMoE's expert-level balance loss.

RoPE rotates adjacent pairs (llama.cpp's "normal" mode, which deepseek2 uses).
"""
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab: int = 4096
    dim: int = 256
    layers: int = 4
    dense_layers: int = 1          # leading_dense_block_count
    heads: int = 4
    kv_lora: int = 64
    qk_nope: int = 32
    qk_rope: int = 16
    v_head: int = 32
    ffn_hidden: int = 768          # the dense layer
    experts: int = 16
    experts_used: int = 2
    expert_hidden: int = 96
    shared_experts: int = 1        # each expert_hidden wide
    ctx: int = 512
    rope_base: float = 10000.0
    eps: float = 1e-6
    balance_alpha: float = 0.01


class RMSNorm(nn.Module):
    def __init__(self, n, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope(x, pos, base):
    """x: [..., T, d] with d even; rotates pairs (x[2i], x[2i+1]) by pos * base^(-2i/d)."""
    d = x.shape[-1]
    inv = base ** (-torch.arange(0, d, 2, dtype=torch.float32) / d)
    ang = pos[:, None].float() * inv[None, :]
    cos, sin = ang.cos(), ang.sin()
    x0, x1 = x[..., 0::2], x[..., 1::2]
    out = torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), dim=-1)
    return out.flatten(-2)


class MLA(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.attn_q = nn.Linear(c.dim, c.heads * (c.qk_nope + c.qk_rope), bias=False)
        self.attn_kv_a_mqa = nn.Linear(c.dim, c.kv_lora + c.qk_rope, bias=False)
        self.attn_kv_a_norm = RMSNorm(c.kv_lora, c.eps)
        self.attn_kv_b = nn.Linear(c.kv_lora, c.heads * (c.qk_nope + c.v_head), bias=False)
        self.attn_output = nn.Linear(c.heads * c.v_head, c.dim, bias=False)

    def forward(self, x):
        c = self.c
        B, T, _ = x.shape
        pos = torch.arange(T)
        q = self.attn_q(x).view(B, T, c.heads, c.qk_nope + c.qk_rope).transpose(1, 2)
        q_nope, q_pe = q.split([c.qk_nope, c.qk_rope], dim=-1)
        q_pe = rope(q_pe, pos, c.rope_base)
        kv = self.attn_kv_a_mqa(x)
        latent, k_pe = kv.split([c.kv_lora, c.qk_rope], dim=-1)
        k_pe = rope(k_pe.unsqueeze(1), pos, c.rope_base)  # [B, 1, T, rope]: one for all heads
        kvb = self.attn_kv_b(self.attn_kv_a_norm(latent)).view(B, T, c.heads, c.qk_nope + c.v_head).transpose(1, 2)
        k_nope, v = kvb.split([c.qk_nope, c.v_head], dim=-1)
        qf = torch.cat([q_nope, q_pe], dim=-1)
        kf = torch.cat([k_nope, k_pe.expand(B, c.heads, T, c.qk_rope)], dim=-1)
        o = F.scaled_dot_product_attention(qf, kf, v, is_causal=True, scale=1.0 / math.sqrt(c.qk_nope + c.qk_rope))
        return self.attn_output(o.transpose(1, 2).reshape(B, T, c.heads * c.v_head))


class SwiGLU(nn.Module):
    def __init__(self, dim, hidden, suffix=""):
        super().__init__()
        self.suffix = suffix
        self.gate = nn.Linear(dim, hidden, bias=False)
        self.up = nn.Linear(dim, hidden, bias=False)
        self.down = nn.Linear(hidden, dim, bias=False)

    def forward(self, x):
        return self.down(F.silu(self.gate(x)) * self.up(x))


class MoE(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.ffn_gate_inp = nn.Linear(c.dim, c.experts, bias=False)
        s = 1.0 / math.sqrt(c.dim)
        self.gate_exps = nn.Parameter(torch.randn(c.experts, c.expert_hidden, c.dim) * s)
        self.up_exps = nn.Parameter(torch.randn(c.experts, c.expert_hidden, c.dim) * s)
        self.down_exps = nn.Parameter(torch.randn(c.experts, c.dim, c.expert_hidden) / math.sqrt(c.expert_hidden))
        self.shared = SwiGLU(c.dim, c.expert_hidden * c.shared_experts)

    def forward(self, x):
        c = self.c
        B, T, D = x.shape
        flat = x.reshape(-1, D)
        probs = F.softmax(self.ffn_gate_inp(flat), dim=-1)       # [N, E]
        weights, chosen = probs.topk(c.experts_used, dim=-1)      # not renormalized (V2)
        out = torch.zeros_like(flat)
        for e in range(c.experts):
            rows, slot = (chosen == e).nonzero(as_tuple=True)
            if rows.numel() == 0:
                continue
            h = flat[rows]
            y = (F.silu(h @ self.gate_exps[e].t()) * (h @ self.up_exps[e].t())) @ self.down_exps[e].t()
            out.index_add_(0, rows, (y * weights[rows, slot].unsqueeze(-1)).to(out.dtype))
        # DeepSeekMoE's expert-level balance loss: E/(K*N) * counts_i times mean prob_i.
        counts = torch.zeros(c.experts).index_add_(0, chosen.flatten(), torch.ones(chosen.numel()))
        f = counts * c.experts / (c.experts_used * flat.shape[0])
        balance = (f.detach() * probs.mean(0)).sum() * c.balance_alpha
        return (out + self.shared(flat).to(out.dtype)).view(B, T, D), balance


class Block(nn.Module):
    def __init__(self, c, moe):
        super().__init__()
        self.attn_norm = RMSNorm(c.dim, c.eps)
        self.attn = MLA(c)
        self.ffn_norm = RMSNorm(c.dim, c.eps)
        self.moe = moe
        self.ffn = MoE(c) if moe else SwiGLU(c.dim, c.ffn_hidden)

    def forward(self, x):
        x = x + self.attn(self.attn_norm(x))
        if self.moe:
            y, balance = self.ffn(self.ffn_norm(x))
            return x + y, balance
        return x + self.ffn(self.ffn_norm(x)), torch.zeros(())


class Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.token_embd = nn.Embedding(c.vocab, c.dim)
        self.blocks = nn.ModuleList(Block(c, l >= c.dense_layers) for l in range(c.layers))
        self.output_norm = RMSNorm(c.dim, c.eps)
        self.output = nn.Linear(c.dim, c.vocab, bias=False)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.02)
            elif isinstance(m, nn.Embedding):
                nn.init.normal_(m.weight, std=0.02)

    def forward(self, idx, targets=None):
        x = self.token_embd(idx)
        balance = torch.zeros(())
        for b in self.blocks:
            x, bl = b(x)
            balance = balance + bl
        logits = self.output(self.output_norm(x))
        if targets is None:
            return logits
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))
        return logits, loss, balance

    def gguf_tensors(self):
        """(name, array) in llama.cpp's names; arrays row-major as GGUF stores them."""
        c = self.c
        t = [("token_embd.weight", self.token_embd.weight)]
        for l, b in enumerate(self.blocks):
            p = f"blk.{l}."
            a = b.attn
            t += [(p + "attn_norm.weight", b.attn_norm.weight), (p + "attn_q.weight", a.attn_q.weight),
                  (p + "attn_kv_a_mqa.weight", a.attn_kv_a_mqa.weight),
                  (p + "attn_kv_a_norm.weight", a.attn_kv_a_norm.weight),
                  (p + "attn_kv_b.weight", a.attn_kv_b.weight), (p + "attn_output.weight", a.attn_output.weight),
                  (p + "ffn_norm.weight", b.ffn_norm.weight)]
            f = b.ffn
            if b.moe:
                t += [(p + "ffn_gate_inp.weight", f.ffn_gate_inp.weight), (p + "ffn_gate_exps.weight", f.gate_exps),
                      (p + "ffn_up_exps.weight", f.up_exps), (p + "ffn_down_exps.weight", f.down_exps),
                      (p + "ffn_gate_shexp.weight", f.shared.gate.weight),
                      (p + "ffn_up_shexp.weight", f.shared.up.weight),
                      (p + "ffn_down_shexp.weight", f.shared.down.weight)]
            else:
                t += [(p + "ffn_gate.weight", f.gate.weight), (p + "ffn_up.weight", f.up.weight),
                      (p + "ffn_down.weight", f.down.weight)]
        t += [("output_norm.weight", self.output_norm.weight), ("output.weight", self.output.weight)]
        return [(n, w.detach().float().contiguous().numpy()) for n, w in t]
