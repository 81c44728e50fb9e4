"""Load test of the service `dockyard init` generates: `GET /health` under gunicorn (its own gunicorn_config.py,
uvicorn workers) beside a bare single-worker `uvicorn` run of the same app, on loopback only.

    python bench/load_health.py [--requests 4000] [--concurrency 16] [--seconds 30] [--workers 2]

Steps: `dockyard init --db none --cache none` into bench/out/load/service, a virtualenv with the generated
lock file installed (kept between runs), then for each server: start it on a free 127.0.0.1 port, wait for
/health, run a bounded closed-loop client (threads with keep-alive connections; stops at --requests or
--seconds, whichever comes first), stop the server with SIGTERM. Prints requests/s and latency percentiles
and writes bench/out/load/results.json. The client shares the machine's cores with the server, so the figures
compare the two servers with each other; they are not a capacity claim. Both servers log every request (the
generated gunicorn_config.py logs access to stdout; uvicorn runs at --log-level info), so logging is not
what differs. Connection resets are counted apart from errors: gunicorn's max_requests recycles workers
by design, closing their keep-alive connections.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "load"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(python: str) -> tuple[Path, Path]:
    service = OUT / "service"
    if not (service / "gunicorn_config.py").is_file():
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run([python, "-m", "dockyard", "init", str(service), "--no-input", "--name", "loadsvc",
                        "--db", "none", "--cache", "none"], check=True, stdout=subprocess.DEVNULL)
    venv = OUT / "venv"
    if not (venv / "bin" / "gunicorn").exists():
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "-r", str(service / "requirements.lock.txt")],
                       check=True)
    return service, venv


def server_env(venv: Path, port: int, workers: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update({
        "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        "ENVIRONMENT": "production",
        "BASE_URL": f"http://127.0.0.1:{port}",
        "API_BASE_URL": f"http://127.0.0.1:{port}/api",
        "SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "GUNICORN_WORKERS": str(workers),
        "LOG_LEVEL": "WARNING",
        "ACCESS_LOG": "",
    })
    return env


def wait_up(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not answer /health in time")


def load(port: int, total: int, concurrency: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]  # non-200 answers
    resets = [0]  # connections closed under the client (a worker recycled by max_requests closes its keep-alives)
    lock = threading.Lock()
    counter = [0]
    deadline = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        local: list[float] = []
        while time.monotonic() < deadline:
            with lock:
                if counter[0] >= total:
                    break
                counter[0] += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", "/health")
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    errors[0] += 1
            except (OSError, http.client.HTTPException):
                resets[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            local.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    return {
        "requests": len(latencies), "errors": errors[0], "connection_resets": resets[0], "seconds": round(elapsed, 3),
        "rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(pct(0.50), 2), "p90_ms": round(pct(0.90), 2), "p99_ms": round(pct(0.99), 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else float("nan"),
    }


def run_server(name: str, argv: list[str], service: Path, env: dict, args) -> dict:
    port = int(env["PORT"])
    log = open(OUT / f"{name}.log", "w")
    proc = subprocess.Popen(argv, cwd=service, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_up(port, proc)
        load(port, min(200, args.requests), args.concurrency, 5)  # warm-up
        result = load(port, args.requests, args.concurrency, args.seconds)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            result_code = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            result_code = proc.wait()
        log.close()
    result["exit_code_on_sigterm"] = result_code
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000, help="requests per server (upper bound)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0, help="time bound per server")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (GUNICORN_WORKERS)")
    args = parser.parse_args()
    service, venv = prepare(sys.executable)
    results = {}
    port = free_port()
    env = server_env(venv, port, args.workers)
    results["gunicorn"] = run_server("gunicorn", [str(venv / "bin" / "gunicorn"), "-c", "gunicorn_config.py",
                                                  "app.main:app"], service, env, args)
    port = free_port()
    env = server_env(venv, port, 1)
    results["uvicorn"] = run_server("uvicorn", [str(venv / "bin" / "uvicorn"), "app.main:app", "--host", "127.0.0.1",
                                                "--port", str(port), "--log-level", "info"],
                                    service, env, args)
    print(f"GET /health, {args.concurrency} concurrent keep-alive clients, <= {args.requests} requests or "
          f"{args.seconds:.0f} s per server, loopback, {os.cpu_count()} CPUs shared with the client")
    print(f"{'server':<32} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'non-200':>7} {'resets':>7}")
    labels = {"gunicorn": f"gunicorn ({args.workers} uvicorn workers)", "uvicorn": "uvicorn (1 worker, bare)"}
    for name, r in results.items():
        print(f"{labels[name]:<32} {r['rps']:>8} {r['p50_ms']:>8} {r['p90_ms']:>8} {r['p99_ms']:>8} {r['errors']:>7} {r['connection_resets']:>7}")
    ratio = results["gunicorn"]["rps"] / results["uvicorn"]["rps"] if results["uvicorn"]["rps"] else float("nan")
    print(f"gunicorn / uvicorn throughput ratio: {ratio:.2f}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps({"args": vars(args), "results": results, "ratio": ratio}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
