"""Git through GitPython: the dirty-tree check, tracked files under a folder, `git rm -r`.

GitPython is imported only when a project is actually opened, so commands that never touch
git (`--help`, `steps`) do not pay for it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from refactor_app.errors import RefactorError


class GitRepository:
    def __init__(self, repo, project_root: Path) -> None:
        self._repo = repo
        self.work_tree = Path(repo.working_tree_dir).resolve()
        self.project_root = project_root.resolve()

    @classmethod
    def open(cls, project_root: Path) -> "GitRepository | None":
        """The repository holding `project_root`, or None when it is not in one."""
        try:
            import git
        except ImportError as exc:  # GitPython raises ImportError when no git executable is found
            raise RefactorError(f"git is not available ({exc}); install git and run again.") from None
        try:
            repo = git.Repo(project_root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            return None
        if repo.bare or repo.working_tree_dir is None:
            return None
        return cls(repo, project_root)

    def _repo_path(self, project_path: str) -> str:
        """A project-relative path as git sees it (relative to the work tree)."""
        full = self.project_root / project_path
        return PurePosixPath(os.path.relpath(full, self.work_tree)).as_posix()

    def _project_path(self, repo_path: str) -> str:
        full = self.work_tree / repo_path
        return PurePosixPath(os.path.relpath(full, self.project_root)).as_posix()

    def tracked_files(self, folder: str) -> list[str]:
        """Files under `folder` (project-relative) that git tracks, project-relative, sorted."""
        output = self._repo.git.ls_files("-z", "--", self._repo_path(folder))
        return sorted(self._project_path(path) for path in output.split("\0") if path)

    def changed_files(self, folder: str | None = None) -> list[str]:
        """Tracked files with staged or unstaged changes (project-relative), optionally under a folder."""
        if not self.has_commits():
            return self.tracked_files(folder or ".")
        paths = ["--", self._repo_path(folder)] if folder else []
        staged = self._repo.git.diff("--cached", "--name-only", "-z", "HEAD", *paths)
        unstaged = self._repo.git.diff("--name-only", "-z", *paths)
        names = {p for p in (staged + "\0" + unstaged).split("\0") if p}
        return sorted(self._project_path(name) for name in names)

    def has_commits(self) -> bool:
        try:
            self._repo.head.commit
        except ValueError:
            return False
        return True

    def remove_folder(self, folder: str) -> None:
        """`git rm -r -q -- folder`: from the index and from the work tree."""
        self._repo.git.rm("-r", "-q", "--", self._repo_path(folder))

    def unstage(self, project_paths: list[str]) -> None:
        if project_paths and self.has_commits():
            self._repo.git.reset("-q", "--", *(self._repo_path(path) for path in project_paths))

    def restore_folder(self, folder: str) -> None:
        """Undo `git rm -r folder`: back in the index and the work tree, as HEAD has it."""
        self._repo.git.checkout("HEAD", "--", self._repo_path(folder))

    def commit(self, project_paths: list[str], message: str) -> str:
        """Stage `project_paths` (removals are staged already) and commit them; the new commit's sha."""
        import git

        try:
            if project_paths:
                self._repo.git.add("--", *(self._repo_path(path) for path in project_paths))
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
