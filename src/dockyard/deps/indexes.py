"""Package indexes as pip is configured to use them, and what they serve: shared by every dependency job.

:func:`read_pip_config` reads the user's pip configuration (``pip config list``: ``index-url``,
``extra-index-url``, ``find-links``, ``cert``, ``no-index`` and the ``PIP_*`` environment variables) into an
:class:`IndexConfig`, which the index options written in a lock file extend. :func:`project_files` and
:func:`find_links_files` list the files an index (PEP 691 JSON, PEP 503 HTML, ``file://``) or a ``--find-links``
location offers; :func:`probe_indexes` tells an index that cannot be reached from a job's own failure.
Network problems are :class:`DepsError` values raised to the command (exit code 2).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from dockyard import __version__
from dockyard.parsers.requirements import canonicalize_name, parse_requirements
from dockyard.records import record

DEFAULT_INDEX = "https://pypi.org/simple/"
SIMPLE_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"


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



# ----------------------------------------------------------------------------------------------- index pages


@record(frozen=True)
class IndexFile:
    filename: str
    requires_python: str | None = None



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


def ssl_context(cert: str | None):
    import ssl

    if cert and os.path.exists(cert):
        return ssl.create_default_context(cafile=cert)
    return ssl.create_default_context()


def _http_get(url: str, timeout: float, context, accept: str) -> tuple[str, str] | None:
    """GET -> (content type, text), None on 404. Raises DepsError on any other failure."""
    import socket
    import urllib.error
    import urllib.request

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

    context = ssl_context(config.cert)
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


def requirement_options(path: Path) -> list:
    """The global options (``--index-url``...) written in a requirements file, for :func:`probe_indexes`."""
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

