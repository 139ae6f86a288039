"""After training: measures the exported files with Seekbench's own engine and records the
figures the model card and the tests state (held-out loss of each format, a greedy answer
to a fixed question, expert load by content type). Runs in the build environment:

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
    with open(card_path, "w") as f:
        json.dump(card, f, indent=1, ensure_ascii=False)
    print(json.dumps({k: card[k] for k in card if k.startswith(("heldout", "greedy"))}, indent=1, ensure_ascii=False))
    for k, v in loads.items():
        print(f"--- {k}\n{v}")


if __name__ == "__main__":
    main()
