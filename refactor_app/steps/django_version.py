"""Which Django a project asks for, as far as its requirement files tell: settings whose
format changed between versions (CSRF_TRUSTED_ORIGINS took a scheme in 4.0) depend on it."""

from __future__ import annotations

import re

from refactor_app.workspace import Workspace

REQUIREMENT_FILES = ("requirements.txt", "requirements.in", "requirements/base.txt", "requirements/production.txt",
                     "requirements/prod.txt", "pyproject.toml", "Pipfile", "setup.cfg", "setup.py")
# `django==3.2.1`, `Django>=4.2,<5`, `django = "~=3.2"`: each comparison and its major.minor.
_SPEC = re.compile(r"""(?im)^[\s"']*django\b(?![-_.\w])(?P<specs>[^#\n]*)""")
_CLAUSE = re.compile(r"(==|~=|>=|<=|<|>)\s*(\d+)(?:\.(\d+))?")


def before_4_0(ws: Workspace) -> bool | None:
    """True when every Django requirement found stays below 4.0, False when one allows 4.0 or
    later, None when no requirement names Django (the caller picks the current default)."""
    answers = []
    for name in REQUIREMENT_FILES:
        path = ws.project.root / name
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for match in _SPEC.finditer(text):
            answers.append(_below_4(match.group("specs")))
    known = [answer for answer in answers if answer is not None]
    return all(known) if known else None


def _below_4(specs: str) -> bool | None:
    clauses = [(op, int(major), int(minor or 0)) for op, major, minor in _CLAUSE.findall(specs)]
    if not clauses:
        return None  # `django` alone: the newest
    for op, major, minor in clauses:
        if op in ("==", "~=", "<=") and major < 4:
            return True
        if op == "<" and (major, minor) <= (4, 0):
            return True
    return False
