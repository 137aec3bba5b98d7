"""Many projects in one run: discovery, one broken project among good ones, exit codes, and
--jobs 1 / --jobs 2 giving the same output."""

from __future__ import annotations

import pytest

from conftest import EXAMPLE, git, git_status, run_cli
from golden_cases import GOLDEN, copy_tree, tree_files

REFERENCE = tree_files(GOLDEN / "divio-tutorial-all" / "after")


@pytest.fixture
def fleet(tmp_path):
    """A folder of projects: three good ones (one nested), one broken, and copies in places
    that hold no project of the user's (a virtualenv, node_modules, .git)."""
    root = tmp_path / "fleet"
    for name in ("alpha", "beta", "clients/gamma", "broken"):
        copy_tree(EXAMPLE, root / name)
    settings = root / "broken" / "myapp" / "settings.py"
    settings.write_text(settings.read_text() + "DEBUG = = True\n")
    for hidden in ("venv/lib/site", "clients/node_modules/pkg", ".git/x", "custom-env/lib"):
        copy_tree(EXAMPLE, root / hidden)
    (root / "custom-env" / "pyvenv.cfg").write_text("home = /usr\n")
    return root


def lines(text: str) -> list[str]:
    return text.splitlines()


def test_recursive_finds_projects_and_skips_virtualenvs_node_modules_and_git(fleet):
    result = run_cli("status", "--recursive", ".", "--jobs", "1", cwd=fleet)
    assert [line.split(":")[0] for line in lines(result.stdout)[:-1]] == ["alpha", "beta", "broken", "clients/gamma"]


def test_one_broken_project_is_reported_and_the_others_go_on(fleet):
    result = run_cli("apply", "--all", "--recursive", ".", "--allow-dirty", cwd=fleet)
    assert result.returncode == 2
    assert "broken: error: myapp/settings.py has a syntax error at line 141" in result.stderr
    assert result.stderr.splitlines()[-1] == "4 projects: 3 changed, 0 with nothing to do, 1 failed."
    for name in ("alpha", "beta", "clients/gamma"):
        files = {k: v for k, v in tree_files(fleet / name).items()}
        assert files["myapp/settings.py"] == REFERENCE["myapp/settings.py"], name
    assert "DEBUG = True\n" in (fleet / "broken" / "myapp" / "settings.py").read_text()


def test_exit_codes_are_the_worst_of_the_projects(fleet):
    import shutil

    shutil.rmtree(fleet / "broken")
    check = run_cli("apply", "--all", "--check", "-r", ".", cwd=fleet)
    assert check.returncode == 1 and "+DEBUG = os.environ.get" in check.stdout
    assert run_cli("apply", "--all", "-r", ".", "--allow-dirty", cwd=fleet).returncode == 0
    again = run_cli("apply", "--all", "--check", "-r", ".", cwd=fleet)
    assert again.returncode == 0 and again.stdout == ""
    assert again.stderr.splitlines()[-1] == "3 projects: 0 would change, 3 with nothing to do, 0 failed."


def test_jobs_1_and_jobs_2_print_the_same(fleet):
    one = run_cli("apply", "--all", "--dry-run", "-r", ".", "--jobs", "1", cwd=fleet)
    two = run_cli("apply", "--all", "--dry-run", "-r", ".", "--jobs", "2", cwd=fleet)
    assert (one.returncode, one.stdout, one.stderr) == (two.returncode, two.stdout, two.stderr)
    assert "--- a/clients/gamma/myapp/settings.py" in one.stdout


def test_fleet_diff_applies_from_the_fleet_folder(fleet, tmp_path):
    import shutil

    shutil.rmtree(fleet / "broken")
    git(fleet, "init", "-q")
    patch = tmp_path / "fleet.patch"
    patch.write_text(run_cli("apply", "--all", "--dry-run", "-r", ".", cwd=fleet).stdout)
    git(fleet, "apply", "--exclude=*/staticfiles/*", str(patch))
    assert (fleet / "alpha" / "myapp" / "settings.py").read_bytes() == REFERENCE["myapp/settings.py"][0]


def test_several_paths_without_recursive(fleet):
    result = run_cli("status", "alpha", "beta", cwd=fleet)
    assert [line.split(":")[0] for line in lines(result.stdout)[:-1]] == ["alpha", "beta"]


def test_projects_of_one_repository_are_checked_for_changes_once(tmp_path):
    repo = tmp_path / "mono"
    for name in ("one", "two"):
        copy_tree(EXAMPLE, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "two projects")
    result = run_cli("apply", "--all", "-r", ".", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert " M one/myapp/settings.py" in git_status(repo) and " M two/myapp/settings.py" in git_status(repo)
    # Run again before committing: nothing is left to write, so nothing is refused (as for one project).
    again = run_cli("apply", "--all", "-r", ".", cwd=repo)
    assert again.returncode == 0, again.stderr
    assert again.stderr.splitlines()[-1] == "2 projects: 0 changed, 2 with nothing to do, 0 failed."
    git(repo, "stash", "-q", "-u")  # back to the commit: every step to do again
    (repo / "one" / "requirements.txt").write_text("x\n")
    refused = run_cli("apply", "--all", "-r", ".", cwd=repo)
    assert refused.returncode == 2
    assert "one: error: the git tree has uncommitted changes" in refused.stderr
    assert "two: error: the git tree has uncommitted changes" in refused.stderr


def test_a_dirty_project_is_refused_and_the_others_go_on(tmp_path):
    fleet_dir = tmp_path / "fleet"
    for name in ("clean", "dirty"):
        copy_tree(EXAMPLE, fleet_dir / name)
        git(fleet_dir / name, "init", "-q")
        git(fleet_dir / name, "add", "-A")
        git(fleet_dir / name, "commit", "-q", "-m", "start")
    (fleet_dir / "dirty" / "manage.py").write_text("# changed\n")
    result = run_cli("apply", "--all", "-r", ".", cwd=fleet_dir)
    assert result.returncode == 2
    assert "dirty: error: the git tree has uncommitted changes (manage.py)" in result.stderr
    assert result.stderr.splitlines()[-1] == "2 projects: 1 changed, 0 with nothing to do, 1 failed."
    assert tree_files(fleet_dir / "clean")["myapp/settings.py"] == REFERENCE["myapp/settings.py"]
    # A second run, the first one's changes not committed: the clean project has nothing left to
    # do and says so; the dirty one still has all of its steps, and is refused again.
    again = run_cli("apply", "--all", "-r", ".", cwd=fleet_dir)
    assert again.returncode == 2
    assert "clean: nothing to do" in again.stderr
    assert "dirty: error: the git tree has uncommitted changes (manage.py)" in again.stderr
    assert again.stderr.splitlines()[-1] == "2 projects: 0 changed, 1 with nothing to do, 1 failed."
    assert tree_files(fleet_dir / "dirty")["manage.py"][0] == b"# changed\n"  # left as the user had it


def test_recursive_without_projects_and_options_that_need_one_project(tmp_path, fleet):
    (tmp_path / "nothing" / "node_modules" / "x").mkdir(parents=True)
    copy_tree(EXAMPLE, tmp_path / "nothing" / "node_modules" / "x" / "p")
    empty = run_cli("status", "-r", str(tmp_path / "nothing"))
    assert empty.returncode == 2 and "no manage.py below" in empty.stderr
    for args in (["--commit"], ["--format", "json"], ["--settings", "alpha/myapp/settings.py"]):
        result = run_cli("apply", "--all", "-r", ".", *args, cwd=fleet)
        assert result.returncode == 2 and result.stderr.startswith("error: "), args


def test_recursive_finds_a_src_layout_project_at_its_top(tmp_path):
    from project_builder import MANAGE_PY, STARTPROJECT_SETTINGS, write_project

    fleet_dir = tmp_path / "clients"
    write_project(fleet_dir / "shop", {
        "src/manage.py": MANAGE_PY, "src/mysite/__init__.py": "", "src/mysite/settings.py": STARTPROJECT_SETTINGS,
        "Dockerfile": "FROM python\nCOPY src/ /app/\nWORKDIR /app\nCMD run\n",
    }, commit=False)
    result = run_cli("apply", "--all", "--dry-run", "-r", ".", cwd=fleet_dir)
    assert result.returncode == 0, result.stderr
    assert "+++ b/shop/.env-local" in result.stdout and "+++ b/shop/Dockerfile" in result.stdout
    assert "shop/src/.env-local" not in result.stdout


def test_ctrl_c_stops_a_fleet_run_without_worker_tracebacks(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    root = tmp_path / "many"
    for number in range(200):  # a run long enough for the signal to arrive mid-run, even on a busy machine
        copy_tree(EXAMPLE, root / f"p{number:03}")
    process = subprocess.Popen(
        [sys.executable, "-m", "refactor_app", "apply", "--all", "--dry-run", "--recursive", "--jobs", "2", str(root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    first = process.stderr.readline()  # a project's line: the workers are at work
    assert b"would apply" in first
    os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C does: the whole process group
    _, rest = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the run ended before Ctrl-C arrived")
    assert process.returncode == 130
    assert b"Traceback" not in rest and b"ForkPoolWorker" not in rest


def test_ctrl_c_during_a_fleet_apply_leaves_each_project_whole(tmp_path):
    """Ctrl-C while clones are written (the parent stops its workers with SIGTERM, which a
    worker holds back while it writes a project's files and runs its git rm): each project is
    either wholly applied, its git rm included, or as it was; no temporary file is left."""
    import os
    import signal
    import subprocess
    import sys

    from conftest import GIT_ENV

    root = tmp_path / "clones"
    before = tree_files(EXAMPLE)
    for number in range(80):
        clone = root / f"p{number:02}"
        copy_tree(EXAMPLE, clone)
        git(clone, "init", "-q")
        git(clone, "add", "-A")
        git(clone, "commit", "-q", "-m", "start")
    process = subprocess.Popen(
        [sys.executable, "-m", "refactor_app", "apply", "--all", "--recursive", "--jobs", "2", "."],
        cwd=root, env={**os.environ, **GIT_ENV}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    assert b"applied" in process.stderr.readline()
    os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C does: the whole process group
    _, rest = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the run ended before Ctrl-C arrived")
    assert process.returncode == 130, rest
    applied = 0
    for clone in sorted(root.iterdir()):
        files = tree_files(clone)
        if files == REFERENCE:
            applied += 1
            assert not git(clone, "ls-files", "staticfiles"), clone.name
        else:
            assert files == before, clone.name
            assert git(clone, "ls-files", "staticfiles"), clone.name
    assert applied  # the first project's line came before Ctrl-C
    assert not list(root.rglob("*.refactor-app.tmp"))


def test_a_reader_that_stops_early_ends_the_run_quietly(tmp_path):
    """`refactor-app apply --all --dry-run -r . | head`: no "internal error", no traceback, and
    the exit code a shell gives a program SIGPIPE stopped."""
    import subprocess
    import sys

    root = tmp_path / "many"
    for number in range(40):  # some 300 KB of diff: more than a pipe holds
        copy_tree(EXAMPLE, root / f"p{number:02}")
    process = subprocess.Popen(
        [sys.executable, "-m", "refactor_app", "apply", "--all", "--dry-run", "--recursive", str(root)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert process.stdout.readline().startswith(b"--- a/")
    process.stdout.close()  # as head does after its lines
    errors = process.stderr.read()
    assert process.wait(timeout=120) == 141, errors
    assert b"internal error" not in errors and b"Traceback" not in errors and b"Exception ignored" not in errors


def test_a_fleet_apply_whose_reader_stops_still_gives_every_project_all_its_changes(tmp_path):
    """`refactor-app apply --all -r . 2>&1 | head -1`: the output stops, the work does not (the
    parent runs each project's git rm as its outcome arrives)."""
    import subprocess
    import sys

    from conftest import GIT_ENV

    root = tmp_path / "agency"
    for number in range(60):  # each project's git rm keeps the run going well after the first line
        copy_tree(EXAMPLE, root / f"p{number:02}")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "before")
    process = subprocess.Popen(
        [sys.executable, "-m", "refactor_app", "apply", "--all", "--recursive", "."],
        cwd=root, env={**__import__("os").environ, **GIT_ENV}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    assert b": applied" in process.stderr.readline()
    process.stderr.close()
    assert process.wait(timeout=120) == 141
    for number in range(60):
        name = f"p{number:02}"
        assert (root / name / "myapp" / "settings.py").read_bytes() == REFERENCE["myapp/settings.py"][0], name
        assert not git(root, "ls-files", f"{name}/staticfiles"), f"{name}: staticfiles still in git"


def test_output_streams_closed_from_the_start_change_no_exit_code(tmp_path):
    import subprocess
    import sys

    from conftest import GIT_ENV, committed_project

    project = committed_project(EXAMPLE, tmp_path / "p")
    env = {**__import__("os").environ, **GIT_ENV}

    def closed(redirect, *args):
        command = " ".join([sys.executable, "-m", "refactor_app", *args])
        return subprocess.run(f"{command} {redirect}", shell=True, cwd=project, env=env, capture_output=True)

    assert closed("2>&-", "steps").returncode == 0
    assert closed(">&-", "--version").returncode == 0
    assert closed("2>&-", "bogus").returncode == 2
    result = closed(">&-", "apply", "--all")
    assert result.returncode == 0, result.stderr
    assert (project / "myapp" / "settings.py").read_bytes() == REFERENCE["myapp/settings.py"][0]


def test_the_progress_bar_gives_the_terminal_its_cursor_back_when_the_reader_stops(tmp_path):
    """`refactor-app apply --all --dry-run -r . | head -1` on a terminal: the progress bar (on
    stderr, the terminal) hides the cursor while it runs, and shows it again however it ends."""
    import os
    import pty
    import select
    import subprocess
    import sys

    root = tmp_path / "many"
    for number in range(40):
        copy_tree(EXAMPLE, root / f"p{number:02}")
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120"}
    for name in ("NO_COLOR", "FORCE_COLOR"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "refactor_app", "apply", "--all", "--dry-run", "--recursive", str(root)],
        stdout=subprocess.PIPE, stderr=slave, env=env,
    )
    os.close(slave)
    assert process.stdout.readline().startswith(b"--- a/")
    process.stdout.close()
    terminal = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        assert ready, terminal[-500:]
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other side closed: the process has ended
            break
        if not chunk:
            break
        terminal += chunk
    assert process.wait(timeout=60) == 141
    hidden, shown = terminal.rfind(b"\x1b[?25l"), terminal.rfind(b"\x1b[?25h")
    assert hidden != -1 and shown > hidden, terminal[-500:]


def git_logging_rm(folder, fail_on: str = ""):
    """A git first on PATH that logs each `git rm` (its arguments, a line each) and, given
    `fail_on`, fails one whose arguments name it (as git rm fails: nothing removed)."""
    import shutil

    folder.mkdir()
    log = folder / "rm.log"
    (folder / "git").write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = rm ]; then echo "$*" >> {log}; '
        f'case "$*" in *"{fail_on or "no such folder"}"*) echo "fatal: refused by the test" >&2; exit 128;; esac; fi\n'
        f'exec {shutil.which("git")} "$@"\n'
    )
    (folder / "git").chmod(0o755)
    return folder, log


@pytest.mark.parametrize("fail_on", ["", "b/staticfiles"])
def test_a_monorepos_projects_leave_git_in_one_git_rm_and_a_failure_is_its_projects_alone(tmp_path, fail_on):
    """git rm rewrites the whole index: the projects of one repository share one. When it fails
    (and changes nothing), each project's own git rm says which one failed; the others are done."""
    import os

    repo = tmp_path / "mono"
    for name in ("a", "b", "c"):
        copy_tree(EXAMPLE, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "three projects")
    folder, log = git_logging_rm(tmp_path / "bin", fail_on)
    result = run_cli("apply", "--all", "-r", ".", cwd=repo, env={"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"})
    calls = log.read_text().splitlines()
    assert "a/staticfiles" in calls[0] and "b/staticfiles" in calls[0] and "c/staticfiles" in calls[0]
    tracked = git(repo, "ls-files")
    if not fail_on:
        assert result.returncode == 0, result.stderr
        assert len(calls) == 1 and "staticfiles/" not in tracked
        return
    assert result.returncode == 2
    assert len(calls) == 4  # together, then each on its own
    assert "b: error: git rm -r staticfiles failed: refused by the test" in result.stderr
    assert "refactor-app apply --all --allow-dirty b`" in result.stderr
    assert "a/staticfiles/" not in tracked and "c/staticfiles/" not in tracked and "b/staticfiles/" in tracked
    assert result.stderr.splitlines()[-1] == "3 projects: 2 changed, 0 with nothing to do, 1 failed."


def test_a_clones_git_rm_runs_in_its_worker_and_a_failure_is_its_projects_alone(tmp_path):
    """A project alone in its repository gets its git rm from the worker that wrote it, right
    after the files; a failure says the same as the parent's would, for that project only."""
    import os
    import shutil
    import subprocess
    import sys

    from conftest import GIT_ENV

    clones = tmp_path / "clones"
    for name in ("a", "b", "c"):
        copy_tree(EXAMPLE, clones / name)
        git(clones / name, "init", "-q")
        git(clones / name, "add", "-A")
        git(clones / name, "commit", "-q", "-m", "start")
    folder = tmp_path / "bin"
    folder.mkdir()
    log = folder / "rm.log"
    (folder / "git").write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = rm ]; then echo "$PPID $PWD" >> {log}; '
        'case "$PWD" in */b) echo "fatal: refused by the test" >&2; exit 128;; esac; fi\n'
        f'exec {shutil.which("git")} "$@"\n'
    )
    (folder / "git").chmod(0o755)
    process = subprocess.Popen(
        [sys.executable, "-m", "refactor_app", "apply", "--all", "-r", ".", "--jobs", "2"], cwd=clones,
        env={**os.environ, **GIT_ENV, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 2
    assert "b: error: git rm -r staticfiles failed: refused by the test" in stderr
    assert "refactor-app apply --all --allow-dirty b`" in stderr
    assert stderr.splitlines()[-1] == "3 projects: 2 changed, 0 with nothing to do, 1 failed."
    assert not git(clones / "a", "ls-files", "staticfiles") and not git(clones / "c", "ls-files", "staticfiles")
    assert git(clones / "b", "ls-files", "staticfiles")
    assert (clones / "b" / "myapp" / "settings.py").read_bytes() == REFERENCE["myapp/settings.py"][0]
    calls = [line.split(" ", 1) for line in log.read_text().splitlines()]
    assert sorted(where for _, where in calls) == sorted(str((clones / name).resolve()) for name in "abc")
    assert str(process.pid) not in {parent for parent, _ in calls}  # each from a worker


def test_a_fleet_asks_git_once_a_repository_and_reads_the_rest_from_dot_git(tmp_path):
    """Clones and a monorepo: the dry run asks git nothing but, for a repository where a
    project's static folder is tracked and its files' stat data do not show it unchanged, one
    git status; apply asks each such repository one git status (the dirty-tree check, which also
    answers that) and runs one git rm a repository."""
    import os
    import shutil
    import time

    def backdated(repository):
        """Its files written an hour ago, as a clone's are once it is a second old (a file as
        new as the index could still differ from it: git then compares its content)."""
        when = time.time() - 3600
        for path in repository.rglob("*"):
            if ".git" not in path.parts:
                os.utime(path, (when, when), follow_symlinks=False)
        git(repository, "update-index", "-q", "--refresh")

    clones, mono = tmp_path / "clones", tmp_path / "mono"
    for name in ("a", "b"):
        copy_tree(EXAMPLE, clones / name)
        git(clones / name, "init", "-q")
        git(clones / name, "add", "-A")
        git(clones / name, "commit", "-q", "-m", "start")
        copy_tree(EXAMPLE, mono / name)
    git(mono, "init", "-q")
    git(mono, "add", "-A")
    git(mono, "commit", "-q", "-m", "start")
    folder = tmp_path / "bin"
    folder.mkdir()
    log = folder / "log"
    (folder / "git").write_text(f'#!/bin/sh\necho "$1" >> {log}\nexec {shutil.which("git")} "$@"\n')
    (folder / "git").chmod(0o755)
    env = {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}

    def asked(*args, cwd):
        log.write_text("")
        result = run_cli(*args, cwd=cwd, env=env)
        assert result.returncode == 0, result.stderr
        return sorted(log.read_text().split())

    for repository in (clones / "a", clones / "b", mono):
        backdated(repository)
    # Unchanged, as the index and the files' stat data say: no git status at all.
    assert asked("apply", "--all", "--dry-run", "-r", ".", cwd=clones) == []
    assert asked("apply", "--all", "--dry-run", "-r", ".", "--jobs", "1", cwd=mono) == []
    # A tracked static file written again (the same bytes): its repository's git status decides.
    (clones / "b" / "staticfiles" / "admin" / "css" / "base.css").write_bytes(
        (clones / "b" / "staticfiles" / "admin" / "css" / "base.css").read_bytes())
    assert asked("apply", "--all", "--dry-run", "-r", ".", cwd=clones) == ["status"]
    (mono / "b" / "staticfiles" / "admin" / "css" / "base.css").write_bytes(
        (mono / "b" / "staticfiles" / "admin" / "css" / "base.css").read_bytes())
    # A run that writes nothing asks one status of the whole repository (each worker: one here).
    assert asked("apply", "--all", "--dry-run", "-r", ".", "--jobs", "1", cwd=mono) == ["status"]
    assert asked("apply", "--all", "-r", ".", cwd=clones) == ["rm", "rm", "status"]
    assert asked("apply", "--all", "-r", ".", cwd=mono) == ["rm", "status"]
    assert "a/staticfiles/" not in git(mono, "ls-files") and not git(clones / "b", "ls-files", "staticfiles")


@pytest.mark.parametrize("hard", [4096, 40])
def test_a_fleet_of_more_repositories_than_open_files_raises_the_limit_or_says_so(tmp_path, hard):
    """A run holds each repository's lock (an open file) until it ends: 30 repositories under a
    soft limit of 40 files (macOS's is 256) raise it; under a hard limit too low, exit 2 says so."""
    import resource
    import subprocess
    import sys

    from conftest import GIT_ENV
    from project_builder import startproject

    if resource.getrlimit(resource.RLIMIT_NOFILE)[1] not in (resource.RLIM_INFINITY,) and \
            resource.getrlimit(resource.RLIMIT_NOFILE)[1] < hard:
        pytest.skip("the hard limit is lower than the test's")
    fleet_dir = tmp_path / "fleet"
    for number in range(30):
        startproject(fleet_dir / f"p{number:02}")

    def limited():
        resource.setrlimit(resource.RLIMIT_NOFILE, (40, hard))

    result = subprocess.run([sys.executable, "-m", "refactor_app", "apply", "--all", "-r", "."], cwd=fleet_dir,
                            env={**__import__("os").environ, **GIT_ENV}, capture_output=True, text=True,
                            timeout=120, preexec_fn=limited)
    if hard > 1000:
        assert result.returncode == 0, result.stderr
        assert result.stderr.splitlines()[-1] == "30 projects: 30 changed, 0 with nothing to do, 0 failed."
    else:
        assert result.returncode == 2
        assert "would hold a lock in each of 30 repositories" in result.stderr and "ulimit -n" in result.stderr
        assert not git_status(fleet_dir / "p00")


def _committed(folder):
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "start")


def _messages_after(stderr: str, project: str) -> list[str]:
    """The indented lines that follow a project's line in a fleet run's output."""
    found, lines_after = False, []
    for line in stderr.splitlines():
        if found and line.startswith("  "):
            lines_after.append(line.strip())
        elif found:
            break
        elif line.startswith(f"{project}: "):
            found = True
    assert found, stderr
    return lines_after


def test_a_fleet_prints_each_projects_notes_and_warnings_under_its_line(tmp_path):
    """What a project run alone warns of (a committed SECRET_KEY, Divio's proxy and the HTTPS
    redirect, nothing loading .env-local) is said in a fleet too, under that project's line."""
    fleet = tmp_path / "fleet"
    copy_tree(EXAMPLE, fleet / "divio")  # its compose file loads .env-local
    copy_tree(EXAMPLE, fleet / "plain")
    (fleet / "plain" / "docker-compose.yml").unlink()  # nothing loads .env-local
    (fleet / "plain" / ".aldryn").unlink(missing_ok=True)
    for name in ("divio", "plain"):
        _committed(fleet / name)
    alone = run_cli("apply", "--all", "--dry-run", cwd=fleet / "plain")
    expected_plain = [line for line in alone.stderr.splitlines() if line.startswith(("Note:", "Warning:"))]
    assert any(line.startswith("Note: nothing in this project loads .env-local") for line in expected_plain)

    for mode in (("--dry-run",), ()):
        result = run_cli("apply", "--all", *mode, "-r", ".", cwd=fleet)
        assert result.returncode == 0, result.stderr
        divio, plain = _messages_after(result.stderr, "divio"), _messages_after(result.stderr, "plain")
        assert any(line.startswith("Warning: the SECRET_KEY in myapp/settings.py has been committed") for line in divio)
        assert any("SECURE_PROXY_SSL_HEADER" in line for line in divio)
        assert not any(".env-local" in line for line in divio)
        assert plain == expected_plain
    # Finished: nothing to do, nothing more to say.
    again = run_cli("apply", "--all", "--dry-run", "-r", ".", cwd=fleet)
    assert _messages_after(again.stderr, "divio") == [] and _messages_after(again.stderr, "plain") == []
    status = run_cli("status", "-r", ".", cwd=fleet)
    assert [line.split(":")[0] for line in status.stdout.splitlines()[:-1]] == ["divio", "plain"]


def test_a_fleet_warns_of_an_edited_file_git_neither_tracks_nor_ignores(tmp_path):
    """An .env-local that exists, untracked and not ignored: the warning a project alone gives.
    Files the index holds are answered from it; git is asked of this one."""
    fleet = tmp_path / "fleet"
    for name in ("a", "b"):
        copy_tree(EXAMPLE, fleet / name)
        _committed(fleet / name)
    git(fleet / "a", "rm", "-q", "--cached", ".env-local")  # kept on disk, no longer tracked
    git(fleet / "a", "commit", "-q", "-m", "untrack .env-local")
    result = run_cli("apply", "--all", "--dry-run", "-r", ".", cwd=fleet)
    assert result.returncode == 0, result.stderr
    warning = [line for line in _messages_after(result.stderr, "a") if ".env-local is neither tracked nor ignored" in line]
    assert len(warning) == 1 and "add .env-local to .gitignore" in warning[0]
    assert not any("neither tracked nor ignored" in line for line in _messages_after(result.stderr, "b"))


def test_a_fleet_dry_run_shows_each_project_as_it_shows_alone_with_its_folder_in_front(tmp_path):
    """The git rm lines, a blank line, then the diff: the same text as the project alone gives,
    every path with the project's folder in front."""
    fleet = tmp_path / "fleet"
    copy_tree(EXAMPLE, fleet / "alpha")
    _committed(fleet / "alpha")
    alone = run_cli("apply", "--all", "--dry-run", cwd=fleet / "alpha").stdout
    together = run_cli("apply", "--all", "--dry-run", "-r", ".", cwd=fleet).stdout
    assert alone.startswith("git rm -r staticfiles  #") and "\n\n--- a/myapp/settings.py\n" in alone
    prefixed = (alone.replace("git rm -r staticfiles", "git rm -r alpha/staticfiles")
                .replace("    staticfiles/", "    alpha/staticfiles/")
                .replace("--- a/", "--- a/alpha/").replace("+++ b/", "+++ b/alpha/"))
    assert together == prefixed
