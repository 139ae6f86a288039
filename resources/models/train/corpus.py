"""The built-in model's corpus, assembled offline from files Debian packages install.

Sources (package: files; licence, from the package's /usr/share/doc/*/copyright):
  python3.13 (libpython3.13-stdlib): /usr/lib/python3.13/**/*.py, the standard library's
      source; PSF-2.0.
  python3.13-doc: /usr/share/doc/python3.13/html/{library,tutorial,howto}/*.html, the
      Python documentation, reduced to its text; PSF-2.0.
  fortunes-zh: /usr/share/games/fortunes/{chinese,song100,tang300}, Chinese sayings, Song
      ci and Tang poems; GPL-3.0-or-later (see the model card).
From these it also writes an instruction set in the chat format: "What does `mod.func`
do?" answered by the first sentence of its docstring, "Write a function that ..." answered
by a real function of the standard library, "Tell me about the X module" answered by the
module's docstring, and Chinese requests answered by a fortune. And fill-in-the-middle cases
of the standard library's code in DeepSeek-Coder's format, so the Code panel's completion
works with the built-in model; those of held-out files become fim-heldout.jsonl.

Every document goes to the held-out set or the training set by a hash of its name, so the
split is the same on every run.
"""
import ast
import glob
import hashlib
import html.parser
import json
import os
import random
import re

STDLIB = "/usr/lib/python3.13"
DOCS = "/usr/share/doc/python3.13/html"
FORTUNES = "/usr/share/games/fortunes"
FORTUNE_FILES = ("chinese", "song100", "tang300")
SYSTEM = None  # the chat format has no system prompt by default

START, END = "<|im_start|>", "<|im_end|>"


def chat(user, assistant):
    return f"{START}user\n{user}{END}\n{START}assistant\n{assistant}{END}\n"


class _Text(html.parser.HTMLParser):
    """The readable text of a Sphinx page: its main body, without navigation and scripts."""

    SKIP = {"script", "style", "nav", "head"}
    VOID = {"br", "img", "meta", "link", "input", "hr", "wbr", "col", "source"}
    BREAKS = {"p", "pre", "h1", "h2", "h3", "li", "dt", "dd", "br", "tr"}

    def __init__(self):
        super().__init__()
        self.parts = []
        self.stack = []  # (tag, inside the body, skipped)

    def handle_starttag(self, tag, attrs):
        cls = (dict(attrs).get("class") or "").split()
        body, skip = (self.stack[-1][1], self.stack[-1][2]) if self.stack else (False, False)
        if tag in self.BREAKS:
            self.parts.append("\n")
        if tag in self.VOID:
            return
        body = body or (tag == "div" and "body" in cls)
        skip = skip or tag in self.SKIP or bool({"sphinxsidebar", "related", "footer", "headerlink"} & set(cls))
        self.stack.append((tag, body, skip))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1][1] and not self.stack[-1][2]:
            self.parts.append(data)

    def text(self):
        t = "".join(self.parts).replace("\u00b6", "")
        t = re.sub(r"[ \t]+\n", "\n", t)
        return re.sub(r"\n{3,}", "\n\n", t).strip() + "\n"


def held_out(name, fraction):
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < fraction


def first_sentence(doc):
    doc = " ".join(doc.strip().split("\n\n")[0].split())
    m = re.match(r"(.+?[.!?])(\s|$)", doc)
    return (m.group(1) if m else doc).strip()


def stdlib_files():
    files = sorted(glob.glob(f"{STDLIB}/*.py"))
    for pkg in ("json", "email", "http", "urllib", "collections", "concurrent", "importlib", "logging",
                "sqlite3", "xml", "asyncio", "unittest", "html", "encodings"):
        files += sorted(glob.glob(f"{STDLIB}/{pkg}/*.py"))
    return [f for f in files if "/test" not in f and os.path.getsize(f) < 200_000]


def instructions(path, source, rng):
    """Question and answer pairs from one module of the standard library."""
    out = []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return out
    module = os.path.relpath(path, STDLIB)[:-3].replace("/", ".").removesuffix(".__init__")
    doc = ast.get_docstring(tree)
    if doc and len(first_sentence(doc)) > 20:
        para = " ".join(doc.strip().split("\n\n")[0].split())
        out.append(chat(f"Tell me about the Python module `{module}`.", para))
    lines = source.splitlines()
    for node in tree.body:
        targets = [node] if isinstance(node, ast.FunctionDef) else []
        if isinstance(node, ast.ClassDef):
            targets += [n for n in node.body if isinstance(n, ast.FunctionDef)]
        for fn in targets:
            if fn.name.startswith("_"):
                continue
            fdoc = ast.get_docstring(fn)
            if not fdoc:
                continue
            sentence = first_sentence(fdoc)
            if len(sentence) < 15:
                continue
            owner = module if fn in tree.body else f"{module}.{node.name}"
            out.append(chat(f"What does `{owner}.{fn.name}` do?", sentence))
            body = "\n".join(lines[fn.lineno - 1 - len(fn.decorator_list):fn.end_lineno])
            if fn in tree.body and body.count("\n") < 25:
                ask = sentence[0].lower() + sentence[1:].rstrip(".")
                out.append(chat(f"Write a Python function that does this: {ask}.", f"```python\n{body}\n```"))
    rng.shuffle(out)
    return out


def fortunes():
    items = []
    for path in (os.path.join(FORTUNES, n) for n in FORTUNE_FILES):
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for i, item in enumerate(text.split("\n%\n")):
            item = re.sub(r"\x1b\[[0-9;]*m", "", item).strip()  # some carry terminal colours
            if 4 < len(item) < 600 and "\ufffd" not in item:
                items.append((f"{os.path.basename(path)}#{i}", item))
    return items


FIM_BEGIN, FIM_HOLE, FIM_END = "<\uff5cfim\u2581begin\uff5c>", "<\uff5cfim\u2581hole\uff5c>", "<\uff5cfim\u2581end\uff5c>"
FIM_PREFIX_CHARS, FIM_SUFFIX_CHARS, FIM_MIDDLE_CHARS = 200, 100, 100
FIM_HELDOUT_PER_FILE = 40


def fim_cases(source, rng, count):
    """Fill-in-the-middle cases (prefix, middle, suffix) from one source file, the gaps an
    editor asks about: the rest of a line after a point where a word ends (half: after a
    space, a dot, a bracket, an operator, where a typist pauses), one line after its
    indentation (three in ten), or a few whole lines. The prefix starts and the suffix ends
    at a line boundary; the case (about 90 tokens) fits whole in a training window."""
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    candidates = [i for i, line in enumerate(lines) if line.strip() and len(line) < 100]
    out = []
    for _ in range(count * 4):
        if len(out) >= count or not candidates:
            break
        i = rng.choice(candidates)
        body = lines[i].rstrip("\n")
        indent = len(body) - len(body.lstrip())
        kind = rng.random()
        if kind < 0.5:
            cuts = [k for k in range(indent + 1, len(body) - 1)
                    if not (body[k - 1].isalnum() or body[k - 1] == "_")]
            if not cuts:
                continue
            a, b = starts[i] + rng.choice(cuts), starts[i] + len(body)
        elif kind < 0.8:
            a, b = starts[i] + indent, starts[i + 1]
        else:
            a, b = starts[i], starts[min(len(lines), i + rng.randint(2, 4))]
        middle = source[a:b]
        if not middle.strip() or len(middle) > FIM_MIDDLE_CHARS:
            continue
        prefix = source[max(0, a - FIM_PREFIX_CHARS):a]
        if a > FIM_PREFIX_CHARS and "\n" in prefix:
            prefix = prefix[prefix.index("\n") + 1:]
        suffix = source[b:b + FIM_SUFFIX_CHARS]
        if b + FIM_SUFFIX_CHARS < len(source) and "\n" in suffix:
            suffix = suffix[:suffix.rindex("\n") + 1]
        out.append((prefix, middle, suffix))
    return out


def fim_document(prefix, middle, suffix):
    """DeepSeek-Coder's layout: the middle comes last, and the end of text closes it."""
    return f"{FIM_BEGIN}{prefix}{FIM_HOLE}{suffix}{FIM_END}{middle}"


ASK_ZH = ["给我讲一句名言。", "说一句中文的格言。", "来一段中文的诗句。", "讲一句有道理的话。"]


def build(out_dir, heldout_fraction=0.02, seed=1, fim_per_file=60):
    """Writes train.txt, heldout.txt and fim-heldout.jsonl into out_dir; returns their stats."""
    rng = random.Random(seed)
    fim_rng = random.Random(seed + 1000)
    train, held, fim_train, fim_held = [], [], [], []
    stats = {"stdlib_files": 0, "doc_pages": 0, "fortunes": 0, "instructions": 0, "fim": 0}

    def add(name, text):
        (held if held_out(name, heldout_fraction) else train).append(text)

    for path in stdlib_files():
        with open(path, encoding="utf-8", errors="replace") as f:
            source = f.read()
        stats["stdlib_files"] += 1
        add(path, source if len(source) < 60_000 else source[:60_000])
        # Fill-in-the-middle cases from the same file, on their own random stream so the
        # rest of the corpus is what it was; held-out files give the held-out cases.
        held_file = held_out(path, heldout_fraction)
        cases = fim_cases(source, fim_rng, FIM_HELDOUT_PER_FILE if held_file else fim_per_file)
        if held_file:
            fim_held.extend({"file": os.path.relpath(path, STDLIB), "prefix": p, "middle": m, "suffix": x}
                            for p, m, x in cases)
        else:
            stats["fim"] += len(cases)
            fim_train.extend(fim_document(p, m, x) for p, m, x in cases)
        for i, qa in enumerate(instructions(path, source, rng)[:40]):
            stats["instructions"] += 1
            add(f"{path}#qa{i}", qa)
    for section in ("library", "tutorial", "howto"):
        for path in sorted(glob.glob(f"{DOCS}/{section}/*.html")):
            parser = _Text()
            with open(path, encoding="utf-8", errors="replace") as f:
                parser.feed(f.read())
            text = parser.text()
            if len(text) > 200:
                stats["doc_pages"] += 1
                add(path, text)
    for name, item in fortunes():
        stats["fortunes"] += 1
        add(name, item + "\n")
        if rng.random() < 0.5:
            stats["instructions"] += 1
            add(name + "#qa", chat(rng.choice(ASK_ZH), item))
    rng.shuffle(train)
    rng.shuffle(held)
    train += fim_train
    fim_rng.shuffle(train)
    os.makedirs(out_dir, exist_ok=True)
    sep = "<|endoftext|>"
    for name, docs in (("train.txt", train), ("heldout.txt", held)):
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            f.write(sep.join(docs))
    with open(os.path.join(out_dir, "fim-heldout.jsonl"), "w", encoding="utf-8") as f:
        for case in fim_held:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    stats["fim_heldout"] = len(fim_held)
    stats["train_bytes"] = os.path.getsize(os.path.join(out_dir, "train.txt"))
    stats["heldout_bytes"] = os.path.getsize(os.path.join(out_dir, "heldout.txt"))
    return stats
