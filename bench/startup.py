"""Start-up budgets, side by side in one run: a cold ``dockyard check`` of small trees against ``python -c pass``
and hadolint, and ``dockyard env render`` against ``docker compose config`` on small compose projects.

    .venv/bin/python bench/startup.py                  # installs dockyard as a user does into bench/out/user-venv
    .venv/bin/python bench/startup.py --dockyard V/bin/dockyard --rounds 30
    .venv/bin/python bench/startup.py --dockyard V/bin/dockyard --instructions   # and instruction counts

dockyard is measured installed as users install it: non-editable, byte-compiled (``pip install .`` into a fresh
venv, then ``compileall``), never the editable development copy. Every command is a new process; each round runs
every command once, in the same order, so the load of a shared machine falls on all of them alike. The table
gives medians of wall time and of the child's CPU time (``wait4``), and their ratios to ``python -c pass`` of
the same interpreter (the "cold start" budget) or to the named peer. The checks named ``dockyard check`` run
cold (``--no-cache``); those named ``replayed`` run with the cache on, as a user's second run on unchanged files
does (see the README's *Cache*). Results go to ``bench/out/startup.json``.
Two floors are measured beside them: ``python -c 'import re'`` (the console script pip generates imports `re`
before dockyard's first line runs) and the libraries `env render` cannot do without (`re`, `pathlib`, `json`,
PyYAML). With ``--instructions`` each command also runs once under valgrind's callgrind, whose instruction count
does not move with the machine's load (wall times here move by half within an hour).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DOCKERFILE = """\
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --create-home app
USER app
EXPOSE 8000
HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"]
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
"""
COMPOSE = """\
services:
  web:
    build: .
    image: example/web:${TAG:-dev}
    ports: ["8000:8000"]
    env_file: .env
    environment:
      DATABASE_URL: postgresql://app:${POSTGRES_PASSWORD}@db:5432/app
    depends_on:
      db:
        condition: service_healthy
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-example}
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
      interval: 5s
    volumes: ["pgdata:/var/lib/postgresql/data"]
volumes:
  pgdata: {}
"""


MANY = (2, 4, 8)
RACY_S = 2.1  # how many Dockerfiles the "several Dockerfiles" cases hold


def install(venv: Path) -> Path:
    """dockyard from this checkout, installed as a user installs it."""
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(ROOT)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "compileall", "-q", str(venv / "lib")], check=True)
    return venv / "bin" / "dockyard"


def trees(base: Path) -> dict[str, Path]:
    one = base / "one-dockerfile"
    one.mkdir()
    (one / "Dockerfile").write_text(DOCKERFILE)
    many = {}
    for count in MANY:  # a repository of several services, each with its Dockerfile
        many[count] = base / f"dockerfiles-{count}"
        for name in service_names(count):
            (many[count] / name).mkdir(parents=True)
            (many[count] / name / "Dockerfile").write_text(DOCKERFILE)
    small = base / "compose-small"
    small.mkdir()
    (small / "compose.yaml").write_text("services:\n  web:\n    image: nginx:${TAG:-1.25}\n    ports: ['8080:80']\n")
    app = base / "compose-app"
    app.mkdir()
    (app / "compose.yaml").write_text(COMPOSE)
    (app / ".env").write_text("POSTGRES_PASSWORD=change-me\nTAG=1.0\n")
    (app / "Dockerfile").write_text(DOCKERFILE)
    return {"one": one, **{f"many-{count}": folder for count, folder in many.items()}, "small": small, "app": app}


def service_names(count: int) -> list[str]:
    return ["api", "worker"] if count == 2 else [f"service{i}" for i in range(1, count + 1)]


def run(argv: list[str], cwd: Path) -> tuple[float, float, int]:
    """(wall ms, CPU ms, exit code) of one new process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, (usage.ru_utime + usage.ru_stime) * 1000, proc.returncode


def instructions(argv: list[str], cwd: Path, runs: int = 1) -> int | None:
    """Instructions the command executes (callgrind's total ``Ir``) in the last of ``runs`` runs (a replayed
    check's first run under valgrind, whose environment differs, records its report), or None without
    valgrind."""
    if shutil.which("valgrind") is None:
        return None
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "callgrind.out"
            proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv], cwd=cwd,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1])
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dockyard", help="an installed dockyard executable (default: install this checkout)")
    ap.add_argument("--rounds", type=int, default=21)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--instructions", action="store_true",
                    help="also count each command's instructions once under valgrind (callgrind): the same count "
                         "whatever else the machine is doing; Go binaries (docker compose) are left out")
    args = ap.parse_args(argv)

    OUT.mkdir(parents=True, exist_ok=True)
    dockyard = Path(args.dockyard) if args.dockyard else install(OUT / "user-venv")
    python = dockyard.parent / "python"
    hadolint = shutil.which("hadolint", path=str(ROOT / ".venv" / "bin")) or shutil.which("hadolint")
    compose = ROOT / ".venv/lib/python3.11/site-packages/compose/docker-compose"
    with tempfile.TemporaryDirectory() as tmp:
        # a cache of this run's own: the cold checks pass --no-cache, the replayed ones find what their
        # warm-up rounds kept
        os.environ["DOCKYARD_CACHE_DIR"] = str(Path(tmp) / "cache")
        os.environ.pop("DOCKYARD_NO_CACHE", None)
        t = trees(Path(tmp))
        init_dir = Path(tmp) / "init-service"
        subprocess.run([str(dockyard), "init", str(init_dir), "--no-input"], check=True, capture_output=True)
        time.sleep(RACY_S)  # files written within this of a run are not trusted to the cache (dockyard.runcache)
        cold = [str(dockyard), "check", "--no-cache"]
        cases: list[tuple[str, list[str], Path, str]] = [  # (name, argv, cwd, what its ratio is taken to)
            ("python -c pass", [str(python), "-c", "pass"], t["one"], ""),
            # floors: what the console script imports before dockyard runs (pip's generated script imports
            # `re`), and the libraries `env render` cannot run without: no code of dockyard's runs in these
            ("floor: python -c 'import re'", [str(python), "-c", "import re"], t["one"], "python -c pass"),
            # (PyYAML's patterns come from dockyard's regular-expression store, as in a run of dockyard)
            ("floor: import re, pathlib, json, yaml", [str(python), "-c", "import re; from dockyard import regex; "
                                                        "regex.preload(); import pathlib, json, yaml"],
             t["one"], "python -c pass"),
            ("dockyard --version", [str(dockyard), "--version"], t["one"], "python -c pass"),
            ("dockyard check . (one Dockerfile)", [*cold, "."], t["one"], "python -c pass"),
            ("dockyard check Dockerfile (named)", [*cold, "Dockerfile"], t["one"], "python -c pass"),
            ("dockyard check (init project)", [*cold, "."], init_dir, "python -c pass"),
            ("dockyard check examples/standard-example", [*cold, "."],
             ROOT / "examples" / "standard-example", "python -c pass"),
            ("replayed: check . (one Dockerfile)", [str(dockyard), "check", "."], t["one"], "python -c pass"),
            ("replayed: check (init project)", [str(dockyard), "check", "."], init_dir, "python -c pass"),
        ]
        if hadolint:
            cases.append(("hadolint (one Dockerfile)", [hadolint, "--no-fail", "Dockerfile"], t["one"], "python -c pass"))
        # several Dockerfiles: dockyard checks the whole tree, hadolint is handed the Dockerfiles
        for count in MANY:
            files = [f"{name}/Dockerfile" for name in service_names(count)]
            peer = f"hadolint ({count} Dockerfiles)"
            cases.append((f"dockyard check . ({count} Dockerfiles)", [*cold, "."], t[f"many-{count}"],
                          peer if hadolint else "python -c pass"))
            cases.append((f"replayed: check . ({count} Dockerfiles)", [str(dockyard), "check", "."],
                          t[f"many-{count}"], peer if hadolint else "python -c pass"))
            if hadolint:
                cases.append((peer, [hadolint, "--no-fail", *files], t[f"many-{count}"], "python -c pass"))
        for key, label in (("small", "one service"), ("app", "two services, .env")):
            cases.append((f"dockyard env render ({label})",
                          [str(dockyard), "env", "render", "--show-secrets", "--format", "json"], t[key],
                          f"docker compose config ({label})" if compose.exists() else "python -c pass"))
            if compose.exists():
                cases.append((f"docker compose config ({label})", [str(compose), "config", "--format", "json"],
                              t[key], "python -c pass"))
        samples: dict[str, list[tuple[float, float, int]]] = {name: [] for name, *_ in cases}
        load_before = os.getloadavg()
        for i in range(args.warmup + args.rounds):
            for name, cmd, cwd, _ in cases:
                result = run(cmd, cwd)
                if i >= args.warmup:
                    samples[name].append(result)
        load_after = os.getloadavg()
        counted = {name: instructions(cmd, cwd, runs=2 if name.startswith("replayed") else 1)
                   for name, cmd, cwd, _ in cases if args.instructions and "docker compose" not in name}
    rows = {}
    for name, cmd, _, peer in cases:
        walls = [s[0] for s in samples[name]]
        cpus = [s[1] for s in samples[name]]
        rows[name] = {"wall_median": statistics.median(walls), "wall_min": min(walls),
                      "cpu_median": statistics.median(cpus), "exit_codes": sorted({s[2] for s in samples[name]}),
                      "peer": peer}
    for name, row in rows.items():
        peer = rows.get(row["peer"])
        row["wall_ratio"] = row["wall_median"] / peer["wall_median"] if peer else None
        row["cpu_ratio"] = row["cpu_median"] / peer["cpu_median"] if peer else None
    meta = {"date": time.strftime("%Y-%m-%d"), "python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "kernel": platform.release(), "rounds": args.rounds,
            "load_before": load_before, "load_after": load_after, "dockyard": str(dockyard)}
    (OUT / "startup.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    print(f"{meta['date']}, Python {meta['python']}, {meta['cpus']} CPUs, {args.rounds} rounds, load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after")
    print(f"| {'command':<44} | wall median | CPU median | wall ratio | CPU ratio | to |")
    print(f"|{'-' * 46}|-------------|------------|------------|-----------|----|")
    for name, row in rows.items():
        ratio = (lambda r: f"{r:.2f}x" if r is not None else "")
        print(f"| {name:<44} | {row['wall_median']:8.1f} ms | {row['cpu_median']:7.1f} ms | "
              f"{ratio(row['wall_ratio']):>10} | {ratio(row['cpu_ratio']):>9} | {row['peer']} |")
    if counted:
        base = counted.get("python -c pass")
        print(f"\n| {'command':<44} | instructions | ratio to python -c pass |")
        print(f"|{'-' * 46}|--------------|-------------------------|")
        for name, count in counted.items():
            rows[name]["instructions"] = count
            ratio = f"{count / base:.2f}x" if base and count else ""
            print(f"| {name:<44} | {count / 1e6:9.1f} M  | {ratio:>23} |")
        (OUT / "startup.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    bad = [name for name, row in rows.items() if not set(row["exit_codes"]) <= {0, 1}]
    if bad:
        print("exit code 2 or worse from: " + ", ".join(bad), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
