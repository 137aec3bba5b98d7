"""Configure HSTS (Django's deploy check W004) from the environment.

SECURE_HSTS_SECONDS is read from the environment and is 0 (off) when unset: HSTS is sticky,
a browser that saw it refuses plain HTTP for that long, so only production turns it on, and
best with a short value first. Subdomains and preload are on only when the environment says
"True": both reach beyond this site (every subdomain; browsers' built-in lists) and are hard
to take back.
"""

from __future__ import annotations

from refactor_app.editors import settings as settings_editor
from refactor_app.steps.added_setting import add_to_entry, run_group
from refactor_app.steps.base import (
    EnvironmentSwitch, Outcome, blocks_setting, describe_reads, done, ensure_writer_import,
    environment_writer, not_applicable, pending, reads_environment,
)
from refactor_app.workspace import SettingRef, Workspace

SECONDS = "SECURE_HSTS_SECONDS"
FLAGS = ("SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD")
NAMES = (SECONDS, *FLAGS)
# Below the cookies when secure-cookies added them, so the lines read in the steps' order.
ANCHORS = ("CSRF_COOKIE_SECURE", "SESSION_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "ALLOWED_HOSTS", "DEBUG", "SECRET_KEY")


def flag_switch(setting: str) -> EnvironmentSwitch:
    return EnvironmentSwitch(setting=setting, env_key=setting, comparison='== "True"', env_value="False",
                             meaning=f"on only when {setting}=True")


def seconds_value(writer: settings_editor.Writer) -> str:
    return f"int({writer.read(SECONDS, repr('0'))})"


def code_for(names: tuple[str, ...]):
    def code(writer: settings_editor.Writer) -> str:
        lines = ["", "# HSTS is sticky in browsers: set SECURE_HSTS_SECONDS in production only, short at first"]
        for name in names:
            value = seconds_value(writer) if name == SECONDS else flag_switch(name).new_value(writer)
            lines.append(f"{name} = {value}")
        return "\n".join(lines) + "\n"
    return code


def run(ws: Workspace) -> Outcome:
    return run_group(ws, NAMES, _existing, _add)

def _existing(ws: Workspace, ref: SettingRef, name: str) -> Outcome:
    where = ref.settings.display_path
    reads = reads_environment(ws, ref.settings, ref.value)
    if reads:
        return done(f"{where} already reads {name} from the environment ({describe_reads(reads)})")
    code = settings_editor.one_line_code(ref.value)
    if name == SECONDS and code.strip() in ("0", "None"):
        # Read the way the module reads its others (decouple, django-environ), as the page's steps do.
        writer = environment_writer(ws, ref.settings, (SECONDS,), ref.assignment.index)
        ref.replace_value(settings_editor.expression(seconds_value(writer)))
        ensure_writer_import(ref.settings, writer)
        return pending(f"{where}: {name} = {code} becomes read from the environment (0 when unset)")
    # A value chosen by hand (HSTS seconds, subdomains, preload) is the user's decision: kept.
    return done(f"{where} sets {name} = {code} by hand")


def _add(ws: Workspace, names: tuple[str, ...]) -> Outcome:
    blocked = blocks_setting(ws, *names)
    if blocked:
        ws.warnings.append(blocked)
        return not_applicable(blocked)
    notes = []
    for entry in ws.project.settings_paths:
        if all(ws.find_setting(name, entry) is None for name in names):
            settings = add_to_entry(ws, entry, code_for(names), names, ANCHORS)
            notes.append(f"{settings.display_path}: + {', '.join(names)} from the environment (off when unset)")
    return pending("; ".join(notes)) if notes else done(f"{', '.join(names)} already set")
