"""The command line in a subprocess, on a real git repository made from the tutorial project."""

from __future__ import annotations

import os

import pytest

from conftest import EXAMPLE, git, git_status, run_cli
from golden_cases import GOLDEN, tree_files

EXPECTED_STATUS_AFTER_APPLY = sorted(
    [" M .env-local", " M .gitignore", " M Dockerfile", " M myapp/settings.py"]
    + [f"D  {name}" for name in tree_files(EXAMPLE) if name.startswith("staticfiles/")]
)
REFERENCE = tree_files(GOLDEN / "divio-tutorial-all" / "after")


def test_dry_run_prints_the_diff_and_writes_nothing(tutorial):
    before = tree_files(tutorial)
    result = run_cli("apply", "--all", "--dry-run", cwd=tutorial)
    assert result.returncode == 0, result.stderr
    assert git_status(tutorial) == []
    assert tree_files(tutorial) == before
    out = result.stdout
    assert "--- a/myapp/settings.py\n+++ b/myapp/settings.py\n" in out
    assert "-DEBUG = True\n+DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"\n" in out
    assert "+RUN python manage.py collectstatic --noinput\n" in out
    assert "+DJANGO_DEBUG=True\n" in out and "+/staticfiles\n" in out
    assert "git rm -r staticfiles  # 17 tracked files\n" in out
    assert "    staticfiles/staticfiles.json\n" in out
    assert "\x1b[" not in out, "no colour codes when piped"
    assert "Dry run, nothing written" in result.stderr


def test_dry_run_diff_applies_with_git_apply(tutorial, tmp_path):
    patch = tmp_path / "changes.patch"
    patch.write_text(run_cli("apply", "--all", "--dry-run", cwd=tutorial).stdout)
    git(tutorial, "apply", str(patch))
    git(tutorial, "rm", "-r", "-q", "staticfiles")
    assert tree_files(tutorial) == REFERENCE


def test_apply_all_then_second_run_changes_nothing(tutorial):
    first = run_cli("apply", "--all", cwd=tutorial)
    assert first.returncode == 0, first.stderr
    assert sorted(git_status(tutorial)) == EXPECTED_STATUS_AFTER_APPLY
    assert tree_files(tutorial) == REFERENCE
    assert "Changed 4 files" in first.stderr and "git rm -r staticfiles (17 files)" in first.stderr

    git(tutorial, "commit", "-q", "-am", "refinements")
    second = run_cli("apply", "--all", cwd=tutorial)
    assert second.returncode == 0
    assert "Nothing to do" in second.stderr
    assert git_status(tutorial) == []
    assert tree_files(tutorial) == REFERENCE

    check = run_cli("apply", "--all", "--check", cwd=tutorial)
    assert check.returncode == 0 and check.stdout == ""
    status = run_cli("status", cwd=tutorial)
    assert status.returncode == 0
    states = [line.split()[1] for line in status.stdout.splitlines()[1:7]]
    assert states == ["done"] * 6
    lines = status.stdout.splitlines()
    # Done, and still what the user must do: the committed key stays the fallback, and the page's
    # six leave the redirect loop behind Divio's proxy.
    assert lines[-3] == "Nothing to do: every step is done or not applicable."
    assert lines[-2].startswith("Warning: the SECRET_KEY in myapp/settings.py has been committed")
    assert lines[-1].startswith("Warning: production runs behind Divio's proxy")


@pytest.mark.parametrize(
    "order",
    [
        ("debug", "allowed-hosts", "secret-key", "ssl-redirect", "collectstatic", "staticfiles"),
        ("staticfiles", "collectstatic", "ssl-redirect", "secret-key", "allowed-hosts", "debug"),
        ("ssl-redirect", "debug", "staticfiles", "allowed-hosts", "collectstatic", "secret-key"),
        ("secret-key", "ssl-redirect", "allowed-hosts", "debug", "staticfiles", "collectstatic"),
    ],
)
def test_steps_one_commit_at_a_time_in_any_order_reach_the_same_result(tutorial, order):
    for name in order:
        result = run_cli("apply", "--step", name, cwd=tutorial)
        assert result.returncode == 0, result.stderr
        git(tutorial, "add", "-A")
        git(tutorial, "commit", "-q", "-m", f"refactor-app: {name}")
    assert tree_files(tutorial) == REFERENCE


def test_several_steps_in_one_run_in_any_order_of_flags(tutorial):
    result = run_cli("apply", "--step", "ssl-redirect", "--step", "debug", cwd=tutorial)
    assert result.returncode == 0, result.stderr
    assert sorted(git_status(tutorial)) == [" M .env-local", " M myapp/settings.py"]
    env_local = (tutorial / ".env-local").read_text()
    assert env_local.endswith("DJANGO_DEBUG=True\nSECURE_SSL_REDIRECT=False\n")


def test_check_exits_1_when_work_is_pending(tutorial):
    result = run_cli("apply", "--all", "--check", cwd=tutorial)
    assert result.returncode == 1
    assert "+DEBUG = os.environ.get" in result.stdout
    assert git_status(tutorial) == []


def test_dirty_tree_is_refused_unless_allowed(tutorial):
    with open(tutorial / "requirements.txt", "a") as handle:
        handle.write("gunicorn\n")
    refused = run_cli("apply", "--all", cwd=tutorial)
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: the git tree has uncommitted changes (requirements.txt)")
    assert "Traceback" not in refused.stderr
    assert git_status(tutorial) == [" M requirements.txt"]

    allowed = run_cli("apply", "--all", "--allow-dirty", cwd=tutorial)
    assert allowed.returncode == 0, allowed.stderr
    assert " M myapp/settings.py" in git_status(tutorial)


def test_path_argument_and_settings_option(tutorial, tmp_path):
    result = run_cli("status", str(tutorial), "--settings", str(tutorial / "myapp" / "settings.py"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("pending") >= 6


def test_steps_lists_the_six_steps_in_the_pages_order():
    result = run_cli("steps")
    assert result.returncode == 0
    page, beyond = result.stdout.split("\n\n")
    names = [line.split()[1] for line in page.splitlines()]
    assert names == ["debug", "allowed-hosts", "secret-key", "ssl-redirect", "collectstatic", "staticfiles"]
    assert beyond.startswith("Beyond the page")  # the hardening steps, under their own heading
    assert [line.split()[1] for line in beyond.splitlines()[1:]] == [
        "secure-cookies", "hsts", "proxy-ssl-header", "csrf-trusted-origins"]


def test_status_names_state_files_and_reason(tutorial):
    result = run_cli("status", cwd=tutorial)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[1].split(None, 2) == [
        "debug", "pending",
        "myapp/settings.py: DEBUG = True becomes on only when DJANGO_DEBUG=True; .env-local: + DJANGO_DEBUG=True"
        "  [myapp/settings.py, .env-local]",
    ]
    assert lines[-3].startswith("6 pending.")
    assert lines[-2].startswith("Warning: the SECRET_KEY in myapp/settings.py has been committed")
    assert lines[-1].startswith("Warning: production runs behind Divio's proxy")


@pytest.mark.parametrize("command", [[], ["steps"], ["status"], ["apply"], ["demo"]])
def test_every_command_has_help(command):
    result = run_cli(*command, "--help")
    assert result.returncode == 0
    assert "Usage:" in result.stdout


def test_apply_needs_all_or_step_but_not_both(tutorial):
    result = run_cli("apply", cwd=tutorial)
    assert result.returncode == 2 and "choose the steps: --all, or --step NAME" in result.stderr
    result = run_cli("apply", "--all", "--step", "debug", cwd=tutorial)
    assert result.returncode == 2 and "either --all or --step NAME, not both" in result.stderr


def test_unknown_step_is_bad_input(tutorial):
    result = run_cli("apply", "--step", "debugg", cwd=tutorial)
    assert result.returncode == 2
    assert result.stderr == (
        "error: unknown step debugg; the steps are: debug, allowed-hosts, secret-key, ssl-redirect, "
        "collectstatic, staticfiles, secure-cookies, hsts, proxy-ssl-header, csrf-trusted-origins.\n"
    )


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("refactor-app ")


def test_demo_migrates_the_bundled_project(tmp_path):
    target = tmp_path / "demo"
    result = run_cli("demo", str(target), env={"GIT_CONFIG_GLOBAL": os.devnull})
    assert result.returncode == 0, result.stderr
    assert "+DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"" in result.stdout
    assert f"The migrated project is in {target.resolve()}" in result.stderr
    assert tree_files(target) == REFERENCE
    assert sorted(git_status(target)) == EXPECTED_STATUS_AFTER_APPLY


def test_demo_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "something").write_text("x")
    result = run_cli("demo", str(tmp_path))
    assert result.returncode == 2
    assert "is not empty" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["something"]


def test_note_when_nothing_loads_env_local(tutorial):
    git(tutorial, "rm", "-q", "docker-compose.yml")
    git(tutorial, "commit", "-q", "-m", "no compose")
    result = run_cli("apply", "--all", cwd=tutorial)
    assert result.returncode == 0, result.stderr
    assert "Note: nothing in this project loads .env-local" in result.stderr


def test_no_note_when_compose_loads_env_local(tutorial):
    result = run_cli("apply", "--all", cwd=tutorial)
    assert "Note:" not in result.stderr
