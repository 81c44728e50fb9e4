"""A compose file as compose reads it: each document of a multi-document file is judged as a file of its own, and a
UTF-16 file with a byte-order mark is read (and fixed) in its encoding."""

from dockyard.cli import main
from tests.helpers import at, run_files

MULTI = ("services:\n  api:\n    image: python:3.12-slim\n"
         "---\n"
         "version: \"3\"\n"
         "services:\n  db:\n    image: postgres\n    restrat: always\n"
         "  api:\n    environment:\n      SECRET_KEY: hunter2hunter2\n"
         "---\n")


def test_every_document_of_a_file_is_judged(tmp_path):
    found = run_files(tmp_path, {"compose.yaml": MULTI}, select=("CO001", "CO002", "CO009", "CO019", "CO034"))
    assert at(found, "compose.yaml") == [("CO034", 5, 1), ("CO019", 8, 12), ("CO002", 9, 5), ("CO009", 12, 19),
                                         ("CO001", 13, 1)]
    messages = {f.code: f.message for f in found}
    assert messages["CO001"] == ("document 3 of 3 is empty: compose stops with `top-level object must be a mapping`; "
                                 "remove its `---`")
    assert not any("one YAML document" in f.message for f in found)  # compose reads every document


def test_a_document_that_is_not_a_mapping(tmp_path):
    found = run_files(tmp_path, {"compose.yaml": "services:\n  api:\n    image: python:3.12-slim\n---\n- a\n"},
                      select="CO001")
    assert [(f.position.line, f.position.column, f.message) for f in found] == [
        (5, 1, "document 2 of 2 is a list, not a mapping of `services:`, `volumes:`...")]
    # a well-formed multi-document file is no finding
    ok = "services:\n  api:\n    image: python:3.12-slim\n---\nservices:\n  api:\n    restart: always\n"
    assert run_files(tmp_path / "ok", {"compose.yaml": ok}, select=("CO001", "CO002")) == []


def test_a_utf16_compose_file_is_checked_and_fixed_in_its_encoding(tmp_path, capsys):
    text = "version: \"3.8\"\r\nservices:\r\n  app:\r\n    image: python\r\n"
    files = {"compose.yaml": b"\xff\xfe" + text.encode("utf-16-le"),
             "be/compose.yaml": b"\xfe\xff" + text.encode("utf-16-be")}
    found = run_files(tmp_path, files, select=("CO001", "CO019", "CO034", "DY"))
    assert at(found, "compose.yaml") == at(found, "be/compose.yaml") == [("CO034", 1, 1), ("CO019", 4, 12)]
    assert len(found) == 4
    assert main(["fix", str(tmp_path), "--select", "CO034"]) == 0
    fixed = text.replace("version: \"3.8\"\r\n", "")
    assert (tmp_path / "compose.yaml").read_bytes() == b"\xff\xfe" + fixed.encode("utf-16-le")
    assert (tmp_path / "be/compose.yaml").read_bytes() == b"\xfe\xff" + fixed.encode("utf-16-be")
    # without a byte-order mark compose does not read UTF-16: neither does dockyard
    nomark = run_files(tmp_path / "nomark", {"compose.yaml": text.encode("utf-16-le")}, select="CO001")
    assert [(f.code, f.message) for f in nomark] == [("CO001", "cannot check this file: binary file (contains NUL bytes)")]
