"""The repository stands alone: the standard ships inside the package, every borrowed source is named with its
licence and version, and a built wheel and sdist carry the standard, the licence and the notices."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

from dockyard.cli import main
from dockyard.standard import LEVELS, Item, checklist_items, checklist_text, item, standard_text

ROOT = Path(__file__).resolve().parents[1]
NOTICES = ROOT / "THIRD_PARTY_NOTICES.md"
# what building the package reads besides src/ (the image's builder stage copies the same)
PACKAGE_FILES = ("pyproject.toml", "README.md", "LICENSE", "THIRD_PARTY_NOTICES.md")
# a module docstring that says it ports or vendors another project's code or data, or names a licence
BORROWS = re.compile(r"\bport(?:ed)? (?:of|from)\b|\bfaithful (?:Python )?port\b|\bvendored\b|\blicen[cs]e\b", re.I)


def test_checklist_items_carry_id_level_section_and_text():
    items = checklist_items()
    assert len(items) == 92
    assert items[0] == Item("DF-PARSE", "REQ", "Dockerfile Best Practices",
                            "The file parses as BuildKit parses it (heredocs, escape directive, continuations); a parse "
                            "failure is a finding with a position, never a crash.")
    assert item("DF-BASE-DIGEST") == Item("DF-BASE-DIGEST", "REC", "Image Pinning",
                                          "External bases are pinned by `@sha256:` digest.")
    assert item("NO-SUCH-ITEM") is None
    assert {i.level for i in items} == set(LEVELS) == {"REQ", "REC", "BEY"}
    assert [sum(i.level == level for i in items) for level in ("REQ", "REC", "BEY")] == [59, 14, 19]
    assert len({i.id for i in items}) == 92
    # every item row of the checklist is parsed, none silently dropped
    rows = [line for line in checklist_text().splitlines() if re.match(r"^\| [A-Z]{2}-", line)]
    assert len(rows) == 92
    checklist_items().clear()  # callers get their own list
    assert len(checklist_items()) == 92


def test_the_standard_is_packaged():
    text = standard_text()
    assert text.startswith("# Docker & Containerization Best Practices")
    assert "### Complete Dockerfile Example" in text


def test_rule_command_cites_level_and_section_of_the_standard(capsys):
    assert main(["rule", "DF005"]) == 0
    out = capsys.readouterr().out
    assert out.endswith(
        "## Standard\n"
        "- DF-BASE-DIGEST (recommended), docker-fastapi-standard.md section \"Image Pinning\": "
        "External bases are pinned by `@sha256:` digest.\n")
    assert main(["rule", "DF060"]) == 0
    out = capsys.readouterr().out
    assert ("- DF-COPY-IGNORED (beyond the standard), docker-fastapi-standard.md section \".dockerignore File\": "
            in out)
    assert "- DI-NEEDED (beyond the standard), docker-fastapi-standard.md section \".dockerignore File\": " in out


def test_nothing_reads_outside_the_repository():
    offenders = []
    for path in [*ROOT.joinpath("src").rglob("*.py"), *ROOT.joinpath("tests").rglob("*.py"),
                 *ROOT.joinpath("bench").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        for pattern in (r"[\"']shared[\"']\s*/", r"\.\./shared", r"/work/", r"parents\[\d\]\s*/\s*[\"']shared"):
            if path != Path(__file__) and re.search(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert offenders == []


def _borrowing_modules() -> list[str]:
    found = []
    for path in sorted(ROOT.joinpath("src", "dockyard").rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if BORROWS.search(doc):
            found.append(path.relative_to(ROOT).as_posix())
    return found


def _notice_rows() -> dict[str, list[tuple[str, str, str]]]:
    """Module path -> [(source, version, licence)] from the notices' table."""
    rows: dict[str, list[tuple[str, str, str]]] = {}
    for line in NOTICES.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 5 and cells[0] not in ("source",) and not set(cells[0]) <= set("-"):
            source, version, licence, _, where = cells
            for module in re.findall(r"`([^`]+\.py)`", where):
                rows.setdefault(module, []).append((source, version, licence))
    return rows


def test_every_ported_or_vendored_source_is_in_the_notices():
    borrowing = _borrowing_modules()
    # the ports and vendored data this project is known to have; a new one must be added to the notices
    assert set(borrowing) >= {
        "src/dockyard/parsers/buildkit.py", "src/dockyard/parsers/buildkit_lines.py",
        "src/dockyard/parsers/dockerignore.py",
        "src/dockyard/parsers/interpolation.py", "src/dockyard/parsers/dotenv.py", "src/dockyard/compose/loader.py",
        "src/dockyard/compose/merge.py", "src/dockyard/schemas.py", "src/dockyard/secrets.py"}
    rows = _notice_rows()
    assert [m for m in borrowing if m not in rows] == []
    for module, entries in rows.items():
        assert (ROOT / module).is_file(), f"the notices name {module}, which does not exist"
        for source, version, licence in entries:
            assert re.search(r"\d+\.\d+", version), f"{source}: no upstream version"
            assert licence in ("Apache License 2.0", "MIT License"), f"{source}: {licence}"
    # the upstream version each module's docstring names is the one the notices name
    for module, pattern in (("src/dockyard/parsers/dockerignore.py", "v0.6.1"),
                            ("src/dockyard/parsers/interpolation.py", "v2.9.1"),
                            ("src/dockyard/parsers/dotenv.py", "v2.9.1"),
                            ("src/dockyard/compose/loader.py", "v2.9.1"),
                            ("src/dockyard/compose/merge.py", "v2.9.1"),
                            ("src/dockyard/secrets.py", "1.5.0"),
                            ("src/dockyard/parsers/buildkit.py", "v0.12"),
                            ("src/dockyard/parsers/buildkit_lines.py", "v0.12"),
                            ("src/dockyard/compose/shellwords.py", "v1.0.12")):
        assert pattern in ast.get_docstring(ast.parse((ROOT / module).read_text(encoding="utf-8")))
        assert any(pattern in version for _, version, _ in rows[module]), module
    text = NOTICES.read_text(encoding="utf-8")
    assert "END OF TERMS AND CONDITIONS" in text  # the Apache licence's text
    # the MIT licence's text, with the copyright of the MIT-licensed source (go-shellwords)
    assert "Copyright (c) 2017 Yasuhiro Matsumoto" in text and "Permission is hereby granted, free of charge" in text


def test_license_is_mit_as_pyproject_declares():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 The dockyard authors\n")
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_built_wheel_and_sdist_carry_the_standard_license_and_notices(tmp_path):
    """Build the sdist and, from it, the wheel (as ``python -m build`` does), install the wheel into a fresh venv
    and read the standard through it, away from the source tree."""
    source = tmp_path / "source"
    source.mkdir()
    for name in PACKAGE_FILES:
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    dist = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(source)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    wheel = next(dist.glob("dockyard-*.whl"))
    sdist = next(dist.glob("dockyard-*.tar.gz"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
    assert {"dockyard/standard/__init__.py", "dockyard/standard/checklist.md",
            "dockyard/standard/docker-fastapi-standard.md", f"{info}/licenses/LICENSE",
            f"{info}/licenses/THIRD_PARTY_NOTICES.md"} <= names
    with tarfile.open(sdist) as tf:
        members = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
    assert {"LICENSE", "THIRD_PARTY_NOTICES.md", "src/dockyard/standard/checklist.md",
            "src/dockyard/standard/docker-fastapi-standard.md"} <= members

    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    py = target / "bin" / "python"
    installed = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
                               capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr[-3000:]
    code = ("import dockyard.standard as s; print(s.__file__); items = s.checklist_items(); "
            "print(len(items), items[0].id, items[0].level, len(s.standard_text()) > 10000)")
    out = subprocess.run([str(py), "-I", "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    where, summary = out.stdout.splitlines()
    assert where.startswith(str(target)) and summary == "92 DF-PARSE REQ True"
