"""Configure SECRET_KEY.

Each cloud environment provides its own SECRET_KEY variable; the key committed to the
repository stays only as the fallback for local work.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import NamedTuple

import libcst as cst

from refactor_app.editors import settings as settings_editor
from refactor_app.errors import RefactorError
from refactor_app.settings_paths import dotted_name
from refactor_app.steps import aldryn
from refactor_app.steps.base import (
    Outcome, describe_reads, done, ensure_writer_import, environment_readers, environment_variables, environment_writer,
    for_each_setting, not_applicable, pending, reads_environment,
)
from refactor_app.workspace import SettingRef, SettingsModule, Workspace

FALLBACK_PLACEHOLDER = "__refactor_app_fallback__"


LEAKED_KEY_WARNING = (
    "the SECRET_KEY in {files} {where}: treat it as leaked and set a new SECRET_KEY in every production "
    "environment (python -c 'from django.core.management.utils import get_random_secret_key as k; print(k())')."
)


def run(ws: Workspace) -> Outcome:
    committed = committed_key_files(ws)
    if committed:
        where = "has been committed to the repository" if ws.git is not None else "is written in the source code"
        ws.warnings.append(LEAKED_KEY_WARNING.format(files=", ".join(committed), where=where))
    baked = image_key_warning(ws)
    if baked:
        ws.warnings.append(baked)
    by_aldryn = aldryn.outcome(ws, "SECRET_KEY")
    if by_aldryn is not None:
        return by_aldryn
    blocks = [block for entry in ws.project.settings_paths if (block := environment_block(ws, entry)) is not None]
    if blocks and len(blocks) == len(ws.project.settings_paths):
        # Every production module takes its key from such a block: a module-level line it
        # overrides (a base's) is not production's, and rewriting it would change nothing.
        return done("; ".join(f"{block.where} sets SECRET_KEY in every branch of an if/try block that reads "
                              f"{', '.join(block.variables)} from the environment" for block in blocks))
    outcome = for_each_setting(ws, "SECRET_KEY", lambda ref: _rewrite(ws, ref))
    return outcome or not_applicable("no module-level SECRET_KEY in the settings")


class KeyBlock(NamedTuple):
    where: str  # the module, as shown
    variables: list[str]  # what the block reads, in order
    literal: bool  # a branch sets a key written in the code (`else: SECRET_KEY = "..."`)


def environment_block(ws: Workspace, entry: Path) -> KeyBlock | None:
    """The last module-level if/try of production's module `entry` that sets SECRET_KEY in every
    branch and reads the environment (wagtail's bakerydemo: `if "DJANGO_SECRET_KEY" in os.environ:
    SECRET_KEY = os.environ[...]`, else a key made at run time), when nothing after it sets the
    key again; None otherwise. From Python's parse of the file as read."""
    settings = ws.settings_module(entry)
    tree = settings.syntax_tree
    if tree is None or "SECRET_KEY" not in settings.block_contents()[0]:
        return None
    found = None
    for statement in tree.body:
        if isinstance(statement, (ast.If, ast.Try)) and _sets_key_in_every_branch(statement):
            variables = _environment_variables(statement)
            literal = any(isinstance(node, ast.Assign) and _assigns_key(node) and isinstance(node.value, ast.Constant)
                          and isinstance(node.value.value, str) and len(node.value.value) >= MIN_KEY_LENGTH
                          for node in ast.walk(statement))
            found = KeyBlock(settings.display_path, variables, literal) if variables else None
        elif found is not None and (_assigns_key(statement) or isinstance(statement, ast.ImportFrom)
                                    and any(alias.name == "*" for alias in statement.names)):
            found = None  # set again below the block
    return found


def _assigns_key(statement: ast.stmt) -> bool:
    return any(isinstance(node, ast.Name) and node.id == "SECRET_KEY" and isinstance(node.ctx, ast.Store)
               for node in ast.walk(statement))


def _sets_key_in_every_branch(statement: ast.If | ast.Try) -> bool:
    """Every branch sets SECRET_KEY or raises (ImproperlyConfigured: production refuses to start)."""
    def sets(branch: list[ast.stmt]) -> bool:
        return any(_assigns_key(inner) or isinstance(inner, ast.Raise) for inner in branch)

    if isinstance(statement, ast.If):
        return any(map(_assigns_key, statement.body)) and sets(statement.orelse) or (
            sets(statement.body) and any(map(_assigns_key, statement.orelse)))
    branches = [statement.body, *(handler.body for handler in statement.handlers)]
    return any(map(_assigns_key, statement.finalbody)) or (
        any(map(_assigns_key, statement.body)) and all(map(sets, branches)))


def _environment_variables(statement: ast.stmt) -> list[str]:
    """The variables os.environ[...], os.environ.get(...), os.getenv(...) and `"X" in os.environ` name."""
    found = []
    for node in ast.walk(statement):
        if isinstance(node, ast.Subscript) and _is_environ(node.value):
            found.append(node.slice)
        elif isinstance(node, ast.Call) and node.args and (
                isinstance(node.func, ast.Attribute) and node.func.attr == "get" and _is_environ(node.func.value)
                or dotted_name(node.func) in ("os.getenv", "getenv")):
            found.append(node.args[0])
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)) \
                and _is_environ(node.comparators[0]):
            found.append(node.left)
    return list(dict.fromkeys(node.value for node in found if isinstance(node, ast.Constant) and isinstance(node.value, str)))


def _is_environ(node: ast.AST) -> bool:
    return dotted_name(node) in ("os.environ", "environ")


def committed_key_files(ws: Workspace) -> list[str]:
    """Settings modules whose SECRET_KEY is a key written in the code, as the value or as the
    fallback of an environment read; in a git repository, only those git tracks."""
    files = []
    for entry in ws.project.settings_paths:
        ref = ws.find_setting("SECRET_KEY", entry)
        block = environment_block(ws, entry)
        if block is not None:  # production takes the block's key: a literal only if a branch sets one
            if block.literal and block.where not in files:
                files.append(block.where)
            continue
        if ref is None:
            continue
        readers = environment_readers(ws, ref.settings)
        if literal_key(ref.settings, ref.value, readers):
            if ref.settings.display_path not in files:
                files.append(ref.settings.display_path)
        elif "SECRET_KEY" in settings_editor.names_used(ref.value):
            # SECRET_KEY = os.environ.get('DJANGO_SECRET_KEY', SECRET_KEY): the fallback is what the
            # assignment right before it set (a star-imported base's); a literal there is what
            # production runs with when the variable is unset.
            before = ws.assignments_before("SECRET_KEY", ref, entry)
            if before and literal_key(before[-1].settings, before[-1].value, environment_readers(ws, before[-1].settings)):
                if before[-1].settings.display_path not in files:
                    files.append(before[-1].settings.display_path)
    return _tracked(ws, files)


def image_keys(ws: Workspace) -> dict[str, int]:
    """The *SECRET_KEY variables the production image's final stage sets with ENV to a key written
    in the Dockerfile (fly launch's `ENV SECRET_KEY "..."`, there for collectstatic): name -> line (1-based)."""
    from refactor_app.editors import dockerfile

    try:
        document = ws.text(ws.project.dockerfile_path)
    except RefactorError:  # unreadable: the collectstatic step reports it, where it edits the file
        return {}
    if not document.exists or "SECRET_KEY" not in document.text or dockerfile.uses_heredocs(document.text):
        return {}
    try:
        stage = dockerfile.final_stage(dockerfile.instructions(document.text))
    except Exception:  # noqa: BLE001  (dockerfile-parse's plain exceptions: the collectstatic step reports the file)
        return {}
    return {name: env.line + 1 for name, env in dockerfile.image_environment(stage).items()
            if name.endswith("SECRET_KEY") and len(env.value) >= MIN_KEY_LENGTH and "$" not in env.value}


def image_key_warning(ws: Workspace) -> str:
    keys = image_keys(ws)
    if not keys:
        return ""
    shown = ws.project.display(ws.project.dockerfile_path)
    lines = ", ".join(f"{name} (line {line})" for name, line in keys.items())
    name = next(iter(keys))
    return (f"{shown} sets {lines} with ENV, so every container of the image has a key committed to the repository "
            "and production runs on it wherever it sets no key of its own: no fallback can fail closed; give the key "
            f"to the collectstatic line alone (RUN {name}=build-only python manage.py collectstatic --noinput), drop "
            "the ENV line, and set a new key in production")


MIN_KEY_LENGTH = 8  # shorter literals are names or placeholders, not keys


def literal_key(settings: SettingsModule, node, readers: settings_editor.Readers, depth: int = 2) -> bool:
    """Can `node` evaluate to a key written in the code: a string literal (possibly concatenated),
    as the value, an environment read's fallback, either side of `or` / `if else`, or a
    module-level name holding one? A key made at run time (secrets.token_urlsafe(),
    get_random_secret_key(), os.urandom(...), read from a file) is not one."""
    text = _literal_text(node)
    if text is not None:
        return len(text) >= MIN_KEY_LENGTH
    if isinstance(node, cst.BooleanOperation):
        return literal_key(settings, node.left, readers, depth) or literal_key(settings, node.right, readers, depth)
    if isinstance(node, cst.IfExp):
        return literal_key(settings, node.body, readers, depth) or literal_key(settings, node.orelse, readers, depth)
    if isinstance(node, cst.Call):
        if settings_editor.environment_read_call(node, readers) is not None:
            positional = [arg for arg in node.args if arg.keyword is None]
            fallbacks = positional[1:] + [arg for arg in node.args if arg.keyword is not None and arg.keyword.value == "default"]
            return any(literal_key(settings, arg.value, readers, depth) for arg in fallbacks)
        if settings_editor.dotted_name(node.func) == "str" and len(node.args) == 1:
            return literal_key(settings, node.args[0].value, readers, depth)
        return False
    if isinstance(node, cst.Name) and depth > 0:
        return any(
            literal_key(settings, assignment.value, readers, depth - 1)
            for assignment in settings_editor.assignments(settings.module, node.value)
        )
    return False


def _literal_text(node) -> str | None:
    """The string a literal, or a `+` of literals, spells; else None."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left, right = _literal_text(node.left), _literal_text(node.right)
        return left + right if left is not None and right is not None else None
    return settings_editor.string_literal(node)


def _tracked(ws: Workspace, files: list[str]) -> list[str]:
    """Those of `files` git tracks (a key only in an ignored or untracked file was never
    committed); all of them outside git, or when git cannot say."""
    if not files or ws.git is None:
        return files
    try:
        states = ws.early_git.file_states() if ws.early_git is not None else None
        if states is not None and states.asked.issuperset(files):
            asked, tracked = states.asked, states.tracked
        else:
            asked, tracked = ws.git.tracked_among(files)
    except RefactorError:
        return files
    return [path for path in files if path not in asked or path in tracked]


def _rewrite(ws: Workspace, ref: SettingRef) -> Outcome:
    where = ref.settings.display_path
    reads = reads_environment(ws, ref.settings, ref.value)
    if reads:
        variables = environment_variables(ws, ref.settings, ref.value)
        named = f" variable{'s' if len(variables) > 1 else ''} {', '.join(variables)}" if variables else ""
        return done(f"{where} already reads SECRET_KEY from the environment{named} ({describe_reads(reads)})")
    writer = environment_writer(ws, ref.settings, ("SECRET_KEY",), ref.assignment.index, secret=True)
    ref.replace_value(with_fallback(ref.value, writer))
    ensure_writer_import(ref.settings, writer)
    return pending(f"{where}: SECRET_KEY comes from the environment, the committed key stays as the fallback")


def with_fallback(old_value, writer: settings_editor.Writer = settings_editor.PAGE_WRITER):
    """os.environ.get('SECRET_KEY', <the old value, exactly as written>), or the same read
    through `writer` (config('SECRET_KEY', default=<the old value>))."""
    call = settings_editor.expression(writer.read("SECRET_KEY", FALLBACK_PLACEHOLDER))
    fallback = call.args[1].with_changes(value=old_value)
    return call.with_changes(args=[call.args[0], fallback])
