"""The exec form's JSON arrays: an array of plain strings is read without the `json` module, and on every text that
reading accepts it gives what `json` gives; anything else is still `json`'s (and BuildKit's, through the
differential tests of tests/parsers/test_dockerfile_differential.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockyard.parsers.buildkit_lines import _PLAIN_ARRAY, _NotStringArray, _decode_json, _parse_json, json_string

# pieces of JSON text, near and far from a plain array: escapes, control characters, numbers, nesting, surrogates
PIECES = ['[', ']', '"', ',', ' ', '\t', '\n', '\r', '\f', '\v', 'a', 'é', '中', '\\', '\\n', '\\u00e9', '\\ud800',
          '\x01', '\x1f', '\x7f', '1', 'null', 'true', '{}', '[]', '\ud800', ':', "'"]
texts = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)
arrays = st.lists(st.text(alphabet='ab é中"\\\x01\t/', max_size=4), max_size=4).map(
    lambda items: "[" + ", ".join('"' + s + '"' for s in items) + "]")


def _by_json(text: str):
    try:
        obj = _decode_json(text.lstrip(" \t\r\n\v\f"))
    except (ValueError, RecursionError):
        return None
    return obj


@settings(max_examples=400, deadline=None)
@given(st.one_of(texts, arrays, arrays.map(lambda a: a + " tail"), texts.map(lambda t: "[" + t)))
def test_the_plain_reading_and_json_agree_wherever_the_plain_reading_applies(text: str) -> None:
    try:
        ours = _parse_json(text)
    except _NotStringArray:
        ours = "not strings"
    theirs = _by_json(text)
    if isinstance(theirs, list):
        if not all(isinstance(item, str) for item in theirs):
            theirs = "not strings"
        else:
            theirs = tuple("".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in s) for s in theirs)
    elif theirs is not None:
        theirs = None  # a JSON value that is no array: not the exec form
    assert ours == theirs


@pytest.mark.parametrize("text, plain, expected", [
    ('["uvicorn", "app.main:app", "--port", "8000"]', True, ("uvicorn", "app.main:app", "--port", "8000")),
    ('[ ]', True, ()),
    ('[\n "a" ,\t"b"\r]  # after', True, ("a", "b")),
    ('["sh", "-c", "echo \\"hi\\""]', False, ("sh", "-c", 'echo "hi"')),  # an escape: read by json
    ('["a\\u00e9"]', False, ("aé",)),
    ('["\ud800"]', True, ("\ufffd",)),  # a lone surrogate becomes U+FFFD, as Go's decoder makes it
    ('["a",]', False, None),  # not JSON: the shell form
    ('["a\x01"]', False, None),  # a control character in a string: not JSON
    ("['a']", False, None),
])
def test_exec_form_arrays(text: str, plain: bool, expected) -> None:
    assert (_PLAIN_ARRAY.match(text) is not None, _parse_json(text)) == (plain, expected)


def test_a_number_in_the_array_is_refused_whichever_way_it_is_read() -> None:
    with pytest.raises(_NotStringArray):
        _parse_json('["a", 1]')


def test_parsing_a_dockerfile_of_plain_exec_forms_does_not_import_json() -> None:
    script = textwrap.dedent("""\
        import sys
        from dockyard.parsers.buildkit import parse_dockerfile
        parse_dockerfile('FROM python:3.12\\nCMD ["uvicorn", "app.main:app"]\\nHEALTHCHECK CMD ["true"]\\n')
        print("json" in sys.modules)
        parse_dockerfile('FROM python:3.12\\nCMD ["sh", "-c", "echo \\\\"hi\\\\""]\\n')
        print("json" in sys.modules)
        """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='ab Z9-_./:="\\\x00\x1f\x7fé中\ud800', max_size=8))
def test_the_json_text_of_an_exec_form_word_is_json_dumps(word: str) -> None:
    import json

    assert json_string(word) == json.dumps(word)
