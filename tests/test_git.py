"""The git editor against real repositories."""

from __future__ import annotations

from conftest import git
from refactor_app.editors.git import GitRepository


def test_changed_files_sees_staged_unstaged_and_renamed_files_but_not_untracked(tmp_path):
    root = tmp_path / "repo"
    (root / "sub").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "sub/c.txt", "d.txt"):
        (root / name).write_text(name)
    git(root, "init", "-q")
    repo = GitRepository.open(root)
    assert repo.has_commits() is False
    assert repo.changed_files() == []  # nothing tracked yet
    git(root, "add", "-A")
    assert repo.changed_files() == ["a.txt", "b.txt", "d.txt", "sub/c.txt"]  # staged before the first commit
    git(root, "commit", "-q", "-m", "start")
    assert repo.has_commits() and repo.changed_files() == []
    (root / "a.txt").write_text("changed")
    git(root, "mv", "b.txt", "b2.txt")
    (root / "new.txt").write_text("untracked")
    assert repo.changed_files() == ["a.txt", "b2.txt"]  # a rename: its new name; untracked files never
    assert repo.changed_files("sub") == []
    (root / "sub" / "c.txt").write_text("x")
    assert repo.changed_files("sub") == ["sub/c.txt"]


def test_folder_names_are_literal_pathspecs(tmp_path):
    root = tmp_path / "repo"
    for name in ("static*/x.css", "staticfiles/y.css"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    repo = GitRepository.open(root)
    assert repo.tracked_files("static*") == ["static*/x.css"]
    repo.remove_folder("static*")
    assert (root / "staticfiles" / "y.css").exists()
    assert "staticfiles/y.css" in git(root, "ls-files")


def test_not_a_repository(tmp_path):
    assert GitRepository.open(tmp_path) is None
