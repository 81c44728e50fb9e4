"""Start-up cost, checked structurally: which modules a command imports (never wall-clock time)."""

from __future__ import annotations

import json
import os
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


def test_the_cli_imports_no_command_nor_secret_masking_before_a_command_runs():
    script = ("import json, sys\nimport dockyard.cli\n"
              "print(json.dumps(sorted(m for m in sys.modules if m.startswith('dockyard'))))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == ["dockyard", "dockyard.cache", "dockyard.cli", "dockyard.model", "dockyard.records",
                                      "dockyard.regex", "dockyard.runcache"]


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


# what a cold check of a tree holding one Dockerfile must not pay for: the standard library's costly modules
# (dataclasses pulls in inspect, ast and dis; typing; shutil loads the bz2 and lzma extensions; hashlib OpenSSL;
# ast, only for Python sources that mention FastAPI and gunicorn config files)
COSTLY_STDLIB = ("dataclasses", "inspect", "typing", "shutil", "hashlib", "yaml", "ast")
DOCKERFILE = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\n" \
             "USER 1000\nCMD [\"uvicorn\", \"app.main:app\"]\n"


def _modules_after_check(tmp_path, *args: str) -> set[str]:
    script = textwrap.dedent(f"""\
        import contextlib, io, sys
        from dockyard.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            main(["check", *{list(args)!r}, "--exit-zero"])
        print(" ".join(sorted(sys.modules)))  # not json: whether the check imported it is asked
        """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path)
    return set(out.stdout.strip().splitlines()[-1].split())


def test_checking_a_lone_dockerfile_tree_imports_no_costly_module_and_no_rule_without_work(tmp_path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    modules = _modules_after_check(tmp_path, ".")
    assert not {m.split(".")[0] for m in modules} & set(HEAVY + COSTLY_STDLIB)
    # rules judging compose files, environments, env files or ignore files have nothing to run on: never imported
    for module in ("compose.health", "compose.literals", "compose.network", "compose.parse", "compose.runtime",
                   "compose.services", "compose.variables", "env.syntax", "env.placeholders", "env.urls",
                   "dockerignore.unused",
                   # project rules that declare the kinds of file they need (compose, env, Python sources)
                   "compose.layout", "env.per_environment", "env.drift", "python.app"):
        assert f"dockyard.rules.{module}" not in modules
    # the Dockerfile's rules and the project's rules did run
    assert {"dockyard.rules.dockerfile.user", "dockyard.rules.ci.tooling", "dockyard.rules.python.lockfile"} <= modules
    # nor the parsers of the kinds of file it does not hold (YAML's wrapper may load, PyYAML is not: HEAVY)
    for parser in ("dockyard.parsers.dotenv", "dockyard.schemas"):
        assert parser not in modules
    # nor, without CI files, the reader of CI commands
    assert "dockyard.analysis.ci_commands" not in modules
    # the env rules that run on every project ask for environments: without compose files, the compose stack
    # is not imported for them
    assert "dockyard.rules.env.not_committed" in modules
    assert not modules & {"dockyard.compose.context", "dockyard.compose.model"}


def test_checking_a_named_dockerfile_imports_only_the_rules_of_its_kind(tmp_path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    modules = _modules_after_check(tmp_path, "Dockerfile")
    families = {m.split(".")[2] for m in modules if m.startswith("dockyard.rules.") and m.count(".") >= 3}
    assert families == {"core", "dockerfile", "dockerignore"}
    # a tree without compose files has no environment: neither the compose stack nor YAML is read
    assert not modules & {"dockyard.compose.context", "dockyard.compose.model", "dockyard.parsers.yamlpos"}
    # exec forms of plain words are read without the json module
    assert "json" not in modules


def test_env_render_runs_the_cached_compose_validator_without_importing_fastjsonschema(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx:${TAG:-1.25}\n    ports: ['8080:80']\n")
    script = textwrap.dedent("""\
        import contextlib, io, json, sys
        from dockyard.cli import main
        for _ in range(2):  # the first run may compile and cache the validator; the second runs the cache
            for name in [m for m in sys.modules if m.startswith(("fastjsonschema", "typing"))]:
                del sys.modules[name]
            with contextlib.redirect_stdout(io.StringIO()) as out:
                code = main(["env", "render", "--format", "json"])
        print(json.dumps([code, json.loads(out.getvalue())["services"]["web"]["image"], sorted(sys.modules)]))
        """)
    env = {**os.environ, "DOCKYARD_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path,
                         env=env)
    code, image, modules = json.loads(out.stdout.strip().splitlines()[-1])
    assert (code, image) == (0, "nginx:1.25")
    assert not any(m == "fastjsonschema" or m.startswith("fastjsonschema.") for m in modules)
    assert "typing" not in modules  # a tenth of a render: annotations name it under TYPE_CHECKING only


def test_an_invalid_compose_file_is_refused_by_the_cached_validator_with_compose_words(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n    ports: 8080\n")
    env = {**os.environ, "DOCKYARD_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-m", "dockyard", "env", "render"], capture_output=True, text=True,
                           cwd=tmp_path, env=env) for _ in range(2)]  # compiling, then cached
    for run in runs:
        assert run.returncode == 1
        assert "services.web.ports must be a array" in run.stderr


def test_a_cold_check_of_a_small_tree_compiles_no_record_method(tmp_path):
    # compiling a record class's __init__ and __eq__ costs what a few hundred generic calls cost: a short run,
    # which makes each record class a few dozen times at most, must not pay for it
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    build: .\n    ports: ['8000:8000']\n")
    script = textwrap.dedent("""\
        import contextlib, io, json
        from dockyard import records
        compiled = []
        real = records._compile_init
        records._compile_init = lambda *a: compiled.append(a) or real(*a)
        from dockyard.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            main(["check", ".", "--exit-zero"])
        print(json.dumps(len(compiled)))
        """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == 0
