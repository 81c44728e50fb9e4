"""What the CI pipelines do, from GitHub Actions workflows and GitLab CI files, with positions.

Build steps are ``docker/build-push-action`` steps and ``docker build`` / ``docker buildx build`` commands in
``run`` steps (GitHub) or ``script`` lines (GitLab); shell commands are read with the shell parser.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from dockyard.model import Position
from dockyard.source import FileKind


@dataclass
class Step:
    path: str
    position: Position
    job: str
    uses: str = ""
    with_: dict = field(default_factory=dict)
    run: str = ""


@dataclass
class BuildStep:
    path: str
    position: Position
    job: str
    build_args: dict[str, str]
    tags: list[str]
    platforms: list[str]
    via: str  # "build-push-action" | "docker build" | "metadata"


@dataclass
class Pipeline:
    files: list = field(default_factory=list)  # SourceFiles of CI configuration
    steps: list[Step] = field(default_factory=list)
    builds: list[BuildStep] = field(default_factory=list)
    metadata_tags: list[tuple[Step, list[str]]] = field(default_factory=list)
    job_needs: dict[str, list[str]] = field(default_factory=dict)
    docs: list = field(default_factory=list)  # (SourceFile, YamlDocument)


def _lines(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    out = []
    for part in str(value).replace(",", "\n").splitlines():
        part = part.strip()
        if part:
            out.append(part)
    return out


def _docker_build_commands(script: str) -> list[list[str]]:
    from dockyard.parsers.shell import parse_shell

    import re

    # CI expressions (`${{ github.sha }}`) are substituted before the shell runs: keep each as one word
    script = re.sub(r"\$\{\{(.*?)\}\}", lambda m: "{{" + m.group(1).replace(" ", "") + "}}", script)
    found = []
    for cmd in parse_shell(script).commands:
        args = list(cmd.args)
        if cmd.name == "docker" and (args[:1] == ["build"] or args[:2] == ["buildx", "build"] or args[:2] == ["image", "build"]):
            found.append(args)
    return found


def _flags(args: list[str], names: tuple[str, ...]) -> list[str]:
    out = []
    for i, a in enumerate(args):
        for n in names:
            if a == n and i + 1 < len(args):
                out.append(args[i + 1])
            elif a.startswith(n + "="):
                out.append(a.split("=", 1)[1])
    return out


def _publishes(with_: dict) -> bool:
    push = str(with_.get("push", "")).strip().lower()
    return bool(with_.get("tags")) or push not in ("", "false") or str(with_.get("target", "")) == "production"


def pipeline(project) -> Pipeline:
    def compute() -> Pipeline:
        from dockyard.parsers.yamlpos import load_yaml

        pl = Pipeline()
        for sf in project.files:
            if sf.kind not in (FileKind.WORKFLOW, FileKind.GITLAB_CI) or sf.text is None:
                continue
            pl.files.append(sf)
            doc = project.parsed(sf, load_yaml)
            pl.docs.append((sf, doc))
            root = getattr(doc, "root", None)
            if not isinstance(root, dict):
                continue
            if sf.kind == FileKind.WORKFLOW:
                jobs = root.get("jobs")
                if not isinstance(jobs, dict):
                    continue
                for job_name, job in jobs.items():
                    if not isinstance(job, dict):
                        continue
                    needs = job.get("needs")
                    pl.job_needs[str(job_name)] = _lines(needs) if needs else []
                    steps = job.get("steps")
                    if not isinstance(steps, list):
                        continue
                    for idx, step in enumerate(steps):
                        if not isinstance(step, dict):
                            continue
                        pos = steps.item_pos(idx) if hasattr(steps, "item_pos") else None
                        pos = Position(pos.line, pos.column) if pos else Position(1, 1)
                        with_ = step.get("with") if isinstance(step.get("with"), dict) else {}
                        pl.steps.append(Step(sf.path, pos, str(job_name), str(step.get("uses") or ""), dict(with_),
                                             str(step.get("run") or "")))
            else:
                for job_name, job in root.items():
                    if not isinstance(job, dict) or str(job_name).startswith("."):
                        continue
                    needs = job.get("needs")
                    pl.job_needs[str(job_name)] = [n if isinstance(n, str) else str(n.get("job", "")) for n in needs] \
                        if isinstance(needs, list) else []
                    for key in ("before_script", "script"):
                        lines = job.get(key)
                        if isinstance(lines, str):
                            lines = [lines]
                        if not isinstance(lines, list):
                            continue
                        for idx, line in enumerate(lines):
                            pos = lines.item_pos(idx) if hasattr(lines, "item_pos") else None
                            pos = Position(pos.line, pos.column) if pos else Position(1, 1)
                            pl.steps.append(Step(sf.path, pos, str(job_name), run=str(line)))
                    artifacts = job.get("artifacts")
                    if isinstance(artifacts, dict) and artifacts.get("paths"):
                        pl.steps.append(Step(sf.path, Position(1, 1), str(job_name), uses="gitlab:artifacts",
                                             with_={"path": "\n".join(map(str, artifacts.get("paths") or []))}))
        for step in pl.steps:
            if step.uses.startswith("docker/build-push-action"):
                if not _publishes(step.with_):
                    continue  # a build that neither tags nor pushes (e.g. a scan stage) produces no image
                args = {}
                for line in _lines(step.with_.get("build-args")):
                    k, _, v = line.partition("=")
                    args[k.strip()] = v.strip()
                pl.builds.append(BuildStep(step.path, step.position, step.job, args, _lines(step.with_.get("tags")),
                                           _lines(step.with_.get("platforms")), "build-push-action"))
            elif step.uses.startswith("docker/metadata-action"):
                pl.metadata_tags.append((step, _lines(step.with_.get("tags"))))
            if step.run and "docker" in step.run:
                for args in _docker_build_commands(step.run):
                    bargs = {}
                    for item in _flags(args, ("--build-arg",)):
                        k, _, v = item.partition("=")
                        bargs[k] = v
                    platforms = [p for item in _flags(args, ("--platform",)) for p in item.split(",")]
                    pl.builds.append(BuildStep(step.path, step.position, step.job, bargs,
                                               _flags(args, ("-t", "--tag")), platforms, "docker build"))
        return pl

    return project.memo("ci.pipeline", compute)


def quote(text: str) -> str:
    return shlex.quote(text)
