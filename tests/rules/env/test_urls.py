from tests.helpers import run_files, triples

BASE = ("services:\n  api:\n    image: registry.example.com/api:1.0\n  db:\n    image: postgres:16-alpine\n"
        "  cache:\n    image: docker.io/library/redis:7\n  worker:\n    image: api:1.0\n")
DEV = "services:\n  api:\n    env_file: [.env.dev]\n"


def _files(env):
    return {"docker-compose.base.yml": BASE, "docker-compose.dev.yml": DEV, ".env.dev.example": env}


def test_missing_base_urls_and_service_addresses(tmp_path):
    found = run_files(tmp_path, _files("DEBUG=true\n"), select="EN011")
    assert triples(found) == [("EN011", 1, 1)] * 4
    messages = [f.message for f in found]
    assert any("`BASE_URL`" in m for m in messages) and any("`API_BASE_URL`" in m for m in messages)
    assert any("`cache` (redis)" in m and "REDIS_HOST" in m for m in messages)
    assert any("`db` (postgres)" in m and "POSTGRES_HOST" in m for m in messages)


def test_defined_by_host_and_port_or_url(tmp_path):
    env = ("BASE_URL=http://localhost:8150\nAPI_BASE_URL=${BASE_URL}/api\nDB_HOST=db\nDB_PORT=5432\n"
           "REDIS_URL=redis://cache:6379/0\n")
    assert run_files(tmp_path, _files(env), select="EN011") == []


def test_host_without_port_is_not_enough(tmp_path):
    env = "BASE_URL=http://x\nAPI_BASE_URL=http://x/api\nDB_HOST=db\nREDIS_HOST=cache\nREDIS_PORT=6379\n"
    found = run_files(tmp_path, _files(env), select="EN011")
    assert triples(found) == [("EN011", 1, 1)] and "`db`" in found[0].message
