"""The folders settings compute from `__file__`, worked out from the code as Python would run
it, without importing it.

BASE_DIR is spelled many ways: startproject's `Path(__file__).resolve().parent.parent` (one
`.parent` more in a settings package), the older `os.path.dirname(os.path.dirname(os.path.abspath(
__file__)))`, cookiecutter-django's `ROOT_DIR = Path(__file__).resolve(strict=True).parent.parent.parent`
and `APPS_DIR = ROOT_DIR / "myproject"`, and django-environ's `ROOT_DIR = environ.Path(__file__) - 3`.
STATIC_ROOT is then spelled from one of them. The staticfiles step removes and ignores the
folder collectstatic writes, so it must be the folder these compute, not manage.py's folder
plus the last words of the spelling. quickcheck.py asks the same questions: both must agree.

Only ast, no libcst: quickcheck runs without it.
"""

from __future__ import annotations

import ast
import os
import posixpath
from pathlib import PurePosixPath
from typing import Callable, NamedTuple


class Binding(NamedTuple):
    """What a module-level name is bound to, and the module file that binds it (its `__file__`)."""

    value: ast.expr
    file: str


Lookup = Callable[[str], "Binding | None"]


class _Path(NamedTuple):
    text: str
    kind: str  # "str" (os.path's strings), "pathlib" (pathlib.Path) or "environ" (django-environ's Path)


PATHLIB_CLASSES = frozenset({
    "Path", "PurePath", "PosixPath", "PurePosixPath", "WindowsPath",
    "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath",
})
ENVIRON_CLASSES = frozenset({"environ.Path"})
# os.path's functions, by the names settings call them (`from os.path import dirname, join`, `from os import path`)
OS_PATH_PREFIXES = ("os.path.", "path.", "")
OS_PATH_FUNCTIONS = frozenset({"dirname", "abspath", "realpath", "normpath", "join"})
DEPTH = 8  # names followed to their values; more is a cycle or a spelling too clever to trust


def folder(expr: ast.expr, file: str, lookup: Lookup) -> str | None:
    """The path `expr` gives when the module `file` runs, normalised: absolute, or relative to
    the folder the process runs in; None when it cannot be told (the environment, a call)."""
    value = _Evaluator(lookup).value(expr, file, DEPTH)
    return os.path.normpath(value.text) if value is not None and value.text else None


def parse_expression(code: str) -> ast.expr | None:
    """An expression's code (on several lines, with comments) as Python parses it."""
    try:
        return ast.parse(f"(\n{code}\n)", mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def module_bindings(tree: ast.Module, file: str) -> dict[str, Binding]:
    """Each name's last module-level value in one module. Imports are not followed: a name an
    import binds last is left out (unknown here)."""
    found: dict[str, Binding] = {}
    for statement in tree.body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            for alias in statement.names:
                found.pop(alias.asname or alias.name.split(".")[0], None)
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = Binding(statement.value, file)
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None and isinstance(statement.target, ast.Name):
            found[statement.target.id] = Binding(statement.value, file)
    return found


class _Evaluator:
    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup

    def value(self, node: ast.expr, file: str, depth: int) -> _Path | None:
        if depth < 0:
            return None
        if isinstance(node, ast.Constant):
            return _Path(node.value, "str") if isinstance(node.value, str) else None
        if isinstance(node, ast.Name):
            if node.id == "__file__":
                return _Path(file, "str")
            binding = self.lookup(node.id)
            return self.value(binding.value, binding.file, depth - 1) if binding is not None else None
        if isinstance(node, ast.Call):
            return self._call(node, file, depth)
        if isinstance(node, ast.Attribute):
            base = self.value(node.value, file, depth)
            if base is None:
                return None
            if base.kind == "pathlib" and node.attr == "parent":
                return _pathlib(str(PurePosixPath(base.text).parent))
            if base.kind == "environ" and node.attr == "root":
                return _Path(base.text, "str")
            return None
        if isinstance(node, ast.Subscript):  # Path(__file__).resolve().parents[2]
            index = node.slice
            if (isinstance(node.value, ast.Attribute) and node.value.attr == "parents"
                    and isinstance(index, ast.Constant) and type(index.value) is int and index.value >= 0):
                base = self.value(node.value.value, file, depth)
                if base is not None and base.kind == "pathlib":
                    parents = PurePosixPath(base.text).parents
                    return _pathlib(str(parents[index.value])) if index.value < len(parents) else None
            return None
        if isinstance(node, ast.BinOp):
            return self._operation(node, file, depth)
        if isinstance(node, ast.JoinedStr):  # f"{BASE_DIR}/static"
            pieces = []
            for piece in node.values:
                if isinstance(piece, ast.Constant) and isinstance(piece.value, str):
                    pieces.append(piece.value)
                    continue
                if not isinstance(piece, ast.FormattedValue) or piece.format_spec is not None or piece.conversion not in (-1, 115):
                    return None
                inner = self.value(piece.value, file, depth)
                if inner is None:
                    return None
                pieces.append(inner.text)
            return _Path("".join(pieces), "str")
        return None

    def _call(self, node: ast.Call, file: str, depth: int) -> _Path | None:
        if any(isinstance(arg, ast.Starred) for arg in node.args) or any(k.arg is None for k in node.keywords):
            return None
        name = dotted_name(node.func)
        keywords = {k.arg: k.value for k in node.keywords}
        if name in PATHLIB_CLASSES or name in ENVIRON_CLASSES:
            environ = name in ENVIRON_CLASSES
            if keywords and not (environ and set(keywords) <= {"is_file", "required"}):
                return None
            parts = self._all(node.args, file, depth)
            if parts is None or not parts:
                return None
            if environ:
                start = parts[0]
                if _true(keywords.get("is_file")):
                    start = posixpath.dirname(start)
                return _environ(start, *parts[1:])
            return _pathlib(posixpath.join(*parts))
        if name in ("str", "os.fspath") and len(node.args) == 1 and not keywords:
            inner = self.value(node.args[0], file, depth)
            return _Path(inner.text, "str") if inner is not None else None
        function = _os_path_function(name)
        if function is not None and not keywords:
            parts = self._all(node.args, file, depth)
            if parts is None or not parts or (function != "join" and len(parts) != 1):
                return None
            if function == "join":
                return _Path(posixpath.join(*parts), "str")
            if function == "dirname":
                return _Path(posixpath.dirname(parts[0]), "str")
            if function == "realpath" and posixpath.isabs(parts[0]):
                return _Path(os.path.realpath(parts[0]), "str")
            return _Path(posixpath.normpath(parts[0]), "str")  # abspath, normpath; a relative path stays relative
        if isinstance(node.func, ast.Attribute):
            target = self.value(node.func.value, file, depth)
            method = node.func.attr
            if target is None:
                return None
            if target.kind == "pathlib":
                if method in ("resolve", "absolute") and not node.args and set(keywords) <= {"strict"}:
                    resolved = os.path.realpath(target.text) if method == "resolve" and posixpath.isabs(target.text) else target.text
                    return _pathlib(resolved)
                if method == "joinpath" and not keywords:
                    parts = self._all(node.args, file, depth)
                    return _pathlib(posixpath.join(target.text, *parts)) if parts is not None else None
                return None
            if target.kind == "environ" and method == "path" and set(keywords) <= {"required"}:
                parts = self._all(node.args, file, depth)
                return _environ(target.text, *parts) if parts is not None else None
            return None
        callee = self.value(node.func, file, depth)  # ROOT_DIR("staticfiles"): django-environ's Path, called
        if callee is not None and callee.kind == "environ" and set(keywords) <= {"required"}:
            parts = self._all(node.args, file, depth)
            return _Path(_environ(callee.text, *parts).text, "str") if parts is not None else None
        return None

    def _operation(self, node: ast.BinOp, file: str, depth: int) -> _Path | None:
        left = self.value(node.left, file, depth)
        if left is None:
            return None
        if isinstance(node.op, ast.Sub) and left.kind == "environ":  # environ.Path(__file__) - 3
            count = node.right
            if isinstance(count, ast.Constant) and type(count.value) is int and count.value >= 0:
                return _environ(left.text, "../" * count.value)
            return None
        right = self.value(node.right, file, depth)
        if right is None:
            return None
        if isinstance(node.op, ast.Div) and "pathlib" in (left.kind, right.kind):
            return _pathlib(posixpath.join(left.text, right.text))
        if isinstance(node.op, ast.Add):
            if left.kind == "environ":
                return _environ(left.text, right.text)
            if left.kind == right.kind == "str":
                return _Path(left.text + right.text, "str")
        return None

    def _all(self, nodes: list[ast.expr], file: str, depth: int) -> list[str] | None:
        values = [self.value(node, file, depth) for node in nodes]
        return None if None in values else [value.text for value in values]


def _pathlib(text: str) -> _Path:
    return _Path(str(PurePosixPath(text)), "pathlib")  # pathlib's own spelling: no "." parts, no trailing /


def _environ(start: str, *paths: str) -> _Path:
    # django-environ normalises every path (os.path.abspath: a relative one is from the process's folder)
    return _Path(posixpath.normpath(posixpath.join(start, *paths)), "environ")


def _true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _os_path_function(name: str | None) -> str | None:
    for prefix in OS_PATH_PREFIXES:
        if name and name.startswith(prefix) and name[len(prefix):] in OS_PATH_FUNCTIONS:
            return name[len(prefix):]
    return None


def dotted_name(node: ast.AST) -> str | None:
    """`os.environ` for the nodes of `os.environ`; None for anything but names and attributes."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr}" if base is not None else None
    return None
