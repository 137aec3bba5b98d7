"""Which Django a project asks for, as far as its requirement files tell: settings whose
format changed between versions (CSRF_TRUSTED_ORIGINS took a scheme in 4.0) depend on it."""

from __future__ import annotations

import re
from pathlib import Path

from refactor_app.workspace import Workspace

REQUIREMENT_FILES = ("requirements.txt", "requirements.in", "requirements/base.txt", "requirements/production.txt",
                     "requirements/prod.txt", "pyproject.toml", "Pipfile", "setup.cfg", "setup.py")
# Also any requirements*.txt beside them and any requirements/*.txt (one of them holds the pin).
REQUIREMENT_GLOBS = ("requirements*.txt", "requirements*.in", "requirements/*.txt", "requirements/*.in")
# A PEP 508 requirement: at a line's start (requirements files, setup.cfg) or opening a quoted
# string (pyproject's dependencies, setup.py's install_requires, on one line or several); its
# specifiers end at the string's quote, an environment marker or a comment.
_PEP508 = re.compile(r"""(?im)(?:^|["'])[ \t]*django(?![-_.\w])[ \t]*(?:\[[^\]\n]*\])?(?P<specs>[^"'#;\n]*)""")
# A TOML table's key (Poetry, Pipfile): `django = "^3.2"`, `Django = {version = "~3.2", ...}`.
_TOML_KEY = re.compile(r"""(?im)^[ \t]*["']?django["']?[ \t]*=[ \t]*(?:\{[^}\n]*?\bversion[ \t]*=[ \t]*)?["'](?P<value>[^"'\n]*)["']""")
_CLAUSE = re.compile(r"(===?|~=|>=|<=|<|>)\s*(\d+(?:\.\d+)*)")
_POETRY = re.compile(r"^\s*(?:\^|~(?!=)|)\s*(\d+)")  # ^3.2, ~3.2, 3.2.18, 3.*: all stay within the major


def before_4_0(ws: Workspace) -> bool | None:
    """True when every Django requirement found stays below 4.0, False when one allows 4.0 or
    later, None when no requirement names Django (the caller picks the current default)."""
    answers = []
    for path in requirement_files(ws.project.root, ws.project.import_root):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        answers += [_below_4(match.group("specs")) for match in _PEP508.finditer(text)]
        if path.name in ("pyproject.toml", "Pipfile"):
            answers += [_toml_below_4(match.group("value")) for match in _TOML_KEY.finditer(text)]
    known = [answer for answer in answers if answer is not None]
    return all(known) if known else None


def requirement_files(*folders: Path) -> list[Path]:
    """The requirement files in the project's folder and in manage.py's (when that is another)."""
    found: list[Path] = []
    for folder in dict.fromkeys(folders):
        candidates = [folder / name for name in REQUIREMENT_FILES]
        candidates += sorted(path for pattern in REQUIREMENT_GLOBS for path in folder.glob(pattern))
        found += [path for path in dict.fromkeys(candidates) if path.is_file()]
    return found


def _below_4(specs: str) -> bool | None:
    clauses = [(op, _release(version)) for op, version in _CLAUSE.findall(specs)]
    if not clauses:
        return None  # `django` alone: the newest
    for op, release in clauses:
        if op in ("==", "===", "~=") and release[0] < 4:
            return True
        if op == "<=" and release < (4, 0, 0):
            return True
        if op == "<" and release <= (4, 0, 0):  # `<4.0.1` still allows 4.0.0
            return True
    return False


def _toml_below_4(value: str) -> bool | None:
    """Poetry's `^3.2`, `~3.2`, `3.2.18` and `3.*` keep the major; the rest is PEP 440 (Pipfile, Poetry)."""
    if _CLAUSE.search(value):
        return _below_4(value)
    poetry = _POETRY.match(value)
    return int(poetry.group(1)) < 4 if poetry else None


def _release(version: str) -> tuple[int, int, int]:
    parts = [int(part) for part in version.split(".")[:3]]
    return tuple(parts + [0] * (3 - len(parts)))  # type: ignore[return-value]
