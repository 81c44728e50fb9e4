"""DF007: an absolute WORKDIR is set before anything relies on the working directory."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard.analysis.shell import pip_call, run_script
from dockyard.analysis.stages import arg_tokens, position, stage_label
from dockyard.images import parse_ref
from dockyard.model import Problem
from dockyard.projects import own_images
from dockyard.rules.base import Context, Scope, rule


def _absolute(path: str) -> bool:
    p = path.strip("\"'")
    return p.startswith(("/", "$")) or (len(p) > 2 and p[1] == ":" and p[2] in "\\/")


def _relative_word(text: str) -> bool:
    return text == "." or text.startswith(("./", "../")) or text == ".."


def _run_relies(df, ins):
    """The first word of a RUN that names a path relative to the working directory, or None."""
    rs = run_script(df, ins)
    if rs is None:
        return None, None
    if any(c.name in ("cd", "pushd") for c in rs.commands):
        return None, None
    for cmd in rs.commands:
        call = pip_call(rs, cmd)
        if call is not None:
            for opt in call.values("--requirement", "--constraint"):
                if opt.value and not _absolute(opt.value):
                    return rs, (opt, call)
            for w in call.targets:
                if _relative_word(w.text.split("[", 1)[0]):
                    return rs, w
            for opt in call.values("--editable"):
                if _relative_word(opt.value.split("[", 1)[0]):
                    return rs, (opt, call)
            continue
        words = cmd.argv[1:]
        if cmd.name == "ln" and any(w.text == "--symbolic" or (w.text[:1] == "-" and w.text[1:2] != "-" and
                                                               "s" in w.text[1:]) for w in words):
            # `ln -s ../lib/x /usr/local/bin/x`: a symbolic link's target is relative to the link's folder
            operands = [w for w in words if not w.text.startswith("-")]
            words = operands[-1:] if len(operands) > 1 else []
        for w in words:
            if _relative_word(w.text):
                return rs, w
    return None, None


def _root_reads(df, stage) -> str:
    """What a WORKDIR may move: later `COPY --from=<stage>` of a file at `/` (the working directory the stage
    builds in today), which must then be read from the new directory if the stage wrote it there."""
    names = {str(stage.index)} | ({stage.name} if stage.name else set())
    hits = []
    for ins in df.instructions:
        f = ins.flag("from") if ins.keyword in ("COPY", "ADD") else None
        if f is None or (f.value or "").lower() not in names:
            continue
        for src in ins.value[:-1]:
            if src.startswith("/") and src.count("/") == 1 and len(src) > 1:
                hits.append(f"`{src}` in the `{ins.keyword} --from={f.value}` on line {ins.span.line}")
    return (f" (then check {', '.join(hits)}: what the stage writes to its working directory moves to `/app`)"
            if hits else "")


@rule(
    code="DF007",
    name="workdir",
    scope=Scope.DOCKERFILE,
    summary="An absolute `WORKDIR` is set before the first COPY/ADD/RUN that uses relative paths",
    why="Without a WORKDIR, `COPY . .` and `pip install -r requirements.txt` work in `/`, mixing the app with "
    "the system tree; a relative WORKDIR depends on whatever the base image chose.",
    standard=("DF-WORKDIR",),
    section="Working Directory",
    severity="error",
    example="FROM python:3.12-slim\nCOPY . .\n",
    use_instead="FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n",
    notes="A WORKDIR set in the stage a stage is built FROM counts, and so does the project's own image's (an "
    "image FROM one the project's CI or compose builds and names, whose WORKDIR is set where it is built). A RUN "
    "that changes directory itself (`cd`) "
    "is not judged, nor is a `COPY --from` of what another stage built (`COPY --from=builder /out/server .`, the "
    "single-binary image's idiom): it brings no source tree to mix with the system's.",
)
def check(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None:
        return
    state: dict[int, bool] = {}
    own = own_images(ctx.project) if ctx.project is not None else frozenset()
    for stage in df.stages:
        # FROM the project's own image (`FROM langchain/open-gpts:latest`): its WORKDIR is set where it is built
        has_workdir = state.get(stage.parent, False) if stage.parent is not None else (
            bool(own) and "$" not in stage.base_resolved and parse_ref(stage.base_resolved).repository in own)
        reported = False
        for ins in stage.instructions:
            kw = ins.keyword
            if kw == "WORKDIR":
                toks = arg_tokens(df, ins)
                if ins.value and not _absolute(ins.value[0]) and toks:
                    yield Problem(
                        f"`WORKDIR {ins.value[0]}` is relative, so it depends on the previous working directory; "
                        f"use an absolute path such as `/app`",
                        position(df, toks[0][1], toks[-1][2]),
                    )
                has_workdir = True
                continue
            if has_workdir or reported:
                continue
            if kw in ("COPY", "ADD") and len(ins.value) >= 2 and not ins.json_form and ins.flag("from") is None:
                dest = ins.value[-1]
                if not _absolute(dest):
                    toks = arg_tokens(df, ins)
                    where = position(df, toks[-1][1], toks[-1][2]) if toks else position(
                        df, ins.args_span.start, ins.args_span.end)
                    yield Problem(
                        f"`{kw} ... {dest}` copies relative to the working directory, but stage "
                        f"{stage_label(stage)} sets no WORKDIR before it; add `WORKDIR /app` first"
                        f"{_root_reads(df, stage)}",
                        where,
                    )
                    reported = True
            elif kw == "RUN":
                rs, hit = _run_relies(df, ins)
                if hit is None:
                    continue
                if isinstance(hit, tuple):
                    opt, call = hit
                    where, shown = call.value_position(opt), opt.value
                else:
                    where, shown = rs.word_position(hit), hit.text
                yield Problem(
                    f"`RUN` uses the relative path `{shown}`, but stage {stage_label(stage)} sets no WORKDIR "
                    f"before it; add `WORKDIR /app` first{_root_reads(df, stage)}",
                    where,
                )
                reported = True
        state[stage.index] = has_workdir
