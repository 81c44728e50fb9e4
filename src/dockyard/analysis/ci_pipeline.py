"""What the CI pipelines do, from GitHub Actions workflows and GitLab CI files, with positions.

An image build is found wherever CI runs one:

* a ``docker/build-push-action`` step (its ``with:``; Depot's and Blacksmith's take the same inputs), also in
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
arguments are not judged. Each image a build makes carries its build arguments, tags, platforms and labels, and
the Dockerfile and context it is built from, relative to the repository root (:func:`builds_of` finds the builds
of one Dockerfile).
"""

from __future__ import annotations

import itertools
import posixpath
import shlex

from dockyard import TYPE_CHECKING
from dockyard.analysis.ci_model import (EXPR_RE, BuildStep, Image, Pipeline, Step, input_values, is_expression, lines,
                                        scalar, substitute)
from dockyard.model import Position
from dockyard.source import FileKind

if TYPE_CHECKING:  # pragma: no cover
    from dockyard.analysis.ci_commands import Reader

MAX_VARIANTS = 16  # matrix combinations read for one step


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
        name, *inner = key[len("matrix."):].split(".")  # `matrix.image.name`: the field of each `image:` value
        values = matrix.get(name)
        found = [values] if values is not None and not isinstance(values, list) else list(values or [])
        for extra in matrix.get("include") or []:
            if isinstance(extra, dict) and name in extra and extra[name] not in found:
                found.append(extra[name])
        for field in inner:
            found = [v[field] for v in found if isinstance(v, dict) and field in v]
        if not found:
            return None if is_expression(matrix.get(name)) else [{}]
        dims.append([(key, scalar(v)) for v in found if not isinstance(v, (dict, list))])
    combos = [dict(c) for c in itertools.islice(itertools.product(*dims), MAX_VARIANTS)]
    return combos or [{}]


def _used_names(value) -> set[str]:
    found: set[str] = set()
    if isinstance(value, str):
        found.update(m.group(1).strip() for m in EXPR_RE.finditer(value))
    elif isinstance(value, list):
        for v in value:
            found |= _used_names(v)
    elif isinstance(value, dict):
        for v in value.values():
            found |= _used_names(v)
    return found


def _merge_variants(builds: list[BuildStep]) -> BuildStep:
    """The builds of one step's matrix variants as one: every platform any variant builds (a per-platform
    matrix is a multi-platform build), tags of any variant, build arguments and labels every variant passes; the
    variants are kept, for what each builds (a matrix over Dockerfiles)."""
    first = builds[0]
    if len(builds) == 1:
        return first
    platforms = list(dict.fromkeys(p for b in builds for p in b.platforms))
    tags = list(dict.fromkeys(t for b in builds for t in b.tags))
    keys = set(first.build_args)
    for b in builds[1:]:
        keys &= set(b.build_args)
    args = {k: v for k, v in first.build_args.items() if k in keys}
    images = [i for b in builds for i in b.images]
    labels = [label for label in (images[0].labels if images else []) if all(label in i.labels for i in images)]
    built = {(i.dockerfile, i.context) for i in images}
    dockerfile, context = next(iter(built)) if len(built) == 1 else ("", None)
    return BuildStep(first.path, first.position, first.job,
                     [Image("", args, tags, platforms, labels, dockerfile, context)], first.via, first.source,
                     any(b.opaque for b in builds), any(b.pushes for b in builds), first.identity, builds)


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


def _workflow_steps(reader: Reader, pl: Pipeline, sf, root: dict, callers: dict[str, list[dict]]) -> None:
    jobs = root.get("jobs")
    if not isinstance(jobs, dict):
        return
    on = root.get("on")
    call = on.get("workflow_call") if isinstance(on, dict) else None
    declared = call.get("inputs") if isinstance(call, dict) else None
    input_sets = [input_values(declared, w) for w in callers.get(sf.path, [])] or [input_values(declared, {})]
    workflow_env = _plain_env(root.get("env"))
    defaults = root.get("defaults")
    default_dir = ""
    if isinstance(defaults, dict) and isinstance(defaults.get("run"), dict):
        default_dir = str(defaults["run"].get("working-directory") or "")
    for job_name, job in jobs.items():
        if not isinstance(job, dict):
            continue
        needs = job.get("needs")
        pl.job_needs[str(job_name)] = lines(needs) if needs else []
        job_env = pl.job_env[f"{sf.path}\0{job_name}"] = {**workflow_env, **_plain_env(job.get("env"))}
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
            # `${{ env.X }}` in a step's inputs: the workflow's, the job's and the step's own `env:` (values that
            # are themselves expressions stay unknown)
            env = {f"env.{k}": v for k, v in {**job_env, **_plain_env(plain.get("env"))}.items() if "${{" not in v}
            contexts = [dict(**env, **m, **i) for m in (variants or [{}]) for i in input_sets][:MAX_VARIANTS]
            for context in contexts:
                s = substitute(plain, context)
                with_ = s.get("with") if isinstance(s.get("with"), dict) else {}
                workdir = _folder(str(s.get("working-directory") or job_dir))
                step = Step(sf.path, spos, str(job_name), str(s.get("uses") or ""), dict(with_),
                            str(s.get("run") or ""), workdir, str(s.get("id") or ""))
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


def _gitlab_steps(reader: Reader, pl: Pipeline, sf, root: dict) -> None:
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
        files = [sf for sf in project.files if sf.kind in (FileKind.WORKFLOW, FileKind.GITLAB_CI) and sf.text is not None]
        if not files:
            return pl
        from dockyard.analysis.ci_commands import Reader  # lazy: a project without CI files runs without it
        from dockyard.parsers.yamlpos import load_yaml  # lazy: nor does it parse YAML when it has no compose file

        reader = Reader(project, pl)
        for sf in files:
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


def real_path(project, rel: str) -> str:
    """``rel`` with the symbolic links on its way resolved, when it stays inside the checked tree: a root
    `Dockerfile` that links to `docker/Dockerfile` is that file (git checks the link out as one)."""
    try:
        target = (project.root / rel).resolve(strict=True)
        return target.relative_to(project.root).as_posix()
    except (OSError, RuntimeError, ValueError, AttributeError):
        return rel


def builds_of(project, dockerfile: str) -> list[tuple[BuildStep, Image]]:
    """The CI builds of the Dockerfile at ``dockerfile`` and the image each makes of it (each matrix variant on its
    own), the Dockerfile a build names and this one compared once their symbolic links are resolved."""

    def compute() -> dict[str, list[tuple[BuildStep, Image]]]:
        out: dict[str, list[tuple[BuildStep, Image]]] = {}
        for b in pipeline(project).builds:
            for variant in b.variants or [b]:
                for image in variant.images:
                    if image.dockerfile:
                        out.setdefault(real_path(project, image.dockerfile), []).append((variant, image))
        return out

    return project.memo("ci.builds_of", compute).get(real_path(project, dockerfile), [])


def quote(text: str) -> str:
    return shlex.quote(text)
