"""After training: measures the exported files with Seekbench's own engine and records the
figures the model card and the tests state (held-out loss of each format, a greedy answer
to a fixed question, expert load by content type, fill-in-the-middle on held-out code). Runs in the build environment:

    python3 resources/models/train/finalize.py --work ~/.cache/seekbench/train
"""
import argparse
import json
import os
import re
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, ".."))
CLI = os.path.join(OUT, "..", "..", "build", "bin", "seekbench-cli")
QUESTION = "What does `os.path.join` do?"
SAMPLES = [QUESTION, "Write a Python function that does this: return the larger of two numbers.",
           "给我讲一句名言。"]
PROBES = {  # text of each kind, for expert load by content type
    "code": "def parse(line):\n    key, _, value = line.partition('=')\n    return key.strip(), value.strip()\n",
    "prose": "The module provides functions for working with paths. It is used to split and join names.\n",
    "chinese": "学而时习之，不亦说乎？有朋自远方来，不亦乐乎？人不知而不愠，不亦君子乎？\n",
}


def cli(*args):
    r = subprocess.run([CLI, *args], capture_output=True, text=True, check=True)
    return r.stdout, r.stderr


def chat_prompt(q):
    return f"<|im_start|>user\n{q}<|im_end|>\n<|im_start|>assistant\n"


def greedy(model, q, n=64):
    prompt = chat_prompt(q)
    out, _ = cli("run", "-m", model, "-p", prompt, "--special", "--temp", "0", "-n", str(n))
    return out[len(prompt):].removesuffix("\n")


def fim_figures(model, cases_path, n=48):
    """Greedy middles for the held-out fill-in-the-middle cases: the share written exactly
    (trailing white space aside), and the share where the completion and the true middle
    agree as far as the shorter goes (what a ghost text offers is right, if incomplete)."""
    with open(cases_path, encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    exact = prefix = 0
    examples, exact_cases = [], []
    for index, case in enumerate(cases):
        out, _ = cli("fim", "-m", model, "--prefix", case["prefix"], "--suffix", case["suffix"], "-n", str(n))
        want = case["middle"]
        is_exact = out.rstrip() == want.rstrip()
        agrees = bool(out.strip()) and (want.startswith(out) or out.startswith(want) or is_exact)
        exact += is_exact
        if is_exact:
            exact_cases.append(index)
        prefix += agrees
        if is_exact and len(examples) < 8 and len(want.strip()) >= 8:
            examples.append({"case": index, "file": case["file"], "prefix_tail": case["prefix"][-120:],
                             "middle": want})
    return {"cases": len(cases), "exact": exact, "prefix_agrees": prefix,
            "exact_rate": exact / max(1, len(cases)), "prefix_rate": prefix / max(1, len(cases)),
            "max_tokens": n, "exact_cases": exact_cases, "exact_examples": examples}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", help="where train.py left its files (default: as the card says)")
    args = ap.parse_args()
    card_path = os.path.join(OUT, "seekbench-moe.json")
    with open(card_path) as f:
        card = json.load(f)
    args.work = args.work or card["work"]
    held = os.path.join(OUT, "heldout.txt")
    for kind in ("f32", "f16", "q8_0"):
        path = os.path.join(args.work, f"seekbench-moe-{kind}.gguf")
        out, _ = cli("perplexity", "-m", path, "-f", held, "--window", str(card["seq"]))
        card[f"heldout_loss_engine_{kind}"] = float(re.search(r"loss ([0-9.]+)", out).group(1))
        card[f"file_bytes_{kind}"] = os.path.getsize(path)
        print(kind, out.strip())
    shipped = os.path.join(OUT, "seekbench-moe.gguf")
    card["greedy_question"] = QUESTION
    card["greedy_answer"] = greedy(shipped, QUESTION)
    card["samples"] = [{"question": q, "answer": greedy(shipped, q, 96)} for q in SAMPLES]
    loads = {}
    for name, text in PROBES.items():
        probe = os.path.join(args.work, f"probe-{name}.txt")
        with open(probe, "w", encoding="utf-8") as f:
            f.write(text * 4)
        _, err = cli("run", "-m", shipped, "-f", probe, "-n", "1", "--temp", "0", "--routing-stats")
        loads[name] = err[err.find("expert load"):].strip() if "expert load" in err else err.strip()
    card["expert_load_by_content"] = loads
    card["fim_heldout"] = fim_figures(shipped, os.path.join(OUT, "fim-heldout.jsonl"))
    with open(card_path, "w") as f:
        json.dump(card, f, indent=1, ensure_ascii=False)
    print(json.dumps({k: card[k] for k in card if k.startswith(("heldout", "greedy", "fim"))}, indent=1,
                     ensure_ascii=False))
    for k, v in loads.items():
        print(f"--- {k}\n{v}")


if __name__ == "__main__":
    main()
