#!/usr/bin/env python3
"""Serving benchmark for OpenAI-compatible servers: aggregate tokens/s and time to first
token for 1..N concurrent streaming clients, each server started fresh with --parallel N
for each N, side by side in one run; and a bounded load test. Loopback only.

  server-bench.py throughput --server NAME='CMD' [--server ...] [--clients 1,2,4,8,16,32]
                  [--max-tokens 64] [--requests 2] [--prompt-words 60]
  server-bench.py load --server NAME='CMD' [--clients 200] [--seconds 120]

CMD may use {port} and {n} (the slots), e.g.
  seekbench='build/bin/seekbench-server -m F.gguf --port {port} --parallel {n} --quiet'
  llama='llama-server -m F.gguf --port {port} --parallel {n} -c $((512*{n})) -t 2'
Both servers get the same requests: streamed /v1/completions, ignore_eos, fixed seeds.
"""
import argparse
import http.client
import json
import os
import shlex
import socket
import statistics
import subprocess
import sys
import threading
import time

HOST = "127.0.0.1"
WORDS = ("the quick brown fox jumps over a lazy dog while seven wizards quietly pack boxes of "
         "liquor jugs and the river runs past old mills near the harbour town").split()


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Running:
    def __init__(self, cmd, n):
        self.port = free_port()
        line = cmd.replace("{port}", str(self.port)).replace("{n}", str(n))
        self.proc = subprocess.Popen(["/bin/sh", "-c", "exec " + line], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.time() + 300
        while time.time() < deadline:
            try:
                c = http.client.HTTPConnection(HOST, self.port, timeout=5)
                c.request("GET", "/health")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited: {line}")
            time.sleep(0.2)
        raise SystemExit(f"server did not come up: {line}")

    def rss_kib(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            return 0
        return 0

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def model_of(port):
    c = http.client.HTTPConnection(HOST, port, timeout=30)
    c.request("GET", "/v1/models")
    return json.loads(c.getresponse().read())["data"][0]["id"]


def stream_once(port, model, prompt, max_tokens, seed, timeout=600):
    """One streamed completion: (status, tokens, seconds to first token, total seconds)."""
    body = json.dumps({"model": model, "prompt": prompt, "max_tokens": max_tokens, "seed": seed, "stream": True,
                       "temperature": 0.8, "ignore_eos": True, "stream_options": {"include_usage": True}})
    t0 = time.perf_counter()
    c = http.client.HTTPConnection(HOST, port, timeout=timeout)
    c.request("POST", "/v1/completions", body=body, headers={"Content-Type": "application/json"})
    r = c.getresponse()
    if r.status != 200:
        r.read()
        return r.status, 0, None, time.perf_counter() - t0
    # Tokens: the usage both servers send last (a token may carry no text of its own, half
    # a UTF-8 character); the first token: the first chunk with a choice.
    chunks, usage, first = 0, None, None
    for raw in r:
        line = raw.decode("utf-8", "replace").strip()
        if not line.startswith("data: ") or line == "data: [DONE]":
            continue
        chunk = json.loads(line[6:])
        if chunk.get("usage"):
            usage = chunk["usage"].get("completion_tokens")
        if chunk.get("choices"):
            chunks += 1
            if first is None:
                first = time.perf_counter() - t0
    c.close()
    return 200, usage if usage is not None else chunks, first, time.perf_counter() - t0


def prompt_for(i, words):
    return " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(words))


def throughput(args, servers):
    rows = []
    for n in args.clients:
        row = {"n": n}
        for name, cmd in servers:
            srv = Running(cmd, n)
            try:
                model = model_of(srv.port)
                stream_once(srv.port, model, prompt_for(0, args.prompt_words), 4, 1)  # warm up
                results = []
                lock = threading.Lock()

                def client(k):
                    for r in range(args.requests):
                        res = stream_once(srv.port, model, prompt_for(k * 31 + r, args.prompt_words),
                                          args.max_tokens, 1000 + k * 10 + r)
                        with lock:
                            results.append(res)
                t0 = time.perf_counter()
                threads = [threading.Thread(target=client, args=(k,)) for k in range(n)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                wall = time.perf_counter() - t0
            finally:
                srv.stop()
            ok = [r for r in results if r[0] == 200]
            tokens = sum(r[1] for r in ok)
            ttft = sorted(r[2] for r in ok if r[2] is not None)
            row[name] = {"tok_s": tokens / wall, "ttft_p50": statistics.median(ttft) if ttft else None,
                         "ttft_p99": ttft[min(len(ttft) - 1, int(0.99 * len(ttft)))] if ttft else None,
                         "errors": len(results) - len(ok), "tokens": tokens}
            print(f"n={n:3d} {name:12s} {row[name]['tok_s']:8.1f} tok/s  ttft p50 {row[name]['ttft_p50']:.3f} s"
                  f"  p99 {row[name]['ttft_p99']:.3f} s  tokens {tokens}  errors {row[name]['errors']}", flush=True)
        rows.append(row)
    names = [name for name, _ in servers]
    print("\n| clients | " + " | ".join(f"{n} tok/s | {n} TTFT p50/p99 (s)" for n in names) +
          (f" | {names[0]} / {names[1]} |" if len(names) > 1 else " |"))
    print("|---" * (1 + 2 * len(names) + (1 if len(names) > 1 else 0)) + "|")
    for row in rows:
        cells = [str(row["n"])]
        for n in names:
            r = row[n]
            cells += [f"{r['tok_s']:.1f}", f"{r['ttft_p50']:.3f} / {r['ttft_p99']:.3f}"]
        if len(names) > 1:
            cells.append(f"**{row[names[0]]['tok_s'] / row[names[1]]['tok_s']:.2f}x**")
        print("| " + " | ".join(cells) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


def load(args, servers):
    name, cmd = servers[0]
    srv = Running(cmd, args.slots)
    statuses, errors, tokens = {}, [], [0]
    lock = threading.Lock()
    deadline = time.time() + args.seconds
    rss = [srv.rss_kib()]
    try:
        model = model_of(srv.port)

        def client(k):
            r = 0
            while time.time() < deadline:
                try:
                    status, n, _, _ = stream_once(srv.port, model, prompt_for(k + r, 20), args.max_tokens, k * 1000 + r,
                                                  timeout=300)
                except OSError as e:
                    with lock:
                        errors.append(repr(e))
                    time.sleep(0.5)
                    continue
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    tokens[0] += n
                r += 1
        threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(args.clients)]
        for t in threads:
            t.start()
        while time.time() < deadline:
            time.sleep(1)
            rss.append(srv.rss_kib())
            if srv.proc.poll() is not None:
                break
        for t in threads:
            t.join(timeout=320)
        alive = srv.proc.poll() is None
    finally:
        srv.stop()
    five = sum(v for k, v in statuses.items() if k >= 500)
    print(json.dumps({"server": name, "clients": args.clients, "seconds": args.seconds, "alive": alive,
                      "statuses": statuses, "connection_errors": len(errors), "first_errors": errors[:3],
                      "tokens": tokens[0], "rss_start_mib": rss[0] / 1024, "rss_max_mib": max(rss) / 1024,
                      "rss_end_mib": rss[-1] / 1024}, indent=1))
    sys.exit(0 if alive and five == 0 and not errors else 1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["throughput", "load"])
    p.add_argument("--server", action="append", required=True, help="NAME='CMD with {port} and {n}'")
    p.add_argument("--clients", default=None)
    p.add_argument("--max-tokens", type=int, default=64)
    p.add_argument("--requests", type=int, default=2, help="requests per client (throughput)")
    p.add_argument("--prompt-words", type=int, default=60)
    p.add_argument("--seconds", type=int, default=120, help="load: how long")
    p.add_argument("--slots", type=int, default=8, help="load: the server's --parallel")
    p.add_argument("--json", help="throughput: write the rows here")
    args = p.parse_args()
    servers = [tuple(s.split("=", 1)) for s in args.server]
    if args.mode == "throughput":
        args.clients = [int(x) for x in (args.clients or "1,2,4,8,16,32").split(",")]
        throughput(args, servers)
    else:
        args.clients = int(args.clients or 200)
        args.seconds = min(args.seconds, 600)
        load(args, servers)


if __name__ == "__main__":
    main()
