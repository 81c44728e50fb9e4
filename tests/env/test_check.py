import json

from dockyard.cli import main
from tests.env._projects import project
from tests.helpers import write_tree


def test_clean_project(tmp_path, capsys):
    write_tree(tmp_path, project())
    assert main(["env", "check", str(tmp_path)]) == 0
    assert capsys.readouterr().out == (
        "environment dev: env file .env.dev; compose docker-compose.base.yml, docker-compose.dev.yml\n"
        "  ok\n"
        "environment prod: env file .env.prod; compose docker-compose.base.yml, docker-compose.prod.yml\n"
        "  ok\n"
        "2 environments: no problems.\n")


def test_problems_grouped_by_environment(tmp_path, capsys):
    write_tree(tmp_path, project(**{
        ".env.prod": "BASE_URL=https://api.example.com\nAPI_BASE_URL=${BASE_URL}/api\nPOSTGRES_HOST=db\n"
                     "POSTGRES_PORT=5432\nSECRET_KEY=CHANGE_ME_PROD\nPOSTGRES_PASSWORD=short\n",
        ".env.dev.example": "DEBUG=true\n" + project()[".env.dev.example"],
        ".gitignore": ".env\n"}))
    assert main(["env", "check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert out == (
        "environment dev: env file .env.dev; compose docker-compose.base.yml, docker-compose.dev.yml\n"
        "  ok\n"
        "environment prod: env file .env.prod; compose docker-compose.base.yml, docker-compose.prod.yml\n"
        "  placeholder   .env.prod:5:12: EN008 error: `SECRET_KEY` still holds the template's placeholder in the "
        "`prod` env file: set a real value (for secrets, `dockyard env init --env prod` generates them)\n"
        "  weak          .env.prod:6:19: EN009 error: secret `POSTGRES_PASSWORD` is weak: 5 characters (at least 32 "
        "required); generate one with `secrets.token_urlsafe(32)`\n"
        "  drift         .env.prod.example:1:1: EN006 error: `DEBUG` is missing here but defined in "
        "`.env.dev.example` (line 1): every environment's template defines the same keys\n"
        "all environments\n"
        "  gitignore     .gitignore:1:1: EN004 error: `.gitignore` does not ignore `.env.dev`, `.env.staging`, "
        "`.env.prod`, `.env.local`: add `.env.*`, `!.env.*.example`\n"
        "2 environments: 4 errors, 0 warnings.\n")
    assert "short" not in out.replace("short ", "")


def test_one_environment_as_json(tmp_path, capsys):
    write_tree(tmp_path, project(**{".env.dev": "BASE_URL=http://localhost:8150\n"}))
    assert main(["env", "check", str(tmp_path), "--env", "dev", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [e["name"] for e in data["environments"]] == ["dev"]
    assert data["project"] == [] and data["failed"] is True
    found = [(f["code"], f["category"], f["line"], f["column"]) for f in data["environments"][0]["findings"]]
    # the missing SECRET_KEY is said once, in the env file that should define it (EN005), not again by CO005
    assert ("EN005", "missing", 1, 1) in found and not [f for f in found if f[0] == "CO005"]


def test_warnings_only_exit_zero(tmp_path, capsys):
    write_tree(tmp_path, project(**{".env.dev": "X=${BASE_URL}\n" + project()[".env.dev"]}))
    assert main(["env", "check", str(tmp_path), "--env", "dev"]) == 0
    assert "EN010 warning" in capsys.readouterr().out


def test_unknown_environment_is_a_usage_error(tmp_path, capsys):
    write_tree(tmp_path, project())
    assert main(["env", "check", str(tmp_path), "--env", "qa"]) == 2
    assert "unknown environment 'qa' (environments: dev, prod)" in capsys.readouterr().err


def test_a_finding_on_a_shared_file_goes_to_the_environment_it_carries_not_one_its_message_names(tmp_path):
    from dockyard.envcheck import group_by_environment
    from dockyard.model import Finding, Position, Severity
    from dockyard.project import Project

    write_tree(tmp_path, project())
    shared = "docker-compose.base.yml"  # read by dev and prod

    def finding(message, environment=None):
        return Finding("CO005", "compose-unresolved-variable", Severity.ERROR, message, shared, Position(3, 1),
                       environment=environment, category="interpolation")

    about_prod = finding("`X` is not set", "prod")
    naming_dev = finding("`X` is not set for environment `dev`")  # text alone places nothing
    reports, rest = group_by_environment(Project.discover(tmp_path), [about_prod, naming_dev])
    assert {r.name: r.findings for r in reports} == {"dev": [], "prod": [about_prod]}
    assert rest == [naming_dev]
    assert reports[1].to_dict()["findings"][0]["category"] == "interpolation"


def test_env_check_runs_every_env_rule_and_the_compose_rules_of_refusal_and_interpolation():
    from dockyard.envcheck import check_rules
    from dockyard.rules.base import all_rules

    chosen = {r.code: r.category for r in check_rules()}
    assert {r.code for r in all_rules() if r.code.startswith("EN")} <= set(chosen)  # an env rule needs a category
    assert {c: k for c, k in chosen.items() if c.startswith("CO")} == {
        "CO001": "refused", "CO002": "refused", "CO003": "refused", "CO005": "interpolation", "CO035": "refused"}
