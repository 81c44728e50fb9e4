"""GitHub Actions workflow commands (``::error file=...,line=...::message``)."""

from __future__ import annotations

from dockyard.model import is_directory_path

LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result, *, color: bool = False) -> str:
    out = []
    for f in result.findings:
        p = f.position
        if is_directory_path(f.path):  # a folder is no file to annotate: the annotation belongs to the run
            title = f"title={_escape_property(f.code + ' ' + f.rule)}"
            out.append(f"::{LEVEL[f.severity.label]} {title}::{_escape_data(f'{f.code} {f.path}: {f.message}')}")
            continue
        props = [f"file={_escape_property(f.path)}", f"line={p.line}", f"col={p.column}"]
        if p.end_line:
            props.append(f"endLine={p.end_line}")
        if p.end_line == p.line and p.end_column > p.column:
            props.append(f"endColumn={p.end_column}")
        props.append(f"title={_escape_property(f.code + ' ' + f.rule)}")
        out.append(f"::{LEVEL[f.severity.label]} {','.join(props)}::{_escape_data(f.code + ' ' + f.message)}")
    return "\n".join(out) + ("\n" if out else "")
