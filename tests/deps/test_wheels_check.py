"""deps wheels-check against the real package index, and offline against local indexes."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from dockyard.deps.wheels_check import build_target, parse_python
from tests.deps.helpers import run_dockyard, table

# markupsafe 2.1.5: manylinux wheels for x86_64 and aarch64; docopt 0.6.2: only an sdist;
# pywin32 306: only Windows wheels, no sdist.
LOCK = """\
six==1.16.0
idna==3.7
markupsafe==2.1.5
docopt==0.6.2
pywin32==306
"""


def _lock(tmp_path: Path, text: str, name: str = "requirements.lock.txt") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_table_against_the_real_index(tmp_path):
    _lock(tmp_path, LOCK)
    proc = run_dockyard("deps", "wheels-check", "--python", "3.12", "--timeout", "30", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    rows = table(proc.stdout)
    assert rows["package"] == ["version", "linux/amd64", "linux/arm64", "build packages"]
    assert rows["six"] == ["1.16.0", "wheel", "wheel", "-"]
    assert rows["idna"] == ["3.7", "wheel", "wheel", "-"]
    assert rows["markupsafe"] == ["2.1.5", "wheel", "wheel", "-"]
    assert rows["docopt"] == ["0.6.2", "sdist-only", "sdist-only", "build-essential python3-dev"]
    assert rows["pywin32"] == ["306", "missing", "missing", "-"]
    assert "2 of 5 packages lack a wheel for some target" in proc.stdout


def test_all_wheels_exit_zero_and_json(tmp_path):
    _lock(tmp_path, "six==1.16.0\nmarkupsafe==2.1.5\n")
    proc = run_dockyard("deps", "wheels-check", "--format", "json", "--platform", "linux/arm64",
                        "--timeout", "30", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["platforms"] == ["linux/arm64"]
    assert doc["summary"] == {"packages": 2, "lacking_wheels": 0}
    ms = doc["packages"][1]
    assert ms["name"] == "markupsafe" and ms["version"] == "2.1.5"
    assert ms["platforms"]["linux/arm64"] == {
        "status": "wheel",
        "wheels": ["MarkupSafe-2.1.5-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl"],
    }
    assert ms["sdists"] == ["MarkupSafe-2.1.5.tar.gz"]


def test_musl_and_python_version_pick_other_wheels(tmp_path):
    _lock(tmp_path, "markupsafe==2.1.5\n")
    proc = run_dockyard("deps", "wheels-check", "--format", "json", "--libc", "musl", "--python", "3.11",
                        "--platform", "linux/amd64", "--timeout", "30", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    wheels = json.loads(proc.stdout)["packages"][0]["platforms"]["linux/amd64"]["wheels"]
    assert wheels == ["MarkupSafe-2.1.5-cp311-cp311-musllinux_1_1_x86_64.whl"]
    # markupsafe 2.1.5 predates CPython 3.13: only its sdist is left there
    proc = run_dockyard("deps", "wheels-check", "--python", "3.13", "--platform", "linux/amd64",
                        "--timeout", "30", cwd=tmp_path)
    assert proc.returncode == 1
    assert table(proc.stdout)["markupsafe"] == ["2.1.5", "sdist-only", "build-essential python3-dev"]


def _local_index(tmp_path: Path) -> Path:
    """A PEP 503 file:// index and a find-links directory (file contents do not matter for the check)."""
    index = tmp_path / "simple"
    (index / "fastpkg").mkdir(parents=True)
    (index / "fastpkg" / "index.html").write_text(
        '<!DOCTYPE html><html><body>\n'
        '<a href="../../files/fastpkg-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl#sha256=00">x</a>\n'
        '<a href="../../files/fastpkg-1.0-cp312-cp312-manylinux_2_39_aarch64.whl">y</a>\n'
        '<a href="../../files/fastpkg-1.0.tar.gz">fastpkg-1.0.tar.gz</a>\n'
        '<a href="../../files/fastpkg-2.0-py3-none-any.whl" data-requires-python="&gt;=3.13">z</a>\n'
        '</body></html>\n'
    )
    (index / "psycopg2").mkdir()
    (index / "psycopg2" / "index.html").write_text('<a href="/f/psycopg2-2.9.9.tar.gz">psycopg2-2.9.9.tar.gz</a>')
    links = tmp_path / "links"
    links.mkdir()
    (links / "abi3pkg-0.5-cp38-abi3-manylinux_2_28_aarch64.whl").write_bytes(b"")
    (links / "abi3pkg-0.5-cp38-abi3-manylinux_2_28_x86_64.whl").write_bytes(b"")
    return index


def test_offline_local_index_find_links_markers_and_glibc(tmp_path):
    index = _local_index(tmp_path)
    _lock(tmp_path, f"""\
--index-url {index.as_uri()}
--find-links {tmp_path / 'links'}
fastpkg==1.0
fastpkg==2.0
psycopg2==2.9.9
abi3pkg==0.5
winonly==1.0 ; sys_platform == "win32"
ranged>=1
""")
    proc = run_dockyard("deps", "wheels-check", cwd=tmp_path, isolated=True)
    assert proc.returncode == 1, proc.stderr
    rows = table(proc.stdout)
    # the aarch64 wheel needs glibc 2.39, newer than the default 2.36
    first = [line for line in proc.stdout.splitlines() if line.startswith("fastpkg ")][0]
    assert first.split() == ["fastpkg", "1.0", "wheel", "sdist-only", "build-essential", "python3-dev"]
    assert rows["psycopg2"] == ["2.9.9", "sdist-only", "sdist-only", "libpq-dev gcc"]
    assert rows["abi3pkg"] == ["0.5", "wheel", "wheel", "-"]
    assert rows["winonly"] == ["1.0", "n/a", "n/a", "-"]
    assert "skipped 'ranged>=1': not pinned with ==" in proc.stderr
    assert "builder stage needs: build-essential gcc libpq-dev python3-dev" in proc.stdout

    # fastpkg 2.0 requires Python >= 3.13: nothing for 3.12, a wheel for 3.13
    lines = [line for line in proc.stdout.splitlines() if line.startswith("fastpkg ")]
    assert lines[1].split()[:4] == ["fastpkg", "2.0", "missing", "missing"]
    proc = run_dockyard("deps", "wheels-check", "--python", "3.13", "--libc-version", "2.39", cwd=tmp_path,
                        isolated=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("fastpkg ")]
    assert lines[0].split()[:4] == ["fastpkg", "1.0", "sdist-only", "sdist-only"]
    assert lines[1].split()[:4] == ["fastpkg", "2.0", "wheel", "wheel"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_network_error_is_exit_2_with_a_clear_message(tmp_path):
    _lock(tmp_path, f"--index-url http://user:secret@127.0.0.1:{_closed_port()}/simple\nsix==1.16.0\n")
    proc = run_dockyard("deps", "wheels-check", "--timeout", "5", cwd=tmp_path)
    assert proc.returncode == 2
    assert "dockyard: error: cannot reach http://user:****@127.0.0.1:" in proc.stderr
    assert "secret" not in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (["--lock", "missing.txt"], "lock file"),
        (["--platform", "windows/amd64"], "unsupported platform 'windows/amd64'"),
        (["--python", "2.7"], "--python must look like 3.12"),
        (["--libc-version", "two"], "libc version must look like"),
    ],
)
def test_usage_errors_exit_2(tmp_path, args, message):
    _lock(tmp_path, "six==1.16.0\n")
    proc = run_dockyard("deps", "wheels-check", *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_target_tags_follow_packaging():
    from packaging.tags import Tag

    target = build_target("linux/arm64", parse_python("3.12"))
    assert Tag("cp312", "cp312", "manylinux_2_17_aarch64") in target.tags
    assert Tag("cp312", "cp312", "manylinux2014_aarch64") in target.tags
    assert Tag("cp38", "abi3", "manylinux_2_28_aarch64") in target.tags
    assert Tag("py3", "none", "any") in target.tags
    assert Tag("cp312", "cp312", "manylinux_2_37_aarch64") not in target.tags
    assert Tag("cp312", "cp312", "manylinux_2_17_x86_64") not in target.tags
    assert Tag("cp311", "cp311", "manylinux_2_17_aarch64") not in target.tags


def test_includes_are_followed_and_duplicates_reported_once(tmp_path):
    index = _local_index(tmp_path)
    (tmp_path / "sub").mkdir()
    _lock(tmp_path / "sub", "-r ../requirements.lock.txt\nabi3pkg==0.5\n", name="more.txt")
    _lock(tmp_path, f"""\
--no-index
--find-links {tmp_path / 'links'}
--extra-index-url {index.as_uri()}
-r sub/more.txt
-c constraints.txt
psycopg2==2.9.9
""")
    proc = run_dockyard("deps", "wheels-check", "--platform", "linux/amd64", cwd=tmp_path, isolated=True)
    assert proc.returncode == 1, proc.stderr
    rows = table(proc.stdout)
    assert list(rows) == ["package", "abi3pkg", "psycopg2"]
    assert rows["abi3pkg"] == ["0.5", "wheel", "-"]
    # --no-index: the extra index is ignored, as pip does; only find-links is searched
    assert rows["psycopg2"] == ["2.9.9", "missing", "-"]
