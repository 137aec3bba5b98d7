"""Is every step visibly done already? Answered with Python's own parser (ast, in C), without
libcst, pathspec or GitPython, so `apply --all --check` on a finished project (the pre-commit
case, run on every commit) costs little more than starting Python.

The answer is "yes" or "cannot tell": whenever the files are not plainly the done form of every
step, the caller runs the full plan, which has the last word. So this only has to be sound: it
must never say "done" where the full plan finds a step pending (tests check that on every
variant and on generated projects). It mirrors the steps' rules, never more lenient.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
from pathlib import Path

from refactor_app import settings_paths
from refactor_app.boundary import Boundary
from refactor_app.editors import gitignore
from refactor_app.editors.git import has_git_above
from refactor_app.editors.git_direct import read_index, work_tree_top
from refactor_app.errors import RefactorError
from refactor_app.project import Project
from refactor_app.textfile import read_bytes

CANONICAL = {
    "DEBUG": "os.environ.get('DJANGO_DEBUG') == 'True'",
    "ALLOWED_HOSTS": "[DIVIO_DOMAIN] + DIVIO_DOMAIN_ALIASES + DIVIO_DOMAIN_REDIRECTS",
    "SECURE_SSL_REDIRECT": "os.environ.get('SECURE_SSL_REDIRECT') != 'False'",
}
ENV_LOCAL_KEY = {"DEBUG": "DJANGO_DEBUG", "ALLOWED_HOSTS": "DOMAIN_ALIASES", "SECURE_SSL_REDIRECT": "SECURE_SSL_REDIRECT"}
WATCHED = {"DEBUG", "ALLOWED_HOSTS", "SECRET_KEY", "SECURE_SSL_REDIRECT", "STATIC_ROOT", "DIVIO_DOMAIN"}
# The environment reads editors/settings.py recognises.
ENV_CALLS = {"os.environ.get", "os.getenv", "environ.get", "getenv", "os.environ.setdefault", "env", "config",
             "decouple.config"}
ENV_MAPPINGS = {"os.environ", "environ"}
ENV_GETTERS = {"os.environ.get", "os.getenv", "environ.get", "getenv"}
URL_CONFIGS = {"dj_database_url.config", "env.db", "env.db_url"}


def every_step_done(project: Project) -> bool:
    """True only when the files show every step done (or plainly not applicable)."""
    try:
        return _every_step_done(project)
    except (OSError, UnicodeDecodeError, ValueError, SyntaxError, RecursionError, RefactorError):
        return False  # a file the full plan refuses (a link out of the repository, a FIFO): it says why


def _every_step_done(project: Project) -> bool:
    if len(project.settings_paths) != 1:
        return False
    boundary = project.limits
    dockerfile = _text(project.dockerfile_path, boundary)
    if dockerfile is not None and not _dockerfile_runs_collectstatic(dockerfile):
        return False  # the cheapest "no" first: most unfinished projects stop here, unparsed
    settings = read_bytes(project.settings_path, project.settings_path.name, boundary)
    if settings is None:
        return False
    tree = ast.parse(settings)
    values = _module_level_values(tree)
    if values is None:
        return False
    if project.local_env.name_in is not None:
        return False  # compose's env_file is to name .env-local: the full plan says whether a step writes one
    env_keys = _env_keys(project.env_path, boundary)

    for name in ("DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT"):
        if name not in values:
            if name == "SECURE_SSL_REDIRECT":
                return False  # the step would add it
            continue  # not applicable
        if _same(values[name], CANONICAL[name]):
            if ENV_LOCAL_KEY[name] not in env_keys:
                return False
            if name == "ALLOWED_HOSTS" and not ("DIVIO_DOMAIN" in values and _reads_environment(values["DIVIO_DOMAIN"])):
                return False
        else:
            # Reading the environment is not enough: the full plan judges the value used when the
            # variable is unset (steps/fail_closed.py).
            return False
    if "SECRET_KEY" in values and not _reads_environment(values["SECRET_KEY"]):
        return False
    return _collectstatic_done(dockerfile, tree, values) and _staticfiles_done(project, tree)


def _module_level_values(tree: ast.Module) -> dict[str, ast.expr] | None:
    """The last module-level value of each name; None when the module does what only the full
    plan follows (star imports, additions, one value given to several names)."""
    values: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            return None
        if isinstance(node, BLOCKS) and _sets_watched_inside(node):
            return None  # the steps report those places; the full plan says so
        if (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute) and settings_paths.dotted_name(node.value.func.value) in WATCHED
        ):
            return None  # ALLOWED_HOSTS.append(...)
        if (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and any(isinstance(arg, ast.Call) and settings_paths.dotted_name(arg.func) == "locals" for arg in node.value.args)
        ):
            # aldryn_addons.settings.load(locals()), django_heroku.settings(locals()): settings set
            # (or reset) by another package (steps/namespace_calls.py)
            return None
        if isinstance(node, ast.AugAssign) and _target_names(node.target) & WATCHED:
            return None
        if isinstance(node, ast.Assign):
            names = set().union(*(_target_names(target) for target in node.targets))
            if names & WATCHED and (len(node.targets) > 1 or not isinstance(node.targets[0], ast.Name)):
                return None
            for target in node.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
            values[node.target.id] = node.value
    return values


BLOCKS = (ast.If, ast.Try, ast.For, ast.While, ast.With, ast.AsyncFor, ast.AsyncWith) + (
    (ast.Match,) if hasattr(ast, "Match") else ()
) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())


def _sets_watched_inside(block: ast.stmt) -> bool:
    """Does a module-level block assign a watched setting or star-import, outside functions?"""
    pending = list(ast.iter_child_nodes(block))
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            return True
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        if any(_target_names(target) & WATCHED for target in targets):
            return True
        pending.extend(ast.iter_child_nodes(node))
    return False


def _target_names(target: ast.expr) -> set[str]:
    return {node.id for node in ast.walk(target) if isinstance(node, ast.Name)}


def _dockerfile_runs_collectstatic(dockerfile: str) -> bool:
    if re.search(r"<<-?\s*['\"]?\w", dockerfile):
        return False  # heredocs: leave them to the full plan
    return re.search(r"^\s*(?i:run)\b[^\n]*collectstatic", dockerfile, re.MULTILINE) is not None


def _collectstatic_done(dockerfile: str | None, tree: ast.Module, values: dict[str, ast.expr]) -> bool:
    if dockerfile is None:
        return True  # not applicable
    if "STATIC_ROOT" not in values:
        return False
    for node in ast.walk(tree):  # any DATABASE_URL read without a fallback, anywhere
        if isinstance(node, ast.Call):
            name = settings_paths.dotted_name(node.func)
            if name in ENV_GETTERS and len(node.args) == 1 and not node.keywords and _is_text(node.args[0], "DATABASE_URL"):
                return False
            if (len(node.args) == 1 and _is_text(node.args[0], "DATABASE_URL")
                    and not any(keyword.arg in ("default", None) for keyword in node.keywords)):
                return False  # config('DATABASE_URL'), env('DATABASE_URL'), by any name: the full plan decides
            if name in URL_CONFIGS and not any(keyword.arg in ("default", None) for keyword in node.keywords):
                return False
        elif isinstance(node, ast.Subscript) and settings_paths.dotted_name(node.value) in ENV_MAPPINGS and _is_text(node.slice, "DATABASE_URL"):
            return False
    return True


def _staticfiles_done(project: Project, tree: ast.Module) -> bool:
    """The staticfiles step's folder, as it works it out (settings_paths.py), is ignored and holds
    nothing committed. A STATIC_ROOT it cannot follow here: cannot tell (the step may follow an
    import this module does not)."""
    file = str(project.settings_path)
    names = settings_paths.module_bindings(tree, file)
    if "STATIC_ROOT" in names:
        path = settings_paths.folder(names["STATIC_ROOT"].value, file, names.get)
    else:
        base_dir = settings_paths.folder(ast.Name("BASE_DIR"), file, names.get) if "BASE_DIR" in names else None
        base = base_dir if base_dir is not None and os.path.isabs(base_dir) else str(project.import_root)
        path = os.path.join(base, "staticfiles")
    if path is None:
        return False
    path = os.path.normpath(os.path.join(project.import_root, path))
    folder = os.path.relpath(path, project.root).replace(os.sep, "/")
    if folder == "." or folder == ".." or folder.startswith("../"):
        return True  # not a folder inside the project: not applicable
    if not has_git_above(project.root):
        return True  # not applicable
    if not gitignore.fits_one_line(folder):
        return True  # not applicable
    if not gitignore.names_folder_outright(_text(project.gitignore_path, project.limits) or "", folder):
        return False
    return _nothing_tracked_in(project.root, folder)


def _nothing_tracked_in(root: Path, folder: str) -> bool:
    """Does git track nothing in `folder` (relative to `root`)? Read from the index when it can
    be read directly (git_direct.py), else one `git ls-files`."""
    top = work_tree_top(root)
    listing = read_index(top) if top is not None else None
    if listing is not None:
        return not listing.under(Path(os.path.relpath(os.path.join(os.path.realpath(root), folder), top)).as_posix())
    tracked = subprocess.run(["git", "ls-files", "-z", "--", f":(literal){folder}"], cwd=root, capture_output=True, timeout=60)
    return tracked.returncode == 0 and tracked.stdout == b""


def _reads_environment(value: ast.expr) -> bool:
    for node in ast.walk(value):
        if isinstance(node, ast.Call):
            name = settings_paths.dotted_name(node.func)
            if name is not None and (name in ENV_CALLS or name.startswith("env.")):
                return True
        elif isinstance(node, ast.Subscript) and settings_paths.dotted_name(node.value) in ENV_MAPPINGS:
            return True
    return False


def _same(value: ast.expr, canonical: str) -> bool:
    return ast.dump(value) == ast.dump(ast.parse(canonical, mode="eval").body)


def _is_text(node: ast.expr, text: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == text


def _env_keys(path: Path, boundary: Boundary) -> set[str]:
    text = _text(path, boundary)
    if text is None:
        return set()
    from refactor_app.editors.dotenv import values  # python-dotenv's parser, as the steps read it

    return set(values(text))


def _text(path: Path, boundary: Boundary) -> str | None:
    data = read_bytes(path, path.name, boundary)  # a link out, a FIFO or a device: RefactorError
    return None if data is None else data.decode("utf-8-sig")

