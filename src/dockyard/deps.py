"""The standard's dependency jobs: ``lock-deps``, ``wheelhouse-build`` and ``wheelhouse-check``.

* :func:`lock` resolves ``requirements.in`` (or ``pyproject.toml`` ``[project].dependencies``) into a pinned
  ``requirements.lock.txt`` with ``uv pip compile`` (pip-tools' ``pip-compile`` when uv is not installed).
* :func:`wheelhouse` runs ``python -m pip wheel --wheel-dir DIR -r LOCK`` and reports progress per package.
* :func:`wheels_check` asks the configured package indexes (PEP 691 JSON, or PEP 503 HTML; ``file://`` indexes and
  ``--find-links`` directories too) which files exist for every pinned ``name==version`` and decides, with
  ``packaging.tags``, whether a binary wheel installs on each target platform.

All of them honour the user's pip configuration (``pip config list``: ``index-url``, ``extra-index-url``,
``find-links``, ``cert``, and the ``PIP_*`` environment variables) and the index options written in the lock file.
This is the only module of dockyard that touches the network. Heavy modules are imported inside functions.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from dockyard.model import UsageError
from dockyard.records import field, record
from dockyard.regex import lazy_compile

DEFAULT_INDEX = "https://pypi.org/simple/"
DEFAULT_LOCK = "requirements.lock.txt"
DEFAULT_PLATFORMS = ("linux/amd64", "linux/arm64")
DEFAULT_GLIBC = "2.36"  # Debian bookworm, the base of python:3.x-slim-bookworm
DEFAULT_MUSL = "1.2"  # Alpine 3.x
SIMPLE_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"

# Debian packages a source build of a package usually needs in the builder stage (canonical project names).
BUILD_PACKAGES: dict[str, tuple[str, ...]] = {
    "psycopg2": ("libpq-dev", "gcc"),
    "psycopg-c": ("libpq-dev", "gcc"),
    "lxml": ("libxml2-dev", "libxslt1-dev"),
    "pillow": ("libjpeg-dev", "zlib1g-dev"),
    "cffi": ("libffi-dev", "libssl-dev"),
    "cryptography": ("libffi-dev", "libssl-dev", "rustc", "cargo"),
    "bcrypt": ("rustc", "cargo"),
    "orjson": ("rustc", "cargo"),
    "pydantic-core": ("rustc", "cargo"),
    "mysqlclient": ("default-libmysqlclient-dev", "pkg-config", "gcc"),
    "pyyaml": ("libyaml-dev", "gcc"),
    "python-ldap": ("libldap2-dev", "libsasl2-dev", "gcc"),
    "pycurl": ("libcurl4-openssl-dev", "libssl-dev", "gcc"),
    "pyodbc": ("unixodbc-dev", "g++"),
    "pynacl": ("libsodium-dev", "gcc"),
    "xmlsec": ("libxmlsec1-dev", "pkg-config", "gcc"),
    "confluent-kafka": ("librdkafka-dev", "gcc"),
    "pygraphviz": ("graphviz-dev", "gcc"),
    "pyaudio": ("portaudio19-dev", "gcc"),
    "scipy": ("gfortran", "libopenblas-dev", "build-essential"),
    "grpcio": ("build-essential", "python3-dev"),
}
GENERIC_BUILD_PACKAGES = ("build-essential", "python3-dev")  # a generic C extension

# Docker platform -> wheel machine name
_ARCHES = {
    "amd64": "x86_64",
    "x86_64": "x86_64",
    "arm64": "aarch64",
    "arm64/v8": "aarch64",
    "aarch64": "aarch64",
    "386": "i686",
    "arm/v7": "armv7l",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
}
# legacy manylinux aliases: tag -> (glibc minor, arches)
_LEGACY_MANYLINUX = {
    "manylinux2014": (17, {"x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x"}),
    "manylinux2010": (12, {"x86_64", "i686"}),
    "manylinux1": (5, {"x86_64", "i686"}),
}


class DepsError(Exception):
    """A network or environment problem: reported with a clear message, exit code 2."""


# --------------------------------------------------------------------------------------------- pip configuration


@record(frozen=True)
class IndexConfig:
    index_url: str | None = None  # None: pip's default (PyPI)
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    cert: str | None = None

    @property
    def indexes(self) -> tuple[str, ...]:
        if self.no_index:
            return ()
        return (self.index_url or DEFAULT_INDEX, *self.extra_index_urls)

    def with_lock_options(self, options) -> "IndexConfig":
        """Apply the ``--index-url``/``--extra-index-url``/``--find-links``/``--no-index`` lines of a lock file."""
        index_url, extra, links, no_index = self.index_url, list(self.extra_index_urls), list(self.find_links), self.no_index
        for opt in options:
            if opt.name == "--index-url" and opt.value:
                index_url = opt.value
            elif opt.name == "--extra-index-url" and opt.value:
                extra.append(opt.value)
            elif opt.name == "--find-links" and opt.value:
                links.append(opt.value)
            elif opt.name == "--no-index":
                no_index = True
        return IndexConfig(index_url, tuple(dict.fromkeys(extra)), tuple(dict.fromkeys(links)), no_index, self.cert)


def read_pip_config(python: str | None = None) -> IndexConfig:
    """The index settings pip would use, from ``pip config list`` (files and ``PIP_*`` environment)."""
    import ast
    import subprocess

    cmd = [python or sys.executable, "-m", "pip", "config", "list"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise DepsError(f"cannot run {' '.join(cmd)}: {exc}") from None
    values: dict[str, dict[str, str]] = {}
    for line in proc.stdout.splitlines():
        key, eq, raw = line.partition("=")
        if not eq or "." not in key:
            continue
        section, _, name = key.rpartition(".")
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            value = raw
        values.setdefault(name, {})[section] = str(value)

    def get(name: str) -> str | None:
        # the environment beats the files; a command's section beats [global]
        per = values.get(name, {})
        for section in (":env:", "wheel", "download", "install", "global"):
            if section in per:
                return per[section]
        return None

    def many(name: str) -> tuple[str, ...]:
        value = get(name)
        return tuple(value.split()) if value else ()

    no_index = (get("no-index") or "").lower() in ("1", "true", "yes", "on")
    return IndexConfig(get("index-url"), many("extra-index-url"), many("find-links"), no_index, get("cert"))


def redact(url: str) -> str:
    """``https://user:secret@host/`` -> ``https://user:****@host/``."""
    return re.sub(r"(?<=://)([^/@:]*):[^/@]*@", r"\1:****@", url)


# ------------------------------------------------------------------------------------------------------- lock


def find_input(directory: Path) -> Path:
    for name in ("requirements.in", "pyproject.toml"):
        if (directory / name).is_file():
            return directory / name
    raise UsageError(f"no requirements.in or pyproject.toml in {directory}; pass --input FILE")


def _check_pyproject(path: Path) -> None:
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    project = data.get("project")
    if not isinstance(project, dict):
        raise UsageError(f"{path} has no [project] table to take dependencies from")
    if "dependencies" not in project and "dependencies" not in project.get("dynamic", []):
        raise UsageError(f"{path} declares no [project].dependencies")


def _resolver_command(
    input_name: str, out: str, hashes: bool, python: str | None, config: IndexConfig
) -> list[str]:
    try:
        from uv import find_uv_bin

        uv = find_uv_bin()
    except (ImportError, FileNotFoundError):
        import shutil

        uv = shutil.which("uv")
    if uv:
        cmd = [uv, "pip", "compile", input_name, "--output-file", out, "--quiet", "--no-progress"]
        cmd += ["--custom-compile-command", "dockyard deps lock" + (" --hashes" if hashes else "")]
        cmd += ["--index-strategy", "unsafe-best-match"]  # like pip: best version across all indexes
        cmd += ["--python", sys.executable]
        if python:
            cmd += ["--python-version", python]
        if hashes:
            cmd.append("--generate-hashes")
        if config.no_index:
            cmd.append("--no-index")
        if config.index_url:
            cmd += ["--index-url", config.index_url]
        for url in config.extra_index_urls:
            cmd += ["--extra-index-url", url]
        for link in config.find_links:
            cmd += ["--find-links", link]
        return cmd
    import importlib.util

    if importlib.util.find_spec("piptools") is None:
        raise DepsError("no resolver: install uv (pip install uv) or pip-tools")
    # pip-compile reads pip's configuration itself
    cmd = [sys.executable, "-m", "piptools", "compile", input_name, "--output-file", out, "--quiet"]
    cmd += ["--strip-extras", "--no-emit-index-url"]
    if hashes:
        cmd.append("--generate-hashes")
    if python:
        print(f"dockyard: pip-tools resolves for the running Python {sys.version.split()[0]}, not {python}",
              file=sys.stderr)
    return cmd


def lock(
    input_path: Path | None = None,
    output: Path | None = None,
    *,
    hashes: bool = False,
    python: str | None = None,
    directory: Path | None = None,
) -> int:
    """Resolve the input into a pinned lock file, written atomically. Returns the exit code."""
    import subprocess
    import tempfile

    directory = directory or Path.cwd()
    if python is not None and not re.fullmatch(r"3\.\d{1,2}", python):
        raise UsageError(f"--python must look like 3.12, not {python!r}")
    if input_path is None:
        input_path = find_input(directory)
    elif not input_path.is_absolute():
        input_path = directory / input_path
    if not input_path.is_file():
        raise UsageError(f"input file {input_path} not found")
    if input_path.name == "pyproject.toml" or input_path.suffix == ".toml":
        _check_pyproject(input_path)
    output = output or Path(DEFAULT_LOCK)
    if not output.is_absolute():
        output = directory / output
    if not output.parent.is_dir():
        raise UsageError(f"output directory {output.parent} does not exist")

    config = read_pip_config()
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    os.close(fd)
    try:
        if output.is_file():  # the current pins are the resolver's preferences, as with pip-compile
            Path(tmp).write_bytes(output.read_bytes())
        cmd = _resolver_command(os.path.relpath(input_path, input_path.parent), tmp, hashes, python, config)
        env = dict(os.environ, UV_PYTHON_DOWNLOADS="never", NO_COLOR="1")
        print(f"dockyard: resolving {input_path.name} -> {output.name}", file=sys.stderr)
        try:
            proc = subprocess.run(cmd, cwd=input_path.parent, capture_output=True, text=True, env=env, check=False)
        except OSError as exc:
            raise DepsError(f"cannot run {cmd[0]}: {exc}") from None
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr or proc.stdout)
            if input_path.suffix != ".toml":
                config = config.with_lock_options(_requirement_options(input_path))
            probe_indexes(config)  # an index that cannot be reached is exit 2, as in wheels-check
            print(f"dockyard: resolving {input_path.name} failed", file=sys.stderr)
            return 1
        if output.exists():
            os.chmod(tmp, output.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, output)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    from dockyard.parsers.requirements import parse_requirements

    pins = parse_requirements(output.read_text(encoding="utf-8"), str(output)).entries
    print(f"dockyard: wrote {output.name} ({len(pins)} pinned packages)", file=sys.stderr)
    return 0


# ------------------------------------------------------------------------------------------------- wheelhouse

_COLLECTING = lazy_compile(r"^(?:Collecting|Processing) (\S+)")
_SAVED = lazy_compile(r"^(?:Saved|File was already downloaded) (.+)$")
_BUILDING = lazy_compile(r"^\s*Building wheel for (\S+)")
_CREATED = lazy_compile(r"^\s*Created wheel for (\S+?): filename=(\S+)")
_FAILED = [
    re.compile(r"Failed building wheel for (\S+)"),
    re.compile(r"No matching distribution found for (\S+)"),
    re.compile(r"Could not find a version that satisfies the requirement (\S+)"),
    re.compile(r"Failed to build ('[^']+'|\S+)"),
    re.compile(r"^\s+(\S+?==\S+) from https?://\S+:"),  # hash mismatch report
]


def _requirement_name(text: str) -> str:
    """``six==1.0`` -> ``six``; ``'file:///src/pkg'`` or ``./pkg`` -> ``pkg``."""
    text = text.strip().strip("'\"")
    if "/" in text or "\\" in text:
        return re.split(r"[/\\]", text.split("#", 1)[0].rstrip("/\\"))[-1]
    return re.split(r"[\s;\[<>=!~@(]", text, maxsplit=1)[0]


def wheelhouse(wheel_dir: Path | None = None, lock_path: Path | None = None, *, directory: Path | None = None) -> int:
    """``python -m pip wheel --wheel-dir DIR -r LOCK`` with per-package progress on stderr."""
    import subprocess

    from dockyard.parsers.requirements import parse_requirements

    directory = directory or Path.cwd()
    lock_path = lock_path or Path(DEFAULT_LOCK)
    if not lock_path.is_absolute():
        lock_path = directory / lock_path
    wheel_dir = wheel_dir or Path("wheels")
    if not wheel_dir.is_absolute():
        wheel_dir = directory / wheel_dir
    if not lock_path.is_file():
        raise UsageError(f"lock file {lock_path} not found (run `dockyard deps lock` first)")
    parsed = parse_requirements(lock_path.read_text(encoding="utf-8", errors="replace"), str(lock_path))
    total = len(parsed.entries)
    wheel_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "wheel", "--wheel-dir", str(wheel_dir), "-r", str(lock_path),
           "--progress-bar", "off", "--disable-pip-version-check", "--no-input"]
    env = dict(os.environ, PYTHONUNBUFFERED="1", NO_COLOR="1")
    done = 0
    current: str | None = None
    failing: str | None = None
    tail: list[str] = []
    errors: list[str] = []

    def say(message: str) -> None:
        print(f"[{done}/{total}] {message}", file=sys.stderr, flush=True)

    try:
        proc = subprocess.Popen(cmd, cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env=env, errors="replace")
    except OSError as exc:
        raise DepsError(f"cannot run pip: {exc}") from None
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip("\n")
        tail = (tail + [line])[-30:]
        if m := _COLLECTING.match(line):
            current = m.group(1)
            say(f"collecting {current}")
        elif m := _SAVED.match(line):
            done += 1
            say(f"saved {os.path.basename(m.group(1).strip())}")
        elif m := _CREATED.match(line):
            say(f"built {m.group(2)}")
        elif m := _BUILDING.match(line):
            say(f"building {m.group(1)} from source")
        if line.startswith("ERROR:") or "error:" in line[:10]:
            errors.append(line)
        if failing is None:
            for pattern in _FAILED:
                if m := pattern.search(line):
                    failing = _requirement_name(m.group(1))
                    break
    code = proc.wait()
    if code != 0:
        failing = failing or (_requirement_name(current) if current else None)
        sys.stderr.write("\n".join(errors or tail) + "\n")
        probe_indexes(read_pip_config().with_lock_options(_requirement_options(lock_path)))
        what = f"package {failing}" if failing else "an unknown package"
        print(f"dockyard: wheelhouse build failed at {what} (pip exit code {code})", file=sys.stderr)
        return 1
    wheels = sorted(p.name for p in wheel_dir.glob("*.whl"))
    print(f"{len(wheels)} wheels in {wheel_dir}")
    return 0


# ----------------------------------------------------------------------------------------------- wheels-check


@record(frozen=True)
class IndexFile:
    filename: str
    requires_python: str | None = None


@record(frozen=True)
class Target:
    platform: str  # as given, e.g. linux/amd64
    arch: str  # wheel machine name, e.g. x86_64
    tags: frozenset  # supported packaging.tags.Tag values, for the interpreter
    environment: dict = field(hash=False, compare=False, default_factory=dict)  # for markers


def parse_python(python: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d)\.(\d{1,2})", python.strip())
    if not m or m.group(1) != "3":
        raise UsageError(f"--python must look like 3.12, not {python!r}")
    return int(m.group(1)), int(m.group(2))


def parse_platforms(text: str) -> list[str]:
    platforms = [p.strip() for p in text.split(",") if p.strip()]
    if not platforms:
        raise UsageError("--platform needs at least one platform such as linux/amd64")
    for p in platforms:
        os_name, _, arch = p.partition("/")
        if os_name != "linux" or arch not in _ARCHES:
            known = ", ".join(f"linux/{a}" for a in _ARCHES)
            raise UsageError(f"unsupported platform {p!r} (known: {known})")
    return list(dict.fromkeys(platforms))


def build_target(platform: str, python: tuple[int, int], *, libc: str = "glibc", libc_version: str | None = None) -> Target:
    """Every wheel tag pip accepts on ``platform`` for CPython ``python`` (manylinux or musllinux)."""
    from packaging import tags

    arch = _ARCHES[platform.partition("/")[2]]
    if libc not in ("glibc", "musl"):
        raise UsageError(f"--libc must be glibc or musl, not {libc!r}")
    version = libc_version or (DEFAULT_GLIBC if libc == "glibc" else DEFAULT_MUSL)
    m = re.fullmatch(r"(\d+)\.(\d+)", version)
    if not m:
        raise UsageError(f"libc version must look like 2.36, not {version!r}")
    major, minor = int(m.group(1)), int(m.group(2))
    plats: list[str] = []
    if libc == "glibc":
        if major != 2:
            raise UsageError(f"glibc version must be 2.x, not {version!r}")
        for glibc_minor in range(minor, 4, -1):
            plats.append(f"manylinux_2_{glibc_minor}_{arch}")
            for legacy, (legacy_minor, arches) in _LEGACY_MANYLINUX.items():
                if legacy_minor == glibc_minor and arch in arches:
                    plats.append(f"{legacy}_{arch}")
    else:
        plats += [f"musllinux_{major}_{n}_{arch}" for n in range(minor, -1, -1)]
    plats.append(f"linux_{arch}")
    interpreter = f"cp{python[0]}{python[1]}"
    supported = list(tags.cpython_tags(python, abis=[interpreter], platforms=plats))
    supported += list(tags.compatible_tags(python, interpreter=interpreter, platforms=plats))
    env = {
        "implementation_name": "cpython",
        "implementation_version": f"{python[0]}.{python[1]}.0",
        "os_name": "posix",
        "platform_machine": arch,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": f"{python[0]}.{python[1]}.0",
        "python_version": f"{python[0]}.{python[1]}",
        "sys_platform": "linux",
    }
    return Target(platform, arch, frozenset(supported), env)


class _AnchorParser:
    """PEP 503 HTML: the anchors of a simple-index project page (or a find-links page)."""

    def __init__(self) -> None:
        from html.parser import HTMLParser

        files: list[IndexFile] = []

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                if tag != "a":
                    return
                a = dict(attrs)
                href = a.get("href") or ""
                from urllib.parse import unquote, urlsplit

                name = unquote(urlsplit(href).path.rsplit("/", 1)[-1])
                if name:
                    files.append(IndexFile(name, a.get("data-requires-python")))

        self.files = files
        self.parser = Parser(convert_charrefs=True)

    def feed(self, text: str) -> list[IndexFile]:
        self.parser.feed(text)
        self.parser.close()
        return self.files


def _split_auth(url: str) -> tuple[str, dict[str, str]]:
    import base64
    from urllib.parse import unquote, urlsplit, urlunsplit

    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, {}
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    token = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode()
    return urlunsplit(parts._replace(netloc=host)), {"Authorization": f"Basic {token}"}


def _ssl_context(cert: str | None):
    import ssl

    if cert and os.path.exists(cert):
        return ssl.create_default_context(cafile=cert)
    return ssl.create_default_context()


def _http_get(url: str, timeout: float, context, accept: str) -> tuple[str, str] | None:
    """GET -> (content type, text), None on 404. Raises DepsError on any other failure."""
    import socket
    import urllib.error
    import urllib.request

    from dockyard import __version__

    bare, headers = _split_auth(url)
    headers.update({"Accept": accept, "User-Agent": f"dockyard/{__version__}"})
    request = urllib.request.Request(bare, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            charset = response.headers.get_content_charset() or "utf-8"
            body = response.read(64 * 1024 * 1024)
            return response.headers.get_content_type(), body.decode(charset, errors="replace")
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 410):
            return None
        raise DepsError(f"{redact(url)}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
        raise _unreachable(url, exc) from None


def _unreachable(url: str, exc: BaseException) -> DepsError:
    return DepsError(f"cannot reach {redact(url)}: {getattr(exc, 'reason', exc)}")


def probe_indexes(config: IndexConfig, timeout: float = 15.0) -> None:
    """Raise :class:`DepsError` (exit 2) when a package index or ``--find-links`` URL of ``config`` cannot be
    reached, or refuses access (HTTP 401/403/407, 5xx), as ``wheels-check`` reports it. A HEAD request, no body:
    asked after a resolver or pip failed, to tell a network failure from the job's own (exit 1)."""
    import socket
    import urllib.error
    import urllib.request

    from dockyard import __version__

    context = _ssl_context(config.cert)
    for url in (*config.indexes, *config.find_links):
        if _local_path(url) is not None:
            continue
        bare, headers = _split_auth(url)
        headers["User-Agent"] = f"dockyard/{__version__}"
        request = urllib.request.Request(bare, headers=headers, method="HEAD")
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=context):
                pass
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403, 407) or exc.code >= 500:
                raise DepsError(f"{redact(url)}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
            raise _unreachable(url, exc) from None


def _requirement_options(path: Path) -> list:
    """The global options (``--index-url``...) written in a requirements file, for :func:`probe_indexes`."""
    from dockyard.parsers.requirements import parse_requirements

    try:
        return list(parse_requirements(path.read_text(encoding="utf-8", errors="replace"), str(path)).options)
    except OSError:
        return []


def _local_path(url_or_path: str) -> Path | None:
    from urllib.parse import urlsplit
    from urllib.request import url2pathname

    if url_or_path.startswith("file:"):
        return Path(url2pathname(urlsplit(url_or_path).path))
    if "://" not in url_or_path:
        return Path(url_or_path).expanduser()
    return None


def _parse_page(content_type: str, text: str) -> list[IndexFile]:
    import json

    if content_type.endswith("json") or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise DepsError(f"index answered invalid JSON: {exc}") from None
        files = []
        for f in data.get("files", []) if isinstance(data, dict) else []:
            if isinstance(f, dict) and isinstance(f.get("filename"), str):
                files.append(IndexFile(f["filename"], f.get("requires-python")))
        return files
    return _AnchorParser().feed(text)


def project_files(index_url: str, project: str, *, timeout: float, context) -> list[IndexFile]:
    """The files an index (PEP 691 JSON or PEP 503 HTML; ``file://`` too) lists for ``project``."""
    from dockyard.parsers.requirements import canonicalize_name

    name = canonicalize_name(project)
    local = _local_path(index_url)
    if local is not None:
        page = local / name
        if (page / "index.html").is_file():
            return _parse_page("text/html", (page / "index.html").read_text(encoding="utf-8", errors="replace"))
        if page.is_dir():
            return [IndexFile(p.name) for p in page.iterdir() if p.is_file()]
        if not local.is_dir():
            raise DepsError(f"index {index_url} is not a directory")
        return []
    page_url = index_url.rstrip("/") + f"/{name}/"
    got = _http_get(page_url, timeout, context, SIMPLE_ACCEPT)
    return [] if got is None else _parse_page(*got)


def find_links_files(link: str, *, timeout: float, context) -> list[IndexFile]:
    """The files of a ``--find-links`` location (a directory or an HTML page)."""
    local = _local_path(link)
    if local is not None:
        if local.is_dir():
            return [IndexFile(p.name) for p in local.iterdir() if p.is_file()]
        if local.is_file():
            return _AnchorParser().feed(local.read_text(encoding="utf-8", errors="replace"))
        return []
    got = _http_get(link, timeout, context, "text/html")
    return [] if got is None else _AnchorParser().feed(got[1])


@record
class PackageReport:
    name: str
    version: str
    cells: dict[str, str]  # platform -> wheel | sdist-only | missing | n/a
    wheels: dict[str, list[str]]  # platform -> matching wheel files
    sdists: list[str]
    build_packages: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return all(c in ("wheel", "n/a") for c in self.cells.values())

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "platforms": {
                p: {"status": c, "wheels": self.wheels.get(p, [])} for p, c in self.cells.items()
            },
            "sdists": self.sdists,
            "build_packages": list(self.build_packages),
        }


def classify(name: str, version: str, files: list[IndexFile], targets: list[Target], python: tuple[int, int],
             markers: str | None = None) -> PackageReport:
    """Decide, per target, whether ``name==version`` has an installable wheel, only an sdist, or nothing."""
    from packaging.markers import InvalidMarker, Marker
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        canonicalize_name,
        parse_sdist_filename,
        parse_wheel_filename,
    )
    from packaging.version import InvalidVersion, Version

    key = canonicalize_name(name)
    try:
        wanted = Version(version)
    except InvalidVersion:
        wanted = None
    py = Version(f"{python[0]}.{python[1]}")
    wheels: list[tuple[str, frozenset]] = []
    sdists: list[str] = []
    for f in files:
        if f.requires_python:
            try:
                if not SpecifierSet(f.requires_python).contains(py, prereleases=True):
                    continue
            except InvalidSpecifier:
                pass
        try:
            if f.filename.endswith(".whl"):
                wname, wversion, _, wtags = parse_wheel_filename(f.filename)
                if wname == key and (wversion == wanted if wanted else str(wversion) == version):
                    wheels.append((f.filename, wtags))
            elif f.filename.endswith((".tar.gz", ".zip")):
                sname, sversion = parse_sdist_filename(f.filename)
                if sname == key and (sversion == wanted if wanted else str(sversion) == version):
                    sdists.append(f.filename)
            elif f.filename.endswith((".tar.bz2", ".tgz", ".tar.xz", ".tar")):  # legacy sdist formats
                stem = re.sub(r"\.(tar\.bz2|tgz|tar\.xz|tar)$", "", f.filename)
                sname, _, sversion = stem.rpartition("-")
                if canonicalize_name(sname) == key and sversion == version:
                    sdists.append(f.filename)
        except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
            continue
    cells: dict[str, str] = {}
    matched: dict[str, list[str]] = {}
    marker = None
    if markers:
        try:
            marker = Marker(markers)
        except InvalidMarker:
            marker = None
    for t in targets:
        if marker is not None and not marker.evaluate(dict(t.environment, extra="")):
            cells[t.platform] = "n/a"
            continue
        hits = sorted({fn for fn, wtags in wheels if wtags & t.tags})
        matched[t.platform] = hits
        cells[t.platform] = "wheel" if hits else ("sdist-only" if sdists else "missing")
    build: tuple[str, ...] = ()
    if any(c == "sdist-only" for c in cells.values()):
        build = BUILD_PACKAGES.get(key, GENERIC_BUILD_PACKAGES)
    return PackageReport(name, version, cells, matched, sorted(set(sdists)), build)


def check_wheels(
    lock_path: Path,
    platforms: list[str],
    python: str,
    *,
    libc: str = "glibc",
    libc_version: str | None = None,
    timeout: float = 15.0,
    jobs: int = 8,
    config: IndexConfig | None = None,
) -> tuple[list[PackageReport], list[str]]:
    """-> (one report per pinned package, notes about entries that were skipped). Raises DepsError/UsageError."""
    from concurrent.futures import ThreadPoolExecutor

    from dockyard.parsers.requirements import parse_requirements

    if not lock_path.is_file():
        raise UsageError(f"lock file {lock_path} not found (run `dockyard deps lock` first)")
    pyv = parse_python(python)
    targets = [build_target(p, pyv, libc=libc, libc_version=libc_version) for p in platforms]
    notes: list[str] = []
    pinned = []
    seen_entries: set[tuple] = set()
    options = []
    seen_files: set[Path] = set()

    def visit(path: Path, depth: int) -> None:
        # -r includes are expanded where they stand, as pip does; cycles and depth are bounded
        path = path.resolve()
        if path in seen_files or depth > 20:
            return
        seen_files.add(path)
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
        parsed = parse_requirements(text, str(path))
        label = os.path.relpath(path, lock_path.parent.resolve())
        notes.extend(f"{label}:{e.line}: {e.message}" for e in parsed.errors)
        options.extend(parsed.options)
        constraint_lines = {o.line for o in parsed.options if o.name == "--constraint"}
        items = [(e.line, 1, e) for e in parsed.entries]
        items += [(i.line, 0, i) for i in parsed.includes if i.line not in constraint_lines]
        for line, kind, item in sorted(items, key=lambda t: (t[0], t[1])):
            if kind == 0:
                if "://" in item.target:
                    notes.append(f"{label}:{line}: skipped remote include {item.target}")
                else:
                    visit(path.parent / item.target, depth + 1)
            elif not (item.pinned_version and item.name and not item.url):
                notes.append(f"{label}:{line}: skipped {item.text!r}: not pinned with ==")
            elif (item.key, item.pinned_version, item.markers) not in seen_entries:
                seen_entries.add((item.key, item.pinned_version, item.markers))
                pinned.append(item)

    visit(lock_path, 0)
    config = (config or read_pip_config()).with_lock_options(options)
    context = _ssl_context(config.cert)
    if not pinned:
        return [], notes

    jobs = max(1, min(jobs, 16))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        link_futures = [pool.submit(find_links_files, link, timeout=timeout, context=context)
                        for link in config.find_links]
        futures = {
            entry: [pool.submit(project_files, index, entry.name, timeout=timeout, context=context)
                    for index in config.indexes]
            for entry in pinned
        }
        link_files = [f for fut in link_futures for f in fut.result()]
        reports = []
        for entry, futs in futures.items():
            files: dict[str, IndexFile] = {}
            for fut in futs:
                for f in fut.result():
                    files.setdefault(f.filename, f)
            for f in link_files:
                files.setdefault(f.filename, f)
            reports.append(classify(entry.name, entry.pinned_version, list(files.values()), targets, pyv,
                                    entry.markers))
    return reports, notes


def render_table(reports: list[PackageReport], platforms: list[str]) -> str:
    header = ["package", "version", *platforms, "build packages"]
    rows = [header]
    for r in reports:
        rows.append([r.name, r.version, *(r.cells[p] for p in platforms), " ".join(r.build_packages) or "-"])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"


def wheels_check(
    lock_path: Path | None = None,
    platforms: str | None = None,
    python: str = "3.12",
    *,
    fmt: str = "text",
    libc: str = "glibc",
    libc_version: str | None = None,
    timeout: float = 15.0,
    jobs: int = 8,
    directory: Path | None = None,
) -> int:
    """Print the wheel-availability table. 0 all targets have wheels, 1 some lack one, 2 usage/network error."""
    import json

    directory = directory or Path.cwd()
    lock_path = lock_path or Path(DEFAULT_LOCK)
    if not lock_path.is_absolute():
        lock_path = directory / lock_path
    if fmt not in ("text", "json"):
        raise UsageError(f"--format must be text or json, not {fmt!r}")
    if timeout <= 0:
        raise UsageError("--timeout must be positive")
    plats = parse_platforms(platforms) if platforms else list(DEFAULT_PLATFORMS)
    reports, notes = check_wheels(lock_path, plats, python, libc=libc, libc_version=libc_version,
                                  timeout=timeout, jobs=jobs)
    for note in notes:
        print(f"dockyard: {note}", file=sys.stderr)
    lacking = [r for r in reports if not r.ok]
    if fmt == "json":
        doc = {
            "python": python,
            "libc": libc,
            "platforms": plats,
            "packages": [r.to_dict() for r in reports],
            "summary": {"packages": len(reports), "lacking_wheels": len(lacking)},
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        sys.stdout.write(render_table(reports, plats))
        if lacking:
            needed = sorted({p for r in lacking for p in r.build_packages})
            line = f"\n{len(lacking)} of {len(reports)} packages lack a wheel for some target"
            if needed:
                line += f"; builder stage needs: {' '.join(needed)}"
            print(line)
        else:
            print(f"\nall {len(reports)} packages have wheels for {', '.join(plats)}")
    return 1 if lacking else 0
