#!/usr/bin/env python3
"""dockyard benchmarks: the budgets of DESIGN.md, measured side by side in one run.

    .venv/bin/python bench/run.py                  # full run (300 repositories, ~5-10 min on 2 cores)
    .venv/bin/python bench/run.py --quick          # small corpus, fewer repetitions (~1-2 min)
    .venv/bin/python bench/run.py --corpus-size N  # any corpus size
    .venv/bin/python bench/run.py --growth-only    # only the growth of each input kind at 1x, 10x, 100x

Every figure is the wall-clock time of a new process (nothing is cached between runs; Python's own
bytecode cache is warm after the warm-up runs, as it is for a user). Peer tools that are missing are
reported as "not available". Results are printed as a table and written to bench/out/results.json.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
VENV_BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(HERE))

import generate_corpus  # noqa: E402

PY = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable


def _tool(name: str, *candidates: Path) -> str | None:
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return str(c)
    return shutil.which(name)


DOCKYARD = _tool("dockyard", VENV_BIN / "dockyard")
HADOLINT = _tool("hadolint", VENV_BIN / "hadolint")
DCLINT = _tool("dclint", HERE / "node_modules" / ".bin" / "dclint")

BUDGET_COLD_RATIO = 4.0
BUDGET_HADOLINT_FRACTION = 0.5
BUDGET_DCLINT_SPEEDUP = 20.0
BUDGET_SCALING_SECONDS = 0.2
BUDGET_RSS_MIB = 60.0
# growth per input kind: a time ratio above this for 10x the input is flagged as superlinear (near-linear growth
# is 10x; the start-up cost makes the first ratio smaller)
GROWTH_SUPERLINEAR = 15.0
GROWTH_TIMEOUT = 600.0


# ----------------------------------------------------------------------------------------- measuring
# Each measured command is started by this small launcher, itself a new process: Linux gives a child the resident
# size of the process that forked it as its starting peak (``ru_maxrss`` counts the parent's pages at fork time),
# and this script holds the growth cases it generated (35 MiB and more). Forked from the launcher (about 10 MiB),
# a command's max RSS is its own. The launcher times the command and reports what ``wait4`` says in a file.
_LAUNCHER = r"""
import json, os, subprocess, sys, time
report, argv = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
try:
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
except OSError as exc:
    result = {"error": str(exc)}
else:
    _, status, usage = os.wait4(proc.pid, 0)
    result = {"wall": time.perf_counter() - t0, "rc": os.waitstatus_to_exitcode(status), "rss_kib": usage.ru_maxrss}
with open(report, "w") as f:
    json.dump(result, f)
"""


def run_once(argv: list[str], *, timeout: float | None = None, cwd: str | Path | None = None,
             env: dict | None = None) -> dict:
    """Run argv once; wall time, exit code, max RSS of that very process (KiB) and whether it timed out.

    Output goes to a temporary file (never a pipe, so a chatty tool cannot stall on a full pipe); the command is
    started and reaped (wait4: its own rusage, not an aggregate) by :data:`_LAUNCHER`, so that its peak memory
    does not start at this script's.
    """
    with tempfile.TemporaryFile() as sink, tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "run.json"
        t0 = time.perf_counter()
        try:
            proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(report), *argv], stdout=sink, stderr=sink,
                                    stdin=subprocess.DEVNULL, cwd=cwd, env=env, start_new_session=True)
        except OSError as exc:
            return {"wall": None, "rc": None, "rss_kib": None, "timed_out": False, "error": str(exc)}
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(proc.pid, 9)  # the launcher and the command: one session, one process group
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        try:
            proc.wait()
        finally:
            if timer:
                timer.cancel()
        sink.seek(0)
        tail = sink.read()[-2000:].decode("utf-8", "replace")
        try:
            measured = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            measured = {"error": f"the launcher reported nothing (exit {proc.returncode})"}
    if timed_out.is_set():
        return {"wall": time.perf_counter() - t0, "rc": proc.returncode, "rss_kib": None, "timed_out": True,
                "tail": tail}
    if "error" in measured:
        return {"wall": None, "rc": None, "rss_kib": None, "timed_out": False, "error": measured["error"],
                "tail": tail}
    return {"wall": measured["wall"], "rc": measured["rc"], "rss_kib": measured["rss_kib"], "timed_out": False,
            "tail": tail}


def stats(times: list[float]) -> dict:
    if not times:
        return {"n": 0, "median": None, "min": None, "max": None}
    return {"n": len(times), "median": statistics.median(times), "min": min(times), "max": max(times)}


def repeat(argv: list[str], reps: int, warmup: int = 1, **kw) -> dict:
    for _ in range(warmup):
        run_once(argv, **kw)
    runs = [run_once(argv, **kw) for _ in range(reps)]
    return summarize(runs)


def summarize(runs: list[dict]) -> dict:
    ok = [r for r in runs if r["wall"] is not None and not r["timed_out"]]
    s = stats([r["wall"] for r in ok])
    s["rcs"] = sorted({r["rc"] for r in runs})
    s["rss_mib_max"] = max((r["rss_kib"] for r in ok), default=0) / 1024 or None
    s["timed_out"] = any(r["timed_out"] for r in runs)
    if any(r["rc"] not in (0, 1) for r in runs):
        s["error_tail"] = next(r.get("tail") or r.get("error") for r in runs if r["rc"] not in (0, 1))
    return s


def loadavg() -> list[float] | None:
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def tool_version(argv: list[str]) -> str | None:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0] if text else None


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------ sections
def cold_target(out: Path) -> tuple[Path, str]:
    """DESIGN's case: a folder holding only a small Dockerfile (bench/startup.py's, the same 10 lines)."""
    from startup import DOCKERFILE

    target = out / "one-dockerfile"
    target.mkdir(parents=True, exist_ok=True)
    (target / "Dockerfile").write_text(DOCKERFILE)
    return target, "a folder holding one 10-line Dockerfile"


def bench_cold(out: Path, reps: int) -> dict:
    target, origin = cold_target(out)
    log(f"[1/4] cold check of {origin}: {reps} interleaved repetitions")
    base_argv = [PY, "-c", "pass"]
    check_argv = [DOCKYARD, "check", str(target)]
    for _ in range(2):  # warm-up: page cache and bytecode, for both
        run_once(base_argv)
        run_once(check_argv, timeout=120)
    base, check = [], []
    for _ in range(reps):
        base.append(run_once(base_argv))
        check.append(run_once(check_argv, timeout=120))
    b, c = summarize(base), summarize(check)
    # For information: the very first run on a machine, when dockyard's compiled-schema cache is empty.
    with tempfile.TemporaryDirectory() as empty:
        first = run_once(check_argv, timeout=120, env={**os.environ, "DOCKYARD_CACHE_DIR": empty})
    pair_ratios = [ck["wall"] / bs["wall"] for bs, ck in zip(base, check) if bs["wall"] and ck["wall"]]
    return {"target": str(target), "origin": origin, "python_c_pass": b, "dockyard_check": c,
            "first_run_empty_schema_cache": first["wall"],
            "ratio_median": c["median"] / b["median"] if b["median"] and c["median"] else None,
            "ratio_min": c["min"] / b["min"] if b["min"] and c["min"] else None,
            "ratio_median_of_pairs": statistics.median(pair_ratios) if pair_ratios else None}


def _sample(items: list[str], k: int) -> list[str]:
    if k >= len(items):
        return list(items)
    step = len(items) / k
    return [items[int(i * step)] for i in range(k)]


def bench_corpus(manifest: dict, reps: int, peer_reps: int, dclint_sample: int, peer_timeout: float) -> dict:
    repos, dockerfiles, compose = manifest["repos"], manifest["dockerfiles"], manifest["compose"]
    corpus_dir = Path(repos[0]).parent if repos else OUT / "corpus"
    res: dict = {"repos": len(repos), "files": manifest["files"], "bytes": manifest["bytes"],
                 "dockerfiles": len(dockerfiles), "compose_files": len(compose)}
    log(f"[2/4] corpus: {len(repos)} repositories, {manifest['files']} files; dockyard x{reps}")
    res["dockyard_all"] = repeat([DOCKYARD, "check", *repos], reps, warmup=1, timeout=600)
    rel_compose = [os.path.relpath(p, corpus_dir) for p in compose]
    res["dockyard_compose_only"] = repeat([DOCKYARD, "check", *rel_compose], reps, warmup=0, timeout=600,
                                          cwd=corpus_dir)

    if HADOLINT:
        log(f"      hadolint on {len(dockerfiles)} Dockerfiles (one invocation) x{peer_reps}")
        res["hadolint"] = repeat([HADOLINT, "--no-fail", "--no-color", *dockerfiles], peer_reps, warmup=0,
                                 timeout=peer_timeout)
    else:
        res["hadolint"] = None

    if DCLINT:
        sample = _sample(compose, dclint_sample)
        full = len(sample) == len(compose)
        log(f"      dclint on {len(sample)} of {len(compose)} compose files (one invocation)")
        one = repeat([DCLINT, "--no-color", sample[0]], 1, warmup=1, timeout=peer_timeout)
        many = repeat([DCLINT, "--no-color", *sample], 1, warmup=0, timeout=peer_timeout)
        d: dict = {"sample_files": len(sample), "one_file": one, "sample": many, "extrapolated": not full}
        if many["median"] is not None:
            if full:
                d["corpus_estimate"] = many["median"]
            else:
                # startup once, then the measured per-file cost for every compose file of the corpus
                per_file = max(many["median"] - (one["median"] or 0.0), 0.0) / max(len(sample) - 1, 1)
                d["per_file"] = per_file
                d["corpus_estimate"] = (one["median"] or 0.0) + per_file * (len(compose) - 1)
        rel_sample = [os.path.relpath(p, corpus_dir) for p in sample]
        d["dockyard_same_files"] = repeat([DOCKYARD, "check", *rel_sample], reps, warmup=0, timeout=600,
                                          cwd=corpus_dir)
        res["dclint"] = d
    else:
        res["dclint"] = None
    return res


def bench_scaling(manifest: dict, reps: int, hadolint_timeout: float) -> dict:
    log(f"[3/4] scaling: dockyard x{reps} per size; hadolint with a {hadolint_timeout:.0f} s timeout")
    tiny = OUT / "scaling" / "n0" / "Dockerfile"
    tiny.parent.mkdir(parents=True, exist_ok=True)
    tiny.write_text(generate_corpus.scaling_dockerfile(0), encoding="utf-8")
    sizes = {"0": str(tiny), **manifest["scaling"]}
    res: dict = {"dockyard": {}, "hadolint": {}}
    for n, path in sizes.items():
        res["dockyard"][n] = repeat([DOCKYARD, "check", path], reps, warmup=1, timeout=120)
    # minima: under a shared machine's load the fastest run is the best estimate of the work itself
    base = res["dockyard"]["0"]["min"] or 0.0
    for n, s in res["dockyard"].items():
        s["marginal"] = (s["min"] - base) if s["min"] is not None else None
    gave_up_at = None
    for n, path in manifest["scaling"].items():
        if not HADOLINT:
            res["hadolint"][n] = None
            continue
        if gave_up_at is not None and n != "400":  # the budget size is always measured
            res["hadolint"][n] = {"skipped": f"n{gave_up_at} already took longer than {hadolint_timeout:.0f} s"}
            continue
        log(f"      hadolint n{n}")
        r = run_once([HADOLINT, "--no-fail", "--no-color", path], timeout=hadolint_timeout)
        res["hadolint"][n] = {"wall": r["wall"], "timed_out": r["timed_out"], "rc": r["rc"],
                              "rss_mib": (r["rss_kib"] or 0) / 1024}
        if r["timed_out"] and gave_up_at is None:
            gave_up_at = n
    res["timeout"] = hadolint_timeout
    return res


def bench_growth(manifest: dict, reps: int, warmup: int = 1) -> dict:
    """Each input kind at its base size, 10x and 100x (bench/generate_corpus.py GROWTH): `dockyard check` of the
    case's directory, and `dockyard env render` of the compose case; growth ratios of the minima."""
    log(f"[growth] every input kind at 1x, 10x and 100x: dockyard x{reps} per size")
    res: dict = {}
    commands = [(kind, kind, None) for kind in manifest["growth"]]
    commands.insert(1, ("compose (env render)", "compose", ["env", "render"]))
    for label, kind, command in commands:
        unit = generate_corpus.GROWTH[kind][0]
        shown = "dockyard check " + ("DIR..." if kind in generate_corpus.GROWTH_NAMED else ".")
        row: dict = {"unit": unit, "command": "dockyard " + " ".join(command) if command else shown, "sizes": {}}
        for factor, case in manifest["growth"][kind].items():
            log(f"      {label} {factor}: {case['n']} {unit}")
            argv = command or generate_corpus.growth_argv(kind, case["n"])
            st = repeat([DOCKYARD, *argv], reps, warmup=warmup, timeout=GROWTH_TIMEOUT, cwd=case["path"])
            st["n"] = case["n"]
            row["sizes"][factor] = st
        t = {f: s["min"] for f, s in row["sizes"].items()}
        row["ratio_10x"] = t["x10"] / t["x1"] if t.get("x10") and t.get("x1") else None
        row["ratio_100x"] = t["x100"] / t["x10"] if t.get("x100") and t.get("x10") else None
        row["superlinear"] = any(r is not None and r > GROWTH_SUPERLINEAR for r in (row["ratio_10x"],
                                                                                     row["ratio_100x"]))
        if any(s.get("timed_out") for s in row["sizes"].values()):
            row["superlinear"] = True
        res[label] = row
    return res


# ------------------------------------------------------------------------------------------ reporting
def fmt_s(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def report(results: dict) -> list[dict]:
    budgets = []
    c = results["cold"]
    ck, bs = c["dockyard_check"], c["python_c_pass"]
    budgets.append({
        "budget": "1. cold check of one small Dockerfile <= 4x `python -c pass`",
        "measured": f"check median {fmt_s(ck['median'])} (min {fmt_s(ck['min'])}) vs python -c pass median "
                    f"{fmt_s(bs['median'])} (min {fmt_s(bs['min'])}); ratio {c['ratio_median']:.1f}x median, "
                    f"{c['ratio_min']:.1f}x min",
        "pass": c["ratio_median"] is not None and c["ratio_median"] <= BUDGET_COLD_RATIO,
    })
    k = results["corpus"]
    dy = k["dockyard_all"]["median"]
    hl = k["hadolint"]
    if hl and hl["median"] is not None:
        frac = dy / hl["median"]
        budgets.append({
            "budget": "2a. corpus, all kinds < 0.5x hadolint on its Dockerfiles",
            "measured": f"dockyard {fmt_s(dy)} ({k['repos']} repos, {k['files']} files) vs hadolint "
                        f"{fmt_s(hl['median'])} ({k['dockerfiles']} Dockerfiles); dockyard/hadolint = {frac:.2f}",
            "pass": frac < BUDGET_HADOLINT_FRACTION,
        })
    else:
        why = "not available" if not HADOLINT else "timed out" if hl and hl.get("timed_out") else "failed"
        budgets.append({"budget": "2a. corpus, all kinds < 0.5x hadolint on its Dockerfiles",
                        "measured": f"hadolint {why}", "pass": None})
    dc = k["dclint"]
    if dc and dc.get("corpus_estimate"):
        # like for like: both tools on the corpus's compose files alone (dockyard's whole-corpus run is shown too)
        compose_only = k["dockyard_compose_only"]["median"]
        speed = dc["corpus_estimate"] / compose_only if compose_only else 0.0
        speed_all = dc["corpus_estimate"] / dy
        same = dc["dockyard_same_files"]["median"]
        same_ratio = dc["sample"]["median"] / same if same else None
        est = " (extrapolated from %d files)" % dc["sample_files"] if dc["extrapolated"] else ""
        budgets.append({
            "budget": "2b. corpus >= 20x faster than dclint on its compose files",
            "measured": f"dclint {fmt_s(dc['corpus_estimate'])}{est} vs dockyard {fmt_s(compose_only)} on the same "
                        f"{k['compose_files']} compose files: {speed:.1f}x (dockyard on every file kind: "
                        f"{speed_all:.1f}x); {dc['sample_files']} sampled files measured directly: dclint "
                        f"{fmt_s(dc['sample']['median'])} vs dockyard {fmt_s(same)} = {same_ratio:.1f}x",
            "pass": speed >= BUDGET_DCLINT_SPEEDUP,
        })
    else:
        budgets.append({"budget": "2b. corpus >= 20x faster than dclint on its compose files",
                        "measured": "dclint not available" if not DCLINT else "dclint failed or timed out",
                        "pass": None})
    s = results["scaling"]
    d400 = s["dockyard"].get("400", {})
    h400 = s["hadolint"].get("400")
    if h400 is None:
        htxt = "hadolint not available"
    elif "skipped" in h400 or h400.get("timed_out"):
        htxt = f"hadolint > {s['timeout']:.0f} s"
    else:
        htxt = f"hadolint {fmt_s(h400['wall'])}"
    budgets.append({
        "budget": "3. Dockerfile with 400 RUN + 400 ENV < 0.2 s",
        "measured": f"dockyard {fmt_s(d400.get('median'))} (min {fmt_s(d400.get('min'))}; "
                    f"min {fmt_s(d400.get('marginal'))} over a 3-line Dockerfile's min); {htxt}",
        "pass": d400.get("median") is not None and d400["median"] < BUDGET_SCALING_SECONDS,
    })
    rss = k["dockyard_all"]["rss_mib_max"]
    budgets.append({
        "budget": "4. peak memory on the corpus < 60 MiB",
        "measured": f"max RSS {rss:.1f} MiB (whole corpus, one process)" if rss else "n/a",
        "pass": rss is not None and rss < BUDGET_RSS_MIB,
    })
    budgets.append(growth_budget(results["growth"]))
    return budgets


def growth_budget(growth: dict) -> dict:
    flagged = [label for label, row in growth.items() if row["superlinear"]]
    worst = max((r for row in growth.values() for r in (row["ratio_10x"], row["ratio_100x"]) if r), default=None)
    return {
        "budget": f"5. near-linear growth: t(10x input) / t(input) <= {GROWTH_SUPERLINEAR:.0f} for every kind",
        "measured": (f"largest ratio {worst:.1f}" if worst else "n/a") +
                    (f"; superlinear: {', '.join(flagged)}" if flagged else ""),
        "pass": None if worst is None else not flagged,
    }


def growth_lines(growth: dict) -> list[str]:
    lines = ["== growth per input kind: minimum of the runs (ratios: t(10x)/t(1x), t(100x)/t(10x)) =="]
    grow = "{:<22} {:>32} {:>9} {:>9} {:>9} {:>6} {:>6} {:>8}  {}"
    lines.append(grow.format("input kind", "size 1x / 10x / 100x", "1x", "10x", "100x", "/1x", "/10x",
                             "RSS MiB", ""))
    for label, row in growth.items():
        sizes = row["sizes"]
        ns = " / ".join(str(sizes[f]["n"]) for f in ("x1", "x10", "x100"))
        rss = sizes["x100"].get("rss_mib_max")
        lines.append(grow.format(
            label, f"{ns} {row['unit']}", *(fmt_s(sizes[f]["min"]) for f in ("x1", "x10", "x100")),
            f"{row['ratio_10x']:.1f}" if row["ratio_10x"] else "n/a",
            f"{row['ratio_100x']:.1f}" if row["ratio_100x"] else "n/a",
            f"{rss:.0f}" if rss else "", "SUPERLINEAR" if row["superlinear"] else ""))
    return lines


def print_tables(results: dict, budgets: list[dict]) -> None:
    k, s = results["corpus"], results["scaling"]
    lines = ["", "== measurements (wall clock, new process each run) =="]
    row = "{:<52} {:>10} {:>10} {:>10} {:>9}"
    lines.append(row.format("command", "median", "min", "max", "RSS MiB"))

    def add(label: str, st: dict | None) -> None:
        if not st:
            lines.append(row.format(label, "n/a", "", "", ""))
            return
        rss = st.get("rss_mib_max")
        lines.append(row.format(label, fmt_s(st.get("median")), fmt_s(st.get("min")), fmt_s(st.get("max")),
                                f"{rss:.1f}" if rss else ""))

    c = results["cold"]
    add("python -c pass", c["python_c_pass"])
    label = "init project" if c["origin"].startswith("dockyard init") else "fixture project"
    add(f"dockyard check <{label}>", c["dockyard_check"])
    lines.append(row.format("  same, first run (empty schema cache)", fmt_s(c["first_run_empty_schema_cache"]), "",
                            "", ""))
    add(f"dockyard check corpus ({k['repos']} repos, all kinds)", k["dockyard_all"])
    add(f"dockyard check corpus compose files ({k['compose_files']})", k["dockyard_compose_only"])
    add(f"hadolint corpus Dockerfiles ({k['dockerfiles']})", k["hadolint"])
    if k["dclint"]:
        dc = k["dclint"]
        add("dclint 1 compose file", dc["one_file"])
        add(f"dclint {dc['sample_files']} compose files", dc["sample"])
        add(f"dockyard check same {dc['sample_files']} compose files", dc["dockyard_same_files"])
        if dc["extrapolated"] and dc.get("corpus_estimate"):
            lines.append(row.format(f"dclint {k['compose_files']} compose files (extrapolated)",
                                    fmt_s(dc["corpus_estimate"]), "", "", ""))
    else:
        add("dclint", None)
    lines.append("")
    lines.append("== input-size scaling: N RUN + N ENV lines ==")
    srow = "{:>6} {:>12} {:>12} {:>14} {:>16}"
    lines.append(srow.format("N", "dockyard", "min", "min - min(0)", "hadolint"))
    for n, st in s["dockyard"].items():
        h = s["hadolint"].get(n)
        if n == "0":
            htxt = ""
        elif h is None:
            htxt = "not available"
        elif "skipped" in h:
            htxt = "not run"
        elif h["timed_out"]:
            htxt = f"> {s['timeout']:.0f} s"
        else:
            htxt = fmt_s(h["wall"])
        lines.append(srow.format(n, fmt_s(st["median"]), fmt_s(st["min"]), fmt_s(st.get("marginal")), htxt))
    lines.append("")
    lines.extend(growth_lines(results["growth"]))
    lines.append("")
    lines.append("== budgets ==")
    for b in budgets:
        lines.append(f"{verdict(b['pass']):<5} {b['budget']}")
        lines.append(f"      {b['measured']}")
    print("\n".join(lines))


# --------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small corpus and fewer repetitions")
    ap.add_argument("--corpus-size", type=int, help="repositories in the corpus (default 300; 40 with --quick)")
    ap.add_argument("--seed", type=int, default=generate_corpus.DEFAULT_SEED)
    ap.add_argument("--dclint-sample", type=int,
                    help="compose files given to dclint (default 120; 20 with --quick; 0 = all of them); the "
                         "corpus figure is extrapolated from its measured per-file cost when not all")
    ap.add_argument("--hadolint-timeout", type=float, help="timeout of each hadolint scaling run (default 60 s)")
    ap.add_argument("--no-generate", action="store_true", help="reuse bench/out/corpus as it is")
    ap.add_argument("--dockyard", metavar="PATH",
                    help="the dockyard executable to measure (default: .venv/bin/dockyard); give a non-editable, "
                         "bytecode-compiled install to measure what users run")
    ap.add_argument("--growth-only", action="store_true",
                    help="measure only the growth of each input kind (1x, 10x, 100x), not the corpus budgets")
    args = ap.parse_args(argv)

    size = args.corpus_size or (40 if args.quick else generate_corpus.DEFAULT_SIZE)
    cold_reps = 5 if args.quick else 15
    corpus_reps = 2 if args.quick else 3
    peer_reps = 1 if args.quick else 2
    scale_reps = 3 if args.quick else 5
    growth_reps = 1 if args.quick else 3
    dclint_sample = args.dclint_sample if args.dclint_sample is not None else (20 if args.quick else 120)
    if dclint_sample <= 0:
        dclint_sample = 10 ** 9
    h_timeout = args.hadolint_timeout or (20.0 if args.quick else 60.0)

    global DOCKYARD
    if args.dockyard:
        DOCKYARD = _tool("dockyard", Path(args.dockyard))
        if DOCKYARD is None or not Path(args.dockyard).is_file():
            print(f"not an executable: {args.dockyard}", file=sys.stderr)
            return 2
    if not DOCKYARD:
        print("dockyard is not installed (expected .venv/bin/dockyard)", file=sys.stderr)
        return 2
    # An installed package has its bytecode compiled at install time. With PYTHONDONTWRITEBYTECODE set (as on
    # some CI machines) an editable checkout would be recompiled from source on every run: compile it once so
    # the timings measure what users run.
    import dockyard

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(dockyard.__file__).parent)], env=env,
                   stdout=subprocess.DEVNULL, check=False)
    # every budget here measures checking: a report replayed from dockyard's cache (a repeated run on unchanged
    # files, `dockyard.runcache`) would measure the cache; bench/startup.py measures replays beside cold checks
    os.environ["DOCKYARD_NO_CACHE"] = "1"
    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    manifest_path = OUT / "manifest.json"
    if args.growth_only:
        growth = generate_corpus.write_growth(OUT / "growth", args.quick)
        results = {"growth": bench_growth({"growth": growth}, growth_reps, warmup=0 if args.quick else 1)}
        print("\n".join(["", *growth_lines(results["growth"]), ""]))
        b = growth_budget(results["growth"])
        print(f"{verdict(b['pass']):<5} {b['budget']}\n      {b['measured']}")
        print(f"load average: {loadavg()}; {os.cpu_count()} CPUs")
        (OUT / "growth.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
        return 0
    if args.no_generate and manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        if "growth" not in manifest:
            manifest["growth"] = generate_corpus.write_growth(OUT / "growth", args.quick)
    else:
        log(f"generating a corpus of {size} repositories (seed {args.seed})")
        manifest = generate_corpus.generate(OUT, size, args.seed, quick=args.quick)

    results: dict = {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "loadavg_before": loadavg()},
        "tools": {
            "dockyard": tool_version([DOCKYARD, "--version"]),
            "hadolint": tool_version([HADOLINT, "--version"]) if HADOLINT else "not available",
            "dclint": tool_version([DCLINT, "--version"]) if DCLINT else "not available",
        },
        "options": {"quick": args.quick, "corpus_size": size, "seed": args.seed, "cold_reps": cold_reps,
                    "corpus_reps": corpus_reps, "peer_reps": peer_reps, "scaling_reps": scale_reps,
                    "dclint_sample": min(dclint_sample, len(manifest["compose"])), "hadolint_timeout": h_timeout},
    }
    results["cold"] = bench_cold(OUT, cold_reps)
    results["corpus"] = bench_corpus(manifest, corpus_reps, peer_reps, dclint_sample, peer_timeout=600)
    results["scaling"] = bench_scaling(manifest, scale_reps, h_timeout)
    results["growth"] = bench_growth(manifest, growth_reps, warmup=0 if args.quick else 1)
    log("[4/4] memory: taken from the corpus runs")
    results["machine"]["loadavg_after"] = loadavg()
    results["elapsed"] = time.perf_counter() - started
    budgets = report(results)
    results["budgets"] = budgets
    print_tables(results, budgets)
    print(f"\nload average before/after: {results['machine']['loadavg_before']} / "
          f"{results['machine']['loadavg_after']}; {os.cpu_count()} CPUs; total {results['elapsed']:.0f} s")
    for label, st in (("cold", results["cold"]["dockyard_check"]), ("corpus", results["corpus"]["dockyard_all"])):
        if st.get("error_tail"):
            print(f"warning: dockyard exited with an error (not 0/1) in the {label} run:\n{st['error_tail']}")
    (OUT / "results.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    print(f"results written to {OUT / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
