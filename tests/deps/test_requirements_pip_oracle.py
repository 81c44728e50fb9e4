"""parse_requirements reads a requirements file as pip does: pip's own reader is the oracle.

``pip._internal.req.req_file`` (in every virtual environment made with ``python -m venv``) joins continued lines,
drops comments, splits each line into the requirement and its options and parses the options with one optparse
parser. For every logical line both sides are reduced to the same view:

* ``("req", text, hashes)`` for a requirement line (global options on it have no effect);
* ``("editable", target)`` for an ``-e`` line;
* ``("options", ((dest, value), ...))`` for an options line;
* ``("error",)`` where pip rejects the line's options (``OptionParsingError``).
"""

from __future__ import annotations

import ast
import re
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pip._internal.exceptions import CommandError
from pip._internal.models.format_control import FormatControl
from pip._internal.req import req_file as pip_req_file

from dockyard.parsers.requirements import parse_requirements

# pip's optparse destinations of the options a line can carry, by our long option name
DEST = {
    "--index-url": "index_url", "--extra-index-url": "extra_index_urls", "--no-index": "no_index",
    "--constraint": "constraints", "--requirement": "requirements", "--find-links": "find_links",
    "--no-binary": "no_binary", "--only-binary": "only_binary", "--prefer-binary": "prefer_binary",
    "--require-hashes": "require_hashes", "--pre": "pre", "--trusted-host": "trusted_hosts",
    "--use-feature": "features_enabled",
}


def _pip_options(opts) -> tuple:
    found = []
    for dest in ("index_url", "extra_index_urls", "no_index", "constraints", "requirements", "find_links",
                 "prefer_binary", "require_hashes", "pre", "trusted_hosts", "features_enabled"):
        value = getattr(opts, dest, None)
        if value in (None, False, []):
            continue
        for v in value if isinstance(value, list) else [value]:
            found.append((dest, None if v is True else v))
    fc = opts.format_control
    found += [("no_binary", name) for name in sorted(fc.no_binary)]
    found += [("only_binary", name) for name in sorted(fc.only_binary)]
    return tuple(sorted(found))


def _reset_shared_defaults() -> None:
    """pip's option factories share their list defaults (``default=[]`` in a ``functools.partial``), and the
    ``append`` action appends to that very list: clear them so that one line's options do not leak into the next."""
    for factory in (*pip_req_file.SUPPORTED_OPTIONS, *pip_req_file.SUPPORTED_OPTIONS_REQ):
        default = getattr(factory, "keywords", {}).get("default")
        if isinstance(default, list):
            default.clear()


def pip_view(text: str) -> dict[int, tuple]:
    parse_line = pip_req_file.get_line_parser(None)
    out: dict[int, tuple] = {}
    for lineno, line in pip_req_file.preprocess(text):
        _reset_shared_defaults()
        try:
            args, opts = parse_line(line)
        except (pip_req_file.OptionParsingError, CommandError):
            out[lineno] = ("error",)
            continue
        if args:
            hashes = tuple(sorted((algo, d) for algo, ds in (opts.hashes or {}).items() for d in ds))
            out[lineno] = ("req", args.strip(), hashes)
        elif opts.editables:
            out[lineno] = ("editable", opts.editables[0])
        else:
            out[lineno] = ("options", _pip_options(opts))
    return out


def _ours_options(options) -> tuple:
    found = []
    stored: dict[str, tuple] = {}  # optparse's "store" actions: the last one wins, a repeated flag is one flag
    fc = FormatControl(set(), set())  # what the --no-binary / --only-binary values add up to, in pip's terms
    for o in options:
        dest = DEST[o.name]
        if dest == "no_binary":
            FormatControl.handle_mutual_excludes(o.value, fc.no_binary, fc.only_binary)
        elif dest == "only_binary":
            FormatControl.handle_mutual_excludes(o.value, fc.only_binary, fc.no_binary)
        elif dest == "index_url" or o.value is None:
            stored[dest] = (dest, o.value)
        else:
            found.append((dest, o.value))
    found += [("no_binary", name) for name in fc.no_binary]
    found += [("only_binary", name) for name in fc.only_binary]
    return tuple(sorted(found + list(stored.values())))


def our_view(text: str, starts: list[int]) -> dict[int, tuple]:
    """The same view of parse_requirements' result; ``starts`` are pip's logical line numbers."""
    rf = parse_requirements(text, "requirements.txt")

    def logical(line: int) -> int:
        return max(s for s in starts if s <= line)

    out: dict[int, tuple] = {}
    for e in rf.errors:
        m = re.match(r"invalid requirement ('.*'|\".*\"): ", e.message)
        if m:  # the requirement itself is judged by packaging, after pip's line reader: compare its text
            # (an invalid requirement keeps no options: its hashes are not compared)
            out.setdefault(logical(e.line), ("req", ast.literal_eval(m.group(1)), mock.ANY))
        else:
            out[logical(e.line)] = ("error",)
    for entry in rf.entries:
        key = logical(entry.line)
        if key in out:
            continue
        if entry.editable:
            out[key] = ("editable", entry.text)
        else:
            hashes = tuple(sorted(tuple(h.split(":", 1)) for h in entry.hashes))
            out[key] = ("req", entry.text, hashes)
    by_line: dict[int, list] = {}
    for o in rf.options:
        by_line.setdefault(logical(o.line), []).append(o)
    for key in starts:
        if key not in out:
            out[key] = ("options", _ours_options(by_line.get(key, ())))
    return out


H1 = "sha256:" + "a" * 64
H2 = "sha256:" + "b" * 64
CASES = [
    # requirements with their own options
    f"anyio==4.4.0 --hash={H1} --hash {H2}\n",
    f"anyio==4.4.0 \\\n    --hash={H1} \\\n    --hash={H2}\n    # via fastapi\n",
    f"uvloop==0.19.0 ; sys_platform != 'win32' --hash={H1}\n",
    "lxml==5.2.2 --config-settings=--build-option=--static\n",
    "pkg==1.0 --global-option=--quiet\n",
    # global options after a requirement are accepted and have no effect on it
    "python3-saml==1.16.0 --no-binary lxml,xmlsec\n",
    "pkg==1.0 --only-binary :all:\n",
    "pkg==1.0 --pre --index-url https://example.org/simple\n",
    "pkg==1.0 -r other.txt\n",
    # options lines
    "--only-binary :all:\n--no-binary lxml\n--prefer-binary\n",
    "--index-url https://pypi.org/simple\n--extra-index-url=https://user@example.org/simple\n-i https://i/simple\n",
    "-f ./wheels\n--find-links=https://example.org/wheels\n--no-index\n",
    "-r base.txt\n-rbase2.txt\n--requirement=more.txt\n-c constraints.txt\n",
    "--require-hashes\n--pre\n--trusted-host example.org\n--use-feature truststore\n",
    "--no-bin lxml\n--extra-index https://e/\n",  # optparse's unique prefixes
    # editables
    "-e .\n-e .[dev,test]\n--editable=./libs/thing\n",
    "-e git+https://github.com/org/repo.git@v1#egg=repo\n",
    # URLs, paths and markers
    "pkg @ https://files.example.org/pkg-1.0-py3-none-any.whl#sha256=dd\n",
    "x @ https://h/x.tar.gz#egg=x ; python_version >= '3.8'\n",
    "./vendor/thing\ngit+https://github.com/org/repo.git@v1#egg=repo\n",
    "Jinja2[i18n] == 3.1.4 ; python_version >= \"3.8\"  # pinned\n",
    # per-requirement option on an options line: pip warns and ignores it
    f"--hash={H1}\n",
    # words left over after the options are ignored by pip
    f"pkg==1.0 --hash {H1} {H2}\n",
    "--pre stray words\n",
    # rejected lines
    "--bogus x\n",
    "six==1.0 --nope\n",
    "-r\n",
    "--pre=yes\n",
    "foo==1 --hash=md5:deadbeef\n",
    "foo==1 --hash=deadbeef\n",
    "pkg==1.0 --index-url 'unterminated\n",
    # a tab is not a word separator for pip: the whole line is the requirement
    f"pkg==1.0\t--hash={H1}\n",
    # double spaces before the options
    f"pkg==1.0   --hash={H1}\n",
    # comments and continuations
    "six==1.16.0 \\\n# a comment \\\nidna==3.7\n",
    "requests \\\n  >=2.0 \\\n  --hash=sha256:ab\n",
]


@pytest.mark.parametrize("text", CASES, ids=[c.splitlines()[0][:40] for c in CASES])
def test_lines_read_as_pip_reads_them(text):
    expected = pip_view(text)
    assert our_view(text, sorted(expected)) == expected


WORDS = ["six==1.0", "pkg>=1", "-r", "-e", ".", "--hash", f"--hash={H1}", H2, "-i", "https://i/simple",
         "--no-binary", ":all:", "lxml", "--pre", "--pre=1", "--only-binary", "--bogus", "#", "\\", "\n", "'",
         "-c", "c.txt", "--config-settings", "a=b", "--", "-", "--index-url=https://x/", "x @ https://h/x.whl",
         ";", "python_version<'3'", "--no-index", "-fwheels", "--require-hashes", "--hash=md5:x"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=10).map(" ".join))
def test_generated_lines_read_as_pip_reads_them(text):
    expected = pip_view(text)
    assert our_view(text, sorted(expected)) == expected
