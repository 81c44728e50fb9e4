"""Environments nobody deploys (test stacks, development containers, development helpers) are not held to the
production hardening rules; what is wrong there whatever the environment still is reported."""

from __future__ import annotations

from tests.helpers import at, run_files

HARDENING = ("CO012", "CO014", "CO015", "CO016", "CO017", "CO024", "CO025", "CO032")
APP = ("  app:\n    build: .\n    ports: [\"127.0.0.1:${APP_PORT:-8000}:8000\"]\n")


def test_a_test_stack_under_tests_is_not_held_to_production_hardening(tmp_path):
    stack = ("services:\n"                                        # 1
             "  app:\n"                                           # 2
             "    image: example/app:1.4.2\n"                     # 3
             "    network_mode: host\n"                           # 4
             "  ldap:\n"                                          # 5
             "    image: osixia/openldap:1.5.0\n"                 # 6
             "    container_name: ldap\n"                         # 7
             "  db:\n"                                            # 8
             "    image: postgres:17.2\n"                         # 9
             "    ports: [\"5432:5432\"]\n")                      # 10
    found = run_files(tmp_path, {"tests/e2e/docker/docker-compose.yml": stack},
                      select=HARDENING + ("CO021",))
    # a database on all interfaces is still one; its literal host port is a test stack's own business
    assert at(found, "tests/e2e/docker/docker-compose.yml") == [("CO021", 10, 13)]


def test_a_development_container_s_compose_file_is_not_held_to_production_hardening(tmp_path):
    files = {".devcontainer/docker-compose.yml": "services:\n  app:\n    build:\n      context: ..\n"
                                                "      dockerfile: .devcontainer/Dockerfile\n"
                                                "    volumes:\n      - ../..:/workspaces:cached\n"
                                                "    command: sleep infinity\n",
             ".devcontainer/Dockerfile": "FROM mcr.microsoft.com/vscode/devcontainers/python:3.12\n"}
    found = run_files(tmp_path, files, select=HARDENING + ("CO018",))
    # nor is its workspace mount a source mount "outside development"
    assert at(found, ".devcontainer/docker-compose.yml") == []


def test_a_development_helper_is_not_held_to_production_hardening(tmp_path):
    # databases and a mail catcher for an application run on the host: nothing is built, nothing deployed
    helper = ("services:\n"                                       # 1
              "  db:\n"                                           # 2
              "    image: postgres:17.2\n"                        # 3
              "    container_name: app-db\n"                      # 4
              "    ports: [\"5432:5432\"]\n"                      # 5
              "  mail:\n"                                         # 6
              "    image: axllent/mailpit:v1.21\n"                # 7
              "    ports: [\"127.0.0.1:8025:8025\"]\n")           # 8
    found = run_files(tmp_path, {"docker/docker-compose.yml": helper}, select=HARDENING + ("CO021",))
    assert at(found, "docker/docker-compose.yml") == [("CO021", 5, 13), ("CO021", 5, 13), ("CO021", 8, 13)]


def test_the_same_services_beside_an_application_are_judged(tmp_path):
    stack = ("services:\n"
             "  db:\n"
             "    image: postgres:17.2\n"
             "    container_name: app-db\n" + APP)
    found = run_files(tmp_path, {"docker/docker-compose.yml": stack}, select=("CO014", "CO015", "CO016", "CO032"))
    # CO032: a backing service's fixed name is not the app's
    assert at(found, "docker/docker-compose.yml") == [("CO014", 2, 3), ("CO015", 2, 3), ("CO016", 2, 3),
                                                      ("CO014", 5, 3), ("CO015", 5, 3), ("CO016", 5, 3)]



def test_test_stack_and_development_container_files_hold_their_own_credentials_and_layout(tmp_path):
    fixture = ("services:\n"                                                       # 1
               "  ldap:\n"                                                         # 2
               "    image: example/test-openldap:2.1\n"                            # 3
               "  app:\n"                                                          # 4
               "    build: ../..\n"                                                # 5
               "    environment:\n"                                                # 6
               "      LDAP_QUERY_PASSWORD: GoodNewsEveryone\n"                     # 7
               "      OIDC_CONFIGURATION_URL: http://localhost:8080/.well-known\n"  # 8
               "      DATABASE_URL: postgresql://app:app@localhost:5432/app\n")     # 9
    files = {"tests/e2e/docker-compose.yml": fixture, ".devcontainer/docker-compose.yml": fixture,
             "docker-compose.yml": fixture.replace("../..", ".")}
    found = run_files(tmp_path, files, select=("CO006", "CO009", "CO010", "CO011"))
    assert at(found, "tests/e2e/docker-compose.yml") == []
    assert at(found, ".devcontainer/docker-compose.yml") == []
    # the same file where a deployment may read it is judged
    assert at(found, "docker-compose.yml") == [("CO006", 1, 1), ("CO009", 7, 28), ("CO010", 8, 31), ("CO011", 9, 21)]


def test_an_override_the_project_runs_on_its_own_is_an_environment_of_its_own(tmp_path):
    from dockyard.compose.context import environment_views
    from dockyard.project import Project
    from tests.helpers import write_tree

    files = {"docker/docker-compose.yml": "services:\n  app:\n    image: example/app:1.4.2\n",
             # a database and a mail catcher for the backend run on the host
             "docker/docker-compose.dev.yml": "services:\n  mail:\n    image: axllent/mailpit:v1.21\n"
                                              "  db:\n    image: postgres:17.2\n",
             "Taskfile.yml": "version: '3'\ntasks:\n  dev:services:\n    dir: docker\n"
                             "    cmds:\n      - docker compose -f docker-compose.dev.yml up\n",
             # the same shape, which nothing runs alone, stays an override of its base
             "compose.yaml": "services:\n  api:\n    build: .\n",
             "compose.dev.yaml": "services:\n  adminer:\n    image: adminer:4.8.1\n"}
    write_tree(tmp_path / "a", files)
    views = {v.name: [sf.path for sf in v.compose_files] for v in environment_views(Project.discover(tmp_path / "a"))}
    assert views["docker/dev"] == ["docker/docker-compose.dev.yml"]
    assert views["dev"] == ["compose.yaml", "compose.dev.yaml"]
    found = run_files(tmp_path / "b", files, select=("CO007", "CO015"))
    assert at(found, "docker/docker-compose.dev.yml") == []  # a development helper: nothing to harden
    # a Makefile that runs the two together keeps them one environment
    files["Makefile"] = "up:\n\tdocker compose -f docker/docker-compose.yml -f docker/docker-compose.dev.yml up\n"
    write_tree(tmp_path / "c", files)
    views = {v.name: [sf.path for sf in v.compose_files] for v in environment_views(Project.discover(tmp_path / "c"))}
    assert views["docker/dev"] == ["docker/docker-compose.yml", "docker/docker-compose.dev.yml"]


def test_a_development_tool_beside_the_application_is_put_behind_a_profile_not_hardened(tmp_path):
    stack = ("services:\n"                                    # 1
             "  pgadmin:\n"                                   # 2
             "    image: dpage/pgadmin4:8.14\n"               # 3
             "    ports: [\"127.0.0.1:5050:80\"]\n" + APP)   # 4
    found = run_files(tmp_path, {"docker-compose.yml": stack}, select=HARDENING)
    assert [(c, line) for c, line, _col in at(found, "docker-compose.yml") if line <= 4] == [("CO024", 2)]


def test_a_dot_env_made_from_a_template_of_another_name_resolves_the_variables(tmp_path):
    # `.env` is ignored and made by a setup script from the committed `.env.template`: what compose will read
    files = {"server/docker-compose.yml": "services:\n  db:\n    image: postgres:17.2\n    environment:\n"
                                          "      POSTGRES_USER: ${APP_DB_USER}\n",
             "server/.env.template": "APP_DB_USER=app\n"}
    assert run_files(tmp_path / "a", files, select="CO005") == []
    del files["server/.env.template"]
    # without any env file the variable used bare is CO008's to report, at the same place: not CO005's again
    assert at(run_files(tmp_path / "b", files, select=("CO005", "CO008")), "server/docker-compose.yml") == [
        ("CO008", 5, 22)]
    files["server/docker-compose.yml"] = files["server/docker-compose.yml"].replace("_USER}", "_USER:?set it}")
    assert at(run_files(tmp_path / "c", files, select=("CO005", "CO008")), "server/docker-compose.yml") == [
        ("CO005", 5, 22)]


def test_a_variable_used_the_same_way_twice_is_reported_once_naming_the_other_use(tmp_path):
    compose = ("services:\n"                                    # 1
               "  db:\n"                                        # 2
               "    image: postgres:17.2\n"                     # 3
               "    environment:\n"                             # 4
               "      POSTGRES_USER: ${APP_DB_USER}\n"          # 5
               "  app:\n"                                       # 6
               "    build: .\n"                                 # 7
               "    environment:\n"                             # 8
               "      DB_USER: ${APP_DB_USER}\n")               # 9
    found = run_files(tmp_path, {"compose.yaml": compose}, select="CO008")
    assert [(f.position.line, f.position.column, f.message) for f in found] == [
        (5, 22, "`${APP_DB_USER}` is neither required nor defaulted: use `${APP_DB_USER:?message}` or "
                "`${APP_DB_USER:-default}` (also used so at line 9)")]


def test_compose_files_only_development_runs_hold_development_defaults(tmp_path):
    # a shared development stack under `dev/` and a development override: the local database's password, the
    # hosts of the development network and `localhost` are their defaults, not values to take from each environment
    stack = ("services:\n"                                                         # 1
             "  db:\n"                                                             # 2
             "    image: postgres:17.2\n"                                          # 3
             "    environment:\n"                                                  # 4
             "      POSTGRES_PASSWORD: polar\n"                                    # 5
             "  api:\n"                                                            # 6
             "    build: ../..\n"                                                  # 7
             "    environment:\n"                                                  # 8
             "      APP_POSTGRES_HOST: db\n"                                       # 9
             "      APP_BASE_URL: http://localhost:8000\n"                         # 10
             "      DATABASE_URL: postgresql://app:app@db:5432/app\n")             # 11
    files = {"dev/docker/docker-compose.yml": stack, "dev/docker/docker-compose.shared.yml": stack,
             "docker/docker-compose.dev.yml": stack.replace("../..", ".."),
             "deploy/docker-compose.yml": stack.replace("../..", "..")}
    found = run_files(tmp_path, files, select=("CO006", "CO009", "CO010", "CO011"))
    for path in ("dev/docker/docker-compose.yml", "dev/docker/docker-compose.shared.yml",
                 "docker/docker-compose.dev.yml"):
        assert at(found, path) == []
    # the same file where a deployment may read it is judged
    # (`db` is a service of the file itself: a host compose's DNS answers, not reported)
    assert at(found, "deploy/docker-compose.yml") == [("CO006", 1, 1), ("CO009", 5, 26), ("CO010", 10, 21),
                                                      ("CO011", 11, 21)]


def test_which_compose_files_only_development_runs():
    from dockyard.compose.environments import development_file

    assert [p for p in ("dev/docker/docker-compose.yml", "local/compose.yaml", "docker-compose.dev.yml",
                        "docker/compose.local.yaml", "docker-compose.development.yml", "docker-compose.yml",
                        "deploy/docker-compose.prod.yml", "devtools/compose.yaml", "docker-compose.override.yml",
                        "docker-compose.dev.override.yml", "developer/compose.yml", "docker-compose.multitenant-dev.yml",
                        "docker-compose.devops.yml") if development_file(p)] == [
        "dev/docker/docker-compose.yml", "local/compose.yaml", "docker-compose.dev.yml", "docker/compose.local.yaml",
        "docker-compose.development.yml", "docker-compose.multitenant-dev.yml"]


def test_an_environment_made_only_of_files_development_alone_runs_is_not_held_to_production_hardening(tmp_path):
    stack = "services:\n  db:\n    image: postgres:17.2\n" + APP.replace("build: .", "build: ../..")
    found = run_files(tmp_path / "dev", {"dev/docker/docker-compose.yml": stack}, select=HARDENING)
    assert at(found, "dev/docker/docker-compose.yml") == []
    # the same stack where a deployment may run it is judged
    found = run_files(tmp_path / "deploy", {"deploy/docker-compose.yml": stack}, select=("CO014",))
    assert at(found, "deploy/docker-compose.yml") == [("CO014", 2, 3), ("CO014", 4, 3)]


def test_a_development_helper_with_monitoring_on_demand_a_setup_job_and_emulators_is_not_deployed(tmp_path):
    # backing services for an application run on the host: a one-shot `mc` job creating buckets, Prometheus
    # behind a profile nobody turns on, local emulators of cloud services. Nothing is built, nothing deployed
    helper = ("services:\n"                                                        # 1
              "  redis:\n"                                                         # 2
              "    image: redis:7.4\n"                                             # 3
              "  minio:\n"                                                         # 4
              "    image: minio/minio:RELEASE.2024-05-28T17-19-04Z\n"              # 5
              "  minio-setup:\n"                                                   # 6
              "    image: bitnami/minio-client:2024.5.24\n"                        # 7
              "    entrypoint: [\"bash\", \"/config/configure.sh\"]\n"             # 8
              "  prometheus:\n"                                                    # 9
              "    image: prom/prometheus:v3.7.3\n"                                # 10
              "    profiles: [monitoring]\n"                                       # 11
              "  localstack:\n"                                                    # 12
              "    image: localstack/localstack:4.4.0\n"                           # 13
              "  tinybird:\n"                                                      # 14
              "    image: tinybirdco/tinybird-local:latest\n")                     # 15
    found = run_files(tmp_path / "helper", {"server/docker-compose.yml": helper}, select=HARDENING)
    assert at(found, "server/docker-compose.yml") == []
    # the same stack with the application it serves: deployed. The emulator is asked to go behind a profile;
    # the setup job and the service on demand are not hardened
    found = run_files(tmp_path / "app", {"server/docker-compose.yml": helper + APP.replace("build: .", "build: ..")},
                      select=("CO014", "CO024"))
    assert at(found, "server/docker-compose.yml") == [("CO014", 2, 3), ("CO014", 4, 3), ("CO024", 12, 3),
                                                      ("CO024", 14, 3), ("CO014", 16, 3)]


def test_a_client_tool_s_image_without_ports_is_a_setup_job():
    from dockyard.programs import is_one_off

    assert [is_one_off(svc) for svc in ({"image": "minio/mc:latest"}, {"image": "amazon/aws-cli:2.17.0"},
                                        {"image": "minio/mc", "ports": ["9000:9000"]}, {"image": "minio/minio"})] == [
        True, True, False, False]


def test_a_secret_s_default_in_a_compose_file_only_development_runs_is_a_development_default(tmp_path):
    text = ("services:\n"                                                          # 1
            "  api:\n"                                                             # 2
            "    build: ../..\n"                                                   # 3
            "    environment:\n"                                                   # 4
            "      APP_POSTGRES_PWD: ${APP_POSTGRES_PWD:-polar}\n"                  # 5
            "      APP_TOKEN: ${APP_TOKEN}\n"                                      # 6
            "      APP_HOST: ${APP_HOST}\n")                                       # 7
    files = {"dev/docker/docker-compose.yml": text, "deploy/docker-compose.yml": text}
    found = run_files(tmp_path, files, select="CO008")
    # a secret with no default, and a bare variable, are still reported in the development file
    assert at(found, "dev/docker/docker-compose.yml") == [("CO008", 6, 18), ("CO008", 7, 17)]
    assert at(found, "deploy/docker-compose.yml") == [("CO008", 5, 25), ("CO008", 6, 18), ("CO008", 7, 17)]


def test_which_compose_files_are_named_for_tests():
    from dockyard.compose.environments import test_file

    assert [p for p in ("docker-compose.airgap-test.yml", "docker-compose.search-testing.yml", "compose.ci.yaml",
                        "docker-compose.e2e.yml", "docker-compose.test.override.yml", "docker-compose.yml",
                        "tests/docker-compose.yml", "docker-compose.latest.yml", "docker-compose.contest.yml")
            if test_file(p)] == ["docker-compose.airgap-test.yml", "docker-compose.search-testing.yml",
                                 "compose.ci.yaml", "docker-compose.e2e.yml"]


def test_a_service_only_a_test_overlay_defines_is_not_held_to_production_hardening(tmp_path):
    base = ("services:\n" + APP +                                       # 1-3
            "    restart: unless-stopped\n")                            # 4
    overlay = ("services:\n"                                            # 1
               "  mock_server:\n"                                       # 2
               "    image: example/mock:1.0\n"                          # 3
               "    command: [\"python\", \"-m\", \"mock\", \"--port\", \"8080\"]\n"  # 4
               "  app:\n"                                               # 5
               "    environment:\n"                                     # 6
               "      MOCK_TOKEN: test-only-token-value\n")             # 7
    files = {"docker-compose.yml": base, "docker-compose.mcp-api-key-test.yml": overlay}
    found = run_files(tmp_path, files, select=("CO012", "CO015", "CO016", "CO009"))
    # the overlay's mock server is test tooling, and its values are test values; the base's app is judged
    assert at(found, "docker-compose.mcp-api-key-test.yml") == []
    assert at(found, "docker-compose.yml") == [("CO012", 2, 3), ("CO015", 2, 3), ("CO016", 2, 3)]
    # the same overlay named for an environment a deployment may run is judged
    files["docker-compose.gpu.yml"] = files.pop("docker-compose.mcp-api-key-test.yml")
    found = run_files(tmp_path / "gpu", files, select=("CO012", "CO015", "CO016", "CO009"))
    assert at(found, "docker-compose.gpu.yml") == [("CO012", 2, 3), ("CO015", 2, 3), ("CO016", 2, 3), ("CO009", 7, 19)]


def test_a_regression_test_network_is_a_test_stack(tmp_path):
    # a Bitcoin regtest network, an integration-test stack: nothing deploys them
    stack = "services:\n  bitcoind:\n    image: boltz/bitcoin-core:24.0.1\n    ports: [\"18443:18443\"]\n"
    for i, folder in enumerate(["docker/regtest", "integration-tests", "itest"]):
        found = run_files(tmp_path / str(i), {f"{folder}/docker-compose.yml": stack}, select=HARDENING + ("CO021",))
        assert at(found, f"{folder}/docker-compose.yml") == [], folder
    found = run_files(tmp_path / "deployed", {"docker/prod/docker-compose.yml": stack}, select=("CO014",))
    assert at(found, "docker/prod/docker-compose.yml") == [("CO014", 2, 3)]


def test_a_test_stack_s_harness_decides_when_its_services_are_ready(tmp_path):
    stack = ("services:\n  lnd:\n    image: lightninglabs/lnd:v0.18.0\n    depends_on: [bitcoind]\n"
             "  bitcoind:\n    image: boltz/bitcoin-core:24.0.1\n    healthcheck:\n"
             "      test: [\"CMD\", \"bitcoin-cli\", \"getblockchaininfo\"]\n      retries: 1\n")
    assert run_files(tmp_path / "t", {"docker/regtest/docker-compose.yml": stack}, select="CO013") == []
    found = run_files(tmp_path / "d", {"docker-compose.yml": stack}, select="CO013")
    assert at(found, "docker-compose.yml") == [("CO013", 4, 18)]


def test_a_sample_stack_or_a_generator_s_template_is_not_deployed(tmp_path):
    stack = "services:\n  api:\n    image: chromadb/chroma:1.0.0\n    ports: [\"8000:8000\"]\n"
    for i, folder in enumerate(["examples/server_side_embeddings/huggingface", "bin/templates"]):
        found = run_files(tmp_path / str(i), {f"{folder}/docker-compose.yml": stack}, select=HARDENING)
        assert at(found, f"{folder}/docker-compose.yml") == [], folder
    found = run_files(tmp_path / "deploy", {"deployments/aws/docker-compose.yml": stack}, select=("CO014",))
    assert at(found, "deployments/aws/docker-compose.yml") == [("CO014", 2, 3)]
