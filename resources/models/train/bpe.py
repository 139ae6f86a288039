"""A byte-level BPE tokenizer trained on the corpus, in the form GGUF's "gpt2" tokenizer
model expects: tokens are bytes written with the GPT-2 byte-to-character table, merges are
"left right" pairs in rank order, and text is first split with the Qwen2 pre-tokenizer
expression (tokenizer.ggml.pre = "qwen2"), so the engine and llama.cpp split it the same way.

Training is the classic algorithm with incremental pair counts: each merge updates only
the words that contain the merged pair.
"""
import collections
import heapq

import regex

# The Qwen2 pre-tokenizer (as llama.cpp's "qwen2" pre-tokenizer type splits text).
PRE = regex.compile(
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
)

# Chat and end of text, then DeepSeek-Coder's fill-in-the-middle tokens (full-width bars,
# U+2581 in place of the space), so the engine finds the model's FIM tokens by name.
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>",
            "<\uff5cfim\u2581begin\uff5c>", "<\uff5cfim\u2581hole\uff5c>", "<\uff5cfim\u2581end\uff5c>"]


def byte_table():
    """GPT-2's reversible map from bytes to printable characters."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, n = {}, 0
    for b in range(256):
        if b in keep:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + n)
            n += 1
    return chars


BYTES = byte_table()


def pretokens(text):
    for special in SPECIALS:
        text = text.replace(special, "\n")
    return PRE.findall(text)


def train(text, vocab_size):
    """Returns the merges, best first, for a vocabulary of vocab_size tokens (specials included)."""
    counts = collections.Counter(pretokens(text))
    words = [[BYTES[b] for b in w.encode("utf-8")] for w in counts]
    freq = list(counts.values())
    pairs = collections.Counter()
    where = collections.defaultdict(set)  # pair -> words holding it
    for i, w in enumerate(words):
        for a, b in zip(w, w[1:]):
            pairs[(a, b)] += freq[i]
            where[(a, b)].add(i)
    heap = [(-c, p) for p, c in pairs.items()]
    heapq.heapify(heap)
    merges = []
    target = vocab_size - 256 - len(SPECIALS)
    while len(merges) < target and heap:
        c, pair = heapq.heappop(heap)
        if pairs.get(pair, 0) != -c or -c < 2:
            if pairs.get(pair, 0) >= 2 and pairs[pair] != -c:
                heapq.heappush(heap, (-pairs[pair], pair))
            continue
        merges.append(pair)
        a, b = pair
        joined = a + b
        changed = collections.Counter()
        for i in list(where[pair]):
            w, f = words[i], freq[i]
            for x, y in zip(w, w[1:]):
                changed[(x, y)] -= f
            out, j = [], 0
            while j < len(w):
                if j + 1 < len(w) and w[j] == a and w[j + 1] == b:
                    out.append(joined)
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            words[i] = out
            for x, y in zip(out, out[1:]):
                changed[(x, y)] += f
                where[(x, y)].add(i)
        for p, d in changed.items():
            if d:
                pairs[p] += d
                if pairs[p] > 0:
                    heapq.heappush(heap, (-pairs[p], p))
        pairs.pop(pair, None)
        where.pop(pair, None)
    return merges


class Tokenizer:
    """Encodes with the trained merges (used for the training data; the engine has its own)."""

    def __init__(self, merges):
        self.merges = merges
        self.rank = {m: i for i, m in enumerate(merges)}
        self.tokens = [BYTES[b] for b in range(256)] + [a + b for a, b in merges] + SPECIALS
        self.id = {t: i for i, t in enumerate(self.tokens)}
        self.cache = {}

    def special(self, name):
        return self.id[name]

    def _word(self, w):
        if w in self.cache:
            return self.cache[w]
        parts = [BYTES[b] for b in w.encode("utf-8")]
        while len(parts) > 1:
            best = min(range(len(parts) - 1), key=lambda k: self.rank.get((parts[k], parts[k + 1]), 1 << 30))
            if (parts[best], parts[best + 1]) not in self.rank:
                break
            parts[best:best + 2] = [parts[best] + parts[best + 1]]
        ids = [self.id[p] for p in parts]
        if len(self.cache) < 500_000:
            self.cache[w] = ids
        return ids

    def encode(self, text):
        """Special tokens in the text become their ids; everything else is merged bytes."""
        ids = []
        pattern = "(" + "|".join(regex.escape(s) for s in SPECIALS) + ")"
        for piece in regex.split(pattern, text):
            if piece in SPECIALS:
                ids.append(self.id[piece])
            elif piece:
                for w in PRE.findall(piece):
                    ids.extend(self._word(w))
        return ids
