"""git's "dubious ownership" refusal reported as such (with git's safe.directory line, never as
"not a git repository"), and a file rewritten as root keeping its owner and group."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import git_status, run_cli


# --- git's refusal of a repository that belongs to another user --------------------------------------

def dubious_git(folder: Path, root: Path) -> dict:
    """A git that refuses every repository as git 2.35.2 and later do one another user owns."""
    folder.mkdir()
    (folder / "git").write_text(
        "#!/bin/sh\n"
        f"echo \"fatal: detected dubious ownership in repository at '{root}'\" >&2\n"
        "echo 'To add an exception for this directory, call:' >&2\n"
        "echo >&2\n"
        f"printf '\\tgit config --global --add safe.directory {root}\\n' >&2\n"
        "exit 128\n"
    )
    (folder / "git").chmod(0o755)
    return {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.parametrize("args", [["status"], ["apply", "--all"], ["apply", "--all", "--commit"],
                                  ["apply", "--all", "--dry-run"]])
def test_dubious_ownership_is_reported_with_gits_suggestion(tutorial, tmp_path, args):
    env = dubious_git(tmp_path / "bin", tutorial)
    result = run_cli(*args, cwd=tutorial, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    error = result.stderr
    assert "dubious ownership" in error and "belongs to another user" in error
    assert f"git config --global --add safe.directory {tutorial}" in error
    assert "not in a git repository" not in error + result.stdout and "Traceback" not in error
    assert len(error.strip().splitlines()) == 1
    assert git_status(tutorial) == []  # (the real git) nothing written


def test_dubious_ownership_from_a_real_git(tutorial):
    if os.getuid() != 0:
        pytest.skip("giving the repository to another user needs root")
    for path in [tutorial, *tutorial.rglob("*")]:
        os.chown(path, 1234, 1234, follow_symlinks=False)
    result = run_cli("apply", "--all", cwd=tutorial)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "dubious ownership" in result.stderr
    assert f"git config --global --add safe.directory {tutorial}" in result.stderr
    assert "not in a git repository" not in result.stderr


def test_dubious_ownership_json(tutorial, tmp_path):
    env = dubious_git(tmp_path / "bin", tutorial)
    result = run_cli("status", "--format", "json", cwd=tutorial, env=env)
    assert result.returncode == 2
    assert "safe.directory" in json.loads(result.stdout)["error"]


# --- a file rewritten as root stays its owner's -----------------------------------------------------

def test_apply_as_root_keeps_each_files_owner_and_group(tutorial):
    if os.getuid() != 0:
        pytest.skip("changing a file's owner needs root")
    owned = ["myapp/settings.py", ".env-local", "Dockerfile", ".gitignore"]
    for name in owned:
        os.chown(tutorial / name, 1234, 1234)
    result = run_cli("apply", "--all", "--commit", cwd=tutorial)
    assert result.returncode == 0, result.stderr
    for name in owned:
        info = (tutorial / name).stat()
        assert (name, info.st_uid, info.st_gid) == (name, 1234, 1234)
    assert "DJANGO_DEBUG=True" in (tutorial / ".env-local").read_text()


@pytest.mark.parametrize("mode", [[], ["--dry-run"]])
def test_a_fleet_reports_a_repository_git_refuses_and_goes_on(tmp_path, mode):
    if os.getuid() != 0:
        pytest.skip("giving a repository to another user needs root")
    from conftest import EXAMPLE, committed_project

    fleet = tmp_path / "fleet"
    for name in ("mine", "theirs"):
        committed_project(EXAMPLE, fleet / name)
    for path in [fleet / "theirs", *(fleet / "theirs").rglob("*")]:
        os.chown(path, 1234, 1234, follow_symlinks=False)
    result = run_cli("apply", "--all", "-r", ".", *mode, cwd=fleet)
    assert result.returncode == 2, result.stderr
    assert "theirs: error: git refuses the repository at" in result.stderr and "safe.directory" in result.stderr
    assert "mine: " + ("would apply" if mode else "applied") in result.stderr
    assert "2 projects: 1 " in result.stderr and ", 1 failed." in result.stderr
    assert "Traceback" not in result.stderr


def test_dubious_ownership_is_reported_when_the_index_spares_the_git_status(tutorial, tmp_path):
    """The index's stat data, older than the index itself, say the collected folder is unchanged:
    no git status runs, and a dry run's one git process is the ignore check. It failed one run in
    five when the files were as new as the index (racy, so git status ran and reported it)."""
    import subprocess
    import time

    past = time.time() - 60
    for path in tutorial.rglob("*"):
        if ".git" not in path.relative_to(tutorial).parts:
            os.utime(path, (past, past), follow_symlinks=False)
    subprocess.run(["git", "update-index", "-q", "--really-refresh"], cwd=tutorial, check=True)
    env = dubious_git(tmp_path / "bin", tutorial)
    result = run_cli("apply", "--all", "--dry-run", cwd=tutorial, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "dubious ownership" in result.stderr and len(result.stderr.strip().splitlines()) == 1
