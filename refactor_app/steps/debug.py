"""Set DEBUG using an environment variable.

The page: "we don't want to inadvertently go into production with DEBUG = True", so DEBUG is
False unless the environment says DJANGO_DEBUG=True, which only .env-local does.
"""

from __future__ import annotations

from refactor_app.editors import settings as settings_editor
from refactor_app.steps.base import (
    Outcome, Step, describe_reads, done, ensure_env_local, ensure_import_os, join, not_applicable, pending,
    reads_environment,
)
from refactor_app.workspace import Workspace

NEW_VALUE = """os.environ.get('DJANGO_DEBUG') == "True\""""


def run(ws: Workspace) -> Outcome:
    ref = ws.find_setting("DEBUG")
    if ref is None:
        return not_applicable("no module-level DEBUG in the settings; Django's default (False) applies")
    where = ref.settings.display_path
    if settings_editor.same_expression(ref.value, NEW_VALUE):
        env_line = ensure_env_local(ws, "DJANGO_DEBUG", "True")
        if env_line.added:
            return pending(env_line.note)
        return done(join(f"{where} reads DEBUG from DJANGO_DEBUG", env_line.note))
    reads = reads_environment(ws, ref.settings, ref.value)
    if reads:
        return done(f"{where} already reads DEBUG from the environment ({describe_reads(reads)})")
    old_code = settings_editor.source(ref.value)
    if not settings_editor.is_bool_literal(ref.value):
        return not_applicable(f"{where} computes DEBUG as {old_code}; only a literal True/False is rewritten")
    ref.replace_value(settings_editor.expression(NEW_VALUE))
    ensure_import_os(ref.settings)
    env_line = ensure_env_local(ws, "DJANGO_DEBUG", "True")
    return pending(join(f"{where}: DEBUG = {old_code} becomes on only when DJANGO_DEBUG=True", env_line.note))


STEP = Step(
    name="debug",
    summary="DEBUG from DJANGO_DEBUG (off unless it is \"True\"); .env-local turns it on locally",
    run=run,
)
