"""Trains Seekbench's built-in model from nothing but Debian packages, on the CPU.

    ./packaging/dev.sh train -- --minutes 45 --seed 1

writes into resources/models/: seekbench-moe.gguf (Q8_0), heldout.txt (the held-out text the
tests measure), fim-heldout.jsonl (fill-in-the-middle cases from held-out files),
seekbench-moe.json (configuration, corpus statistics, losses) and loss-curve.png; the F32 and
F16 files and the corpus stay in --work.
"""
import argparse
import json
import math
import os
import shutil
import sys
import time

# On a CPU, one BLAS thread inside PyTorch's OpenMP threads, which sleep when idle: BLAS
# and OpenMP threads spinning against each other made training 10x slower on 2 cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpe  # noqa: E402
import corpus  # noqa: E402
import gguf_out  # noqa: E402
from model import Config, Model  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, ".."))
HELDOUT_BYTES = 64_000  # the slice shipped and measured


def batches(data, batch, seq, rng, doc_starts, aligned=0.5):
    """Windows of seq tokens: a share of them start where a document starts, so the short
    documents (questions and answers, fill-in-the-middle cases) are seen whole from their
    first token; the rest start anywhere."""
    starts = rng.integers(0, len(data) - seq - 1, size=batch)
    at_doc = rng.random(batch) < aligned
    starts[at_doc] = doc_starts[rng.integers(0, len(doc_starts), size=int(at_doc.sum()))]
    x = np.stack([data[s:s + seq] for s in starts])
    y = np.stack([data[s + 1:s + seq + 1] for s in starts])
    return torch.from_numpy(x).long(), torch.from_numpy(y).long()


@torch.no_grad()
def evaluate(model, data, seq):
    """Mean next-token loss (nats) over consecutive windows of the whole held-out text."""
    model.eval()
    total, count = 0.0, 0
    for s in range(0, len(data) - 1, seq):
        chunk = data[s:s + seq + 1]
        if len(chunk) < 2:
            break
        x = torch.from_numpy(chunk[:-1][None]).long()
        y = torch.from_numpy(chunk[1:][None]).long()
        _, loss, _ = model(x, y)
        total += loss.item() * (len(chunk) - 1)
        count += len(chunk) - 1
    model.train()
    return total / count


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=42, help="training time budget")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--aligned", type=float, default=0.5, help="share of windows that start with a document")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--work", default=os.path.expanduser("~/.cache/seekbench/train"))
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.work, exist_ok=True)
    t0 = time.time()

    stats = corpus.build(os.path.join(args.work, "corpus"), seed=args.seed)
    print("corpus:", json.dumps(stats), flush=True)
    with open(os.path.join(args.work, "corpus", "train.txt"), encoding="utf-8") as f:
        train_text = f.read()
    with open(os.path.join(args.work, "corpus", "heldout.txt"), encoding="utf-8") as f:
        held_text = f.read()
    # The shipped held-out slice ends at a document boundary.
    cut = held_text.rfind("<|endoftext|>", 0, HELDOUT_BYTES)
    held_text = held_text[:cut if cut > 0 else HELDOUT_BYTES]

    merges = bpe.train(train_text[:3_000_000], args.vocab)
    tok = bpe.Tokenizer(merges)
    print(f"tokenizer: {len(tok.tokens)} tokens after {time.time() - t0:.0f} s", flush=True)
    train_ids = np.array(tok.encode(train_text), dtype=np.int32)
    held_ids = np.array(tok.encode(held_text), dtype=np.int32)
    print(f"tokens: train {len(train_ids)}, held-out {len(held_ids)} after {time.time() - t0:.0f} s", flush=True)

    eot = tok.special("<|endoftext|>")
    doc_starts = np.flatnonzero(train_ids[:-args.seq - 1] == eot) + 1
    doc_starts = np.concatenate([[0], doc_starts[doc_starts < len(train_ids) - args.seq - 1]])
    cfg = Config(vocab=len(tok.tokens))
    model = Model(cfg)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1)
    budget = args.minutes * 60
    start, step, curve = time.time(), 0, []
    warmup = 50
    while time.time() - start < budget:
        frac = (time.time() - start) / budget
        lr = args.lr * min(1.0, (step + 1) / warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g["lr"] = lr
        x, y = batches(train_ids, args.batch, args.seq, rng, doc_starts, args.aligned)
        with torch.autocast("cpu", dtype=torch.bfloat16):  # bf16 matrix products, f32 weights
            _, loss, balance = model(x, y)
        opt.zero_grad(set_to_none=True)
        (loss + balance).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 25 == 0:
            point = {"step": step, "tokens": step * args.batch * args.seq, "minutes": (time.time() - start) / 60,
                     "train": loss.item()}
            if step % 100 == 0:
                point["heldout"] = evaluate(model, held_ids[:8192], args.seq)
            curve.append(point)
            print(json.dumps(point), flush=True)
    held = evaluate(model, held_ids, args.seq)
    print(f"done: {step} steps, held-out loss {held:.4f} after {(time.time() - start) / 60:.1f} min", flush=True)

    tensors = model.gguf_tensors()
    for kind in ("f32", "f16", "q8_0"):
        gguf_out.write(os.path.join(args.work, f"seekbench-moe-{kind}.gguf"), cfg, merges, tensors, kind)
    gguf_out.write(os.path.join(OUT, "seekbench-moe.gguf"), cfg, merges, tensors, "q8_0")
    with open(os.path.join(OUT, "heldout.txt"), "w", encoding="utf-8") as f:
        f.write(held_text)
    shutil.copyfile(os.path.join(args.work, "corpus", "fim-heldout.jsonl"), os.path.join(OUT, "fim-heldout.jsonl"))
    info = {"config": cfg.__dict__, "parameters": params, "seed": args.seed, "steps": step,
            "batch": args.batch, "seq": args.seq, "aligned_windows": args.aligned, "train_minutes": (time.time() - start) / 60,
            "threads": args.threads, "corpus": stats, "tokens_trained": step * args.batch * args.seq,
            "heldout_tokens": len(held_ids), "heldout_loss_torch_f32": held, "work": args.work,
            "curve": curve}
    with open(os.path.join(OUT, "seekbench-moe.json"), "w") as f:
        json.dump(info, f, indent=1)
    plot(curve, os.path.join(OUT, "loss-curve.png"))
    print("wrote", os.path.join(OUT, "seekbench-moe.gguf"), flush=True)


def plot(curve, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    ax.plot([p["tokens"] / 1e6 for p in curve], [p["train"] for p in curve], label="training batch")
    held = [p for p in curve if "heldout" in p]
    ax.plot([p["tokens"] / 1e6 for p in held], [p["heldout"] for p in held], "o-", label="held-out")
    ax.set_xlabel("tokens trained (millions)")
    ax.set_ylabel("loss (nats per token)")
    ax.set_title("Seekbench MoE: training on 2 CPU cores")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)


if __name__ == "__main__":
    main()
