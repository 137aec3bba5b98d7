"""Nothing lost: line endings, BOM, encodings, modes and symlinks come through a real run."""

from __future__ import annotations

import os
import stat

import pytest

from conftest import EXAMPLE, committed_project, git
from golden_cases import GOLDEN, copy_tree, tree_files
from refactor_app import api
from refactor_app.writer import write_atomically

REFERENCE = GOLDEN / "divio-tutorial-all" / "after"
EDITED = ["myapp/settings.py", ".env-local", "Dockerfile", ".gitignore"]


def to_crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def run_all(root):
    plan = api.make_plan(api.discover(root))
    api.apply(plan)
    return plan


def test_crlf_project_keeps_crlf_everywhere(tmp_path):
    source = tmp_path / "source"
    copy_tree(EXAMPLE, source)
    for name in EDITED:
        (source / name).write_bytes(to_crlf((source / name).read_bytes()))
    root = committed_project(source, tmp_path / "crlf")
    run_all(root)
    for name in EDITED:
        assert (root / name).read_bytes() == to_crlf((REFERENCE / name).read_bytes()), name


def test_files_without_final_newline_keep_having_none(tmp_path):
    source = tmp_path / "source"
    copy_tree(EXAMPLE, source)
    for name in [".env-local", ".gitignore"]:
        (source / name).write_bytes((source / name).read_bytes().rstrip(b"\n"))
    root = committed_project(source, tmp_path / "nofinal")
    run_all(root)
    for name in [".env-local", ".gitignore"]:
        assert (root / name).read_bytes() == (REFERENCE / name).read_bytes().rstrip(b"\n"), name


def test_bom_and_latin1_settings_keep_their_encoding(tmp_path):
    source = tmp_path / "source"
    copy_tree(EXAMPLE, source)
    settings = source / "myapp" / "settings.py"
    original = settings.read_text()
    settings.write_bytes(("# -*- coding: latin-1 -*-\n# Réglages\n" + original).encode("latin-1"))
    (source / ".env-local").write_bytes(b"\xef\xbb\xbf" + (source / ".env-local").read_bytes())
    root = committed_project(source, tmp_path / "enc")
    run_all(root)
    expected = ("# -*- coding: latin-1 -*-\n# Réglages\n" + (REFERENCE / "myapp/settings.py").read_text()).encode("latin-1")
    assert (root / "myapp/settings.py").read_bytes() == expected
    assert (root / ".env-local").read_bytes() == b"\xef\xbb\xbf" + (REFERENCE / ".env-local").read_bytes()


def test_file_modes_are_kept(tmp_path):
    root = committed_project(EXAMPLE, tmp_path / "modes")
    (root / "Dockerfile").chmod(0o755)
    (root / "myapp/settings.py").chmod(0o600)
    git(root, "commit", "-q", "-am", "modes")
    run_all(root)
    assert stat.S_IMODE((root / "Dockerfile").stat().st_mode) == 0o755
    assert stat.S_IMODE((root / "myapp/settings.py").stat().st_mode) == 0o600
    assert not list(root.rglob("*.refactor-app.tmp"))


def test_symlinked_env_file_edits_the_target(tmp_path):
    root = committed_project(EXAMPLE, tmp_path / "links")
    (root / "env").mkdir()
    os.replace(root / ".env-local", root / "env" / "local.env")
    (root / ".env-local").symlink_to("env/local.env")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "link")
    run_all(root)
    assert (root / ".env-local").is_symlink()
    assert (root / "env" / "local.env").read_bytes() == (REFERENCE / ".env-local").read_bytes()


def test_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "f.txt"
    target.write_bytes(b"old\n")

    def broken_replace(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomically(target, b"new\n", "f.txt")
    assert target.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_change_on_disk_after_planning_stops_before_writing(tmp_path):
    from refactor_app.errors import RefactorError

    root = committed_project(EXAMPLE, tmp_path / "race")
    plan = api.make_plan(api.discover(root))
    with open(root / "Dockerfile", "a") as handle:
        handle.write("EXPOSE 80\n")
    before = tree_files(root)
    with pytest.raises(RefactorError, match="Dockerfile changed on disk"):
        api.apply(plan, allow_dirty=True)
    assert tree_files(root) == before


def test_symlinked_settings_module_edits_the_target(tmp_path):
    root = committed_project(EXAMPLE, tmp_path / "settings-link")
    shared = root / "config" / "common_settings.py"
    shared.parent.mkdir()
    os.replace(root / "myapp" / "settings.py", shared)
    (root / "myapp" / "settings.py").symlink_to("../config/common_settings.py")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "link")
    run_all(root)
    assert (root / "myapp" / "settings.py").is_symlink()
    assert shared.read_bytes() == (REFERENCE / "myapp/settings.py").read_bytes()


def test_dry_run_patch_of_a_latin1_and_bom_project_applies_with_git_apply(tmp_path):
    import subprocess
    import sys

    from golden_cases import GIT_ENV

    source = tmp_path / "source"
    copy_tree(EXAMPLE, source)
    settings = source / "myapp" / "settings.py"
    text = settings.read_text().replace("# SECURITY WARNING: don't run", "# Réglage. SECURITY WARNING: don't run")
    settings.write_bytes(("# -*- coding: latin-1 -*-\n" + text).encode("latin-1"))
    (source / ".env-local").write_bytes(b"\xef\xbb\xbf" + (source / ".env-local").read_bytes())
    root = committed_project(source, tmp_path / "latin1")
    patch = subprocess.run(
        [sys.executable, "-m", "refactor_app", "apply", "--all", "--dry-run"],
        cwd=root, capture_output=True, env={**os.environ, **GIT_ENV}, check=True,
    ).stdout
    (tmp_path / "p.patch").write_bytes(patch)
    git(root, "apply", str(tmp_path / "p.patch"))
    expected = ("# -*- coding: latin-1 -*-\n" + (REFERENCE / "myapp/settings.py").read_text().replace(
        "# SECURITY WARNING: don't run", "# Réglage. SECURITY WARNING: don't run")).encode("latin-1")
    assert (root / "myapp/settings.py").read_bytes() == expected


def test_the_owner_of_a_file_is_kept(tmp_path):
    if os.getuid() != 0:
        pytest.skip("changing a file's owner needs root")
    target = tmp_path / "owned.txt"
    target.write_bytes(b"old\n")
    os.chown(target, 1234, 5678)
    write_atomically(target, b"new\n", "owned.txt")
    info = target.stat()
    assert (info.st_uid, info.st_gid, target.read_bytes()) == (1234, 5678, b"new\n")
