"""Stop committing collected static files.

Now that the image build runs collectstatic, the STATIC_ROOT folder (staticfiles/) is build
output: `git rm -r staticfiles` and `/staticfiles` in .gitignore.

Only ever collected output: a STATIC_ROOT that names source (a Python package, templates, the
settings module, a STATICFILES_DIRS folder, the project folder) is refused, before git rm or
.gitignore could touch it.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import libcst as cst

from refactor_app.editors import gitignore
from refactor_app.editors import settings as settings_editor
from refactor_app.errors import RefactorError
from refactor_app.plan import GitRemoval
from refactor_app.steps import aldryn, heroku
from refactor_app.steps.base import (
    done, not_applicable, Outcome, pending, STATICFILES_APP, staticfiles_installed,
)
from refactor_app.workspace import TextDocument, Workspace


def run(ws: Workspace) -> Outcome:
    if not staticfiles_installed(ws):
        return not_applicable(
            f"{STATICFILES_APP} is not in INSTALLED_APPS, so nothing collects into STATIC_ROOT: no folder of "
            "the project is collected output"
        )
    reset = heroku.resets(ws, "STATIC_ROOT")
    folder = static_root_folder(ws)
    if reset:
        # collectstatic fills the call's folder; the settings' own STATIC_ROOT (if another) stays empty.
        heroku_folder = _folder_from_parts(ws, [heroku.HEROKU_STATIC_FOLDER])
        if ws.find_setting("STATIC_ROOT") is not None and folder != heroku_folder:
            ws.warnings.extend(found.warning for found in reset)
        folder = heroku_folder
    if folder is None:
        return not_applicable(
            "STATIC_ROOT is not a folder of the project spelled from BASE_DIR (it is outside, absolute or "
            "computed), so refactor-app cannot tell which committed folder is collected output; remove it by hand"
        )
    if not gitignore.fits_one_line(folder):
        return not_applicable(
            f"STATIC_ROOT's folder {folder!r} has a line break or another control character in its name, which "
            "no .gitignore line can hold; remove it from version control and ignore it by hand"
        )
    repo = ws.git
    if repo is None:
        return not_applicable(f"{ws.project.root} is not in a git repository; remove {folder}/ from version control by hand")
    todo = []

    git_says = ws.folder_state(folder)
    tracked = git_says.tracked
    source = why_not_collected_output(ws, folder, tracked)
    if source:
        return not_applicable(
            f"STATIC_ROOT is {folder}/, which {source}: that is source, not collectstatic's output, so refactor-app "
            "neither removes nor ignores it; point STATIC_ROOT at a folder of its own (BASE_DIR / 'staticfiles')"
        )
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
        pattern = gitignore.folder_pattern(folder)
        document.text = gitignore.add_pattern(document.text, pattern, document.format.newline)
        todo.append(f".gitignore: + {pattern}")

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


PYTHON_SUFFIXES = (".py", ".pyi", ".pyw", ".pyx", ".pxd")
TEMPLATE_FOLDERS = ("templates", "jinja2")  # Django's and Jinja2's app template folders
TEMPLATE_SUFFIXES = (".html", ".htm", ".jinja", ".jinja2", ".j2", ".djhtml", ".txt.tpl")  # at the folder's top


def why_not_collected_output(ws: Workspace, folder: str, tracked: list[str]) -> str | None:
    """Why `folder` is not collectstatic's output, in words ("holds ..."); None when it may be.
    collectstatic copies static files only: never Python code or templates. Cheap, as planning
    must be: the files git already listed, the settings' own paths, a few stat calls and one
    look at the folder's top level on disk (code not committed yet, which .gitignore would hide)."""
    project = ws.project
    path = project.root / folder
    # A link may lead anywhere; discovery resolved the project's own paths. (Strings: pathlib's
    # comparisons cost more than the rest of this check.)
    resolved = os.path.join(path.resolve(), "")
    for place, what in ((project.root, "the project folder"), (project.import_root, "manage.py's folder")):
        place = os.path.join(place, "")
        if place.startswith(resolved):
            return f"is {what}" if place == resolved else f"holds {what}"
    for settings in ws.loaded_settings():
        if str(settings.path).startswith(resolved):
            return f"holds the settings module {settings.display_path}"
    if ".git" in folder.split("/"):
        return "is git's own folder"
    if folder in tracked or os.path.lexists(path / ".git"):
        return "is a git submodule (another repository's files)"
    inside = f"{folder}/"
    templates = folder.rsplit("/", 1)[-1] in TEMPLATE_FOLDERS
    top_templates = tuple(f"{folder}/{name}/" for name in TEMPLATE_FOLDERS)
    for name in tracked:
        if name.endswith(PYTHON_SUFFIXES):
            return f"holds Python files ({name})"
        # Templates: the folder is a templates folder, has one at its top, or holds template
        # files at its top. (Further down, templates/ can be an app's static files: client-side
        # templates, collected as they are.)
        if templates or name.startswith(top_templates) or (
            name.endswith(TEMPLATE_SUFFIXES) and "/" not in name[len(inside):]
        ):
            return f"holds templates ({name})"
    found = _source_on_disk(path, folder)
    if found:
        return found
    if tracked or os.path.isdir(path):  # something to remove or ignore: the settings that name folders
        found = _named_by_settings(ws, folder)
        if found:
            return found
    if path.name == "static" and (path.parent / "__init__.py").is_file():
        package = project.display(path.parent)
        return f"is the static folder of the Python package {package}/ (an app's own files, which collectstatic copies from)"
    for source in _staticfiles_dirs(ws):
        if source == folder:
            return "is named in STATICFILES_DIRS (a folder collectstatic copies from)"
        if source.startswith(inside):
            return f"holds {source}/, which STATICFILES_DIRS names (a folder collectstatic copies from)"
    return None


def _source_on_disk(path: Path, folder: str) -> str | None:
    """Python files or a templates folder at the top of `path` on disk, committed or not."""
    try:
        with os.scandir(path) as entries:
            names = sorted((entry.name, entry.is_dir()) for entry in entries)
    except OSError:  # missing, not a folder, unreadable: what git tracks in it was checked
        return None
    for name, is_dir in names:
        if name.endswith(PYTHON_SUFFIXES) and not is_dir:
            return f"holds Python files ({folder}/{name})"
    for name, is_dir in names:
        if is_dir and name in TEMPLATE_FOLDERS:
            return f"holds templates ({folder}/{name}/)"
        if not is_dir and (folder.rsplit("/", 1)[-1] in TEMPLATE_FOLDERS or name.endswith(TEMPLATE_SUFFIXES)):
            return f"holds templates ({folder}/{name})"
    return None


# Settings that name folders of source (or of uploads): STATIC_ROOT must be none of them, hold
# none, nor sit inside one.
FOLDER_SETTINGS = {
    "STATICFILES_DIRS": "a folder collectstatic copies from",
    "TEMPLATES": "a templates folder",
    "MEDIA_ROOT": "where uploaded files are kept",
}


def _named_by_settings(ws: Workspace, folder: str) -> str | None:
    """Does a setting that names folders (FOLDER_SETTINGS) name `folder`, one inside it, or
    one it is inside? Read from the path strings in the setting's value, and in the values of
    the module-level names it uses (`PROJECT_DIR / 'static'`, `[TEMPLATE_DIR]`): any relative
    path whose parts hold the folder's name counts, however it is joined. A STATICFILES_DIRS
    spelled without any path string cannot be told: refused too (fail closed)."""
    base = folder.rsplit("/", 1)[-1]
    for settings in ws.loaded_settings():
        if not any(name.encode() in settings.original for name in FOLDER_SETTINGS):
            continue
        tree = settings.pieces.syntax if settings.pieces is not None and settings.pieces.syntax else None
        if tree is None:
            try:
                tree = ast.parse(settings.original)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return f"may be named by a setting of {settings.display_path}, which Python cannot parse here"
        values = _module_values(tree)
        for name, what in FOLDER_SETTINGS.items():
            for value in _setting_values(tree, name):
                paths = _path_strings(value, values)
                if name == "STATICFILES_DIRS" and not paths and not _is_empty(value):
                    return (f"may be named by {name} in {settings.display_path}, which refactor-app cannot read "
                            f"(no path in it): {what}")
                for path in paths:
                    parts = [part for part in path.split("/") if part not in ("", ".")]
                    joined = "/".join(parts)
                    if base in parts or joined == folder or joined.startswith(f"{folder}/"):
                        return f"is, or holds, what {name} names in {settings.display_path} ({what})"
    return None


def _module_values(tree: ast.Module) -> dict[str, ast.expr]:
    """Each module-level name's last assigned value."""
    values = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = statement.value
    return values


def _setting_values(tree: ast.Module, name: str):
    """Every value given to `name` anywhere in the module: assigned, added to (`+=`), or
    passed to its append/extend/insert."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(_is_name(t, name) for t in node.targets):
            yield node.value
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and _is_name(node.target, name) and node.value:
            yield node.value
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and _is_name(node.func.value, name) and node.func.attr in ("append", "extend", "insert")):
            yield from node.args


def _path_strings(value: ast.expr, values: dict[str, ast.expr], depth: int = 2) -> list[str]:
    """The relative path strings in `value` (absolute ones lead out of the project), following
    the names it uses `depth` assignments back."""
    found = []
    for node in ast.walk(value):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and not node.value.startswith("/"):
            found.append(node.value)
        elif isinstance(node, ast.Name) and depth and node.id in values:
            found += _path_strings(values[node.id], values, depth - 1)
    return found


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _is_empty(value: ast.expr) -> bool:
    return isinstance(value, (ast.List, ast.Tuple)) and not value.elts


def _staticfiles_dirs(ws: Workspace) -> list[str]:
    """The folders STATICFILES_DIRS names that are spelled from BASE_DIR (as shown); the
    entries spelled otherwise cannot be told cheaply and are left out."""
    ref = ws.find_setting("STATICFILES_DIRS")
    if ref is None or not isinstance(ref.value, (cst.List, cst.Tuple)):
        return []
    folders = []
    for element in ref.value.elements:
        if isinstance(element, cst.StarredElement):
            continue
        value = element.value
        if isinstance(value, cst.Tuple) and len(value.elements) == 2:  # ("prefix", folder)
            value = value.elements[1].value
        parts = _parts_under_base_dir(value)
        folder = _folder_from_parts(ws, parts) if parts else None
        if folder is not None:
            folders.append(folder)
    return folders


def static_root_folder(ws: Workspace) -> str | None:
    """STATIC_ROOT as a folder of the project: `BASE_DIR / 'x'`, `os.path.join(BASE_DIR, 'x')`
    (either in str()), or a relative 'x'; 'staticfiles' when unset. None for anything else
    (an absolute path, dirname(BASE_DIR), the environment...): then nobody can tell which
    committed folder is collected output, and nothing is removed."""
    ref = ws.find_setting("STATIC_ROOT")
    if ref is None:
        by_aldryn = aldryn.static_folder(ws)
        return ws.project.display(by_aldryn) if by_aldryn is not None else ws.project.default_static_folder
    return _folder_from_parts(ws, _parts_under_base_dir(ref.value))


def _folder_from_parts(ws: Workspace, parts: list[str] | None) -> str | None:
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
