"""Send the session and CSRF cookies over HTTPS only (Django's deploy check W012, W016).

They follow the SSL redirect's switch: on unless the environment says SECURE_SSL_REDIRECT=False,
which only .env-local does, so local work over plain http://localhost can still log in.
"""

from __future__ import annotations

from refactor_app.editors import settings as settings_editor
from refactor_app.steps import fail_closed
from refactor_app.steps.added_setting import add_to_entry, run_group
from refactor_app.steps.base import (
    EnvironmentSwitch, Outcome, blocks_setting, done, ensure_env_local, join, not_applicable, pending,
)
from refactor_app.workspace import SettingRef, Workspace

NAMES = ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")
RULES = {"SESSION_COOKIE_SECURE": fail_closed.SESSION_COOKIE_SECURE, "CSRF_COOKIE_SECURE": fail_closed.CSRF_COOKIE_SECURE}
ANCHORS = ("SECURE_SSL_REDIRECT", "ALLOWED_HOSTS", "DEBUG", "SECRET_KEY")


def switch(setting: str) -> EnvironmentSwitch:
    return EnvironmentSwitch(
        setting=setting,
        env_key="SECURE_SSL_REDIRECT",
        comparison='!= "False"',
        env_value="False",
        meaning="on (HTTPS only) unless SECURE_SSL_REDIRECT=False",
    )


def new_statements(writer: settings_editor.Writer) -> str:
    value = switch("").new_value(writer)
    return ("\n# Cookies over HTTPS only, as the SSL redirect: off only where SECURE_SSL_REDIRECT=False\n"
            f"SESSION_COOKIE_SECURE = {value}\nCSRF_COOKIE_SECURE = {value}\n")


def run(ws: Workspace) -> Outcome:
    return run_group(ws, NAMES, _existing, _add)

def _existing(ws: Workspace, ref: SettingRef, name: str) -> Outcome:
    where = ref.settings.display_path
    if settings_editor.same_expression(ref.value, "True"):
        # Set by hand: the user's choice, safe in production. Said when local work loads it too.
        local = ws.find_setting(name, ws.project.local_path)
        if local is not None and local.settings.path == ref.settings.path and local.assignment.index == ref.assignment.index:
            ws.warnings.append(
                f"{where} sets {name} = True for local work too: over plain HTTP a browser may drop that cookie "
                f"(Safari does, and every browser at an address other than localhost), and logging in then fails; to "
                f"follow the SSL redirect's switch instead, write "
                f"{name} = {switch(name).new_value(settings_editor.PAGE_WRITER)}")
        return done(f"{where} sets {name} = True by hand")
    # Read from the environment by hand: done only when on with the variable unset (fail closed).
    return fail_closed.check(ws, ref, RULES[name]) or switch(name).apply(ws, ref)


def _add(ws: Workspace, names: tuple[str, ...]) -> Outcome:
    blocked = blocks_setting(ws, *names)
    if blocked:
        ws.warnings.append(blocked)
        return not_applicable(blocked)
    value_of = switch("").new_value

    def code(writer: settings_editor.Writer) -> str:
        if len(names) == 2:
            return new_statements(writer)
        return f"\n{names[0]} = {value_of(writer)}\n"

    notes = []
    for entry in ws.project.settings_paths:
        if all(ws.find_setting(name, entry) is None for name in names):
            settings = add_to_entry(ws, entry, code, ("SECURE_SSL_REDIRECT",), ANCHORS)
            notes.append(f"{settings.display_path}: + {', '.join(names)}, on unless SECURE_SSL_REDIRECT=False")
    if not notes:
        return done(f"{', '.join(names)} already set")
    env_line = ensure_env_local(ws, "SECURE_SSL_REDIRECT", "False")
    return pending(join(*notes, env_line.note))
