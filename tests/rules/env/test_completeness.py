from tests.helpers import described, run_files, triples

BASE = ("services:\n  api:\n    image: api:1.0\n    environment:\n"
        "      SECRET_KEY: ${SECRET_KEY:?SECRET_KEY is required}\n"
        "      REDIS_URL: redis://${REDIS_HOST}:${REDIS_PORT:-6379}\n"
        "      API_BASE_URL: ${API_BASE_URL:-${BASE_URL}/api}\n"
        "      WEBUI: ${WEBUI_URL:-${UI_HOST:?UI_HOST is required}}\n")
DEV = "services:\n  api:\n    env_file: [.env.dev]\n"


def _files(template, real=None):
    files = {"docker-compose.base.yml": BASE, "docker-compose.dev.yml": DEV, ".env.dev.example": template}
    if real is not None:
        files[".env.dev"] = real
    return files


def test_missing_required_unset_and_nested(tmp_path):
    found = run_files(tmp_path, _files("API_BASE_URL=http://x/api\n"), select="EN005")
    assert described(found, path=True, message=False) == [
        (".env.dev.example", "EN005", 1, 1)] * 3
    text = " | ".join(f.message for f in found)
    assert "`SECRET_KEY` is not defined" in text and "refuses to start" in text
    assert "`REDIS_HOST` is not defined" in text and "empty string" in text
    assert "`UI_HOST`" in text  # required references count even inside a default
    assert "BASE_URL`" not in text.replace("API_BASE_URL", "")  # its default is not used


def test_default_used_makes_nested_reference_needed(tmp_path):
    template = "SECRET_KEY=CHANGE_ME\nREDIS_HOST=redis\nUI_HOST=ui\n"
    found = run_files(tmp_path, _files(template), select="EN005")
    assert triples(found) == [("EN005", 1, 1)] and "`BASE_URL`" in found[0].message


def test_empty_value_for_colon_question(tmp_path):
    template = "SECRET_KEY=\nREDIS_HOST=redis\nUI_HOST=ui\nBASE_URL=http://x\n"
    found = run_files(tmp_path, _files(template), select="EN005")
    assert triples(found) == [("EN005", 1, 1)] and "is empty" in found[0].message


def test_real_file_and_its_template_are_both_checked(tmp_path):
    complete = "SECRET_KEY=CHANGE_ME\nREDIS_HOST=redis\nUI_HOST=ui\nBASE_URL=http://x\n"
    found = run_files(tmp_path, _files(complete, real="REDIS_HOST=redis\nUI_HOST=ui\nBASE_URL=http://x\n"),
                      select="EN005")
    assert described(found, path=True, message=False) == [(".env.dev", "EN005", 1, 1)]


def test_complete_passes(tmp_path):
    complete = "SECRET_KEY=CHANGE_ME\nREDIS_HOST=redis\nUI_HOST=ui\nBASE_URL=http://x\n"
    assert run_files(tmp_path, _files(complete), select="EN005") == []


def test_a_later_document_of_a_compose_file_needs_its_variables_too(tmp_path):
    dev = DEV + "---\nservices:\n  api:\n    environment:\n      TOKEN: ${API_TOKEN:?API_TOKEN is required}\n"
    files = {"docker-compose.base.yml": "services:\n  api:\n    image: api:1.0\n", "docker-compose.dev.yml": dev,
             ".env.dev.example": "A=1\n"}
    found = run_files(tmp_path, files, select="EN005")
    assert described(found, path=True, message=False) == [(".env.dev.example", "EN005", 1, 1)]
    assert "`API_TOKEN` is not defined" in found[0].message and "docker-compose.dev.yml:8" in found[0].message


def test_an_env_file_two_environments_read_is_judged_once_per_variable_by_the_first_that_needs_it(tmp_path):
    from dockyard.config import load_config

    config = ('[environments."a/prod"]\ncompose = ["compose.yaml", "compose.a.yaml"]\nenv-file = ".env.prod"\n'
              '[environments."b/prod"]\ncompose = ["compose.yaml", "compose.b.yaml"]\nenv-file = ".env.prod"\n')
    (tmp_path / "dockyard.toml").write_text(config)
    files = {"compose.yaml": "services:\n  api:\n    image: api:1\n    environment:\n      A: ${SECRET:?required}\n",
             "compose.a.yaml": "services:\n  api:\n    environment:\n      B: ${SECRET:?again}\n",
             "compose.b.yaml": "services:\n  api:\n    environment:\n      C: ${ONLY_B}\n",
             ".env.prod": "X=1\n"}
    found = run_files(tmp_path, files, select="EN005", config=load_config(tmp_path / "dockyard.toml"))
    # SECRET is needed by both: said once, by `a/prod` (with its own places); ONLY_B by `b/prod` alone
    assert [(f.path, f.environment, f.message.split(":")[0]) for f in found] == [
        (".env.prod", "b/prod", "`ONLY_B` is not defined for environment `b/prod`"),
        (".env.prod", "a/prod", "`SECRET` is not defined for environment `a/prod`")]
    assert "(also used at compose.a.yaml:4)" in found[1].message
    assert triples(found) == [("EN005", 1, 1)] * 2
