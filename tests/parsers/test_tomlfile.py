"""Every TOML file is read as TOML 1.1 (uv's and the packaging tools' reading), through one function."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockyard.parsers.tomlfile import TOMLError, parse_toml

SRC = Path(__file__).resolve().parents[2] / "src" / "dockyard"

TOML_1_1 = 'version = 1\n[[package]]\nname = "fastapi"\nsdist = {\n  url = "https://files.example/f.tar.gz",\n}\n'


def test_an_inline_table_over_several_lines_is_read():
    assert parse_toml(TOML_1_1)["package"][0]["sdist"] == {"url": "https://files.example/f.tar.gz"}


def test_text_that_is_no_toml_raises_the_parser_message_with_its_position():
    with pytest.raises(TOMLError, match=r"\(at line 2, column \d+\)"):
        parse_toml("a = 1\nb = = 2\n")


def test_no_module_reads_toml_with_the_standard_library_parser():
    users = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
             if "import tomllib" in p.read_text(encoding="utf-8")]
    assert users == []


def test_a_pyproject_in_toml_1_1_is_read_for_its_dependencies():
    from dockyard.manifests import declared

    text = '[project]\nname = "x"\ndependencies = [\n  "fastapi>=0.115",\n]\n[tool.x]\nopts = {\n  a = 1,\n}\n'
    assert "fastapi" in declared(text, "pyproject.toml")
