"""What every step is made of, and the small helpers several steps share."""

from __future__ import annotations

import ast
import weakref
from typing import Callable, NamedTuple

from refactor_app.editors import dotenv
from refactor_app.editors import settings as settings_editor
from refactor_app.errors import RefactorError
from refactor_app.plan import State
from refactor_app.textfile import read_bytes
from refactor_app.workspace import SettingRef, SettingsModule, Workspace


class Outcome(NamedTuple):
    state: State
    reason: str
    title: str | None = None  # the commit's subject when the step's usual title would not fit what it did


def combine(outcomes: list[Outcome]) -> Outcome:
    """One outcome for a step that looked at several places (settings for dev and production):
    pending if any place is, else done if any is, else not applicable; every reason kept."""
    if len(outcomes) == 1:
        return outcomes[0]
    states = {outcome.state for outcome in outcomes}
    state = next(s for s in (State.PENDING, State.DONE, State.NOT_APPLICABLE) if s in states)
    return Outcome(state, "; ".join(dict.fromkeys(outcome.reason for outcome in outcomes if outcome.reason)))


def for_each_setting(ws: Workspace, name: str, handle: Callable[[SettingRef], Outcome]) -> Outcome | None:
    """`handle` each place that gives `name` its final value; None when nothing assigns it at
    module level. Places the steps cannot see into are named in the reason and as a warning."""
    refs = ws.find_settings(name)
    hidden = hidden_places(ws, name)
    if hidden:
        ws.warnings.append(hidden)
    if not refs:
        return Outcome(State.NOT_APPLICABLE, hidden) if hidden else None
    outcome = combine([handle(ref) for ref in refs])
    return Outcome(outcome.state, join(outcome.reason, hidden)) if hidden else outcome


def hidden_places(ws: Workspace, name: str) -> str:
    """Where `name` may also be set out of the steps' sight: inside if/try blocks, or in a
    module imported with a star inside one (`try: from .local import *`)."""
    notes = []
    for settings in ws.loaded_settings():
        names, star_imports = settings.block_contents()
        if name in names:
            notes.append(f"{settings.display_path} also sets {name} inside an if/try block")
        for dotted in star_imports:
            notes.append(f"{settings.display_path} may take {name} from {dotted} (imported inside a try/if block)")
    if not notes:
        return ""
    return "; ".join(dict.fromkeys(notes)) + ": refactor-app rewrites only module-level assignments, check those by hand"


def blocks_setting(ws: Workspace, *names: str) -> str:
    """Why no module-level assignment of `names` may be added: a settings module in use sets one
    inside an if/try block. Below the new line the block would silently win whenever it runs;
    above it, the new line would silently undo it. "" when no block sets any of them."""
    found = [
        (settings.display_path, name)
        for settings in ws.loaded_settings() for name in names if name in settings.block_contents()[0]
    ]
    if not found:
        return ""
    notes = [f"{where} also sets {name} inside an if/try block" for where, name in found]
    shown = ", ".join(dict.fromkeys(name for _, name in found))
    return ("; ".join(dict.fromkeys(notes)) + f": a module-level {shown} added beside it would override it or be "
            "overridden by it, so refactor-app adds none; check that block by hand")


def pending(reason: str) -> Outcome:
    return Outcome(State.PENDING, reason)


def done(reason: str) -> Outcome:
    return Outcome(State.DONE, reason)


def not_applicable(reason: str) -> Outcome:
    return Outcome(State.NOT_APPLICABLE, reason)


# The order the page's .env-local lines end up in, whichever steps run first.
ENV_LOCAL_ORDER = ("DJANGO_DEBUG", "DOMAIN_ALIASES", "SECURE_SSL_REDIRECT")


class EnvLocalLine(NamedTuple):
    added: bool
    note: str  # what happened, for the step's reason ("" when the line was already as wanted)


def ensure_env_local(ws: Workspace, key: str, value: str) -> EnvLocalLine:
    """Add KEY=VALUE to the env file local work loads (.env-local unless it loads another: created
    if missing) unless what local work loads sets KEY: a user's value stays."""
    from refactor_app.steps.local_values import local_environment, name_in_compose

    document = ws.text(ws.project.env_path)
    existing = local_environment(ws).get(key)
    if existing is not None:
        kept = existing.value
        note = "" if kept == value else f"{existing.where} keeps your {key}={kept if kept is not None else ''}"
        named = name_in_compose(ws) if key in dotenv.values(document.text) else ""
        return EnvLocalLine(bool(named), join(named, note))
    later = ENV_LOCAL_ORDER[ENV_LOCAL_ORDER.index(key) + 1 :] if key in ENV_LOCAL_ORDER else ()
    document.text = dotenv.ensure_key(document.text, key, value, document.format.newline, before_keys=later)
    return EnvLocalLine(True, join(f"{document.display_path}: + {key}={value}", name_in_compose(ws)))


def settings_done_env_local_checked(ws: Workspace, key: str, value: str, done_reason: str) -> Outcome:
    """The settings already have the page's code: the step is done once .env-local has its line."""
    env_line = ensure_env_local(ws, key, value)
    if env_line.added:
        return pending(env_line.note)
    return done(join(done_reason, env_line.note))


def join(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


class EnvironmentSwitch(NamedTuple):
    """A True/False setting the page turns into a comparison with an environment variable,
    plus the .env-local line that sets that variable for local work."""

    setting: str  # DEBUG
    env_key: str  # DJANGO_DEBUG
    comparison: str  # == "True": what the variable's value is compared with
    env_value: str  # True
    meaning: str  # "on only when DJANGO_DEBUG=True"
    comment: str | None = None  # the page's comment above the line, if it has one

    def new_value(self, writer: settings_editor.Writer = settings_editor.PAGE_WRITER) -> str:
        """os.environ.get('DJANGO_DEBUG') == "True", or the same read through `writer`."""
        return f"{writer.read(self.env_key)} {self.comparison}"

    def apply(self, ws: Workspace, ref: SettingRef) -> Outcome:
        where = ref.settings.display_path
        writer = environment_writer(ws, ref.settings, (self.env_key,), ref.assignment.index)
        spellings = {self.new_value(settings_editor.PAGE_WRITER), self.new_value(writer)}
        if any(settings_editor.same_expression(ref.value, spelling) for spelling in spellings):
            return settings_done_env_local_checked(
                ws, self.env_key, self.env_value, f"{where}: {self.setting} is {self.meaning}"
            )
        reads = reads_environment(ws, ref.settings, ref.value)
        if reads:
            through = through_names(ws, ref.settings, ref.value)
            return done(f"{where} already reads {self.setting} from the environment{through} ({describe_reads(reads)})")
        old_code = settings_editor.one_line_code(ref.value)
        if not settings_editor.is_bool_literal(ref.value):
            return not_applicable(
                f"{where} computes {self.setting} as {old_code}; only a literal True/False is rewritten"
            )
        ref.replace_value(settings_editor.expression(self.new_value(writer)))
        if self.comment is not None:
            ref.settings.module = settings_editor.ensure_comment_above(
                ref.settings.module, ref.assignment.index, self.comment
            )
        ensure_writer_import(ref.settings, writer)
        env_line = ensure_env_local(ws, self.env_key, self.env_value)
        return pending(join(f"{where}: {self.setting} = {old_code} becomes {self.meaning}", env_line.note))


def ensure_import_os(settings: SettingsModule) -> None:
    settings.module = settings_editor.ensure_import(settings.module, "os")


def environment_writer(
    ws: Workspace, settings: SettingsModule, variables: tuple[str, ...], before: int | None = None,
    secret: bool = False,
) -> settings_editor.Writer:
    """The reader new reads of `variables` in `settings` are written with (issue 12): the one the
    module, or a module it star-imports, binds at module level above statement `before` (None:
    anywhere), python-decouple's config or a django-environ Env, so the values in the project's
    own .env reach the new reads as they reach its others; else the page's os.environ.get.

    A django-environ Env is passed over where its schema declares one of `variables` (its cast
    would turn "True" into True and the page's string comparison would never hold) or cannot be
    told, and for a `secret`: it takes a value starting with "$" (as 1 in 50 of Django's own
    generated keys do) for the name of another variable, and would silently use the committed
    fallback key. Its read_env() fills os.environ, so os.environ.get sees that .env all the same."""
    for binding in _reader_bindings(ws, settings, before, frozenset()):
        if binding.kind == "environ" and (secret or binding.schema is None or binding.schema & set(variables)):
            continue
        return settings_editor.Writer(binding.kind, binding.call)
    return settings_editor.PAGE_WRITER


def _reader_bindings(ws: Workspace, settings: SettingsModule, before: int | None, seen: frozenset):
    """The module's own reader bindings above `before`, then those of the modules it star-imports there."""
    for binding in settings.reader_bindings:
        index = settings_editor.binding_index(settings.module, binding.bound)
        if index is not None and (before is None or index < before):
            yield binding
    for index, dotted in settings.star_imports():
        if before is not None and index >= before:
            continue
        path = ws.module_file(settings.path, dotted)
        if path is None or path == settings.path or path in seen:
            continue
        imported = ws.settings_module(path)
        if _declares_all(imported):
            continue  # `__all__` decides what the star import brings: not worked out here
        for binding in _reader_bindings(ws, imported, None, seen | {settings.path}):
            if not binding.bound.startswith("_"):  # a star import leaves _names behind
                yield binding


def _declares_all(settings: SettingsModule) -> bool:
    tree = settings.syntax_tree
    return tree is None or any(
        isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
        and any(isinstance(target, ast.Name) and target.id == "__all__"
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target]))
        for node in tree.body
    )


def ensure_writer_import(settings: SettingsModule, writer: settings_editor.Writer) -> None:
    """`import os` for the page's reads; another reader is bound already (environment_writer)."""
    if writer.kind == "os":
        ensure_import_os(settings)


def reads_environment(ws: Workspace, settings: SettingsModule, value, depth: int = 2) -> list[str]:
    """How `value` reads the environment, directly, through the module's own helpers
    (`envbool('DEBUG')`, where `def envbool` reads os.environ), or through module-level names
    it uses (`ALLOWED_HOSTS = [DIVIO_DOMAIN] + ...` where DIVIO_DOMAIN = os.environ.get(...)).
    Every step's "already reads the environment" asks this."""
    found = settings_editor.environment_reads(value, environment_readers(ws, settings))
    if found or depth == 0:
        return found
    for name in sorted(settings_editor.names_used(value)):
        for assignment in settings_editor.assignments(settings.module, name):
            found += reads_environment(ws, settings, assignment.value, depth - 1)
    return found


def environment_readers(ws: Workspace, settings: SettingsModule, seen: frozenset = frozenset()) -> settings_editor.Readers:
    """The readers `settings` defines or names, with those of the modules it star-imports and
    the helpers it imports from the project's own modules (`from .env import secret`)."""
    readers = settings.environment_readers.merged(_imported_helpers(ws, settings))
    for imported in ws.star_imported(settings):
        if imported.path not in seen and imported.path != settings.path:
            readers = readers.merged(environment_readers(ws, imported, seen | {settings.path}))
    return readers


_IMPORTED_HELPERS: "weakref.WeakKeyDictionary[Workspace, dict]" = weakref.WeakKeyDictionary()


def _imported_helpers(ws: Workspace, settings: SettingsModule) -> settings_editor.Readers:
    """The functions `settings` imports from the project's own modules whose bodies read the
    environment, by the names it binds them to; looked up once per module and run."""
    cache = _IMPORTED_HELPERS.setdefault(ws, {})
    if settings.path in cache:
        return cache[settings.path]
    calls, variables = set(), []
    for module, name, bound in settings_editor.imported_functions(settings.syntax_tree):
        try:
            path = ws.module_file(settings.path, module)
            if path is None or path == settings.path:
                continue
            data = read_bytes(path, ws.project.display(path), ws.boundary)
            tree = ast.parse(data) if data is not None else None
        except (RefactorError, SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # not a module the steps can read: nothing known of its functions
        readers = settings_editor.environment_readers(tree)
        if name in readers.calls:
            calls.add(bound)
            variables += [(bound, variable) for variable in readers.variables_of(name)]
    cache[settings.path] = settings_editor.Readers(calls=frozenset(calls), helper_variables=tuple(variables))
    return cache[settings.path]


def environment_variables(ws: Workspace, settings: SettingsModule, value, depth: int = 2) -> list[str]:
    """The environment variables `value` reads (by name, in order), directly or through
    module-level names it uses, as reads_environment finds them."""
    readers = environment_readers(ws, settings)
    found = settings_editor.environment_variables(value, readers)
    if depth == 0:
        return found
    for name in sorted(settings_editor.names_used(value)):
        if name in readers.objects or name in readers.calls:
            # `env('SECRET_KEY')`: env = environ.Env(DEBUG=(bool, False)) is the reader, and what
            # its schema names is not what this value reads.
            continue
        for assignment in settings_editor.assignments(settings.module, name):
            found += environment_variables(ws, settings, assignment.value, depth - 1)
    return list(dict.fromkeys(found))


def through_names(ws: Workspace, settings: SettingsModule, value) -> str:
    """", through DEBUG" when `value` reads the environment only through module-level names it
    uses (`SECURE_SSL_REDIRECT = not DEBUG`); "" when it reads it itself."""
    if settings_editor.environment_reads(value, environment_readers(ws, settings)):
        return ""
    names = [name for name in sorted(settings_editor.names_used(value))
             if any(reads_environment(ws, settings, assignment.value, 1)
                    for assignment in settings_editor.assignments(settings.module, name))]
    return f", through {', '.join(names)}" if names else ""


def describe_reads(reads: list[str]) -> str:
    return ", ".join(dict.fromkeys(reads))


STATICFILES_APP = "django.contrib.staticfiles"


def installed_apps(ws: Workspace) -> list[str] | None:
    """The names INSTALLED_APPS lists, or None when it is not a plain list of strings (or unset)."""
    apps = ws.find_setting("INSTALLED_APPS")
    return settings_editor.assigned_strings(apps.assignment) if apps is not None else None


def staticfiles_installed(ws: Workspace) -> bool:
    """Is django.contrib.staticfiles in INSTALLED_APPS (or can that not be told)? Without it there
    is no collectstatic, and nothing is collected output."""
    app_names = installed_apps(ws)
    return app_names is None or STATICFILES_APP in app_names
