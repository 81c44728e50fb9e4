"""``check --statistics``: how many findings each rule and each checklist section has, most first (like
``ruff --statistics``), then the usual summary. A rule's level is the strictest of its checklist items (REQ,
REC, BEY); its section is the checklist section of its main item. ``[*]`` marks a rule whose findings
`dockyard fix` can fix."""

from __future__ import annotations

from dockyard.levels import items_level, items_section
from dockyard.report.text_report import summary_lines

NO_SECTION = "dockyard itself"  # rules about the run (DY*) name no checklist item


def render(result, *, color: bool = False) -> str:
    by_code: dict[str, list] = {}
    for f in result.findings:
        by_code.setdefault(f.code, []).append(f)
    lines = []
    if by_code:
        rows = sorted(by_code.items(), key=lambda item: (-len(item[1]), item[0]))
        sections: dict[str, int] = {}
        for code, found in rows:
            section = items_section(found[0].standard) or NO_SECTION
            sections[section] = sections.get(section, 0) + len(found)
        width = len(str(max(sections.values())))
        lines.append("Findings by rule:")
        for code, found in rows:
            first = found[0]
            level = items_level(first.standard) or "-"
            fix = " [*]" if any(f.fixable for f in found) else ""
            lines.append(f"  {len(found):>{width}}  {code}  {level:<3}  {first.rule}{fix}")
        lines.append("Findings by checklist section:")
        for section, n in sorted(sections.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"  {n:>{width}}  {section}")
    lines.extend(summary_lines(result))
    return "\n".join(lines) + "\n"
