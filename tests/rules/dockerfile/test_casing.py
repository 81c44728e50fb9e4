from tests.helpers import run_files, triples


def apply_fixes(text, findings):
    edits = sorted((e for f in findings if f.fix for e in f.fix.edits), key=lambda e: e.start, reverse=True)
    for e in edits:
        text = text[: e.start] + e.replacement + text[e.end:]
    return text


def test_lowercase_as_under_uppercase_from_is_fixed(tmp_path):
    text = "FROM python:3.12-slim as builder\nfrom builder AS production\nFROM builder As other\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF017")
    assert triples(found) == [("DF017", 1, 23), ("DF017", 2, 14), ("DF017", 3, 14)]
    assert all(f.fix.applicability.value == "safe" for f in found)
    assert apply_fixes(text, found) == (
        "FROM python:3.12-slim AS builder\nfrom builder as production\nFROM builder AS other\n")


def test_as_on_continuation_line_with_backtick_escape(tmp_path):
    text = "# escape=`\nFROM python:3.12-slim `\n    as builder\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF017")
    assert triples(found) == [("DF017", 3, 5)]
    assert apply_fixes(text, found) == "# escape=`\nFROM python:3.12-slim `\n    AS builder\n"


def test_stage_name_with_capitals_has_no_fix(tmp_path):
    found = run_files(tmp_path, {"Dockerfile": "FROM python:3.12-slim AS Builder\n"}, select="DF017")
    assert triples(found) == [("DF017", 1, 26)]
    assert found[0].fix is None


def test_consistent_casing_passes(tmp_path):
    text = "FROM python:3.12-slim AS builder\nfrom builder as production\nFROM builder\n"
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF017") == []
