"""The Python API the command line is a thin layer over: discover, plan, render, apply.

    project = discover("path/to/project")
    plan = make_plan(project)              # every step, nothing written
    print(render_diff(plan))               # what a dry run shows
    apply(plan)                            # atomic writes, then git rm
"""

from __future__ import annotations

import difflib
import functools
import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from refactor_app.errors import RefactorError
from refactor_app.plan import FileEdit, Plan, State, StepResult  # noqa: F401  (State: part of the API)
from refactor_app.project import Project, discover
from refactor_app.textfile import read_bytes
from refactor_app.writer import (
    ChangedOnDisk, read_or_none, remove_stale_temp_files, write_all_atomically, write_atomically, Write,
)

if TYPE_CHECKING:
    from refactor_app.editors.git import EarlyAnswers

__all__ = ["discover", "make_plan", "render_changes", "render_diff", "render_removals", "apply", "check_clean", "Plan", "State"]


def make_plan(
    project: Project, step_names: Sequence[str] | None = None, parse_all: bool = False, *, clean_check: bool = False,
    in_fleet: bool = False, tree: str | None = None, in_run: Sequence[str] = (),
) -> Plan:
    """Run the chosen steps (all by default, always in the page's order) on in-memory copies.

    `parse_all` makes every statement of the settings a libcst node, not only those the
    steps read: the same plan, more slowly (the tests compare the two). `clean_check`: the
    plan is for `apply` with its dirty-tree check, whose git questions then run with the
    planning's (the answer is the tree as planning found it; `apply` still compares every
    file it writes with what was planned). `in_fleet`: one project of many (fleet.py), each
    running in a busy worker: git is asked only what the plan needs, when it needs it (no
    early questions in a thread, no question that only spares one project some waiting).
    `tree` (a fleet's): what the run knows of the repository's tracked files: "clean", its
    dirty-tree check has just found them unchanged (fleet.unclean_projects), so no folder's
    changes are asked of git again; "read-only", the run writes nothing, so one git status of
    the whole repository answers every project in it (a monorepo: one, not one a project).
    `in_run`: the other steps of a run that plans its steps one at a time (--commit, --interactive);
    a step may count on one of them (ssl-redirect on proxy-ssl-header behind Heroku's proxy)."""
    from refactor_app.textfile import read_once

    with read_once():  # planning writes nothing: each folder and file it looks at is read once
        return _make_plan(project, step_names, parse_all, clean_check, in_fleet, tree, in_run)


def _make_plan(project: Project, step_names: Sequence[str] | None, parse_all: bool, clean_check: bool,
               in_fleet: bool, tree: str | None, in_run: Sequence[str] = ()) -> Plan:
    from refactor_app.steps import ALL_STEPS, STEP_NAMES, check_names, settings_read

    check_names(step_names)
    # None: the page's six (`apply --all`); the hardening steps only when named (`--hardening`).
    wanted = set(step_names) if step_names is not None else set(STEP_NAMES)
    # git runs while libcst loads (the next import)
    early_git = _ask_git_early(project, wanted, clean_check) if not in_fleet else None
    from refactor_app.workspace import Workspace

    ws = Workspace(project, None if parse_all else settings_read(wanted), early_git, in_fleet=in_fleet,
                   tree=tree)
    ws.steps_in_run = frozenset(wanted).union(in_run)
    results = []
    for step in ALL_STEPS:
        if step.name not in wanted:
            continue
        before = ws.snapshot()
        removals_before = len(ws.removals)
        outcome = step.run(ws)
        edits = ws.edits_since(before)
        removals = ws.removals[removals_before:]
        if outcome.state is not State.PENDING and (edits or removals):
            raise AssertionError(f"step {step.name} changed files but reported {outcome.state.value}")
        # A reason is one line (code in it is shortened: settings_editor.one_line_code); a value
        # quoted from a file (a multi-line .env-local value) is kept to one too.
        reason = " ".join(part.strip() for part in outcome.reason.splitlines() if part.strip())
        results.append(StepResult(step.name, outcome.title or step.title, step.summary, outcome.state, reason,
                                  edits, list(removals)))

    edits = ws.final_edits()
    _check_nothing_else_lost(ws, edits, settings_read(wanted))
    return Plan(project, results, edits, list(ws.removals), in_git=ws.git is not None,
                notes=[*project.notes, *_notes(ws, edits)],
                warnings=list(dict.fromkeys(ws.warnings)), early_git=early_git,
                find_untracked=functools.partial(_untracked, ws, edits))


def _check_nothing_else_lost(ws, edits: list[FileEdit], owned: frozenset[str]) -> None:
    """Refuse a rewritten settings module that loses a line no step meant to change (a
    libcst round trip that drops a comment): the plan, dry run included, stops with exit 2."""
    from refactor_app.editors.fidelity import lines_lost

    modules = ws.settings_modules()
    for edit in edits:
        settings = modules.get(edit.path)
        if settings is None or edit.before is None:
            continue
        lost = lines_lost(edit.before, edit.after, owned, settings.pieces.syntax if settings.pieces else None)
        lines = edit.before.splitlines()
        if lost:
            number = next((n for n in lost if lines[n - 1].strip()), lost[0])  # a comment rather than a blank
            what = f"line {number} ({lines[number - 1].decode(edit.encoding, 'replace').strip()!r})"
        elif _ends_with_newline(edit.before) != _ends_with_newline(edit.after):
            what = "the file's final newline"
        else:
            continue
        raise RefactorError(
            f"refactor-app's rewrite of {edit.display_path} would change {what}, which no step means to "
            "change (a libcst round-trip limit), so nothing was written; please report it with the file, "
            "and apply the steps by hand meanwhile."
        )


def _ends_with_newline(data: bytes) -> bool:
    return data.endswith((b"\n", b"\r"))


def _ask_git_early(project: Project, wanted: set[str] | None, clean_check: bool):
    """Start git on the questions planning will ask (the repository; the staticfiles step's
    usual folder) and, for `clean_check`, the dirty-tree check's, unless the project is
    plainly not in a repository."""
    from refactor_app.editors.git import EarlyAnswers, has_git_above

    if not has_git_above(project.root):
        return None
    folder = None
    if wanted is None or "staticfiles" in wanted:
        folder = project.default_static_folder
    # The files steps usually edit are asked about with the folder (Plan.untracked, and the
    # dirty-tree check's "is the project ignored?"), in the same processes.
    return EarlyAnswers(project.root, folder, tree=clean_check, files=project.edited_files)


def _untracked(ws, edits: list[FileEdit]) -> list[str]:
    """The files the plan edits that exist and that git neither tracks nor ignores: the early
    answer when git gave one for all of them, else one `git ls-files` (asked only when someone
    looks: Plan.untracked). Nothing when git cannot say (it refused, or hung, already reported
    or not needed by this run): the warning is advice, not a check."""
    existing = [edit.stored_path for edit in edits if not edit.is_new]
    if not existing:
        return []
    try:
        if ws.git is None:
            return []
        states = ws.early_git.file_states() if ws.early_git is not None else None
        if states is None or not states.asked.issuperset(existing):
            if ws.git.index_listing() is not None:
                # A file git tracks is not untracked, whatever the ignore rules say: the index,
                # read without a process, answers for those; git is asked of the rest only.
                asked, tracked = ws.git.tracked_among(existing)
                existing = [path for path in existing if path in asked and path not in tracked]
                if not existing:
                    return []
            states = ws.git.file_states(existing)
    except RefactorError:
        return []
    return [path for path in existing if path in states.untracked]


def _notes(ws, edits: list[FileEdit]) -> list[str]:
    """Local values help only if something loads them: when a step wrote some this run and nothing
    in the project loads the file, or only `heroku local` does (refactor_app/local_env.py), one
    note with a command that loads it for the development server."""
    from refactor_app.local_env import HEROKU_LOCAL, run_command

    local = ws.project.local_env
    if (local.loaded and local.how != HEROKU_LOCAL) or not any(edit.path == local.path for edit in edits):
        return []

    return [run_command(ws.project)]


def _check_still_parses(edit: FileEdit) -> None:
    """Safety net before anything is written: a rewritten module must still parse. Python's
    own parser (C, a tenth of libcst's time) decides; libcst only for syntax newer than the
    running Python, when the original does not compile here either."""
    from refactor_app.editors.settings import parse_module

    if _compiles(edit.after):
        return
    if edit.before is not None and not _compiles(edit.before):
        try:
            parse_module(edit.after, edit.display_path)
            return
        except RefactorError:
            pass
    raise RefactorError(
        f"refactor-app's rewrite of {edit.display_path} does not parse, so nothing was written; "
        "please report this with the file, and apply the steps by hand meanwhile."
    )


def render_diff(plan: Plan, prefix: str = "") -> str:
    """A unified diff of every file the plan changes (git apply / patch -p1 accept it); paths are
    the project's, under `prefix` (the project's folder, when several are shown together)."""
    return "".join(unified_diff(edit, prefix) for edit in plan.edits)


def render_changes(plan: Plan, prefix: str = "") -> str:
    """What a dry run shows of a plan: its git rm lines, a blank line, then its unified diff."""
    removals = render_removals(plan, prefix)
    return removals + ("\n" if removals else "") + render_diff(plan, prefix)


def render_removals(plan: Plan, prefix: str = "") -> str:
    lines = []
    for removal in plan.removals:
        count = len(removal.tracked_files)
        lines.append(f"git rm -r {prefix}{removal.folder}  # {count} tracked file{'s' if count != 1 else ''}\n")
        lines.extend(f"    {prefix}{path}\n" for path in removal.tracked_files)
    return "".join(lines)


def unified_diff(edit: FileEdit, prefix: str = "") -> str:
    """The diff of one file. Its bytes are kept as they are (non-UTF-8 ones as surrogate escapes,
    written back out as the same bytes), so the patch applies to a latin-1 or BOM file too."""
    before = _decode(edit.before) if edit.before is not None else ""
    after = _decode(edit.after)
    name = prefix + edit.stored_path
    old_name = "/dev/null" if edit.is_new else f"a/{name}"
    lines = difflib.unified_diff(_diff_lines(before), _diff_lines(after), fromfile=old_name, tofile=f"b/{name}")
    return "".join(lines)


def _diff_lines(text: str) -> list[str]:
    from refactor_app.textfile import split_lines

    lines = split_lines(text)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="surrogateescape")


def check_clean(root: Path, override: str = "or pass --allow-dirty", early: EarlyAnswers | None = None,
                stopped_run: int | None = None, ours: Sequence[str] | None = None,
                settings: Sequence[str] = (), tree: tuple[bool, list[str]] | None = None, repo=None) -> None:
    """Refuse to write into a git tree with uncommitted changes: the user must be able to review
    and undo exactly what refactor-app did. `override` ends each message: how to go on anyway.
    `early`: git's answer asked at planning (`make_plan(..., clean_check=True)`), if any.
    `stopped_run`: the pid of a run that was stopped before it finished here (runlock); `ours`:
    the files and folders refactor-app writes (`files_refactor_app_writes`): only changes to those
    can be the stopped run's, any other is the user's own work. `settings`: the settings modules
    (project-relative), which must not be files the repository ignores (one `git ls-files`).
    `tree`: git's answer (GitRepository.commits_and_changes), asked already (a fleet asks every
    repository's at once). `repo`: GitRepository.open(root), when the caller has it already."""
    from refactor_app.editors.git import GitRepository

    answered = tree if tree is not None else early.tree_state() if early is not None else None
    repo = repo if repo is not None else GitRepository.open(root)
    if repo is None:
        raise RefactorError(
            f"{root} is not in a git repository, so the changes could not be reviewed or undone; "
            f"run `git init && git add -A && git commit -m 'before refactor-app'` first, {override}."
        )
    has_commits, changed = answered if answered is not None else repo.commits_and_changes()
    if not has_commits:
        raise RefactorError(
            f"the git repository at {repo.work_tree} has no commits yet; commit your project first, {override}."
        )
    if changed:
        shown = ", ".join(changed[:3]) + (" ..." if len(changed) > 3 else "")
        if stopped_run is not None and ours is not None and all(_is_ours(path, ours) for path in changed):
            # Only files refactor-app writes changed: the stopped run's work (each file wholly old or new).
            files = " ".join(shlex.quote(path) for path in changed)
            raise RefactorError(
                f"the git tree has uncommitted changes ({shown}), and a refactor-app run (pid {stopped_run}) was "
                "stopped before it finished here, so they are probably its (each file is wholly old or new): "
                "finish the job with `refactor-app apply --all --allow-dirty`, or drop them with "
                f"`git checkout HEAD -- {files}` in {root}, then run again."
            )
        raise RefactorError(
            f"the git tree has uncommitted changes ({shown}); commit or stash them first, {override}."
        )
    if settings:
        # A project the enclosing repository ignores: git would show none of the changes.
        states = early.file_states() if early is not None else None
        if states is None or not states.asked.issuperset(settings):
            states = repo.file_states(list(settings))
        # Only the settings: other files asked about with them (an env file git ignores) may be ignored.
        hidden = [path for path in settings
                  if path in states.asked and path not in states.tracked and path not in states.untracked]
        if hidden:
            raise RefactorError(
                f"{sorted(hidden)[0]} is ignored by the git repository at {repo.work_tree}, so git could not show "
                f"or undo refactor-app's changes; commit the project to a repository that does not ignore it "
                f"first, {override}."
            )


def files_refactor_app_writes(project: Project, plan: Plan | None = None) -> list[str]:
    """The project-relative files (and folders, for git rm) any step may write or remove."""
    paths = [*project.edited_files, project.default_static_folder]
    if plan is not None:
        paths += [edit.stored_path for edit in plan.edits] + [removal.folder for removal in plan.removals]
    return paths


def _is_ours(path: str, ours: Sequence[str]) -> bool:
    return any(path == mine or path.startswith(f"{mine}/") for mine in ours)


def apply(plan: Plan, *, allow_dirty: bool = False, git_removals: bool = True) -> None:
    """Write every changed file atomically, then `git rm` what the plan removes: all of it or,
    when anything fails (or the run is interrupted), none of it.

    Files are checked against what was planned first: one changed on disk since planning
    stops the run before anything is written, and each is compared again just before its
    rename. The repository's lock (runlock) is held throughout: a second run is refused.
    """
    if not plan.has_changes:
        return
    from refactor_app import runlock

    with runlock.holding(plan.root) as lock:
        if not allow_dirty:
            check_clean(plan.root, early=plan.early_git, stopped_run=lock.stopped_pid,
                        ours=files_refactor_app_writes(plan.project, plan), settings=plan.project.settings_files)
        _apply_held(plan, git_removals)


def _apply_held(plan: Plan, git_removals: bool) -> None:
    for edit in plan.edits:
        if edit.display_path.endswith(".py"):
            _check_still_parses(edit)
    inside = plan.project.limits
    for edit in plan.edits:
        # Read again as planning read it: inside the repository, a regular file (a link swapped
        # since planning to lead outside, or a FIFO, is refused here too).
        on_disk = read_bytes(edit.path, edit.display_path, inside)
        if on_disk != edit.before:
            raise RefactorError(f"{edit.display_path} changed on disk while refactor-app ran; run it again.")
        check_writable(edit.path, edit.display_path)
    written: list[FileEdit] = []
    removed: list[str] = []
    removing = False
    try:
        for edit in plan.edits:
            remove_stale_temp_files(edit.path)  # left by a run that was killed while writing
        write_all_atomically([Write(edit.path, edit.after, edit.display_path, edit.before) for edit in plan.edits],
                             on_written=lambda index: written.append(plan.edits[index]))
        if plan.removals and git_removals:
            removing = True
            remove_from_git(plan.root, plan.removals, removed)
    except BaseException as exc:
        if removed and isinstance(exc, RefactorError):
            removed.pop()  # git rm failed, and a failed git rm changes nothing
        # (Interrupted, the git rm may have finished all the same: its folder is restored too.)
        # All of a run's changes or none: what was written is put back, what git rm removed restored.
        left = _put_back(reversed(written)) + _restore_folders(plan.root, removed)
        if not isinstance(exc, (OSError, RefactorError)) and not left:
            raise  # Ctrl-C: nothing is left changed
        if isinstance(exc, (OSError, RefactorError)):
            reason = (str(exc) if isinstance(exc, RefactorError)
                      else f"cannot write {_failed_path(exc, plan)}: {exc.strerror}")
        else:
            reason = "interrupted"
        if not left and isinstance(exc, ChangedOnDisk):
            raise RefactorError(
                f"{reason}; your version is kept and refactor-app changed nothing: run it again."
            ) from None
        if not left and removing:
            count = f"{len(written)} file{'s' if len(written) != 1 else ''}"
            raise RefactorError(
                f"{reason}, then run again; nothing was changed (the {count} refactor-app had written "
                f"{'were' if len(written) != 1 else 'was'} put back)."
            ) from None
        if not left:
            raise RefactorError(f"{reason}; nothing was changed, fix that and run again.") from None
        raise RefactorError(
            f"{reason}; and refactor-app could not undo all it had done: {'; '.join(left)}. "
            f"Nothing else was changed (in {plan.root})."
        ) from None


def _compiles(source: bytes) -> bool:
    try:
        compile(source, "<settings>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def check_writable(path: Path, display_path: str) -> None:
    """Refuse before writing anything when a file could not be written (its folder is missing or
    read-only, or a symlink points nowhere)."""
    target = Path(os.path.realpath(path))
    folder = target.parent
    if not folder.is_dir():
        shown = f"{display_path} (a link to {target})" if path.is_symlink() else display_path
        raise RefactorError(f"cannot write {shown}: {folder} does not exist; fix the path and run again.")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise RefactorError(f"cannot write {display_path}: permission denied; make it writable and run again.")


def _failed_path(exc: OSError, plan: Plan) -> str:
    for edit in plan.edits:
        if exc.filename and str(edit.path) in str(exc.filename):
            return edit.display_path
    return exc.filename or "a file"


def remove_from_git(root: Path, removals, removed: list[str] | None = None) -> None:
    """`git rm -r` each removal's folder (after the files are written, as the page does).
    `removed`: each folder is added to it as its git rm starts (what to restore on failure)."""
    from refactor_app.editors.git import GitRepository

    repo = GitRepository.open(root)
    for removal in removals:
        if removed is not None:
            removed.append(removal.folder)
        repo.remove_folder(removal.folder)


def remove_from_git_together(removals: Sequence[tuple[Path, Sequence]]) -> None:
    """`remove_from_git` for several projects of one repository ((root, removals) each), in one
    `git rm`: all of them or, when it fails, none."""
    from refactor_app.editors.git import GitRepository

    folders = [(GitRepository.open(root), removal.folder) for root, project_removals in removals
               for removal in project_removals]
    folders[0][0].remove_folders_together(folders)


def undo(plan: Plan) -> list[str]:
    """Put back what `apply(plan)` wrote and removed (and a commit attempt staged): the files'
    old bytes (a created file goes), and the index and work tree of what git rm removed.
    What could not be undone, each as a sentence saying what is left and how to finish; []
    when all was undone."""
    from refactor_app.editors.git import GitRepository, retry_on_index_lock

    left = _put_back(plan.edits)
    repo = GitRepository.open(plan.root)
    if repo is None:
        return left
    paths = [edit.stored_path for edit in plan.edits]
    try:
        retry_on_index_lock(lambda: repo.unstage(paths))
    except Exception as exc:  # noqa: BLE001  (GitPython's error or ours: reported, with what is left)
        try:
            still = repo.staged(paths)
        except RefactorError:
            still = paths
        if still:
            shown = " ".join(still)
            left.append(
                f"git still stages refactor-app's changes to {', '.join(still)} (unstaging failed: "
                f"{repo.git_reason(str(exc))}): run `git reset -q -- {shown}`"
            )
    return left + _restore_folders(plan.root, [removal.folder for removal in plan.removals])


def _put_back(edits) -> list[str]:
    """Each file's bytes from before the edit (a file the edit created is removed), unless it
    no longer holds what refactor-app wrote (saved again since): then it is left as it is.
    What could not be put back, as sentences; [] when all was."""
    left = []
    for edit in edits:
        try:
            if read_or_none(edit.path) != edit.after:
                left.append(
                    f"{edit.display_path} was changed again after refactor-app wrote it, so it was left as it is"
                )
            elif edit.before is None:
                edit.path.unlink(missing_ok=True)
            else:
                write_atomically(edit.path, edit.before, edit.display_path, expected=edit.after)
        except (OSError, RefactorError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            left.append(
                f"{edit.display_path} holds refactor-app's change (putting it back failed: {reason}): "
                f"`git checkout HEAD -- {edit.display_path}` puts it back"
            )
    return left


def _restore_folders(root: Path, folders: list[str]) -> list[str]:
    """Undo git rm -r for each folder; what could not be restored, as sentences."""
    if not folders:
        return []
    from refactor_app.editors.git import GitRepository

    left = []
    repo = GitRepository.open(root)
    for folder in folders:
        try:
            repo.restore_folder(folder)
        except RefactorError as exc:
            left.append(f"{folder}/ stays removed from git and the work tree ({exc}): "
                        f"run `git checkout HEAD -- {folder}` to bring it back")
    return left
