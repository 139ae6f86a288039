#!/usr/bin/env python3
"""seekbench-server end to end: a real server process on a loopback port, driven with curl
(every route, every 4xx) and raw sockets (streams, disconnects, concurrency), its metrics
checked by promtool. Usage: server_test.py BIN_DIR [client NODE_MODULES]
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BIN = sys.argv[1]
SERVER = os.path.join(BIN, "seekbench-server")
CLI = os.path.join(BIN, "seekbench-cli")
failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        failures.append(what)


class Server:
    def __init__(self, *args):
        self.proc = subprocess.Popen([SERVER, "--port", "0", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on "):
            self.proc.kill()
            err = self.proc.stderr.read()
            raise SystemExit(f"the server did not start: {line!r} {err}")
        self.url = line.split()[-1]
        self.port = int(self.url.rsplit(":", 1)[1])
        self.log = []
        threading.Thread(target=self._drain, daemon=True).start()
        try:
            self.model = self.get_json("/health")["model"]
        except BaseException:
            self.proc.kill()
            raise

    def _drain(self):
        for line in self.proc.stdout:
            self.log.append(line)

    def request(self, method, path, body=None, headers=None, timeout=120):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        resp = conn.getresponse()
        payload = resp.read().decode("utf-8")
        conn.close()
        return resp.status, dict(resp.getheaders()), payload

    def get_json(self, path):
        status, _, body = self.request("GET", path)
        assert status == 200, (path, status, body)
        return json.loads(body)

    def curl(self, *args):
        """curl's status code and body for one request."""
        out = subprocess.run(["curl", "-s", "-o", "-", "-w", "\n%{http_code}", *args], capture_output=True, text=True,
                             timeout=120)
        body, _, code = out.stdout.rpartition("\n")
        return int(code), body

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None


def chat(model, text, seed, max_tokens=24, **extra):
    return {"model": model, "messages": [{"role": "user", "content": text}], "seed": seed,
            "max_tokens": max_tokens, **extra}


def sse_events(body):
    events = [line[6:] for line in body.split("\n") if line.startswith("data: ")]
    return events


def test_routes(s):
    code, body = s.curl(f"{s.url}/health")
    check(code == 200 and json.loads(body)["status"] == "ok", "GET /health")
    code, body = s.curl(f"{s.url}/v1/models")
    check(code == 200 and json.loads(body)["data"][0]["object"] == "model", "GET /v1/models")
    code, body = s.curl(f"{s.url}/v1/chat/completions", "-d", json.dumps(chat(s.model, "Hello", 1, logprobs=True,
                                                                               top_logprobs=3)))
    reply = json.loads(body) if code == 200 else {}
    choice = reply.get("choices", [{}])[0]
    check(code == 200 and reply.get("object") == "chat.completion" and choice.get("finish_reason") in ("stop", "length")
          and reply["usage"]["completion_tokens"] >= 0, "POST /v1/chat/completions")
    lp = (choice.get("logprobs") or {}).get("content", [])
    check(len(lp) == reply.get("usage", {}).get("completion_tokens", -1) and all(len(t["top_logprobs"]) == 3 for t in lp),
          "chat logprobs: one entry per token, three alternatives each")
    code, body = s.curl("-N", f"{s.url}/v1/chat/completions", "-d",
                        json.dumps(chat(s.model, "Hello", 1, stream=True, stream_options={"include_usage": True})))
    events = sse_events(body)
    chunks = [json.loads(e) for e in events[:-1]]
    streamed = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    check(code == 200 and events[-1] == "[DONE]" and chunks[0]["choices"][0]["delta"]["role"] == "assistant"
          and "usage" in chunks[-1] and streamed == choice.get("message", {}).get("content"),
          "POST /v1/chat/completions streaming: role first, usage last, [DONE], the same text as whole")
    code, body = s.curl(f"{s.url}/v1/completions", "-d", json.dumps({"model": s.model, "prompt": "Once upon a time",
                                                                       "max_tokens": 8, "seed": 2, "echo": True,
                                                                       "logprobs": 2}))
    reply = json.loads(body) if code == 200 else {}
    check(code == 200 and reply["choices"][0]["text"].startswith("Once upon a time")
          and len(reply["choices"][0]["logprobs"]["tokens"]) == reply["usage"]["completion_tokens"],
          "POST /v1/completions (echo, logprobs)")
    code, body = s.curl("-N", f"{s.url}/v1/completions", "-d",
                        json.dumps({"model": s.model, "prompt": ["Once upon a time"], "max_tokens": 8, "seed": 2,
                                    "stream": True}))
    events = sse_events(body)
    check(code == 200 and events[-1] == "[DONE]" and json.loads(events[-2])["choices"][0]["finish_reason"] is not None,
          "POST /v1/completions streaming")
    code, body = s.curl(f"{s.url}/v1/embeddings", "-d", json.dumps({"model": s.model, "input": "x"}))
    check(code == 400 and "embed-model" in json.loads(body)["error"]["message"],
          "POST /v1/embeddings without an embedding model: 400 saying how to get one")
    stop = s.curl(f"{s.url}/v1/chat/completions", "-d", json.dumps(chat(s.model, "Hello", 1, max_tokens=24)))
    text = json.loads(stop[1])["choices"][0]["message"]["content"]
    if len(text) > 6:
        cut = text[3:6]
        code, body = s.curl(f"{s.url}/v1/chat/completions", "-d", json.dumps(chat(s.model, "Hello", 1, stop=[cut])))
        r = json.loads(body)
        check(code == 200 and r["choices"][0]["message"]["content"] == text[:text.find(cut)]
              and r["choices"][0]["finish_reason"] == "stop", "a stop string ends the reply before it")


def test_errors(s):
    m = s.model
    long_prompt = "word " * 5000
    cases = [
        ("bad JSON", "/v1/chat/completions", "{bad", 400, None),
        ("not an object", "/v1/chat/completions", "[1,2]", 400, None),
        ("no model", "/v1/chat/completions", {"messages": [{"role": "user", "content": "x"}]}, 400, "model"),
        ("unknown model", "/v1/chat/completions", chat("gpt-4o", "x", 1), 404, "model"),
        ("no messages", "/v1/chat/completions", {"model": m}, 400, "messages"),
        ("empty messages", "/v1/chat/completions", {"model": m, "messages": []}, 400, "messages"),
        ("bad role", "/v1/chat/completions", {"model": m, "messages": [{"role": "robot", "content": "x"}]}, 400,
         "messages[0].role"),
        ("content a number", "/v1/chat/completions", {"model": m, "messages": [{"role": "user", "content": 5}]}, 400,
         "messages[0].content"),
        ("image part", "/v1/chat/completions",
         {"model": m, "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]},
         400, "messages[0].content"),
        ("temperature a string", "/v1/chat/completions", chat(m, "x", 1, temperature="hot"), 400, "temperature"),
        ("temperature 5", "/v1/chat/completions", chat(m, "x", 1, temperature=5), 400, "temperature"),
        ("top_p 2", "/v1/chat/completions", chat(m, "x", 1, top_p=2), 400, "top_p"),
        ("max_tokens 0", "/v1/chat/completions", chat(m, "x", 1, max_tokens=0), 400, "max_tokens"),
        ("max_tokens above the limit", "/v1/chat/completions", chat(m, "x", 1, max_tokens=10**6), 400, "max_tokens"),
        ("max_tokens 1.5", "/v1/chat/completions", chat(m, "x", 1, max_tokens=1.5), 400, "max_tokens"),
        ("seed a string", "/v1/chat/completions", chat(m, "x", "s"), 400, "seed"),
        ("n 2", "/v1/chat/completions", chat(m, "x", 1, n=2), 400, "n"),
        ("json mode", "/v1/chat/completions", chat(m, "x", 1, response_format={"type": "json_object"}), 400,
         "response_format"),
        ("tools", "/v1/chat/completions", chat(m, "x", 1, tools=[{"type": "function"}]), 400, "tools"),
        ("five stops", "/v1/chat/completions", chat(m, "x", 1, stop=["a", "b", "c", "d", "e"]), 400, "stop"),
        ("stream not a bool", "/v1/chat/completions", chat(m, "x", 1, stream="yes"), 400, "stream"),
        ("top_logprobs alone", "/v1/chat/completions", chat(m, "x", 1, top_logprobs=2), 400, "top_logprobs"),
        ("top_logprobs 21", "/v1/chat/completions", chat(m, "x", 1, logprobs=True, top_logprobs=21), 400,
         "top_logprobs"),
        ("prompt too long", "/v1/chat/completions", chat(m, long_prompt, 1), 400, "messages"),
        ("no prompt", "/v1/completions", {"model": m}, 400, "prompt"),
        ("two prompts", "/v1/completions", {"model": m, "prompt": ["a", "b"]}, 400, "prompt"),
        ("prompt an object", "/v1/completions", {"model": m, "prompt": {"a": 1}}, 400, "prompt"),
        ("token out of vocabulary", "/v1/completions", {"model": m, "prompt": [1, 99999999]}, 400, None),
        ("completion logprobs 6", "/v1/completions", {"model": m, "prompt": "a", "logprobs": 6}, 400, "logprobs"),
    ]
    for name, path, body, status, param in cases:
        data = body if isinstance(body, str) else json.dumps(body)
        code, text = s.curl(f"{s.url}{path}", "-H", "Content-Type: application/json", "-d", data)
        try:
            err = json.loads(text)["error"]
            ok = code == status and err["message"] and err["type"] and (param is None or err["param"] == param)
        except (ValueError, KeyError, TypeError):
            ok = False
        check(ok, f"{name}: {status} with an OpenAI error naming {param} (got {code} {text[:120]})")
    code, text = s.curl(f"{s.url}/v1/chat/completions", "-d", json.dumps(chat(m, long_prompt, 1)))
    check(code == 400 and json.loads(text)["error"]["code"] == "context_length_exceeded",
          "a prompt past the context: code context_length_exceeded")
    big = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    big.write(json.dumps(chat(m, "x" * (9 << 20), 1)))
    big.close()
    code, text = s.curl(f"{s.url}/v1/chat/completions", "-H", "Content-Type: application/json",
                        "--data-binary", "@" + big.name)
    os.unlink(big.name)
    check(code == 413 and "larger" in json.loads(text)["error"]["message"], f"a 9 MiB body: 413 ({code})")
    code, text = s.curl(f"{s.url}/v1/nothing")
    check(code == 404 and "no route" in json.loads(text)["error"]["message"], "an unknown route: 404")
    code, text = s.curl(f"{s.url}/v1/chat/completions")
    check(code in (404, 405) and json.loads(text)["error"]["message"], f"GET on a POST route: {code} with a JSON error")
    _, headers, _ = s.request("GET", "/health", headers={"Origin": "http://example.test"})
    check("Access-Control-Allow-Origin" not in headers, "CORS headers are off by default")


def test_key_and_cors():
    s = Server("--api-key", "sekrit", "--cors", "http://tool.test", "--parallel", "1", "--quiet")
    try:
        code, text = s.curl(f"{s.url}/v1/models")
        check(code == 401 and json.loads(text)["error"]["code"] == "invalid_api_key", "no key: 401")
        code, _ = s.curl(f"{s.url}/v1/models", "-H", "Authorization: Bearer wrong")
        check(code == 401, "a wrong key: 401")
        code, _ = s.curl(f"{s.url}/metrics")
        check(code == 401, "/metrics asks for the key too")
        code, _ = s.curl(f"{s.url}/health")
        check(code == 200, "/health needs no key")
        code, _ = s.curl(f"{s.url}/v1/models", "-H", "Authorization: Bearer sekrit")
        check(code == 200, "the right key: 200")
        status, headers, _ = s.request("OPTIONS", "/v1/chat/completions", headers={"Origin": "http://tool.test"})
        check(status == 204 and headers.get("Access-Control-Allow-Origin") == "http://tool.test",
              "--cors: the preflight answers 204 with the origin")
    finally:
        check(s.stop() == 0, "SIGTERM stops the server with exit code 0")


def run_chat(s, i, out):
    _, _, body = s.request("POST", "/v1/chat/completions",
                           chat(s.model, f"Tell me about number {i}.", 100 + i, max_tokens=32, temperature=0.9))
    out[i] = json.loads(body)["choices"][0]["message"]["content"]


def test_batching(s):
    n = 8
    alone = {}
    for i in range(n):
        run_chat(s, i, alone)
    together = {}
    threads = [threading.Thread(target=run_chat, args=(s, i, together)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(all(together[i] == alone[i] for i in range(n)),
          "8 concurrent requests (4 slots) give the same text as 8 sequential ones with the same seeds")
    steps = [line for line in s.request("GET", "/metrics")[2].splitlines() if line.startswith("seekbench_decode_steps_total")]
    check(bool(steps), "metrics count the decode steps")


def metric(s, name):
    for line in s.request("GET", "/metrics")[2].splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def test_disconnect(s):
    # How long the reply is when its client stays: all of max_tokens (ignore_eos), long enough
    # that the server sees the client go before it ends. A reply that stopped at its own end
    # after 45 tokens took the built-in model ~15 ms, and one CI run finished it all first.
    body = chat(s.model, "Write a long story.", 5, max_tokens=400, temperature=1.0, ignore_eos=True)
    _, _, whole = s.request("POST", "/v1/chat/completions", body)
    full = json.loads(whole)["usage"]["completion_tokens"]
    before = metric(s, "seekbench_generated_tokens_total")
    sock = socket.create_connection(("127.0.0.1", s.port))
    payload = json.dumps({**body, "stream": True}).encode()
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: " + str(len(payload)).encode() + b"\r\n\r\n" + payload)
    got = b""
    while got.count(b"data: ") < 4:
        got += sock.recv(4096)
    sock.close()
    closed = time.monotonic()
    freed = None
    while time.monotonic() - closed < 5:
        if s.get_json("/health")["slots_busy"] == 0:
            freed = time.monotonic() - closed
            break
        time.sleep(0.02)
    time.sleep(0.3)  # the cancelled request's counts land when it is done
    after = metric(s, "seekbench_generated_tokens_total")
    check(freed is not None and freed < 1.0, f"a client that disconnects frees its slot ({freed} s)")
    check(full == 400 and after - before < full, f"...and its reply stops early ({after - before} of {full} tokens)")


def test_metrics(s):
    text = s.request("GET", "/metrics")[2]
    out = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
    check(out.returncode == 0, "promtool check metrics: " + (out.stdout + out.stderr).strip()[:300])
    for name in ("seekbench_requests_total", "seekbench_time_to_first_token_seconds_bucket",
                 "seekbench_inter_token_latency_seconds_count", "seekbench_queue_depth", "seekbench_slots_busy",
                 "seekbench_kv_cache_usage_ratio", "seekbench_tokens_per_second", "seekbench_prompt_tokens_total"):
        check(name in text, f"metric {name}")
    check('seekbench_requests_total{route="/v1/chat/completions",code="400"}' in text,
          "requests are counted by route and status")
    check(any('"path"' in line for line in s.log), "one JSON log line per request on stdout")
    # The Grafana dashboard shipped in packaging/ asks only for metrics the server has.
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "packaging", "grafana", "seekbench-server.json")) as f:
        dashboard = f.read()
    names = set(re.findall(r"seekbench_[a-z_]+", dashboard)) - {"seekbench_server"}
    check(names and all(n in text for n in names), f"the Grafana dashboard's {len(names)} metrics are all served")
    out = subprocess.run(["promtool", "check", "config", os.path.join(here, "..", "..", "packaging", "grafana",
                                                                       "prometheus.yml")], capture_output=True, text=True)
    check(out.returncode == 0, "promtool check config packaging/grafana/prometheus.yml")


def test_embeddings():
    tmp = tempfile.mkdtemp()
    try:
        path = os.path.join(tmp, "bert-tiny.gguf")
        subprocess.run([CLI, "synth", "--preset", "bert-tiny", "--type", "F32", "-o", path], check=True,
                       capture_output=True)
        s = Server("--embed-model", path, "--quiet", "--parallel", "1")
        try:
            _, _, body = s.request("POST", "/v1/embeddings", {"model": "bert-tiny", "input": ["hello world", "cats"]})
            r = json.loads(body)
            vecs = [d["embedding"] for d in r["data"]]
            norms = [sum(x * x for x in v) ** 0.5 for v in vecs]
            check(len(vecs) == 2 and all(abs(n - 1) < 1e-4 for n in norms) and r["usage"]["prompt_tokens"] > 0,
                  "POST /v1/embeddings: one unit vector per input")
            status, _, body = s.request("POST", "/v1/embeddings", {"model": "bert-tiny", "input": []})
            check(status == 400 and json.loads(body)["error"]["param"] == "input", "embeddings of nothing: 400")
        finally:
            s.stop()
    finally:
        shutil.rmtree(tmp)


def test_client(modules):
    if not os.path.isdir(os.path.join(modules, "openai")):
        print("SKIP the openai client is not installed (dev.sh test installs it with npm)")
        sys.exit(77)
    s = Server("--parallel", "2", "--api-key", "k", "--quiet")
    try:
        out = subprocess.run(["node", os.path.join(os.path.dirname(__file__), "openai_client.mjs"), modules,
                              s.url + "/v1", "k"], capture_output=True, text=True, timeout=300)
        print(out.stdout + out.stderr)
        check(out.returncode == 0, "the official openai client streams and completes unmodified")
    finally:
        s.stop()


def main():
    if len(sys.argv) > 2 and sys.argv[2] == "client":
        test_client(sys.argv[3])
    else:
        s = Server("--parallel", "4", "--max-tokens", "1000")
        try:
            test_routes(s)
            test_errors(s)
            test_batching(s)
            test_disconnect(s)
            test_metrics(s)
        finally:
            check(s.stop() == 0, "SIGTERM stops the server with exit code 0")
        test_key_and_cors()
        test_embeddings()
    print(f"{len(failures)} failed" if failures else "all passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
