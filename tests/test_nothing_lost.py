"""A run killed while writing, a rewrite that would not parse, files that cannot be read:
every file is wholly old or wholly new, and a re-run finishes the job."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import git, git_status, run_cli
from golden_cases import GIT_ENV, GOLDEN, tree_files
from refactor_app import api
from refactor_app.errors import RefactorError

REFERENCE = tree_files(GOLDEN / "divio-tutorial-all" / "after")
EDITED = ["myapp/settings.py", ".env-local", "Dockerfile", ".gitignore"]

# Runs the real CLI, but SIGKILLs itself in place of its N-th rename (N counts from 0), or
# right after writing the N-th temporary file and before renaming it.
KILLER = """
import os, signal, sys
kill_at, moment = int(sys.argv.pop(1)), sys.argv.pop(1)
real_replace, real_fsync = os.replace, os.fsync
calls = {"replace": 0, "fsync": 0}
def replace(src, dst):
    if moment == "before-rename" and calls["replace"] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    calls["replace"] += 1
    return real_replace(src, dst)
os.replace = replace
from refactor_app.cli import main
sys.argv[0] = "refactor-app"
main()
"""


def run_killed(root: Path, kill_at: int, moment: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(
        [sys.executable, "-c", KILLER, str(kill_at), moment, "apply", "--all"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize("kill_at", range(len(EDITED)))
def test_killed_while_writing_leaves_each_file_old_or_new_and_a_rerun_completes(tutorial, kill_at):
    original = tree_files(tutorial)
    result = run_killed(tutorial, kill_at, "before-rename")
    assert result.returncode == -9, result.stderr

    states = []
    for name in EDITED:
        data = (tutorial / name).read_bytes()
        assert data in (original[name][0], REFERENCE[name][0]), f"{name} is half written"
        states.append("new" if data == REFERENCE[name][0] else "old")
    assert states.count("new") == kill_at, states
    # Every temporary file is written (and fsynced, together) before the first rename: those of the
    # killed rename and the ones after it are left, for the rerun to remove.
    assert len(list(tutorial.rglob("*.refactor-app.tmp"))) == len(EDITED) - kill_at, "the unrenamed temporary files"
    assert (tutorial / "staticfiles").exists(), "git rm comes after every file is written"

    rerun = run_cli("apply", "--all", "--allow-dirty", cwd=tutorial)
    assert rerun.returncode == 0, rerun.stderr
    assert tree_files(tutorial) == REFERENCE
    assert not list(tutorial.rglob("*.refactor-app.tmp"))


def test_killed_run_without_allow_dirty_says_how_to_finish(tutorial):
    run_killed(tutorial, 1, "before-rename")
    refused = run_cli("apply", "--all", cwd=tutorial)
    assert refused.returncode == 2 and "--allow-dirty" in refused.stderr


def test_a_rewrite_that_would_not_parse_writes_nothing(tutorial, monkeypatch):
    from refactor_app.workspace import SettingsModule

    real = SettingsModule.current_bytes

    def broken(self):
        data = real(self)
        return data if data == self.original else data + b"\nDEBUG = = 1\n"

    monkeypatch.setattr(SettingsModule, "current_bytes", broken)
    before = tree_files(tutorial)
    plan = api.make_plan(api.discover(tutorial))
    with pytest.raises(RefactorError, match="rewrite of myapp/settings.py does not parse, so nothing was written"):
        api.apply(plan)
    assert tree_files(tutorial) == before and git_status(tutorial) == []


@pytest.mark.parametrize("name", ["myapp/settings.py", "Dockerfile", ".env-local", ".gitignore"])
def test_permission_denied_is_one_plain_error(tutorial, monkeypatch, name):
    import os

    real = os.open
    denied = (tutorial / name).resolve()

    def refusing_open(path, *args, **kwargs):  # the tests run as root, where chmod does not stop reading
        if isinstance(path, (str, Path)) and Path(path).resolve() == denied:
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    with pytest.raises(RefactorError) as caught:
        api.make_plan(api.discover(tutorial))
    assert str(caught.value) == f"cannot read {name}: permission denied; make it readable (chmod u+r) and run again."
    assert git_status(tutorial) == []


def test_partly_tracked_staticfiles(tutorial):
    (tutorial / "staticfiles" / "local-only.css").write_text("x\n")
    result = run_cli("apply", "--all", cwd=tutorial)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (tutorial / "staticfiles").rglob("*") if p.is_file()] == ["local-only.css"]
    assert "?? staticfiles/" not in git_status(tutorial), "now ignored"


def test_a_file_that_cannot_be_written_stops_the_run_before_any_write(tutorial):
    import os as _os

    _os.replace(tutorial / ".env-local", tutorial / "env-local.bak")
    (tutorial / ".env-local").symlink_to("missing-folder/.env-local")  # inside: ../ is refused sooner
    git(tutorial, "add", "-A")
    git(tutorial, "commit", "-q", "-m", "dangling link")
    before = tree_files(tutorial)
    result = run_cli("apply", "--all", cwd=tutorial)
    assert result.returncode == 2, result.stderr
    assert "cannot write .env-local (a link to" in result.stderr and "does not exist" in result.stderr
    assert tree_files(tutorial) == before and git_status(tutorial) == []


def test_a_write_failing_midway_puts_back_what_was_written(tutorial, monkeypatch):
    import os

    real = os.replace
    calls = []

    def failing(source, target):
        # The files are written and fsynced together, then renamed in turn: the third rename fails.
        calls.append(target)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(target))
        return real(source, target)

    monkeypatch.setattr(os, "replace", failing)
    before = tree_files(tutorial)
    with pytest.raises(RefactorError, match="No space left on device; nothing was changed"):
        api.apply(api.make_plan(api.discover(tutorial)))
    assert tree_files(tutorial) == before and git_status(tutorial) == []


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="needs syntax newer than the running Python")
def test_syntax_newer_than_the_running_python_is_checked_with_libcst(tutorial):
    settings = tutorial / "myapp" / "settings.py"
    settings.write_bytes(settings.read_bytes() + b"\ntype Hosts = list[str]\n")  # Python 3.12
    git(tutorial, "commit", "-qam", "3.12 syntax")
    api.apply(api.make_plan(api.discover(tutorial)))
    assert b"type Hosts = list[str]\n" in settings.read_bytes()
    assert b"DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"" in settings.read_bytes()


def test_an_fsync_that_fails_on_a_helper_thread_is_raised_not_waited_for(tmp_path, monkeypatch):
    """fsyncs run together, on helper threads kept for the process: whatever one raises reaches
    the writer (which then puts nothing in place), and the next write still works."""
    from refactor_app import writer

    files = [tmp_path / name for name in ("a", "b", "c", "d")]
    for path in files:
        path.write_bytes(b"old")
    real = os.fsync
    failing = ["once"]  # (list.pop is atomic: helper threads fsync at once)

    def fsync(fd):  # the first of a, b, c (5 bytes each) to be fsynced fails: one on a helper thread
        if os.fstat(fd).st_size == 5:
            try:
                failing.pop()
            except IndexError:
                return real(fd)
            raise RuntimeError("disk gone")
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    writes = [writer.Write(path, b"new " + path.name.encode(), path.name, b"old") for path in files[:3]]
    writes.append(writer.Write(files[3], b"new dd", "d", b"old"))  # the last: fsynced by the writer itself
    raised = []

    def write() -> None:
        try:
            writer.write_all_atomically(writes)
        except RuntimeError as exc:
            raised.append(exc)

    import threading

    writing = threading.Thread(target=write, daemon=True)
    writing.start()
    writing.join(20)
    assert not writing.is_alive(), "the writer waits forever for a helper that failed"
    assert [str(exc) for exc in raised] == ["disk gone"]
    assert [path.read_bytes() for path in files] == [b"old"] * 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "c", "d"]  # no temporary file left
    writer.write_all_atomically(writes)
    assert [path.read_bytes() for path in files] == [b"new a", b"new b", b"new c", b"new dd"]


def test_files_behind_links_are_diffed_and_committed_as_git_tracks_them(tutorial):
    """A red-team run: `Dockerfile -> docker/Dockerfile.web` and `.env-local -> envs/local.env`.
    The dry run's patch named the links, so `git apply` refused it ("Dockerfile: patch does not
    apply"), and `--commit` left the files it wrote through them uncommitted."""
    (tutorial / "docker").mkdir()
    os.replace(tutorial / "Dockerfile", tutorial / "docker/Dockerfile.web")
    (tutorial / "Dockerfile").symlink_to("docker/Dockerfile.web")
    (tutorial / "envs").mkdir()
    os.replace(tutorial / ".env-local", tutorial / "envs/local.env")
    (tutorial / ".env-local").symlink_to("envs/local.env")
    git(tutorial, "add", "-A")
    git(tutorial, "commit", "-q", "-m", "files behind links")

    patch = run_cli("apply", "--all", "--dry-run", cwd=tutorial)
    assert patch.returncode == 0, patch.stderr
    assert "+++ b/docker/Dockerfile.web" in patch.stdout and "+++ b/envs/local.env" in patch.stdout
    diff = patch.stdout[patch.stdout.index("--- a/"):]
    checked = subprocess.run(["git", "apply", "--check", "-"], input=diff, text=True, cwd=tutorial,
                             capture_output=True)
    assert checked.returncode == 0, checked.stderr

    result = run_cli("apply", "--all", "--commit", cwd=tutorial)
    assert result.returncode == 0, result.stdout + result.stderr
    assert git_status(tutorial) == []  # every file written through a link is committed
    assert (tutorial / "Dockerfile").is_symlink() and (tutorial / ".env-local").is_symlink()
    assert "collectstatic" in (tutorial / "docker/Dockerfile.web").read_text()
    assert "DJANGO_DEBUG=True" in (tutorial / "envs/local.env").read_text()
