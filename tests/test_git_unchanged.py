""""Nothing changed" read from .git and the files' stat data without a process
(git_direct.unchanged, git_head.head_tree) against git's own answer: whenever it says True,
`git status --untracked-files=no` lists nothing; in the states a fleet's clones are usually in
(committed, cloned, packed, detached) it does say True, so the runs skip the git status."""

from __future__ import annotations

import itertools
import os
import random
import subprocess
import time
from pathlib import Path

import pytest
from conftest import git
from project_builder import write_project

from refactor_app.editors import git_direct, git_head

HOUR_AGO = time.time() - 3600
_CALLS = itertools.count(1)


def status(root: Path, folder: str = "") -> str:
    return git(root, "status", "--porcelain=v1", "--untracked-files=no", *(["--", folder] if folder else []))


def git_may_fail(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, capture_output=True)


def head_tree(root: Path) -> str:
    return git(root, "rev-parse", "HEAD^{tree}").strip()


def backdate(root: Path) -> None:
    """Every file written about an hour ago, and the index refreshed: no file is as new as the
    index (what a clone's files are once a second has passed). Each call picks another second:
    git compares whole seconds, so a ctime changed within one would stay unrecorded (and the
    check, which compares nanoseconds too, would leave the file to git)."""
    when = HOUR_AGO - next(_CALLS)
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if name != ".git"]
        for name in files:
            os.utime(os.path.join(folder, name), (when, when), follow_symlinks=False)
    git_may_fail(root, "update-index", "-q", "--refresh")  # (fails while a file is changed)


def committed(root: Path, files: dict[str, str]) -> Path:
    """`files` committed to a new repository (write_project), then backdated."""
    write_project(root, files)
    backdate(root)
    return root


FILES = {"manage.py": "m", "app/settings.py": "s", "staticfiles/a.css": "a", "staticfiles/admin/b.css": "b",
         "static/c.css": "c", "with space/\u00e9.css": "e"}


def agrees_with_git(root: Path, folder: str = "") -> bool | None:
    """git_direct.unchanged, checked: True only where git lists nothing."""
    answer = git_direct.unchanged(str(root), folder)
    assert answer in (True, None)
    if answer:
        assert status(root, folder) == "", (folder, status(root, folder))
    return answer


def test_a_committed_repository_is_unchanged_without_git(tmp_path):
    root = committed(tmp_path / "r", FILES)
    assert git_head.head_tree(str(root / ".git")).hex() == head_tree(root)
    assert agrees_with_git(root) is True
    assert agrees_with_git(root, "staticfiles") is True


def test_a_clone_packed_refs_and_a_detached_head_are_read(tmp_path):
    origin = committed(tmp_path / "origin", FILES)
    for index in range(5):
        (origin / "app" / "settings.py").write_text(f"s{index}\n" * 50)
        git(origin, "commit", "-q", "-am", f"change {index}")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-local", str(origin), str(clone)], check=True)
    assert not any((clone / ".git" / "objects").glob("??/*"))  # every object in the pack
    backdate(clone)
    assert git_head.head_tree(str(clone / ".git")).hex() == head_tree(clone)
    assert agrees_with_git(clone) is True
    git(clone, "pack-refs", "--all")
    assert not (clone / ".git" / "refs" / "heads" / "main").exists() or (clone / ".git" / "packed-refs").exists()
    assert agrees_with_git(clone) is True
    git(clone, "checkout", "-q", "--detach", "HEAD~2")
    backdate(clone)
    assert git_head.head_tree(str(clone / ".git")).hex() == head_tree(clone)
    assert agrees_with_git(clone) is True


@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_each_index_version_is_read(tmp_path, version):
    root = committed(tmp_path / "r", FILES)
    git(root, "update-index", "--index-version", version)
    backdate(root)
    written = int.from_bytes((root / ".git" / "index").read_bytes()[4:8], "big")
    assert written == int(version) or (version, written) == ("3", 2)  # git keeps 2 without extended flags
    assert agrees_with_git(root) is True
    assert agrees_with_git(root, "staticfiles") is True
    (root / "staticfiles" / "admin" / "b.css").write_text("B")
    assert agrees_with_git(root, "staticfiles") is None
    assert agrees_with_git(root, "app") is True


def test_a_file_as_new_as_the_index_is_left_to_git(tmp_path):
    root = committed(tmp_path / "r", FILES)
    (root / "manage.py").write_text("m")  # same content, written now
    os.utime(root / ".git" / "index", None)  # (and the index too, as in a fresh clone)
    assert git_direct.unchanged(str(root)) is None
    assert status(root) == ""  # git compares the content: unchanged


def test_a_file_dated_after_the_index_is_left_to_git(tmp_path):
    """Its stat data match, but it could have changed after git noted them: git compares it."""
    root = committed(tmp_path / "r", FILES)
    later = time.time() + 3600
    os.utime(root / "manage.py", (later, later))
    git(root, "update-index", "-q", "--refresh")
    assert git_direct.unchanged(str(root)) is None
    assert git_direct.unchanged(str(root), "staticfiles") is True
    assert status(root) == ""


CHANGES = {
    "edited": lambda root: (root / "staticfiles/a.css").write_text("A"),
    "edited, same size and mtime": lambda root: (
        (root / "staticfiles/a.css").write_text("z"), os.utime(root / "staticfiles/a.css", (HOUR_AGO, HOUR_AGO))),
    "deleted": lambda root: (root / "staticfiles/a.css").unlink(),
    "made executable": lambda root: (root / "staticfiles/a.css").chmod(0o755),
    "staged": lambda root: ((root / "staticfiles/a.css").write_text("A"), git(root, "add", "-A"), backdate(root)),
    "removed from the index": lambda root: (git(root, "rm", "-q", "--cached", "staticfiles/a.css"), backdate(root)),
    "intent to add": lambda root: ((root / "staticfiles/new.css").write_text("n"), git(root, "add", "-N", "."),
                                   backdate(root)),
    "renamed": lambda root: (git(root, "mv", "staticfiles/a.css", "static/a.css"), backdate(root)),
    "HEAD moved back": lambda root: ((root / "manage.py").write_text("m2"), git(root, "commit", "-q", "-am", "two"),
                                     git(root, "reset", "-q", "--soft", "HEAD~1"), backdate(root)),
    "replaced to a link": lambda root: ((root / "staticfiles/a.css").unlink(),
                                        (root / "staticfiles/a.css").symlink_to("admin/b.css")),
    "assumed unchanged": lambda root: ((root / "staticfiles/a.css").write_text("A"),
                                       git(root, "update-index", "--assume-unchanged", "staticfiles/a.css")),
    "skip-worktree": lambda root: git(root, "update-index", "--skip-worktree", "staticfiles/a.css"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_each_change_is_left_to_git(tmp_path, change):
    root = committed(tmp_path / "r", FILES)
    CHANGES[change](root)
    for folder in ("", "staticfiles"):
        assert agrees_with_git(root, folder) is None, folder


def test_a_change_outside_the_folder_leaves_it_unchanged(tmp_path):
    root = committed(tmp_path / "r", FILES)
    (root / "app/settings.py").write_text("edited")
    assert agrees_with_git(root) is None
    assert agrees_with_git(root, "staticfiles") is True
    assert agrees_with_git(root, "static") is True


def test_what_git_reads_elsewhere_is_left_to_git(tmp_path):
    root = committed(tmp_path / "r", FILES)
    assert git_direct.unchanged(str(root)) is True
    # A replace ref: git would read another commit than HEAD names.
    commit = git(root, "rev-parse", "HEAD").strip()
    (root / ".git" / "refs" / "replace").mkdir(parents=True)
    (root / ".git" / "refs" / "replace" / commit).write_text(commit + "\n")
    assert git_head.head_tree(str(root / ".git")) is None and git_direct.unchanged(str(root)) is None
    (root / ".git" / "refs" / "replace" / commit).unlink()
    assert git_direct.unchanged(str(root)) is True
    # No commit yet; a branch that is a symbolic ref.
    empty = tmp_path / "empty"
    (empty / "a").mkdir(parents=True)
    (empty / "a" / "f").write_text("f")
    git(empty, "init", "-q")
    git(empty, "add", "-A")
    backdate(empty)
    assert git_head.head_tree(str(empty / ".git")) is None and git_direct.unchanged(str(empty)) is None
    git(root, "symbolic-ref", "refs/heads/alias", "refs/heads/main")
    git(root, "symbolic-ref", "HEAD", "refs/heads/alias")
    assert git_head.head_tree(str(root / ".git")) is None


def test_a_submodule_is_left_to_git(tmp_path):
    inner = committed(tmp_path / "inner", {"f": "f"})
    root = committed(tmp_path / "r", FILES)
    git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "staticfiles/sub")
    git(root, "commit", "-q", "-m", "sub")
    backdate(root)
    assert agrees_with_git(root, "staticfiles") is None
    assert agrees_with_git(root, "app") is True


def test_a_damaged_commit_or_a_delta_gives_no_tree(tmp_path):
    root = committed(tmp_path / "r", FILES)
    commit = git(root, "rev-parse", "HEAD").strip()
    loose = root / ".git" / "objects" / commit[:2] / commit[2:]
    loose.chmod(0o644)
    import zlib
    stored = zlib.decompress(loose.read_bytes())
    assert b"project" in stored  # the commit message write_project gives: changed by one letter
    loose.write_bytes(zlib.compress(stored.replace(b"project", b"prOject")))
    assert git_head.head_tree(str(root / ".git")) is None
    assert git_direct.unchanged(str(root)) is None


def test_a_commit_stored_as_a_delta_is_read_or_left_to_git(tmp_path):
    """Commits alike enough for git to store some as deltas of others: never a wrong tree."""
    root = committed(tmp_path / "r", {"f": "0"})
    message = "a long message that every commit shares, so that git finds deltas between them\n" * 20
    for index in range(30):
        (root / "f").write_text(str(index + 1))
        git(root, "commit", "-q", "-am", message + str(index))
    git(root, "repack", "-adfq", "--window=50", "--depth=50")
    answers = []
    for commit in git(root, "rev-list", "HEAD").split():
        git(root, "checkout", "-q", "--detach", commit)
        found = git_head.head_tree(str(root / ".git"))
        assert found is None or found.hex() == head_tree(root)
        answers.append(found is not None)
    assert True in answers and False in answers  # whole commits read, deltas left to git
    kinds = git(root, "verify-pack", "-v", *map(str, (root / ".git/objects/pack").glob("*.idx")))
    assert any(line.split()[1:2] == ["commit"] and len(line.split()) > 6 for line in kinds.splitlines())


@pytest.mark.parametrize("seed", range(12))
def test_random_changes_agree_with_git(tmp_path, seed):
    """Random edits, stages, commits, checkouts and refreshes: whenever the check says
    unchanged, git's status lists nothing, for the whole tree and for each folder."""
    rng = random.Random(seed)
    root = committed(tmp_path / "r", FILES)
    names = sorted(FILES)
    for _ in range(12):
        name = rng.choice(names)
        action = rng.choice(["write", "write-same", "add", "commit", "refresh", "backdate", "chmod", "delete",
                             "restore", "checkout-file"])
        path = root / name
        if action == "write":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(rng.choice("xyz"))
        elif action == "write-same" and path.exists():
            path.write_text(path.read_text())
        elif action == "add":
            git(root, "add", "-A")
        elif action == "commit":
            git(root, "commit", "-q", "-a", "--allow-empty", "-m", "c")
        elif action == "refresh":
            git_may_fail(root, "update-index", "-q", "--refresh")
        elif action == "backdate":
            backdate(root)
        elif action == "chmod" and path.exists():
            path.chmod(path.stat().st_mode ^ 0o100)
        elif action == "delete" and path.exists():
            path.unlink()
        elif action in ("restore", "checkout-file"):
            git_may_fail(root, "checkout", "-q", "HEAD", "--", name)
        for folder in ("", "staticfiles", "app"):
            agrees_with_git(root, folder)
    backdate(root)
    git(root, "reset", "-q", "--hard")
    backdate(root)
    assert agrees_with_git(root) is True  # back to a clean state: read without git


def test_a_large_index_is_left_to_git(tmp_path, monkeypatch):
    """Each call reads and walks the whole index: past the limit, one git status does it better."""
    root = committed(tmp_path / "r", FILES)
    assert git_direct.unchanged(str(root), "staticfiles") is True
    monkeypatch.setattr(git_direct, "UNCHANGED_LIMIT", len(FILES) - 1)
    assert git_direct.unchanged(str(root), "staticfiles") is None
    assert git_direct.unchanged(str(root)) is None
