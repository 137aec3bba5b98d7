"""What a run would do, computed before anything is written.

The dry run, `--check`, `status` and the real run all read the same `Plan`, so what the user
reviews is exactly what `apply` writes.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NamedTuple

if TYPE_CHECKING:
    from refactor_app.editors.git import EarlyAnswers
    from refactor_app.project import Project


class State(str, enum.Enum):
    PENDING = "pending"
    DONE = "done"
    NOT_APPLICABLE = "not applicable"


class FileEdit:
    """One file's content before and after; `before` is None for a file to create.

    Either side may be given as a zero-argument function: a step's own edit of a settings
    module is rendered from its libcst tree only if someone looks at it (a diff, a commit).
    """

    def __init__(self, path: Path, display_path: str, before, after, encoding: str = "utf-8",
                 stored_path: str | None = None) -> None:
        self.path = path
        self.display_path = display_path
        # Where git and a patch find the file: a link's target (`Dockerfile -> docker/Dockerfile.web`
        # is changed, staged and diffed as docker/Dockerfile.web); the display path otherwise.
        self.stored_path = stored_path or display_path
        self.encoding = encoding
        self._before = before
        self._after = after

    @property
    def before(self) -> bytes | None:
        if callable(self._before):
            self._before = self._before()
        return self._before

    @property
    def after(self) -> bytes:
        if callable(self._after):
            self._after = self._after()
        return self._after

    @property
    def is_new(self) -> bool:
        return self.before is None

    def __repr__(self) -> str:
        return f"FileEdit({self.display_path!r})"


# Records that never change are NamedTuples throughout: making a frozen dataclass at import
# costs about 0.4 ms (Python writes and compiles its methods), a NamedTuple 0.07 ms, and one
# run imports a dozen of them (5 ms of a 0.23 s run).
class GitRemoval(NamedTuple):
    """`git rm -r <folder>`: the tracked files it removes from the index and the work tree."""

    folder: str
    tracked_files: tuple[str, ...]


@dataclass
class StepResult:
    name: str
    title: str
    summary: str
    state: State
    reason: str
    edits: list[FileEdit] = field(default_factory=list)
    removals: list[GitRemoval] = field(default_factory=list)

    @property
    def files(self) -> list[str]:
        names = [edit.display_path for edit in self.edits]
        names += [f"{removal.folder}/" for removal in self.removals]
        return names


@dataclass
class Plan:
    project: "Project"
    results: list[StepResult]
    edits: list[FileEdit]  # per file: the original bytes and the bytes after every step
    removals: list[GitRemoval]
    in_git: bool = True  # whether the project is in a git repository
    notes: list[str] = field(default_factory=list)  # what the user should know beyond each step
    warnings: list[str] = field(default_factory=list)  # what the user must act on (a leaked key)
    early_git: "EarlyAnswers | None" = field(default=None, repr=False, compare=False)  # git's answers asked at planning
    find_untracked: "Callable[[], list[str]] | None" = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def untracked(self) -> list[str]:
        """The files the plan edits that existed and that git neither tracks nor ignores:
        refactor-app never commits them, and `git add -A` would. Asked of git on first use
        (usually answered already, with planning's git questions)."""
        return self.find_untracked() if self.find_untracked is not None else []

    @property
    def untracked_warnings(self) -> list[str]:
        """A warning for each of `untracked` (they are not in `warnings`, which steps make)."""
        env_local = self.project.display(self.project.env_path)
        return [untracked_warning(path, path == env_local) for path in self.untracked]

    @property
    def root(self) -> Path:
        return self.project.root

    @property
    def has_changes(self) -> bool:
        return bool(self.edits or self.removals)

    @property
    def pending(self) -> list[StepResult]:
        return [result for result in self.results if result.state is State.PENDING]


def untracked_warning(path: str, env_file: bool) -> str:
    """What to tell about an edited file git neither tracks nor ignores."""
    if env_file:  # local values, often secrets (a DATABASE_URL password): to be ignored
        return (f"{path} is neither tracked nor ignored by git: refactor-app writes it but never commits it, "
                f"while `git add -A` would, with any secret it holds; add {path} to .gitignore.")
    return (f"{path} is neither tracked nor ignored by git: refactor-app writes it but never commits it; "
            f"commit it yourself (git add {path}) or add it to .gitignore.")
