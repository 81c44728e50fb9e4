"""Related RUN instructions are combined, and install commands list their packages in order."""

from __future__ import annotations

import re
from typing import Iterator

from dockyard.model import Applicability, Edit, Fix, Problem
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.dockerfile._shell import calls, instruction_script, is_install, run_scripts
from dockyard.rules.dockerfile._stages import span_position


def _run_options(ins) -> tuple:
    """What must be equal for two RUNs to merge: their flags (mounts, network, security), as written."""
    return tuple(sorted(f.raw or f"--{f.name}={f.value}" for f in ins.flags))


def _whole(script) -> tuple[int, int] | None:
    """File offsets of a script's first character and of the end of its last."""
    return None if script is None else script.file_range(0, len(script.text))


def _ends_in_shell_comment(text: str, end: int) -> bool:
    """Whether the line ending at ``end`` may end in a shell comment (a ``#`` starting a word, even quoted):
    a continuation added after it would be commented out with it."""
    line = text[text.rfind("\n", 0, end) + 1:end]
    return re.search(r"(?:^|[\s;&|()])#", line) is not None


@rule(
    code="DF051", name="run-combine", scope=Scope.DOCKERFILE,
    summary="Consecutive RUN instructions with the same mounts are combined",
    why="Every RUN adds a layer: files deleted in a later RUN still ship in the earlier one, and split steps "
        "that belong together rebuild and cache separately.",
    standard=("DF-RUN-COMBINE",), section="Multi-Line RUN Optimization; Image Layers", severity="error",
    fix="unsafe",
    example="FROM python:3.12-slim\nRUN groupadd --gid 10001 app\nRUN useradd --uid 10001 --gid app app\n",
    use_instead="FROM python:3.12-slim\nRUN groupadd --gid 10001 app \\\n    && useradd --uid 10001 --gid app app\n",
    notes="Only RUNs that directly follow each other in the same stage with identical flags are judged. The fix "
          "joins them with `&&`; it is unsafe because the second script then runs in the first one's shell "
          "(a `cd` or `export` carries over).",
)
def combine(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    for stage in df.stages:
        prev = None
        for ins in stage.instructions:
            if ins.keyword != "RUN":
                prev = None
                continue
            if prev is not None and _run_options(prev) == _run_options(ins):
                fix = None
                a, b = _whole(instruction_script(df, prev)), _whole(instruction_script(df, ins))
                text = ctx.file.text or ""
                if (a is not None and b is not None and not prev.json_form
                        and not ins.json_form and not prev.heredocs and not ins.heredocs
                        and not _ends_in_shell_comment(text, a[1])):
                    # comment lines between the two stay, as comment lines inside the continuation
                    comments = "".join(f"{line}\n" for line in text[a[1]:b[0]].splitlines()
                                       if line.lstrip().startswith("#"))
                    fix = Fix("join the RUN instructions with `&&`",
                              (Edit(a[1], b[0], f" {df.escape}\n{comments}    && "),),
                              Applicability.UNSAFE)
                yield Problem(f"this RUN directly follows the RUN on line {prev.span.line} with the same mounts; "
                              "combine them into one layer", span_position(ins.keyword_span), fix=fix)
            prev = ins


def _sort_key(name: str) -> str:
    return name.lower()


@rule(
    code="DF052", name="sorted-packages", scope=Scope.DOCKERFILE,
    summary="Package lists in apt-get/apk/pip install commands are sorted alphabetically",
    why="A sorted list makes duplicates visible and keeps diffs to one line per added or removed package.",
    standard=("DF-SORTED-PKGS",), section="Sort Package Lists", severity="warning", fix="safe",
    example="FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
            "    git \\\n    curl \\\n    && rm -rf /var/lib/apt/lists/*\n",
    use_instead="FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
                "    curl \\\n    git \\\n    && rm -rf /var/lib/apt/lists/*\n",
    notes="Lists containing variables are not judged; the fix swaps the words in place, keeping the layout.",
)
def sorted_packages(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    for script in run_scripts(df, df.instructions):
        for c in calls(script):
            if not is_install(c) or len(c.packages) < 2:
                continue
            words = list(c.packages)
            if any("$" in w.raw or "`" in w.raw for w in words):
                continue
            names = [w.text for w in words]
            ordered = sorted(names, key=_sort_key)
            if names == ordered:
                continue
            first = next(i for i, (x, y) in enumerate(zip(names, ordered)) if x != y)
            fix = None
            ranges = [script.file_range(w.start, w.end) for w in words]
            if all(r is not None for r in ranges):
                by_text = {w.text: w.raw for w in words}
                fix = Fix("sort the package list",
                          tuple(Edit(r[0], r[1], by_text[name]) for r, name in zip(ranges, ordered)
                                if r is not None))
            yield Problem(f"`{c.tool} {c.sub}` packages are not sorted: `{names[first]}` should come after "
                          f"`{ordered[first]}`", script.word_position(words[first]), fix=fix)
