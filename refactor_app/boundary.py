"""Where refactor-app may read files to edit and write them: inside the repository (the git work
tree), or the project folder when there is no git. A link is followed only while it stays inside.

Found with a few stat calls (the nearest `.git`, a folder or a file, as git finds it): no git process.
"""

from __future__ import annotations

import os
import stat
from typing import NamedTuple

from refactor_app.errors import RefactorError


class Boundary(NamedTuple):
    folder: str  # os.path.realpath of the repository's (or project folder's) top
    in_git: bool

    @property
    def name(self) -> str:
        return f"the repository {self.folder}" if self.in_git else f"the project folder {self.folder}"

    def contains(self, path: str | os.PathLike[str]) -> bool:
        """Does `path`, every link on the way followed (even a dangling last one), stay inside?"""
        return _below(self.real_path(path), self.folder)

    def real_path(self, path: str | os.PathLike[str]) -> str:
        """os.path.realpath(path), cheaply for a path written below the folder (itself real): one
        lstat a component below it, and realpath itself only once a link is met."""
        text = os.fspath(path)
        from refactor_app import textfile  # (it imports this module)

        if textfile.resolving_once():
            return textfile.real_path(text)  # each folder on the way resolved once while planning
        if not (os.path.isabs(text) and _below(text, self.folder)):
            return os.path.realpath(text)
        parts = text[len(self.folder):].split(os.sep)[1:]
        if any(part in ("", ".", "..") for part in parts):
            return os.path.realpath(text)
        current = self.folder
        for part in parts:
            current = os.path.join(current, part)
            try:
                if stat.S_ISLNK(os.lstat(current).st_mode):
                    return os.path.realpath(text)
            except OSError:
                return text  # nothing there (or not a folder): nothing further down is a link
        return text

    def contains_name(self, path: str | os.PathLike[str]) -> bool:
        """Is `path` inside by its name alone (links not followed)?"""
        return _below(os.path.abspath(path), self.folder)

    def check(self, path: str | os.PathLike[str], display_path: str, real: str | None = None) -> None:
        """Refuse a file that resolves outside: a link (or a linked folder) leading out.
        `real`: its realpath, when the caller has it already."""
        real = self.real_path(path) if real is None else real
        if _below(real, self.folder):
            return
        if os.path.islink(path):
            missing = "" if os.path.exists(path) else " (which does not exist)"
            how = f"is a link to {real}{missing}"
        elif real != os.path.abspath(path):
            how = f"leads to {real} through a linked folder"
        else:
            how = f"is {real}"
        raise RefactorError(
            f"{display_path} {how}, outside {self.name}; refactor-app reads and writes only files inside it: "
            "replace the link with the file itself and run again."
        )


def find_boundary(root: str | os.PathLike[str]) -> Boundary:
    """The git work tree holding `root` (the nearest folder up with a `.git`), else `root` itself."""
    real = os.path.realpath(root)
    folder = real
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return Boundary(folder, True)
        parent = os.path.dirname(folder)
        if parent == folder:
            return Boundary(real, False)
        folder = parent


def _below(real: str, folder: str) -> bool:
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)
