"""Configure SSL redirects.

Redirect to HTTPS by default; only an environment that says SECURE_SSL_REDIRECT=False
(.env-local, for local work) turns it off.
"""

from __future__ import annotations

from refactor_app.editors import settings as settings_editor
from refactor_app.steps.base import (
    Outcome, Step, describe_reads, done, ensure_env_local, ensure_import_os, join, not_applicable, pending,
    reads_environment,
)
from refactor_app.workspace import Workspace

COMMENT = "# Redirect to HTTPS by default, unless explicitly disabled"
NEW_VALUE = """os.environ.get('SECURE_SSL_REDIRECT') != "False\""""
NEW_STATEMENT = f"""
{COMMENT}
SECURE_SSL_REDIRECT = {NEW_VALUE}
"""
BECOMES = "redirecting to HTTPS unless SECURE_SSL_REDIRECT=False"
# Where a new SECURE_SSL_REDIRECT goes: after the first of these that is set (the page puts it
# after the ALLOWED_HOSTS block).
ANCHORS = ("ALLOWED_HOSTS", "DEBUG", "SECRET_KEY")


def run(ws: Workspace) -> Outcome:
    ref = ws.find_setting("SECURE_SSL_REDIRECT")
    if ref is None:
        return _add(ws)
    where = ref.settings.display_path
    if settings_editor.same_expression(ref.value, NEW_VALUE):
        env_line = ensure_env_local(ws, "SECURE_SSL_REDIRECT", "False")
        if env_line.added:
            return pending(env_line.note)
        return done(join(f"{where} redirects to HTTPS unless SECURE_SSL_REDIRECT=False", env_line.note))
    reads = reads_environment(ws, ref.settings, ref.value)
    if reads:
        return done(f"{where} already reads SECURE_SSL_REDIRECT from the environment ({describe_reads(reads)})")
    old_code = settings_editor.source(ref.value)
    if not settings_editor.is_bool_literal(ref.value):
        return not_applicable(
            f"{where} computes SECURE_SSL_REDIRECT as {old_code}; only a literal True/False is rewritten"
        )
    ref.replace_value(settings_editor.expression(NEW_VALUE))
    ensure_import_os(ref.settings)
    env_line = ensure_env_local(ws, "SECURE_SSL_REDIRECT", "False")
    return pending(join(f"{where}: SECURE_SSL_REDIRECT = {old_code} {BECOMES}", env_line.note))


def _add(ws: Workspace) -> Outcome:
    new = settings_editor.statements(NEW_STATEMENT)
    for anchor_name in ANCHORS:
        anchor = ws.find_setting(anchor_name)
        if anchor is not None:
            settings = anchor.settings
            settings.module = settings_editor.insert_after(settings.module, anchor.assignment.index, new)
            break
    else:
        settings = ws.main_settings
        settings.module = settings_editor.append(settings.module, new)
    ensure_import_os(settings)
    env_line = ensure_env_local(ws, "SECURE_SSL_REDIRECT", "False")
    return pending(join(f"{settings.display_path}: + SECURE_SSL_REDIRECT, {BECOMES}", env_line.note))


STEP = Step(
    name="ssl-redirect",
    summary="SECURE_SSL_REDIRECT on unless the environment says \"False\"; .env-local turns it off",
    run=run,
)
