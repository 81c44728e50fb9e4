"""CO005 and CO008 on shapes taken from real compose files."""

from __future__ import annotations

from tests.helpers import run_files


def _found(tmp_path, files, code):
    return [(f.code, f.path, f.position.line, f.position.column, f.message)
            for f in run_files(tmp_path, files, select=code)]


# shaped like full-stack-fastapi-template's compose.yml: SMTP authentication and Sentry are optional
OPTIONAL = """\
services:
  backend:
    image: backend:1.0
    environment:
      SECRET_KEY: ${SECRET_KEY:?Variable not set}
      SMTP_USER: ${SMTP_USER:-}
      SMTP_PASSWORD: ${SMTP_PASSWORD:-}
      SENTRY_DSN: ${SENTRY_DSN:-}
      API_TOKEN: ${API_TOKEN:-dev-token}
      SENTRY_AUTH_TOKEN: ${SENTRY_AUTH_TOKEN:-}
"""


def test_an_empty_default_is_an_optional_setting_not_a_secret_with_a_default(tmp_path):
    assert _found(tmp_path, {"compose.yaml": OPTIONAL}, "CO008") == [
        ("CO008", "compose.yaml", 9, 18, "secret `API_TOKEN` has a default: write `${API_TOKEN:?API_TOKEN is "
                                         "required}`")]
