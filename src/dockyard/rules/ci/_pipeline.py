"""What the CI pipelines do, from GitHub Actions workflows and GitLab CI files, with positions.

An image build is found wherever CI runs one:

* a ``docker/build-push-action`` step (its ``with:``; ``depot/build-push-action`` takes the same inputs), also in
  a matrix job, whose variants are read with the matrix values they get (a per-platform matrix builds every
  platform it lists);
* ``docker build`` / ``docker buildx build`` / ``docker image build`` / ``docker buildx bake`` and
  ``docker compose build`` (its services' ``build:`` from the compose files it names) in a ``run`` step or a
  GitLab ``script`` line;
* the same commands inside what a step runs: a script of the repository (``./scripts/build.sh``,
  ``bash scripts/build-push.sh``, ``source x.sh``), a Makefile target's recipe (``make build``), a local
  composite action (``uses: ./.github/actions/build``) and a local reusable workflow (``uses:
  ./.github/workflows/build.yml``), whose ``inputs`` are read from the caller's ``with:``.

``${{ matrix.* }}`` and ``${{ inputs.* }}`` are replaced by the values they take. A step whose command is an
expression that cannot be resolved (a matrix computed by another job) or a remote reusable workflow is
*unknown*: nothing can be said about whether it builds an image. A build whose options come from something
the analysis cannot read (an array of arguments, a script's ``"$@"``) is *opaque*: it builds an image, but its
arguments are not judged.
"""

from __future__ import annotations

import itertools
import posixpath
import re
import shlex

from dockyard.model import Position
from dockyard.parsers.shell import parse_shell
from dockyard.parsers.yamlpos import load_yaml
from dockyard.records import field, record
from dockyard.regex import lazy_compile
from dockyard.rules.ci._pushes import (VAR_ONLY as _VAR_ONLY, JobPushes, destinations, opaque_word as _opaque_word,
                                       record_push as _record_push, single_arch_only)
from dockyard.source import FileKind

MAX_DEPTH = 4  # scripts calling scripts, make targets, local actions
# actions that build an image from `with:` inputs of the same names (`file`, `context`, `push`, `tags`, `build-args`,
# `platforms`, `labels`, `outputs`): Depot's take docker's inputs and build on Depot's builders
BUILD_PUSH_ACTIONS = ("docker/build-push-action", "depot/build-push-action")
BAKE_ACTIONS = ("docker/bake-action", "depot/bake-action")
MAX_VARIANTS = 16  # matrix combinations read for one step


@record
class Step:
    path: str
    position: Position
    job: str
    uses: str = ""
    with_: dict = field(default_factory=dict)
    run: str = ""
    workdir: str = ""  # the step's working directory, relative to the repository root


@record
class Image:
    """One image a build produces: a compose service's, or the build's own (``name`` "")."""

    name: str
    build_args: dict[str, str]
    tags: list[str]
    platforms: list[str]


@record
class BuildStep:
    path: str
    position: Position
    job: str
    images: list[Image]
    via: str  # "build-push-action" | "docker build" | "docker buildx bake" | "docker compose build"
    source: str = ""  # the file the build command is written in, when not the workflow itself
    opaque: bool = False  # its arguments cannot be read: not judged
    pushes: bool = False  # the build itself pushes (`--push`, `push: true`, `--output type=registry`)
    identity: str = ""  # what is built (Dockerfile, context, target; compose files and services): copies share it

    # the single-image view the rules used before images were split out
    @property
    def build_args(self) -> dict[str, str]:
        return self.images[0].build_args if self.images else {}

    @property
    def tags(self) -> list[str]:
        return self.images[0].tags if self.images else []

    @property
    def platforms(self) -> list[str]:
        return self.images[0].platforms if self.images else []

    @property
    def where(self) -> str:
        """How the message names what builds: `` (in `scripts/build.sh`)`` or ""."""
        return f" (in `{self.source}`)" if self.source else ""


@record
class Pipeline:
    files: list = field(default_factory=list)  # SourceFiles of CI configuration
    steps: list[Step] = field(default_factory=list)
    builds: list[BuildStep] = field(default_factory=list)
    metadata_tags: list[tuple[Step, list[str]]] = field(default_factory=list)
    job_needs: dict[str, list[str]] = field(default_factory=dict)
    docs: list = field(default_factory=list)  # (SourceFile, YamlDocument)
    unknown: list[Step] = field(default_factory=list)  # steps whose commands cannot be read
    job_pushes: dict[str, JobPushes] = field(default_factory=dict)  # by (path, job) key
    job_env: dict[str, dict[str, str]] = field(default_factory=dict)  # by (path, job) key: workflow and job `env:`

    def pushes_of(self, path: str, job: str) -> JobPushes:
        return self.job_pushes.setdefault(f"{path}\0{job}", JobPushes())

    def destinations(self, b: BuildStep) -> list[str] | None:
        """The references a build's image is pushed to ([] when it is not pushed; None when it may be pushed
        under a name that cannot be read): see :func:`dockyard.rules.ci._pushes.destinations`."""
        return destinations(b, self.job_pushes.get(f"{b.path}\0{b.job}"))

    def publishes(self, b: BuildStep) -> bool:
        """Whether a build's image leaves the runner (see :meth:`destinations`). A build that only feeds tests,
        a `docker run` or a local `docker compose up` is not a published image."""
        return self.destinations(b) != []

    def single_arch_only(self, b: BuildStep) -> bool:
        """Whether every reference a build is pushed to is in a registry whose platform runs one architecture."""
        found = self.destinations(b)
        return bool(found) and single_arch_only(found, self.job_env.get(f"{b.path}\0{b.job}", {}))

    @property
    def published(self) -> list[BuildStep]:
        return [b for b in self.builds if self.publishes(b)]


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


def _self_push(with_: dict) -> bool:
    """Whether a `docker/build-push-action` step pushes its image: `push:` is true or an expression (a push on
    some events), or an output goes to a registry. Without either (the action's default) the image stays on the
    runner; a later `docker push` of one of its tags publishes it."""
    push = str(with_.get("push", "")).strip().lower()
    if push not in ("", "false"):
        return True
    outputs = " ".join(_lines(with_.get("outputs")))
    return "type=registry" in outputs or "push=true" in outputs


def _publishes(with_: dict) -> bool:
    push = str(with_.get("push", "")).strip().lower()
    return bool(with_.get("tags")) or push not in ("", "false") or str(with_.get("target", "")) == "production"


# ----------------------------------------------------------------------------------------- expressions
_EXPR_RE = lazy_compile(r"\$\{\{\s*(.*?)\s*\}\}", re.DOTALL)
_WHOLE_EXPR_RE = lazy_compile(r"^\s*\$\{\{.*\}\}\s*$", re.DOTALL)


def is_expression(value) -> bool:
    """A value that is one GitHub expression and nothing else (``${{ fromJson(...) }}``)."""
    return isinstance(value, str) and _WHOLE_EXPR_RE.match(value) is not None


def _substitute(value, context: dict[str, str]):
    """``${{ matrix.x }}`` / ``${{ inputs.x }}`` replaced by the values ``context`` knows, in strings, lists and
    mappings; other expressions stay."""
    if isinstance(value, str):
        if "${{" not in value:
            return value

        def repl(m: re.Match) -> str:
            key = m.group(1).strip()
            return context[key] if key in context else m.group(0)

        return _EXPR_RE.sub(repl, value)
    if isinstance(value, list):
        return [_substitute(v, context) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, context) for k, v in value.items()}
    return value


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _matrix_variants(job: dict, used: set[str]) -> list[dict[str, str]] | None:
    """Each combination of the matrix keys a step uses (``matrix.os`` -> ``{"matrix.os": "linux"}``); None when
    the matrix is computed at run time."""
    strategy = job.get("strategy")
    if strategy is None:
        return [{}]
    if not isinstance(strategy, dict):
        return None
    matrix = strategy.get("matrix")
    if matrix is None:
        return [{}]
    if not isinstance(matrix, dict):
        return None
    keys = sorted(k for k in used if k.startswith("matrix."))
    dims = []
    for key in keys:
        name = key[len("matrix."):]
        values = matrix.get(name)
        found = [values] if values is not None and not isinstance(values, list) else list(values or [])
        for extra in matrix.get("include") or []:
            if isinstance(extra, dict) and name in extra and extra[name] not in found:
                found.append(extra[name])
        if not found:
            return None if is_expression(matrix.get(name)) else [{}]
        dims.append([(key, _scalar(v)) for v in found if not isinstance(v, (dict, list))])
    combos = [dict(c) for c in itertools.islice(itertools.product(*dims), MAX_VARIANTS)]
    return combos or [{}]


def _used_names(value) -> set[str]:
    found: set[str] = set()
    if isinstance(value, str):
        found.update(m.group(1).strip() for m in _EXPR_RE.finditer(value))
    elif isinstance(value, list):
        for v in value:
            found |= _used_names(v)
    elif isinstance(value, dict):
        for v in value.values():
            found |= _used_names(v)
    return found


# ---------------------------------------------------------------------------------------- shell scripts
_WRAPPERS = frozenset({"sudo", "env", "exec", "time", "command", "nice", "nohup"})
_RUNNERS = frozenset({"uv", "poetry", "pdm", "pipenv", "hatch", "rye"})  # `uv run CMD`
_SHELLS = frozenset({"bash", "sh", "zsh", "dash"})
# options of `docker build` that take a value: a variable there is that value, not more options
_BUILD_VALUE_OPTIONS = frozenset({
    "-t", "--tag", "--build-arg", "--platform", "-f", "--file", "--target", "--label", "--cache-from",
    "--cache-to", "--output", "-o", "--secret", "--ssh", "--progress", "--builder", "--network", "--iidfile",
    "--metadata-file", "--build-context", "--provenance", "--sbom", "--attest", "--annotation", "--shm-size",
    "--ulimit", "--add-host", "--allow", "--cgroup-parent", "--isolation", "--memory", "--memory-swap",
    "--cpu-shares", "--cpuset-cpus", "--cpuset-mems", "--cpu-period", "--cpu-quota", "--call", "--check",
})
_COMPOSE_GLOBAL_VALUE = frozenset({"-f", "--file", "-p", "--project-name", "--profile", "--env-file",
                                   "--project-directory", "--ansi", "--progress", "--parallel"})
_COMPOSE_DEFAULTS = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


def _words(cmd) -> list:
    """The command's words without wrappers (``sudo``, ``env A=1``), a leading variable (``$DRY docker``) and
    runners (``uv run``)."""
    argv = list(cmd.argv)
    while argv:
        name = posixpath.basename(argv[0].text)
        if _VAR_ONLY.match(argv[0].raw):
            argv = argv[1:]
        elif name in _WRAPPERS:
            argv = argv[1:]
            while argv and (argv[0].text.startswith("-") or "=" in argv[0].text):
                argv = argv[1:]
        elif name in _RUNNERS and len(argv) > 1 and argv[1].text == "run":
            argv = argv[2:]
            while argv and argv[0].text.startswith("-"):
                argv = argv[1:]
        else:
            break
    return argv


# programs that follow a variable used as a prefix (`$DRY docker ...`, `$SUDO make`)
_PROGRAMS = frozenset({"docker", "docker-compose", "make", "gmake", "bash", "sh", "zsh", "dash", "source", ".",
                       "podman", "buildah"})


class _Reader:
    """Finds the image builds in the commands of one CI step, following scripts, make targets and local
    actions of the repository."""

    def __init__(self, project, pl: Pipeline) -> None:
        self.project = project
        self.pl = pl

    # -- files of the repository
    def _load(self, rel: str):
        rel = posixpath.normpath(rel)
        if rel.startswith("..") or rel.startswith("/"):
            return None
        sf = self.project.file(rel) or self.project.include(rel)
        return sf if sf is not None and sf.text is not None else None

    def script(self, step: Step, text: str, source: str, workdir: str, depth: int) -> None:
        if depth > MAX_DEPTH or not text:
            return
        # CI expressions are substituted before the shell runs: keep each as one word
        text = re.sub(r"\$\{\{(.*?)\}\}", lambda m: "{{" + m.group(1).replace(" ", "") + "}}", text, flags=re.DOTALL)
        for cmd in parse_shell(text).commands:
            words = _words(cmd)
            if not words:
                continue
            if len(cmd.argv) > 1 and _VAR_ONLY.match(cmd.argv[0].raw) and words[0] is cmd.argv[1] and \
                    posixpath.basename(words[0].text) not in _PROGRAMS:
                # `$dcb web`: the program is in a variable; what it runs cannot be read
                if step not in self.pl.unknown:
                    self.pl.unknown.append(step)
                continue
            _record_push(self.pl, step, words)
            self._command(step, words, source, workdir, depth)

    def _command(self, step: Step, words: list, source: str, workdir: str, depth: int) -> None:
        name = posixpath.basename(words[0].text)
        args = [w.text for w in words[1:]]
        if name == "docker" and args[:1] == ["compose"]:
            self._compose(step, words[2:], source, workdir)
        elif name == "docker-compose":
            self._compose(step, words[1:], source, workdir)
        elif name == "docker":
            self._docker(step, words[1:], source)
        elif name in ("make", "gmake"):
            self._make(step, args, workdir, depth)
        elif name in _SHELLS and args[:1] == ["-c"] and len(args) > 1:
            self.script(step, args[1], source, workdir, depth + 1)
        elif name in _SHELLS or name in ("source", "."):
            target = next((a for a in args if not a.startswith("-")), None)
            if target is not None:
                self._run_file(step, target, workdir, depth)
        elif "/" in words[0].text or words[0].text.endswith(".sh"):
            self._run_file(step, words[0].text, workdir, depth)

    def _run_file(self, step: Step, target: str, workdir: str, depth: int) -> None:
        if "$" in target or "{{" in target:
            return
        rel = posixpath.normpath(posixpath.join(workdir, target))
        sf = self._load(rel)
        if sf is not None:
            self.script(step, sf.text, sf.path, workdir, depth + 1)  # a script runs where it is called

    def _make(self, step: Step, args: list[str], workdir: str, depth: int) -> None:
        from dockyard.parsers.makefile import parse_makefile  # lazy: `env check` runs without it

        folder, makefile, targets = workdir, None, []
        i = 0
        while i < len(args):
            a = args[i]
            if a in ("-C", "--directory") and i + 1 < len(args):
                folder = posixpath.join(folder, args[i + 1])
                i += 2
                continue
            if a in ("-f", "--file", "--makefile") and i + 1 < len(args):
                makefile = args[i + 1]
                i += 2
                continue
            if not a.startswith("-") and "=" not in a:
                targets.append(a)
            i += 1
        names = [makefile] if makefile else ["GNUmakefile", "makefile", "Makefile"]
        sf = next((s for s in (self._load(posixpath.join(folder, n)) for n in names) if s is not None), None)
        if sf is None:
            return
        mk = self.project.parsed(sf, parse_makefile)
        if not targets:
            first = min(mk.targets.values(), key=lambda t: t.line, default=None)
            targets = [first.name] if first is not None else []
        seen: set[str] = set()
        todo = list(targets)
        while todo and len(seen) < 32:
            t = todo.pop(0)
            if t in seen or t not in mk.targets:
                continue
            seen.add(t)
            target = mk.targets[t]
            todo.extend(target.prerequisites)
            for line in target.recipe:
                line = line.lstrip("@-+ \t").replace("$$", "$")
                self.script(step, line, sf.path, folder, depth + 1)

    def _docker(self, step: Step, words: list, source: str) -> None:
        texts = [w.text for w in words]
        k = 0
        if texts[:1] == ["buildx"]:
            k = 1
            while k < len(texts) and texts[k].startswith("-"):  # `docker buildx --builder x build`
                k += 2 if texts[k] in ("--builder",) else 1
            if texts[k:k + 1] == ["bake"]:
                self._add(step, [], "docker buildx bake", source, opaque=True)
                return
            if texts[k:k + 1] != ["build"]:
                return
        elif texts[:2] == ["image", "build"]:
            k = 1
        elif texts[:1] != ["build"]:
            return
        rest = words[k + 1:]
        build_args: dict[str, str] = {}
        tags: list[str] = []
        platforms: list[str] = []
        what = {"file": "", "context": "", "target": ""}
        opaque = pushes = False
        i = 0
        while i < len(rest):
            w = rest[i]
            t = w.text
            name, eq, val = t.partition("=")
            if t.startswith("-") and name in _BUILD_VALUE_OPTIONS and name not in ("--output", "-o"):
                if not eq:
                    if i + 1 >= len(rest):
                        break
                    val = rest[i + 1].text
                    i += 1
                if name in ("-f", "--file"):
                    what["file"] = val
                elif name == "--target":
                    what["target"] = val
                if name == "--build-arg":
                    key, _, value = val.partition("=")
                    build_args[key] = value
                elif name in ("-t", "--tag"):
                    tags.append(val)
                elif name == "--platform":
                    platforms += [p for p in val.split(",") if p]
            elif t == "--push":
                pushes = True
            elif name in ("--output", "-o"):
                if not eq and i + 1 < len(rest):
                    val = rest[i + 1].text
                    i += 1
                pushes = pushes or "type=registry" in val or "push=true" in val
            elif _opaque_word(w):
                opaque = True
            elif not t.startswith("-"):
                what["context"] = t
            i += 1
        self._add(step, [Image("", build_args, tags, platforms)], "docker build", source, opaque, pushes,
                  "|".join(what.values()))

    def _compose(self, step: Step, words: list, source: str, workdir: str) -> None:
        texts = [w.text for w in words]
        files: list[str] = []
        folder = workdir
        k = 0
        while k < len(texts) and texts[k].startswith("-"):
            name, eq, val = texts[k].partition("=")
            if name in _COMPOSE_GLOBAL_VALUE:
                if not eq:
                    val = texts[k + 1] if k + 1 < len(texts) else ""
                    k += 1
                if name in ("-f", "--file"):
                    files.append(val)
                elif name == "--project-directory":
                    folder = posixpath.join(workdir, val)
            k += 1
        if texts[k:k + 1] != ["build"]:
            return
        rest = words[k + 1:]
        cli_args: dict[str, str] = {}
        services: list[str] = []
        opaque = pushes = False
        i = 0
        while i < len(rest):
            t = rest[i].text
            if t == "--build-arg" and i + 1 < len(rest):
                key, _, value = rest[i + 1].text.partition("=")
                cli_args[key] = value
                i += 2
                continue
            if t.startswith("--build-arg="):
                key, _, value = t.split("=", 1)[1].partition("=")
                cli_args[key] = value
            elif t == "--push":
                pushes = True
            elif _opaque_word(rest[i]):
                opaque = True
            elif not t.startswith("-"):
                services.append(t)
            i += 1
        paths: list[str] = []
        if files:
            paths = [posixpath.normpath(posixpath.join(workdir, f)) for f in files if "$" not in f]
            opaque = opaque or any("$" in f for f in files)
        else:
            for name in _COMPOSE_DEFAULTS:
                rel = posixpath.normpath(posixpath.join(folder, name))
                if self._load(rel) is not None:
                    stem, ext = name.rsplit(".", 1)
                    paths = [rel, posixpath.normpath(posixpath.join(folder, f"{stem}.override.{ext}"))]
                    break
        merged: dict[str, dict] = {}
        for rel in paths:
            sf = self._load(rel)
            if sf is None:
                continue
            root = getattr(self.project.parsed(sf, load_yaml), "root", None)
            defined = root.get("services") if isinstance(root, dict) else None
            if not isinstance(defined, dict):
                continue
            for name, svc in defined.items():
                if not isinstance(svc, dict):
                    continue
                entry = merged.setdefault(str(name), {"args": {}, "tags": [], "platforms": [], "build": False})
                build = svc.get("build")
                if build is not None:
                    entry["build"] = True
                if isinstance(build, dict):
                    args = build.get("args")
                    if isinstance(args, dict):
                        entry["args"].update({str(a): "" if v is None else str(v) for a, v in args.items()})
                    elif isinstance(args, list):
                        for item in args:
                            key, _, value = str(item).partition("=")
                            entry["args"][key] = value
                    entry["tags"] += [str(t) for t in build.get("tags") or [] if isinstance(t, str)]
                    entry["platforms"] += [str(p) for p in build.get("platforms") or [] if isinstance(p, str)]
                if isinstance(svc.get("image"), str):
                    entry["tags"].insert(0, svc["image"])
        images = [Image(name, {**e["args"], **cli_args}, e["tags"], e["platforms"])
                  for name, e in merged.items() if e["build"] and (not services or name in services)]
        if images or opaque:
            self._add(step, images, "docker compose build", source, opaque, pushes,
                      "|".join(paths) + "|" + ",".join(i.name for i in images))

    def _add(self, step: Step, images: list[Image], via: str, source: str, opaque: bool = False,
             pushes: bool = False, identity: str = "") -> None:
        self.pl.builds.append(BuildStep(step.path, step.position, step.job, images, via,
                                        "" if source == step.path else source, opaque, pushes, identity))

    # -- steps of GitHub workflows and local actions
    def action(self, step: Step, ref: str, with_: dict, depth: int) -> None:
        """A local composite action (``uses: ./path``): its steps run in the calling job."""
        folder = posixpath.normpath(ref[2:] if ref.startswith("./") else ref)
        sf = self._load(posixpath.join(folder, "action.yml")) or self._load(posixpath.join(folder, "action.yaml"))
        if sf is None or depth > MAX_DEPTH:
            return
        root = getattr(self.project.parsed(sf, load_yaml), "root", None)
        if not isinstance(root, dict):
            return
        inputs = _input_values(root.get("inputs"), with_)
        runs = root.get("runs")
        steps = runs.get("steps") if isinstance(runs, dict) else None
        if not isinstance(steps, list):
            return
        for inner in steps:
            if not isinstance(inner, dict):
                continue
            inner = _substitute(dict(inner), inputs)
            uses = str(inner.get("uses") or "")
            inner_with = inner.get("with") if isinstance(inner.get("with"), dict) else {}
            if uses.startswith("./"):
                self.action(step, uses, inner_with, depth + 1)
            elif uses:
                self.uses_step(Step(step.path, step.position, step.job, uses, dict(inner_with)), sf.path)
            if inner.get("run"):
                self.script(step, str(inner["run"]), sf.path, step.workdir, depth + 1)

    def uses_step(self, step: Step, source: str = "") -> None:
        if step.uses.startswith(BUILD_PUSH_ACTIONS):
            if not _publishes(step.with_):
                return  # a build that neither tags nor pushes (e.g. a scan stage) produces no image
            args = {}
            for line in _lines(step.with_.get("build-args")):
                k, _, v = line.partition("=")
                args[k.strip()] = v.strip()
            image = Image("", args, _lines(step.with_.get("tags")), _lines(step.with_.get("platforms")))
            identity = "|".join(str(step.with_.get(k) or "") for k in ("file", "context", "target"))
            self._add(step, [image], "build-push-action", source or step.path, pushes=_self_push(step.with_),
                      identity=identity)
        elif step.uses.startswith(BAKE_ACTIONS):
            push = str(step.with_.get("push", "")).strip().lower() not in ("", "false")
            self._add(step, [], "docker buildx bake", source or step.path, opaque=True, pushes=push)
        elif step.uses.startswith("docker/metadata-action"):
            self.pl.metadata_tags.append((step, _lines(step.with_.get("tags"))))


def _input_values(declared, given: dict) -> dict[str, str]:
    """``inputs.x`` -> value, from what the caller passes and the declared defaults."""
    out: dict[str, str] = {}
    if isinstance(declared, dict):
        for name, spec in declared.items():
            if isinstance(spec, dict) and spec.get("default") is not None:
                out[f"inputs.{name}"] = _scalar(spec["default"])
    for name, value in (given or {}).items():
        if value is not None and not isinstance(value, (dict, list)):
            out[f"inputs.{name}"] = _scalar(value)
    return out


def _merge_variants(builds: list[BuildStep]) -> BuildStep:
    """The builds of one step's matrix variants as one: every platform any variant builds (a per-platform
    matrix is a multi-platform build), tags of any variant, build arguments every variant passes."""
    first = builds[0]
    if len(builds) == 1:
        return first
    platforms = list(dict.fromkeys(p for b in builds for p in b.platforms))
    tags = list(dict.fromkeys(t for b in builds for t in b.tags))
    keys = set(first.build_args)
    for b in builds[1:]:
        keys &= set(b.build_args)
    args = {k: v for k, v in first.build_args.items() if k in keys}
    return BuildStep(first.path, first.position, first.job, [Image("", args, tags, platforms)], first.via,
                     first.source, any(b.opaque for b in builds), any(b.pushes for b in builds), first.identity)


# ------------------------------------------------------------------------------------------- pipelines
def _folder(path: str) -> str:
    """A working directory relative to the repository root ("" for the root)."""
    clean = posixpath.normpath(path.strip() or ".")
    return "" if clean == "." else clean.removeprefix("./")


def _callers(project, docs) -> dict[str, list[dict]]:
    """Local reusable workflows -> the ``with:`` of each job that calls them."""
    out: dict[str, list[dict]] = {}
    for sf, doc in docs:
        root = getattr(doc, "root", None)
        jobs = root.get("jobs") if isinstance(root, dict) else None
        if not isinstance(jobs, dict):
            continue
        for job in jobs.values():
            if isinstance(job, dict) and isinstance(job.get("uses"), str) and job["uses"].startswith("./"):
                target = posixpath.normpath(job["uses"][2:].split("@", 1)[0])
                out.setdefault(target, []).append(dict(job.get("with") or {}) if isinstance(job.get("with"), dict) else {})
    return out


def _plain_env(env) -> dict[str, str]:
    """The string values of an `env:` (or GitLab `variables:`) mapping."""
    if not isinstance(env, dict):
        return {}
    return {str(k): str(v) for k, v in env.items() if isinstance(v, (str, int, float)) and not isinstance(v, bool)}


def _workflow_steps(reader: _Reader, pl: Pipeline, sf, root: dict, callers: dict[str, list[dict]]) -> None:
    jobs = root.get("jobs")
    if not isinstance(jobs, dict):
        return
    on = root.get("on")
    call = on.get("workflow_call") if isinstance(on, dict) else None
    declared = call.get("inputs") if isinstance(call, dict) else None
    input_sets = [_input_values(declared, w) for w in callers.get(sf.path, [])] or [_input_values(declared, {})]
    workflow_env = _plain_env(root.get("env"))
    defaults = root.get("defaults")
    default_dir = ""
    if isinstance(defaults, dict) and isinstance(defaults.get("run"), dict):
        default_dir = str(defaults["run"].get("working-directory") or "")
    for job_name, job in jobs.items():
        if not isinstance(job, dict):
            continue
        needs = job.get("needs")
        pl.job_needs[str(job_name)] = _lines(needs) if needs else []
        pl.job_env[f"{sf.path}\0{job_name}"] = {**workflow_env, **_plain_env(job.get("env"))}
        pos = jobs.key_pos(job_name) if hasattr(jobs, "key_pos") else None
        job_pos = Position(pos.line, pos.column) if pos else Position(1, 1)
        uses = job.get("uses")
        if isinstance(uses, str):
            if not uses.startswith("./"):  # a reusable workflow of another repository: not readable here
                pl.unknown.append(Step(sf.path, job_pos, str(job_name), uses=uses))
            continue  # a local one is read as a workflow of its own, with this job's inputs
        steps = job.get("steps")
        if not isinstance(steps, list):
            continue
        job_dir = default_dir
        jdefaults = job.get("defaults")
        if isinstance(jdefaults, dict) and isinstance(jdefaults.get("run"), dict):
            job_dir = str(jdefaults["run"].get("working-directory") or job_dir)
        for idx, raw in enumerate(steps):
            if not isinstance(raw, dict):
                continue
            spos = steps.item_pos(idx) if hasattr(steps, "item_pos") else None
            spos = Position(spos.line, spos.column) if spos else Position(1, 1)
            plain = dict(raw)
            variants = _matrix_variants(job, _used_names(plain))
            found_before = len(reader.pl.builds)
            contexts = [dict(**m, **i) for m in (variants or [{}]) for i in input_sets][:MAX_VARIANTS]
            for context in contexts:
                s = _substitute(plain, context)
                with_ = s.get("with") if isinstance(s.get("with"), dict) else {}
                workdir = _folder(str(s.get("working-directory") or job_dir))
                step = Step(sf.path, spos, str(job_name), str(s.get("uses") or ""), dict(with_),
                            str(s.get("run") or ""), workdir)
                if context is contexts[0]:
                    pl.steps.append(step)
                if step.run and (is_expression(step.run) or "${{" in step.run and variants is None):
                    pl.unknown.append(step)
                    continue
                if step.uses.startswith("./") and "/workflows/" not in step.uses:
                    reader.action(step, step.uses, step.with_, 1)
                elif step.uses:
                    reader.uses_step(step)
                if step.run:
                    reader.script(step, step.run, sf.path, workdir, 0)
            added = reader.pl.builds[found_before:]
            if len(added) > 1 and len(contexts) > 1:  # one step, several matrix variants: one build
                del reader.pl.builds[found_before:]
                reader.pl.builds.append(_merge_variants(added))


def _gitlab_steps(reader: _Reader, pl: Pipeline, sf, root: dict) -> None:
    global_env = _plain_env(root.get("variables"))
    for job_name, job in root.items():
        if not isinstance(job, dict) or str(job_name).startswith("."):
            continue
        pl.job_env[f"{sf.path}\0{job_name}"] = {**global_env, **_plain_env(job.get("variables"))}
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
                step = Step(sf.path, pos, str(job_name), run=str(line))
                pl.steps.append(step)
                reader.script(step, step.run, sf.path, "", 0)
        artifacts = job.get("artifacts")
        if isinstance(artifacts, dict) and artifacts.get("paths"):
            pl.steps.append(Step(sf.path, Position(1, 1), str(job_name), uses="gitlab:artifacts",
                                 with_={"path": "\n".join(map(str, artifacts.get("paths") or []))}))


def pipeline(project) -> Pipeline:
    def compute() -> Pipeline:
        pl = Pipeline()
        reader = _Reader(project, pl)
        for sf in project.files:
            if sf.kind not in (FileKind.WORKFLOW, FileKind.GITLAB_CI) or sf.text is None:
                continue
            pl.files.append(sf)
            pl.docs.append((sf, project.parsed(sf, load_yaml)))
        callers = _callers(project, [(sf, doc) for sf, doc in pl.docs if sf.kind == FileKind.WORKFLOW])
        for sf, doc in pl.docs:
            root = getattr(doc, "root", None)
            if not isinstance(root, dict):
                continue
            if sf.kind == FileKind.WORKFLOW:
                _workflow_steps(reader, pl, sf, root, callers)
            else:
                _gitlab_steps(reader, pl, sf, root)
        return pl

    return project.memo("ci.pipeline", compute)


def quote(text: str) -> str:
    return shlex.quote(text)
