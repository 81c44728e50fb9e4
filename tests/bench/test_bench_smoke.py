"""The benchmark corpus generator produces repositories that dockyard checks without an internal error.

No timing here: the budgets are measured by bench/run.py, side by side with the peer tools.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "bench" / "generate_corpus.py"


def _load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate_corpus", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_writes_a_small_corpus_dockyard_can_check(tmp_path: Path) -> None:
    out = tmp_path / "out"
    subprocess.run([sys.executable, str(GENERATOR), "--size", "4", "--out", str(out), "--quick"], check=True,
                   capture_output=True, text=True)
    manifest = json.loads((out / "manifest.json").read_text())
    repos = [Path(p) for p in manifest["repos"]]
    assert len(repos) == 4
    for repo in repos:
        assert (repo / "Dockerfile").is_file()
        assert (repo / "app" / "main.py").is_file()
        assert any(repo.glob("*compose*.y*ml")), repo
        assert any(repo.glob(".env*")), repo
    assert manifest["dockerfiles"] and manifest["compose"]
    for n in ("100", "200", "400", "800"):
        text = Path(manifest["scaling"][n]).read_text()
        assert text.count("\nRUN ") == int(n) and text.count("\nENV ") == int(n)

    for target in [*repos, Path(manifest["scaling"]["100"])]:
        proc = subprocess.run([sys.executable, "-m", "dockyard", "check", str(target)], capture_output=True,
                              text=True, cwd=tmp_path)
        assert proc.returncode in (0, 1), (target, proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
        assert "DY002" not in proc.stdout, (target, proc.stdout[-2000:])


def test_generator_is_deterministic_and_size_independent() -> None:
    gen = _load_generator()
    assert gen.repository(7, 3) == gen.repository(7, 3)
    assert gen.repository(7, 3) != gen.repository(8, 3)


def test_generator_writes_every_growth_case_at_1x_10x_and_100x(tmp_path: Path) -> None:
    gen = _load_generator()
    cases = gen.write_growth(tmp_path, quick=True)
    assert sorted(cases) == ["compose", "dockerfile", "env", "lock", "repositories", "tree"]
    for kind, by_factor in cases.items():
        assert sorted(by_factor) == ["x1", "x10", "x100"], kind
        base = by_factor["x1"]["n"]
        assert [by_factor[f]["n"] for f in ("x1", "x10", "x100")] == [base, base * 10, base * 100], kind
    # each case holds the number of units it is named for
    def count(kind: str, factor: str) -> int:
        root = Path(cases[kind][factor]["path"])
        if kind == "compose":
            return (root / "compose.yaml").read_text().count("\n  svc")
        if kind == "env":
            return (root / ".env").read_text().count("\nKEY_")
        if kind == "dockerfile":
            return len((root / "Dockerfile").read_text().splitlines()) - 4  # syntax, FROM, WORKDIR, CMD
        if kind == "lock":
            return (root / "requirements.lock.txt").read_text().count("--hash=sha256:")
        return len([p for p in root.iterdir() if p.is_dir()])

    for kind, by_factor in cases.items():
        for factor, case in by_factor.items():
            assert count(kind, factor) == case["n"], (kind, factor)
    # a smaller base in quick mode, and the full sizes the README names
    full = {kind: base for kind, (_, base) in gen.GROWTH.items()}
    assert full == {"compose": 100, "env": 100, "dockerfile": 50, "lock": 100, "tree": 10, "repositories": 10}
    assert cases["compose"]["x100"]["n"] == 100 * 100 // gen.GROWTH_QUICK_DIVISOR


def test_growth_cases_are_checked_without_an_internal_error(tmp_path: Path) -> None:
    gen = _load_generator()
    cases = gen.write_growth(tmp_path, quick=True)
    for kind, by_factor in cases.items():
        argv = gen.growth_argv(kind, by_factor["x10"]["n"])
        proc = subprocess.run([sys.executable, "-m", "dockyard", *argv], capture_output=True, text=True,
                              cwd=by_factor["x10"]["path"])
        assert proc.returncode in (0, 1), (kind, proc.stdout[-2000:], proc.stderr[-2000:])
        assert "DY002" not in proc.stdout, (kind, proc.stdout[-2000:])
