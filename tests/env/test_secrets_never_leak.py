"""A secret value from an env file never appears in any output unless explicitly asked for."""

import json
import secrets

import pytest

from dockyard.cli import main
from tests.env._projects import DB_PASSWORD, SECRET, project
from tests.helpers import chdir, write_tree

WEAK = "hunter2-weak"
TEMPLATE_LEAK = "committed-real-secret-9Xk2"
KNOWN = (SECRET, DB_PASSWORD, WEAK, TEMPLATE_LEAK)


def _tree(tmp_path):
    files = project(**{
        ".env.staging": f"SECRET_KEY={WEAK}\nPOSTGRES_PASSWORD=\"{DB_PASSWORD}\nBROKEN=1\n",
        ".env.staging.example": f"SECRET_KEY={TEMPLATE_LEAK}\nAPI_KEY=\nX=${{Y}}\nY=1\n",
        ".env.dev": project()[".env.dev"] + f"ADMIN_PASSWORD={WEAK}\nAPI$KEY={SECRET}\n",
        "docker-compose.staging.yml": "services:\n  api:\n    env_file: [.env.staging]\n",
    })
    write_tree(tmp_path, files)


def _assert_clean(captured):
    for value in KNOWN:
        assert value not in captured.out and value not in captured.err


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_check_reports(fmt, tmp_path, capsys):
    _tree(tmp_path)
    assert main(["check", str(tmp_path), "--format", fmt]) == 1
    captured = capsys.readouterr()
    assert "EN009" in captured.out and "EN007" in captured.out
    _assert_clean(captured)


@pytest.mark.parametrize("args", [
    ["env", "check", "."], ["env", "check", ".", "--format", "json"], ["env", "check", ".", "--env", "staging"],
    ["env", "render", "--env", "prod"], ["env", "render", "--env", "prod", "--format", "json"],
    ["env", "render", "-f", "docker-compose.base.yml", "--env-file", ".env.prod"],
    ["env", "diff", "prod", "staging"], ["env", "diff", "prod", "staging", "--show-values"],
    ["env", "diff", ".env.prod", ".env.dev", "--show-values", "--format", "json"],
    ["env", "init", "--env", "qa"], ["env", "init", "--env", "prod"],
])
def test_env_commands(args, tmp_path, capsys):
    _tree(tmp_path)
    (tmp_path / ".env.qa.example").write_text(f"SECRET_KEY=CHANGE_ME\nOTHER_SECRET={SECRET}\n")
    with chdir(tmp_path):
        main(args)
    captured = capsys.readouterr()
    _assert_clean(captured)
    if args[:2] == ["env", "init"] and args[-1] == "qa":
        generated = (tmp_path / ".env.qa").read_text().splitlines()[0].split("=", 1)[1]
        assert generated not in captured.out and generated not in captured.err


def test_show_secrets_does_show_them(tmp_path, capsys):
    _tree(tmp_path)
    with chdir(tmp_path):
        assert main(["env", "render", "--env", "prod", "--show-secrets"]) == 0
    assert SECRET in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_render_masks_list_form_variables_in_extension_fields(fmt, tmp_path, capsys):
    # compose keeps `x-` fields in its output; a `KEY=value` list item there is masked like `environment:` is
    (tmp_path / "compose.yaml").write_text(
        "x-app: &app\n  image: nginx:1.27\n  environment:\n    - DB_PASSWORD=${DB_PASSWORD}\n    - MODE=dev\n"
        "services:\n  web:\n    <<: *app\n")
    (tmp_path / ".env").write_text(f"DB_PASSWORD={DB_PASSWORD}\n")
    with chdir(tmp_path):
        assert main(["env", "render", "--format", fmt]) == 0
    captured = capsys.readouterr()
    _assert_clean(captured)
    assert "DB_PASSWORD=********" in captured.out and "MODE=dev" in captured.out


# -- every place a secret can live, every output ---------------------------------------------------------------
# Each planted value starts and ends with MARK, so that a value masked only in part (an unencoded `@` or a blank
# in a password, a private key's body) is still caught. Values under secret names are distinctive (mixed classes).
MARK = f"S3CR3T{secrets.token_hex(4)}"
TOKEN_BODY = f"{MARK}A1b2C3d4E5f6G7h8I9j0K1l2M3n4"  # alphanumeric, as token shapes are


def _v(label: str) -> str:
    return f"{MARK}-{label}-{MARK}"


PLANTED = {
    ".gitignore": ".env\n.env.*\n!.env.*.example\n",
    # env files of every kind: the interpolation `.env` (also loaded with `env_file:`), a template, a real file
    # of another environment with a parse error
    ".env": "\n".join([
        f"SECRET_KEY={_v('secret-key')}",
        f"DB_PASS={_v('db-pass')}", f"DB_PWD={_v('db-pwd')}", f"GITHUB_PAT={_v('github-pat')}",
        f"STRIPE_SK={_v('stripe-sk')}", f"JWT={_v('jwt')}", f"POSTGRES_PASSWORD={_v('postgres')}",
        f"DB_ROOT={_v('compose-secret')}",  # read by compose `secrets:`: a secret whatever its name
        f"GH_VALUE=ghp_{TOKEN_BODY}", f"FINE_GRAINED=github_pat_11ABCDEFG0{TOKEN_BODY}",
        f"STRIPE_VALUE=sk_live_{TOKEN_BODY}", f"AWS_VALUE=AKIA{MARK[:16].upper().ljust(16, 'Q')}",
        f"SLACK_VALUE=xoxb-123456789012-1234567890123-{MARK.lower()}abc",
        f'KEY_BLOCK="-----BEGIN RSA PRIVATE KEY-----\nMIIB{TOKEN_BODY}\n{MARK}xyz\n-----END RSA PRIVATE KEY-----"',
        f"QUERY_URL=https://api.example.com/v1?user=bob&password={_v('query-password')}&page=1",
        f"TOKEN_QUERY_URL=https://api.example.com/v1?token={_v('query-token')}",
        f"SECRET_QUERY_URL=https://api.example.com/v1?a=1&secret={_v('query-secret')}",
        f"GIT_URL=https://{_v('user-token')}@github.com/org/repo.git",
        f"AT_URL=postgresql://app:{MARK}@{MARK}@db:5432/app",
        f"BLANK_URL=postgresql://app:{MARK} {MARK}@db:5432/app",
        "POSTGRES_HOST_AUTH_METHOD=trust",
        "DB_PASSWORD_FILE=/run/secrets/db_password",
        "PLAIN_URL=https://example.com:8443/path",
        f"APP_SETTINGS=signing-with-{_v('secret-key')}",
        "",
    ]),
    ".env.example": f"SECRET_KEY={_v('template-key')}\nDATABASE_URL=postgresql://app:{_v('template-url')}@db/app\n"
                    "POSTGRES_HOST_AUTH_METHOD=trust\nAPI_PORT=8150\nAPP_SETTINGS=plain\n"
                    "QUERY_URL=https://api.example.com/v1\n",
    ".env.staging": f"API_PORT=8150\nBROKEN=\"{_v('parse-error')}\nAFTER=1\n",
    "compose.yaml": f"""services:
  api:
    image: registry.example.com/api:1.0
    env_file: [.env]
    build:
      context: .
      args:
        NPM_TOKEN: {_v('build-arg-map')}
        PIP_INDEX_URL: https://user:{_v('build-arg-url')}@pypi.example.com/simple
    environment:
      APP_CONFIG: "key=${{SECRET_KEY}}"
      INIT_ROOT: "root=${{DB_ROOT}}"
      DATABASE_URL: postgresql://app:{_v('compose-url')}@db:5432/app
      WEBHOOK_URL: https://hooks.example.com/x?token={_v('compose-query')}
      API_KEY: {_v('compose-map')}
      POSTGRES_HOST_AUTH_METHOD: trust
      PORT: "8150"
      PUBLIC_URL: https://example.com:8443/
    command: ["app", "--password={_v('argv-equals')}", "--db-password", "{_v('argv-db-password')}",
              "--token", "{_v('argv-token')}"]
    secrets: [dbpw]
  worker:
    image: registry.example.com/api:1.0
    build:
      context: .
      args:
        - GITHUB_TOKEN={_v('build-arg-list')}
    environment:
      - AUTH_TOKEN={_v('compose-list')}
      - MIXED=prefix-${{POSTGRES_PASSWORD}}-suffix
    command: redis-server --requirepass {_v('requirepass')} --port 6379
  db:
    image: mysql:8.4
    healthcheck:
      test: ["CMD-SHELL", "mysqladmin ping -uroot -p{_v('mysql-p')}"]
secrets:
  dbpw:
    environment: DB_ROOT
""",
    "compose.staging.yaml": "services:\n  api:\n    environment:\n"
                            f'      LABEL_TEXT: "abc${{{_v("bad-interpolation")}"\n',
    "Dockerfile": f"""FROM python:3.12-slim
ENV API_TOKEN={_v('dockerfile-env')}
ARG GITHUB_PAT={_v('dockerfile-arg')}
ENV CONFIG_URL=https://u:{_v('dockerfile-url')}@host/x
RUN mysql -uroot -p{_v('dockerfile-run')} -e 'select 1'
CMD ["app"]
""",
    "tools/Dockerfile": f"FROM python:3.12-slim\nENV API_TOKEN=abc {_v('dockerfile-parse-error')}\nCMD [\"app\"]\n",
}

LEAK_RUNS = {
    "check text": ["check", "."], "check json": ["check", ".", "--format", "json"],
    "check sarif": ["check", ".", "--format", "sarif"], "check github": ["check", ".", "--format", "github"],
    "check scope": ["check", ".", "--explain-scope"],
    "env check": ["env", "check", "."], "env check json": ["env", "check", ".", "--format", "json"],
    "env render": ["env", "render"], "env render json": ["env", "render", "--format", "json"],
    "env render errors": ["env", "render", "--env", "staging"],
    "env diff": ["env", "diff", ".env", ".env.example", "--show-values"],
    "env diff json": ["env", "diff", ".env", ".env.example", "--show-values", "--format", "json"],
    "fix diff": ["fix", "--diff", "--unsafe-fixes"], "fix check": ["fix", "--check", "--unsafe-fixes"],
}


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    return write_tree(tmp_path_factory.mktemp("planted"), PLANTED)


@pytest.mark.parametrize("run", list(LEAK_RUNS))
def test_planted_secrets_never_leak(run, planted, capsys):
    with chdir(planted):
        main(LEAK_RUNS[run])
    captured = capsys.readouterr()
    assert MARK not in captured.out, [line for line in captured.out.splitlines() if MARK in line]
    assert MARK not in captured.err, [line for line in captured.err.splitlines() if MARK in line]
    assert captured.out or captured.err
    if run.startswith("env render") and run != "env render errors":
        out = captured.out
        # not secrets, and still shown
        assert "trust" in out and "/run/secrets/db_password" in out and "https://example.com:8443/" in out
        assert "8150" in out and "prefix-********-suffix" in out and "key=********" in out
    if run == "env render errors":
        assert "unterminated quoted value" in captured.err and "invalid interpolation format" in captured.err
    if run.startswith("fix"):
        # the template's secret is masked in the removed line; the placeholder the unsafe fix writes is shown
        assert "-SECRET_KEY=********" in captured.out and "+SECRET_KEY=CHANGE_ME_SECRET_KEY" in captured.out
    if run == "check text":
        assert "hardcodes the URL host `example.com`" in captured.out  # a URL without credentials is named


def test_planted_secrets_are_shown_when_asked_and_render_as_compose_does(planted, capsys):
    from tests.compose import _oracle

    with chdir(planted):
        assert main(["env", "render", "--format", "json", "--show-secrets"]) == 0
    ours = json.loads(capsys.readouterr().out)
    assert MARK in json.dumps(ours)
    rc, expected, err = _oracle.run_config(planted, ["compose.yaml"])
    assert rc == 0, err
    assert ours == expected
