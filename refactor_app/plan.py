"""What a run would do, computed before anything is written.

The dry run, `--check`, `status` and the real run all read the same `Plan`, so what the user
reviews is exactly what `apply` writes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from refactor_app.project import Project


class State(str, enum.Enum):
    PENDING = "pending"
    DONE = "done"
    NOT_APPLICABLE = "not applicable"


@dataclass(frozen=True)
class FileEdit:
    """One file's content before and after; `before` is None for a file to create."""

    path: Path
    display_path: str
    before: bytes | None
    after: bytes
    encoding: str = "utf-8"

    @property
    def is_new(self) -> bool:
        return self.before is None


@dataclass(frozen=True)
class GitRemoval:
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

    @property
    def root(self) -> Path:
        return self.project.root

    @property
    def has_changes(self) -> bool:
        return bool(self.edits or self.removals)

    @property
    def pending(self) -> list[StepResult]:
        return [result for result in self.results if result.state is State.PENDING]
