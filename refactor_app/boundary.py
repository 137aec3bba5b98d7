"""Where refactor-app may read files to edit and write them: inside the repository (the git work
tree), or the project folder when there is no git. A link is followed only while it stays inside.

Found with a few stat calls (the nearest `.git`, a folder or a file, as git finds it): no git process.
"""

from __future__ import annotations

import os
from pathlib import Path
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
        return _below(os.path.realpath(path), self.folder)

    def contains_name(self, path: str | os.PathLike[str]) -> bool:
        """Is `path` inside by its name alone (links not followed)?"""
        return _below(os.path.abspath(path), self.folder)

    def check(self, path: str | os.PathLike[str], display_path: str) -> None:
        """Refuse a file that resolves outside: a link (or a linked folder) leading out."""
        real = os.path.realpath(path)
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
    for folder in (real, *map(str, Path(real).parents)):
        if os.path.exists(os.path.join(folder, ".git")):
            return Boundary(folder, True)
    return Boundary(real, False)


def _below(real: str, folder: str) -> bool:
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)
