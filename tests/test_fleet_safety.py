"""Issue 11, "Safety first": a fleet worker that dies costs its one project, never the run; a
settings file too deeply nested for any parser is bad input, not a crash; an unreadable folder
is skipped with a warning; verify never prints a password; an internal error still gives JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE, git, run_cli
from golden_cases import GOLDEN, copy_tree, tree_files

REFERENCE = tree_files(GOLDEN / "divio-tutorial-all" / "after")
KILL = "REFACTOR_APP_TEST_KILL_MARKER"  # read by fleet.run_project: die on a project holding this file
DIED = "p3: error: the process working on it died (signal 9, SIGKILL), also when run again"


def make_fleet(root, count):
    for number in range(count):
        copy_tree(EXAMPLE, root / f"p{number}")
    return root


# --- a worker that dies ----------------------------------------------------------------------

@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_worker_that_dies_costs_only_its_project(tmp_path, jobs):
    root = make_fleet(tmp_path / "fleet", 8)
    (root / "p3" / "die-here").write_text("always")
    result = run_cli("status", "-r", ".", "--jobs", jobs, cwd=root, env={KILL: "die-here"})  # times out: never hangs
    assert result.returncode == 3, result.stderr
    lines = result.stdout.splitlines()
    assert lines[3].startswith(DIED), lines[3]
    assert [line.split(":")[0] for line in lines[:8]] == [f"p{n}" for n in range(8)]
    assert all(": pending debug" in line for n, line in enumerate(lines[:8]) if n != 3)
    assert lines[-1] == "8 projects: 7 with pending steps, 0 with nothing to do, 1 failed."
    assert "Traceback" not in result.stderr


def test_a_worker_that_dies_once_gets_its_project_run_again(tmp_path):
    root = make_fleet(tmp_path / "fleet", 6)
    (root / "p2" / "die-here").write_text("once")
    result = run_cli("apply", "--all", "--dry-run", "-r", ".", "--jobs", "2", cwd=root, env={KILL: "die-here"})
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "6 projects: 6 would change, 0 with nothing to do, 0 failed."
    assert result.stdout.count("+++ b/p2/myapp/settings.py") == 1


def test_a_fleet_apply_whose_worker_dies_applies_every_other_project(tmp_path):
    root = make_fleet(tmp_path / "agency", 12)
    (root / "p3" / "die-here").write_text("always")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "before")
    result = run_cli("apply", "--all", "-r", ".", "--jobs", "2", cwd=root, env={KILL: "die-here"})
    assert result.returncode == 3, result.stderr
    died = next(line for line in result.stderr.splitlines() if line.startswith("p3:"))
    assert died.startswith(DIED) and "git status" in died, died
    assert result.stderr.splitlines()[-1] == "12 projects: 11 changed, 0 with nothing to do, 1 failed."
    for number in range(12):
        name = f"p{number}"
        settings = (root / name / "myapp" / "settings.py").read_bytes()
        if number == 3:
            assert b"DEBUG = True\n" in settings  # it died before writing anything
            assert git(root, "ls-files", f"{name}/staticfiles")
        else:
            assert settings == REFERENCE["myapp/settings.py"][0], name
            assert not git(root, "ls-files", f"{name}/staticfiles"), name


def test_jobs_is_capped_at_the_number_of_projects(tmp_path):
    import multiprocessing

    from refactor_app import fleet

    root = make_fleet(tmp_path / "fleet", 2)
    tasks = [fleet.Task(path, path.name, "status", None) for path in sorted(root.iterdir())]
    seen = []
    worst = fleet.run(tasks, 16, lambda outcome: seen.append(len(multiprocessing.active_children())))
    assert worst == 0 and len(seen) == 2
    assert max(seen) <= 2, seen


# --- too deeply nested for any parser -----------------------------------------------------------

def nest(settings, line):
    text = settings.read_text()
    settings.write_text(text.replace("DEBUG = True\n", "DEBUG = True\n" + line, 1))
    return text[: text.index("DEBUG = True\n")].count("\n") + 2  # the new line's number


@pytest.mark.parametrize("expression", ["[" * 2000 + "]" * 2000, "-" * 30000 + "1"], ids=["brackets", "unary"])
def test_a_settings_file_too_deeply_nested_is_bad_input_not_a_crash(tmp_path, expression):
    root = make_fleet(tmp_path / "fleet", 3)
    line = nest(root / "p1" / "myapp" / "settings.py", f"NESTED = {expression}\n")
    message = f"p1: error: myapp/settings.py is too deeply nested at line {line}"
    for jobs in ("1", "2"):
        result = run_cli("status", "-r", ".", "--jobs", jobs, cwd=root)
        assert result.returncode == 2, (jobs, result.returncode, result.stderr)
        assert result.stdout.splitlines()[1].startswith(message), result.stdout
        assert result.stdout.splitlines()[-1] == "3 projects: 2 with pending steps, 0 with nothing to do, 1 failed."
    for args in (["status"], ["apply", "--all", "--allow-dirty"]):
        result = run_cli(*args, cwd=root / "p1")
        assert result.returncode == 2 and result.stderr.count("\n") == 1, (args, result.returncode, result.stderr)
        assert result.stderr.startswith(f"error: myapp/settings.py is too deeply nested at line {line}")


@pytest.mark.parametrize("expression", ["[" * 2000 + "]" * 2000, "-" * 30000 + "1"], ids=["brackets", "unary"])
def test_a_manage_py_too_deeply_nested_is_bad_input_not_an_internal_error(tmp_path, expression):
    root = make_fleet(tmp_path / "fleet", 1) / "p0"
    manage = root / "manage.py"
    manage.write_text(manage.read_text() + f"NESTED = {expression}\n")
    result = run_cli("status", cwd=root)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, (result.returncode, result.stderr)
    assert result.stderr.startswith("error: manage.py ") and "Traceback" not in result.stderr


# --- an unreadable folder -------------------------------------------------------------------------

def as_another_user():
    """The command prefix that runs a program as nobody, when the tests run as root (root reads
    every folder, whatever its mode)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a folder unreadable")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_an_unreadable_folder_is_skipped_with_a_warning():
    import tempfile

    prefix = as_another_user()
    base = tempfile.mkdtemp(prefix="refactor-app-unreadable-")  # outside pytest's root-only folder
    try:
        os.chmod(base, 0o755)
        root = make_fleet(Path(base) / "fleet", 2)
        (root / "locked").mkdir()
        copy_tree(EXAMPLE, root / "locked" / "inside")
        for folder, _, _ in os.walk(base):
            os.chmod(folder, 0o755)
        os.chmod(root / "locked", 0)
        env = {key: value for key, value in os.environ.items() if key != "FORCE_COLOR"}
        result = subprocess.run(
            [*prefix, sys.executable, "-m", "refactor_app", "status", "-r", "."],
            cwd=root, env=env, capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr.startswith("warning: cannot read locked (Permission denied): skipped it"), result.stderr
        assert "internal error" not in result.stderr
        assert [line.split(":")[0] for line in result.stdout.splitlines()[:-1]] == ["p0", "p1"]
    finally:
        os.chmod(os.path.join(base, "fleet", "locked"), 0o755)
        shutil.rmtree(base)


# --- verify never prints a password ------------------------------------------------------------------

URLS = [
    ("postgres://user:hunter2x@db:5432/app", "postgres://user:***@db:5432/app"),
    ("postgres://:hunter2x@db/app", "postgres://:***@db/app"),
    ("postgres://user:p@ss@db/app", "postgres://user:***@db/app"),  # the last "@" ends the password
    ("postgres://db/app?sslmode=require&password=hunter2x", "postgres://db/app?sslmode=require&password=***"),
    ("postgres://db/app?PASSWORD=hunter2x&x=1", "postgres://db/app?PASSWORD=***&x=1"),
    ("postgres://user@db/app?SSLPassword=hunter2x", "postgres://user@db/app?SSLPassword=***"),
]


def test_verify_masks_every_password_in_a_database_url(tutorial):
    assert run_cli("apply", "--all", cwd=tutorial).returncode == 0
    env_local = (tutorial / ".env-local").read_text()
    for url, shown in URLS:
        (tutorial / ".env-local").write_text(env_local + f"DATABASE_URL={url}\n")
        result = run_cli("verify", cwd=tutorial)
        assert "hunter2x" not in result.stdout + result.stderr, url
        database = next(line for line in result.stdout.splitlines() if line.startswith("DATABASE_URL"))
        assert database.split()[1] == shown, url


def test_verify_masks_a_password_in_an_import_error(tutorial):
    settings = tutorial / "myapp" / "settings.py"
    settings.write_text(settings.read_text() + "\nraise ValueError('cannot reach postgres://admin:s3cret@db/x?password=s3cret')\n")
    result = run_cli("verify", cwd=tutorial)
    assert "s3cret" not in result.stdout + result.stderr
    assert "postgres://admin:***@db/x?password=***" in result.stdout


# --- an internal error under --format json ---------------------------------------------------------

def test_an_internal_error_still_prints_the_json_error_object(tutorial):
    """An unexpected exception (a bug) under --format json: the JSON error object on stdout, exit 3."""
    program = (
        "import sys; import refactor_app.api as api\n"
        "def broken(*args, **kwargs): raise KeyError('a bug')\n"
        "api.make_plan = broken\n"
        "sys.argv[0] = 'refactor-app'\n"
        "from refactor_app.cli import main; main()\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "REFACTOR_APP_TRACEBACK"}
    result = subprocess.run(
        [sys.executable, "-c", program, "status", "--format", "json"],
        cwd=tutorial, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 3, result.stderr
    document = json.loads(result.stdout)
    assert document == {"schema_version": 1, "error": document["error"], "exit_code": 3}
    assert "KeyError" in document["error"] and "Traceback" not in result.stderr
    import jsonschema

    from golden_cases import REPO

    jsonschema.validate(document, json.loads((REPO / "refactor_app" / "schema" / "output.schema.json").read_text()))
