"""Configure SECRET_KEY.

Each cloud environment provides its own SECRET_KEY variable; the key committed to the
repository stays only as the fallback for local work.
"""

from __future__ import annotations

from refactor_app.editors import settings as settings_editor
from refactor_app.steps.base import (
    Outcome, describe_reads, done, ensure_import_os, for_each_setting, not_applicable, pending,
    reads_environment,
)
from refactor_app.workspace import SettingRef, Workspace

FALLBACK_PLACEHOLDER = "__refactor_app_fallback__"
NEW_VALUE = f"os.environ.get('SECRET_KEY', {FALLBACK_PLACEHOLDER})"


LEAKED_KEY_WARNING = (
    "the SECRET_KEY in {files} {where}: treat it as leaked and set a new SECRET_KEY in every production "
    "environment (python -c 'from django.core.management.utils import get_random_secret_key as k; print(k())')."
)


def run(ws: Workspace) -> Outcome:
    committed = committed_key_files(ws)
    if committed:
        where = "has been committed to the repository" if ws.git is not None else "is written in the source code"
        ws.warnings.append(LEAKED_KEY_WARNING.format(files=", ".join(committed), where=where))
    outcome = for_each_setting(ws, "SECRET_KEY", lambda ref: _rewrite(ws, ref))
    return outcome or not_applicable("no module-level SECRET_KEY in the settings")


def committed_key_files(ws: Workspace) -> list[str]:
    """Settings modules whose SECRET_KEY value holds a literal key, as value or as fallback."""
    files = []
    for ref in ws.find_settings("SECRET_KEY"):
        literals = [value for value in settings_editor.string_values(ref.value) if value != "SECRET_KEY"]
        if any(len(value) >= 8 for value in literals) and ref.settings.display_path not in files:
            files.append(ref.settings.display_path)
    return files


def _rewrite(ws: Workspace, ref: SettingRef) -> Outcome:
    where = ref.settings.display_path
    reads = reads_environment(ws, ref.settings, ref.value)
    if reads:
        return done(f"{where} already reads SECRET_KEY from the environment ({describe_reads(reads)})")
    ref.replace_value(with_fallback(ref.value))
    ensure_import_os(ref.settings)
    return pending(f"{where}: SECRET_KEY comes from the environment, the committed key stays as the fallback")


def with_fallback(old_value):
    """os.environ.get('SECRET_KEY', <the old value, exactly as written>)."""
    call = settings_editor.expression(NEW_VALUE)
    fallback = call.args[1].with_changes(value=old_value)
    return call.with_changes(args=[call.args[0], fallback])
