"""textfile.read_once / may_exist / read_bytes: whether something is at a path, answered from one listing of
its folder while discovery and planning run. It may only ever say "nothing there" where
os.path.lexists would: every other answer is the caller's own check."""

from __future__ import annotations

import os

import pytest

from refactor_app import textfile
from refactor_app.errors import RefactorError
from refactor_app.textfile import may_exist, read_once


def test_outside_a_listing_it_always_defers(tmp_path):
    assert may_exist(tmp_path / "missing")


def test_it_agrees_with_lexists(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM python\n")
    (tmp_path / "docker").mkdir()
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "linked").symlink_to(tmp_path / "docker", target_is_directory=True)
    (tmp_path / "docker" / "Dockerfile.prod").write_text("FROM python\n")
    names = ["Dockerfile", "docker", "dangling", "linked", "missing", "docker/Dockerfile.prod", "docker/missing",
             "linked/Dockerfile.prod", "compose/production/web/Dockerfile", "Dockerfile/inside", "dangling/x"]
    with read_once():
        for name in names:
            path = tmp_path / name
            assert may_exist(path) or not os.path.lexists(path), name
        assert not may_exist(tmp_path / "missing")
        assert not may_exist(tmp_path / "compose" / "production" / "web" / "Dockerfile")
        assert may_exist(tmp_path / "dangling")  # a dangling link is something (lexists)


def test_a_listing_is_read_once_per_folder(tmp_path, monkeypatch):
    listed = []
    real = os.listdir
    monkeypatch.setattr(textfile.os, "listdir", lambda folder: listed.append(folder) or real(folder))
    with read_once():
        for name in ("Procfile", "app.json", "fly.toml", "render.yaml", "compose.yaml"):
            assert not may_exist(tmp_path / name)
        # below a listed folder that lacks it: no listing of its own
        assert not may_exist(tmp_path / "compose" / "production" / "django" / "Dockerfile")
    assert listed == [str(tmp_path)]


def test_any_case_defers_to_the_file_system(tmp_path):
    """On a case-insensitive file system `Dockerfile` finds `dockerfile`: a name matching in any
    case is left to the caller's own check, which the file system answers."""
    (tmp_path / "dockerfile").write_text("FROM python\n")
    with read_once():
        assert may_exist(tmp_path / "Dockerfile")


def test_an_unreadable_folder_defers(tmp_path, monkeypatch):
    """A folder that cannot be listed (no read permission, yet a path inside can be stat'ed):
    each name in it is left to the caller's own check."""
    def refuse(folder):
        raise PermissionError(13, "Permission denied", folder)

    monkeypatch.setattr(textfile.os, "listdir", refuse)
    with read_once():
        assert may_exist(tmp_path / "Dockerfile")
        assert may_exist(tmp_path / "Procfile")


def test_listings_end_with_the_outermost_scope(tmp_path):
    with read_once():
        assert not may_exist(tmp_path / "late")
        with read_once():
            pass
        (tmp_path / "late").write_text("")
        assert not may_exist(tmp_path / "late")  # still the listing read before: planning writes nothing
    assert may_exist(tmp_path / "late")


def test_a_file_is_read_once_and_afresh_after(tmp_path, monkeypatch):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM python\n")
    opened = []
    real = textfile.os.open
    monkeypatch.setattr(textfile.os, "open", lambda name, *args: opened.append(name) or real(name, *args))
    with read_once():
        assert textfile.read_bytes(path, "Dockerfile") == b"FROM python\n"
        assert textfile.read_bytes(path, "Dockerfile") == b"FROM python\n"
        assert textfile.read_bytes(tmp_path / "missing", "missing") is None
    assert len(opened) == 1
    path.write_bytes(b"FROM python:3.12\n")
    assert textfile.read_bytes(path, "Dockerfile") == b"FROM python:3.12\n"  # the scope is over: read again


def test_a_file_that_cannot_be_read_is_refused_each_time(tmp_path):
    (tmp_path / "Dockerfile").mkdir()
    with read_once():
        for _ in range(2):
            with pytest.raises(RefactorError, match="is a folder"):
                textfile.read_bytes(tmp_path / "Dockerfile", "Dockerfile")


def test_real_path_agrees_with_realpath(tmp_path):
    """Inside read_once, real_path resolves each folder once; it must say what os.path.realpath says,
    through links to folders and files, relative and absolute links, dots, missing names and loops."""
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (real / "sub" / "file.py").write_text("")
    (tmp_path / "to-real").symlink_to(real)
    (real / "up").symlink_to("..")
    (real / "sub" / "to-file").symlink_to("file.py")
    (real / "dangling").symlink_to(tmp_path / "nowhere" / "x")
    (real / "loop").symlink_to("loop")
    (tmp_path / "chain").symlink_to("to-real/sub")
    paths = [
        tmp_path / "to-real" / "sub" / "file.py", tmp_path / "to-real" / "up" / "real" / "sub",
        tmp_path / "chain" / "to-file", tmp_path / "chain" / "file.py" / "below-a-file",
        real / "dangling", real / "dangling" / "more", real / "loop", real / "loop" / "x",
        real / "missing" / "deeper" / "file.py", tmp_path / "chain" / ".." / "sub",
        str(tmp_path / "to-real") + "/./sub", str(tmp_path / "to-real") + "/", "/", "relative/name",
    ]
    with read_once():
        for _ in range(2):  # the second time from what the first remembered
            for path in paths:
                assert textfile.real_path(path) == os.path.realpath(path), path
    for path in paths:
        assert textfile.real_path(path) == os.path.realpath(path), path


def test_real_path_forgets_with_the_scope(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "link").symlink_to("a")
    with read_once():
        assert textfile.real_path(tmp_path / "link") == str(tmp_path / "a")
    (tmp_path / "link").unlink()
    (tmp_path / "link").symlink_to("b")
    with read_once():
        assert textfile.real_path(tmp_path / "link") == str(tmp_path / "b")
