"""Related RUN instructions are combined, and install commands list their packages in order."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockyard.analysis.shell import calls, instruction_script, is_install, run_scripts
from dockyard.analysis.stages import shipped_stages, span_position
from dockyard.model import Applicability, Edit, Fix, Problem
from dockyard.regex import lazy_compile
from dockyard.rules.base import Context, Scope, rule


def _run_options(ins) -> tuple:
    """What must be equal for two RUNs to merge: their flags (mounts, network, security), as written."""
    return tuple(sorted(f.raw or f"--{f.name}={f.value}" for f in ins.flags))


def _whole(script) -> tuple[int, int] | None:
    """File offsets of a script's first character and of the end of its last."""
    return None if script is None else script.file_range(0, len(script.text))


@rule(
    code="DF051", name="run-combine", scope=Scope.DOCKERFILE,
    summary="Consecutive RUN instructions with the same mounts are combined",
    why="Every RUN adds a layer: files deleted in a later RUN still ship in the earlier one, and split steps "
        "that belong together rebuild and cache separately.",
    standard=("DF-RUN-COMBINE",), section="Multi-Line RUN Optimization; Image Layers", severity="error",
    fix="unsafe",
    example="FROM python:3.12-slim\nRUN groupadd --gid 10001 app\nRUN useradd --uid 10001 --gid app app\n",
    use_instead="FROM python:3.12-slim\nRUN groupadd --gid 10001 app \\\n    && useradd --uid 10001 --gid app app\n",
    notes="Only RUNs that directly follow each other in the same stage with identical flags are judged; a run "
          "of several such RUNs is one finding, at its second RUN, naming the others. A stage that other stages "
          "only read files from (`COPY --from`, a builder) is not judged: its layers never reach an image. The fix "
          "joins them with `&&` (every pair it can: not after a background job or a trailing comment); it is "
          "unsafe because a later script then runs in the earlier one's shell (a `cd` or `export` carries over).",
)
def combine(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    shipped = shipped_stages(df)
    for stage in df.stages:
        if stage.index not in shipped:
            continue  # a stage other stages only copy files from: its layers are thrown away
        group: list = []  # a run of consecutive RUNs with the same flags
        for ins in stage.instructions:
            if ins.keyword == "RUN" and group and _run_options(group[-1]) == _run_options(ins):
                group.append(ins)
                continue
            if len(group) > 1:
                yield _combine_problem(ctx, group)
            group = [ins] if ins.keyword == "RUN" else []
        if len(group) > 1:
            yield _combine_problem(ctx, group)


def _combine_problem(ctx: Context, group: list) -> Problem:
    """One finding for a run of RUNs that one merged RUN replaces: at the keyword of its second RUN (the first
    that follows another), naming the later ones, with a fix that joins every pair it can join."""
    edits = [e for prev, ins in zip(group, group[1:]) if (e := _join(ctx, prev, ins)) is not None]
    if len(group) == 2:
        what = "this RUN directly follows"
    else:
        lines = [str(ins.span.line) for ins in group[2:]]
        listed = lines[0] if len(lines) == 1 else ", ".join(lines[:-1]) + " and " + lines[-1]
        what = f"this RUN and the RUN{'s' if len(lines) > 1 else ''} on line{'s' if len(lines) > 1 else ''} " \
               f"{listed} directly follow"
    return Problem(f"{what} the RUN on line {group[0].span.line} with the same mounts; combine them into one layer",
                   span_position(group[1].keyword_span),
                   fix=Fix(tuple(edits), Applicability.UNSAFE) if edits else None)


def _join(ctx: Context, prev, ins) -> Edit | None:
    """The edit that appends the RUN ``ins`` to the RUN ``prev`` with `&&`, or None when they cannot be joined."""
    df = ctx.model
    first, second = instruction_script(df, prev), instruction_script(df, ins)
    tail = first.tail() if first is not None else None
    b = _whole(second) if second is not None and second.tail() is not None else None
    text = ctx.file.text or ""
    # joined after the first script's last statement, its `;` dropped; not after a background job
    # (`&`) or a trailing comment (the join would be commented out), nor before a background job
    # (`first && b & c` would send the first script to the background too)
    if (tail is None or b is None or tail.operator == "&" or tail.comment
            or any(c.background for c in second.commands)):
        return None
    a_end = first.offset(tail.end - 1) + 1
    # comment lines between the two stay, as comment lines inside the continuation
    comments = "".join(f"{line}\n" for line in text[a_end:b[0]].splitlines() if line.lstrip().startswith("#"))
    return Edit(a_end, b[0], f" {df.escape}\n{comments}    && ")


_PIP_NAME_END = lazy_compile(r"[\s\[;@<>=!~(]")


def package_sort_name(tool: str, spec: str) -> str:
    """The package name in ``spec`` as ``tool`` reads it, for sorting: apt's `name=version`, `name/release` and
    `name:arch`, apk's `name=version`, `name~version`, `name>version` and `name@repository`, pip's
    requirement specifiers (`name[extra]>=1`), normalised as PyPI names are."""
    if tool == "pip":
        name = _PIP_NAME_END.split(spec, 1)[0]
        return re.sub(r"[-_.]+", "-", name).lower()
    if tool in ("apt-get", "apt"):
        return re.split(r"[=/:]", spec, 1)[0].lower()
    return re.split(r"[=~<>@]", spec, 1)[0].lower()


def _units(c, script, text: str) -> list[tuple[list, tuple[int, int] | None]]:
    """The package list as its author arranged it: one unit per word when the list is written on one line;
    one unit per line when it spans several (a line such as `dpkg-dev dpkg` keeps a package with its
    companion, and the lines are what is sorted). Each unit: its words and its file range (None if unknown)."""
    words = list(c.packages)
    ranges = [script.file_range(w.start, w.end) for w in words]
    if any(r is None for r in ranges) or all("\n" not in text[ranges[0][1]:r[0]] for r in ranges[1:]):
        return [([w], r) for w, r in zip(words, ranges)]
    units: list[tuple[list, tuple[int, int] | None]] = []
    for w, r in zip(words, ranges):
        if units and "\n" not in text[units[-1][1][1]:r[0]]:
            units[-1] = (units[-1][0] + [w], (units[-1][1][0], r[1]))
        else:
            units.append(([w], r))
    return units


def _has_comment_line(text: str, start: int, end: int) -> bool:
    """Whether a comment line (BuildKit drops it from the instruction) lies between ``start`` and ``end``."""
    return any(line.lstrip().startswith("#") for line in text[start:end].splitlines()[1:])


@rule(
    code="DF052", name="sorted-packages", scope=Scope.DOCKERFILE,
    summary="Package lists in apt-get/apk/pip install commands are sorted alphabetically",
    why="A sorted list makes duplicates visible and keeps diffs to one line per added or removed package.",
    standard=("DF-SORTED-PKGS",), section="Sort Package Lists", severity="warning", fix="safe",
    example="FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
            "    git \\\n    curl \\\n    && rm -rf /var/lib/apt/lists/*\n",
    use_instead="FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
                "    curl \\\n    git \\\n    && rm -rf /var/lib/apt/lists/*\n",
    notes="Packages are compared by name as the package manager reads it (`unit=1.33` sorts as `unit`), "
          "ignoring case. A list written over several lines is sorted by line: a line holding several packages "
          "(`dpkg-dev dpkg`) is kept together and sorted by its first. Lists containing variables are not "
          "judged. Comment lines inside a list label the packages below them: each labelled group is sorted on its "
          "own, and the fix moves words (or lines) only within their group, keeping the layout and the labels.",
)
def sorted_packages(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    text = ctx.file.text or ""
    for script in run_scripts(df, df.instructions):
        for c in calls(script):
            if not is_install(c) or len(c.packages) < 2:
                continue
            if any("$" in w.raw or "`" in w.raw for w in c.packages):
                continue
            units = _units(c, script, text)
            spans = [r for _, r in units]
            if any(r is None for r in spans):
                groups = [units]
            else:  # comment lines label the packages below them: each labelled group is sorted on its own
                groups, current = [], [units[0]]
                for unit in units[1:]:
                    if _has_comment_line(text, current[-1][1][0], unit[1][1]):
                        groups.append(current)
                        current = []
                    current.append(unit)
                groups.append(current)
            found = None
            edits: list[Edit] = []
            for group in groups:
                keys = [package_sort_name(c.tool, u[0][0].text) for u in group]
                order = sorted(range(len(group)), key=lambda i: keys[i])
                if order == list(range(len(group))):
                    continue
                first = next(i for i, j in enumerate(order) if i != j)
                found = found or (group[first][0][0], group[order[first]][0][0])
                g_spans = [r for _, r in group]
                if all(r is not None for r in g_spans):
                    edits += [Edit(g_spans[i][0], g_spans[i][1], text[g_spans[j][0]:g_spans[j][1]])
                              for i, j in enumerate(order) if i != j]
            if found is None:
                continue
            fix = Fix(tuple(edits)) if edits and all(r is not None for r in spans) else None
            shown, before = found[0].text, found[1].text
            yield Problem(f"`{c.tool} {c.sub}` packages are not sorted: `{shown}` should come after `{before}`",
                          script.word_position(found[0]), fix=fix)
