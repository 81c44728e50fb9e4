"""The standard's ``wheelhouse-check`` job: does every locked package have a binary wheel for each target?

:func:`check_wheels` asks the configured package indexes (PEP 691 JSON, or PEP 503 HTML; ``file://`` indexes and
``--find-links`` directories too) which files exist for every pinned ``name==version`` of a lock file (its ``-r``
includes expanded) and decides, with ``packaging.tags``, whether a binary wheel installs on each target Docker
platform (manylinux for glibc images, musllinux for Alpine). A package with only an sdist names the Debian
packages its source build usually needs in the builder stage. It prints nothing: it returns a
:class:`WheelsCheck`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from dockyard.deps.indexes import (
    IndexConfig,
    IndexFile,
    find_links_files,
    project_files,
    read_pip_config,
    ssl_context,
)
from dockyard.deps.lock import DEFAULT_LOCK
from dockyard.model import UsageError
from dockyard.parsers.requirements import parse_requirements
from dockyard.records import field, record

DEFAULT_PLATFORMS = ("linux/amd64", "linux/arm64")
DEFAULT_GLIBC = "2.36"  # Debian bookworm, the base of python:3.x-slim-bookworm
DEFAULT_MUSL = "1.2"  # Alpine 3.x


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


@record(frozen=True)
class WheelsCheck:
    """The answer of :func:`check_wheels`: one report per pinned package, for each target platform."""

    python: str
    libc: str
    platforms: tuple[str, ...]
    reports: list[PackageReport]
    notes: list[str]  # lock file entries that were skipped, and why

    @property
    def lacking(self) -> list[PackageReport]:
        """The packages some target has no wheel for."""
        return [r for r in self.reports if not r.ok]


def check_wheels(
    lock_path: Path | None = None,
    platforms: str | None = None,
    python: str = "3.12",
    *,
    libc: str = "glibc",
    libc_version: str | None = None,
    timeout: float = 15.0,
    jobs: int = 8,
    config: IndexConfig | None = None,
    directory: Path | None = None,
) -> WheelsCheck:
    """Which pinned packages of ``lock_path`` have a wheel for each of ``platforms`` (comma-separated Docker
    platforms, default linux/amd64 and linux/arm64). Raises :class:`DepsError` and :class:`UsageError`."""
    from concurrent.futures import ThreadPoolExecutor

    directory = directory or Path.cwd()
    lock_path = lock_path or Path(DEFAULT_LOCK)
    if not lock_path.is_absolute():
        lock_path = directory / lock_path
    if timeout <= 0:
        raise UsageError("--timeout must be positive")
    plats = parse_platforms(platforms) if platforms else list(DEFAULT_PLATFORMS)
    if not lock_path.is_file():
        raise UsageError(f"lock file {lock_path} not found (run `dockyard deps lock` first)")
    pyv = parse_python(python)
    targets = [build_target(p, pyv, libc=libc, libc_version=libc_version) for p in plats]
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
    context = ssl_context(config.cert)
    if not pinned:
        return WheelsCheck(python, libc, tuple(plats), [], notes)

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
    return WheelsCheck(python, libc, tuple(plats), reports, notes)
