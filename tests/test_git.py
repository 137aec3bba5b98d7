"""The git editor against real repositories."""

from __future__ import annotations

import pytest
from conftest import git

from refactor_app.editors.git import GitRepository
from refactor_app.errors import RefactorError


def test_the_dirty_check_sees_staged_unstaged_and_renamed_files_but_not_untracked(tmp_path):
    root = tmp_path / "repo"
    (root / "sub").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "sub/c.txt", "d.txt"):
        (root / name).write_text(name)
    git(root, "init", "-q")
    repo = GitRepository.open(root)
    assert repo.has_commits() is False
    assert repo.commits_and_changes() == (False, [])  # nothing tracked yet
    git(root, "add", "-A")
    assert repo.commits_and_changes() == (False, ["a.txt", "b.txt", "d.txt", "sub/c.txt"])  # staged, no commit yet
    git(root, "commit", "-q", "-m", "start")
    assert repo.has_commits() and repo.commits_and_changes() == (True, [])
    (root / "a.txt").write_text("changed")
    git(root, "mv", "b.txt", "b2.txt")
    (root / "new.txt").write_text("untracked")
    assert repo.commits_and_changes() == (True, ["a.txt", "b2.txt"])  # a rename: its new name; untracked never
    assert repo.folder_state("sub").changed == []
    (root / "sub" / "c.txt").write_text("x")
    assert repo.folder_state("sub").changed == ["sub/c.txt"]


def test_folder_names_are_literal_pathspecs(tmp_path):
    root = tmp_path / "repo"
    for name in ("static*/x.css", "staticfiles/y.css"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    repo = GitRepository.open(root)
    assert repo.folder_state("static*").tracked == ["static*/x.css"]
    repo.remove_folder("static*")
    assert (root / "staticfiles" / "y.css").exists()
    assert "staticfiles/y.css" in git(root, "ls-files")


def test_not_a_repository(tmp_path):
    assert GitRepository.open(tmp_path) is None


def test_folder_state_asks_git_three_questions_at_once(tmp_path):
    root = tmp_path / "repo"
    for name in ("staticfiles/a.css", "staticfiles/b.css", "static*/x.css", "app.py"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    git(root, "init", "-q")
    repo = GitRepository.open(root)
    assert repo.commits_and_changes() == (False, [])
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    (root / "staticfiles" / "a.css").write_text("changed")
    state = repo.folder_state("staticfiles")
    assert state.tracked == ["staticfiles/a.css", "staticfiles/b.css"]
    assert state.changed == ["staticfiles/a.css"]
    assert state.ignored is False
    assert repo.commits_and_changes() == (True, ["staticfiles/a.css"])
    assert repo.folder_state("static*").tracked == ["static*/x.css"]  # still a literal folder name

    (root / ".git" / "info" / "exclude").write_text("/staticfiles\n")
    assert repo.folder_state("staticfiles").ignored is True


def test_planning_asks_git_early_and_uses_the_answer_only_for_the_folder_asked(tutorial, monkeypatch):
    from refactor_app import api
    from refactor_app.editors import git as git_editor

    asked = []
    folder_state = git_editor.GitRepository.folder_state
    monkeypatch.setattr(git_editor.GitRepository, "folder_state",
                        lambda self, folder, files=(): asked.append(folder) or folder_state(self, folder, files))
    plan = api.make_plan(api.discover(tutorial))
    assert asked == ["staticfiles"]  # once, early: the staticfiles step took that answer
    assert [removal.folder for removal in plan.removals] == ["staticfiles"]

    # STATIC_ROOT elsewhere: the early answer (for staticfiles/) is not used for it.
    settings = tutorial / "myapp" / "settings.py"
    settings.write_text(settings.read_text() + "\nSTATIC_ROOT = BASE_DIR / 'collected'\n")
    (tutorial / "collected" / "admin").mkdir(parents=True)
    (tutorial / "collected" / "admin" / "a.css").write_text("a")
    git(tutorial, "add", "-A")
    git(tutorial, "commit", "-q", "-m", "collected")
    asked.clear()
    plan = api.make_plan(api.discover(tutorial))
    assert asked == ["staticfiles", "collected"]
    assert [(r.folder, r.tracked_files) for r in plan.removals] == [("collected", ("collected/admin/a.css",))]


def test_an_early_question_that_failed_is_asked_again_and_reported(tutorial, monkeypatch):
    from refactor_app import api
    from refactor_app.editors import git as git_editor

    calls = []

    def folder_state(self, folder, files=()):
        calls.append(folder)
        if len(calls) == 1:
            raise RuntimeError("the early question failed")
        raise RefactorError("git ls-files failed: boom; fix that and run again.")

    monkeypatch.setattr(git_editor.GitRepository, "folder_state", folder_state)
    with pytest.raises(RefactorError, match="boom"):
        api.make_plan(api.discover(tutorial))
    assert calls == ["staticfiles", "staticfiles"]


def test_the_dirty_check_asked_at_planning_is_the_one_apply_uses(tutorial, monkeypatch):
    """make_plan(clean_check=True) asks git the dirty-tree question with planning's, and apply
    takes that answer: the tree as planning found it (a file edited after planning, outside
    the plan, is not seen; the plan's own files are compared again before writing)."""
    from refactor_app import api
    from refactor_app.editors import git as git_editor

    asked = []
    commits_and_changes = git_editor.GitRepository.commits_and_changes
    monkeypatch.setattr(git_editor.GitRepository, "commits_and_changes",
                        lambda self: asked.append("tree") or commits_and_changes(self))
    (tutorial / "notes.txt").write_text("mine\n")
    git(tutorial, "add", "notes.txt")
    git(tutorial, "commit", "-q", "-m", "notes")

    plan = api.make_plan(api.discover(tutorial), clean_check=True)
    assert asked == ["tree"]
    (tutorial / "notes.txt").write_text("changed after planning\n")
    api.apply(plan)
    assert asked == ["tree"]  # not asked again
    assert (tutorial / "myapp" / "settings.py").read_text().count("os.environ.get") > 3

    # Without it, apply asks just before writing, and refuses the tree as it is then.
    git(tutorial, "checkout", "-q", "--", "notes.txt")
    git(tutorial, "reset", "-q", "--hard")
    plan = api.make_plan(api.discover(tutorial))
    (tutorial / "notes.txt").write_text("changed after planning\n")
    with pytest.raises(RefactorError, match=r"uncommitted changes \(notes.txt\)"):
        api.apply(plan)


def test_a_dirty_tree_found_at_planning_is_refused_and_nothing_written(tutorial):
    from refactor_app import api

    settings = tutorial / "myapp" / "settings.py"
    settings.write_text(settings.read_text() + "# mine\n")
    names = ("myapp/settings.py", ".env-local", "Dockerfile", ".gitignore", "staticfiles")
    before = {name: (tutorial / name).exists() and (tutorial / name).is_file() and (tutorial / name).read_bytes()
              for name in names}
    plan = api.make_plan(api.discover(tutorial), clean_check=True)
    assert plan.has_changes
    with pytest.raises(RefactorError, match=r"uncommitted changes \(myapp/settings.py\)"):
        api.apply(plan)
    assert {name: (tutorial / name).exists() and (tutorial / name).is_file() and (tutorial / name).read_bytes()
            for name in names} == before
    assert (tutorial / "staticfiles").is_dir()


def test_no_early_git_outside_a_repository(tmp_path):
    from refactor_app import api

    root = tmp_path / "p"
    root.mkdir()
    (root / "manage.py").write_text("import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'settings')\n")
    (root / "settings.py").write_text("DEBUG = True\n")
    assert api._ask_git_early(api.discover(root), None, clean_check=True) is None


def test_an_early_git_error_is_reported_once_not_asked_again(tutorial, monkeypatch):
    from refactor_app import api
    from refactor_app.editors import git as git_editor

    calls = []

    def folder_state(self, folder, files=()):
        calls.append(folder)
        raise RefactorError("git ls-files did not answer within 300 seconds; check the repository.")

    monkeypatch.setattr(git_editor.GitRepository, "folder_state", folder_state)
    with pytest.raises(RefactorError, match="did not answer"):
        api.make_plan(api.discover(tutorial))
    assert calls == ["staticfiles"]  # a git that hung once is not waited for twice


def use_a_git_that_hangs(monkeypatch, folder, command: str, hang: str, timeout: int) -> None:
    """Put first on PATH a git whose `command` runs the shell's `hang` instead, with a short timeout."""
    import os
    import shutil

    from refactor_app.editors import git as git_editor

    folder.mkdir()
    (folder / "git").write_text(
        f'#!/bin/sh\nif [ "$1" = {command} ]; then {hang}; fi\nexec {shutil.which("git")} "$@"\n'
    )
    (folder / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(git_editor, "GIT_TIMEOUT", timeout)


def test_a_git_that_hangs_is_stopped_at_the_timeout(tmp_path, monkeypatch):
    import time


    root = tmp_path / "repo"
    (root / "staticfiles").mkdir(parents=True)
    (root / "staticfiles" / "a.css").write_text("a")
    git(root, "init", "-q")
    repo = GitRepository.open(root)
    # A git whose check-ignore hangs, with a helper that keeps its output pipe open even longer.
    # (The tracked files come from the index, read without git.)
    use_a_git_that_hangs(monkeypatch, tmp_path / "bin", "check-ignore", "sleep 20 & exec sleep 60", timeout=1)
    started = time.monotonic()
    with pytest.raises(RefactorError, match="git check-ignore did not answer within 1 seconds"):
        repo.folder_state("staticfiles")
    assert time.monotonic() - started < 10


def test_a_git_that_hung_at_planning_is_not_waited_for_again_for_the_dirty_check(tutorial, monkeypatch):
    import time

    from refactor_app import api

    # A tracked static file written again (the same bytes): its stat data no longer say
    # "unchanged", so git status is asked, at planning.
    css = tutorial / "staticfiles" / "admin" / "css" / "base.css"
    css.write_bytes(css.read_bytes())
    use_a_git_that_hangs(monkeypatch, tutorial.parent / "bin", "status", "exec sleep 30", timeout=2)
    started = time.monotonic()
    with pytest.raises(RefactorError, match="git status did not answer within 2 seconds"):
        api.make_plan(api.discover(tutorial), clean_check=True)
    assert time.monotonic() - started < 3.5  # one timeout, not the folder's and then the tree's
