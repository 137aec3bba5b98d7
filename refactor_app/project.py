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

from refactor_app.boundary import Boundary, find_boundary
from refactor_app.errors import RefactorError
from refactor_app.textfile import is_regular_file, read_bytes

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
    boundary: Boundary | None = None  # where files may be read for editing and written: see `limits`

    @property
    def limits(self) -> Boundary:
        """The repository (git work tree) holding the project, or its folder without git: every
        file edited must resolve inside it."""
        return self.boundary if self.boundary is not None else find_boundary(self.root)

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
        return _shown(path, self.root)

    def module_path(self, dotted: str) -> Path | None:
        """The file for an importable module name, or None when it is not inside the project."""
        return module_file(self.import_root, dotted, self.limits, self.root)


def module_file(import_root: Path, dotted: str, boundary: Boundary | None = None,
                root: Path | None = None) -> Path | None:
    """The module's file (links resolved), or None. With `boundary`: a file that resolves outside
    it, or that is a FIFO, a device or a socket, is a plain error (named as found, below `root`)."""
    base = import_root.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if boundary is None:
            if candidate.is_file():
                return candidate.resolve()
            continue
        shown = _shown(candidate, root or import_root)
        if is_regular_file(candidate, shown):
            real = candidate.resolve()
            boundary.check(candidate, shown, str(real))
            return real
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
    boundary = find_boundary(root)
    if settings_path is not None and not boundary.contains(settings_path):
        given = os.path.abspath(Path(settings).expanduser())
        shown = f"--settings {settings}" + (f" (a link to {settings_path})" if given != str(settings_path) else "")
        raise RefactorError(
            f"{shown} is outside {boundary.name}, and refactor-app writes only inside it; "
            "run refactor-app in the project that holds that settings module (pass its folder as PATH)."
        )
    if manage is None:
        if settings_path is None:
            raise RefactorError(
                f"no manage.py in {start}, the folders below it or above it; run refactor-app in your Django "
                "project's folder or pass --settings path/to/settings.py."
            )
        return _checked(Project(root=root, import_root=settings_path.parent, settings_paths=(settings_path,),
                                boundary=boundary))
    import_root = manage.parent
    if settings_path is not None:
        return _checked(Project(root, import_root, (settings_path,), manage, boundary))

    dotted = settings_module_name(manage, required=True, display_path=_shown(manage, root))
    main = module_file(import_root, dotted, boundary, root)
    if main is None:
        candidates = f"{dotted.replace('.', '/')}.py"
        raise RefactorError(
            f"{_shown(manage, root)} names the settings module {dotted!r} but {candidates} is not in "
            f"{import_root}; pass --settings path/to/settings.py."
        )
    entries = [main]
    for server_module in _server_modules(import_root, dotted):
        other = settings_module_name(server_module, required=False, display_path=_shown(server_module, root))
        other_path = module_file(import_root, other, boundary, root) if other else None
        if other_path is not None and other_path not in entries:
            entries.append(other_path)
    return _checked(Project(root, import_root, tuple(entries), manage, boundary))


def _checked(project: Project) -> Project:
    """A FIFO, device or socket in place of the Dockerfile, .env-local or .gitignore is refused
    before anything opens it: git, started early by planning, would block reading a FIFO .gitignore."""
    root = os.fspath(project.root)
    for name in ("Dockerfile", ".env-local", ".gitignore"):
        is_regular_file(os.path.join(root, name), name)
    return project


def _find_manage(start: Path, settings_path: Path | None) -> tuple[Path, Path | None]:
    """(project root, manage.py) for a run started in `start`."""
    if is_regular_file(start / "manage.py", "manage.py"):
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
    if not is_regular_file(settings_path, f"--settings {settings}"):
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
    text, top = os.fspath(path), os.fspath(root)
    rest = text[len(top) + 1:]
    if text.startswith(top) and text[len(top):len(top) + 1] == os.sep and rest and ".." not in rest.split(os.sep):
        return rest.replace(os.sep, "/")  # the usual case, without relpath's abspath calls
    return PurePosixPath(os.path.relpath(path, root)).as_posix()


def settings_module_name(module: Path, required: bool, display_path: str | None = None) -> str | None:
    """The module a manage.py (or wsgi.py) puts in DJANGO_SETTINGS_MODULE: setdefault(...),
    os.environ[...] = ..., or environ.setdefault(...), in any quoting. A value that is not a
    dotted Python name (a path: '../other/settings') is a plain error, even from wsgi.py."""
    name = display_path or module.name
    data = read_bytes(module, name)
    try:
        tree = ast.parse(data or b"", filename=str(module))
    except SyntaxError as exc:
        if not required:
            return None
        raise RefactorError(
            f"{name} has a syntax error at line {exc.lineno}; fix it or pass --settings path/to/settings.py."
        ) from None
    except (RecursionError, MemoryError, ValueError):  # nested too deeply for Python's parser; a NUL byte
        if not required:
            return None
        raise RefactorError(
            f"{name} cannot be parsed (nested too deeply, or not Python source); fix it or pass "
            "--settings path/to/settings.py."
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
            if not _is_dotted_name(value.value):
                raise RefactorError(
                    f"{name} sets {SETTINGS_VARIABLE} to {value.value!r}, which is not a dotted Python module "
                    "name (like 'mysite.settings'); fix it there or pass --settings path/to/settings.py."
                )
            return value.value
    if not required:
        return None
    raise RefactorError(
        f"{name} does not set {SETTINGS_VARIABLE} to a plain string; pass --settings path/to/settings.py."
    )


def _is_dotted_name(text: str) -> bool:
    # Keywords pass: Django imports the name with importlib, where a package called `async` works.
    return all(part.isidentifier() for part in text.split("."))


def _is_text(node: ast.AST, text: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == text
