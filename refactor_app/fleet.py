"""Many projects in one run: `apply`/`status` with several PATHs or --recursive.

Projects run in worker processes (--jobs, default the CPU count), each wholly on its own: one
that fails is reported and the others go on. Results come back in the order the projects were
found, so --jobs 1 and --jobs 8 print the same thing, and each is printed and dropped as it
arrives, so memory does not grow with the number of projects.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Iterator, NamedTuple, Sequence

from refactor_app.errors import RefactorError
from refactor_app.project import SKIPPED_FOLDERS, find_manage_files, project_folder

EXIT_OK, EXIT_WORK_FOUND, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
UNLIMITED_DEPTH = 64


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
        if (path / "manage.py").is_file():
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
    refused: str | None = None  # why the project is not run at all (its git tree is dirty)


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

    @property
    def pending(self) -> list[str]:
        return [name for name, state in self.states if state == "pending"]


def run_project(task: Task) -> ProjectOutcome:
    """One project, start to end; never raises (a failure is the outcome)."""
    from refactor_app import api

    if task.refused is not None:
        return ProjectOutcome(task.display, EXIT_BAD_INPUT, error=task.refused)
    try:
        project = api.discover(task.root)
        if task.step_names is None and task.mode != "status":
            from refactor_app.quickcheck import every_step_done

            if every_step_done(project):  # a finished project: no parser needed
                return ProjectOutcome(task.display, EXIT_OK, root=task.root)
        plan = api.make_plan(project, task.step_names)
        if task.mode == "apply" and plan.has_changes:
            # Every repository was checked before the first project. git rm waits for the parent:
            # projects of one repository share its index, which one git command locks at a time.
            api.apply(plan, allow_dirty=True, git_removals=False)
        prefix = "" if task.display == "." else f"{task.display}/"
        diff = ""
        if task.mode in ("dry-run", "check"):
            diff = api.render_removals(plan, prefix) + api.render_diff(plan, prefix)
        return ProjectOutcome(
            task.display,
            EXIT_WORK_FOUND if task.mode == "check" and plan.has_changes else EXIT_OK,
            [(result.name, result.state.value) for result in plan.results],
            plan.has_changes,
            diff,
            removals=list(plan.removals) if task.mode == "apply" else [],
            root=task.root,
        )
    except RefactorError as exc:
        return ProjectOutcome(task.display, EXIT_BAD_INPUT, error=str(exc))
    except Exception as exc:  # a bug: reported for this project, the others go on
        return ProjectOutcome(task.display, EXIT_INTERNAL, error=f"internal error: {type(exc).__name__}: {exc}")


def run(tasks: Sequence[Task], jobs: int, on_outcome: Callable[[ProjectOutcome], None]) -> int:
    """Run every task (in `jobs` processes), hand each outcome over in order; the worst exit code."""
    from contextlib import ExitStack

    from refactor_app import api

    worst = EXIT_OK
    with ExitStack() as locks:
        tasks = _locked(tasks, locks)
        for outcome in _outcomes(tasks, jobs):
            if outcome.removals:
                try:
                    api.remove_from_git(outcome.root, outcome.removals)
                except Exception as exc:
                    # The project's files are written (by its worker); only git rm is left.
                    outcome.exit_code, outcome.error = EXIT_BAD_INPUT, (
                        f"{exc}, then finish the project (its files are written, only git rm is left) with "
                        f"`refactor-app apply --all --allow-dirty {outcome.display}`."
                    )
            on_outcome(outcome)
            worst = max(worst, outcome.exit_code)
    return worst


def _locked(tasks: Sequence[Task], locks) -> list[Task]:
    """The lock of each repository the run writes in, held (in `locks`) for the whole run: the
    workers, forked from this process, write under it, and git rm runs here. A project whose
    repository another run holds is refused, like a dirty one."""
    from refactor_app import runlock

    refusals: dict[Path, str | None] = {}
    locked = []
    for task in tasks:
        if task.mode == "apply" and task.refused is None:
            path, _ = runlock.lock_path(task.root)
            if path not in refusals:
                try:
                    locks.enter_context(runlock.holding(task.root))
                    refusals[path] = None
                except RefactorError as exc:
                    refusals[path] = str(exc)
            if refusals[path] is not None:
                task = task._replace(refused=refusals[path])
        locked.append(task)
    return locked


def _outcomes(tasks: Sequence[Task], jobs: int) -> Iterator[ProjectOutcome]:
    if jobs <= 1 or len(tasks) <= 1:
        yield from map(run_project, tasks)
        return
    import multiprocessing

    # Workers import libcst once each; fork shares what the parent already imported.
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    chunksize = max(1, min(16, len(tasks) // (jobs * 8)))
    with context.Pool(processes=jobs, initializer=_leave_interrupts_to_the_parent) as pool:
        yield from pool.imap(run_project, tasks, chunksize=chunksize)


def _leave_interrupts_to_the_parent() -> None:
    # Ctrl-C reaches every process of the terminal's group: the parent stops the run and the
    # pool, and workers print no traceback of their own.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def unclean_projects(roots: Iterable[Path]) -> dict[Path, str]:
    """The dirty-tree check, once per repository before any project is written (projects of one
    repository would otherwise find each other's changes): each refused project and why. A
    refused project is reported like a failed one; the others go on."""
    from refactor_app import api
    from refactor_app.editors.git import GitRepository

    verdicts: dict[Path, str | None] = {}
    refused: dict[Path, str] = {}
    for root in roots:
        try:
            repo = GitRepository.open(root)
        except RefactorError as exc:  # git refuses the repository (another user's): this project only
            refused[root] = str(exc)
            continue
        key = repo.work_tree if repo is not None else root
        if key not in verdicts:
            try:
                api.check_clean(root)
                verdicts[key] = None
            except RefactorError as exc:
                verdicts[key] = str(exc)
        if verdicts[key] is not None:
            refused[root] = verdicts[key]
    return refused


def display_path(root: Path) -> str:
    try:
        return PurePosixPath(os.path.relpath(root)).as_posix()
    except ValueError:
        return str(root)
