"""Safety first (issue 11): a git rm that fails after the files are written, an editor saving
while refactor-app writes, two runs at once on one repository, and a run killed (SIGKILL)
or interrupted (SIGINT) at each write, each git rm and each commit."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import EXAMPLE, git, git_status, run_cli
from golden_cases import GIT_ENV, GOLDEN, copy_tree, tree_files

REFERENCE = tree_files(GOLDEN / "divio-tutorial-all" / "after")
EDITED = ["myapp/settings.py", ".env-local", "Dockerfile", ".gitignore"]

# The real CLI, with a fault injected by patching in this subprocess only (nothing in
# refactor-app knows about it). argv[1] is a JSON list of faults, each
# {"at": "rename" | "fsync" | "git rm" | "git commit" | "git rm done" | "git commit done",
#  "n": which one (from 0),
#  "do": "SIGKILL" | "SIGINT" | "save" | "lock", "path": ..., "data": ...}.
HOOKED = r"""
import json, os, signal, stat, subprocess, sys
faults = json.loads(sys.argv.pop(1))
seen = {}

def hit(at):
    n = seen.get(at, 0)
    seen[at] = n + 1
    for fault in faults:
        if fault["at"] == at and fault.get("n", 0) == n:
            act(fault)

def act(fault):
    what = fault["do"]
    if what in ("SIGKILL", "SIGINT"):
        os.kill(os.getpid(), getattr(signal, what))
    elif what == "save":  # an editor saves the file
        with open(fault["path"], "ab") as handle:
            handle.write(fault["data"].encode())
    elif what == "lock":  # another git command holds the index
        open(fault["path"], "w").close()

real_replace, real_fsync = os.replace, os.fsync
def replace(src, dst):
    hit("rename")
    return real_replace(src, dst)
def fsync(fd):
    if stat.S_ISREG(os.fstat(fd).st_mode):
        hit("fsync")
    return real_fsync(fd)
os.replace, os.fsync = replace, fsync

class Popen(subprocess.Popen):
    def __init__(self, args, *rest, **options):
        words = [a for a in args[1:] if isinstance(a, str) and not a.startswith("-")] if isinstance(args, list) else []
        name = "git " + words[0] if words and words[0] in ("rm", "commit") else None
        if name:
            hit(name)
        super().__init__(args, *rest, **options)
        if name and any(fault["at"] == name + " done" for fault in faults):
            self.wait()  # git has finished: stopped now, refactor-app has not heard back yet
            hit(name + " done")
subprocess.Popen = Popen

from refactor_app.cli import main
sys.argv[0] = "refactor-app"
main()
"""


def run_hooked(root: Path, faults: list[dict], *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(
        [sys.executable, "-c", HOOKED, json.dumps(faults), *args],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )


def unchanged(root: Path, before: dict) -> bool:
    return tree_files(root) == before and git_status(root) == []


# --- 5. git rm failing after the files are written ---------------------------------------------

def test_git_rm_refused_by_a_stale_index_lock_puts_the_written_files_back(tutorial):
    before = tree_files(tutorial)
    (tutorial / ".git" / "index.lock").write_text("")  # a git that crashed, long ago
    started = time.monotonic()
    result = run_cli("apply", "--all", cwd=tutorial)
    assert result.returncode == 2, result.stderr
    assert time.monotonic() - started < 10
    message = result.stderr.strip()
    assert message.count("\n") == 0 and "Traceback" not in message
    assert "git rm -r staticfiles failed" in message
    assert ".git/index.lock" in message and "remove .git/index.lock" in message
    assert "nothing was changed" in message
    (tutorial / ".git" / "index.lock").unlink()
    assert unchanged(tutorial, before)
    assert run_cli("apply", "--all", cwd=tutorial).returncode == 0
    assert tree_files(tutorial) == REFERENCE


def test_an_index_lock_held_briefly_is_waited_for(tutorial):
    """An IDE's `git status` holds .git/index.lock for a moment: git rm waits and retries."""
    lock = tutorial / ".git" / "index.lock"
    faults = [{"at": "git rm", "do": "lock", "path": str(lock)}]
    def remove_it_soon():
        deadline = time.monotonic() + 60
        while not lock.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.4)
        lock.unlink()

    remover = threading.Thread(target=remove_it_soon)
    remover.start()
    try:
        result = run_hooked(tutorial, faults, "apply", "--all")
    finally:
        remover.join()
    assert result.returncode == 0, result.stderr
    assert tree_files(tutorial) == REFERENCE


def test_a_stale_index_lock_in_a_commit_run_undoes_the_step_and_says_so(tutorial):
    before = tree_files(tutorial)
    (tutorial / ".git" / "index.lock").write_text("")
    # The dirty-tree check reads the index without its lock, so the run starts; the first
    # step's commit cannot take the lock, and neither can its undoing.
    result = run_cli("apply", "--all", "--commit", cwd=tutorial)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert ".git/index.lock" in result.stderr and "The debug step was undone; nothing was kept." in result.stderr
    (tutorial / ".git" / "index.lock").unlink()
    assert unchanged(tutorial, before)


def use_a_git_that_fails(tmp_path: Path, monkeypatch_env: dict, commands: list[str]) -> dict:
    """A git first on PATH whose `commands` fail as a held index lock makes them fail."""
    import shutil

    folder = tmp_path / "bin"
    folder.mkdir()
    cases = "".join(
        f'  {command}) echo "fatal: Unable to create \'$PWD/.git/index.lock\': File exists." >&2; exit 128;;\n'
        for command in commands
    )
    (folder / "git").write_text(f'#!/bin/sh\ncase "$1" in\n{cases}esac\nexec {shutil.which("git")} "$@"\n')
    (folder / "git").chmod(0o755)
    return {**monkeypatch_env, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


def test_a_failed_undo_after_a_failed_commit_says_which_files_are_left_how(tutorial, tmp_path):
    hook = tutorial / ".git" / "hooks" / "pre-commit"
    # The sixth commit (the staticfiles step: .gitignore and git rm -r staticfiles) is refused.
    hook.write_text("#!/bin/sh\n[ $(git rev-list --count HEAD) -ge 6 ] && echo 'HOOK SAYS NO' >&2 && exit 1\nexit 0\n")
    hook.chmod(0o755)
    env = use_a_git_that_fails(tmp_path, {}, ["checkout", "reset"])
    result = run_cli("apply", "--all", "--commit", cwd=tutorial, env=env)
    assert result.returncode == 2, result.stderr
    message = result.stderr
    assert "git commit failed: HOOK SAYS NO" in message
    assert "Nothing was written" not in message and "nothing was kept" not in message
    assert "staticfiles" in message and ".gitignore" in message
    assert "git checkout HEAD -- staticfiles" in message or "git reset" in message
    # What the message says is left is what is left; following it gives a clean tree.
    assert (tutorial / ".gitignore").read_bytes() == tree_files(EXAMPLE)[".gitignore"][0]  # put back
    hook.unlink()
    for line in message.splitlines():
        for command in ("git reset -q -- .gitignore", "git checkout HEAD -- staticfiles"):
            if command in line:
                git(tutorial, *command.split()[1:])
    assert git_status(tutorial) == [], message
    assert run_cli("apply", "--all", "--commit", cwd=tutorial).returncode == 0
    assert tree_files(tutorial) == REFERENCE


# --- 7. an editor saving while refactor-app writes -------------------------------------------

@pytest.mark.parametrize("which", [0, 2])
def test_a_save_just_before_the_rename_is_kept_and_the_run_refused(tutorial, which):
    """The editor saves the file after refactor-app wrote its temporary copy, before the rename."""
    before = tree_files(tutorial)
    order = ["myapp/settings.py", ".env-local", "Dockerfile", ".gitignore"]
    name = order[which]
    saved = "\n# saved by an editor\n"
    faults = [{"at": "fsync", "n": which, "do": "save", "path": str(tutorial / name), "data": saved}]
    result = run_hooked(tutorial, faults, "apply", "--all")
    assert result.returncode == 2, result.stderr
    assert (tutorial / name).read_bytes() == before[name][0] + saved.encode(), "the user's save is kept"
    assert f"{name} changed on disk" in result.stderr and "Traceback" not in result.stderr
    for other in order:
        if other != name:
            assert (tutorial / other).read_bytes() == before[other][0], f"{other} was put back"
    assert (tutorial / "staticfiles").is_dir() and not list(tutorial.rglob("*.refactor-app.tmp"))


# --- 8. two runs at once ------------------------------------------------------------------------

def start_interactive(root: Path):
    from test_review_workflow import Terminal

    terminal = Terminal(["apply", "--all", "--interactive"], root)
    terminal.read_until("Apply debug? [a]pply / [s]kip / [q]uit: ")
    return terminal


def test_a_second_run_is_refused_while_one_is_applying(tutorial):
    terminal = start_interactive(tutorial)  # waiting at its first question, holding the repository
    try:
        before = tree_files(tutorial)
        second = run_cli("apply", "--all", cwd=tutorial)
        assert second.returncode == 2, second.stderr
        assert (f"another refactor-app run is applying changes in {tutorial.resolve()} (pid {terminal.process.pid})"
                in second.stderr)
        assert "remove .git/refactor-app.lock if no run is active" in second.stderr
        assert unchanged(tutorial, before)
        commit = run_cli("apply", "--all", "--commit", cwd=tutorial)
        assert commit.returncode == 2 and "another refactor-app run" in commit.stderr
        assert run_cli("apply", "--all", "--dry-run", cwd=tutorial).returncode == 0  # reading is fine
        assert run_cli("status", cwd=tutorial).returncode == 0
    finally:
        terminal.answer("Apply debug? [a]pply / [s]kip / [q]uit: ", "q")
        terminal.finish()
    assert not (tutorial / ".git" / "refactor-app.lock").exists()
    assert run_cli("apply", "--all", cwd=tutorial).returncode == 0
    assert tree_files(tutorial) == REFERENCE


def test_a_killed_run_does_not_block_the_next(tutorial):
    terminal = start_interactive(tutorial)
    terminal.process.kill()
    terminal.finish()
    result = run_cli("apply", "--all", cwd=tutorial)
    assert result.returncode == 0, result.stderr
    assert tree_files(tutorial) == REFERENCE


def test_a_fleet_of_one_repository_does_not_lock_itself_out_but_another_run_does(tmp_path):
    repo = tmp_path / "mono"
    for name in ("one", "two", "three"):
        copy_tree(EXAMPLE, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "three projects")
    terminal = start_interactive(repo / "one")
    try:
        refused = run_cli("apply", "--all", "-r", ".", "--jobs", "2", cwd=repo)
        assert refused.returncode == 2
        assert refused.stderr.count("another refactor-app run is applying changes") == 3, refused.stderr
        assert git_status(repo) == []
    finally:
        terminal.answer("Apply debug? [a]pply / [s]kip / [q]uit: ", "q")
        terminal.finish()
    result = run_cli("apply", "--all", "-r", ".", "--jobs", "2", cwd=repo)
    assert result.returncode == 0, result.stderr
    for name in ("one", "two", "three"):
        assert tree_files(repo / name) == REFERENCE


# --- fault injection: killed or interrupted at each write, git rm and commit ------------------

def reference_history(tmp_path: Path) -> dict[str, set[bytes]]:
    """Every version each file goes through in `apply --all --commit` (the original first)."""
    from golden_cases import committed_project

    root = committed_project(EXAMPLE, tmp_path / "reference")
    assert run_cli("apply", "--all", "--commit", cwd=root).returncode == 0
    versions: dict[str, set[bytes]] = {}
    for sha in git(root, "rev-list", "HEAD").split():
        for name in EDITED:
            shown = subprocess.run(["git", "show", f"{sha}:{name}"], cwd=root, capture_output=True)
            if shown.returncode == 0:
                versions.setdefault(name, set()).add(shown.stdout)
    return versions


PLAIN_POINTS = [("rename", n) for n in range(4)] + [("git rm", 0), ("git rm done", 0)]
COMMIT_POINTS = ([("rename", n) for n in range(10)] + [("git rm", 0), ("git rm done", 0)]
                 + [("git commit", n) for n in range(6)] + [("git commit done", n) for n in range(6)])
ALL_CASES = (
    [("plain", at, n, sig) for sig in ("SIGKILL", "SIGINT") for at, n in PLAIN_POINTS]
    + [("commit", at, n, sig) for sig in ("SIGKILL", "SIGINT") for at, n in COMMIT_POINTS]
)
# Every point of both modes takes two minutes on two busy cores: by default every point of a
# plain run killed, and in a commit run a step's first and last write, the git rm and three
# commits; REFACTOR_APP_ALL_FAULTS=1 runs all 60.
SOME_CASES = (
    [("plain", at, n, "SIGKILL") for at, n in PLAIN_POINTS]
    + [("commit", at, n, "SIGKILL") for at, n in [("rename", 1), ("rename", 9), ("git rm", 0),
                                                  ("git commit", 0), ("git commit", 2), ("git commit", 5)]]
    + [("commit", "git commit done", 5, "SIGKILL")]
    + [("plain", "rename", 2, "SIGINT"), ("plain", "git rm", 0, "SIGINT"), ("plain", "git rm done", 0, "SIGINT")]
    + [("commit", at, n, "SIGINT") for at, n in [("rename", 1), ("git rm", 0), ("git commit", 2),
                                                 ("git commit done", 2)]]
)
CASES = ALL_CASES if os.environ.get("REFACTOR_APP_ALL_FAULTS") else SOME_CASES


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    return reference_history(tmp_path_factory.mktemp("history"))


@pytest.mark.parametrize("mode,at,n,sig", CASES, ids=[f"{m}-{a.replace(' ', '-')}{n}-{s}" for m, a, n, s in CASES])
def test_stopped_at_each_write_git_rm_and_commit(tutorial, history, mode, at, n, sig):
    commit = ["--commit"] if mode == "commit" else []
    result = run_hooked(tutorial, [{"at": at, "n": n, "do": sig}], "apply", "--all", *commit)
    if sig == "SIGKILL":
        assert result.returncode == -9, result.stderr
    else:
        assert result.returncode == 130, result.stderr
        assert "Traceback" not in result.stderr
    for name in EDITED:
        assert (tutorial / name).read_bytes() in history[name], f"{name} is half written"
    assert not (tutorial / ".git" / "index.lock").exists()

    # The next run is not blocked by a lock; it finishes the job, or says exactly what to do.
    again = run_cli("apply", "--all", *commit, cwd=tutorial)
    assert "another refactor-app run" not in again.stderr
    if again.returncode != 0:
        assert again.returncode == 2, again.stderr
        assert "a refactor-app run (pid " in again.stderr and "was stopped before it finished" in again.stderr
        assert "refactor-app apply --all --allow-dirty" in again.stderr
        # The command that drops the stopped run's changes names its files (never `.`: the user's own work).
        drop = re.search(r"`git checkout HEAD -- ([^`]+)`", again.stderr)
        assert drop is not None and drop.group(1) != ".", again.stderr
        if mode == "commit":
            git(tutorial, "checkout", "HEAD", "--", *shlex.split(drop.group(1)))  # as the message says
            again = run_cli("apply", "--all", "--commit", cwd=tutorial)
        else:
            again = run_cli("apply", "--all", "--allow-dirty", cwd=tutorial)
        assert again.returncode == 0, again.stderr
    assert tree_files(tutorial) == REFERENCE
    assert not list(tutorial.rglob("*.refactor-app.tmp"))
    if mode == "commit":
        assert git_status(tutorial) == []


def test_a_fleet_project_whose_git_rm_fails_says_what_is_left_and_how_to_finish(tmp_path):
    fleet_dir = tmp_path / "fleet"
    for name in ("alpha", "beta"):
        copy_tree(EXAMPLE, fleet_dir / name)
        git(fleet_dir / name, "init", "-q")
        git(fleet_dir / name, "add", "-A")
        git(fleet_dir / name, "commit", "-q", "-m", "start")
    (fleet_dir / "beta" / ".git" / "index.lock").write_text("")
    result = run_cli("apply", "--all", "-r", ".", "--jobs", "2", cwd=fleet_dir)
    assert result.returncode == 2
    line = next(line for line in result.stderr.splitlines() if line.startswith("beta"))
    assert "git rm -r staticfiles failed: .git/index.lock exists" in line
    assert "remove .git/index.lock" in line and "refactor-app apply --all --allow-dirty beta" in line
    assert tree_files(fleet_dir / "alpha") == REFERENCE
    (fleet_dir / "beta" / ".git" / "index.lock").unlink()
    finish = run_cli("apply", "--all", "--allow-dirty", "beta", cwd=fleet_dir)
    assert finish.returncode == 0, finish.stderr
    assert tree_files(fleet_dir / "beta") == REFERENCE


def test_git_rm_failing_in_the_last_step_of_a_commit_run_says_the_steps_before_stay_committed(tutorial):
    from test_review_workflow import TITLES, log_subjects

    lock = tutorial / ".git" / "index.lock"
    result = run_hooked(tutorial, [{"at": "git rm", "do": "lock", "path": str(lock)}], "apply", "--all", "--commit")
    assert result.returncode == 2, result.stderr
    assert "git rm -r staticfiles failed: .git/index.lock exists" in result.stderr
    assert "The staticfiles step was not applied; the 5 steps before it stay committed." in result.stderr
    lock.unlink()
    assert git_status(tutorial) == [] and log_subjects(tutorial)[:5] == list(reversed(TITLES[:5]))


def test_git_rm_refused_for_a_submodule_with_changes_names_it_and_puts_the_files_back(tutorial, tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    (library / "a.css").write_text("a\n")
    git(library, "init", "-q")
    git(library, "add", "-A")
    git(library, "commit", "-q", "-m", "library")
    git(tutorial, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "staticfiles/library")
    git(tutorial, "commit", "-q", "-m", "a submodule in staticfiles")
    (tutorial / "staticfiles" / "library" / "mine.txt").write_text("not committed anywhere\n")
    before = tree_files(tutorial)
    result = run_cli("apply", "--all", cwd=tutorial)
    assert result.returncode == 2, result.stderr
    assert ("git rm -r staticfiles failed: the following file has local modifications: staticfiles/library"
            in result.stderr)
    assert "nothing was changed (the 4 files refactor-app had written were put back)" in result.stderr
    assert tree_files(tutorial) == before
