"""Git: the dirty-tree check, tracked files under a folder, `git rm -r`, commits.

Queries and `git rm` run the git binary directly, as GitPython itself would: importing
GitPython costs about 40 ms, as much as planning a whole project, and every run asks git
something. Commits and their undoing go through GitPython (imported then), where its error
handling and object model earn their cost.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import subprocess
from pathlib import Path, PurePosixPath
from typing import NamedTuple, Sequence

from refactor_app.editors.git_direct import IndexListing, read_index, unchanged, work_tree_top
from refactor_app.errors import RefactorError
from refactor_app.textfile import real_path

# project folder -> its repository's work tree (found ones only), and whether its files are plain
# enough to read without git (git_direct.py)
_WORK_TREES: dict[Path, tuple[Path, bool]] = {}
_TREE_CHANGES: dict[Path, frozenset[str]] = {}  # work tree -> what its git status listed (GitRepository._tree_changes)


class GitRepository:
    def __init__(self, work_tree: Path, project_root: Path, plain: bool = False, resolved: bool = False) -> None:
        """`resolved`: both paths are real already (as `open` finds them): no realpath again."""
        self.work_tree = work_tree if resolved else work_tree.resolve()
        self.project_root = project_root if resolved else project_root.resolve()
        self.plain = plain  # its index can be read directly (git_direct.read_index)
        self._gitpython_repo = None

    @classmethod
    def open(cls, project_root: Path) -> "GitRepository | None":
        """The repository holding `project_root`, or None when it is not in one (or is bare)."""
        key = Path(real_path(project_root))
        if not _git_above(key):
            return None  # no .git here or above: not a repository, and no git process to ask
        if key not in _WORK_TREES:  # asked several times a run: planning, the dirty check, git rm
            if len(_WORK_TREES) > 4096:
                _WORK_TREES.clear()  # a fleet worker goes through each project once: keep it small
            top = work_tree_top(key)  # a plain .git folder: no process to ask
            if top is not None:
                _WORK_TREES[key] = (Path(top), True)
            else:
                result = _run_git(["rev-parse", "--show-toplevel"], project_root, check=False)
                _check_ownership(result)  # a repository git refuses is no "not a repository"
                if result.returncode != 0 or not result.stdout.strip():
                    return None
                _WORK_TREES[key] = (Path(result.stdout.strip().decode("utf-8", "surrogateescape")).resolve(), False)
        work_tree, plain = _WORK_TREES[key]
        return cls(work_tree, key, plain, resolved=True)

    def stat_data_unchanged(self, folder_path: str = "") -> bool:
        """Do the index and the files' stat data alone say that no tracked file changed (under
        `folder_path`, relative to the work tree)? No git process; False when git must be asked
        (git_direct.unchanged)."""
        return self.plain and bool(unchanged(str(self.work_tree), folder_path))

    def index_listing(self) -> IndexListing | None:
        """The paths the index holds, read directly; None when git must be asked."""
        return read_index(str(self.work_tree)) if self.plain else None

    @property
    def _repo(self):
        """GitPython's view of the repository, for commits (imported on first use)."""
        if self._gitpython_repo is None:
            import git

            self._gitpython_repo = git.Repo(self.work_tree)
        return self._gitpython_repo

    def _git(self, *args: str) -> str:
        result = _run_git(list(args), self.work_tree, check=True)
        return result.stdout.decode("utf-8", "surrogateescape")

    def _repo_path(self, project_path: str) -> str:
        """A project-relative path as git sees it (relative to the work tree)."""
        prefix = self._project_prefix
        if prefix is not None and project_path and not project_path.startswith("/") and "\\" not in project_path \
                and all(part not in ("", ".", "..") for part in project_path.split("/")):
            return f"{prefix}{project_path}"  # already normal: the project's folder before it
        full = self.project_root / project_path
        return PurePosixPath(os.path.relpath(full, self.work_tree)).as_posix()

    def _project_path(self, repo_path: str) -> str:
        # The paths git gives are normalised and relative to the work tree: one in the project's
        # folder is the same path without the folder's prefix (a checked-in staticfiles/ holds
        # hundreds; relpath costs tens of microseconds each).
        prefix = self._project_prefix
        if prefix is not None and repo_path.startswith(prefix) and len(repo_path) > len(prefix) \
                and not repo_path.startswith("/") and all(part not in ("", ".", "..") for part in repo_path.split("/")):
            return repo_path[len(prefix):]
        full = self.work_tree / repo_path
        return PurePosixPath(os.path.relpath(full, self.project_root)).as_posix()

    @functools.cached_property
    def _project_prefix(self) -> str | None:
        """The project's folder as git names it, with a slash ("" at the top of the work tree)."""
        relative = PurePosixPath(os.path.relpath(self.project_root, self.work_tree)).as_posix()
        if relative == ".":
            return ""
        return None if relative.startswith("../") or relative == ".." else f"{relative}/"

    def folder_state(self, folder: str, files: Sequence[str] = (), probe_ignored: bool = True,
                     changes: str = "ask") -> FolderState:
        """What git says about a project folder: its tracked files, those with uncommitted
        changes, and whether a new file in it would be ignored. The git processes run at once
        (each costs a few milliseconds, mostly starting up). `files` (project-relative) are asked
        about in the same processes, ls-files's and check-ignore's: which git tracks, and which it
        neither tracks nor ignores (FolderState.files; None if git could not say).

        The tracked files are read from the index when it can be read directly (no process), and
        `git status` runs only when the folder has some (`changed` means nothing without them).
        Without `probe_ignored` (a fleet: the answer only spares a pathspec import), neither the
        folder nor `files` are asked about: FolderState.ignored and .files are None. `changes`:
        "ask", a git status of the folder; "none", the caller knows the tracked files have no
        uncommitted changes (the run's dirty-tree check has just found none): no git status;
        "shared", nothing changes the repository during the run: one git status of it, kept for
        every folder and project asked about after (see `_tree_changes`)."""
        folder_path = self._repo_path(folder)
        self._check_ignore_files(folder_path)
        listing = self.index_listing() if not folder_path.startswith("../") and folder_path != ".." else None
        if listing is None:
            return self._folder_state_asked(folder, folder_path, files)
        tracked = listing.under(folder_path)
        if tracked and changes == "ask" and self.stat_data_unchanged(folder_path):
            changes = "none"  # the index and the files' stat data say so: no git status to ask
        asks_status = tracked and changes == "ask"
        commands = [self._status_args(folder)] if asks_status else []
        asked_paths: dict[str, str] = {}
        probe = self._repo_path(f"{folder}/refactor-app-probe")
        if probe_ignored:
            asked = [path for path in self._inside(files)
                     if _printed_verbatim(self._repo_path(path)) and os.path.lexists(self.project_root / path)]
            if not _printed_verbatim(probe):
                asked = []
            asked_paths = {self._repo_path(path): path for path in asked}
            commands.append(["check-ignore", "--", probe, *asked_paths] if asked else ["check-ignore", "-q", "--", probe])
        results = _run_git_concurrently(commands, self.work_tree) if commands else []
        changed: list[str] = []
        if asks_status:
            status = results.pop(0)
            _check(status, ["status"])
            changed = self._changed_files(_text(status))
        elif tracked and changes == "shared":
            changed = sorted(self._project_path(path) for path in self._tree_changes()
                             if path == folder_path or path.startswith(f"{folder_path}/"))
        folder_ignored, states = None, None
        if probe_ignored:
            ignored = results.pop(0)
            # Where the index's stat data spared the git status, this is the one git process a
            # dry run starts: git's refusal of another user's repository is reported here too,
            # whatever the files' timestamps (a test saw it only when the index was racy).
            _check_ownership(ignored)
            if ignored.returncode in (0, 1):  # 1: nothing ignored; else git could not say
                ignored_paths = set(_text(ignored).splitlines())
                folder_ignored = probe in ignored_paths if asked_paths else ignored.returncode == 0
                if asked_paths:
                    tracked_files = {path for repo_path, path in asked_paths.items() if listing.holds(repo_path)}
                    ignored_files = {asked_paths[path] for path in ignored_paths if path in asked_paths}
                    asked_set = set(asked_paths.values())
                    states = FileStates(frozenset(asked_set), frozenset(tracked_files),
                                        frozenset(asked_set - tracked_files - ignored_files))
        return FolderState(
            tracked=sorted(self._project_path(path) for path in tracked),
            changed=changed,
            ignored=folder_ignored,
            files=states,
        )

    def _folder_state_asked(self, folder: str, folder_path: str, files: Sequence[str]) -> FolderState:
        """folder_state with every answer asked of git: ls-files, status and check-ignore at once."""
        probe = self._repo_path(f"{folder}/refactor-app-probe")  # check-ignore takes paths, not pathspecs
        # check-ignore prints the ignored paths as given, but C-quotes unusual ones (no -z without
        # --stdin): only paths it prints verbatim are asked; the others get no early answer.
        asked = [path for path in self._inside(files)
                 if _printed_verbatim(self._repo_path(path)) and os.path.lexists(self.project_root / path)]
        if not _printed_verbatim(probe):
            asked = []
        asked_paths = {self._repo_path(path): path for path in asked}
        tracked, status, ignored = _run_git_concurrently([
            ["ls-files", "-z", "--", _literal(folder_path), *(_literal(path) for path in asked_paths)],
            self._status_args(folder),
            ["check-ignore", "--", probe, *asked_paths] if asked else ["check-ignore", "-q", "--", probe],
        ], self.work_tree)
        for result, args in ((tracked, "ls-files"), (status, "status")):
            _check(result, [args])
        listed = [path for path in _text(tracked).split("\0") if path]
        in_folder = [path for path in listed if path == folder_path or path.startswith(f"{folder_path}/")]
        answered = ignored.returncode in (0, 1)  # 1: nothing ignored; else git could not say
        ignored_paths = set(_text(ignored).splitlines())
        folder_ignored = (probe in ignored_paths if asked else ignored.returncode == 0) if answered else None
        states = None
        if asked and answered:
            tracked_files = {asked_paths[path] for path in listed if path in asked_paths}
            ignored_files = {asked_paths[path] for path in ignored_paths if path in asked_paths}
            states = FileStates(frozenset(asked), frozenset(tracked_files),
                                frozenset(set(asked) - tracked_files - ignored_files))
        return FolderState(
            tracked=sorted(self._project_path(path) for path in in_folder),
            changed=self._changed_files(_text(status)),
            ignored=folder_ignored,
            files=states,
        )

    def _tree_changes(self) -> frozenset[str]:
        """The paths (relative to the work tree) `git status` of the whole repository lists, a
        rename's or copy's source too (a status of one folder lists a file renamed out of it as
        deleted there): asked once a process, for runs that change nothing in the repository."""
        if self.work_tree not in _TREE_CHANGES:
            names: set[str] = set()
            if not self.stat_data_unchanged():  # else stat data say: nothing
                entries = _text(_run_git(self._status_args(None), self.work_tree, check=True)).split("\0")
                index = 0
                while index < len(entries):
                    entry = entries[index]
                    if len(entry) > 3:
                        names.add(entry[3:])
                        if entry[0] in "RC" and index + 1 < len(entries):
                            index += 1
                            names.add(entries[index])  # the source path, as it is
                    index += 1
            if len(_TREE_CHANGES) > 4096:
                _TREE_CHANGES.clear()
            _TREE_CHANGES[self.work_tree] = frozenset(names)
        return _TREE_CHANGES[self.work_tree]

    def _check_ignore_files(self, repo_folder: str) -> None:
        """git reads the .gitignore of each folder down to `repo_folder`: one that is not a regular
        file (a FIFO) would make it wait forever, so it is refused first (a few stat calls)."""
        current = self.work_tree
        for part in ("", *PurePosixPath(repo_folder).parts):
            if part in ("..", "."):
                return  # outside the work tree: git is not asked about it
            current = current / part if part else current
            try:
                mode = os.stat(current / ".gitignore").st_mode
            except OSError:
                continue
            if not stat.S_ISREG(mode):
                shown = PurePosixPath(os.path.relpath(current / ".gitignore", self.project_root)).as_posix()
                raise RefactorError(
                    f"{shown} is not a regular file (a FIFO or a device), and git would wait on it forever; "
                    "remove it and run again."
                )

    def file_states(self, project_paths: Sequence[str]) -> FileStates:
        """Which of these files git tracks, and which exist but git neither tracks nor ignores:
        one `git ls-files`."""
        asked = self._inside(project_paths)
        tracked: set[str] = set()
        untracked: set[str] = set()
        skipped: set[str] = set()
        if asked:
            listing = self._git("ls-files", "-z", "-t", "--cached", "--others", "--exclude-standard", "--",
                                *(_literal(self._repo_path(path)) for path in asked))
            for entry in listing.split("\0"):
                if len(entry) > 2:  # "H path" (tracked; S, M... too) or "? path" (untracked, not ignored)
                    path = self._project_path(entry[2:])
                    (untracked if entry[0] == "?" else tracked).add(path)
                    if entry[0] == "S":  # skip-worktree: the user keeps its changes out of commits
                        skipped.add(path)
        return FileStates(frozenset(asked), frozenset(tracked & set(asked)), frozenset(untracked & set(asked)),
                          frozenset(skipped & set(asked)))

    def tracked_among(self, project_paths: Sequence[str]) -> tuple[frozenset[str], frozenset[str]]:
        """(the files asked: those inside the work tree, those of them git tracks), as
        `file_states` says them: read from the index when it can be read directly, else one
        `git ls-files`."""
        listing = self.index_listing()
        if listing is None:
            states = self.file_states(project_paths)
            return states.asked, states.tracked
        asked = self._inside(project_paths)
        return frozenset(asked), frozenset(path for path in asked if listing.holds(self._repo_path(path)))

    def _inside(self, project_paths: Sequence[str]) -> list[str]:
        """Those of `project_paths` inside the work tree (git refuses to hear of the others)."""
        return [path for path in dict.fromkeys(project_paths) if not self._repo_path(path).startswith("../")]

    def _status_args(self, folder: str | None) -> list[str]:
        """The `git status` that lists tracked files with staged or unstaged changes (under a
        folder, or all): unlike a diff against HEAD it also works before the first commit."""
        paths = ["--", _literal(self._repo_path(folder))] if folder else []
        return ["status", "--porcelain=v1", "-z", "--untracked-files=no", *paths]

    def _changed_files(self, status: str) -> list[str]:
        """The project-relative paths `git status --porcelain=v1 -z` lists, sorted."""
        entries = status.split("\0")
        names, index = [], 0
        while index < len(entries):
            entry = entries[index]
            if len(entry) > 3:
                names.append(entry[3:])
                if entry[0] in "RC":
                    index += 1  # a rename's or copy's source path follows
            index += 1
        return sorted(self._project_path(name) for name in set(names))

    def files_mentioning(self, text: str, excluded: Sequence[str] = ()) -> list[str] | None:
        """The project's files (tracked, or untracked and not ignored) whose text holds `text`,
        project-relative, without the `excluded` folders and files: one `git grep`. None when git
        cannot say."""
        args = ["grep", "-I", "-l", "-z", "-F", "--untracked", "-e", text, "--", "."]
        args += [f":(exclude,literal){path}" for path in excluded]
        result = _run_git(args, self.project_root, check=False)
        if result.returncode not in (0, 1):  # 1: no file holds it
            return None
        return sorted(path for path in _text(result).split("\0") if path)

    def has_commits(self) -> bool:
        return _run_git(["rev-parse", "--verify", "--quiet", "HEAD"], self.work_tree, check=False).returncode == 0

    def commits_and_changes(self) -> tuple[bool, list[str]]:
        """Has the repository a commit, and which tracked files have uncommitted changes
        (project-relative)? The dirty-tree check: one `git status`, whose branch header says
        whether HEAD has a commit, unless the index and the files' stat data say nothing changed
        (git_direct.unchanged)."""
        if self.stat_data_unchanged():
            return True, []
        return self.read_commits_and_changes(_run_git(COMMITS_AND_CHANGES, self.work_tree, check=False))

    def read_commits_and_changes(self, status: subprocess.CompletedProcess) -> tuple[bool, list[str]]:
        """commits_and_changes from the result of `git COMMITS_AND_CHANGES` (run by the caller,
        several at once in a fleet)."""
        _check(status, ["status"])
        entries = _text(status).split("\0")
        names, has_commits, index = [], True, 0
        while index < len(entries):
            entry = entries[index]
            index += 1
            kind = entry[:2]
            if entry.startswith("# branch.oid "):
                has_commits = entry != "# branch.oid (initial)"
            elif kind in ("1 ", "2 ", "u "):
                # Fields before the path: 8 for a change, 9 for a rename or copy (its source
                # path follows, as the next entry), 10 for an unmerged path.
                fields = {"1 ": 8, "2 ": 9, "u ": 10}[kind]
                names.append(entry.split(" ", fields)[fields])
                if kind == "2 ":
                    index += 1
        return has_commits, sorted(self._project_path(name) for name in set(names))

    def remove_folder(self, folder: str) -> None:
        """`git rm -r -q -- folder`: from the index and from the work tree (waiting a moment
        for another git command's index lock). git rm changes nothing when it fails."""
        self._index_command(f"git rm -r {folder}", "rm", "-r", "-q", "--", _literal(self._repo_path(folder)))

    def remove_folders_together(self, removals: Sequence[tuple["GitRepository", str]]) -> None:
        """`git rm -r -q` of several projects' folders of this repository ((the project's
        repository, folder) each) in one command: the index, as large as the repository, is
        rewritten once, not once a project. Nothing is removed when it fails."""
        paths = [_literal(repo._repo_path(folder)) for repo, folder in removals]
        self._index_command(f"git rm -r ({len(paths)} folders)", "rm", "-r", "-q", "--", *paths)

    def _index_command(self, shown: str, *args: str) -> None:
        """A git command that writes the index: retried while another git command holds the
        index lock (an editor's `git status`), for a second or two; then RefactorError saying
        what failed and what to do (`shown` names the command)."""
        result = retry_on_index_lock(lambda: _run_git(list(args), self.work_tree, check=False))
        if result.returncode != 0:
            raise RefactorError(f"{shown} failed: {self.git_reason(result.stderr)}")

    def unstage(self, project_paths: list[str]) -> None:
        if project_paths and self.has_commits():
            self._repo.git.reset("-q", "--", *(self._repo_path(path) for path in project_paths))

    def restore_folder(self, folder: str) -> None:
        """Undo `git rm -r folder`: back in the index and the work tree, as HEAD has it."""
        self._index_command(f"git checkout HEAD -- {folder}",
                            "checkout", "HEAD", "--", _literal(self._repo_path(folder)))

    def staged(self, project_paths: list[str]) -> list[str]:
        """Which of `project_paths` the index holds differently from HEAD (read-only: it
        answers while another git command holds the index lock)."""
        if not project_paths:
            return []
        result = _run_git(["diff", "--cached", "--name-only", "-z", "--",
                           *(_literal(self._repo_path(path)) for path in project_paths)], self.work_tree, check=True)
        return sorted(self._project_path(name) for name in _text(result).split("\0") if name)

    def matches_head(self, project_paths: list[str]) -> bool:
        """Do the work tree's `project_paths` (files or folders) read as HEAD has them?"""
        paths = [_literal(self._repo_path(path)) for path in project_paths]
        return _run_git(["diff", "--quiet", "HEAD", "--", *paths], self.work_tree, check=False).returncode == 0

    def git_reason(self, stderr: bytes | str) -> str:
        """git's complaint in a few words and what to do about it; a held index lock by name."""
        text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
        lock = re.search(r"Unable to create '([^']*index\.lock)': File exists", text)
        if lock:
            path = Path(lock.group(1))
            try:
                shown = PurePosixPath(os.path.relpath(path, self.project_root)).as_posix()
            except ValueError:
                shown = str(path)
            if shown.startswith("../"):
                shown = str(path)
            return (f"{shown} exists: another git command is running in this repository, or one was stopped "
                    f"before it finished; if none is running, remove {shown}")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        at = next((i for i, line in enumerate(lines) if line.startswith(("fatal:", "error:"))), len(lines) - 1)
        chosen = lines[at] if lines else ""
        if chosen.endswith(":") and at + 1 < len(lines):  # "...local modifications:" and the file's name below
            chosen = f"{chosen} {lines[at + 1]}"
        chosen = re.sub(r"^(fatal|error):\s*", "", chosen).rstrip(".")
        return f"{chosen or 'git gave no reason'}; fix that"

    def commit(self, project_paths: list[str], message: str, created: Sequence[str] = ()) -> str | None:
        """Stage `project_paths` and commit them; the new commit's sha, or None when nothing of
        them is committable. Removals are staged already. A file git neither tracks nor ignores
        is added only if it is in `created` (this step made it: a new .env-local holds only the
        local values refactor-app writes); one the user keeps untracked, which may hold secrets,
        never is. Ignored files stay out."""
        import git

        states = self.file_states(project_paths)
        addable = [path for path in project_paths if path not in states.skipped
                   and (path in states.tracked or (path in states.untracked and path in created))]
        try:
            if addable:
                self._repo.git.add("--", *(self._repo_path(path) for path in addable))
            if _run_git(["diff", "--cached", "--quiet"], self.work_tree, check=False).returncode == 0:
                return None  # only ignored files changed: they are written, there is nothing to commit
            self._repo.git.commit("-q", "-m", message)
        except git.GitCommandError as exc:
            detail = re.sub(r"^\s*stderr: '|'\s*$", "", exc.stderr or "").strip().splitlines()
            reason = next((line.strip() for line in detail if line.strip()), str(exc))
            if "tell me who you are" in reason.lower() or "user.email" in (exc.stderr or ""):
                reason = "git does not know who you are"
                raise RefactorError(
                    f"git commit failed: {reason}; run git config user.name 'Your Name' and "
                    "git config user.email you@example.com, then run again."
                ) from None
            raise RefactorError(f"git commit failed: {reason}; fix that and run again.") from None
        return self._repo.head.commit.hexsha


class EarlyAnswers:
    """A project's repository, a folder's state and, for a run that writes, the dirty-tree
    check's answer, asked of git before anything needs them: the git processes run while
    Python loads libcst and parses the settings, instead of after (one project would spend
    about 15 ms waiting on them). Nothing is written meanwhile (the answers serve one plan).
    git's errors are raised where the answer is used."""

    def __init__(self, project_root: Path, folder: str | None, tree: bool = False, files: Sequence[str] = ()) -> None:
        """`files`: project-relative paths asked about with `folder` (no process of their own)."""
        import threading

        self.project_root = project_root
        self.folder = folder
        self.files = tuple(files)
        self.tree = tree
        self._folder_state: FolderState | None = None
        self._tree_state: tuple[bool, list[str]] | None = None
        # git's own refusals (a timeout, no git program) are reported where the answer is
        # needed, not asked again: a git that hung once would make the user wait twice.
        self._open_error: RefactorError | None = None
        self._folder_error: RefactorError | None = None
        self._tree_error: RefactorError | None = None
        self._thread = threading.Thread(target=self._ask, name="refactor-app git", daemon=True)
        self._thread.start()

    def _ask(self) -> None:
        repository, self._open_error = _asked(lambda: GitRepository.open(self.project_root))  # remembered
        if repository is None:
            return
        if self.folder is not None:
            self._folder_state, self._folder_error = _asked(lambda: repository.folder_state(self.folder, self.files))
            if self._folder_error is not None:
                self._tree_error = self._folder_error  # a git that hung is not asked again
                return
        if self.tree:
            self._tree_state, self._tree_error = _asked(repository.commits_and_changes)

    def wait(self) -> None:
        """Once git has answered; raises what opening the repository raised."""
        self._thread.join()
        if self._open_error is not None:
            raise self._open_error

    def folder_state(self, folder: str) -> FolderState | None:
        """The early answer for `folder`, if it was the one asked about."""
        self.wait()
        if folder != self.folder:
            return None
        if self._folder_error is not None:
            raise self._folder_error
        return self._folder_state

    def file_states(self) -> FileStates | None:
        """What git said about the files asked with the folder, if it could say."""
        self.wait()
        return self._folder_state.files if self._folder_state is not None else None

    def tree_state(self) -> tuple[bool, list[str]] | None:
        """The early answer to `GitRepository.commits_and_changes`, if it was asked."""
        self.wait()
        if self._tree_error is not None:
            raise self._tree_error
        return self._tree_state


def _asked(question):
    """(answer, None), or (None, git's refusal: a timeout, no git program). Any other failure
    gives (None, None): the question is asked again where the answer is needed, and reported there."""
    try:
        return question(), None
    except RefactorError as exc:
        return None, exc
    except Exception:  # noqa: BLE001
        return None, None


def has_git_above(folder: Path) -> bool:
    """Is there a .git in `folder` or above it (or a GIT_DIR)? A few stat calls, no git process."""
    return _git_above(Path(folder).resolve())


def _git_above(folder: Path) -> bool:
    """has_git_above of a resolved folder."""
    return bool(os.environ.get("GIT_DIR")) or any(os.path.exists(os.path.join(f, ".git")) for f in (folder, *folder.parents))


# The dirty-tree check's one question: tracked files with changes, and (the header) whether HEAD has a commit.
# (--no-ahead-behind: a clone's branch is not compared with its upstream, which can cost seconds.)
COMMITS_AND_CHANGES = ["status", "--porcelain=v2", "--branch", "--no-ahead-behind", "-z", "--untracked-files=no"]

INDEX_LOCK_WAITS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5)  # seconds: about 1.5 s in all


def retry_on_index_lock(call):
    """`call()` again while it fails because another git command holds the index lock: its
    result, or what it raised, once it succeeds, fails otherwise, or the waits are over."""
    import time

    for wait in (*INDEX_LOCK_WAITS, None):
        try:
            result = call()
        except Exception as exc:  # noqa: BLE001  (GitPython's and our errors alike)
            if wait is None or not _index_locked(str(exc)):
                raise
        else:
            stderr = getattr(result, "stderr", b"")
            if wait is None or getattr(result, "returncode", 0) == 0 or not _index_locked(stderr):
                return result
        time.sleep(wait)


def _index_locked(message: bytes | str) -> bool:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return "index.lock" in text and "File exists" in text


def _literal(path: str) -> str:
    """A pathspec that means exactly this path (no glob characters interpreted)."""
    return f":(literal){path}"


class FileStates(NamedTuple):
    """What git says about some of a project's files (project-relative paths)."""

    asked: frozenset[str]  # the files git was asked about: nothing is known of the others
    tracked: frozenset[str]
    untracked: frozenset[str]  # exist, neither tracked nor ignored (refactor-app never commits one it did not create)
    skipped: frozenset[str] = frozenset()  # tracked, marked skip-worktree: written, never committed


class FolderState(NamedTuple):
    tracked: list[str]  # project-relative, sorted
    changed: list[str]  # tracked files with uncommitted changes
    ignored: bool | None  # would git ignore a new file in the folder (by any ignore file)? None: git could not say
    files: FileStates | None = None  # the files asked about with the folder, if git could say


def _printed_verbatim(path: str) -> bool:
    """Does git print this path as it is (no C-quoting: printable ASCII, no quote or backslash)?"""
    return all(" " <= char <= "~" and char not in '"\\' for char in path)


def _run_git(args: list[str], cwd: Path, check: bool) -> subprocess.CompletedProcess:
    result = _finish(_start(args, cwd), args)
    if check:
        _check(result, args)
    return result


def _run_git_concurrently(commands: list[list[str]], cwd: Path) -> list[subprocess.CompletedProcess]:
    """Several read-only git commands at once (each costs a few milliseconds, mostly starting
    up); their results in order."""
    processes: list[subprocess.Popen] = []
    try:
        for args in commands:
            processes.append(_start(args, cwd))
        return [_finish(process, args) for process, args in zip(processes, commands)]
    finally:
        for process in processes:  # after a failure, none is left running
            if process.poll() is None:
                _stop(process)


def run_each(commands: Sequence[tuple[list[str], Path]], at_once: int) -> list:
    """Read-only git commands, each in its folder, `at_once` of them running at a time (each
    mostly starts up: on several cores they overlap): each one's CompletedProcess, or the
    RefactorError it raised (no git, a timeout), in order."""
    from collections import deque

    results: list = [None] * len(commands)
    running: deque = deque()  # (index, process, args)

    def collect() -> None:
        index, process, args = running.popleft()
        try:
            results[index] = _finish(process, args)
        except RefactorError as exc:
            results[index] = exc

    try:
        for index, (args, cwd) in enumerate(commands):
            if len(running) >= at_once:
                collect()
            try:
                running.append((index, _start(args, cwd), args))
            except RefactorError as exc:
                results[index] = exc
        while running:
            collect()
    finally:
        for _, process, _ in running:  # after an interruption, none is left running
            if process.poll() is None:
                _stop(process)
    return results


def _start(args: list[str], cwd: Path) -> subprocess.Popen:
    # No optional locks: a `git status` would otherwise refresh the index under its lock,
    # and a `git rm` of another project of the same repository (a fleet run) would fail.
    # (The variable, unlike --no-optional-locks, does not trouble a git older than 2.15.)
    environment = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        return subprocess.Popen(["git", *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=environment)
    except FileNotFoundError:
        raise RefactorError("git is not installed (no git program on PATH); install git and run again.") from None
    except NotADirectoryError:
        raise RefactorError(f"{cwd} is not a folder; pass your project's folder.") from None


GIT_TIMEOUT = 300  # seconds


def _finish(process: subprocess.Popen, args: list[str]) -> subprocess.CompletedProcess:
    try:
        stdout, stderr = process.communicate(timeout=GIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise RefactorError(
            f"git {args[0]} did not answer within {GIT_TIMEOUT} seconds; check the repository "
            "(git status should answer) and run again."
        ) from None
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _stop(process: subprocess.Popen) -> None:
    # Wait for git itself, not for its pipes: a helper it started may hold them open.
    process.kill()
    process.wait()
    for pipe in (process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()


def _check_ownership(result: subprocess.CompletedProcess) -> None:
    """git (2.35.2 and later) refuses a repository another user owns: say so, with git's own
    way out (its `safe.directory` line), instead of "not a git repository"."""
    if result.returncode == 0 or b"dubious ownership" not in result.stderr:
        return
    lines = [line.strip() for line in result.stderr.decode("utf-8", "replace").splitlines()]
    refusal = next(line for line in lines if "dubious ownership" in line)
    where = re.search(r"repository at '(.*)'", refusal)
    place = where.group(1) if where else "this repository"
    advice = next((line for line in lines if "safe.directory" in line),
                  f"git config --global --add safe.directory {place}")
    raise RefactorError(
        f"git refuses the repository at {place}: it belongs to another user (git: detected dubious "
        f"ownership); run it as that user, or, if you trust it, run `{advice}`, then run again."
    )


def _check(result: subprocess.CompletedProcess, args: list[str]) -> None:
    _check_ownership(result)
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1] if message else f"exit code {result.returncode}"
        raise RefactorError(f"git {args[0]} failed: {detail}; fix that and run again.")


def _text(result: subprocess.CompletedProcess) -> str:
    return result.stdout.decode("utf-8", "surrogateescape")
