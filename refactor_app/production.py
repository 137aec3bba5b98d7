"""Which settings module production runs, and which ones only local work or tests load.

The page is about production, so the steps edit the module production imports, found from the
project's own files in this order (README.md documents it), the first that names one winning:

1. the deployment files (deployment.py: Dockerfile, Procfile, production compose, app.json,
   fly.toml, render.yaml);
2. wsgi.py / asgi.py beside the settings package (what a WSGI/ASGI server imports);
3. manage.py's DJANGO_SETTINGS_MODULE.

A module named for local work or tests (`dev.py`, `local.py`, `test.py`, ...) is never taken
for production: when everything names one, a sibling `production.py` / `prod.py` / `live.py` is,
and without exactly one such sibling the user is asked (exit 2, with the `--settings` lines).
Modules only local work or tests load are left alone, and `status` says which and why.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from refactor_app.boundary import Boundary
from refactor_app.deployment import deployment_namings
from refactor_app.errors import RefactorError

LOCAL_WORDS = frozenset({"dev", "devel", "develop", "development", "local", "locals"})
TEST_WORDS = frozenset({"test", "tests", "testing", "ci", "pytest"})
PRODUCTION_NAMES = ("production", "prod", "live")
DEPLOYMENT_FILES = "Dockerfile, Procfile, a production compose file, app.json, fly.toml or render.yaml"


class Candidate(NamedTuple):
    path: Path
    dotted: str
    where: str  # what names it, as the user reads it: "config/wsgi.py", "Dockerfile (ENV ...)"


class Choice(NamedTuple):
    path: Path  # the module the steps edit
    source: str  # why it: "named by config/wsgi.py"
    notes: tuple[str, ...]
    left_alone: tuple[tuple[str, str], ...]  # (module as shown, why it is not edited)
    checked_packages: tuple[tuple[Path, str], ...]  # an __init__.py chosen: (path, what named it) to check


def local_role(path: Path) -> str | None:
    """"local development" or "tests" when the module's name says so (settings/dev.py,
    local_settings.py, settings_test.py, settings/test/__init__.py); None otherwise."""
    stem = path.parent.name if path.name == "__init__.py" else path.stem
    words = set(re.split(r"[._-]+", stem.lower()))
    if words & TEST_WORDS:
        return "tests"
    if words & LOCAL_WORDS:
        return "local development"
    return None


def choose_production(root: Path, import_root: Path, boundary: Boundary, manage_shown: str, manage_dotted: str,
                      manage_module: Path, server_modules: list[Path], dockerfile: Path | None = None) -> Choice:
    from refactor_app.project import _shown, module_file, settings_module_name

    def shown(path: Path) -> str:
        return _shown(path, root)

    notes: list[str] = []
    candidates: list[Candidate] = []
    for naming in deployment_namings(root, boundary, dockerfile):
        path = module_file(import_root, naming.dotted, boundary, root)
        if path is None:
            notes.append(f"{naming.where} names the settings module {naming.dotted!r}, which is not in "
                         f"{shown(import_root) if import_root != root else 'the project'}; it was not used")
            continue
        candidates.append(Candidate(path, naming.dotted, naming.where))
    for server_module in server_modules:
        server_shown = shown(server_module)
        dotted = settings_module_name(server_module, required=False, display_path=server_shown)
        path = module_file(import_root, dotted, boundary, root) if dotted else None
        if path is not None:
            candidates.append(Candidate(path, dotted, server_shown))
    candidates.append(Candidate(manage_module, manage_dotted, manage_shown))

    chosen = next((candidate for candidate in candidates if local_role(candidate.path) is None), None)
    if chosen is None:
        chosen = _production_sibling(candidates, root)
    switch = None
    switched = _production_branch(chosen, root)
    if switched is not None:
        switch, chosen = chosen, switched
    if chosen.path == manage_module and all(candidate.path == manage_module for candidate in candidates):
        source = ""  # one settings module (startproject's): nothing to say
    else:
        source = chosen.where if chosen.where.startswith("the production branch") else f"named by {chosen.where}"

    left_alone: dict[Path, str] = {}
    for candidate in candidates:
        if candidate.path == chosen.path or candidate.path in left_alone:
            continue
        role = local_role(candidate.path)
        why = f"{candidate.where} names it" + (f"; it is for {role}" if role else "")
        if candidate.path == manage_module and role is None:
            why += " (what `manage.py runserver` loads)"
        left_alone[candidate.path] = why
    for sibling in _modules_beside(chosen.path):
        role = local_role(sibling)
        if role is not None and sibling not in left_alone and sibling != chosen.path:
            left_alone[sibling] = f"its name says it is for {role}"

    if switch is not None:
        left_alone[switch.path] = f"{switch.where} names it; it picks {shown(chosen.path)} or another module at run time"
    if left_alone:
        for inherited in _star_imported(chosen.path, import_root):
            left_alone.pop(inherited, None)  # production loads it: it is production's too
    left = tuple((shown(path), why) for path, why in left_alone.items())
    return Choice(chosen.path, source, tuple(notes), left,
                  ((chosen.path, f"{chosen.where} names {chosen.dotted!r}, whose"),))


_INDENTED_STAR_IMPORT = re.compile(rb"^[ \t]+from[ \t]+\S+[ \t]+import[ \t]+\*", re.MULTILINE)


def _production_branch(chosen: Candidate, root: Path) -> Candidate | None:
    """A module that picks its settings at run time (`if DJANGO_ENV == "production": from
    .production import *` / `else: from .development import *`): the branch production takes,
    when exactly one of the modules it star-imports inside an if block is named for production."""
    import ast

    from refactor_app.errors import RefactorError
    from refactor_app.project import _shown
    from refactor_app.textfile import read_bytes

    try:
        data = read_bytes(chosen.path, _shown(chosen.path, root))
        if data is None or not _INDENTED_STAR_IMPORT.search(data):
            return None  # the usual module: no parse
        tree = ast.parse(data)
    except (RefactorError, OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    found = []
    for block in (node for node in tree.body if isinstance(node, ast.If)):
        for node in ast.walk(block):
            if not (isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
                    and any(alias.name == "*" for alias in node.names)):
                continue
            folder = chosen.path.parent
            target = folder.joinpath(*node.module.split("."))
            for path in (target.with_suffix(".py"), target / "__init__.py"):
                if path.is_file() and node.module.split(".")[-1] in PRODUCTION_NAMES:
                    package = chosen.dotted if chosen.path.name == "__init__.py" else chosen.dotted.rpartition(".")[0]
                    found.append(Candidate(path.resolve(), f"{package}.{node.module}",
                                           f"the production branch of {_shown(chosen.path, root)}'s if block "
                                           f"(line {node.lineno}), which {chosen.where} names"))
                    break
    return found[0] if len(found) == 1 else None


def _production_sibling(candidates: list[Candidate], root: Path) -> Candidate:
    """Everything names a module for local work or tests: the one production.py / prod.py /
    live.py beside the first, or a question for the user."""
    from refactor_app.project import _shown

    first = candidates[0]
    folder = first.path.parent.parent if first.path.name == "__init__.py" else first.path.parent
    package = first.dotted.rsplit(".", 1)[0] if "." in first.dotted else ""
    found = []
    for name in PRODUCTION_NAMES:
        for path in (folder / f"{name}.py", folder / name / "__init__.py"):
            if path.is_file():
                found.append(Candidate(path.resolve(), f"{package}.{name}" if package else name,
                                       f"nothing: it is the {path.relative_to(folder).as_posix()} beside "
                                       f"{_shown(first.path, root)}"))
    if len(found) == 1:
        return found[0]
    named = ", ".join(dict.fromkeys(f"{candidate.where} names {_shown(candidate.path, root)}" for candidate in candidates))
    options = found or [Candidate(path, "", "") for path in _modules_beside(first.path) if local_role(path) is None]
    options += [Candidate(candidate.path, "", "") for candidate in candidates]
    lines = list(dict.fromkeys(f"--settings {_shown(option.path, root)}" for option in options))
    role = local_role(first.path)
    if found:
        why = f"and {', '.join(_shown(c.path, root) for c in found)} could each be production's"
    else:
        why = f"no deployment file ({DEPLOYMENT_FILES}) names the module production runs"
    raise RefactorError(
        f"{named}: a module for {role}, {why}; refactor-app edits only the settings production runs, so pass "
        f"it: {' or '.join(lines[:6])}."
    )


def _star_imported(path: Path, import_root: Path, seen: set[Path] | None = None) -> set[Path]:
    """The project modules `path` star-imports, directly or through them (a quick look with
    Python's parser: the workspace follows the same chain when the steps run)."""
    import ast

    seen = set() if seen is None else seen
    try:
        with open(path, "rb") as file:
            data = file.read(1_000_000)
        if b"import" not in data or b"*" not in data:
            return seen  # no star import: no parse
        tree = ast.parse(data)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return seen
    for node in tree.body:
        if not (isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names)):
            continue
        if node.level:
            base = path.parent
            for _ in range(node.level - 1):
                base = base.parent
        else:
            base = import_root
        target = base.joinpath(*(node.module or "").split(".")) if node.module else base
        for candidate in (target.with_suffix(".py"), target / "__init__.py"):
            if candidate.is_file():
                resolved = candidate.resolve()
                if resolved not in seen:
                    seen.add(resolved)
                    _star_imported(resolved, import_root, seen)
                break
    return seen


def _modules_beside(path: Path) -> list[Path]:
    """The other settings modules of the same package (settings/dev.py beside settings/production.py)."""
    folder = path.parent
    if not (folder / "__init__.py").is_file() or (path.stem == "settings" and "settings" not in folder.name):
        return []  # startproject's mysite/settings.py: its neighbours are urls.py, views.py, tests
    try:
        return sorted(entry.resolve() for entry in folder.glob("*.py") if entry.name != "__init__.py"
                      and entry.resolve() != path and _sets_settings(entry))
    except OSError:
        return []


_SETTING_LINE = re.compile(rb"^(?:from\s+\S+\s+import\s+\*|(?:DEBUG|SECRET_KEY|ALLOWED_HOSTS|INSTALLED_APPS|DATABASES)\s*[:=])",
                           re.MULTILINE)


def _sets_settings(path: Path) -> bool:
    """Does the module star-import settings or set one of the main ones (not urls.py, not tests.py)?"""
    try:
        with open(path, "rb") as file:
            return _SETTING_LINE.search(file.read(1_000_000)) is not None
    except OSError:
        return False
