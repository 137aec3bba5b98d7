"""Finding a Django project's files: the settings modules (from manage.py, wsgi.py, asgi.py),
Dockerfile, `.env-local`, `.gitignore`.

Discovery only reads; nothing here writes.
"""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator, NamedTuple

from refactor_app.errors import RefactorError
from refactor_app.textfile import read_bytes

SETTINGS_VARIABLE = "DJANGO_SETTINGS_MODULE"
# Folders that hold no project of the user's: virtualenvs, dependencies, build output, VCS data.
SKIPPED_FOLDERS = {
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", "env", ".env", ".tox", ".nox",
    "site-packages", "build", "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache",
}
SEARCH_DEPTH = 3  # how far below PATH manage.py is looked for (src/ layouts, monorepo folders)


class Project(NamedTuple):
    root: Path  # the folder given on the command line: Dockerfile, .env-local, .gitignore live here
    import_root: Path  # the folder dotted module names resolve from (manage.py's folder)
    settings_paths: tuple[Path, ...]  # the settings modules in use: manage.py's first, then wsgi/asgi's
    manage_path: Path | None = None

    @property
    def settings_path(self) -> Path:
        return self.settings_paths[0]

    @property
    def dockerfile_path(self) -> Path:
        return self.root / "Dockerfile"

    @property
    def env_path(self) -> Path:
        return self.root / ".env-local"

    @property
    def gitignore_path(self) -> Path:
        return self.root / ".gitignore"

    @property
    def default_static_folder(self) -> str:
        """The page's STATIC_ROOT, staticfiles/ under BASE_DIR (manage.py's folder), as shown."""
        return self.display(self.import_root / "staticfiles")

    def display(self, path: Path) -> str:
        """A path as the user sees it: relative to the project folder, with forward slashes."""
        return PurePosixPath(os.path.relpath(path, self.root)).as_posix()

    def module_path(self, dotted: str) -> Path | None:
        """The file for an importable module name, or None when it is not inside the project."""
        return module_file(self.import_root, dotted)


def module_file(import_root: Path, dotted: str) -> Path | None:
    base = import_root.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate.resolve()
    return None


def discover(path: str | os.PathLike[str] = ".", settings: str | os.PathLike[str] | None = None) -> Project:
    """The project at `path`: manage.py there, in one folder below it (a src/ layout), or in a
    folder above it (as git finds its repository). `settings` (a file path) overrides the
    settings modules manage.py, wsgi.py and asgi.py name."""
    start = Path(path).expanduser()
    if not start.exists():
        raise RefactorError(f"{start} does not exist; pass the folder that holds your project's manage.py.")
    if not start.is_dir():
        raise RefactorError(f"{start} is not a folder; pass the folder that holds your project's manage.py.")
    start = start.resolve()
    settings_path = _settings_option(settings) if settings is not None else None

    root, manage = _find_manage(start, settings_path)
    if manage is None:
        if settings_path is None:
            raise RefactorError(
                f"no manage.py in {start}, the folders below it or above it; run refactor-app in your Django "
                "project's folder or pass --settings path/to/settings.py."
            )
        return Project(root=root, import_root=settings_path.parent, settings_paths=(settings_path,))
    import_root = manage.parent
    if settings_path is not None:
        return Project(root, import_root, (settings_path,), manage)

    dotted = settings_module_name(manage, required=True)
    main = module_file(import_root, dotted)
    if main is None:
        candidates = f"{dotted.replace('.', '/')}.py"
        raise RefactorError(
            f"{_shown(manage, root)} names the settings module {dotted!r} but {candidates} is not in "
            f"{import_root}; pass --settings path/to/settings.py."
        )
    entries = [main]
    for server_module in _server_modules(import_root, dotted):
        other = settings_module_name(server_module, required=False)
        other_path = module_file(import_root, other) if other else None
        if other_path is not None and other_path not in entries:
            entries.append(other_path)
    return Project(root, import_root, tuple(entries), manage)


def _find_manage(start: Path, settings_path: Path | None) -> tuple[Path, Path | None]:
    """(project root, manage.py) for a run started in `start`."""
    if (start / "manage.py").is_file():
        return start, start / "manage.py"
    below = sorted(find_manage_files(start, SEARCH_DEPTH))
    if settings_path is not None:
        # --settings picks the project among several: the manage.py nearest above the settings file.
        above_settings = _find_upwards(settings_path.parent, "manage.py")
        if above_settings is not None:
            inside = start in above_settings.parents
            return (project_folder(above_settings, start) if inside else above_settings.parent), above_settings
    if len(below) == 1:
        return project_folder(below[0], start), below[0]
    if len(below) > 1:
        shown = ", ".join(_shown(path, start) for path in below[:4]) + (" ..." if len(below) > 4 else "")
        raise RefactorError(
            f"{start} holds several Django projects ({shown}); pass the one to migrate as PATH, "
            "or pass --settings path/to/settings.py."
        )
    above = _find_upwards(start, "manage.py")
    if above is not None:
        return above.parent, above
    return start, None


PROJECT_MARKERS = ("Dockerfile", ".env-local", "docker-compose.yml", "compose.yaml", ".git")


def project_folder(manage: Path, start: Path, include_start: bool = True) -> Path:
    """For a manage.py below `start`: the folder that holds its Dockerfile and .env-local, the
    nearest from manage.py's folder up to `start` with one of them (src/ layouts keep them at
    the top), else manage.py's folder. A fleet's folder is not a project: `include_start=False`."""
    for folder in (manage.parent, *manage.parent.parents):
        if folder == start and not include_start:
            break
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
        if folder == start:
            break
    return manage.parent


def find_manage_files(folder: Path, depth: int, warn: Callable[[str], None] | None = None) -> Iterator[Path]:
    """manage.py files below `folder` (not in it), at most `depth` folders down, skipping
    virtualenvs, node_modules and VCS folders. A folder that cannot be read is skipped with a
    warning (`warn`, or a line on stderr)."""
    if depth <= 0:
        return
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as exc:
        _unreadable(folder, exc, warn)
        return
    for entry in entries:
        try:
            if not entry.is_dir(follow_symlinks=False) or entry.name in SKIPPED_FOLDERS:
                continue
            child = Path(entry.path)
            if (child / "pyvenv.cfg").exists():
                continue
            is_project = (child / "manage.py").is_file()
        except OSError as exc:  # a folder without the permission to look inside (chmod 000)
            _unreadable(Path(entry.path), exc, warn)
            continue
        if is_project:
            yield child / "manage.py"
        else:
            yield from find_manage_files(child, depth - 1, warn)


def _unreadable(folder: Path, exc: OSError, warn: Callable[[str], None] | None) -> None:
    shown = os.path.relpath(folder)
    if shown.startswith(".."):
        shown = str(folder)
    message = f"cannot read {shown} ({exc.strerror or exc}): skipped it and what is below it."
    if warn is not None:
        warn(message)
    elif sys.stderr is not None:
        sys.stderr.write(f"warning: {message}\n")


def _server_modules(import_root: Path, dotted: str) -> list[Path]:
    """wsgi.py and asgi.py of the settings' top package (mysite/wsgi.py): they may name
    production's settings module (mysite.settings.production) where manage.py names dev's."""
    package = import_root / dotted.split(".")[0]
    return [package / name for name in ("wsgi.py", "asgi.py") if (package / name).is_file()]


def _settings_option(settings: str | os.PathLike[str]) -> Path:
    settings_path = Path(settings).expanduser().resolve()
    if not settings_path.is_file():
        raise RefactorError(f"--settings {settings}: no such file; pass the path of your settings module.")
    return settings_path


def _find_upwards(start: Path, name: str) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / name
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            return None  # not past the top of the repository
    return None


def _shown(path: Path, root: Path) -> str:
    return PurePosixPath(os.path.relpath(path, root)).as_posix()


def settings_module_name(module: Path, required: bool) -> str | None:
    """The module a manage.py (or wsgi.py) puts in DJANGO_SETTINGS_MODULE: setdefault(...),
    os.environ[...] = ..., or environ.setdefault(...), in any quoting."""
    name = module.name
    data = read_bytes(module, name)
    try:
        tree = ast.parse(data or b"", filename=str(module))
    except SyntaxError as exc:
        if not required:
            return None
        raise RefactorError(
            f"{name} has a syntax error at line {exc.lineno}; fix it or pass --settings path/to/settings.py."
        ) from None
    for node in ast.walk(tree):
        value = None
        if isinstance(node, ast.Call) and len(node.args) >= 2 and _is_text(node.args[0], SETTINGS_VARIABLE):
            value = node.args[1]
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Subscript) and _is_text(target.slice, SETTINGS_VARIABLE)
            for target in node.targets
        ):
            value = node.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
    if not required:
        return None
    raise RefactorError(
        f"{name} does not set {SETTINGS_VARIABLE} to a plain string; pass --settings path/to/settings.py."
    )


def _is_text(node: ast.AST, text: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == text
