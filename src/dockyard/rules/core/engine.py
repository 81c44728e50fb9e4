"""Findings about dockyard's own inputs: suppressions, unreadable files, rule failures."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard.model import Problem, directory_path
from dockyard.rules.base import Context, Scope, rule
from dockyard.source import KIND_WORDS
from dockyard.templates import TEMPLATE_MARK, template_path


def _engine_reported(ctx: Context) -> Iterator[Problem]:
    """These findings are produced by the engine itself (see dockyard.engine); the rule carries their docs."""
    return iter(())


rule(
    code="DY001",
    name="unused-suppression",
    scope=Scope.PROJECT,
    severity="warning",
    summary="A `# dockyard: ignore[...]` pragma suppresses nothing",
    why="A stale suppression hides the next real problem on that line and misleads readers about what is "
    "being tolerated. Remove it once the finding it was written for is fixed.",
    standard=(),
    section="",
    example={"Makefile": "# dockyard: ignore[DY003]\nall:\n\t@true\n"},
    use_instead={"Makefile": "all:\n\t@true\n"},
)(_engine_reported)

rule(
    code="DY002",
    name="internal-error",
    scope=Scope.PROJECT,
    summary="A rule failed on this input; the other rules still ran",
    why="dockyard never lets one broken check hide the others. This finding names the rule that failed so the "
    "failure can be reported; the input itself may be fine.",
    standard=(),
    section="",
    example={},
    use_instead={},
    notes="Not triggered by any input on purpose: it reports a defect in dockyard.",
)(_engine_reported)

rule(
    code="DY003",
    name="unreadable-file",
    scope=Scope.PROJECT,
    summary="A file dockyard should check cannot be read",
    why="Binary, non-UTF-8, oversized, unreadable files, symbolic links that are broken, loop or leave the "
    "checked tree, directories named like a file docker reads (a folder called `Dockerfile`, or the "
    "`docker-compose.override.yml/` docker creates when it bind-mounts a missing file), and named pipes, sockets "
    "or devices named like an input (never opened: a pipe blocks whoever opens it) cannot be judged; "
    "reporting them keeps a check from passing by silently skipping them.",
    standard=(),
    section="",
    example={"Makefile": "\x00\x01\x02"},
    use_instead={"Makefile": "all:\n\t@true\n"},
)(_engine_reported)


@rule(
    code="DY004",
    name="template-skipped",
    scope=Scope.PROJECT,
    severity="info",
    summary="Templates (Jinja/cookiecutter markers) are set aside, not judged as the files they will become",
    why="A cookiecutter tree or a Jinja-templated Dockerfile is not yet a Dockerfile or a compose file: judging "
    "`FROM {{ base_image }}` as one gives findings about text that will never be built. dockyard says once per "
    "template tree that it skipped it, so a check never passes by silently ignoring files; render the template "
    "and check the result to judge it.",
    standard=(),
    section="",
    example={"{{cookiecutter.slug}}/Dockerfile": "FROM python:3.12-slim\n"},
    use_instead={"service/Dockerfile": "FROM python:3.12-slim\n"},
    notes="A template is a file whose path has a `{{ }}`/`{% %}` part, or a Dockerfile, compose, env or "
    "`.dockerignore` file whose text has a Jinja `{{ name }}` or `{% tag %}` marker (not `${{ }}`, not Go's "
    "`{{ .Field }}`). One finding per template tree, at the tree's folder (or at the first marker of a single "
    "file); the summary counts the files.",
)
def template_skipped(ctx: Context) -> Iterator[Problem]:
    trees: dict[str, list] = {}
    for sf in ctx.project.templates:
        trees.setdefault(template_path(sf.path) or sf.path, []).append(sf)
    for tree, files in sorted(trees.items()):
        if len(files) == 1 and files[0].path == tree:
            sf = files[0]
            m = TEMPLATE_MARK.search(sf.text or "")
            position = sf.span(m.start(), m.end()) if m is not None else None
            kw = {"position": position} if position is not None else {}
            kw["path"] = tree
            kind = KIND_WORDS.get(sf.kind, sf.kind)
            yield Problem(f"`{tree}` is a template (`{m.group(0) if m else '{{ }}'}`): not judged as {kind}; "
                          "check the rendered file instead", **kw)
        else:
            n = len(files)
            yield Problem(f"`{tree}/` is a template tree ({n} file{'s' if n != 1 else ''} with Jinja/cookiecutter "
                          "markers in their path): not judged; check a project rendered from it instead",
                          path=directory_path(tree))
