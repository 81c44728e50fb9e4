"""Parse errors keep the text of the tool they follow (compose, BuildKit: the oracle tests compare it), and
what dockyard prints of them never quotes the value or line they are about: it may be a secret."""

import pytest

from tests.helpers import run_files


def test_parse_errors_do_not_quote_the_value(tmp_path):
    found = run_files(tmp_path, {
        ".env": 'A=1\nBROKEN="Zq8v-L2xN-unclosed\nB=2\n',
        ".env.test": "C=abc${Zq8v-L2xN\n",
        "compose.yaml": 'services:\n  app:\n    image: nginx:1.27\n    environment:\n      LABEL: "abc${Zq8v-L2xN"\n',
        "Dockerfile": "FROM python:3.12-slim\nENV API_TOKEN=abc Zq8v-L2xN\n",
    }, ("EN001", "CO004", "DF001"))
    messages = {f.code: f.message for f in found}
    assert set(messages) == {"EN001", "CO004", "DF001"}
    assert not any("Zq8v" in m for m in messages.values()), messages
    assert messages["CO004"].startswith("invalid interpolation: this `${` is never closed")
    assert "has no `=`" in messages["DF001"]


def test_compose_error_messages_without_the_text_they_quote():
    from dockyard.parsers.dotenv import parse_env
    from dockyard.parsers.interpolation import InterpolationError, substitute

    err = parse_env('A=1\nB="Zq8v-L2xN\n').errors[0]
    assert "Zq8v" in err.message and "Zq8v" not in err.safe_message  # compose's text kept for the oracle tests
    assert err.safe_message == "line 3: unterminated quoted value"  # compose's line count
    err = parse_env("BAD!=Zq8v-L2xN\n").errors[0]
    assert "Zq8v" not in err.safe_message
    with pytest.raises(InterpolationError) as raised:
        substitute("abc${Zq8v-L2xN", lambda _name: None)
    assert "Zq8v" in raised.value.compose_message("services.a.environment.X")
    assert "Zq8v" not in raised.value.safe_message("services.a.environment.X")
