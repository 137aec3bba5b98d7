"""Many projects in one run: `apply`/`status` with several PATHs or --recursive.

Projects run in worker processes (--jobs, default the CPU count, at most one per project), each
wholly on its own: one that fails is reported and the others go on, and so does a worker that
dies (see _outcomes). Results come back in the order the projects were
found, so --jobs 1 and --jobs 8 print the same thing, and each is printed and dropped as it
arrives, so memory does not grow with the number of projects.
"""

from __future__ import annotations

import os
import re
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Iterator, NamedTuple, Sequence

from refactor_app.errors import RefactorError
from refactor_app.project import SKIPPED_FOLDERS, find_manage_files, project_folder

EXIT_OK, EXIT_WORK_FOUND, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
UNLIMITED_DEPTH = 64
# Tests only: a worker kills itself (SIGKILL) on a project that holds a file of this name, as a
# crash would; once only when the file says "once". Inert when unset.
_KILL_MARKER = os.environ.get("REFACTOR_APP_TEST_KILL_MARKER")


def find_projects(paths: Sequence[Path], recursive: bool) -> list[Path]:
    """The project folders to run: each PATH, or with `recursive` every folder below it that
    holds a manage.py (virtualenvs, node_modules and VCS folders skipped)."""
    found: dict[Path, None] = {}
    for path in paths:
        path = Path(path).expanduser()
        if not path.is_dir():
            raise RefactorError(f"{path} is not a folder; pass folders that hold Django projects.")
        if not recursive:
            found[path.resolve()] = None
            continue
        try:
            top = (path / "manage.py").is_file()
        except OSError as exc:  # not allowed to look inside
            raise RefactorError(f"cannot read {path} ({exc.strerror or exc}); pass folders you can read.") from None
        if top:
            found[path.resolve()] = None
        for manage in find_manage_files(path, UNLIMITED_DEPTH):
            found[project_folder(manage, path, include_start=False).resolve()] = None
    if recursive and not found:
        shown = ", ".join(str(p) for p in paths)
        raise RefactorError(f"no manage.py below {shown} (skipping {', '.join(sorted(SKIPPED_FOLDERS)[:4])}, ...).")
    return sorted(found)


class Task(NamedTuple):
    root: Path
    display: str  # the project folder as the user sees it (relative to the current folder)
    mode: str  # status, apply, dry-run, check
    step_names: tuple[str, ...] | None
    # Why the project may not be written (its git tree is dirty, another run holds it): said only
    # when it has something to write.
    refused: str | None = None
    # What the run knows of the repository's tracked files (api.make_plan): "clean" (its dirty-tree
    # check found them unchanged), "read-only" (it writes nothing), or None.
    tree: str | None = None
    # No other project of its repository is in the run: its worker runs its git rm, right after
    # writing (projects that share a repository leave it to the parent, one command for all).
    git_rm_here: bool = False
    # Its repository's work tree (the project folder outside git), when the dirty-tree check found it.
    repository: Path | None = None


@dataclass
class ProjectOutcome:
    display: str
    exit_code: int
    states: list[tuple[str, str]] = field(default_factory=list)  # (step, pending/done/...)
    changed: bool = False
    diff: str = ""
    error: str | None = None
    removals: list = field(default_factory=list)  # git rm still to run (in the parent), apply only
    root: Path | None = None
    declined: list[tuple[str, str]] = field(default_factory=list)  # (step, why it is not applicable)
    # The notes and warnings a run of the project alone prints after its table (a committed
    # SECRET_KEY, nothing loading .env-local, which module was edited): apply and dry run only.
    messages: list[str] = field(default_factory=list)

    @property
    def pending(self) -> list[str]:
        return [name for name, state in self.states if state == "pending"]


def run_project(task: Task) -> ProjectOutcome:
    """One project, start to end; never raises (a failure is the outcome)."""
    from refactor_app import api
    from refactor_app.textfile import read_once

    if _KILL_MARKER and (task.root / _KILL_MARKER).exists():
        _die((task.root / _KILL_MARKER))
    try:
        with read_once():  # nothing is written until the plan is made: each file is read once
            project = api.discover(task.root)
            if task.step_names is None and task.mode != "status":
                from refactor_app.quickcheck import every_step_done

                if every_step_done(project):  # a finished project: no parser needed
                    return ProjectOutcome(task.display, EXIT_OK, root=task.root)
            # A refused project (its tree dirty) is still planned, read-only: with nothing left to
            # write there is nothing to refuse, and it says "nothing to do", as a single project
            # does (a second `apply -r` before the first run's changes are committed).
            plan = api.make_plan(project, task.step_names, in_fleet=True,
                                 tree=task.tree if task.refused is None else "read-only")
        if task.refused is not None and plan.has_changes:
            return ProjectOutcome(task.display, EXIT_BAD_INPUT, error=task.refused)
        removals = list(plan.removals) if task.mode == "apply" else []
        git_rm_failed = None
        if task.mode == "apply" and plan.has_changes:
            # Every repository was checked before the first project. git rm waits for the parent
            # unless the project is alone in its repository: projects of one repository share
            # its index, which one git command locks at a time.
            with _stops_held():
                api.apply(plan, allow_dirty=True, git_removals=False)
                if task.git_rm_here and removals:
                    git_rm_failed = _git_rm_failure(task.root, removals, task.display)
                    removals = []
        prefix = "" if task.display == "." else f"{task.display}/"
        diff = ""
        if task.mode in ("dry-run", "check"):
            diff = api.render_changes(plan, prefix)
        messages = []
        if task.mode != "status" and plan.has_changes:
            from refactor_app.report import notes_and_warnings

            messages = notes_and_warnings(plan)
        return ProjectOutcome(
            task.display,
            EXIT_BAD_INPUT if git_rm_failed else
            EXIT_WORK_FOUND if task.mode == "check" and plan.has_changes else EXIT_OK,
            [(result.name, result.state.value) for result in plan.results],
            plan.has_changes,
            diff,
            error=git_rm_failed,
            removals=removals,
            root=task.root,
            declined=[(result.name, result.reason) for result in plan.results if result.state.value == "not applicable"],
            messages=messages,
        )
    except RefactorError as exc:
        if task.refused is not None:  # the refusal says first what to do (commit), as it always has
            return ProjectOutcome(task.display, EXIT_BAD_INPUT, error=task.refused)
        return ProjectOutcome(task.display, EXIT_BAD_INPUT, error=in_fleet_words(str(exc), task))
    except Exception as exc:  # a bug: reported for this project, the others go on
        return ProjectOutcome(task.display, EXIT_INTERNAL, error=f"internal error: {type(exc).__name__}: {exc}")


def command_for(task: Task) -> str:
    """The command that runs `task`'s project on its own, from the project's folder."""
    steps = " ".join(f"--step {name}" for name in task.step_names) if task.step_names else "--all"
    return {"status": "refactor-app status", "apply": f"refactor-app apply {steps}",
            "dry-run": f"refactor-app apply {steps} --dry-run", "check": f"refactor-app apply {steps} --check"}[task.mode]


def in_fleet_words(message: str, task: Task) -> str:
    """An error's advice as it works in a fleet run: `--settings` cannot be given with several
    projects (the project is then run on its own, from its folder, where the path given to
    --settings is read from), and a command the message suggests needs the project's folder."""
    import shlex

    folder = shlex.quote(task.display)
    message = message.replace("`refactor-app apply --all --allow-dirty`", f"`refactor-app apply --all --allow-dirty {folder}`")
    if "--settings" in message:
        named = re.search(r"--settings ([\w./-]+\.py)\b", message)
        settings = shlex.quote(named.group(1)) if named else "path/to/settings.py"
        message = (f"{message.rstrip('.')}. With several projects --settings cannot be given: run this one on its "
                   f"own, from its folder: `cd {folder} && {command_for(task)} --settings {settings}`.")
    return message


# Projects of one repository whose git rm runs as one command: git rm rewrites the whole index,
# as large as the repository, so a monorepo's projects one at a time would cost it N times.
REMOVALS_AT_ONCE = 32


def run(tasks: Sequence[Task], jobs: int, on_outcome: Callable[[ProjectOutcome], None]) -> int:
    """Run every task (in at most `jobs` processes), hand each outcome over in order; the worst exit code."""
    from contextlib import ExitStack

    worst = EXIT_OK
    with ExitStack() as locks:
        tasks = _locked(tasks, locks)
        # Each project's repository, for a run that writes (git rm); found once, used three times.
        keys = {task.root: task.repository or _repository_key(task.root) for task in tasks if task.mode == "apply"}
        to_come = _projects_by_repository(keys)
        tasks = [task._replace(git_rm_here=True) if task.root in keys and to_come[keys[task.root]] == 1
                 else task for task in tasks]
        outcomes = _outcomes(tasks, jobs)
        # Outcomes waiting for their repository's git rm (the first one has removals, the others
        # came after it): handed over once it has run, in order.
        waiting: list[ProjectOutcome] = []
        waiting_key: Path | None = None  # the repository of the first one

        removed = [False]  # the waiting outcomes' git rm has run

        def hand_over() -> None:
            nonlocal worst
            _remove_from_git(waiting)
            removed[0] = True
            for outcome in waiting:
                on_outcome(outcome)
                worst = max(worst, outcome.exit_code)
            waiting.clear()
            removed[0] = False

        try:
            for task, outcome in zip(tasks, outcomes):  # in the tasks' order
                key = keys.get(task.root)
                if key is not None:
                    to_come[key] -= 1
                if waiting and (len(waiting) >= REMOVALS_AT_ONCE or (outcome.removals and key != waiting_key)):
                    hand_over()
                if outcome.removals and not waiting:
                    waiting_key = key
                if outcome.removals or waiting:
                    waiting.append(outcome)
                    if not to_come.get(waiting_key):
                        hand_over()  # no other project of its repository is to come
                else:
                    on_outcome(outcome)
                    worst = max(worst, outcome.exit_code)
            hand_over()
        except BaseException:
            if waiting and not removed[0]:
                # Interrupted: the projects whose files are written get their git rm all the same,
                # as each did at once before removals were grouped.
                try:
                    _remove_from_git(waiting)
                except BaseException:  # noqa: BLE001  (a second Ctrl-C: the first one is reported)
                    pass
            raise
        finally:
            outcomes.close()  # however the run ends (Ctrl-C, a closed pipe), the workers end with it
    return worst


def _projects_by_repository(keys: dict[Path, Path]) -> dict[Path, int]:
    """How many of the projects (each with its repository in `keys`) each repository holds."""
    counts: dict[Path, int] = {}
    for key in keys.values():
        counts[key] = counts.get(key, 0) + 1
    return counts


def _repository_key(root: Path) -> Path:
    """The work tree holding `root` (found without git in the usual case), else `root`."""
    from refactor_app.editors.git import GitRepository

    try:
        repo = GitRepository.open(root)
    except RefactorError:
        return root
    return repo.work_tree if repo is not None else root


def _remove_from_git(outcomes: list[ProjectOutcome]) -> None:
    """The git rm of every outcome that has removals (projects of one repository): one command
    for all; when it fails (a failed git rm changes nothing), one for each, so that a failure
    is its project's alone."""
    from refactor_app import api

    removing = [outcome for outcome in outcomes if outcome.removals]
    if len(removing) > 1:
        try:
            api.remove_from_git_together([(outcome.root, outcome.removals) for outcome in removing])
            return
        except Exception:  # noqa: BLE001  (said below, for the project it is about)
            pass
    for outcome in removing:
        failure = _git_rm_failure(outcome.root, outcome.removals, outcome.display)
        if failure is not None:
            outcome.exit_code, outcome.error = EXIT_BAD_INPUT, failure


def _git_rm_failure(root: Path, removals: list, display: str) -> str | None:
    """Run a project's git rm, once its files are written; None, or what failed and how to finish."""
    from refactor_app import api

    try:
        api.remove_from_git(root, removals)
    except Exception as exc:  # noqa: BLE001  (said for the project it is about)
        return (f"{exc}, then finish the project (its files are written, only git rm is left) with "
                f"`refactor-app apply --all --allow-dirty {display}`.")
    return None


@contextmanager
def _stops_held() -> Iterator[None]:
    """In a worker, while a project's files and git rm are written: the parent stopping the run
    (SIGTERM) takes effect once they are done, not between two of them."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


def _locked(tasks: Sequence[Task], locks) -> list[Task]:
    """The lock of each repository the run writes in, held (in `locks`) for the whole run: the
    workers, forked from this process, write under it, and git rm runs here. A project whose
    repository another run holds is refused, like a dirty one."""
    from refactor_app import runlock

    places = {task.root: runlock.lock_path(task.root) for task in tasks if task.mode == "apply" and task.refused is None}
    _allow_open_files(len({path for path, _ in places.values()}))
    refusals: dict[Path, str | None] = {}
    locked = []
    for task in tasks:
        if task.root in places:
            path, _ = places[task.root]
            if path not in refusals:
                try:
                    locks.enter_context(runlock.holding(task.root, places[task.root]))
                    refusals[path] = None
                except RefactorError as exc:
                    refusals[path] = str(exc)
            if refusals[path] is not None:
                task = task._replace(refused=refusals[path])
        locked.append(task)
    return locked


def _allow_open_files(locks: int) -> None:
    """Each lock held is an open file: let the process open that many more than it needs
    otherwise (a system's soft limit, 1024 or macOS's 256, is raised up to its hard one)."""
    try:
        import resource
    except ImportError:  # not on POSIX: no limit to raise (and no flock either)
        return
    needed = locks + 64 + 4 * (os.cpu_count() or 1)  # and pipes to the workers and to git, files being written
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < locks + 16:  # no room left for the run itself
        raise RefactorError(
            f"this run would hold a lock in each of {locks} repositories, more open files than the system allows "
            f"one process ({hard}); run it on fewer repositories at a time, or raise the limit (ulimit -n)."
        )
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed if hard == resource.RLIM_INFINITY else min(needed, hard), hard))
    except (ValueError, OSError):
        pass  # left as it is: a lock that cannot be opened is reported for its project


# Tasks a worker holds at once, the first at work and the rest waiting in its pipe: it never
# waits for the parent between projects (on a busy machine the parent may not run for a while),
# and when it dies the parent knows which project it was working on (outcomes come back in the
# order the tasks were sent). Near the end, 2: no worker is left with a queue while another idles.
PREFETCH = 16
# Tasks sent ahead of the first outcome not yet handed over: outcomes waiting for a slow
# project to finish are kept in memory, this many at most.
WINDOW = 256


class _Worker(NamedTuple):
    process: object  # multiprocessing.Process
    conn: object  # the parent's end of its pipe
    held: deque  # indexes of the tasks sent to it, oldest (the one at work) first
    broken: list  # [True] once sending to it failed: read what it sent, then bury it


def _outcomes(tasks: Sequence[Task], jobs: int) -> Iterator[ProjectOutcome]:
    """Each task's outcome, in order, from worker processes. Even with --jobs 1 the projects run
    in a worker: a crash (a segfault in a parser) then costs its one project, not the run.

    A worker that dies costs the project it was working on: that project runs once more in a
    new worker, and if that one dies too it is reported failed; the tasks the dead worker held
    but had not started go to the others. (multiprocessing.Pool waits forever for a dead
    worker's result; concurrent.futures fails every pending project with BrokenProcessPool.)"""
    import multiprocessing
    from multiprocessing.connection import wait

    if not tasks:
        return
    jobs = max(1, min(jobs, len(tasks)))
    # Workers import libcst once each; fork shares what the parent already imported.
    fork = hasattr(os, "fork")
    context = multiprocessing.get_context("fork" if fork else "spawn")
    pending = deque(range(len(tasks)))  # not sent yet, lowest first
    ready: dict[int, ProjectOutcome] = {}  # arrived, waiting for the ones before them
    deaths: dict[int, int] = {}
    workers: dict[object, _Worker] = {}  # by connection
    next_out = 0

    def start() -> None:
        parent_end, child_end = context.Pipe()
        # A forked worker closes the parent's ends of every pipe, so that it sees the parent go.
        inherited = [*workers, parent_end] if fork else []
        process = context.Process(target=_serve, args=(child_end, inherited), daemon=True)
        process.start()
        child_end.close()
        workers[parent_end] = _Worker(process, parent_end, deque(), [])

    def feed(worker: _Worker) -> None:
        limit = PREFETCH if len(pending) > jobs * PREFETCH else 2
        while pending and len(worker.held) < limit and pending[0] < next_out + WINDOW and not worker.broken:
            index = pending.popleft()
            try:
                worker.conn.send(tasks[index])
            except OSError:  # it has died: what it sent before is still to be read
                pending.appendleft(index)
                worker.broken.append(True)
                return
            worker.held.append(index)

    def bury(worker: _Worker) -> None:
        del workers[worker.conn]
        worker.conn.close()
        worker.process.join(5)
        if worker.process.exitcode is None:
            worker.process.kill()
            worker.process.join()
        held = list(worker.held)
        if held:
            first = held[0]
            deaths[first] = deaths.get(first, 0) + 1
            if deaths[first] >= 2:
                ready[first] = _died(tasks[first], worker.process.exitcode)
                held.pop(0)
            pending.extendleft(reversed(held))
        if pending and len(workers) < jobs:
            start()

    finished = False
    try:
        for _ in range(jobs):
            start()
        while True:
            while next_out in ready:
                yield ready.pop(next_out)
                next_out += 1
            if next_out == len(tasks):
                break
            for worker in list(workers.values()):
                feed(worker)
            if not workers:
                start()
                continue
            busy = [conn for conn, worker in workers.items() if worker.held or worker.broken]
            if not busy:  # cannot happen: the next outcome is always ready, held or sendable
                raise RuntimeError(f"no project at work, {len(pending)} waiting")
            for conn in wait(busy):
                worker = workers[conn]
                try:
                    while True:  # every outcome already sent: one wait() for several
                        ready[worker.held.popleft()] = conn.recv()
                        if not (worker.held and conn.poll()):
                            break
                except (EOFError, OSError):
                    bury(worker)
        finished = True
    finally:
        for worker in workers.values():
            worker.conn.close()  # an idle worker ends when its pipe closes
            if not finished:
                worker.process.terminate()  # Ctrl-C or a reader gone: stop mid-project
        for worker in workers.values():
            worker.process.join()


def _serve(conn, inherited) -> None:
    """A worker: run each task the parent sends, send back its outcome, until the pipe closes."""
    import gc

    _leave_interrupts_to_the_parent()
    for other in inherited:
        other.close()
    # Each project makes and drops some 100,000 objects: the young generation is collected less
    # often, and what the first project leaves (libcst's classes, the steps' modules, their
    # caches) is frozen, so that the full collections after it do not walk it again.
    gc.set_threshold(5000, *gc.get_threshold()[1:])
    frozen = False
    while True:
        try:
            task = conn.recv()
            outcome = run_project(task)
            conn.send(outcome)
        except (EOFError, OSError):  # the parent has gone (or closed the pipe: the run is over)
            return
        if not frozen:
            gc.collect()
            gc.freeze()
            frozen = True


def _died(task: Task, exitcode: int | None) -> ProjectOutcome:
    import signal

    if exitcode is not None and exitcode < 0:
        try:
            how = f"signal {-exitcode}, {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"signal {-exitcode}"
    else:
        how = f"exit code {exitcode}"
    error = f"the process working on it died ({how}), also when run again; the other projects went on"
    if task.mode == "apply":
        error += (
            ". Each file it wrote is whole, but some steps may be written and others not: check "
            "`git status` there, then run apply on it alone"
        )
    else:
        error += "; run it alone to see whether it crashes again, and please report it"
    return ProjectOutcome(task.display, EXIT_INTERNAL, error=error + ".", root=task.root)


def _die(marker: Path) -> None:
    import signal

    if marker.read_text() == "once":
        marker.unlink()
    os.kill(os.getpid(), signal.SIGKILL)


def _leave_interrupts_to_the_parent() -> None:
    # Ctrl-C reaches every process of the terminal's group: the parent stops the run and the
    # workers, and workers print no traceback of their own.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def unclean_projects(roots: Iterable[Path]) -> tuple[dict[Path, str], dict[Path, Path]]:
    """The dirty-tree check, once per repository before any project is written (projects of one
    repository would otherwise find each other's changes): each refused project and why, and each
    project's repository (its work tree; outside git, the project folder). A refused project is
    reported like a failed one; the others go on. The repositories' git status run several at once."""
    from refactor_app import api
    from refactor_app.editors.git import COMMITS_AND_CHANGES, GitRepository, run_each

    refused: dict[Path, str] = {}
    keys: dict[Path, Path] = {}  # project -> its repository's work tree (or itself, outside git)
    first: dict[Path, tuple[Path, GitRepository | None]] = {}  # key -> (its first project, repository)
    for root in roots:
        try:
            repo = GitRepository.open(root)
        except RefactorError as exc:  # git refuses the repository (another user's): this project only
            refused[root] = str(exc)
            continue
        keys[root] = key = repo.work_tree if repo is not None else root
        first.setdefault(key, (root, repo))
    # A repository whose index and files' stat data say nothing changed needs no git status.
    clean = {key for key, (_, repo) in first.items() if repo is not None and repo.stat_data_unchanged()}
    asked = [key for key, (_, repo) in first.items() if repo is not None and key not in clean]
    # Four a core: each git status is short and partly waits (starting up, reading the index).
    answers = dict(zip(asked, run_each([(COMMITS_AND_CHANGES, key) for key in asked],
                                           min(16, 4 * (os.cpu_count() or 1)))))
    verdicts: dict[Path, str | None] = {}
    for key, (root, repo) in first.items():
        try:
            tree = None
            if key in clean:
                tree = (True, [])
            elif repo is not None:
                answer = answers[key]
                if isinstance(answer, RefactorError):
                    raise answer
                tree = repo.read_commits_and_changes(answer)
            api.check_clean(root, tree=tree, repo=repo)
            verdicts[key] = None
        except RefactorError as exc:
            verdicts[key] = str(exc)
    for root, key in keys.items():
        if verdicts[key] is not None:
            refused[root] = verdicts[key]
    return refused, keys


def display_path(root: Path) -> str:
    try:
        return PurePosixPath(os.path.relpath(root)).as_posix()
    except ValueError:
        return str(root)
