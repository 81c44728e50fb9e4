"""Environments of a project: a name, its compose files (base + override) and its env file.

Conventions, per folder (the shallowest first), in order:
* ``docker-compose.base.yml`` (or ``.yaml``) + ``docker-compose.<env>.yml`` per environment;
* ``compose.yaml`` (``.yml``) + ``compose.<env>.yaml`` per environment;
* ``docker-compose.yml`` (``.yaml``) + ``docker-compose.<env>.yml`` per environment.
A ``docker-compose.<env>.override.yml`` next to an environment's override is added after it.

Compose's own default is an environment too: ``docker compose`` with no ``-f`` reads the first of
:data:`DEFAULT_FILES` in the folder and the first of :data:`DEFAULT_OVERRIDES` (the development override,
whatever the base's name). With an override, that pair is the environment ``default``, which is a development
environment; without per-environment overrides, a lone ``compose.yaml`` / ``docker-compose.yml`` (or the base
file) is the environment ``default`` on its own.

The env file of an environment ``<env>`` is ``.env.<env>`` (dockyard assumes ``--env-file .env.<env>``),
falling back to the template ``.env.<env>.example``; in a sub-folder, to the root's when the folder has
neither. When there is none, it is what compose reads without ``--env-file``: the folder's ``.env`` (its
template ``.env.example``, ``.env.template`` or ``.env.sample`` when only that exists); the ``default``
environment always uses that.
Environments of a sub-folder are named ``<folder>/<env>``.

An override mapping (``[tool.dockyard.environments]``: ``{name: {compose: [...], env_file: "..."}}``)
replaces discovery when given; a configured env file that does not exist falls back to its ``.example``.

``discover_environments(directory, overrides=None, files=None)``: with ``files`` (the project's discovered
files, relative POSIX paths) nothing is read from the disk and sub-folders are searched; without, the
folder ``directory`` itself is listed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from dockyard import TYPE_CHECKING
from dockyard.records import record
from dockyard.regex import lazy_compile
from dockyard.source import FileKind, classify

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

_EXTS = (".yml", ".yaml")
# (base stem, override stem): docker-compose.base.yml + docker-compose.<env>.yml, ...
_CONVENTIONS = (("docker-compose.base", "docker-compose"), ("compose", "compose"),
                ("docker-compose", "docker-compose"))
# override names that are no environment: the base, compose's override, a template a generator renders
# (`docker-compose.template.yml`)
_NOT_ENVS = frozenset(("base", "override", "template"))
# What `docker compose` reads with no -f, in compose's order of preference (compose-go's cli options).
DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
DEFAULT_OVERRIDES = ("compose.override.yml", "compose.override.yaml", "docker-compose.override.yml",
                     "docker-compose.override.yaml")
DEFAULT_ENVIRONMENT = "default"
# What an environment is for, by its name (the last part of ``<folder>/<env>``): one definition for every rule.
DEVELOPMENT_NAMES = frozenset({"dev", "development", "local", "develop"})
PRODUCTION_NAMES = frozenset({"prod", "production", "prd", "live", "deploy", "release"})
TEST_NAMES = frozenset({"test", "tests", "testing", "ci", "e2e", "regtest", "itest", "itests", "integration-tests",
                        "integration_tests", "e2e-tests", "e2e_tests", "smoketest", "smoketests"})


def _folders(name: str) -> list[str]:
    """The folders of an environment's name (``tests/e2e/default`` -> ``tests``, ``e2e``)."""
    return name.lower().split("/")[:-1]


def is_development(name: str, compose_files: Iterable[str | Path] = ()) -> bool:
    """Whether an environment is for development: named so (``dev``, ``local``...), a development container's
    (under ``.devcontainer/``), or compose's default environment with its override (``compose.override.yaml`` is
    compose's development override)."""
    short = posixpath.basename(name).lower()
    if short in DEVELOPMENT_NAMES or ".devcontainer" in _folders(name):
        return True
    return short == DEFAULT_ENVIRONMENT and any(posixpath.basename(str(p)) in DEFAULT_OVERRIDES
                                                for p in compose_files)


def is_production(name: str) -> bool:
    """Whether an environment is production: ``prod``, ``production``, ``prd``, ``live``, or named for the act
    of shipping (``deploy``, ``release``: ``compose.deploy.yml`` is how a project deploys)."""
    return posixpath.basename(name).lower() in PRODUCTION_NAMES


def is_test(name: str) -> bool:
    """Whether an environment only runs the tests (``test``, ``ci``, ``e2e``...: ``docker-compose.test.yml``, or a
    compose file under ``tests/`` or ``e2e/``): nothing is deployed from it, and no other checkout shares its host
    ports for long."""
    return posixpath.basename(name).lower() in TEST_NAMES or in_test_folder(name)


# an editor's folders: a development container, VS Code's launch settings and the env files they read
EDITOR_FOLDERS = frozenset({".devcontainer", ".vscode"})
# folders of samples to run or render: a demo stack under `examples/`, a generator's input under `templates/`
SAMPLE_FOLDERS = frozenset({"examples", "example", "samples", "sample", "templates", "template"})


def in_fixture_folder(path: str) -> bool:
    """A file (or an environment ``<folder>/<env>``) of a test stack, of an editor's workspace or of a sample: under
    ``tests/``, ``e2e/``..., ``.devcontainer/``, ``.vscode/``, ``examples/`` or ``templates/``. Nothing deploys it:
    it holds the test images' published credentials, a workspace's local addresses, development defaults and a
    generator's placeholders."""
    folders = _folders(path)
    return bool((EDITOR_FOLDERS | SAMPLE_FOLDERS).intersection(folders)) or any(f in TEST_NAMES for f in folders)


def development_file(path: str) -> bool:
    """A compose file only development runs: under a development folder (``dev/docker/compose.yml``) or named for a
    development environment (``docker-compose.dev.yml``, ``compose.local.yaml``). Nothing is deployed from it: its
    values are development defaults (a local database's password, the hosts of the development network,
    ``localhost``)."""
    if any(f in DEVELOPMENT_NAMES for f in _folders(path)):
        return True
    # the environment its name gives, in words: `docker-compose.multitenant-dev.yml` is one for development
    return bool(_environment_words(path) & DEVELOPMENT_NAMES)


def test_file(path: str) -> bool:
    """A compose file named for tests: an overlay of mock servers and test values (``docker-compose.airgap-test.yml``,
    ``docker-compose.search-testing.yml``, ``compose.ci.yaml``)."""
    return bool(_environment_words(path) & TEST_NAMES)


def _environment_words(path: str) -> set[str]:
    """The words of the environment a compose file's name gives (``docker-compose.mcp-api-key-test.yml`` ->
    ``mcp``, ``api``, ``key``, ``test``); none for a file of no environment (``docker-compose.yml``)."""
    stem = posixpath.basename(path).lower().rsplit(".", 1)[0]
    return set(WORD_SEPARATORS.split(stem.rsplit(".", 1)[1])) if "." in stem else set()


# words of a Dockerfile's name that mark it as development or test tooling: what development and test
# environments are called, debug builds, browser test runners
DEV_WORDS = DEVELOPMENT_NAMES | TEST_NAMES | {"debug", "playwright", "cypress", "devcontainer"}


WORD_SEPARATORS = lazy_compile(r"[._-]")  # between the words of a file's name


def dev_dockerfile_name(path: str) -> bool:
    """`Dockerfile.dev`, `Dockerfile.test`, `Dockerfile.playwright`, `.devcontainer/Dockerfile`: not shipped."""
    parts = path.lower().split("/")
    words = set(WORD_SEPARATORS.split(parts[-1]))
    return bool(words & DEV_WORDS) or in_dev_container(path)


# folders of images that are neither shipped nor a developer's daily image: test fixtures and mock servers, load
# test harnesses, documentation's samples, the CI's own actions (`.github/actions/scan/Dockerfile`)
TOOLING_FOLDERS = TEST_NAMES | SAMPLE_FOLDERS | frozenset({
    "loadtest", "loadtests", "load-test", "load-tests", "load_test", "load_tests", "locust", "docs", "doc", "documentation",
    ".github"})


def tooling_folder(path: str) -> str | None:
    """The folder that makes ``path`` test or documentation tooling (``backend/tests/mock_server/Dockerfile`` ->
    ``tests``), or None."""
    return next((f for f in path.split("/")[:-1] if f.lower() in TOOLING_FOLDERS), None)


def in_dev_container(path: str) -> bool:
    """A file of a development container (`.devcontainer/Dockerfile`): an editor's workspace, never shipped."""
    return ".devcontainer" in path.lower().split("/")[:-1]


def in_test_folder(name: str) -> bool:
    """An environment of compose files under a test folder (``tests/e2e/docker/default``): a test stack. (One
    only named ``test`` may share its base file with the deployment.)"""
    return any(f in TEST_NAMES for f in _folders(name))


@record(frozen=True, slots=True)
class Environment:
    name: str
    compose_files: tuple[Path, ...]
    env_file: Path | None
    env_file_is_template: bool = False

    @property
    def is_development(self) -> bool:
        return is_development(self.name, self.compose_files)

    @property
    def is_production(self) -> bool:
        return is_production(self.name)

    @property
    def is_test(self) -> bool:
        return is_test(self.name)


def _env_file(exists: Callable[[str], bool], folder: str, name: str) -> tuple[str | None, bool]:
    for cand, template in ((f".env.{name}", False), (f".env.{name}.example", True)):
        rel = posixpath.join(folder, cand) if folder else cand
        if exists(rel):
            return rel, template
    return None, False


def _dot_env(exists: Callable[[str], bool], folder: str) -> tuple[str | None, bool]:
    """The env file compose reads without ``--env-file``: the project folder's ``.env`` (its template: ``.env.example``,
    else ``.env.template`` or ``.env.sample``, from which a project's setup script makes the `.env` it ignores)."""
    for cand, template in ((".env", False), (".env.example", True), (".env.template", True), (".env.sample", True)):
        rel = posixpath.join(folder, cand) if folder else cand
        if exists(rel):
            return rel, template
    return None, False


def _configured(directory: Path, overrides: Mapping[str, Mapping[str, Any]],
                exists: Callable[[str], bool]) -> list[Environment]:
    out = []
    for name, spec in overrides.items():
        compose = spec.get("compose") or spec.get("compose_files") or []
        if isinstance(compose, str):
            compose = [compose]
        env_file = spec.get("env_file")
        if env_file:
            env_file = str(env_file)
            template = env_file.endswith(".example")
            if not exists(env_file) and exists(env_file + ".example"):
                env_file, template = env_file + ".example", True
        else:
            env_file, template = _env_file(exists, "", name)
        out.append(Environment(name, tuple(directory / c for c in compose),
                               directory / env_file if env_file else None, template))
    return out


def _default(names: set[str], folder: str, exists: Callable[[str], bool],
             alone: bool) -> tuple[str, tuple, str | None, bool] | None:
    """Compose's default environment of a folder: its first default file and first default override; with
    ``alone`` (no per-environment overrides in the folder), also a lone file, or dockyard's base file."""
    prefix = f"{folder}/" if folder else ""
    base = next((n for n in DEFAULT_FILES if n in names), None)
    override = next((n for n in DEFAULT_OVERRIDES if n in names), None)
    if base is None and alone:
        base = next((s + e for s in ("docker-compose.base",) for e in _EXTS if s + e in names), None)
        override = None
    if base is None or (override is None and not alone):
        return None
    files = (prefix + base,) + ((prefix + override,) if override else ())
    env_file, template = _dot_env(exists, folder)
    return prefix + DEFAULT_ENVIRONMENT, files, env_file, template


def _folder(names: set[str], folder: str, exists: Callable[[str], bool]) -> list[tuple[str, tuple, str | None, bool]]:
    prefix = f"{folder}/" if folder else ""
    for base_stem, over_stem in _CONVENTIONS:
        base = next((base_stem + e for e in _EXTS if base_stem + e in names), None)
        if base is None:
            continue
        envs = []
        extra: dict[str, str] = {}
        for n in sorted(names):
            for e in _EXTS:
                if n.startswith(over_stem + ".") and n.endswith(e):
                    env = n[len(over_stem) + 1: -len(e)]
                    if env and "." not in env and env not in _NOT_ENVS:
                        envs.append((env, n))
                    elif env.endswith(".override") and "." not in env[:-len(".override")]:
                        extra.setdefault(env[:-len(".override")], n)
        if not envs:
            continue
        out = []
        default = _default(names, folder, exists, alone=False)
        if default is not None:
            out.append(default)
        for env, over in envs:
            env_file, template = _env_file(exists, folder, env)
            if env_file is None and folder:
                env_file, template = _env_file(exists, "", env)
            if env_file is None:
                env_file, template = _dot_env(exists, folder)
            files = (prefix + base, prefix + over) + ((prefix + extra[env],) if env in extra else ())
            out.append((prefix + env, files, env_file, template))
        return out
    default = _default(names, folder, exists, alone=True)
    return [default] if default is not None else []


def discover_environments(directory: str | Path, overrides: Mapping[str, Mapping[str, Any]] | None = None,
                          files: Iterable[str] | None = None) -> list[Environment]:
    directory = Path(directory)
    if files is not None:
        known = set(files)
        exists: Callable[[str], bool] = known.__contains__
        listing = known
    else:
        exists = lambda rel: (directory / rel).is_file()  # noqa: E731
        try:
            listing = {p.name for p in directory.iterdir() if p.is_file()}
        except OSError:
            listing = set()
    if overrides:
        return _configured(directory, overrides, exists)
    by_dir: dict[str, set[str]] = {}
    for rel in listing:
        folder, _, base = rel.rpartition("/")
        if classify(base, tuple(folder.split("/")) if folder else ()) == FileKind.COMPOSE:
            by_dir.setdefault(folder, set()).add(base)
    out: list[Environment] = []
    for folder in sorted(by_dir, key=lambda d: (d.count("/") if d else -1, d)):
        for name, compose, env_file, template in _folder(by_dir[folder], folder, exists):
            out.append(Environment(name, tuple(directory / c for c in compose),
                                   directory / env_file if env_file else None, template))
    return out
