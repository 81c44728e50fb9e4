from tests.helpers import run_files, triples

OPTS = "--interval=30s --timeout=5s --start-period=30s --retries=3"
PY = "CMD [\"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')\"]"


def test_missing_healthcheck_reported_at_final_from(tmp_path):
    text = f"FROM python:3.12-slim AS a\nHEALTHCHECK {OPTS} {PY}\nFROM python:3.12-slim\n"
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF043")) == [("DF043", 3, 1)]


def test_healthcheck_none_disables(tmp_path):
    text = f"FROM python:3.12-slim AS a\nHEALTHCHECK {OPTS} {PY}\nFROM a\nHEALTHCHECK NONE\n"
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF043")) == [("DF043", 4, 13)]


def test_inherited_healthcheck_passes(tmp_path):
    text = f"FROM python:3.12-slim AS a\nHEALTHCHECK {OPTS} {PY}\nFROM a\n"
    assert run_files(tmp_path, {"Dockerfile": text}, select=("DF043", "DF044")) == []


def test_options_missing(tmp_path):
    text = f"FROM python:3.12-slim\nHEALTHCHECK --interval=30s {PY}\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF044")
    assert triples(found) == [("DF044", 2, 1)]
    assert "`--timeout`, `--start-period`, `--retries`" in found[0].message


def test_curl_on_slim_without_install(tmp_path):
    text = f"FROM python:3.12-slim\nHEALTHCHECK {OPTS} \\\n    CMD curl -f http://localhost:8000/health || exit 1\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF045")
    assert triples(found) == [("DF045", 3, 9)]
    assert "urllib" in found[0].message


def test_wget_exec_form_on_slim_lineage(tmp_path):
    text = f"FROM python:3.12-slim AS base\nFROM base\nHEALTHCHECK {OPTS} CMD [\"wget\", \"-qO-\", \"http://x/health\"]\n"
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF045")) == [("DF045", 3, 78)]


def test_tool_present_passes(tmp_path):
    probe = f"HEALTHCHECK {OPTS} CMD curl -f http://localhost:8000/health || exit 1\n"
    installed = ("FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl "
                 "&& rm -rf /var/lib/apt/lists/*\n" + probe)
    assert run_files(tmp_path / "a", {"Dockerfile": installed}, select="DF045") == []
    full = "FROM python:3.12\n" + probe
    assert run_files(tmp_path / "b", {"Dockerfile": full}, select="DF045") == []
    busybox = f"FROM python:3.12-alpine\nHEALTHCHECK {OPTS} CMD wget -qO- http://localhost:8000/health\n"
    assert run_files(tmp_path / "c", {"Dockerfile": busybox}, select="DF045") == []
    builder_only = ("FROM python:3.12-slim AS builder\nRUN apt-get update && apt-get install -y curl\n"
                    "FROM python:3.12-slim\n" + probe)
    assert triples(run_files(tmp_path / "d", {"Dockerfile": builder_only}, select="DF045")) == [("DF045", 4, 76)]


def test_tool_removed_again_in_its_run_is_not_installed(tmp_path):
    # wget fetched the sources and left with the other build dependencies
    text = ("FROM debian:bookworm-slim\nRUN savedAptMark=\"$(apt-mark showmanual)\"; apt-get update; "
            "apt-get install -y --no-install-recommends wget; wget -O- https://example.org/x.tgz | tar xz; "
            "apt-mark auto '.*' > /dev/null; apt-mark manual $savedAptMark; apt-get purge -y --auto-remove; "
            f"rm -rf /var/lib/apt/lists/*\nHEALTHCHECK {OPTS} CMD wget -qO- http://localhost:8000/health\n")
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF045")) == [("DF045", 3, 76)]
    kept = text.replace("apt-mark manual $savedAptMark", "apt-mark manual $savedAptMark wget")
    assert run_files(tmp_path / "kept", {"Dockerfile": kept}, select="DF045") == []


def test_healthcheck_must_probe_a_health_endpoint(tmp_path):
    opts = "--interval=30s --timeout=5s --start-period=30s --retries=3"
    server = 'CMD ["uvicorn", "app.main:app", "--port", "8000"]\n'
    bad = f"FROM python:3.12-slim\nHEALTHCHECK {opts} \\\n    CMD python -c 'print(1)'\n{server}"
    assert triples(run_files(tmp_path / "a", {"Dockerfile": bad}, select="DF063")) == [("DF063", 3, 5)]
    for good in ('CMD ["python", "-m", "app.healthcheck"]', "CMD wget -qO- http://127.0.0.1:8000/healthz",
                 'CMD ["python", "/app/probe.py", "/health/live"]'):
        df = f"FROM python:3.12-slim\nHEALTHCHECK {opts} {good}\n{server}"
        assert run_files(tmp_path / str(abs(hash(good))), {"Dockerfile": df}, select="DF063") == []


def test_health_endpoint_probe_is_asked_only_of_the_fastapi_service(tmp_path):
    # a Celery worker's image and a Redis image have no /health endpoint: a process probe is what they can do
    opts = "--interval=30s --timeout=5s --start-period=30s --retries=3"
    worker = (f"FROM python:3.12-slim\nHEALTHCHECK {opts} CMD celery -A app inspect ping\n"
              'CMD ["celery", "-A", "app", "worker"]\n')
    redis = f"FROM redis:7.4\nHEALTHCHECK {opts} CMD redis-cli ping\n"
    assert run_files(tmp_path, {"worker/Dockerfile": worker, "cache/Dockerfile": redis}, select="DF063") == []


def test_missing_healthcheck_of_a_queue_worker_asks_for_its_own_check(tmp_path):
    # a queue worker serves no HTTP: the advice is the worker's own liveness check, not a health endpoint
    cases = {
        'CMD ["arq", "app.worker.WorkerSettings"]':
            "the image runs the `arq` worker, which serves no HTTP: add one that runs "
            "`arq --check app.worker.WorkerSettings`",
        'ENTRYPOINT ["tini", "--"]\nCMD ["celery", "--app", "app.tasks", "worker", "--loglevel=info"]':
            "the image runs the `celery` worker, which serves no HTTP: add one that runs "
            "`celery --app app.tasks inspect ping --destination celery@$HOSTNAME`",
        "CMD rq worker --url redis://redis:6379 default":
            "the image runs the `rq` worker, which serves no HTTP: add one that checks the worker itself (its "
            "process, or a heartbeat it writes) rather than a health endpoint",
    }
    for i, (command, advice) in enumerate(cases.items()):
        text = f"FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n{command}\n"
        found = run_files(tmp_path / str(i), {"Dockerfile": text}, select="DF043")
        assert triples(found) == [("DF043", 1, 1)], command
        assert found[0].message == f"the final stage has no `HEALTHCHECK`; {advice}"
