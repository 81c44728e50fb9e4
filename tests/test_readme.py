"""The README's rule table is generated from rule metadata and must be current."""

from pathlib import Path

from dockyard.rules.docs import README_BEGIN, README_END, readme_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_rule_table_is_current():
    text = README.read_text(encoding="utf-8")
    current = text[text.index(README_BEGIN): text.index(README_END) + len(README_END)]
    assert current == readme_table(), "run `python -m dockyard.rules.docs` to regenerate the README's rule table"


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    lines = README.read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1: lines.index("```sh") + 3]
    assert "dockyard check examples/" in block[0]
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert block[1] in ci
