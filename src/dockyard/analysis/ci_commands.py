"""The image builds in the commands of one CI step: ``docker build``, ``docker buildx build|bake``, ``docker compose
build`` and the build actions, followed into the scripts, make targets and local actions of the repository that
a step runs (see :mod:`dockyard.analysis.ci_pipeline`)."""

from __future__ import annotations

import posixpath
import re

from dockyard.analysis.ci_model import BuildStep, Image, Pipeline, Step, input_values, lines, substitute
from dockyard.analysis.ci_pushes import VAR_ONLY as _VAR_ONLY, opaque_word as _opaque_word, record_push as _record_push
from dockyard.parsers.shell import parse_shell
from dockyard.parsers.yamlpos import load_yaml

MAX_DEPTH = 4  # scripts calling scripts, make targets, local actions
# actions that build an image from `with:` inputs of the same names (`file`, `context`, `push`, `tags`, `build-args`,
# `platforms`, `labels`, `outputs`): Depot's and Blacksmith's take docker's inputs and build on their own builders
BUILD_PUSH_ACTIONS = ("docker/build-push-action", "depot/build-push-action", "useblacksmith/build-push-action")
BAKE_ACTIONS = ("docker/bake-action", "depot/bake-action")


def _self_push(with_: dict) -> bool:
    """Whether a `docker/build-push-action` step pushes its image: `push:` is true or an expression (a push on
    some events), or an output goes to a registry. Without either (the action's default) the image stays on the
    runner; a later `docker push` of one of its tags publishes it."""
    push = str(with_.get("push", "")).strip().lower()
    if push not in ("", "false"):
        return True
    outputs = " ".join(lines(with_.get("outputs")))
    return "type=registry" in outputs or "push=true" in outputs


def _publishes(with_: dict) -> bool:
    """Whether a build step produces an image: it tags one, pushes one (`push:`, or an `outputs:` that pushes, by
    digest too), or builds the `production` target."""
    return bool(with_.get("tags")) or _self_push(with_) or str(with_.get("target", "")) == "production"


def _repo_path(folder: str, path: str) -> str | None:
    """``path`` (relative to ``folder``, itself relative to the repository root) relative to the root; None when it
    cannot be read (a variable, an expression, a URL) or leaves the repository."""
    if not path or "$" in path or "{{" in path or "://" in path or path.startswith("git@") or path.startswith("/"):
        return None
    clean = posixpath.normpath(posixpath.join(folder, path))
    if clean == ".":
        return ""
    return None if clean == ".." or clean.startswith("../") else clean


def _built_from(folder: str, context: str, file: str, git_context: bool = False) -> tuple[str, str | None]:
    """(Dockerfile, context folder) of a build run in ``folder`` with ``context`` and ``-f file``: the Dockerfile is
    relative to where the build runs (``docker build -f``), or to the context of a Git context, and defaults to
    ``Dockerfile`` in the context; "" and None for what cannot be read."""
    where = _repo_path(folder, context) if context else folder
    if where is None:
        return "", None
    if not file:
        return posixpath.join(where, "Dockerfile") if where else "Dockerfile", where
    return _repo_path(where if git_context else folder, file) or "", where


def _action_build(with_: dict) -> tuple[str, str | None]:
    """(Dockerfile, context folder) of a `docker/build-push-action` step: without `context` it builds the Git
    context of the repository (its root; `{{defaultContext}}:sub` a folder of it), and `file` is relative to the
    workspace (the root), or to a Git context's folder."""
    context = str(with_.get("context") or "").strip()
    file = str(with_.get("file") or "").strip()
    if not context or context == "{{defaultContext}}":
        return _built_from("", "", file, git_context=True)
    if context.startswith("{{defaultContext}}:"):
        return _built_from("", context.split(":", 1)[1], file, git_context=True)
    return _built_from("", context, file)


def _compose_built_from(entry: dict) -> tuple[str, str | None]:
    """(Dockerfile, context folder) of a compose service's build: the context is relative to the compose file's
    folder, the Dockerfile to the context."""
    where = _repo_path(entry.get("folder", ""), entry["context"] or ".")
    if where is None:
        return "", None
    return _repo_path(where, entry["file"] or "Dockerfile") or "", where


def _label_lines(value) -> list[str]:
    """The `labels:` input of a build action: one label a line (a value may hold commas)."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


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


class Reader:
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
            self._docker(step, words[1:], source, workdir)
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

    def _docker(self, step: Step, words: list, source: str, workdir: str = "") -> None:
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
        labels: list[str] = []
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
                elif name == "--label":
                    labels.append(val)
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
        dockerfile, context = ("", None) if "-" in (what["file"], what["context"]) else \
            _built_from(workdir, what["context"] or ".", what["file"])
        self._add(step, [Image("", build_args, tags, platforms, labels, dockerfile, context)], "docker build", source,
                  opaque, pushes, "|".join(what.values()))

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
        command = texts[k] if k < len(texts) else ""
        if command not in ("build", "up", "create", "run") or (command != "build" and "--no-build" in texts[k:]):
            return  # `up`, `create` and `run` build what a service's image lacks, and a runner has no image
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
                entry = merged.setdefault(str(name), {"args": {}, "tags": [], "platforms": [], "build": False,
                                                      "labels": [], "context": None, "file": None})
                build = svc.get("build")
                if build is not None:
                    entry["build"] = True
                    entry["folder"] = posixpath.dirname(rel)
                if isinstance(build, str):
                    entry["context"] = build
                elif isinstance(build, dict):
                    if isinstance(build.get("context"), str):
                        entry["context"] = build["context"]
                    if isinstance(build.get("dockerfile"), str):
                        entry["file"] = build["dockerfile"]
                    labels = build.get("labels")
                    if isinstance(labels, dict):
                        entry["labels"] += [f"{k}={'' if v is None else v}" for k, v in labels.items()]
                    elif isinstance(labels, list):
                        entry["labels"] += [str(item) for item in labels]
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
        if command != "build":  # the words after `up`/`run` are services, flag values and a command: keep services
            services = [n for n in services if n in merged][: 1 if command == "run" else None]
        images = [Image(name, {**e["args"], **cli_args}, e["tags"], e["platforms"], e["labels"],
                        *_compose_built_from(e)) for name, e in merged.items()
                  if e["build"] and (not services or name in services)]
        if images or opaque:
            self._add(step, images, f"docker compose {command}", source, opaque, pushes,
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
        inputs = input_values(root.get("inputs"), with_)
        runs = root.get("runs")
        steps = runs.get("steps") if isinstance(runs, dict) else None
        if not isinstance(steps, list):
            return
        for inner in steps:
            if not isinstance(inner, dict):
                continue
            inner = substitute(dict(inner), inputs)
            uses = str(inner.get("uses") or "")
            inner_with = inner.get("with") if isinstance(inner.get("with"), dict) else {}
            if uses.startswith("./"):
                self.action(step, uses, inner_with, depth + 1)
            elif uses:
                self.uses_step(Step(step.path, step.position, step.job, uses, dict(inner_with),
                                    id=str(inner.get("id") or "")), sf.path)
            if inner.get("run"):
                self.script(step, str(inner["run"]), sf.path, step.workdir, depth + 1)

    def uses_step(self, step: Step, source: str = "") -> None:
        if step.uses.startswith(BUILD_PUSH_ACTIONS):
            if not _publishes(step.with_):
                return  # a build that neither tags nor pushes (e.g. a scan stage) produces no image
            args = {}
            for line in lines(step.with_.get("build-args")):
                k, _, v = line.partition("=")
                args[k.strip()] = v.strip()
            image = Image("", args, lines(step.with_.get("tags")), lines(step.with_.get("platforms")),
                          _label_lines(step.with_.get("labels")), *_action_build(step.with_))
            identity = "|".join(str(step.with_.get(k) or "") for k in ("file", "context", "target"))
            self._add(step, [image], "build-push-action", source or step.path, pushes=_self_push(step.with_),
                      identity=identity)
        elif step.uses.startswith(BAKE_ACTIONS):
            push = str(step.with_.get("push", "")).strip().lower() not in ("", "false")
            self._add(step, [], "docker buildx bake", source or step.path, opaque=True, pushes=push)
        elif step.uses.startswith("docker/metadata-action"):
            self.pl.metadata_tags.append((step, lines(step.with_.get("tags"))))
