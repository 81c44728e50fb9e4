"""Precision of `dockyard check` on real public repositories, from hand labels.

Fetches nothing: it runs dockyard over local clones of the repositories below (clone them yourself, at the
commit named, into one folder: ``--clones DIR``, each clone named after the repository) and matches every
finding against ``labels.tsv``. A label says what a platform engineer would do with the finding at that place:

* ``true``: right, and worth acting on for this file;
* ``false``: wrong about the file (a false alarm, a wrong position, advice that would break the build);
* ``out-of-scope``: right about the standard, but the rule does not belong on this file (Python advice for an
  nginx image, a service rule on a base image);
* ``duplicate``: the same finding again (another line of one shared anchor, one absence said four times).

Precision per family = true / (true + false + out-of-scope + duplicate). Every finding of the FastAPI
repositories is labelled; of the others, a fixed sample (the findings whose key hashes into the sample). The
script also checks every finding's span against its file: a span outside the file (a line past the end, a
column past the line) is a defect whatever its label.

    python bench/corpus/score.py --clones /path/to/clones            # the report
    python bench/corpus/score.py --clones DIR --unlabelled            # findings still to label, as TSV rows
    python bench/corpus/score.py --clones DIR --dockyard .venv/bin/dockyard

Exit code 0 when every scored finding is labelled, no span lies outside its file and the targets hold
(>= 97% overall and on every family), 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels.tsv"

# repository -> (local folder name, commit the labels were written against, fully labelled?)
REPOS = {
    "fastapi/full-stack-fastapi-template": ("full-stack-fastapi-template",
                                            "68adb40d37425f6f8668ec7e5a054500d045e43e", True),
    "s3rius/FastAPI-template": ("FastAPI-template", "f7ed808be8d239b5a8511b146c46ee0ec7e31e06", True),
    "nsidnev/fastapi-realworld-example-app": ("fastapi-realworld-example-app",
                                              "029eb7781c60d5f563ee8990a0cbfb79b244538c", True),
    "teamhide/fastapi-boilerplate": ("fastapi-boilerplate", "df4e6d4f817ec187eeaf2d1c5a877b27c06bb77b", True),
    "benavlabs/FastAPI-boilerplate": ("FastAPI-boilerplate-benavlabs",
                                      "b88fe20cb656752a50bcf78ffec2243d5ae7fc45", True),
    "fastapi-practices/fastapi_best_architecture": ("fastapi_best_architecture",
                                                    "2e86d79150c0abf0191dc8c189734214c4934a17", True),
    "testdrivenio/fastapi-tdd-docker": ("fastapi-tdd-docker", "13cff4273ad92ac2556b767d182d688f4fce933e", True),
    "stac-utils/stac-fastapi": ("stac-fastapi", "68cf814247e8290c4e3618372b227e409a88f341", True),
    "mealie-recipes/mealie": ("mealie", "b5643a9399465d8b4ea339e7a6639df2d697741b", True),
    "Netflix/dispatch": ("dispatch", "dd2837e82a0bf5565b1b4b4b91ea30b7262d4061", True),
    "Kludex/fastapi-microservices": ("fastapi-microservices", "262bd1b7a97d6a6375067abac778bb8d75bb5edc", True),
    "polarsource/polar": ("polar", "c6c3645e639ee8eeaa05aa0835cf8e39e330382f", True),
    "wandb/openui": ("openui", "f9d8f0e30e1efe2a21bbefffba33bcf6b4e12dc7", True),
    "rawheel/fastapi-boilerplate": ("fastapi-boilerplate-2", "a7ba03dc8c8b9e923a4c9bffca13c43bb2ccdb73", True),
    "assafelovic/gpt-researcher": ("gpt-researcher", "5d84d2f5553e70a2765a8ff3a0d2672d60437ce8", True),
    "onyx-dot-app/onyx": ("onyx", "a7d66a8b778c3f9026c4f89dae47d14a3f84816f", False),
    "Skyvern-AI/skyvern": ("skyvern", "07222e7a7caae79aacd5908c30e4a4445fce5f9b", True),
    "zylon-ai/private-gpt": ("private-gpt", "ab89a0d67bf6a30481081bdc7c487b484d82f91b", True),
    "lnbits/lnbits": ("lnbits", "7d98c6b0808efab3edafc21310ec34d1c38c23df", True),
    "reworkd/AgentGPT": ("AgentGPT", "18b073ab05b2902e1d052c3d2799786d8623b5e5", True),
    "TransformerOptimus/SuperAGI": ("SuperAGI", "c3c1982e7bd6a11cfed53c5a193ea502f924b1b6", True),
    "mem0ai/mem0": ("mem0", "8d5b7865bd0521e75fe9ab1b260eeccc83f8a378", True),
    "chroma-core/chroma": ("chroma", "93652ec0869489b803fe1682427fc02bd47bec14", True),
    "khoj-ai/khoj": ("khoj", "ae229ca894c0b80ad84664afcfdde523b5e87057", True),
    "rednafi/fastapi-nano": ("fastapi-nano", "a952bdec3a95440019ff27ab11f68347d53b524d", True),
    "Buuntu/fastapi-react": ("fastapi-react", "af17f2d422d0ebc5f173e83f2c6931045ab055b0", True),
    "Aeternalis-Ingenium/FastAPI-Backend-Template": ("FastAPI-Backend-Template",
                                                     "d2e931b9639aa5fbca2a85c1711e47c8ee39b254", True),
    "tiangolo/uvicorn-gunicorn-fastapi-docker": ("uvicorn-gunicorn-fastapi-docker",
                                                 "072ed47b707297526c1de46a51a18b0da6f79b82", True),
    "zhanymkanov/fastapi_production_template": ("fastapi_production_template",
                                                "649e8404b0678e39a563601011a42656cf05fdd4", True),
    "grillazz/fastapi-sqlalchemy-asyncpg": ("fastapi-sqlalchemy-asyncpg", "5d0207cb9b531f4dde28dec62fd5505e9e9c24b5",
                                            True),
    "deepset-ai/hayhooks": ("hayhooks", "051d5a8504d5512d1aab9587553ed29b2e33052b", True),
    "langchain-ai/opengpts": ("opengpts", "8e7fef72e1f7fd1cd3518b4c6e1d6fbb33a4fe2c", True),
    "fief-dev/fief": ("fief", "a77e7fb65fc54d7994740619684a87e85d1293ed", True),
    "TracecatHQ/tracecat": ("tracecat", "4209a655bc1da1a36d75ea29edfea69daffbdd23", True),
    "QuivrHQ/quivr": ("quivr", "947a785415c6c35ab2ae8157222b4720b0710b4d", True),
    "serge-chat/serge": ("serge", "3cb250c48286d644fd1e73e8a47cbacb60be6e21", True),
    "docker/awesome-compose": ("awesome-compose", "18f59bdb09ecf520dd5758fbf90dec314baec545", False),
    "getsentry/self-hosted": ("self-hosted", "89a143f8e4d396a858cf6f462a832ae7da9fd2db", False),
    "netbox-community/netbox-docker": ("netbox-docker", "27bf52cf3ea882324273fbabbf23f0af6a194f12", False),
    "docker-library/python": ("python", "4f07059567fa61c80397126e8063dbbde011b794", False),
}
# One finding in SAMPLE_EVERY of the repositories that are not fully labelled is scored, chosen by a hash of its
# key so that the sample does not move when unrelated findings come and go.
SAMPLE_EVERY = 4
VERDICTS = ("true", "false", "out-of-scope", "duplicate")
TARGET = 0.97


def key_of(repo: str, f: dict) -> tuple:
    return (repo, f["path"], int(f["line"]), int(f["column"]), f["code"])


def sampled(key: tuple) -> bool:
    digest = hashlib.sha1("|".join(map(str, key)).encode()).digest()
    return digest[0] % SAMPLE_EVERY == 0


def rule_families(command: list[str]) -> dict[str, str]:
    """Each rule's family, as dockyard names it (``rules --format json``)."""
    out = subprocess.run(command + ["rules", "--format", "json"], capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise SystemExit(f"dockyard rules failed (exit {out.returncode}): {out.stderr.strip()[:500]}")
    return {r["code"]: r["family"] for r in json.loads(out.stdout)}


def run_dockyard(command: list[str], clone: Path) -> list[dict]:
    out = subprocess.run(command + ["check", ".", "--format", "json", "--exit-zero"], cwd=clone,
                         capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise SystemExit(f"dockyard failed on {clone} (exit {out.returncode}): {out.stderr.strip()[:500]}")
    return json.loads(out.stdout)["findings"]


def span_problem(clone: Path, f: dict) -> str | None:
    """Why a finding's span is not inside its file (None when it is)."""
    path = clone / f["path"]
    line, col, end_line, end_col = f["line"], f["column"], f["end_line"], f["end_column"]
    if path.is_dir():
        return None if (line, col, end_line, end_col) == (1, 1, 1, 1) else "a position inside a directory"
    if not path.is_file():
        return "its path does not exist" if (line, col) != (1, 1) else None
    try:
        lines = path.read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    if (line, col, end_line, end_col) == (1, 1, 1, 1):
        return None
    if not 1 <= line <= len(lines) or not 1 <= end_line <= len(lines):
        return f"line {line}-{end_line} outside 1-{len(lines)}"
    if col > len(lines[line - 1].rstrip("\r")) + 1:
        return f"column {col} past the end of line {line}"
    if end_col > len(lines[end_line - 1].rstrip("\r")) + 1:
        return f"end column {end_col} past the end of line {end_line}"
    return None


def load_labels() -> dict[tuple, list[tuple[str, str]]]:
    """Each key's labels, in the file's order: several findings of one rule may share a position (EN005 names
    every variable an env file lacks at its first line), and their labels are matched to them in report order."""
    labels: dict[tuple, list[tuple[str, str]]] = {}
    if not LABELS.exists():
        return labels
    with LABELS.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["verdict"] not in VERDICTS:
                raise SystemExit(f"labels.tsv: unknown verdict {row['verdict']!r} in {row}")
            labels.setdefault((row["repo"], row["path"], int(row["line"]), int(row["column"]), row["code"]),
                              []).append((row["verdict"], row["reason"]))
    return labels


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clones", required=True, help="folder holding the clones, each named as in REPOS")
    ap.add_argument("--dockyard", default=None, help="the dockyard executable (default: python -m dockyard)")
    ap.add_argument("--unlabelled", action="store_true", help="print the scored findings that have no label")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args(argv)
    command = [args.dockyard] if args.dockyard else [sys.executable, "-m", "dockyard"]
    labels = load_labels()
    family_of = rule_families(command)
    used: set[tuple] = set()
    counts: dict[str, Counter] = defaultdict(Counter)  # family -> verdict counts
    per_code: dict[str, Counter] = defaultdict(Counter)
    unlabelled: list[tuple[tuple, dict]] = []
    outside: list[str] = []
    totals = Counter()
    for repo, (folder, commit, full) in REPOS.items():
        clone = Path(args.clones) / folder
        if not clone.is_dir():
            print(f"missing clone: {clone} ({repo} at {commit[:12]})", file=sys.stderr)
            return 1
        head = subprocess.run(["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True)
        if head.stdout.strip() != commit:
            print(f"warning: {folder} is at {head.stdout.strip()[:12]}, labels are for {commit[:12]}",
                  file=sys.stderr)
        findings = run_dockyard(command, clone)
        totals[repo] = len(findings)
        seen = Counter()  # findings so far at each key: the n-th takes the key's n-th label
        for f in findings:
            problem = span_problem(clone, f)
            if problem is not None:
                outside.append(f"{folder}/{f['path']}:{f['line']}:{f['column']} {f['code']}: {problem}")
            key = key_of(repo, f)
            if not full and not sampled(key):
                continue
            at_key = labels.get(key)
            if at_key is None:
                unlabelled.append((key, f))
                continue
            label = at_key[min(seen[key], len(at_key) - 1)]
            seen[key] += 1
            used.add(key)
            counts[family_of.get(f["code"], f["code"][:2])][label[0]] += 1
            per_code[f["code"]][label[0]] += 1

    if args.unlabelled:
        w = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
        for key, f in unlabelled:
            w.writerow([*key, "", f["message"]])
        return 0

    def precision(c: Counter) -> float | None:
        n = sum(c[v] for v in VERDICTS)
        return c["true"] / n if n else None

    overall = sum(counts.values(), Counter())
    print("findings per repository: " + ", ".join(f"{r.split('/')[1]} {n}" for r, n in totals.items()))
    print(f"scored: {sum(overall.values())} labelled findings ({len(unlabelled)} scored findings unlabelled); "
          f"stale labels (no finding any more): {len(set(labels) - used)}")
    print()
    print(f"{'family':<20} {'true':>5} {'false':>5} {'scope':>5} {'dup':>5} {'precision':>9}")
    rows = sorted(counts.items()) + [("all", overall)]
    ok = True
    figures = {}
    for name, c in rows:
        p = precision(c)
        figures[name] = {v: c[v] for v in VERDICTS} | {"precision": p}
        shown = f"{p:.1%}" if p is not None else "n/a"
        print(f"{name:<20} {c['true']:>5} {c['false']:>5} {c['out-of-scope']:>5} {c['duplicate']:>5} {shown:>9}")
        if p is not None and p < TARGET:
            ok = False
    wrong = {code: c for code, c in per_code.items() if c["true"] != sum(c.values())}
    if wrong:
        print("\nrules with findings that are not true:")
        for code, c in sorted(wrong.items()):
            print(f"  {code}: " + ", ".join(f"{v} {c[v]}" for v in VERDICTS if c[v]))
    print(f"\nspans outside their file: {len(outside)}")
    for line in outside[:20]:
        print("  " + line)
    if args.json:
        Path(args.json).write_text(json.dumps({"families": figures, "unlabelled": len(unlabelled),
                                               "outside": outside, "totals": totals}, indent=2) + "\n")
    return 0 if ok and not unlabelled and not outside else 1


if __name__ == "__main__":
    raise SystemExit(main())
