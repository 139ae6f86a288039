#!/usr/bin/env python3
"""The knowledge store's benchmark corpus, from text this machine already has.

    python3 packaging/knowledge-bench.py OUT_DIR [--files 10000] [--paragraphs 10] [--seed 1]

Collects paragraphs from Python's standard library (docstrings and code), Debian's
documentation (text, Markdown, HTML reduced to text) and licences under /usr, then writes
--files files into OUT_DIR/files (a mix of .md, .txt and .py, about --paragraphs paragraphs
each, so 10 per file gives about 100,000 chunks) and OUT_DIR/queries.txt: 1,000 queries of
two to four words drawn from the same text. Then, in the build environment:

    seekbench-cli ingest --db OUT/k.db OUT/files          # files/s; du -b OUT/k.db*
    seekbench-cli query --db OUT/k.db --latency OUT/queries.txt -k 10

Hybrid latency over the same chunks needs an embedding per chunk; computing real ones for
100,000 chunks takes hours on two cores, so this fills them with random unit vectors
under the embedding model's file name (the scan, the fusion and the query's embedding
stay real; only the ranking is meaningless):

    python3 packaging/knowledge-bench.py OUT --fill-embeddings bge-small-q8_0.gguf --dim 384
    seekbench-cli query --db OUT/k.db --embed-model bge-small-q8_0.gguf --latency OUT/queries.txt -k 10
"""
import argparse
import array
import glob
import math
import os
import random
import re
import sqlite3


def paragraphs():
    found = []
    sources = glob.glob("/usr/lib/python3*/**/*.py", recursive=True)
    sources += glob.glob("/usr/share/doc/**/*.txt", recursive=True)
    sources += glob.glob("/usr/share/doc/**/*.md", recursive=True)
    sources += glob.glob("/usr/share/doc/**/*.html", recursive=True)
    sources += glob.glob("/usr/share/common-licenses/*")
    for path in sorted(sources):
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read(200_000)
        except (OSError, UnicodeDecodeError):
            continue
        if path.endswith(".html"):
            text = re.sub(r"<[^>]+>", " ", text)
        for p in re.split(r"\n\s*\n", text):
            p = p.strip()
            if 80 <= len(p) <= 900:
                found.append(p)
    return found


def fill_embeddings(db_path, model, dim, seed):
    rng = random.Random(seed)
    db = sqlite3.connect(db_path)
    ids = [r[0] for r in db.execute("SELECT id FROM chunks")]
    with db:
        db.execute("DELETE FROM embeddings WHERE model = ?", (model,))
        for chunk_id in ids:
            v = [rng.gauss(0, 1) for _ in range(dim)]
            n = math.sqrt(sum(x * x for x in v))
            db.execute("INSERT INTO embeddings (chunk_id, model, dim, vector) VALUES (?, ?, ?, ?)",
                       (chunk_id, model, dim, array.array("f", (x / n for x in v)).tobytes()))
    print(f"{len(ids)} chunks given random {dim}-dimensional unit vectors as {model}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--paragraphs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--fill-embeddings", metavar="MODEL_FILE_NAME")
    ap.add_argument("--dim", type=int, default=384)
    args = ap.parse_args()
    if args.fill_embeddings:
        return fill_embeddings(os.path.join(args.out, "k.db"), args.fill_embeddings, args.dim, args.seed)
    rng = random.Random(args.seed)
    pool = paragraphs()
    words = sorted({w.lower() for p in rng.sample(pool, min(len(pool), 5000))
                    for w in re.findall(r"[A-Za-z]{5,}", p)})
    os.makedirs(os.path.join(args.out, "files"), exist_ok=True)
    total = 0
    for i in range(args.files):
        kind = (".md", ".txt", ".py")[i % 3]
        body = []
        for k in range(args.paragraphs):
            p = rng.choice(pool)
            # Paragraphs of about a chunk each: padded with a neighbour when short.
            while len(p) < 700:
                p += "\n" + rng.choice(pool)
            body.append((f"## Part {k}\n\n" if kind == ".md" else "") + p[:1400])
        text = (f"# Document {i}\n\n" if kind == ".md" else "") + "\n\n".join(body) + "\n"
        sub = os.path.join(args.out, "files", f"{i // 1000:02d}")
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"doc{i:05d}{kind}"), "w", encoding="utf-8") as f:
            f.write(text)
        total += len(text.encode())
    with open(os.path.join(args.out, "queries.txt"), "w", encoding="utf-8") as f:
        for _ in range(1000):
            f.write(" ".join(rng.sample(words, rng.randint(2, 4))) + "\n")
    print(f"{len(pool)} paragraphs, {len(words)} query words; {args.files} files, {total / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
