"""Finding a Django project's files: the settings module (from manage.py), Dockerfile,
`.env-local`, `.gitignore` and the git repository around it.

Discovery only reads; nothing here writes.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from refactor_app.errors import RefactorError
from refactor_app.textfile import read_bytes

SETTINGS_VARIABLE = "DJANGO_SETTINGS_MODULE"


@dataclass(frozen=True)
class Project:
    root: Path  # the folder given on the command line: where manage.py, Dockerfile, .env-local live
    settings_path: Path  # the settings module DJANGO_SETTINGS_MODULE names (or --settings)
    import_root: Path  # the folder dotted module names resolve from (manage.py's folder)

    @property
    def dockerfile_path(self) -> Path:
        return self.root / "Dockerfile"

    @property
    def env_path(self) -> Path:
        return self.root / ".env-local"

    @property
    def gitignore_path(self) -> Path:
        return self.root / ".gitignore"

    def display(self, path: Path) -> str:
        """A path as the user sees it: relative to the project folder, with forward slashes."""
        return PurePosixPath(os.path.relpath(path, self.root)).as_posix()

    def module_path(self, dotted: str) -> Path | None:
        """The file for an importable module name, or None when it is not inside the project."""
        base = self.import_root.joinpath(*dotted.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None


def discover(path: str | os.PathLike[str] = ".", settings: str | os.PathLike[str] | None = None) -> Project:
    """The project at `path` (or the folder above it that holds manage.py, as git finds its
    repository); `settings` (a file path) overrides finding the settings through manage.py."""
    start = Path(path).expanduser()
    if not start.exists():
        raise RefactorError(f"{start} does not exist; pass the folder that holds your project's manage.py.")
    if not start.is_dir():
        raise RefactorError(f"{start} is not a folder; pass the folder that holds your project's manage.py.")
    start = start.resolve()
    settings_path = _settings_option(settings) if settings is not None else None

    manage = _find_upwards(start, "manage.py")
    if manage is None and settings_path is not None:
        manage = _find_upwards(settings_path.parent, "manage.py")
    if manage is None:
        if settings_path is not None:
            return Project(root=start, settings_path=settings_path, import_root=start)
        raise RefactorError(
            f"no manage.py in {start} or the folders above it; run refactor-app in your Django project's "
            "folder or pass --settings path/to/settings.py."
        )
    root = manage.parent
    if settings_path is not None:
        return Project(root=root, settings_path=settings_path, import_root=root)
    dotted = settings_module_name(manage)
    settings_path = Project(root=root, settings_path=manage, import_root=root).module_path(dotted)
    if settings_path is None:
        candidates = f"{dotted.replace('.', '/')}.py"
        raise RefactorError(
            f"manage.py names the settings module {dotted!r} but {candidates} is not in {root}; "
            "pass --settings path/to/settings.py."
        )
    return Project(root=root, settings_path=settings_path, import_root=root)


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


def settings_module_name(manage: Path) -> str:
    """The module manage.py puts in DJANGO_SETTINGS_MODULE (setdefault(...) or an assignment)."""
    data = read_bytes(manage, "manage.py")
    try:
        tree = ast.parse(data or b"", filename=str(manage))
    except SyntaxError as exc:
        raise RefactorError(
            f"manage.py has a syntax error at line {exc.lineno}; fix it or pass --settings path/to/settings.py."
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
    raise RefactorError(
        f"manage.py does not set {SETTINGS_VARIABLE} to a plain string; pass --settings path/to/settings.py."
    )


def _is_text(node: ast.AST, text: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == text
