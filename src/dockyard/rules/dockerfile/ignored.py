"""COPY/ADD sources are not excluded from the build context by its .dockerignore."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.build_contexts import contexts_of_dockerfile, ignore_file, ignore_model
from dockyard.analysis.stages import span_position
from dockyard.model import Problem
from dockyard.rules.base import Context, Scope, rule

GLOB = frozenset("*?[")


def _sources(ins) -> list[str]:
    if ins.heredocs or ins.flag("from") is not None or len(ins.value) < 2:
        return []
    out = []
    for src in ins.value[:-1]:
        if "://" in src or src.startswith("git@") or "$" in src or any(c in src for c in GLOB):
            continue
        out.append(src)
    return out


def _source_position(ctx, ins, src: str):
    text = ctx.model.text
    i = text.find(src, ins.args_span.start, ins.span.end)
    if i < 0:
        return span_position(ins.args_span)
    return ctx.file.span(i, i + len(src))


@rule(
    code="DF060", name="copy-source-ignored", scope=Scope.DOCKERFILE, purposes=roles.BUILT,
    summary="No COPY/ADD source is excluded by the build context's .dockerignore",
    why="An excluded source is never sent to the builder: the build fails with `not found`, or a folder is "
        "copied without the files the app needs, which only shows at runtime.",
    standard=("DF-COPY-IGNORED", "DI-NEEDED"), section=".dockerignore File", severity="error",
    example={"Dockerfile": "FROM python:3.12-slim\nCOPY gunicorn_config.py ./\n", ".dockerignore": "*.py\n"},
    use_instead={"Dockerfile": "FROM python:3.12-slim\nCOPY gunicorn_config.py ./\n",
                 ".dockerignore": "*.py\n!gunicorn_config.py\n"},
    notes="Docker's own matching is used (moby/patternmatcher: root-anchored patterns, `!` exceptions, parent "
          "folders). Sources with wildcards or variables, `--from` copies and URLs are not judged. The context is "
          "the Dockerfile's folder, or the compose `build.context` that builds it; `<Dockerfile>.dockerignore` "
          "takes precedence over `.dockerignore`.",
)
def copy_source_ignored(ctx: Context) -> Iterator[Problem]:
    from dockyard.parsers.dockerignore import clean_path  # lazy: `env check` runs without it
    project = ctx.project
    checked = []
    for c in contexts_of_dockerfile(project, ctx.file.path):
        sf = ignore_file(project, c)
        ig = ignore_model(project, sf)
        if ig is not None:
            checked.append((sf, ig))
    if not checked:
        return
    for ins in ctx.model.instructions:
        if ins.keyword not in ("COPY", "ADD"):
            continue
        for src in _sources(ins):
            rel = clean_path(src).lstrip("/")
            if rel in ("", "."):
                continue
            for sf, ig in checked:
                pat = ig.excluding_pattern(rel)
                if pat is None:
                    continue
                yield Problem(f"`{ins.keyword}` source `{src}` is excluded by `{pat.text}` ({sf.path} line {pat.line}): "
                              "it is not in the build context", _source_position(ctx, ins, src))
                break
