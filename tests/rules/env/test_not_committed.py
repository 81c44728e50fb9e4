import subprocess

from tests.helpers import described, run_files, write_tree


def _git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_tracked_real_env_files(tmp_path):
    _git(tmp_path.parent, "init", "-q", str(tmp_path))
    write_tree(tmp_path, {".env": "A=1\n", ".env.prod": "SECRET_KEY=x\n", ".env.prod.example": "A=1\n",
                          "deploy/.env.staging": "A=1\n", ".env.dev.sample": "A=1\n", ".env.dev": "A=1\n",
                          ".gitignore": ".env*\n!*.example\n"})
    _git(tmp_path, "add", "-f", ".env", ".env.prod", ".env.prod.example", "deploy/.env.staging", ".env.dev.sample")
    found = run_files(tmp_path, {}, select="EN003")
    assert described(found, path=True, message=False) == [
        (".env", "EN003", 1, 1), (".env.dev.sample", "EN003", 1, 1), (".env.prod", "EN003", 1, 1),
        ("deploy/.env.staging", "EN003", 1, 1)]
    assert "git rm --cached .env.prod" in found[2].message
    assert "rename it `.env.dev.example`" in found[1].message


def test_untracked_and_templates_pass(tmp_path):
    _git(tmp_path.parent, "init", "-q", str(tmp_path))
    write_tree(tmp_path, {".env.prod": "A=1\n", ".env.prod.example": "A=1\n"})
    _git(tmp_path, "add", ".env.prod.example")
    assert run_files(tmp_path, {}, select="EN003") == []


def test_outside_git_nothing_is_claimed(tmp_path):
    assert run_files(tmp_path, {".env.prod": "A=1\n"}, select="EN003") == []


def test_files_named_like_env_files_that_are_not(tmp_path):
    # a patch and a Jinja template named `.env.*` (or `.env`) are not env files: no EN finding judges them
    _git(tmp_path.parent, "init", "-q", str(tmp_path))
    files = {
        "patches/kafka/.env.patch": "--- .env\n+++ .env.kafka\n@@ -1,2 +1,3 @@\n A=1\n+KAFKA_BOOTSTRAP_SERVERS=k:9092\n",
        "deploy/.env.j2": "SECRET_KEY={{ secret_key }}\n",
        "template/{{cookiecutter.name}}/.env": "{{cookiecutter.name | upper}}_RELOAD=True\n{%- if cookiecutter.db %}\n"
                                              "DB_HOST=localhost\n{%- endif %}\n",
        "fixtures/.env": "diff --git a/.env b/.env\n--- a/.env\n+++ b/.env\n",
    }
    write_tree(tmp_path, files)
    _git(tmp_path, "add", "-f", *files)
    assert run_files(tmp_path, {}, select="EN") == []


def test_public_frontend_build_settings_are_not_a_leaked_secret(tmp_path):
    _git(tmp_path.parent, "init", "-q", str(tmp_path))
    files = {"frontend/package.json": "{}\n",
             "frontend/.env": "VITE_API_URL=http://localhost:8000\nMAILPIT_HOST=http://localhost:8025\n",
             "web/.env.production": "NEXT_PUBLIC_API_URL=https://api.example.com\n",
             "app/.env": "VITE_API_URL=http://localhost\nAPI_SECRET_KEY=4f9c1e2b7a6d5f3e8c0b1a2d3e4f5a6b\n",
             "svc/.env": "LOG_LEVEL=info\n", "db/.env": "POSTGRES_USER=app\nPOSTGRES_PW=s3cr3t-pw\n"}
    write_tree(tmp_path, files)
    _git(tmp_path, "add", "-f", *files)
    found = run_files(tmp_path, {}, select="EN003")
    assert [f.path for f in found] == ["app/.env", "db/.env", "svc/.env"]
    assert "rotate every secret" in found[0].message and "4f9c" not in found[0].message
    assert "rotate every secret" in found[1].message  # `_PW` names a password
    assert found[2].message == ("`svc/.env` is a real env file tracked by git; it holds no secret today, but the next "
                                "one added to it is published: run `git rm --cached svc/.env` and commit a "
                                "`.env.example` template instead")


def test_excluded_folders_are_not_judged(tmp_path):
    from dockyard.config import Config

    _git(tmp_path.parent, "init", "-q", str(tmp_path))
    write_tree(tmp_path, {"tests/fixtures/.env": "SECRET_KEY=x\n", ".env": "SECRET_KEY=x\n"})
    _git(tmp_path, "add", "-f", "tests/fixtures/.env", ".env")
    found = run_files(tmp_path, {}, select="EN003", config=Config(exclude=("tests/fixtures/",)))
    assert described(found, path=True, message=False) == [(".env", "EN003", 1, 1)]


def test_secret_free_variable_files_and_one_template_request(tmp_path):
    # a tracked `.env.ports` of port numbers names no environment and holds no secret: committed by design; a
    # tracked `.env.<env>` is told to leave git, and its template is asked once (by EN002), not twice; an empty
    # secret is no "no secret"
    _git(tmp_path.parent, "init", "-q", str(tmp_path))
    files = {"deploy/.env.ports": "APP_PORT=8000\nLOG_DIR=./logs\n", "deploy/.env.staging": "APP_PORT=8001\n",
             "deploy/.env.mail": "SMTP_PASSWORD=''\nSMTP_HOST=mail\n", ".env": "LOG_LEVEL=info\n"}
    write_tree(tmp_path, files)
    _git(tmp_path, "add", "-f", *files)
    found = run_files(tmp_path, {}, select=("EN002", "EN003"))
    assert described(found, path=True) == [
        (".env", "EN003", 1, 1, "`.env` is a real env file tracked by git; it holds no secret today, but the next one "
         "added to it is published: run `git rm --cached .env` and commit a `.env.example` template instead"),
        ("deploy/.env.mail", "EN002", 1, 1, "environment `mail` has no template `deploy/.env.mail.example`: commit "
         "one, with `CHANGE_ME_...` placeholders for its secrets"),
        ("deploy/.env.mail", "EN003", 1, 1, "`deploy/.env.mail` is a real env file tracked by git; `SMTP_PASSWORD` is "
         "empty today, but the value set for it will be published: run `git rm --cached deploy/.env.mail`"),
        ("deploy/.env.staging", "EN002", 1, 1, "environment `staging` has no template `deploy/.env.staging.example`: "
         "commit one, with `CHANGE_ME_...` placeholders for its secrets"),
        ("deploy/.env.staging", "EN003", 1, 1, "`deploy/.env.staging` is a real env file tracked by git; it holds no "
         "secret today, but the next one added to it is published: run `git rm --cached deploy/.env.staging`"),
    ]


def test_an_env_file_the_gitignore_re_includes_is_committed_on_purpose(tmp_path):
    # `.env` files are ignored and `samples/.env` is re-included by name: the repository commits it on purpose
    # (the settings of its sample data); a real `.env` forced past the ignore file is still reported
    _git(tmp_path.parent, "init", "-q", str(tmp_path))
    write_tree(tmp_path, {".gitignore": ".env\n!samples/.env\n", "samples/.env": "SAMPLE_DB_PASSWORD=sample\n",
                          ".env": "SECRET_KEY=x\n"})
    _git(tmp_path, "add", "-f", ".gitignore", "samples/.env", ".env")
    found = run_files(tmp_path, {}, select="EN003")
    assert described(found, path=True, message=False) == [(".env", "EN003", 1, 1)]


def test_a_template_the_gitignore_re_includes_under_its_own_name_is_committed_as_meant(tmp_path):
    # `.env` and `.env.*` are ignored, `!.env.template` re-includes the repository's template name: nothing to rename
    _git(tmp_path.parent, "init", "-q", str(tmp_path))
    write_tree(tmp_path, {"server/.env.template": "A=1\n", ".gitignore": ".env\n.env.*\n!.env.template\n",
                          "web/.env.sample": "B=2\n"})
    _git(tmp_path, "add", "-f", "server/.env.template", "web/.env.sample")
    found = run_files(tmp_path, {}, select="EN003")
    # the sample is ignored by `.env.*` and force-added: that one is told to take the template name
    assert described(found, path=True, message=False) == [("web/.env.sample", "EN003", 1, 1)]
    assert "does not re-include: rename it `web/.env.example`" in found[0].message
