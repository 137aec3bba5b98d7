"""A file the user keeps out of git is never committed by refactor-app: an untracked, not
ignored .env-local (it may hold a DATABASE_URL password) is written but left out of every
`--commit` commit, and status, apply and --commit say it is neither tracked nor ignored. A
.env-local refactor-app creates holds only its local values and is committed, as the page does."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import git, git_status, run_cli

SECRET = "DATABASE_URL=postgres://admin:pw@db/app\n"
UNTRACKED_WARNING = "Warning: .env-local is neither tracked nor ignored by git"
IGNORE_ADVICE = "add .env-local to .gitignore"


def untracked_env_local(root: Path) -> Path:
    """The tutorial with its .env-local out of git (not ignored either), holding a password."""
    git(root, "rm", "-q", "--cached", ".env-local")
    git(root, "commit", "-q", "-m", "keep .env-local out of git")
    (root / ".env-local").write_text(SECRET)
    assert git_status(root) == ["?? .env-local"]
    return root


def ignored_env_local(root: Path) -> Path:
    git(root, "rm", "-q", "--cached", ".env-local")
    with open(root / ".gitignore", "a") as handle:
        handle.write(".env-local\n")
    git(root, "commit", "-q", "-am", "ignore .env-local")
    (root / ".env-local").write_text(SECRET)
    assert git_status(root) == []
    return root


def missing_env_local(root: Path) -> Path:
    git(root, "rm", "-q", ".env-local")
    git(root, "commit", "-q", "-m", "no .env-local")
    assert not (root / ".env-local").exists()
    return root


def steps_committed(root: Path) -> set[str]:
    """Every path the six step commits touched."""
    return {line for line in git(root, "log", "--format=", "--name-only", "HEAD~6..HEAD").splitlines() if line}


# --- --commit and an untracked .env-local ------------------------------------------------------

def test_commit_never_adds_an_untracked_env_local_and_says_so(tutorial):
    root = untracked_env_local(tutorial)
    result = run_cli("apply", "--all", "--commit", cwd=root)
    assert result.returncode == 0, result.stderr
    assert len(git(root, "log", "--format=%s").splitlines()) == 2 + 6  # every step committed
    assert ".env-local" not in git(root, "log", "--stat", "--format=%s", "HEAD~6..HEAD")
    assert ".env-local" not in steps_committed(root) and ".env-local" not in git(root, "ls-files")
    env_local = (root / ".env-local").read_text()
    assert env_local.startswith(SECRET) and "DJANGO_DEBUG=True" in env_local  # written, not committed
    assert git_status(root) == ["?? .env-local"]
    assert UNTRACKED_WARNING in result.stderr and IGNORE_ADVICE in result.stderr
    assert "Traceback" not in result.stderr


def test_commit_in_json_lists_the_warning(tutorial):
    root = untracked_env_local(tutorial)
    result = run_cli("apply", "--all", "--commit", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert any(w.startswith(".env-local is neither tracked nor ignored by git") and IGNORE_ADVICE in w
               for w in document["warnings"])
    assert all(step["commit"] for step in document["steps"])
    assert ".env-local" not in steps_committed(root) and ".env-local" not in git(root, "ls-files")


def test_commit_with_an_ignored_env_local_leaves_it_out_without_a_warning(tutorial):
    root = ignored_env_local(tutorial)
    result = run_cli("apply", "--all", "--commit", cwd=root)
    assert result.returncode == 0, result.stderr
    assert ".env-local" not in git(root, "log", "--stat", "--format=%s", "HEAD~6..HEAD")
    assert ".env-local" not in git(root, "ls-files")
    assert "DJANGO_DEBUG=True" in (root / ".env-local").read_text()
    assert "neither tracked nor ignored" not in result.stderr
    assert git_status(root) == []


def test_commit_adds_the_env_local_refactor_app_creates(tutorial):
    """A new .env-local holds only the local values refactor-app writes: committed, as the page does."""
    root = missing_env_local(tutorial)
    result = run_cli("apply", "--all", "--commit", cwd=root)
    assert result.returncode == 0, result.stderr
    debug_commit = git(root, "show", "--name-status", "--format=%s", "HEAD~5")
    assert debug_commit.startswith("Set DEBUG using an environment variable")
    assert "A\t.env-local" in debug_commit
    assert git(root, "show", "HEAD:.env-local").startswith("DJANGO_DEBUG=True\n")
    assert "neither tracked nor ignored" not in result.stderr
    assert git_status(root) == []


def test_commit_adds_the_gitignore_refactor_app_creates(tutorial):
    git(tutorial, "rm", "-q", ".gitignore")
    git(tutorial, "commit", "-q", "-m", "no .gitignore")
    result = run_cli("apply", "--all", "--commit", cwd=tutorial)
    assert result.returncode == 0, result.stderr
    staticfiles_commit = git(tutorial, "show", "--name-status", "--format=%s", "HEAD")
    assert staticfiles_commit.startswith("Remove collected static files from the repository")
    assert "A\t.gitignore" in staticfiles_commit and git(tutorial, "show", "HEAD:.gitignore") == "/staticfiles\n"
    assert "neither tracked nor ignored" not in result.stderr
    assert git_status(tutorial) == []


def test_a_tracked_env_local_gets_no_warning(tutorial):
    for args in (["status"], ["apply", "--all", "--dry-run"]):
        result = run_cli(*args, cwd=tutorial)
        assert result.returncode == 0, result.stderr
        assert "neither tracked nor ignored" not in result.stdout + result.stderr


# --- the warning without --commit ------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["status"],
    ["apply", "--all", "--dry-run"],
    ["apply", "--step", "debug", "--dry-run"],  # without the staticfiles step's early git questions
    ["apply", "--all"],
])
def test_an_untracked_env_local_is_named_without_commit_too(tutorial, args):
    root = untracked_env_local(tutorial)
    result = run_cli(*args, cwd=root)
    assert result.returncode == 0, result.stderr
    shown = result.stdout if args == ["status"] else result.stderr
    assert UNTRACKED_WARNING in shown and IGNORE_ADVICE in shown
    if args == ["apply", "--all"]:
        assert "DJANGO_DEBUG=True" in (root / ".env-local").read_text()
        assert ".env-local" not in git(root, "ls-files")


@pytest.mark.parametrize("command", [
    ["status"], ["apply", "--all", "--dry-run"], ["apply", "--step", "debug", "--dry-run"],
])
def test_json_warnings_name_an_untracked_env_local(tutorial, command):
    root = untracked_env_local(tutorial)
    result = run_cli(*command, "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    warnings = json.loads(result.stdout)["warnings"]
    assert [w for w in warnings if w.startswith(".env-local is neither tracked nor ignored by git")]


@pytest.mark.parametrize("variant", [ignored_env_local, missing_env_local])
def test_an_ignored_or_missing_env_local_gets_no_warning(tutorial, variant):
    root = variant(tutorial)
    for args in (["status"], ["apply", "--all", "--dry-run"]):
        result = run_cli(*args, cwd=root)
        assert result.returncode == 0, result.stderr
        assert "neither tracked nor ignored" not in result.stdout + result.stderr


def logging_git(folder: Path) -> tuple[Path, Path]:
    """A git first on PATH that logs each command's name, then runs the real git."""
    folder.mkdir()
    log = folder / "log"
    (folder / "git").write_text(f'#!/bin/sh\necho "$1" >> {log}\nexec {shutil.which("git")} "$@"\n')
    (folder / "git").chmod(0o755)
    return folder, log


@pytest.mark.parametrize("args", [["status"], ["apply", "--all", "--dry-run"]])
def test_the_warning_costs_no_extra_git_process(tutorial, tmp_path, args):
    """The usual run asks git about the edited files with the staticfiles step's questions."""
    root = untracked_env_local(tutorial)
    folder, log = logging_git(tmp_path / "bin")
    result = run_cli(*args, cwd=root, env={"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"})
    assert result.returncode == 0, result.stderr
    assert "neither tracked nor ignored" in result.stdout + result.stderr
    # The repository's top and its tracked files are read from .git without a process; so is
    # whether staticfiles/ changed, unless a file is as new as the index (git compares it then).
    assert sorted(log.read_text().split()) in (["check-ignore"], ["check-ignore", "status"])


# --- what git is asked ----------------------------------------------------------------------------

def test_git_says_which_files_are_tracked_ignored_or_neither(tmp_path):
    """The early answer (with the folder's questions) and the one `git ls-files` agree; the
    project may be a folder of a larger repository."""
    from refactor_app.editors.git import GitRepository

    repo_root = tmp_path / "mono"
    root = repo_root / "app"
    (root / "staticfiles").mkdir(parents=True)
    for name in ("tracked.py", "staticfiles/a.css", ".gitignore"):
        (root / name).write_text(name)
    (root / ".gitignore").write_text("ignored.env\n")
    git(repo_root, "init", "-q")
    git(repo_root, "add", "-A")
    git(repo_root, "commit", "-q", "-m", "start")
    for name in ("ignored.env", "untracked.env", "with space.env", 'quo"te.env'):
        (root / name).write_text("SECRET=1\n")
    (tmp_path / "outside.py").write_text("")
    repo = GitRepository.open(root)
    files = ["tracked.py", "ignored.env", "untracked.env", "with space.env", 'quo"te.env', "missing.env",
             "../../outside.py"]

    state = repo.folder_state("staticfiles", files)
    assert state.tracked == ["staticfiles/a.css"] and state.ignored is False
    assert state.files.tracked == {"tracked.py"}
    assert state.files.untracked == {"untracked.env", "with space.env"}  # a quoted name is not asked early
    assert 'quo"te.env' not in state.files.asked and "missing.env" not in state.files.asked

    states = repo.file_states(files)
    assert states.tracked == {"tracked.py"}
    assert states.untracked == {"untracked.env", "with space.env", 'quo"te.env'}
    assert "../../outside.py" not in states.asked  # git refuses paths outside its work tree
    assert repo.folder_state("staticfiles") == state._replace(files=None)  # without files: as before


def test_an_untracked_env_local_in_a_project_below_the_repository_is_named(tmp_path):
    from conftest import EXAMPLE
    from golden_cases import copy_tree

    repo_root = tmp_path / "mono"
    copy_tree(EXAMPLE, repo_root / "one")
    git(repo_root, "init", "-q")
    git(repo_root, "add", "-A")
    git(repo_root, "rm", "-q", "--cached", "one/.env-local")
    git(repo_root, "commit", "-q", "-m", "one project")
    for args in (["status"], ["apply", "--step", "debug", "--dry-run"]):
        result = run_cli(*args, "one", cwd=repo_root)
        assert result.returncode == 0, result.stderr
        assert UNTRACKED_WARNING in result.stdout + result.stderr
    result = run_cli("apply", "--all", "--commit", "one", cwd=repo_root)
    assert result.returncode == 0, result.stderr
    assert "one/.env-local" not in git(repo_root, "ls-files") and UNTRACKED_WARNING in result.stderr
    assert "?? one/.env-local" in git_status(repo_root)
