"""Finding a Django project's files: the settings modules (from manage.py, wsgi.py, asgi.py),
the Dockerfile production builds (deployment.production_dockerfile), `.env-local`, `.gitignore`.

Discovery only reads; nothing here writes.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import sys
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Callable, Iterator, NamedTuple

from refactor_app.boundary import Boundary, find_boundary
from refactor_app.deployment import DockerBuild, production_dockerfile
from refactor_app.errors import RefactorError
from refactor_app.textfile import is_regular_file, may_exist, read_bytes, read_once, real_path

if TYPE_CHECKING:
    from refactor_app.local_env import LocalEnv

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
    settings_paths: tuple[Path, ...]  # the settings module production runs (see production.py's order)
    manage_path: Path | None = None
    boundary: Boundary | None = None  # where files may be read for editing and written: see `limits`
    notes: tuple[str, ...] = ()  # what discovery chose on its own and the user should know (no manage.py)
    # How the production module was found ("named by config/wsgi.py"); "" when manage.py's is the only one.
    production_source: str = ""
    # Settings modules the steps leave alone, as shown, and why (only local work or tests load them).
    left_alone: tuple[tuple[str, str], ...] = ()
    local_settings_path: Path | None = None  # what manage.py runs (local work), when it is not production's
    build: DockerBuild | None = None  # the Dockerfile production builds (deployment.production_dockerfile)
    local_env_found: "LocalEnv | None" = None  # what local work loads: refactor_app/local_env.py, found once

    @property
    def local_env(self) -> "LocalEnv":
        """The env file local work loads, where the steps write local values (see local_env.py)."""
        if self.local_env_found is not None:
            return self.local_env_found
        from refactor_app import local_env

        return local_env.default(self.root)

    @property
    def limits(self) -> Boundary:
        """The repository (git work tree) holding the project, or its folder without git: every
        file edited must resolve inside it."""
        return self.boundary if self.boundary is not None else find_boundary(self.root)

    @property
    def settings_path(self) -> Path:
        return self.settings_paths[0]

    @property
    def local_path(self) -> Path:
        """The settings module local work runs (manage.py's), production's when they are one."""
        return self.local_settings_path or self.settings_path

    @property
    def dockerfile_path(self) -> Path:
        """The Dockerfile production builds; `Dockerfile` in the project folder when none was found."""
        return self.build.dockerfile if self.build is not None else self.root / "Dockerfile"

    @property
    def env_path(self) -> Path:
        """Where local values go: `.env-local` unless local work loads another env file."""
        return self.local_env.path

    @property
    def gitignore_path(self) -> Path:
        return self.root / ".gitignore"

    @property
    def settings_files(self) -> list[str]:
        """The settings modules in use, as the user sees them."""
        return [self.display(path) for path in self.settings_paths]

    @property
    def edited_files(self) -> list[str]:
        """The files the steps edit, as the user sees them: the settings, Dockerfile, .env-local, .gitignore
        (and the compose file that is to name .env-local)."""
        naming = self.local_env.name_in
        return [*self.settings_files, *(self.display(path) for path in
                                       (self.dockerfile_path, self.env_path, self.gitignore_path)),
                *([self.display(naming.compose)] if naming is not None else [])]

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
            real = Path(real_path(candidate))
            boundary.check(candidate, shown, str(real))
            return real
    return None


def discover(path: str | os.PathLike[str] = ".", settings: str | os.PathLike[str] | None = None,
             dockerfile: str | os.PathLike[str] | None = None) -> Project:
    """The project at `path`: manage.py there, in one folder below it (a src/ layout), or in a
    folder above it (as git finds its repository). `settings` (a file path) overrides the
    settings modules manage.py, wsgi.py and asgi.py name; `dockerfile` (a file path) the
    Dockerfile production builds."""
    with read_once():  # it writes nothing: each folder and file it looks at is read once
        return _discover(path, settings, dockerfile)


def _discover(path: str | os.PathLike[str], settings: str | os.PathLike[str] | None,
              dockerfile: str | os.PathLike[str] | None) -> Project:
    start = Path(path).expanduser()
    if not start.exists():
        raise RefactorError(f"{start} does not exist; pass the folder that holds your project's manage.py.")
    if not start.is_dir():
        raise RefactorError(f"{start} is not a folder; pass the folder that holds your project's manage.py.")
    start = Path(real_path(start))
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
    if settings_path is not None:
        _refuse_empty_package(settings_path, root, "--settings")
    docker = production_dockerfile(root, boundary, _dockerfile_option(dockerfile, boundary) if dockerfile is not None else None)

    def finished(project: Project) -> Project:  # with its Dockerfile, every file checked
        return _checked_files(project._replace(build=docker.build, notes=(*project.notes, *docker.notes)))

    if manage is None:
        if settings_path is None:
            found = _only_settings_module(start, boundary)
            note = (f"no manage.py: using {_shown(found, root)}, the one module that looks like Django settings; "
                    "pass --settings to choose another")
            # Imported by its dotted name from above its package (mysite.settings), where
            # startproject's manage.py and BASE_DIR would be.
            return finished(Project(root=root, import_root=_package_top(found.parent, root), settings_paths=(found,),
                                    boundary=boundary, notes=(note,)))
        return finished(Project(root=root, import_root=settings_path.parent, settings_paths=(settings_path,),
                                boundary=boundary))
    import_root = manage.parent
    if settings_path is not None:
        return finished(Project(root, import_root, (settings_path,), manage, boundary,
                                local_settings_path=_local_module(manage, import_root, boundary, root, settings_path)))

    manage_shown = _shown(manage, root)
    dotted = settings_module_name(manage, required=False, display_path=manage_shown)
    legacy = dotted is None and execute_manager_settings(manage, manage_shown)
    aldryn = dotted is None and not legacy and aldryn_startup_settings(manage, manage_shown)
    if legacy or aldryn:
        # Django 1.3 and older: `import settings; execute_manager(settings)`; aldryn-django:
        # startup.manage(...). Either way the settings.py beside manage.py.
        dotted = legacy or aldryn
    elif dotted is None:
        # manage.py sets none: the deployment may (Dockerfile's ENV DJANGO_SETTINGS_MODULE=...).
        from refactor_app.deployment import deployment_namings

        named = next((naming.dotted for naming in deployment_namings(root, boundary)
                      if module_file(import_root, naming.dotted, boundary, root) is not None), None)
        dotted = named or settings_module_name(manage, required=True, display_path=manage_shown)  # raises: why not
    main = module_file(import_root, dotted, boundary, root)
    if main is None:
        candidates = f"{dotted.replace('.', '/')}.py"
        if legacy:
            raise RefactorError(
                f"{manage_shown} imports {dotted!r} for execute_manager (Django 1.3 and older), but {candidates} "
                f"is not beside it in {import_root}; pass --settings path/to/settings.py."
            )
        if aldryn:
            raise RefactorError(
                f"{manage_shown} runs aldryn_django.startup, which uses the settings module {dotted!r}, but "
                f"{candidates} is not beside it in {import_root}; pass --settings path/to/settings.py."
            )
        raise RefactorError(
            f"{manage_shown} names the settings module {dotted!r} but {candidates} is not in "
            f"{import_root}; pass --settings path/to/settings.py."
        )
    _refuse_empty_package(main, root, f"{manage_shown} names {dotted!r}, whose")
    from refactor_app.production import choose_production

    choice = choose_production(root, import_root, boundary, manage_shown, dotted, main,
                               _server_modules(import_root, dotted), docker.build.dockerfile if docker.build else None)
    for path, named_by in choice.checked_packages:
        _refuse_empty_package(path, root, named_by)
    return finished(Project(root, import_root, (choice.path,), manage, boundary, notes=choice.notes,
                            production_source=choice.source, left_alone=choice.left_alone,
                            local_settings_path=main if main != choice.path else None))


def _local_module(manage: Path, import_root: Path, boundary: Boundary, root: Path, chosen: Path) -> Path | None:
    """manage.py's module, what local work runs, when --settings chose another for production
    (None when manage.py names none that can be found: verify then loads --settings' for both)."""
    try:
        dotted = settings_module_name(manage, required=False, display_path=_shown(manage, root))
        path = module_file(import_root, dotted, boundary, root) if dotted else None
    except RefactorError:
        return None
    return path if path != chosen else None


def execute_manager_settings(manage: Path, display_path: str) -> str | None:
    """The module a Django 1.3 (or older) manage.py hands to execute_manager: `import settings`
    then `execute_manager(settings)`, the settings.py beside it. None for any other manage.py.
    A manage.py Python 3 cannot parse (a print statement) is read as text."""
    data = read_bytes(manage, display_path) or b""
    try:
        tree = ast.parse(data, filename=str(manage))
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        text = data.decode("utf-8", "replace")
        call = re.search(r"^[ \t]*execute_manager\([ \t]*([A-Za-z_]\w*)[ \t]*\)", text, re.MULTILINE)
        if call is None:
            return None
        name = re.escape(call.group(1))
        imported = re.search(rf"^[ \t]*import[ \t]+(?:([A-Za-z_][\w.]*)[ \t]+as[ \t]+)?{name}[ \t]*(?:#.*)?$",
                             text, re.MULTILINE)
        return (imported.group(1) or call.group(1)) if imported is not None else None
    names = [
        node.args[0].id for node in ast.walk(tree)
        if isinstance(node, ast.Call) and len(node.args) == 1 and isinstance(node.args[0], ast.Name)
        and (getattr(node.func, "id", None) == "execute_manager" or getattr(node.func, "attr", None) == "execute_manager")
    ]
    if not names:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (alias.asname or alias.name) == names[0]:
                    return alias.name
    return None


# aldryn_django/startup.py (divio/aldryn-django), which an Aldryn project's manage.py and wsgi.py
# call: `os.environ['DJANGO_SETTINGS_MODULE'] = env('DJANGO_SETTINGS_MODULE', 'settings')`, the
# settings.py beside manage.py (the project folder is on sys.path) unless the environment names another.
ALDRYN_SETTINGS_MODULE = "settings"


def aldryn_startup_settings(manage: Path, display_path: str) -> str | None:
    """The settings module of an Aldryn project (Divio's previous platform), whose manage.py runs
    `startup.manage(path=...)` with `from aldryn_django import startup`: 'settings'. None for any
    other manage.py."""
    data = read_bytes(manage, display_path) or b""
    if b"aldryn_django" not in data:
        return None
    try:
        tree = ast.parse(data, filename=str(manage))
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None
    startup_names = {"aldryn_django.startup"}  # `import aldryn_django.startup`
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "aldryn_django" and node.level == 0:
            startup_names.update(alias.asname or alias.name for alias in node.names if alias.name == "startup")
        elif isinstance(node, ast.Import):
            startup_names.update(alias.asname for alias in node.names
                                 if alias.name == "aldryn_django.startup" and alias.asname)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "manage"
                and _dotted(node.func.value) in startup_names):
            return ALDRYN_SETTINGS_MODULE
    return None


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner is not None else None
    return None


def _refuse_empty_package(path: Path, root: Path, named_by: str) -> None:
    """A settings package whose __init__.py sets nothing and star-imports nothing holds no
    settings to edit: refactor-app never writes settings into it, and asks which module to use."""
    if path.name != "__init__.py":
        return
    try:
        tree = ast.parse(read_bytes(path, _shown(path, root)) or b"")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return  # reported, with the line, when the steps read it
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id.isupper():
            return
    body = [node for node in tree.body if not isinstance(node, ast.Pass)
            and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    what = "is empty" if not body else "is empty of settings (it sets none and star-imports no module)"
    modules = sorted(_shown(module, root) for module in path.parent.glob("*.py") if module.name != "__init__.py")
    choices = f"one of {', '.join(modules)}" if modules else "the package holds no other module"
    raise RefactorError(
        f"{named_by} {_shown(path, root)} {what}, and refactor-app does not write settings into a package's "
        f"__init__.py; pass the settings module production runs with --settings ({choices})."
    )


def _only_settings_module(start: Path, boundary: Boundary) -> Path:
    """Without manage.py: the one module at or below `start` that looks like Django settings;
    several are a question for the user, none today's error."""
    found = sorted(find_settings_like_modules(start, SEARCH_DEPTH))
    if not found:
        raise RefactorError(
            f"no manage.py in {start}, the folders below it or above it; run refactor-app in your Django "
            "project's folder or pass --settings path/to/settings.py."
        )
    if len(found) > 1:
        shown = [_shown(path, start) for path in found]
        listed = ", ".join(shown[:6]) + (" ..." if len(shown) > 6 else "")
        raise RefactorError(
            f"no manage.py in {start}, and several modules look like Django settings ({listed}); pass the one to "
            f"migrate, for example --settings {shown[0]}."
        )
    if not boundary.contains(found[0]):
        raise RefactorError(
            f"{_shown(found[0], start)}, the one module that looks like Django settings, leads outside "
            f"{boundary.name}; pass --settings path/to/settings.py inside it."
        )
    return found[0]


def _package_top(folder: Path, root: Path) -> Path:
    """The folder above `folder`'s outermost package (one with __init__.py), not above `root`."""
    while folder != root and root in folder.parents and (folder / "__init__.py").is_file():
        folder = folder.parent
    return folder


SETTINGS_NAMES = (b"INSTALLED_APPS", b"SECRET_KEY", b"DATABASES")
MAX_SETTINGS_BYTES = 1_000_000  # a larger .py file is data, not someone's settings


def find_settings_like_modules(folder: Path, depth: int, warn: Callable[[str], None] | None = None) -> Iterator[Path]:
    """Modules in `folder` and at most `depth` folders below it that look like Django settings:
    INSTALLED_APPS and SECRET_KEY or DATABASES assigned at module level. Virtualenvs,
    node_modules and VCS folders are skipped, as by find_manage_files; links are not followed."""
    for entry in _entries(folder, warn):
        try:
            if entry.name.endswith(".py") and entry.is_file(follow_symlinks=False):
                if entry.stat(follow_symlinks=False).st_size <= MAX_SETTINGS_BYTES and _looks_like_settings(entry.path):
                    yield Path(entry.path)
            elif depth > 0 and _searched(entry):
                yield from find_settings_like_modules(Path(entry.path), depth - 1, warn)
        except OSError as exc:
            _unreadable(Path(entry.path), exc, warn)


def _looks_like_settings(path: str) -> bool:
    with open(path, "rb") as file:
        data = file.read(MAX_SETTINGS_BYTES + 1)
    if SETTINGS_NAMES[0] not in data or not any(name in data for name in SETTINGS_NAMES[1:]):
        return False  # most modules: no parse
    try:
        tree = ast.parse(data)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return False
    assigned = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        assigned.update(target.id for target in targets if isinstance(target, ast.Name))
    return "INSTALLED_APPS" in assigned and bool(assigned & {"SECRET_KEY", "DATABASES"})


def _checked_files(project: Project) -> Project:
    """A FIFO, device or socket in place of the Dockerfile, .env-local or .gitignore is refused
    before anything opens it: git, started early by planning, would block reading a FIFO .gitignore.
    Then what local work loads is found, once (local_env.py)."""
    for path in (project.dockerfile_path, project.env_path, project.gitignore_path):
        is_regular_file(path, project.display(path))
    from refactor_app import local_env

    found = local_env.find(project)
    is_regular_file(found.path, project.display(found.path))
    return project._replace(local_env_found=found)


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
            "or pass --settings path/to/settings.py, or run every one of them with --recursive (-r)."
        )
    above = _find_upwards(start, "manage.py")
    if above is not None:
        return above.parent, above
    return start, None


PROJECT_MARKERS = ("Dockerfile", ".env-local", "docker-compose.yml", "compose.yaml", ".git")


def project_folder(manage: Path, start: Path, include_start: bool = True) -> Path:
    """For a manage.py below `start`: the folder that holds its Dockerfile and .env-local, the
    nearest from manage.py's folder up to `start` with one of them (src/ layouts keep them at
    the top), else manage.py's folder. A fleet's folder is not a project: `include_start=False`.
    A compose file above that builds or mounts manage.py's folder (`build: ./app`, testdriven.io's
    layout) wins over a Dockerfile beside manage.py: its folder is the project's."""
    composed = _compose_above(manage, start, include_start)
    if composed is not None:
        return composed
    for folder in (manage.parent, *manage.parent.parents):
        if folder == start and not include_start:
            break
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
        if folder == start:
            break
    return manage.parent


COMPOSE_FILES = ("docker-compose.yml", "docker-compose.yaml", "compose.yaml", "compose.yml")


def _compose_above(manage: Path, start: Path, include_start: bool) -> Path | None:
    """The nearest folder above manage.py's, up to `start` and not past the repository's top,
    whose compose file names manage.py's folder (./app) as a build context or a volume."""
    folder = manage.parent
    while folder != start and start in folder.parents:
        if (folder / ".git").exists():
            return None
        parent = folder.parent
        if parent == start and not include_start:
            return None
        relative = manage.parent.relative_to(parent).as_posix()
        mention = re.compile(rf"(?:^|[\s'\"=])(?:\./)?{re.escape(relative)}/?(?:[\s'\":]|$)", re.MULTILINE)
        for name in COMPOSE_FILES:
            try:
                with open(parent / name, "rb") as file:
                    text = file.read(1_000_000).decode("utf-8", "replace")
            except OSError:
                continue
            if mention.search(text):
                return parent
        folder = parent
    return None


def find_manage_files(folder: Path, depth: int, warn: Callable[[str], None] | None = None) -> Iterator[Path]:
    """manage.py files below `folder` (not in it), at most `depth` folders down, skipping
    virtualenvs, node_modules and VCS folders. A folder that cannot be read is skipped with a
    warning (`warn`, or a line on stderr)."""
    if depth <= 0:
        return
    for entry in _entries(folder, warn):
        try:
            if not _searched(entry):
                continue
            child = Path(entry.path)
            is_project = (child / "manage.py").is_file()
        except OSError as exc:  # a folder without the permission to look inside (chmod 000)
            _unreadable(Path(entry.path), exc, warn)
            continue
        if is_project:
            yield child / "manage.py"
        else:
            yield from find_manage_files(child, depth - 1, warn)


def _entries(folder: Path, warn: Callable[[str], None] | None) -> list[os.DirEntry]:
    """The folder's entries by name; none (with a warning) when it cannot be read."""
    try:
        return sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as exc:
        _unreadable(folder, exc, warn)
        return []


def _searched(entry: os.DirEntry) -> bool:
    """Is the entry a folder the searches go into: not a link, a virtualenv, node_modules or VCS data?"""
    return (entry.is_dir(follow_symlinks=False) and entry.name not in SKIPPED_FOLDERS
            and not (Path(entry.path) / "pyvenv.cfg").exists())


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
    return [package / name for name in ("wsgi.py", "asgi.py") if may_exist(package / name) and (package / name).is_file()]


def _dockerfile_option(dockerfile: str | os.PathLike[str], boundary: Boundary) -> Path:
    """--dockerfile's file, which must be inside the repository: refactor-app edits it."""
    path = Path(dockerfile).expanduser().resolve()
    if not is_regular_file(path, f"--dockerfile {dockerfile}"):
        raise RefactorError(f"--dockerfile {dockerfile}: no such file; pass the path of the Dockerfile production builds.")
    if not boundary.contains(path):
        given = os.path.abspath(Path(dockerfile).expanduser())
        shown = f"--dockerfile {dockerfile}" + (f" (a link to {path})" if given != str(path) else "")
        raise RefactorError(
            f"{shown} is outside {boundary.name}, and refactor-app writes only inside it; "
            "pass a Dockerfile inside it, or run refactor-app in the project that holds that one."
        )
    return path


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
    found = _settings_module_value_of(read_bytes(module, name) or b"")
    if found[0] == "syntax error":
        if not required:
            return None
        raise RefactorError(
            f"{name} has a syntax error at line {found[1]}; fix it or pass --settings path/to/settings.py."
        )
    if found[0] == "unparsable":  # nested too deeply for Python's parser; a NUL byte
        if not required:
            return None
        raise RefactorError(
            f"{name} cannot be parsed (nested too deeply, or not Python source); fix it or pass "
            "--settings path/to/settings.py."
        )
    if found[0] == "value":
        if not _is_dotted_name(found[1]):
            raise RefactorError(
                f"{name} sets {SETTINGS_VARIABLE} to {found[1]!r}, which is not a dotted Python module "
                "name (like 'mysite.settings'); fix it there or pass --settings path/to/settings.py."
            )
        return found[1]
    if not required:
        return None
    raise RefactorError(
        f"{name} does not set {SETTINGS_VARIABLE} to a plain string; pass --settings path/to/settings.py."
    )


# The string a manage.py or wsgi.py gives DJANGO_SETTINGS_MODULE, on the same line.
_NAMED_MODULE = re.compile(rb"""DJANGO_SETTINGS_MODULE['"][^\r\n]*?(['"])([A-Za-z_][\w.]*)\1""")
_PLACEHOLDER = "refactor_app_settings_module"


def _settings_module_value_of(data: bytes) -> tuple[str, object]:
    """`_settings_module_value` of `data`, read with the module's name written as a placeholder
    first: the files startproject writes differ from project to project only there, so a fleet's
    are parsed once per template. (Only that string token differs, so the parse finds the same
    node.)"""
    match = _NAMED_MODULE.search(data)
    if match is not None and _PLACEHOLDER.encode() not in data:
        found = _settings_module_value(data[: match.start(2)] + _PLACEHOLDER.encode() + data[match.end(2) :])
        if found == ("value", _PLACEHOLDER):
            return "value", match.group(2).decode("ascii")
    return _settings_module_value(data)


@functools.lru_cache(maxsize=64)
def _settings_module_value(data: bytes) -> tuple[str, object]:
    """("value", the first string given to DJANGO_SETTINGS_MODULE), ("none", None), ("syntax
    error", its line) or ("unparsable", None). By content: a fleet's manage.py and wsgi.py files
    come from a few templates, and discovery reads each project's twice or more."""
    try:
        tree = ast.parse(data)
    except SyntaxError as exc:
        return "syntax error", exc.lineno
    except (RecursionError, MemoryError, ValueError):
        return "unparsable", None
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
            return "value", value.value
    return "none", None


def _is_dotted_name(text: str) -> bool:
    # Keywords pass: Django imports the name with importlib, where a package called `async` works.
    return all(part.isidentifier() for part in text.split("."))


def _is_text(node: ast.AST, text: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == text
