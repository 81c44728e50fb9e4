"""``path:line:col: CODE message`` lines and a summary; colour only when asked (on a TTY)."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard.model import is_directory_path

COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
BOLD, RESET = "\033[1m", "\033[0m"


def render(result, *, color: bool = False) -> str:
    return "".join(chunks(result, color=color))


CHUNK_LINES = 1000


def chunks(result, *, color: bool = False) -> Iterator[str]:
    """The report in pieces of :data:`CHUNK_LINES` lines, each ending in a newline: a run over many trees can
    write tens of thousands of findings without holding their text twice (as lines and joined)."""
    lines = []
    if result.scope is not None:
        lines.append("Scope (what each file was judged as):")
        for e in result.scope:
            where = f"{e.path} ({e.kind} {e.name})" if e.name else f"{e.path} ({e.kind})"
            role = f"{e.role} ({e.purpose})" if e.purpose and e.purpose != "service" else e.role
            lines.append(f"  {where}: {role}: {e.reason}")
        lines.append("")
    for f in result.findings:
        if len(lines) >= CHUNK_LINES:
            yield "\n".join(lines) + "\n"
            lines = []
        p = f.position
        code = f.code
        if color:
            code = f"{COLORS[f.severity.label]}{BOLD}{code}{RESET}"
        fix = " [*]" if f.fixable else ""
        if is_directory_path(f.path):  # about the folder (something absent from it): it has no lines
            lines.append(f"{f.path}: {code}{fix} {f.message}")
            continue
        lines.append(f"{f.path}:{p.line}:{p.column}: {code}{fix} {f.message}")
    lines.extend(summary_lines(result))
    yield "\n".join(lines) + "\n"


def summary_lines(result) -> list[str]:
    """The closing lines: counts, the codes with the most findings, the baseline, skipped templates."""
    lines = []
    s = result.summary()
    if s["findings"]:
        by = ", ".join(_count(n, label) for label, n in s["by_severity"].items() if n)
        fixable = _fixable(s["fixable"], s["unsafe_fixable"])
        new = "new " if result.baseline is not None else ""
        lines.append(f"Found {_count(s['findings'], new + 'finding')} ({by}) in {_count(s['files'], 'file')}{fixable}.")
        most = most_common_codes(result.findings)
        if len(most) > 1 and most[0][1] > 1:  # some code stands out
            lines.append("Most findings: " + ", ".join(f"{code} ({n})" for code, n in most) + ".")
    else:
        lines.append(f"All checks passed ({s['files']} files, {s['rules']} rules).")
    if result.baseline is not None:
        line = f"{_count(s['baselined'], 'finding')} of the baseline ({result.baseline}) not shown"
        if result.baseline_fixed:
            line += (f"; {_count(result.baseline_fixed, 'recorded finding')} no longer found: "
                     "rewrite it with `--write-baseline`")
        lines.append(line + ".")
    skipped = s["skipped"]["template"]
    if skipped:
        lines.append(f"Skipped {skipped} template file{'s' if skipped != 1 else ''} (Jinja/cookiecutter markers; "
                     "see DY004): not judged.")
    return lines


def most_common_codes(findings, n: int = 3) -> list[tuple[str, int]]:
    """The ``n`` codes with the most findings, most first (ties by code)."""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]


def _count(n: int, noun: str) -> str:
    """``n`` of ``noun``: "1 error", "2 errors", "3 info" (a mass noun)."""
    return f"{n} {noun}" if n == 1 or noun == "info" else f"{n} {noun}s"


def _fixable(safe: int, unsafe: int) -> str:
    """How many findings plain `dockyard fix` fixes, and how many more `--unsafe-fixes` would."""
    if safe and unsafe:
        return f"; {safe} fixable with `dockyard fix` ({unsafe} more with `--unsafe-fixes`)"
    if safe:
        return f"; {safe} fixable with `dockyard fix`"
    if unsafe:
        return f"; {unsafe} fixable with `dockyard fix --unsafe-fixes`"
    return ""
