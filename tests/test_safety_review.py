"""Issue 11 review: defects found by trying to break the safety fixes, each reproduced through
the real CLI (source removed by git rm, the run lock written through a link, advice that would
drop the user's own work, a hang on a FIFO, a comment dropped, a project git ignores...). Each
was first committed as a strict xfail and is now fixed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import git, git_status, run_cli

SETTINGS = "myapp/settings.py"


def _edit_settings(project: Path, old: str, new: str) -> None:
    path = project / SETTINGS
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _commit_all(project: Path) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "review setup")


# --- "never delete source": STATIC_ROOT at a folder of templates or of STATICFILES_DIRS ----------

def test_static_root_at_a_templates_dirs_folder_is_not_removed(tutorial):
    _edit_settings(tutorial, "STATIC_ROOT = os.path.join(BASE_DIR, 'staticfiles')", "STATIC_ROOT = BASE_DIR / 'site'")
    _edit_settings(tutorial, "'DIRS': [],", "'DIRS': [BASE_DIR / 'site'],")
    (tutorial / "site").mkdir()
    (tutorial / "site" / "base.html").write_text("<html>{% block content %}{% endblock %}</html>\n")
    _commit_all(tutorial)

    result = run_cli("apply", "--all", cwd=tutorial)

    assert result.returncode == 0, result.stderr
    assert (tutorial / "site" / "base.html").is_file(), "a Django template folder was deleted by git rm -r"
    assert not any(line.startswith("D ") and "site/" in line for line in git_status(tutorial))


def test_static_root_holding_a_jinja2_templates_folder_is_not_removed(tutorial):
    _edit_settings(tutorial, "STATIC_ROOT = os.path.join(BASE_DIR, 'staticfiles')", "STATIC_ROOT = BASE_DIR / 'web'")
    (tutorial / "web" / "jinja2").mkdir(parents=True)
    (tutorial / "web" / "jinja2" / "index.html").write_text("{{ title }}\n")
    _commit_all(tutorial)

    result = run_cli("apply", "--all", cwd=tutorial)

    assert result.returncode == 0, result.stderr
    assert (tutorial / "web" / "jinja2" / "index.html").is_file(), "Jinja2 templates were deleted by git rm -r"


@pytest.mark.parametrize("spelling", [
    "PROJECT_DIR = BASE_DIR\nSTATICFILES_DIRS = [PROJECT_DIR / 'static']",
    "STATICFILES_DIRS = []\nSTATICFILES_DIRS += [BASE_DIR / 'static']",
])
def test_static_root_at_a_staticfiles_dirs_folder_spelled_otherwise_is_not_removed(tutorial, spelling):
    _edit_settings(tutorial, "STATIC_ROOT = os.path.join(BASE_DIR, 'staticfiles')",
                   f"STATIC_ROOT = BASE_DIR / 'static'\n{spelling}")
    (tutorial / "static").mkdir()
    (tutorial / "static" / "site.css").write_text("body { color: black }\n")
    _commit_all(tutorial)

    result = run_cli("apply", "--all", cwd=tutorial)

    assert result.returncode == 0, result.stderr
    assert (tutorial / "static" / "site.css").is_file(), "a STATICFILES_DIRS source folder was deleted by git rm -r"


# --- "never write outside the repository": the run lock ------------------------------------------

def test_lock_file_link_out_of_a_project_without_git_is_not_written_through(tmp_path, tutorial):
    project = tmp_path / "nogit"
    subprocess.run(["cp", "-r", str(tutorial), str(project)], check=True)
    subprocess.run(["rm", "-rf", str(project / ".git")], check=True)
    victim = tmp_path / "outside" / "victim.txt"
    victim.parent.mkdir()
    victim.write_text("precious\n")
    (project / ".refactor-app.lock").symlink_to(victim)

    result = run_cli("apply", "--all", "--allow-dirty", cwd=project)

    assert result.returncode == 2 and ".refactor-app.lock is a link" in result.stderr, result.stderr
    assert victim.read_text() == "precious\n", f"a file outside the project now holds {victim.read_text()!r}"


def test_dangling_lock_file_link_creates_nothing_outside(tmp_path, tutorial):
    project = tmp_path / "nogit"
    subprocess.run(["cp", "-r", str(tutorial), str(project)], check=True)
    subprocess.run(["rm", "-rf", str(project / ".git")], check=True)
    target = tmp_path / "outside" / "created-by-refactor-app"
    target.parent.mkdir()
    (project / ".refactor-app.lock").symlink_to(target)

    result = run_cli("apply", "--all", "--allow-dirty", cwd=project)

    assert result.returncode == 2, result.stderr
    assert not target.exists(), "refactor-app created a file outside the project folder"


def test_fifo_lock_file_is_a_plain_error(tutorial):
    os.mkfifo(tutorial / ".git" / "refactor-app.lock")

    result = run_cli("apply", "--all", cwd=tutorial)

    assert result.returncode == 2, result.stderr
    assert "internal error" not in result.stderr


# --- a stopped run's advice ------------------------------------------------------------------------

def test_stopped_run_advice_does_not_claim_the_users_own_changes(tutorial):
    (tutorial / ".git" / "refactor-app.lock").write_text("999999\n")  # a run killed -9 long ago
    views = tutorial / "uploader" / "views.py"
    views.write_text(views.read_text() + "# my own unfinished work\n")

    result = run_cli("apply", "--all", cwd=tutorial)

    assert result.returncode == 2
    assert "git checkout HEAD -- ." not in result.stderr, result.stderr


def test_the_lock_file_holds_exactly_the_pid_written_last(tutorial):
    """A stopped run's longer pid is replaced whole (written, then cut to length), and a run
    that is stopped itself puts the earlier one back as it was."""
    from refactor_app import runlock

    lock = tutorial / ".git" / "refactor-app.lock"
    lock.write_text("9999999\n")
    with pytest.raises(KeyboardInterrupt):
        with runlock.holding(tutorial) as held:
            assert held.stopped_pid == 9999999
            assert lock.read_text() == f"{os.getpid()}\n"
            raise KeyboardInterrupt
    assert lock.read_text() == "9999999\n"
    with runlock.holding(tutorial):
        pass
    assert not lock.exists()  # a finished run removes it


# --- "never hang" ----------------------------------------------------------------------------------

def _run_with_deadline(project: Path, fifo: Path, *args: str, seconds: float = 15):
    env = {**os.environ}
    env.pop("FORCE_COLOR", None)
    try:
        return subprocess.run([sys.executable, "-m", "refactor_app", *args], cwd=project, env=env,
                              capture_output=True, text=True, timeout=seconds)
    except subprocess.TimeoutExpired:
        return None
    finally:
        try:  # let any reader still blocked on the FIFO (a git left behind) see end of file
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass


def test_fifo_gitignore_inside_static_root_does_not_hang(tutorial):
    fifo = tutorial / "staticfiles" / ".gitignore"
    os.mkfifo(fifo)

    result = _run_with_deadline(tutorial, fifo, "status")

    assert result is not None, "refactor-app status still running after 15 s"
    assert result.returncode in (0, 2), result.stderr


# --- "no comment lost" -----------------------------------------------------------------------------

def test_comment_inside_rewritten_allowed_hosts_is_kept_or_refused(tutorial):
    comment = "# Heroku review apps need this until #123 is fixed"
    _edit_settings(tutorial, "ALLOWED_HOSTS = ['*']", f"ALLOWED_HOSTS = [\n    {comment}\n    '*',\n]")
    _commit_all(tutorial)

    result = run_cli("apply", "--step", "allowed-hosts", cwd=tutorial)

    after = (tutorial / SETTINGS).read_text()
    assert comment in after or (result.returncode == 2 and git_status(tutorial) == []), result.stderr


# --- "never commit a secret": a .env-local kept local with skip-worktree ----------------------------

def test_skip_worktree_env_local_with_commit(tutorial):
    git(tutorial, "update-index", "--skip-worktree", ".env-local")
    env_local = tutorial / ".env-local"
    env_local.write_text(env_local.read_text() + "SECRET_API_TOKEN=sk_live_123\n")

    result = run_cli("apply", "--all", "--commit", cwd=tutorial)

    assert "sk_live_123" not in git(tutorial, "log", "-p")
    # Written (local work needs the values), never committed: skip-worktree says so.
    assert result.returncode == 0, result.stderr
    assert "DJANGO_DEBUG=True" in env_local.read_text() and "sk_live_123" in env_local.read_text()
    assert "DJANGO_DEBUG" not in git(tutorial, "show", "HEAD:.env-local")


# --- a project git ignores, inside a bigger repository (a home folder kept in git) ----------------

def _ignored_project(tmp_path: Path, tutorial: Path) -> tuple[Path, Path]:
    home = tmp_path / "home"
    home.mkdir()
    git(home, "init", "-q")
    (home / ".gitignore").write_text("*\n")
    (home / ".bashrc").write_text("alias ll='ls -l'\n")
    git(home, "add", "-f", ".gitignore", ".bashrc")
    git(home, "commit", "-q", "-m", "dotfiles")
    project = home / "proj"
    subprocess.run(["cp", "-r", str(tutorial), str(project)], check=True)
    subprocess.run(["rm", "-rf", str(project / ".git")], check=True)
    return home, project


def test_commit_in_an_ignored_project_does_not_claim_commits(tmp_path, tutorial):
    home, project = _ignored_project(tmp_path, tutorial)
    before = git(home, "rev-parse", "HEAD").strip()

    result = run_cli("apply", "--all", "--commit", cwd=project)

    made = git(home, "rev-parse", "HEAD").strip() != before
    assert result.returncode == 2 or made, result.stderr


def test_apply_in_an_ignored_project_is_refused_like_one_outside_git(tmp_path, tutorial):
    home, project = _ignored_project(tmp_path, tutorial)
    original = (project / SETTINGS).read_bytes()

    result = run_cli("apply", "--all", cwd=project)

    assert result.returncode == 2 and (project / SETTINGS).read_bytes() == original, result.stderr


def test_media_root_inside_static_root_is_not_removed(tutorial):
    _edit_settings(tutorial, "MEDIA_ROOT = os.path.join('/data/media/')",
                   "MEDIA_ROOT = os.path.join(BASE_DIR, 'staticfiles', 'uploads')")
    (tutorial / "staticfiles" / "uploads").mkdir()
    (tutorial / "staticfiles" / "uploads" / "customer-contract.pdf").write_text("an upload\n")
    _commit_all(tutorial)

    result = run_cli("apply", "--all", cwd=tutorial)

    assert result.returncode in (0, 2), result.stderr
    assert (tutorial / "staticfiles" / "uploads" / "customer-contract.pdf").is_file(), "a user upload was deleted"


def test_static_folder_is_not_removed_when_staticfiles_app_is_not_installed(tutorial):
    _edit_settings(tutorial, "    'django.contrib.staticfiles',\n", "")
    _commit_all(tutorial)

    result = run_cli("apply", "--all", cwd=tutorial)

    assert result.returncode == 0, result.stderr
    assert (tutorial / "staticfiles" / "staticfiles.json").is_file(), "removed, though nothing collects it"


def test_submodule_as_static_root_is_not_removed(tmp_path, tutorial):
    theme = tmp_path / "theme"
    (theme / "css").mkdir(parents=True)
    (theme / "css" / "theme.css").write_text("a { color: red }\n")
    git(theme, "init", "-q")
    git(theme, "add", "-A")
    git(theme, "commit", "-q", "-m", "theme")
    git(tutorial, "rm", "-rq", "staticfiles")
    git(tutorial, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(theme), "staticfiles")
    _commit_all(tutorial)

    result = run_cli("apply", "--all", cwd=tutorial)

    assert result.returncode in (0, 2), result.stderr
    assert (tutorial / "staticfiles" / "css" / "theme.css").is_file(), "the submodule was removed"
