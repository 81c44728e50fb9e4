"""Compose rules beyond their cases (``cases/CO0NN.yml``, run by ``test_cases.py``): the reference project, secrets
in messages, and the environment view the rules read."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import run_files, triples

BASE, DEV = "docker-compose.base.yml", "docker-compose.dev.yml"

REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "compose_rules" / "reference"


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_reference_project_has_no_compose_findings(tmp_path):
    assert triples(run_files(tmp_path, _tree(REFERENCE), select="CO")) == []


def test_secret_values_never_appear_in_messages(tmp_path):
    files = {"compose.yaml": "services:\n  app:\n    image: a:1\n    environment:\n      - DB_PASSWORD=hunter2\n"
                             "      - DATABASE_URL=postgresql://u:hunter2@db/x\n    command: redis-server --requirepass hunter2\n"}
    found = run_files(tmp_path, files, select="CO")
    assert found and not [f for f in found if "hunter2" in f.message]


def test_environment_view(tmp_path):
    from dockyard.compose.context import environment_views
    from dockyard.project import Project
    from tests.helpers import write_tree

    write_tree(tmp_path, {BASE: "services:\n  app:\n    image: a:1\n    environment:\n      - K=${K:?K is required}\n"
                                "    ports:\n      - \"${P:-8000}:8000\"\n",
                          DEV: "services:\n  app:\n    environment:\n      K: override\n", ".env.dev.example": "K=v\n"})
    (view,) = environment_views(Project.discover(tmp_path))
    assert view.name == "dev" and [f.path for f in view.compose_files] == [BASE, DEV]
    assert view.env_file.path == ".env.dev.example" and view.env_file_is_template
    assert view.variables == {"K": "v"}
    assert view.model["services"]["app"] == {"image": "a:1", "environment": {"K": "override"}, "ports": ["8000:8000"]}
    assert view.origin(("services", "app", "environment", "K"))[0] == DEV
    assert view.origin_record(("services", "app", "environment", "K"), first=True).path == BASE
    assert view.raw(("services", "app", "ports", 0)) == "${P:-8000}:8000"
    assert view.issues == []
