"""The generated service really runs: its own tests pass, gunicorn serves /health and /health/ready against
the real PostgreSQL and Redis, readiness turns 503 when Redis is unreachable, SIGTERM stops it cleanly, and
a Celery task round-trips through the real Redis broker.

PostgreSQL and Redis are the machine's own on 127.0.0.1:5432 and :6379, or throwaway servers that
:mod:`tests.init.services` starts when those do not answer (or a failure saying what to start)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.init import services
from tests.init.conftest import generate
from tests.init.services import free_port

FULL = {"db": "postgres", "cache": "redis", "worker": "celery"}
NONE = {"db": "none", "cache": "none", "worker": "none"}


def get(url: str, timeout: float = 10) -> tuple[int, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, time.monotonic() - started


def service_env(venv: Path, answers: dict, port: int, **overrides: str) -> dict[str, str]:
    pg, redis = BACKING["postgres"], BACKING["redis"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update({
        "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        "ENVIRONMENT": "production",
        "BASE_URL": f"http://127.0.0.1:{port}",
        "API_BASE_URL": f"http://127.0.0.1:{port}/api",
        "SECRET_KEY": "test-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "GUNICORN_WORKERS": "2",
        "READINESS_TIMEOUT": "1",
        "LOG_LEVEL": "INFO",
    })
    if answers["db"] == "postgres":
        env["DATABASE_URL"] = f"postgresql://postgres@{pg[0]}:{pg[1]}/test"
    if answers["cache"] == "redis":
        env["REDIS_URL"] = f"redis://{redis[0]}:{redis[1]}/13"
    if answers["worker"] == "celery":
        env["CELERY_BROKER_URL"] = f"redis://{redis[0]}:{redis[1]}/14"
        env["CELERY_RESULT_BACKEND"] = f"redis://{redis[0]}:{redis[1]}/15"
    env.update(overrides)
    return env


class Gunicorn:
    def __init__(self, project: Path, env: dict[str, str], log: Path) -> None:
        self.port = int(env["PORT"])
        self.log = log
        self.handle = log.open("wb")
        self.proc = subprocess.Popen(
            [str(Path(env["PATH"].split(os.pathsep)[0]) / "gunicorn"), "-c", "gunicorn_config.py", "app.main:app"],
            cwd=project, env=env, stdout=self.handle, stderr=subprocess.STDOUT,
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"gunicorn exited {self.proc.returncode}:\n{self.log.read_text()[-4000:]}")
            try:
                if get(self.url("/health"), timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer /health in {timeout}s:\n{self.log.read_text()[-4000:]}")

    def terminate(self, timeout: float = 15) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.handle.close()


# the addresses of the backing services in use (set by the `backing` fixture)
BACKING: dict[str, tuple[str, int]] = {}


@pytest.fixture(scope="module")
def backing():
    """PostgreSQL and Redis for this module: the machine's own, or throwaway ones (never a skip)."""
    with services.postgres(services.configured("DOCKYARD_TEST_POSTGRES", services.POSTGRES)) as pg, \
            services.redis(services.configured("DOCKYARD_TEST_REDIS", services.REDIS)) as redis:
        BACKING.update(postgres=pg, redis=redis)
        yield BACKING
        BACKING.clear()


@pytest.fixture(scope="module", params=[FULL, NONE], ids=["postgres-redis-celery", "none-none-none"])
def runtime(request, tmp_path_factory, venvs, backing):
    answers = request.param
    project = generate(tmp_path_factory.mktemp("run"), **answers)
    venv = venvs.for_lock(project / "requirements-dev.lock.txt")
    return answers, project, venv


def test_generated_tests_pass(runtime) -> None:
    answers, project, venv = runtime
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    result = subprocess.run([str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    # the Dockerfile's security stage runs bandit on app/: it must pass as generated
    scan = subprocess.run([str(venv / "bin" / "bandit"), "--recursive", "app", "--quiet"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)
    assert scan.returncode == 0, scan.stdout + scan.stderr


def test_gunicorn_serves_health_and_readiness_and_stops_on_sigterm(runtime, tmp_path) -> None:
    answers, project, venv = runtime
    server = Gunicorn(project, service_env(venv, answers, free_port()), tmp_path / "gunicorn.log")
    try:
        server.wait_ready()
        assert get(server.url("/health"))[0] == 200
        status, _ = get(server.url("/health/ready"))
        assert status == 200, server.log.read_text()[-3000:]
    finally:
        started = time.monotonic()
        code = server.terminate()
    assert code == 0, server.log.read_text()[-3000:]
    assert time.monotonic() - started < 10
    first = server.log.read_text().splitlines()[0]
    assert first.startswith("{") and '"level"' in first  # structured (JSON) logs


@pytest.mark.parametrize("runtime", [FULL], ids=["postgres-redis-celery"], indirect=True)
def test_readiness_is_503_within_its_timeout_when_redis_is_down(runtime, tmp_path) -> None:
    answers, project, venv = runtime
    env = service_env(venv, answers, free_port(), REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    server = Gunicorn(project, env, tmp_path / "gunicorn.log")
    try:
        server.wait_ready()
        status, elapsed = get(server.url("/health/ready"))
        assert status == 503
        assert elapsed < 1 + 2  # READINESS_TIMEOUT=1 plus slack
        assert get(server.url("/health"))[0] == 200  # liveness does not depend on Redis
    finally:
        assert server.terminate() == 0


def test_missing_variable_stops_start_up_with_its_name(runtime, tmp_path) -> None:
    answers, project, venv = runtime
    env = service_env(venv, answers, free_port())
    del env["SECRET_KEY"]
    result = subprocess.run([str(venv / "bin" / "python"), "-c", "import app.main"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("runtime", [FULL], ids=["postgres-redis-celery"], indirect=True)
def test_celery_task_round_trips_through_redis(runtime, tmp_path) -> None:
    answers, project, venv = runtime
    env = service_env(venv, answers, free_port())
    queue = f"test-{uuid.uuid4().hex[:8]}"
    log = (tmp_path / "celery.log").open("wb")
    worker = subprocess.Popen(
        [str(venv / "bin" / "celery"), "--app", "app.worker:celery_app", "worker", "--pool", "solo",
         "--queues", queue, "--hostname", f"{queue}@%h", "--loglevel", "INFO", "--without-gossip",
         "--without-mingle"],
        cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        code = (
            "from app.worker import add\n"
            f"print(add.apply_async((20, 22), queue={queue!r}).get(timeout=30))\n"
        )
        result = subprocess.run([str(venv / "bin" / "python"), "-c", code], cwd=project, env=env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and result.stdout.strip() == "42", (
            result.stderr[-3000:] + (tmp_path / "celery.log").read_text()[-3000:])
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
