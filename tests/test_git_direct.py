"""git's answers read from .git without a process (editors/git_direct.py) against git's own:
the work tree's top as `git rev-parse --show-toplevel` prints it, the index's paths as
`git ls-files` lists them; and every repository that is not plain left to git."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLE, git, run_cli
from golden_cases import copy_tree
from project_builder import write_project

from refactor_app.editors import git_direct
from refactor_app.editors.git import GitRepository


FILES = {
    "manage.py": "x", "app/settings.py": "x", "app/static/a.css": "a", "staticfiles/a.css": "a",
    "staticfiles/admin/b.css": "b", "staticfiles-old/c.css": "c", "staticfiles.txt": "d",
    "with space/e f.css": "e", 'quo"te/x.css': "q", "caf\u00e9/\u00e9.css": "u", "static*/x.css": "s",
}


def ls_files(root: Path, folder: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z", "--", f":(literal){folder}"], cwd=root, capture_output=True,
                         check=True).stdout
    return [path.decode("utf-8", "surrogateescape") for path in out.split(b"\0") if path]


def folders(root: Path) -> list[str]:
    return sorted({"/".join(path.split("/")[:depth]) for path in ls_files(root, ".")
                   for depth in range(1, path.count("/") + 2)})


def same_as_git(root: Path) -> None:
    listing = git_direct.read_index(str(root))
    assert listing is not None
    for folder in folders(root):
        assert listing.under(folder) == ls_files(root, folder), folder
        assert listing.holds(folder) == (folder in ls_files(root, folder)), folder


def test_a_plain_repository_is_read_as_git_reads_it(tmp_path):
    root = write_project(tmp_path / "repo", FILES)
    (root / bytes.fromhex("6c6174696e2de9").decode("utf-8", "surrogateescape")).write_bytes(b"latin-1 name")
    git(root, "add", "-A")
    assert git_direct.work_tree_top(root / "app") == str(root)
    assert git_direct.work_tree_top(root / "app") == git(root / "app", "rev-parse", "--show-toplevel").strip()
    same_as_git(root)


@pytest.mark.parametrize("form", ["v3: skip-worktree and intent-to-add", "v4: prefix-compressed names",
                                  "unmerged paths", "a name longer than 4095 bytes", "nothing added yet"])
def test_each_form_of_the_index_is_read_as_git_lists_it(tmp_path, form):
    root = write_project(tmp_path / "repo", FILES)
    if form.startswith("v3"):
        git(root, "update-index", "--skip-worktree", "staticfiles/a.css")
        (root / "staticfiles" / "new.css").write_text("n")
        git(root, "add", "-N", "staticfiles/new.css")
        listing = git_direct.read_index(str(root))
        assert listing.skipped("staticfiles/a.css") and not listing.skipped("staticfiles/admin/b.css")
    elif form.startswith("v4"):
        git(root, "update-index", "--index-version", "4")
    elif form == "unmerged paths":
        git(root, "checkout", "-q", "-b", "other")
        (root / "staticfiles" / "a.css").write_text("other")
        git(root, "commit", "-qam", "other")
        git(root, "checkout", "-q", "-")
        (root / "staticfiles" / "a.css").write_text("mine")
        git(root, "commit", "-qam", "mine")
        subprocess.run(["git", "merge", "-q", "other"], cwd=root, capture_output=True)
        assert ls_files(root, "staticfiles").count("staticfiles/a.css") == 3  # one a stage
    elif form.startswith("a name longer"):
        # Longer than a path on disk may be: only in the index (its length field then says 0xFFF).
        blob = git(root, "hash-object", "-w", "staticfiles/a.css").strip()
        long_name = "staticfiles/" + "/".join(["d" * 200] * 21) + "/x.css"
        git(root, "update-index", "--add", "--cacheinfo", f"100644,{blob},{long_name}")
        assert long_name in ls_files(root, "staticfiles")
    elif form == "nothing added yet":
        root = tmp_path / "empty"
        root.mkdir()
        git(root, "init", "-q")
        assert git_direct.read_index(str(root)) == git_direct.EMPTY and git_direct.EMPTY.under("a") == []
        return
    same_as_git(root)


def test_an_index_changed_since_it_was_read_is_read_again(tmp_path):
    root = write_project(tmp_path / "repo", FILES)
    assert git_direct.read_index(str(root)).under("staticfiles") == ls_files(root, "staticfiles")
    git(root, "rm", "-q", "-r", "staticfiles")
    assert git_direct.read_index(str(root)).under("staticfiles") == [] == ls_files(root, "staticfiles")


def test_a_damaged_index_is_left_to_git(tmp_path):
    root = write_project(tmp_path / "repo", FILES)
    index = root / ".git" / "index"
    data = bytearray(index.read_bytes())
    data[100] ^= 0xFF
    index.write_bytes(bytes(data))
    assert git_direct.read_index(str(root)) is None


@pytest.mark.parametrize("form", ["split index", "sparse index"])
def test_a_split_or_sparse_index_is_left_to_git(tmp_path, form):
    root = write_project(tmp_path / "repo", FILES)
    if form == "split index":
        git(root, "update-index", "--split-index")
    else:
        git(root, "sparse-checkout", "set", "--cone", "--sparse-index", "app")
    assert git_direct.read_index(str(root)) is None
    repo = GitRepository.open(root)
    assert repo.folder_state("app").tracked == ls_files(root, "app")  # git answers


def test_repositories_that_are_not_plain_are_left_to_git(tmp_path, monkeypatch):
    root = write_project(tmp_path / "repo", FILES)
    # A linked work tree: its .git is a file.
    git(root, "worktree", "add", "-q", str(tmp_path / "linked"))
    assert git_direct.work_tree_top(tmp_path / "linked" / "app") is None
    assert GitRepository.open(tmp_path / "linked" / "app").work_tree == tmp_path / "linked"
    # core.worktree moves the work tree elsewhere.
    moved = write_project(tmp_path / "moved", {"a.txt": "a"})
    git(moved, "config", "core.worktree", str(tmp_path / "repo"))
    assert git_direct.work_tree_top(moved) is None
    # A SHA-256 repository: the index holds longer names.
    sha256 = tmp_path / "sha256"
    sha256.mkdir()
    git(sha256, "init", "-q", "--object-format=sha256")
    assert git_direct.work_tree_top(sha256) is None
    # A .git folder that is no repository: git looks further up.
    (root / "app" / "sub" / ".git").mkdir(parents=True)
    assert git_direct.work_tree_top(root / "app" / "sub") is None
    assert GitRepository.open(root / "app" / "sub").work_tree == root
    # Variables that move the repository.
    monkeypatch.setenv("GIT_DIR", str(root / ".git"))
    assert git_direct.work_tree_top(root) is None
    monkeypatch.delenv("GIT_DIR")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert git_direct.work_tree_top(root) is None
    monkeypatch.delenv("GIT_CEILING_DIRECTORIES")
    assert git_direct.work_tree_top(tmp_path) is None  # no repository at all
    assert git_direct.work_tree_top(root) == str(root)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give a folder away")
def test_another_users_repository_is_left_to_git(tmp_path):
    root = write_project(tmp_path / "repo", FILES)
    os.chown(root / ".git", 12345, 12345)
    assert git_direct.work_tree_top(root) is None


def test_a_fleet_in_a_repository_git_must_be_asked_about_gives_the_same_plan(tmp_path):
    """A split index: the tracked files come from git ls-files, the plan is the same."""
    plain = tmp_path / "plain"
    split = tmp_path / "split"
    for root in (plain, split):
        for name in ("one", "two"):
            copy_tree(EXAMPLE, root / name)
        write_project(root, {})
    git(split, "update-index", "--split-index")
    results = [run_cli("apply", "--all", "--dry-run", "-r", ".", cwd=root) for root in (plain, split)]
    assert [result.returncode for result in results] == [0, 0]
    assert results[0].stdout == results[1].stdout and "git rm -r one/staticfiles" in results[0].stdout


def test_one_status_of_the_repository_answers_each_folder_as_its_own_status_would(tmp_path):
    """A run that writes nothing asks git status once a repository (changes="shared"): the
    files it lists in a folder are those a status of the folder lists, a file renamed out of
    it (staged) and one renamed into it included."""
    from refactor_app.editors import git as git_editor

    root = write_project(tmp_path / "repo", {**FILES, "other/x.css": "x", "app/static/b.css": "b"})
    (root / "staticfiles" / "a.css").write_text("changed")
    git(root, "mv", "staticfiles/admin/b.css", "other/b.css")
    git(root, "mv", "other/x.css", "staticfiles/x.css")
    (root / "app" / "static" / "b.css").write_text("changed")
    repo = GitRepository.open(root)
    git_editor._TREE_CHANGES.clear()
    for folder in ("staticfiles", "staticfiles/admin", "app", "other", "with space"):
        asked = repo.folder_state(folder, probe_ignored=False)
        shared = repo.folder_state(folder, probe_ignored=False, changes="shared")
        assert shared == asked, folder
        assert repo.folder_state(folder, probe_ignored=False, changes="none").changed == []
    assert repo.folder_state("staticfiles", probe_ignored=False).changed == [
        "staticfiles/a.css", "staticfiles/admin/b.css", "staticfiles/x.css"]
    assert list(git_editor._TREE_CHANGES) == [root]  # one status for all of them
