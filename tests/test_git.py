"""The git editor against real repositories."""

from __future__ import annotations

from conftest import git
from refactor_app.editors.git import GitRepository


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
