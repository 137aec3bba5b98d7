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
import re
import weakref
from pathlib import Path
from typing import NamedTuple

import libcst as cst

from refactor_app import collectors, settings_paths
from refactor_app.editors import gitignore
from refactor_app.editors import settings as settings_editor
from refactor_app.errors import RefactorError
from refactor_app.plan import GitRemoval, State
from refactor_app.steps import aldryn, heroku
from refactor_app.steps.base import (
    done, installed_apps, not_applicable, Outcome, STATICFILES_APP, staticfiles_installed,
)
from refactor_app.textfile import read_bytes, real_path
from refactor_app.workspace import TextDocument, Workspace


def run(ws: Workspace) -> Outcome:
    if not staticfiles_installed(ws):
        return not_applicable(
            f"{STATICFILES_APP} is not in INSTALLED_APPS, so nothing collects into STATIC_ROOT: no folder of "
            "the project is collected output"
        )
    reset = heroku.resets(ws, "STATIC_ROOT")
    place = static_root(ws)
    if reset:
        # collectstatic fills the call's folder; the settings' own STATIC_ROOT (if another) stays empty.
        heroku_place = _place(ws, _under_base_dir(ws, heroku.HEROKU_STATIC_FOLDER))
        if ws.find_setting("STATIC_ROOT") is not None and place.folder != heroku_place.folder:
            ws.warnings.extend(found.warning for found in reset)
        place = heroku_place
    if place.folder is None:
        return not_applicable(_not_a_project_folder(ws, place))
    folder = place.folder
    repo = ws.git
    if repo is None:
        return not_applicable(
            f"{ws.project.root} is not in a git repository, so nothing in {folder}/ is committed: there is "
            "nothing to remove, and no .gitignore to keep it out"
        )
    git_says = ws.folder_state(folder)
    tracked = git_says.tracked
    if not gitignore.fits_one_line(folder):
        remove = f"; remove its {len(tracked)} committed files from git (git rm -r --cached) by hand" if tracked else ""
        return not_applicable(
            f"STATIC_ROOT's folder {folder!r} has a line break or another control character in its name, which "
            f"no .gitignore line can hold; give STATIC_ROOT a plainer folder name{remove}"
        )
    todo = []
    source = why_not_collected_output(ws, folder, tracked)
    if source:
        # A file of the project's own in the collected folder: it moves, not STATIC_ROOT.
        fix = ("move such files into an app's static/ folder or a folder STATICFILES_DIRS names, where "
               "collectstatic finds them, and run again") if source.endswith(OWN_FILE) and folder.rsplit("/", 1)[-1] != "static" else (
               "point STATIC_ROOT at a folder of its own (BASE_DIR / 'staticfiles')")
        return not_applicable(
            f"STATIC_ROOT is {folder}/, which {source}: that is source, not collectstatic's output, so refactor-app "
            f"neither removes nor ignores it; {fix}"
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
        nobody = collectors.nothing_collects(ws, folder)
        if nobody:
            ws.warnings.append(nobody)

    document = ws.text(ws.project.gitignore_path)
    title = None
    if not _ignored(ws, document, folder, git_says.ignored):
        pattern = gitignore.folder_pattern(folder)
        document.text = gitignore.add_pattern(document.text, pattern, document.format.newline)
        todo.append(f".gitignore: + {pattern}")
        if not tracked:  # nothing leaves the repository: the commit says what it does
            title = f"Ignore collected static files ({pattern})"

    if todo:
        return Outcome(State.PENDING, "; ".join(todo), title)
    return done(f"{folder}/ is not committed and .gitignore ignores it")


class StaticRoot(NamedTuple):
    """Where collectstatic writes, as the settings compute it."""

    path: str | None  # absolute; None when it cannot be told (read from the environment, computed)
    folder: str | None  # shown from the project folder, when it is a folder inside it (not the folder itself)


def static_root(ws: Workspace) -> StaticRoot:
    """STATIC_ROOT as the settings compute it (BASE_DIR from `__file__`, however spelled: see
    settings_paths.py); unset, aldryn-django's folder, or the page's `BASE_DIR / 'staticfiles'`
    (what the collectstatic step adds)."""
    ref = ws.find_setting("STATIC_ROOT")
    if ref is None:
        by_aldryn = aldryn.static_folder(ws)
        if by_aldryn is not None:
            return _place(ws, str(by_aldryn))
        return _place(ws, _under_base_dir(ws, "staticfiles"))
    return _place(ws, _path_of(ws, ref.value, ref.settings.path))


def static_root_folder(ws: Workspace) -> str | None:
    """STATIC_ROOT as a folder inside the project; None when it is outside, the project folder
    itself, or cannot be told: then nothing is removed."""
    return static_root(ws).folder


def _path_of(ws: Workspace, value: cst.BaseExpression, file: Path) -> str | None:
    expression = settings_paths.parse_expression(settings_editor.source(value))
    return settings_paths.folder(expression, str(file), settings_names(ws)) if expression is not None else None


def _under_base_dir(ws: Workspace, name: str) -> str:
    """`BASE_DIR / name` as the settings compute BASE_DIR; under manage.py's folder (startproject's
    BASE_DIR) when they have none that can be told."""
    base_dir = settings_names(ws)("BASE_DIR")
    path = settings_paths.folder(ast.Name("BASE_DIR"), base_dir.file, settings_names(ws)) if base_dir else None
    return os.path.join(path if path is not None and os.path.isabs(path) else ws.project.import_root, name)


def _place(ws: Workspace, path: str | None) -> StaticRoot:
    if path is None:
        return StaticRoot(None, None)
    # A relative path is from the folder collectstatic runs in: manage.py's.
    path = os.path.normpath(os.path.join(ws.project.import_root, path))
    folder = ws.project.display(Path(path))
    inside = not (folder == ".." or folder.startswith("../") or folder == "." or os.path.isabs(folder))
    return StaticRoot(path, folder if inside else None)


def _not_a_project_folder(ws: Workspace, place: StaticRoot) -> str:
    """Why no folder is removed or ignored when STATIC_ROOT is not a folder inside the project;
    what to do by hand only when something there is committed."""
    if place.path is None:
        return ("STATIC_ROOT is computed in a way refactor-app cannot follow (the environment, a call), so it "
                "cannot tell which folder collectstatic writes, and removes or ignores nothing; if that folder "
                "is committed, remove it from git (git rm -r --cached) and ignore it by hand")
    shown = ws.project.display(Path(place.path))
    if not ws.boundary.contains_name(place.path):
        shown = place.path  # outside the repository: its own name says more than ../../..
    if os.path.join(str(ws.project.root), "").startswith(os.path.join(place.path, "")):
        return (f"STATIC_ROOT is {shown}, which is or holds the project folder: that is source, not "
                "collectstatic's output; point STATIC_ROOT at a folder of its own (BASE_DIR / 'staticfiles')")
    committed = _committed_outside(ws, place.path)
    if committed:
        return (f"STATIC_ROOT is {shown}, outside the project folder (whose .gitignore refactor-app edits), and "
                f"git tracks {committed} file{'s' if committed != 1 else ''} in it: if they are collected output, "
                f"remove them from git (git rm -r --cached {shown}) and ignore the folder by hand")
    return (f"STATIC_ROOT is {shown}, outside the project folder, and nothing in it is committed: there is "
            "nothing to remove or ignore")


def _committed_outside(ws: Workspace, path: str) -> int:
    """How many files git tracks in `path`, a folder outside the project (0 outside the repository)."""
    repo = ws.git
    if repo is None:
        return 0
    inside_repo = os.path.relpath(path, repo.work_tree)
    if inside_repo == "." or inside_repo.startswith(".."):
        return 0
    try:
        return len(repo.folder_state(os.path.relpath(path, ws.project.root), probe_ignored=False).tracked)
    except RefactorError:
        return 0


def settings_names(ws: Workspace) -> settings_paths.Lookup:
    """Module-level names as production's settings module binds them once it has run: its own
    assignments, and those it imports from the project's modules (`from .base import *`,
    `from .paths import BASE_DIR`), from the files as read. Worked out once per run."""
    cached = _NAMES.get(ws)
    if cached is None:
        bindings: dict[str, settings_paths.Binding] = {}
        _bind(ws, ws.project.settings_path, bindings, frozenset())
        cached = _NAMES[ws] = bindings.get
    return cached


_NAMES: "weakref.WeakKeyDictionary[Workspace, settings_paths.Lookup]" = weakref.WeakKeyDictionary()


def _bind(ws: Workspace, path: Path, bindings: dict, seen: frozenset) -> None:
    tree = _syntax_tree(ws, path)
    if tree is None:
        return
    seen = seen | {path}
    for statement in tree.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)):
            bindings.update(settings_paths.module_bindings(ast.Module([statement], []), str(path)))
        elif isinstance(statement, ast.Import):
            for alias in statement.names:  # a module, not a folder
                bindings.pop(alias.asname or alias.name.split(".")[0], None)
        elif isinstance(statement, ast.ImportFrom):
            try:
                imported = ws.module_file(path, "." * statement.level + (statement.module or ""))
            except RefactorError:
                imported = None
            if imported is None or imported in seen:
                for alias in statement.names:  # bound to what this cannot read: unknown
                    bindings.pop(alias.asname or alias.name, None)
                continue
            if any(alias.name == "*" for alias in statement.names):
                _bind(ws, imported, bindings, seen)
                continue
            names: dict[str, settings_paths.Binding] = {}
            _bind(ws, imported, names, seen)
            for alias in statement.names:
                if alias.name in names:
                    bindings[alias.asname or alias.name] = names[alias.name]


def _syntax_tree(ws: Workspace, path: Path) -> ast.Module | None:
    loaded = ws.settings_modules().get(path)
    if loaded is not None:
        return loaded.syntax_tree
    try:
        data = read_bytes(path, ws.project.display(path), ws.boundary)
        return ast.parse(data) if data is not None else None
    except (RefactorError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None


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
    resolved = os.path.join(real_path(path), "")
    for place, what in ((project.root, "the project folder"), (project.import_root, "manage.py's folder")):
        place = os.path.join(place, "")
        if place.startswith(resolved):
            return f"is {what}" if place == resolved else f"holds {what}"
    for settings in ws.loaded_settings():
        if str(settings.path).startswith(resolved):
            return f"holds the settings module {settings.display_path}"
    if ".git" in folder.split("/"):
        return "is git's own folder"
    if folder in tracked and os.path.islink(path):  # git's entry is the link itself, as a submodule's is
        return f"is a link committed to git, to {os.readlink(path)}"
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
    # "static" is the name Django gives source folders (an app's static/, STATICFILES_DIRS' usual
    # BASE_DIR / 'static'): a STATIC_ROOT of that name is checked file by file. Under any other
    # name, the files where a project's own would sit (robots.txt at the top, img/logo.png), which
    # exist nowhere else once git rm has run; an app's files sit in its own folder.
    if tracked:
        return _not_collected(ws, folder, tracked, everywhere=folder.rsplit("/", 1)[-1] == "static")
    return None


# ManifestStaticFilesStorage's copies (name.<12 hex digits>.ext) and whitenoise's compressed ones.
_HASHED = re.compile(r"\.[0-9a-f]{12}(?=\.[^./]+$|$)")
_COMPRESSED = (".gz", ".br")
_MANIFESTS = {"staticfiles.json"}


OWN_FILE = "of the project's own)"  # how the reason below ends
# Top-level folders of a project's own static files; an app's sit in its namespace (admin/).
_OWN_FOLDERS = {"css", "js", "img", "image", "images", "fonts", "font", "icons", "favicon", "favicons"}


def _not_collected(ws: Workspace, folder: str, tracked: list[str], everywhere: bool) -> str | None:
    """A committed file in `folder` that collectstatic would not have written there: no installed
    app's namespace (admin/, rest_framework/, wagtailadmin/) starts its path, and no local app's
    static/ folder or STATICFILES_DIRS folder holds it. Such a file is the project's own (CSS
    served from STATIC_ROOT): the folder is refused. Not `everywhere`: only files at the top
    or in the usual folders of a project's own (css/, js/, img/) are asked about, as a third-party
    app's may sit under a name that is not its package's. When INSTALLED_APPS is not a plain list,
    the namespaces cannot be told and nothing is refused on this ground."""
    names = installed_apps(ws)
    if names is None:
        return None
    packages = [name.split(".apps.")[0] if ".apps." in name else name for name in names]
    namespaces = set()
    for package in packages:
        parts = package.split(".")
        named = {*parts, "".join(parts[-2:])}  # django.contrib.admin: admin/; wagtail.admin: wagtailadmin/
        named |= {name.removeprefix("django_") for name in named}  # django_summernote: summernote/
        namespaces |= named | {name.replace("_", "-") for name in named}  # drf_yasg: drf-yasg/
    root = ws.project.root
    sources = [str(root / source) for source in _staticfiles_dirs(ws)]
    sources += [str(ws.project.import_root.joinpath(*package.split("."), "static")) for package in packages]
    inside = len(folder) + 1
    own = []  # every such file: a reason naming one at a time would send the user back once for each
    for name in tracked:
        relative = name[inside:]
        top, below, _ = relative.partition("/")  # (the folder first: a collected fleet's files are mostly admin/)
        if below and (top in namespaces or not (everywhere or top in _OWN_FOLDERS)):
            continue
        while relative.endswith(_COMPRESSED):
            relative = relative.rsplit(".", 1)[0]
        relative = _HASHED.sub("", relative, count=1)
        if relative in _MANIFESTS:
            continue
        if any(os.path.isfile(os.path.join(source, relative)) for source in sources):
            continue
        if os.path.isdir(root / name):  # a submodule git tracks as one entry: git rm says what it holds
            continue
        own.append(name)
    if not own:
        return None
    more = f" and {len(own) - 1} more" if len(own) > 1 else ""
    return (f"holds {own[0]}{more}, which collectstatic would not write: no installed app's static files "
            f"and no STATICFILES_DIRS folder have {'them (files' if more else 'it (a file'} {OWN_FILE}")


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
        given = _setting_values(tree, FOLDER_SETTINGS)
        for name, what in FOLDER_SETTINGS.items():
            for value in given[name]:
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


def _setting_values(tree: ast.Module, names) -> dict[str, list[ast.expr]]:
    """For each of `names`, every value given to it anywhere in the module: assigned, added to
    (`+=`), or passed to its append/extend/insert (one walk of the module for them all)."""
    found: dict[str, list[ast.expr]] = {name: [] for name in names}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for name in dict.fromkeys(target.id for target in node.targets if isinstance(target, ast.Name)):
                if name in found:
                    found[name].append(node.value)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name) and node.value:
            if node.target.id in found:
                found[node.target.id].append(node.value)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
              and node.func.value.id in found and node.func.attr in ("append", "extend", "insert")):
            found[node.func.value.id].extend(node.args)
    return found


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
    """The folders inside the project that STATICFILES_DIRS names, as the settings compute them;
    the entries that cannot be told cheaply are left out."""
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
        folder = _place(ws, _path_of(ws, value, ref.settings.path)).folder
        if folder is not None:
            folders.append(folder)
    return folders
