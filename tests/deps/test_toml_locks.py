"""parse_toml_lock: names, versions, sources and hashes of uv.lock, poetry.lock, pdm.lock and pylock.toml."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dockyard.locks import LockedPackage, exact_reference, parse_toml_lock
from dockyard.source import FileKind, classify, python_lock_tool

H = "sha256:" + "a" * 64
H2 = "sha256:" + "b" * 64

UV_LOCK = f"""version = 1
requires-python = ">=3.12"

[[package]]
name = "anyio"
version = "4.4.0"
source = {{ registry = "https://pypi.org/simple" }}
sdist = {{ url = "https://f/anyio-4.4.0.tar.gz", hash = "{H}", size = 1 }}
wheels = [
    {{ url = "https://f/anyio-4.4.0-py3-none-any.whl", hash = "{H2}", size = 1 }},
]

[[package]]
name = "app"
version = "0.1.0"
source = {{ editable = "." }}

[[package]]
name = "tool"
version = "1.0.0"
source = {{ git = "https://github.com/org/tool?rev=v1#0123456789abcdef0123456789abcdef01234567" }}
"""

POETRY_LOCK = f"""[[package]]
name = "fastapi"
version = "0.115.0"
description = "FastAPI framework"
optional = false
python-versions = ">=3.8"
files = [
    {{file = "fastapi-0.115.0-py3-none-any.whl", hash = "{H}"}},
]

[[package]]
name = "private"
version = "1.2.0"
optional = false
python-versions = "*"
files = []

[metadata]
lock-version = "2.0"
content-hash = "abc"
"""

POETRY_LEGACY = f"""[[package]]
name = "six"
version = "1.16.0"
category = "main"
optional = false
python-versions = "*"

[metadata]
lock-version = "1.1"

[metadata.files]
six = [
    {{file = "six-1.16.0.tar.gz", hash = "{H}"}},
]
"""

PDM_LOCK = f"""[metadata]
groups = ["default"]
lock_version = "4.4"

[[package]]
name = "idna"
version = "3.7"
requires_python = ">=3.5"
files = [
    {{file = "idna-3.7-py3-none-any.whl", hash = "{H}"}},
]

[[package]]
name = "mylib"
version = "0.1.0"
path = "./libs/mylib"
"""

PYLOCK = f"""lock-version = "1.0"
created-by = "uv"

[[packages]]
name = "attrs"
version = "25.1.0"
index = "https://pypi.org/simple"
sdist = {{ url = "https://f/attrs-25.1.0.tar.gz", hashes = {{ sha256 = "{"c" * 64}" }} }}
wheels = [{{ url = "https://f/attrs-25.1.0-py3-none-any.whl", hashes = {{ sha256 = "{"d" * 64}" }} }}]

[[packages]]
name = "pkg"
vcs = {{ type = "git", url = "https://github.com/org/pkg", commit-id = "0123456789abcdef0123456789abcdef01234567" }}

[[packages]]
name = "local"
directory = {{ path = ".", editable = true }}
"""


def test_uv_lock():
    lock = parse_toml_lock(UV_LOCK, "uv.lock", "uv")
    assert lock.error is None
    assert lock.packages == (
        LockedPackage("anyio", "4.4.0", (H, H2), "registry", 5),
        LockedPackage("app", "0.1.0", (), "editable", 14),
        LockedPackage("tool", "1.0.0", (), "git", 19),
    )
    assert [p.needs_hashes for p in lock.packages] == [True, False, False]
    assert all(p.pinned for p in lock.packages)


def test_poetry_lock_current_and_legacy_hashes():
    lock = parse_toml_lock(POETRY_LOCK, "poetry.lock", "poetry")
    assert [(p.name, p.version, p.hashes, p.source, p.line) for p in lock.packages] == [
        ("fastapi", "0.115.0", (H,), "registry", 2), ("private", "1.2.0", (), "registry", 12)]
    legacy = parse_toml_lock(POETRY_LEGACY, "poetry.lock", "poetry")
    assert [(p.name, p.hashes) for p in legacy.packages] == [("six", (H,))]


def test_pdm_lock_and_pylock():
    pdm = parse_toml_lock(PDM_LOCK, "pdm.lock", "pdm")
    assert [(p.name, p.version, p.hashes, p.source) for p in pdm.packages] == [
        ("idna", "3.7", (H,), "registry"), ("mylib", "0.1.0", (), "path")]
    pylock = parse_toml_lock(PYLOCK, "pylock.toml", "pylock")
    assert [(p.name, p.version, p.source, p.needs_hashes, p.pinned) for p in pylock.packages] == [
        ("attrs", "25.1.0", "registry", True, True), ("pkg", None, "git", False, True),
        ("local", None, "editable", False, True)]
    assert pylock.packages[0].hashes == ("sha256:" + "c" * 64, "sha256:" + "d" * 64)


def test_invalid_toml_is_an_error_value_with_its_position():
    lock = parse_toml_lock('version = 1\n[[package]]\nname = "x"\nversion = \n', "uv.lock", "uv")
    assert lock.packages == ()
    assert (lock.error_line, lock.error_column) == (4, 11)
    assert lock.error == "Invalid value"


def test_lock_file_names_are_classified():
    assert [classify(n) for n in ("uv.lock", "poetry.lock", "pdm.lock", "pylock.toml", "pylock.dev.toml")] == [
        FileKind.PYTHON_LOCK] * 5
    assert classify("Cargo.lock") == FileKind.OTHER and classify("pylock..toml") == FileKind.OTHER
    assert python_lock_tool("pylock.prod.toml") == "pylock"


def test_exact_references():
    assert exact_reference("https://f/pkg-1.0-py3-none-any.whl#sha256=dd")
    assert exact_reference("git+https://github.com/org/r@0123456789abcdef0123456789abcdef01234567")
    assert not exact_reference("git+https://github.com/org/r@main")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('[]{}="\'\n abc.,=#0123456789')), max_size=120),
       st.sampled_from(["uv", "poetry", "pdm", "pylock"]))
def test_never_raises(text, tool):
    lock = parse_toml_lock(text, "x.lock", tool)
    assert lock.error is not None or isinstance(lock.packages, tuple)


def test_toml_1_1_inline_tables_over_several_lines():
    # what uv reads and TOML 1.1 formatters write: newlines and a trailing comma inside an inline table
    text = UV_LOCK.replace(f'sdist = {{ url = "https://f/anyio-4.4.0.tar.gz", hash = "{H}", size = 1 }}',
                           f'sdist = {{\n  url = "https://f/anyio-4.4.0.tar.gz",\n  hash = "{H}",\n  size = 1,\n}}')
    assert text != UV_LOCK
    lock = parse_toml_lock(text, "uv.lock", "uv")
    assert lock.error is None
    assert [(p.name, p.version, p.hashes, p.source, p.line) for p in lock.packages] == [
        ("anyio", "4.4.0", (H, H2), "registry", 5), ("app", "0.1.0", (), "editable", 18),
        ("tool", "1.0.0", (), "git", 23)]
