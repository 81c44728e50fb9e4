"""Inline suppressions, per-file ignores and unused-suppression reports, on real rules."""

from dockyard.config import parse_config
from tests.helpers import run_files, triples

UNTAGGED = "FROM python\n"


def test_pragma_above_an_instruction_covers_its_continuation_lines(tmp_path):
    df = ("# syntax=docker/dockerfile:1\n# dockyard: ignore[DF004]\nFROM \\\n  python\n")
    assert run_files(tmp_path, {"Dockerfile": df}, select="DF004") == []
    assert run_files(tmp_path, {"Dockerfile": df}, select="DY001") == []


def test_trailing_pragma_covers_its_line_only(tmp_path):
    df = "FROM python AS base # dockyard: ignore[DF004]\nFROM python AS two\n"
    found = run_files(tmp_path, {"Dockerfile": df}, select="DF004")
    assert triples(found) == [("DF004", 2, 6)]


def test_prefix_codes_and_ignore_file(tmp_path):
    df = "# dockyard: ignore-file[DF00]\n" + UNTAGGED
    found = run_files(tmp_path, {"Dockerfile": df}, select="DF00")
    assert found == []


def test_unused_suppression_is_reported_at_the_pragma(tmp_path):
    df = "# syntax=docker/dockerfile:1\nFROM python:3.12-slim  # dockyard: ignore[DF004]\n"
    found = run_files(tmp_path, {"Dockerfile": df}, select="DY001")
    assert triples(found) == [("DY001", 2, 24)]
    assert "DF004" in found[0].message


def test_pragma_for_a_disabled_rule_is_not_reported_as_unused(tmp_path):
    cfg = parse_config({"ignore": ["DF004"]}, "x", None)
    df = "FROM python:3.12-slim  # dockyard: ignore[DF004]\n"
    assert run_files(tmp_path, {"Dockerfile": df}, select="DY001", config=cfg) == []


def test_yaml_pragma_covers_the_block_below_a_key(tmp_path):
    compose = ("services:\n  # dockyard: ignore[CO019]\n  db:\n    image: postgres\n  cache:\n    image: redis:latest\n")
    found = run_files(tmp_path, {"compose.yaml": compose}, select="CO019")
    assert triples(found) == [("CO019", 6, 12)]


def test_yaml_pragma_above_a_key_covers_list_items_at_the_key_indent(tmp_path):
    # `- item` lines written at the key's own indent are the key's value, as compose reads them
    compose = ("services:\n  app:\n    image: app:1.0\n    # dockyard: ignore[CO021]\n    ports:\n"
               "    - \"8000:8000\"\n    -\n      \"8001:8001\"\n    environment:\n      A: \"1\"\n"
               "  web:\n    image: web:1.0\n    ports:\n    - \"9000:9000\"\n")
    found = run_files(tmp_path, {"compose.yaml": compose}, select=("CO021", "DY001"))
    assert triples(found) == [("CO021", 14, 7)]


def test_yaml_pragma_above_a_list_item_does_not_cover_its_siblings(tmp_path):
    compose = ("services:\n  app:\n    image: app:1.0\n    ports:\n    # dockyard: ignore[CO021]\n"
               "    - \"8000:8000\"\n    - \"9000:9000\"\n")
    found = run_files(tmp_path, {"compose.yaml": compose}, select=("CO021", "DY001"))
    assert triples(found) == [("CO021", 7, 7)]


def test_env_file_pragma(tmp_path):
    env = "# dockyard: ignore[EN010]\nA=${B}\nB=1\nC=${D}\nD=2\n"
    found = run_files(tmp_path, {".env.dev.example": env}, select="EN010")
    assert triples(found) == [("EN010", 4, 3)]


def test_per_file_ignores_and_select_from_config(tmp_path):
    cfg = parse_config({"per-file-ignores": {"legacy/*": ["DF004"]}}, "x", None)
    found = run_files(tmp_path, {"legacy/Dockerfile": UNTAGGED, "Dockerfile": UNTAGGED}, select="DF004", config=cfg)
    assert [(f.path, f.code) for f in found] == [("Dockerfile", "DF004")]


def test_severity_override_changes_the_reported_severity(tmp_path):
    cfg = parse_config({"severity": {"DF004": "info"}}, "x", None)
    (f,) = run_files(tmp_path, {"Dockerfile": UNTAGGED}, select="DF004", config=cfg)
    assert f.severity.label == "info"


def test_python_pragmas_are_comments_not_text_in_strings(tmp_path):
    source = ('EXAMPLE = {"Makefile": "# dockyard: ignore[DY003]\\nall:\\n"}\n'
              '"""A docstring that shows\n# dockyard: ignore[DF004]\n"""\n'
              'x = 1  # dockyard: ignore[DF004]\n'
              '# dockyard: ignore[DF005]\n'
              'y = "# dockyard: ignore[DF007]"  # noqa # dockyard: ignore[DF006]\n')
    found = run_files(tmp_path, {"tool.py": source}, select="DY001")
    assert triples(found) == [("DY001", 5, 8), ("DY001", 6, 1), ("DY001", 7, 41)]


def test_python_source_that_does_not_tokenize_is_scanned_as_text(tmp_path):
    found = run_files(tmp_path, {"broken.py": 'x = """unterminated\n# dockyard: ignore[DF004]\n'}, select="DY001")
    assert triples(found) == [("DY001", 2, 1)]
