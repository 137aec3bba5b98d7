"""Stop committing collected static files.

Now that the image build runs collectstatic, the STATIC_ROOT folder (staticfiles/) is build
output: `git rm -r staticfiles` and `/staticfiles` in .gitignore.
"""

from __future__ import annotations

import libcst as cst

from refactor_app.editors import gitignore
from refactor_app.editors import settings as settings_editor
from refactor_app.errors import RefactorError
from refactor_app.plan import GitRemoval
from refactor_app.steps.base import Outcome, done, not_applicable, pending
from refactor_app.workspace import TextDocument, Workspace


def run(ws: Workspace) -> Outcome:
    folder = static_root_folder(ws)
    if folder is None:
        return not_applicable(
            "STATIC_ROOT is not a folder of the project spelled from BASE_DIR (it is outside, absolute or "
            "computed), so refactor-app cannot tell which committed folder is collected output; remove it by hand"
        )
    repo = ws.git
    if repo is None:
        return not_applicable(f"{ws.project.root} is not in a git repository; remove {folder}/ from version control by hand")
    todo = []

    git_says = ws.folder_state(folder)
    tracked = git_says.tracked
    if tracked:
        changed = git_says.changed
        if changed:
            raise RefactorError(
                f"{folder}/ has uncommitted changes ({changed[0]}) that git rm would refuse to drop; "
                f"commit or discard them (git checkout -- {folder}) and run again."
            )
        ws.removals.append(GitRemoval(folder, tuple(tracked)))
        todo.append(f"git rm -r {folder} ({len(tracked)} committed file{'s' if len(tracked) != 1 else ''})")

    document = ws.text(ws.project.gitignore_path)
    if not _ignored(ws, document, folder, git_says.ignored):
        document.text = gitignore.add_pattern(document.text, f"/{folder}", document.format.newline)
        todo.append(f".gitignore: + /{folder}")

    if todo:
        return pending("; ".join(todo))
    return done(f"{folder}/ is not committed and .gitignore ignores it")


def _ignored(ws: Workspace, document: TextDocument, folder: str, git_ignores: bool | None) -> bool:
    """Does the project's .gitignore ignore `folder`? When git ignores nothing in it, no ignore
    file does, so the .gitignore (as on disk, unedited) does not: pathspec (10 ms to import)
    only answers the rest. A folder/.gitignore could re-include files: then always ask it."""
    unedited = document.text == document.original_state()
    if git_ignores is False and unedited and not (ws.project.root / folder / ".gitignore").exists():
        return False
    return gitignore.ignores_folder(document.text, folder)


def static_root_folder(ws: Workspace) -> str | None:
    """STATIC_ROOT as a folder of the project: `BASE_DIR / 'x'`, `os.path.join(BASE_DIR, 'x')`
    (either in str()), or a relative 'x'; 'staticfiles' when unset. None for anything else
    (an absolute path, dirname(BASE_DIR), the environment...): then nobody can tell which
    committed folder is collected output, and nothing is removed."""
    ref = ws.find_setting("STATIC_ROOT")
    if ref is None:
        return ws.project.default_static_folder
    parts = _parts_under_base_dir(ref.value)
    if not parts or any(part.startswith("/") or ".." in part.split("/") for part in parts):
        return None
    relative = "/".join(part.strip("/") for part in parts if part.strip("/"))
    if not relative or relative == ".":
        return None
    # Relative to BASE_DIR, which startproject makes manage.py's folder; shown from the project folder.
    folder = ws.project.display(ws.project.import_root / relative)
    return None if folder.startswith("../") or folder == "." else folder


def _parts_under_base_dir(node: cst.BaseExpression) -> list[str] | None:
    """The path parts of a folder spelled from BASE_DIR (or a plain relative string), else None."""
    if isinstance(node, cst.Call) and settings_editor.dotted_name(node.func) == "str" and len(node.args) == 1:
        return _parts_under_base_dir(node.args[0].value)
    text = settings_editor.string_literal(node)
    if text is not None:
        return [text]
    if isinstance(node, cst.Call) and settings_editor.dotted_name(node.func) == "os.path.join" and node.args:
        first, *rest = node.args
        strings = [settings_editor.string_literal(arg.value) for arg in rest]
        if _is_base_dir(first.value) and strings and None not in strings and not any(a.star for a in node.args):
            return strings
        return None
    parts: list[str] = []
    while isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
        text = settings_editor.string_literal(node.right)
        if text is None:
            return None
        parts.insert(0, text)
        node = node.left
    return parts if parts and _is_base_dir(node) else None


def _is_base_dir(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "BASE_DIR"
