"""Applying steps one at a time, as the page does: each pending step planned on the files as
the previous step left them, applied, and (with `commit=True`) committed on its own, so that
`git log` reads like the page and `git revert` undoes one step.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Callable, Sequence

from refactor_app import api
from refactor_app.errors import RefactorError
from refactor_app.plan import Plan, State, StepResult
from refactor_app.project import Project


class Decision(str, enum.Enum):
    APPLY = "apply"
    SKIP = "skip"
    QUIT = "quit"


@dataclass
class StepRun:
    result: StepResult
    applied: bool = False
    skipped: bool = False
    quit_here: bool = False  # the user quit when asked about this step
    commit: str | None = None  # the commit's sha, with commit=True


@dataclass
class Session:
    runs: list[StepRun] = field(default_factory=list)
    quit: bool = False  # the user quit before every step was seen
    initial_plan: Plan | None = None  # every chosen step, planned before the first was applied

    @property
    def applied(self) -> list[StepRun]:
        return [run for run in self.runs if run.applied]


def commit_message(result: StepResult) -> str:
    files = "\n".join(f"- {name}" for name in result.files)
    return (
        f"{result.title}\n\n"
        f"refactor-app step {result.name}: {result.reason}\n\n"
        f"Files:\n{files}\n"
    )


def apply_step_by_step(
    project: Project,
    step_names: Sequence[str] | None,
    *,
    commit: bool = False,
    allow_dirty: bool = False,
    decide: Callable[[Plan], Decision] | None = None,
) -> Session:
    """Plan, (ask,) apply and (commit) each chosen step in the page's order.

    With commit=True the tree must be clean whatever allow_dirty says: a commit must hold the
    step's changes and nothing of the user's. Quitting leaves the steps already accepted
    applied (and committed) and nothing half-written: each step is written whole or not at all.
    """
    from refactor_app import runlock

    with runlock.holding(project.root) as lock:  # the whole run: no second run mixes into its commits
        return _apply_held(project, step_names, commit, allow_dirty, decide, lock.stopped_pid)


def _apply_held(project, step_names, commit, allow_dirty, decide, stopped_run) -> Session:
    from refactor_app.steps import ALL_STEP_NAMES, STEP_NAMES

    ours = api.files_refactor_app_writes(project)
    if commit:
        api.check_clean(project.root, override="as --commit needs a clean tree whatever --allow-dirty says",
                        stopped_run=stopped_run, ours=ours, settings=project.settings_files)
    elif not allow_dirty:
        api.check_clean(project.root, stopped_run=stopped_run, ours=ours, settings=project.settings_files)
    repo = None
    if commit:
        from refactor_app.editors.git import GitRepository

        repo = GitRepository.open(project.root)
    session = Session()
    names = list(STEP_NAMES) if step_names is None else [name for name in ALL_STEP_NAMES if name in step_names]
    if "proxy-ssl-header" in names and "ssl-redirect" in names:
        # The header first: no commit may hold a redirect that loops behind the platform's proxy.
        names.remove("proxy-ssl-header")
        names.insert(names.index("ssl-redirect"), "proxy-ssl-header")
    # Unknown names and bad input fail here, before anything is written; the caller reports from it.
    session.initial_plan = api.make_plan(project, step_names)
    for name in names:
        plan = api.make_plan(project, [name], in_run=names)
        result = plan.results[0]
        run = StepRun(result)
        session.runs.append(run)
        if result.state is not State.PENDING:
            continue
        if decide is not None:
            decision = decide(plan)
            if decision is Decision.QUIT:
                run.quit_here = True
                session.quit = True
                break
            if decision is Decision.SKIP:
                run.skipped = True
                continue
        try:
            api.apply(plan, allow_dirty=True)  # cleanliness was checked once, before the first step
        except RefactorError as exc:  # the step is not written (apply puts back what it wrote)
            done = len(session.applied)
            if not done:
                raise
            state = "committed" if commit else "applied"
            raise RefactorError(
                f"{exc} The {result.name} step was not applied; the {done} step{'s' if done != 1 else ''} "
                f"before it stay{'s' if done == 1 else ''} {state}."
            ) from None
        run.applied = True
        if repo is not None:
            run.commit = _commit_or_undo(repo, plan, result, len(session.applied) - 1)
    return session


def _commit_or_undo(repo, plan: Plan, result: StepResult, done: int) -> str | None:
    """Commit a step whole, or put the tree back as the last commit has it (a failed or
    interrupted commit); RefactorError says which steps stay committed, and exactly what is
    left if the undoing failed too."""
    from refactor_app.editors.git import retry_on_index_lock

    try:
        # A file the user keeps untracked is never added (it may hold secrets); one this step creates is.
        created = [edit.stored_path for edit in plan.edits if edit.is_new]
        return retry_on_index_lock(lambda: repo.commit(_edited_paths(plan), commit_message(result), created))
    except BaseException as exc:
        if not isinstance(exc, Exception) and _committed_all_the_same(repo, plan):
            raise  # Ctrl-C reached git too late: the step is committed, nothing to undo
        left = api.undo(plan)
        kept = (f"the {done} step{'s' if done != 1 else ''} before it stay{'s' if done == 1 else ''} committed" if done
                else "no step was committed")
        failure = str(exc) if isinstance(exc, RefactorError) else "refactor-app was interrupted."
        if isinstance(exc, RefactorError) and "index.lock" in failure:
            failure = f"git commit failed: {repo.git_reason(failure)}, then run again."
        if not left:
            if not isinstance(exc, RefactorError):
                raise  # Ctrl-C: the step is undone, nothing is left half done
            raise RefactorError(
                f"{failure} The {result.name} step was undone; "
                + (f"{kept}." if done else "nothing was kept.")
            ) from None
        raise RefactorError(
            f"{failure} The {result.name} step could not be wholly undone: {'; '.join(left)}. "
            f"Everything else of the step was undone and {kept} (in {plan.root})."
        ) from None


def _committed_all_the_same(repo, plan: Plan) -> bool:
    """After an interrupted commit: did git commit the step before it stopped (HEAD holds
    what the step wrote and removed)?"""
    try:
        return repo.matches_head(_edited_paths(plan) + [removal.folder for removal in plan.removals])
    except Exception:  # noqa: BLE001  (git cannot say: undo, as for any failed commit)
        return False


def _edited_paths(plan: Plan) -> list[str]:
    return [edit.stored_path for edit in plan.edits]

