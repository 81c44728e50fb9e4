"""PyYAML imported without compiling its reader's largest pattern (dockyard.parsers.yamlpos.import_yaml)."""

from __future__ import annotations

import re
import subprocess
import sys

from dockyard.parsers.yamlpos import YAML_NON_PRINTABLE, YAML_NON_PRINTABLE_EXCLUDED, load_yaml


def test_the_cheap_pattern_matches_exactly_the_characters_pyyaml_refuses():
    pyyaml, cheap = re.compile(YAML_NON_PRINTABLE), re.compile(YAML_NON_PRINTABLE_EXCLUDED)
    every = "".join(map(chr, range(0x110000)))
    assert [m.start() for m in pyyaml.finditer(every)] == [m.start() for m in cheap.finditer(every)]


def _reader_pattern(code: str) -> str:
    script = code + "\nimport yaml.reader\nprint(ascii(yaml.reader.Reader.NON_PRINTABLE.pattern))\n"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.strip()


def test_pyyaml_still_compiles_the_pattern_it_is_replaced_for():
    assert _reader_pattern("") == ascii(YAML_NON_PRINTABLE)


def test_pyyaml_imported_by_dockyard_uses_the_cheap_pattern_and_refuses_the_same_characters():
    assert _reader_pattern("from dockyard.parsers.yamlpos import import_yaml\nimport_yaml()") == \
        ascii(YAML_NON_PRINTABLE_EXCLUDED)
    script = ("from dockyard.parsers.yamlpos import import_yaml\nyaml = import_yaml()\n"
              "for text in ('a: \\x07', 'a: \\U0001F600', 'a: \\ufffe'):\n"
              "    try:\n        print(repr(yaml.load(text, Loader=yaml.SafeLoader)))\n"
              "    except yaml.reader.ReaderError as e:\n        print(e.reason, e.character)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["special characters are not allowed 7", "{'a': '\U0001f600'}",
                                "special characters are not allowed 65534"]
    assert load_yaml("a: 1\n").root == {"a": 1}
