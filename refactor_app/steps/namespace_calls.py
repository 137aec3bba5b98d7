"""Module-level calls handed the settings module's own namespace: `f(locals())`.

`aldryn_addons.settings.load(locals())` and `django_heroku.settings(locals())` set settings by
writing into the dict they are given, so a setting's value is no longer only what the module
assigns: what such a call sets wins over the assignments before it, and loses to those after
it. The steps see no assignment for what the call sets, so they ask here which calls run after
a setting's last assignment (aldryn.py and heroku.py know what each call sets).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, NamedTuple

import libcst as cst

from refactor_app.editors import settings as settings_editor
from refactor_app.workspace import SettingRef, SettingsModule, Workspace
from refactor_app.settings_paths import dotted_name

NAMESPACE = b"locals()"  # no file without it holds such a call: the quick test for every module


class NamespaceCall(NamedTuple):
    """`name(locals(), keyword=value, ...)` as a statement of its own at module level."""

    settings: SettingsModule
    index: int  # the statement's place in the module as the steps have it now
    name: str  # dotted, as written: aldryn_addons.settings.load
    line: int  # in the file as read (the steps never edit these statements)
    keywords: dict[str, ast.expr]  # as written; a `**mapping` is under the key "**"

    @property
    def where(self) -> str:
        return f"{self.settings.display_path} line {self.line}"

    @property
    def code(self) -> str:
        return f"{self.name}(locals())"


class Order(NamedTuple):
    """A setting's last assignment (None: never assigned) and the namespace calls that run after it."""

    final: SettingRef | None
    calls_after: list[NamespaceCall]


def order(ws: Workspace, name: str, entry: Path) -> Order:
    """Where `name` gets its value when `entry` is imported: its last module-level assignment,
    then the namespace calls after it, following `from X import *` as the workspace does."""
    final, after = None, []
    for event in _events(ws, entry, name, set()):
        if isinstance(event, SettingRef):
            final, after = event, []
        else:
            after.append(event)
    return Order(final, after)


def any_calls(ws: Workspace) -> bool:
    """Does any settings module in use hold a namespace call? (The cheap question first.)"""
    return any(NAMESPACE in settings.original for settings in ws.loaded_settings())


def _events(ws: Workspace, path: Path, name: str, seen: set[Path]) -> Iterator[SettingRef | NamespaceCall]:
    seen.add(path)
    settings = ws.settings_module(path)
    imports = dict(settings.star_imports())
    assignments = {assignment.index: assignment for assignment in settings.assignments(name)}
    calls = {call.index: call for call in calls_in(settings)}
    for index in sorted(imports.keys() | assignments.keys() | calls.keys()):
        if index in imports:
            imported = ws.module_file(path, imports[index])
            if imported is not None and imported not in seen:
                yield from _events(ws, imported, name, seen)
        if index in assignments:
            yield SettingRef(settings, assignments[index])
        if index in calls:
            yield calls[index]


def calls_in(settings: SettingsModule) -> list[NamespaceCall]:
    """The module's namespace calls: where each is in the module now (a step may have added
    statements above it), with its line and keywords from the file as read."""
    if NAMESPACE not in settings.original or settings.syntax_tree is None:
        return []
    as_read = [statement for statement in settings.syntax_tree.body if _namespace_call(statement) is not None]
    indexes = [index for index, statement in enumerate(settings.module.body) if _is_namespace_call(statement)]
    if len(as_read) != len(indexes):  # cannot happen: no step adds or removes such a call
        return []
    found = []
    for index, statement in zip(indexes, as_read):
        call = _namespace_call(statement)
        keywords = {keyword.arg or "**": keyword.value for keyword in call.keywords}
        found.append(NamespaceCall(settings, index, dotted_name(call.func) or "", statement.lineno, keywords))
    return found


def _namespace_call(statement: ast.stmt) -> ast.Call | None:
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return None
    call = statement.value
    if not call.args or dotted_name(call.func) is None:
        return None
    first = call.args[0]
    if isinstance(first, ast.Call) and isinstance(first.func, ast.Name) and first.func.id == "locals" and not first.args:
        return call
    return None


def _is_namespace_call(statement: cst.BaseStatement) -> bool:
    """The same test on a statement of the module as the steps hold it (a node, or text)."""
    if isinstance(statement, settings_editor.OpaqueStatement):
        if "locals()" not in statement.text:
            return False
        try:
            tree = ast.parse(statement.text.strip())
        except SyntaxError:
            return False
        return len(tree.body) == 1 and _namespace_call(tree.body[0]) is not None
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if not (isinstance(small, cst.Expr) and isinstance(small.value, cst.Call)):
        return False
    call = small.value
    if not call.args or settings_editor.dotted_name(call.func) is None:
        return False
    first = call.args[0].value
    return (isinstance(first, cst.Call) and isinstance(first.func, cst.Name) and first.func.value == "locals"
            and not first.args and call.args[0].star == "")


def keyword_off(call: NamespaceCall, keyword: str) -> bool:
    """Is `keyword=False` (or 0, None, '') passed, plainly? A value computed at run time, or a
    `**mapping` that may hold it, is not known to be off."""
    value = call.keywords.get(keyword)
    if value is None:
        return False
    try:
        return not ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return False
