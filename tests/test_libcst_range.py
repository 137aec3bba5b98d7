"""libcst's private API is used in one module only, and the libcst under test is in the range
pyproject.toml states (the versions .ci/libcst-range tests)."""

from __future__ import annotations

import ast
import re
from importlib.metadata import version
from pathlib import Path

import libcst
from conftest import REPO
from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ALLOWED = Path("refactor_app/editors/opaque_statement.py")
# A node's private hooks and helpers (_codegen, _codegen_impl, _visit_and_replace_children...).
NODE_PRIVATE_NAMES = frozenset(
    name for cls in libcst.CSTNode.__mro__ for name in vars(cls)
    if name.startswith("_") and not name.startswith("__") and name != "_abc_impl"
)


def private_libcst_uses(source: str) -> list[str]:
    """Each use of libcst's private API in a module's source: imports of private modules or
    names, `libcst._x`, and a node's private hooks (defined in a class, or called)."""
    tree = ast.parse(source)
    aliases = {"libcst"}
    uses = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for name in node.names:
                if name.name.split(".")[0] == "libcst":
                    aliases.add(name.asname or "libcst")
                    if _private(name.name):
                        uses.append(f"line {node.lineno}: import {name.name}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "libcst":
            for name in node.names:
                if _private(f"{node.module}.{name.name}"):
                    uses.append(f"line {node.lineno}: from {node.module} import {name.name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and (
            node.attr in NODE_PRIVATE_NAMES
            or (isinstance(node.value, ast.Name) and node.value.id in aliases and node.attr.startswith("_"))
        ):
            uses.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ClassDef):
            uses.extend(
                f"line {item.lineno}: def {item.name}"
                for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in NODE_PRIVATE_NAMES
            )
    return uses


def _private(dotted: str) -> bool:
    return any(part.startswith("_") for part in dotted.split("."))


def test_the_scan_finds_private_uses():
    assert private_libcst_uses("import libcst._nodes.internal\n")
    assert private_libcst_uses("from libcst._nodes.internal import CodegenState\n")
    assert private_libcst_uses("from libcst import _nodes\n")
    assert private_libcst_uses("import libcst as cst\ncst._nodes\n")
    assert private_libcst_uses("class Node:\n    def _codegen_impl(self, state): ...\n")
    assert private_libcst_uses("node._codegen(state)\n")
    assert not private_libcst_uses("import libcst as cst\nfrom libcst.metadata import PositionProvider\ncst.Module([])\n")
    # The one module allowed them does use them: the scan sees what it is meant to see.
    uses = private_libcst_uses((REPO / ALLOWED).read_text())
    assert any("libcst._nodes.internal" in use for use in uses) and any("_codegen_impl" in use for use in uses)


def test_private_libcst_api_only_in_opaque_statement():
    found = {}
    for folder in ("refactor_app", "bench"):
        for path in sorted((REPO / folder).rglob("*.py")):
            relative = path.relative_to(REPO)
            if relative == ALLOWED or relative.parts[:2] == ("refactor_app", "examples"):
                continue
            uses = private_libcst_uses(path.read_text(encoding="utf-8"))
            if uses:
                found[str(relative)] = uses
    assert not found, (
        f"libcst's private API outside {ALLOWED} (libcst may change it in any release): "
        f"use the public API, or move the code there. {found}"
    )


def test_installed_libcst_is_in_the_tested_range():
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    (requirement,) = [Requirement(d) for d in dependencies if re.match(r"libcst\b", d)]
    assert any(s.operator == ">=" for s in requirement.specifier), "the range needs a lowest version (>=)"
    assert any(s.operator == "<" for s in requirement.specifier), "the range needs an upper bound (<)"
    installed = version("libcst")
    assert requirement.specifier.contains(installed), (
        f"libcst {installed} is outside the tested range {requirement}: run .ci/libcst-range "
        "against it before widening the range in pyproject.toml."
    )
