"""CI001 against actionlint: the same workflow files are rejected for schema or syntax reasons.

actionlint's findings of the kinds ``syntax-check``, ``events`` and ``permissions`` (and a crash, which it has
on some invalid YAML) are what the workflow schema can judge; its other kinds (expressions, job needs, shell,
runner labels) are not CI001's business. Two differences are GitHub's own behaviour, and are asserted as such:

* a value that is one expression at a key GitHub evaluates (``strategy: ${{ fromJson(...) }}``,
  ``services: ${{ ... }}``, ``defaults: run: ${{ ... }}``) runs on GitHub; actionlint wants a mapping there;
* actionlint checks the fields of ``cron`` schedules, which the schema leaves to GitHub.
"""

from __future__ import annotations

from dockyard.rules.ci.pipeline import BAD_WORKFLOW, GOOD_WORKFLOW
from tests.helpers import run_files
from tests.rules.ci import _actionlint
from tests.rules.ci.test_ci_builds import WORKFLOW_COMPOSE_BUILD, wf

SCHEMA_KINDS = {"syntax-check", "events", "permissions", "crash"}
RUN = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n"

CASES = {
    "good": GOOD_WORKFLOW,
    "bad_but_valid": BAD_WORKFLOW,
    "compose_build": WORKFLOW_COMPOSE_BUILD,
    "script_build": wf("run: ./scripts/build.sh"),
    "minimal": RUN,
    "no_runs_on": RUN.replace("    runs-on: ubuntu-latest\n", ""),
    "unknown_job_key": RUN.replace("    steps:", "    step:"),
    "run_and_uses": RUN.replace("      - run: echo hi\n", "      - run: x\n        uses: actions/checkout@v4\n"),
    "step_without_run_or_uses": RUN.replace("      - run: echo hi\n", "      - name: nothing\n"),
    "steps_not_a_list": RUN.replace("    steps:\n      - run: echo hi\n", "    steps: echo\n"),
    "with_not_a_mapping": RUN.replace("      - run: echo hi\n", "      - uses: actions/checkout@v4\n        with: foo\n"),
    "unknown_event": RUN.replace("on: push", "on: pushh"),
    "no_jobs": "on: push\n",
    "bad_permission": RUN.replace("on: push\n", "on: push\npermissions:\n  contents: maybe\n"),
    "invalid_yaml": "on: push\njobs:\n  a:\n    runs-on: [ubuntu-latest\n    steps:\n      - run: x\n",
    "reusable_call": "on: push\njobs:\n  a:\n    uses: ./.github/workflows/b.yml\n    with:\n      x: 1\n",
    "timeout_expression": ("on:\n  workflow_call:\n    inputs:\n      t:\n        type: number\njobs:\n  a:\n"
                           "    runs-on: ubuntu-latest\n    timeout-minutes: ${{ inputs.t }}\n    steps:\n      - run: x\n"),
    "matrix_expression": RUN.replace("    runs-on:", "    strategy:\n      matrix: ${{ fromJson(vars.M) }}\n    runs-on:"),
    "fail_fast_expression": RUN.replace("    runs-on:", "    strategy:\n      fail-fast: ${{ vars.F == 1 }}\n"
                                        "      matrix:\n        x: [1]\n    runs-on:"),
    "container_expression": RUN.replace("    steps:", "    container: ${{ vars.IMG }}\n    steps:"),
    "env_expression": RUN.replace("    steps:", "    env: ${{ fromJson(vars.E) }}\n    steps:"),
    "strategy_without_matrix": RUN.replace("    runs-on:", "    strategy:\n      fail-fast: true\n    runs-on:"),
    "strategy_unknown_key": RUN.replace("    runs-on:", "    strategy:\n      fail-fastt: true\n    runs-on:"),
    "needs_unknown_job": RUN.replace("    runs-on:", "    needs: zzz\n    runs-on:"),
    # GitHub evaluates these whole expressions; actionlint wants mappings
    "strategy_expression": RUN.replace("    runs-on:", "    strategy: ${{ fromJson(vars.S) }}\n    runs-on:"),
    "services_expression": RUN.replace("    steps:", "    services: ${{ fromJson(vars.S) }}\n    steps:"),
    "defaults_run_expression": RUN.replace("    steps:", "    defaults:\n      run: ${{ fromJson(vars.D) }}\n    steps:"),
    # actionlint checks cron fields; the schema does not
    "cron_out_of_range": RUN.replace("on: push\n", "on:\n  schedule:\n    - cron: '61 * * * *'\n"),
}
GITHUB_EVALUATES = {"strategy_expression", "services_expression", "defaults_run_expression"}
CRON = {"cron_out_of_range"}


def _ci001_rejects(tmp_path, name: str, text: str) -> bool:
    return bool(run_files(tmp_path / name, {".github/workflows/ci.yml": text}, select="CI001"))


def test_ci001_rejects_what_actionlint_rejects_for_schema_reasons(tmp_path):
    linted = _actionlint.lint(CASES, tmp_path)
    verdicts = {}
    for name, text in CASES.items():
        oracle = any(r["kind"] in SCHEMA_KINDS for r in linted[name])
        verdicts[name] = (oracle, _ci001_rejects(tmp_path, name, text))
    expected = {name: (oracle, oracle) for name, (oracle, _) in verdicts.items()}
    for name in GITHUB_EVALUATES:
        expected[name] = (True, False)  # actionlint: "section is scalar node but mapping node is expected"
    for name in CRON:
        expected[name] = (True, False)
    assert verdicts == expected
    rejected = {name for name, (oracle, _) in verdicts.items() if oracle}
    assert {"no_runs_on", "unknown_job_key", "invalid_yaml", "unknown_event", "bad_permission"} <= rejected
