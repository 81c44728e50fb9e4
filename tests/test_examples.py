"""The held-out example keeps its exact findings: a change to a rule that moves, adds or drops one shows here."""

from pathlib import Path

from dockyard.cli import main
from tests.helpers import chdir

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = Path(__file__).resolve().parent / "fixtures" / "standard-example.findings.txt"


def test_standard_example_keeps_its_exact_findings(capsys):
    with chdir(ROOT / "examples" / "standard-example"):
        assert main(["check", "."]) == 1
    assert capsys.readouterr().out == EXPECTED.read_text(encoding="utf-8")
