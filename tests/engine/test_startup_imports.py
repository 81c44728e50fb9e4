"""Start-up cost, checked structurally: which modules a command imports (never wall-clock time)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

HEAVY = ("packaging", "jsonschema", "check_jsonschema", "requests", "tree_sitter", "yaml", "fastjsonschema")


def _imported_after(code: str, cwd=None) -> set[str]:
    script = code + "\nimport json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=cwd)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_imports_no_heavy_dependency():
    assert not _imported_after("import dockyard.cli") & set(HEAVY)


def test_checking_a_hashed_lock_file_with_markers_does_not_import_packaging(tmp_path):
    (tmp_path / "requirements.lock.txt").write_text(textwrap.dedent("""\
        anyio==4.4.0 \\
            --hash=sha256:aaaa \\
            --hash=sha256:bbbb
        async-timeout==5.0.1 ; python_full_version < '3.11.3' \\
            --hash=sha256:cccc
        uvloop==0.23.0 ; platform_python_implementation != 'PyPy' and sys_platform != 'win32' \\
            --hash=sha256:dddd
        """))
    code = textwrap.dedent(f"""\
        import contextlib, io
        from dockyard.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            main(["check", {str(tmp_path)!r}, "--exit-zero"])
        """)
    assert "packaging" not in _imported_after(code, cwd=tmp_path)


def test_loose_requirements_input_beside_its_lock_does_not_import_packaging(tmp_path):
    # a project that compiles requirements.in into a hashed lock: deciding that the .in file is no lock needs
    # no PEP 508 parsing of its ranges
    (tmp_path / "requirements.in").write_text("fastapi>=0.115\nuvicorn[standard]>=0.30,<1\n")
    (tmp_path / "requirements.lock.txt").write_text("fastapi==0.115.0 \\\n    --hash=sha256:aaaa\n")
    code = textwrap.dedent(f"""\
        import contextlib, io
        from dockyard.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            main(["check", {str(tmp_path)!r}, "--exit-zero"])
        """)
    assert "packaging" not in _imported_after(code, cwd=tmp_path)
