from dockyard.fix import apply_edits
from tests.helpers import run_files, triples

GOOD_CMD = "CMD [\"gunicorn\", \"-c\", \"gunicorn_config.py\", \"app.main:app\"]\n"


def test_shell_form_cmd_fixed_to_exec_form(tmp_path):
    text = "FROM python:3.12-slim\nCMD gunicorn -c gunicorn_config.py app.main:app\n"
    (f,) = run_files(tmp_path, {"Dockerfile": text}, select="DF055")
    assert triples([f]) == [("DF055", 2, 1)]
    assert apply_edits(text, list(f.fix.edits)) == "FROM python:3.12-slim\n" + GOOD_CMD


def test_shell_form_with_variables_has_no_fix_and_missing_cmd(tmp_path):
    text = "FROM python:3.12-slim\nENTRYPOINT gunicorn -b 0.0.0.0:$PORT app:app\n"
    (f,) = run_files(tmp_path / "a", {"Dockerfile": text}, select="DF055")
    assert triples([f]) == [("DF055", 2, 1)] and f.fix is None
    none = "FROM python:3.12-slim AS a\nCMD [\"x\"]\nFROM python:3.12-slim\n"
    assert triples(run_files(tmp_path / "b", {"Dockerfile": none}, select="DF055")) == [("DF055", 3, 1)]


def test_exec_form_passes(tmp_path):
    assert run_files(tmp_path, {"Dockerfile": "FROM python:3.12-slim\n" + GOOD_CMD}, select=("DF055", "DF056")) == []


def test_not_a_production_server(tmp_path):
    text = "FROM python:3.12-slim\nCMD [\"uvicorn\", \"app.main:app\", \"--reload\"]\n"
    assert triples(run_files(tmp_path / "a", {"Dockerfile": text}, select="DF056")) == [("DF056", 2, 5)]
    sync = "FROM python:3.12-slim\nENTRYPOINT [\"tini\", \"--\"]\nCMD [\"gunicorn\", \"-w\", \"4\", \"app.main:app\"]\n"
    assert triples(run_files(tmp_path / "b", {"Dockerfile": sync}, select="DF056")) == [("DF056", 3, 5)]


def test_a_command_that_only_keeps_the_container_running_is_a_placeholder(tmp_path):
    # one image, run by compose as several services each with its own `command:`
    for i, cmd in enumerate(['CMD ["tail", "-f", "/dev/null"]', 'CMD ["sleep", "infinity"]',
                             'ENTRYPOINT ["tini", "--"]\nCMD ["tail", "-F", "/dev/null"]']):
        files = {"Dockerfile": f"FROM python:3.12-slim\nCOPY . /app\n{cmd}\n", "requirements.txt": "fastapi==0.115.0\n"}
        assert run_files(tmp_path / str(i), files, select="DF056") == [], cmd
    # a command that ends is no placeholder
    files = {"Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nCMD [\"tail\", \"/dev/null\"]\n",
             "requirements.txt": "fastapi==0.115.0\n"}
    assert triples(run_files(tmp_path / "ends", files, select="DF056")) == [("DF056", 3, 5)]


def test_a_development_image_may_start_uvicorn_with_reload(tmp_path):
    # `dev.Dockerfile` is the development stack's image: hot reload is its point
    text = "FROM python:3.12\nCOPY . /app\nCMD [\"uvicorn\", \"main:app\", \"--reload\"]\n"
    files = {"server/dev.Dockerfile": text, "server/requirements.txt": "fastapi==0.115.0\n"}
    assert run_files(tmp_path, files, select="DF056") == []
    files["server/Dockerfile"] = files.pop("server/dev.Dockerfile")
    assert triples(run_files(tmp_path / "b", files, select="DF056")) == [("DF056", 3, 5)]


def test_gunicorn_with_worker_class_passes(tmp_path):
    text = ("FROM python:3.12-slim\nENTRYPOINT [\"python\", \"-m\", \"gunicorn\"]\n"
            "CMD [\"--worker-class=uvicorn_worker.UvicornWorker\", \"app.main:app\"]\n")
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF056") == []


def test_background_supervisor_and_chained_servers(tmp_path):
    text = ("FROM python:3.12-slim\nCMD celery -A app.worker worker & gunicorn app:app\n"
            "CMD [\"supervisord\", \"-n\"]\n"
            "CMD [\"sh\", \"-c\", \"alembic upgrade head && uvicorn app:app; celery -A w worker\"]\n")
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF057")) == [
        ("DF057", 2, 5), ("DF057", 3, 5), ("DF057", 4, 1)]


def test_one_process_with_migrations_first_passes(tmp_path):
    text = "FROM python:3.12-slim\nCMD alembic upgrade head && exec gunicorn -c gunicorn_config.py app:app\n"
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF057") == []


def test_install_at_start(tmp_path):
    text = ("FROM python:3.12-slim\nCMD pip install -r requirements.txt && gunicorn app:app\n"
            "ENTRYPOINT [\"apt-get\", \"install\", \"-y\", \"curl\"]\n")
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF058")) == [("DF058", 2, 5), ("DF058", 3, 12)]
    ok = "FROM python:3.12-slim\nRUN pip install x\nCMD [\"pip\", \"--version\"]\n"
    assert run_files(tmp_path / "ok", {"Dockerfile": ok}, select="DF058") == []


def test_deprecated_uvicorn_worker(tmp_path):
    text = ("FROM python:3.12-slim\n# not uvicorn.workers.UvicornWorker in a comment\n"
            "ENV GUNICORN_CMD_ARGS=\"-k uvicorn.workers.UvicornWorker\"\n"
            "CMD [\"gunicorn\", \"-k\", \"uvicorn.workers.UvicornWorker\", \"app:app\"]\n")
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF059")
    assert triples(found) == [("DF059", 3, 27), ("DF059", 4, 25)]
    assert apply_edits(text, list(found[1].fix.edits)).endswith("\"uvicorn_worker.UvicornWorker\", \"app:app\"]\n")
    assert found[1].fix.applicability.value == "unsafe"


def test_expose_missing_or_different_port(tmp_path):
    assert triples(run_files(tmp_path / "a", {"Dockerfile": "FROM python:3.12-slim\n" + GOOD_CMD},
                             select="DF061")) == [("DF061", 1, 1)]
    text = ("FROM python:3.12-slim\nEXPOSE 8080/tcp\n"
            "CMD [\"gunicorn\", \"-k\", \"uvicorn_worker.UvicornWorker\", \"--bind\", \"0.0.0.0:8000\", \"app:app\"]\n")
    assert triples(run_files(tmp_path / "b", {"Dockerfile": text}, select="DF061")) == [("DF061", 2, 8)]


def test_expose_matching_port_passes(tmp_path):
    text = ("FROM python:3.12-slim AS base\nEXPOSE 8000\nFROM base\n"
            "CMD [\"gunicorn\", \"-k\", \"uvicorn_worker.UvicornWorker\", \"-b\", \":8000\", \"app:app\"]\n")
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF061") == []


def test_gunicorn_flags_in_every_spelling_are_understood(tmp_path):
    for i, flags in enumerate(('"-kuvicorn_worker.UvicornWorker"', '"--worker-class=uvicorn_worker.UvicornWorker"',
                               '"--config=gunicorn_config.py"', '"-cgunicorn_config.py"', '"-c", "g.py"')):
        df = f'FROM python:3.12-slim\nCMD ["gunicorn", {flags}, "app.main:app"]\n'
        assert run_files(tmp_path / str(i), {"Dockerfile": df}, select="DF056") == [], flags
    df = 'FROM python:3.12-slim\nCMD ["gunicorn", "-w", "4", "app.main:app"]\n'
    assert triples(run_files(tmp_path / "sync", {"Dockerfile": df}, select="DF056")) == [("DF056", 2, 5)]


def test_exec_form_fix_never_starts_a_shell_builtin(tmp_path):
    # `["exec", ...]` cannot start: exec is the shell's. A leading `exec` is dropped; other built-ins stay shell
    text = "FROM python:3.12-slim\nCMD exec python app.py\n"
    (f,) = run_files(tmp_path, {"Dockerfile": text}, select="DF055")
    assert triples([f]) == [("DF055", 2, 1)]
    assert apply_edits(text, list(f.fix.edits)) == "FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n"
    for i, cmd in enumerate(["cd /app && python app.py", ". ./env.sh", "source env.sh", "export A=1",
                             "exec -a app python app.py", "python app.py > /tmp/log", "python $APP",
                             "A=1 python app.py", "exec", "set -e"]):
        (f,) = run_files(tmp_path / str(i), {"Dockerfile": f"FROM python:3.12-slim\nCMD {cmd}\n"}, select="DF055")
        assert triples([f]) == [("DF055", 2, 1)] and f.fix is None, cmd


def test_exec_form_fix_keeps_a_non_posix_shell(tmp_path):
    text = "FROM python:3.12-slim\nSHELL [\"pwsh\", \"-Command\"]\nCMD python app.py\n"
    (f,) = run_files(tmp_path, {"Dockerfile": text}, select="DF055")
    assert triples([f]) == [("DF055", 3, 1)] and f.fix is None


def test_exec_form_entrypoint_with_a_cmd_is_unsafe(tmp_path):
    # a shell-form ENTRYPOINT ignores CMD; in exec form CMD becomes its arguments
    text = "FROM python:3.12-slim\nENTRYPOINT python app.py\nCMD [\"--debug\"]\n"
    (f,) = run_files(tmp_path, {"Dockerfile": text}, select="DF055")
    assert triples([f]) == [("DF055", 2, 1)] and f.fix.applicability.value == "unsafe"
    alone = "FROM python:3.12-slim\nENTRYPOINT python app.py\n"
    (f,) = run_files(tmp_path / "alone", {"Dockerfile": alone}, select="DF055")
    assert f.fix.applicability.value == "safe"


def test_deprecated_uvicorn_worker_fix_is_safe_once_the_package_is_declared(tmp_path):
    text = "FROM python:3.12-slim\nCMD [\"gunicorn\", \"-k\", \"uvicorn.workers.UvicornWorker\", \"app:app\"]\n"
    for i, files in enumerate([{"requirements.txt": "fastapi\nUvicorn_Worker==0.3.0\n"},
                               {"uv.lock": "version = 1\n[[package]]\nname = \"uvicorn-worker\"\nversion = \"0.3.0\"\n"},
                               {"pyproject.toml": "[project]\nname = \"a\"\ndependencies = [\"uvicorn-worker>=0.3\"]\n"}]):
        (f,) = run_files(tmp_path / str(i), {"Dockerfile": text, **files}, select="DF059")
        assert triples([f]) == [("DF059", 2, 25)] and f.fix.applicability.value == "safe", files
    installed = text.replace("CMD", "RUN pip install --no-cache-dir uvicorn-worker==0.3.0\nCMD")
    (f,) = run_files(tmp_path / "run", {"Dockerfile": installed}, select="DF059")
    assert f.fix.applicability.value == "safe"
    (f,) = run_files(tmp_path / "none", {"Dockerfile": text, "requirements.txt": "fastapi\nuvicorn\n"},
                     select="DF059")
    assert f.fix.applicability.value == "unsafe"


def test_a_supervisor_as_the_final_command_is_reported_once_by_df057_not_df056(tmp_path):
    text = "FROM python:3.12-slim\nCOPY . /srv\nCMD [\"supervisord\", \"-n\", \"-c\", \"/srv/supervisord.conf\"]\n"
    app = "from fastapi import FastAPI\n\napp = FastAPI()\n"
    found = run_files(tmp_path, {"Dockerfile": text, "app/main.py": app, "requirements.txt": "fastapi==0.115.0\n"},
                      select=("DF056", "DF057"))
    assert triples(found) == [("DF057", 3, 5)]
    assert "supervisord" in found[0].message


def test_a_server_started_through_a_project_manager_s_run_is_named(tmp_path):
    text = ("FROM python:3.12-slim\nCOPY . /app\n"
            "CMD [\"uv\", \"run\", \"--no-sync\", \"uvicorn\", \"app.main:app\", \"--host\", \"0.0.0.0\"]\n")
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF056")
    assert [(f.position.line, f.position.column, f.message.split(";")[0]) for f in found] == [
        (3, 5, "the final command starts `uvicorn`, not gunicorn with a uvicorn worker")]


def test_a_windows_container_is_not_asked_for_gunicorn_or_a_slim_base(tmp_path):
    text = ("FROM python:3.11.9\nSHELL [\"powershell\", \"-Command\"]\nCOPY . C:\\\\app\n"
            "ENTRYPOINT [\"python\", \"-m\", \"uvicorn\", \"app.main:app\"]\n")
    files = {"Dockerfile": text, "requirements.txt": "fastapi==0.115.0\n"}
    assert run_files(tmp_path, files, select=("DF003", "DF056")) == []
    linux = {"Dockerfile": text.replace("SHELL [\"powershell\", \"-Command\"]\n", ""), "requirements.txt": files["requirements.txt"]}
    assert triples(run_files(tmp_path / "b", linux, select=("DF003", "DF056"))) == [("DF003", 1, 6), ("DF056", 3, 12)]
