"""Tests for dockyard's shell analysis (tree-sitter-bash)."""

from __future__ import annotations

import subprocess
import sys

from dockyard.parsers.buildkit import parse_dockerfile
from dockyard.parsers.shell import parse_shell, unquote


def names(script: str) -> list[str]:
    return [c.name for c in parse_shell(script).commands]


def test_apt_chain() -> None:
    s = "apt-get update && apt-get install -y --no-install-recommends b a && rm -rf /var/lib/apt/lists/*"
    r = parse_shell(s)
    assert not r.has_error
    assert names(s) == ["apt-get", "apt-get", "rm"]
    install = r.commands[1]
    assert install.args == ("install", "-y", "--no-install-recommends", "b", "a")
    assert (install.start, install.end) == (18, 64)
    assert s[install.argv[3].start : install.argv[3].end] == "--no-install-recommends"
    assert r.commands[2].args == ("-rf", "/var/lib/apt/lists/*")
    assert install.has_flag("-y") and not install.has_flag("-q")
    assert len(r.find("apt-get")) == 2


def test_pipes_semicolons_background_negation() -> None:
    r = parse_shell("curl -s x | tee y; gunicorn app & ! false")
    assert [c.name for c in r.commands] == ["curl", "tee", "gunicorn", "false"]
    assert [c.background for c in r.commands] == [False, False, True, False]
    assert r.commands[3].negated


def test_subshell_if_for_and_substitution() -> None:
    r = parse_shell('(cd /src && make) || { echo fail; exit 1; }; if [ -f x ]; then pip install "a b"; fi; '
                    "for p in a b; do echo $p; done; echo $(id -u)")
    assert [c.name for c in r.commands] == ["cd", "make", "echo", "exit", "pip", "echo", "echo", "id"]
    pip = r.find("pip")[0]
    assert pip.args == ("install", "a b")
    assert pip.argv[2].raw == '"a b"'


def test_assignments_and_wrappers() -> None:
    r = parse_shell("FOO=1 BAR='x y' /usr/bin/env PYTHONPATH=/app python -m app")
    c = r.commands[0]
    assert c.assignments == ("FOO=1", "BAR='x y'")
    assert c.name == "env"
    assert c.args == ("PYTHONPATH=/app", "python", "-m", "app")


def test_quoted_words() -> None:
    r = parse_shell("""echo 'single' "double $HOME" esc\\ aped""")
    assert r.commands[0].args == ("single", "double $HOME", "esc aped")
    assert unquote("""a'b c'"d\\"e" """.strip()) == 'ab cd"e'


def test_heredoc_body_is_not_commands() -> None:
    r = parse_shell("cat <<EOF > /etc/x\nrm -rf /\nEOF\necho done\n")
    assert [c.name for c in r.commands] == ["cat", "echo"]


def test_run_heredoc_content_via_dockerfile() -> None:
    d = parse_dockerfile("FROM a\nRUN <<EOF\napt-get update\npip install x\nEOF\n")
    assert names(d.instructions[1].shell_text) == ["apt-get", "pip"]


def test_run_continuations_removed_by_dockerfile_parser() -> None:
    d = parse_dockerfile("FROM a\nRUN pip install \\\n    # comment\n    requests \\\n && echo ok\n")
    r = parse_shell(d.instructions[1].shell_text)
    assert [c.name for c in r.commands] == ["pip", "echo"]
    assert r.commands[0].args == ("install", "requests")


def test_errors_and_unicode_offsets() -> None:
    r = parse_shell("echo 'unterminated")
    assert r.has_error
    r = parse_shell("echo héllo && ls ü")
    assert r.commands[1].name == "ls"
    assert "echo héllo && ls ü"[r.commands[1].start : r.commands[1].end] == "ls ü"
    assert parse_shell("").commands == ()


def test_cached_and_lazy_import() -> None:
    assert parse_shell("ls") is parse_shell("ls")
    # tree-sitter is imported on first use only, and only for a script the pure-Python fast path leaves to it
    code = ("import sys; from dockyard.parsers.shell import parse_shell; parse_shell('apt-get install -y a && ls');"
            "print('tree_sitter' in sys.modules); parse_shell('echo $HOME'); print('tree_sitter' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]
