"""How compose reads one file, against the real `docker compose config`: every document of a multi-document file
(merged in order, as if each were a file of its own), UTF-16 with a byte-order mark, explicit YAML tags, anchors
across documents, and how a float becomes a string."""

from __future__ import annotations


import pytest

from tests.compose import _oracle


HEAD = "services:\n  a:\n    image: alpine\n"


MULTI_DOCUMENT = {
    # later documents override earlier ones as override files do: environment list + mapping, ports short + long
    "merge": HEAD + "    environment: [X=1]\n    ports: ['80:80']\n    command: [a, b]\n---\nservices:\n  a:\n"
                    "    environment: {Y: '2'}\n    ports: [{target: 80, published: '80'}]\n    command: c\n"
                    "  b:\n    image: busybox\n---\nname: third\n",
    "reset and override": HEAD + "    environment: [K=1]\n    ports: ['80:80']\n---\nservices:\n  a:\n"
                                 "    environment: !override {J: '2'}\n    ports: !reset []\n",
    "include in a later document": HEAD + "---\ninclude: [other.yaml]\n",
    "extends within a document": HEAD + "---\nservices:\n  x:\n    image: busybox\n  b:\n    extends: x\n",
    "extends across documents is refused": HEAD + "---\nservices:\n  b:\n    extends: a\n",
    "an empty trailing document is refused": HEAD + "---\n",
    "a comment-only document is refused": HEAD + "---\n# nothing\n",
    "a document that is a list is refused": HEAD + "---\n- a\n",
    "document end markers": HEAD + "...\n---\nservices:\n  b:\n    image: busybox\n...\n",
    "an anchor of an earlier document": "x-a: &a\n  image: alpine\nservices:\n  a: *a\n---\nservices:\n  b: *a\n",
    "an anchor redefined": "x-a: &a\n  image: alpine\nx-b: &a\n  image: busybox\nservices:\n  a: *a\n",
}


@pytest.mark.parametrize("text", MULTI_DOCUMENT.values(), ids=MULTI_DOCUMENT.keys())
def test_a_multi_document_file_is_read_as_compose_reads_it(tmp_path, text):
    extra = {"other.yaml": "services:\n  a:\n    image: q\n  c:\n    image: r\n"}
    _oracle.same_as_compose(tmp_path, text, extra)


def test_a_later_document_overrides_an_earlier_one(tmp_path):
    model = _oracle.same_as_compose(tmp_path, MULTI_DOCUMENT["merge"])
    assert model is not None and model["name"] == "third"
    assert model["services"]["a"]["environment"] == {"X": "1", "Y": "2"}
    assert model["services"]["a"]["command"] == ["c"]


TAGGED = ["!!str 0123", "!!str 1_000", "!!str 0x10", "!!str true", "!!str null", "!!str ~", "!!str 1e3",
          "!!str 1.50", "!!str", "!!int '0123'", "!!int 0x1F", "!!int '0o17'", "!!int 1_000", "!!float 1e3",
          "!!float '1_0'", "!!float 3", "!!float .inf", "!!bool 'True'", "!!bool false", "!!null ''",
          "!!binary aGVsbG8=", "!foo 0x10", "!foo", "'quoted'", "0123", "1e6", "1234567.0", "100000.5", ".inf",
          "-.inf", ".nan", "0.1", "1e-5", "!!int 1.5", "!!bool yes", "!!null x", "!!timestamp 2001-12-14"]


@pytest.mark.parametrize("value", TAGGED)
def test_explicit_tags_and_floats_are_read_as_compose_reads_them(tmp_path, value):
    _oracle.same_as_compose(tmp_path, HEAD + f"    environment:\n      V: {value}\n    labels:\n      l: {value}\n")


@pytest.mark.parametrize("encoding, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                           ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"")])
def test_a_utf16_file_with_a_byte_order_mark_is_read(tmp_path, encoding, bom):
    text = HEAD + "    environment:\n      K: \"\u00e9\u4e2d\"\n"
    model = _oracle.same_as_compose(tmp_path, bom + text.encode(encoding))
    assert (model is None) == (bom == b"")  # compose reads UTF-16 only with its byte-order mark


TYPED = ["cpus: !!str 0.5", "cpus: !foo 0.5", "cpus: !override 0.5", "scale: !!str 2", "privileged: !!str true",
         "privileged: !foo true", "cpus: '0.5'", "privileged: 'true'", "init: 'false'", "cpus: 'abc'",
         "privileged: 'maybe'", "mem_limit: !!int 1024", "cpus: !!int 1"]


@pytest.mark.parametrize("setting", TYPED)
def test_a_string_where_compose_wants_a_number_or_a_bool_is_cast_as_compose_casts_it(tmp_path, setting):
    _oracle.same_as_compose(tmp_path, HEAD + f"    {setting}\n")
