"""A rule's documentation, made from its metadata (used by ``dockyard rule`` and the README table)."""

from __future__ import annotations

from dockyard import roles
from dockyard.fsutil import atomic_write
from dockyard.roles import describe
from dockyard.rules.base import Rule, all_rules
from dockyard.standard import LEVELS, STANDARD_FILE, item


def _files_block(files: dict[str, str]) -> str:
    parts = []
    for name, text in files.items():
        body = text if text.endswith("\n") or not text else text + "\n"
        if len(files) > 1 or name not in ("Dockerfile",):
            parts.append(f"# {name}")
        parts.append(body.rstrip("\n"))
    return "\n".join("    " + line if line else "" for line in "\n".join(parts).splitlines())


def _standard_lines(rule: Rule) -> list[str]:
    """The checklist items a rule enforces, each citing its level and the standard's section (from the copy of the
    standard shipped in the package)."""
    lines = []
    for item_id in rule.standard:
        found = item(item_id)
        if found is None:  # a rule naming an unknown item is a test failure; the docs still render
            lines.append(f"- {item_id}")
            continue
        lines.append(f"- {found.id} ({LEVELS[found.level]}), {STANDARD_FILE} section \"{found.section}\": "
                     f"{found.text}")
    return lines


def render_rule_doc(rule: Rule) -> str:
    out = [f"{rule.code} {rule.name}", "", rule.summary, ""]
    out += [f"Severity: {rule.severity.label}    Family: {rule.family}    "
            f"Fix: {rule.fix or 'none'}    Judges: {describe(rule.applies, rule.purposes)}"]
    if rule.standard:
        out.append(f"Standard: {', '.join(rule.standard)}" + (f" ({rule.section})" if rule.section else ""))
    out.append(f"Defined in: {rule.module}")
    out += ["", "## What it does", rule.summary, "", "## Why is this bad?", rule.why]
    example, fixed = rule.example_files("example"), rule.example_files("use_instead")
    if example:
        out += ["", "## Example", _files_block(example)]
    if fixed:
        out += ["", "## Use instead", _files_block(fixed)]
    if rule.fix:
        safety = {"safe": "the fix is safe: it keeps behaviour and is applied by `dockyard fix`",
                  "unsafe": "the fix may change behaviour: it is applied only with `dockyard fix --unsafe-fixes`",
                  "per-finding": "decided per finding (see the notes): a safe fix is applied by `dockyard fix`, one "
                                 "that may change behaviour only with `dockyard fix --unsafe-fixes`"}[rule.fix]
        out += ["", "## Fix safety", safety]
    if rule.options:
        out += ["", "## Options"] + [f"- `{k}` (default `{v!r}`)" for k, v in rule.options.items()]
    if rule.notes:
        out += ["", "## Notes", rule.notes]
    if rule.standard:
        out += ["", "## Standard", *_standard_lines(rule)]
    return "\n".join(out) + "\n"


# short forms of what a rule judges, for the README table (see dockyard.roles)
_JUDGES = {roles.EVERY: "all", roles.RUNNABLE: "runnable", roles.PYTHON_IMAGES: "Python", roles.FASTAPI_SERVICE: "FastAPI"}
_PURPOSE = {roles.BUILT: ", dev containers too", roles.PURPOSES: "", roles.SHIPPED: ", shipped",
            roles.SERVICES: ", services"}

README_BEGIN = "<!-- rules:begin (generated from rule metadata by `python -m dockyard.rules.docs`) -->"
README_END = "<!-- rules:end -->"


def readme_table() -> str:
    """The README's rule table, made from the rules' metadata."""
    lines = [README_BEGIN, "", "| code | name | severity | fix | judges | checklist items | summary |",
             "|---|---|---|---|---|---|---|"]
    for r in all_rules():
        summary = r.summary.replace("|", "\\|")
        judges = _JUDGES[r.applies] + _PURPOSE[r.purposes]
        lines.append(f"| {r.code} | `{r.name}` | {r.severity.label} | {r.fix or ''} | {judges} | "
                     f"{', '.join(r.standard)} | {summary} |")
    lines += ["", README_END]
    return "\n".join(lines)


def update_readme(path: str = "README.md") -> bool:
    """Rewrite the generated part of the README; True when it changed."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    start, end = text.index(README_BEGIN), text.index(README_END) + len(README_END)
    new = text[:start] + readme_table() + text[end:]
    if new != text:
        atomic_write(path, new)
    return new != text


if __name__ == "__main__":
    from dockyard.rules import update_table

    print("README.md updated" if update_readme() else "README.md already current")
    print("dockyard/rules/_table.py updated" if update_table() else "dockyard/rules/_table.py already current")
