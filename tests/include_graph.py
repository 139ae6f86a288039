#!/usr/bin/env python3
"""The house, checked from the code's own #include lines (DESIGN.md, "The house").

Floors, top to bottom: app/ (the composition root and seekbench-cli), ui/ (widgets),
ui/controllers/, storage/, engine/. A file may include files on its own floor or below,
never above; storage/ and engine/ know nothing of each other (but the one error type,
engine/error.h), and they and seekbench-cli (app/cli/) know nothing of Qt. And no set of files includes
itself in a loop. Prints every offence with its file and line; exits 1 if there is one.

usage: include_graph.py REPOSITORY_ROOT
"""
import os
import re
import sys

FLOORS = [("app/", 5), ("ui/controllers/", 3), ("ui/", 4), ("storage/", 2), ("engine/", 1)]
SOURCES = (".h", ".hpp", ".cpp", ".cu", ".cuh", ".inc")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')
CLOSING = {'"': '"', "<": ">"}
QT = re.compile(r"^(Q[A-Za-z]+|KSyntaxHighlighting/|QtCore|QtGui|QtWidgets)")


def floor_of(path):
    for prefix, floor in FLOORS:
        if path.startswith(prefix):
            return prefix, floor
    return None, None


def main(root):
    files = []
    for top in ("app", "ui", "storage", "engine"):
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for n in names:
                if n.endswith(SOURCES):
                    files.append(os.path.relpath(os.path.join(dirpath, n), root).replace(os.sep, "/"))
    known = set(files)
    edges = {f: set() for f in files}
    problems = []
    for f in sorted(files):
        room, floor = floor_of(f)
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as src:
            for number, line in enumerate(src, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                kind, name = m.groups()
                where = f"{f}:{number}: #include {kind}{name}{CLOSING[kind]}"
                if kind == "<":
                    if (room in ("engine/", "storage/") or f.startswith("app/cli/")) and QT.match(name):
                        problems.append(f"{where}: {room if room != 'app/' else 'app/cli/'} does not know Qt")
                    continue
                # Quoted includes: beside the file first, then from the repository root.
                beside = os.path.normpath(os.path.join(os.path.dirname(f), name)).replace(os.sep, "/")
                target = beside if beside in known else name if name in known else None
                if target is None:
                    continue  # a generated or system header
                edges[f].add(target)
                troom, tfloor = floor_of(target)
                if tfloor > floor:
                    problems.append(f"{where}: {room} (floor {floor}) reaches up to {troom} (floor {tfloor})")
                elif {room, troom} == {"engine/", "storage/"} and target != "engine/error.h":
                    problems.append(f"{where}: engine/ and storage/ know nothing of each other")
    problems += [f"include loop: {' -> '.join(c + [c[0]])}" for c in loops(edges)]
    for p in problems:
        print(p)
    print(f"{len(files)} files, {sum(len(e) for e in edges.values())} includes between them: "
          f"{'OK' if not problems else str(len(problems)) + ' problem(s)'}")
    return 1 if problems else 0


def loops(edges):
    """Strongly connected components of more than one file (Tarjan, iteratively)."""
    index, low, on_stack, stack, out, counter = {}, {}, set(), [], [], [0]
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
