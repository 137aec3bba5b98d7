"""Adding a setting the settings do not assign yet, where the page adds SECURE_SSL_REDIRECT:
after an anchor in production's own settings module, else above a `try: from .local import *`
block (local work keeps the last word), else at the end. Shared by the hardening steps."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from refactor_app.editors import settings as settings_editor
from refactor_app.steps import aldryn
from refactor_app.steps.base import Outcome, combine, ensure_writer_import, environment_writer
from refactor_app.workspace import SettingRef, SettingsModule, Workspace


def add_to_entry(
    ws: Workspace, entry: Path, code: Callable[[settings_editor.Writer], str], variables: tuple[str, ...],
    anchors: tuple[str, ...],
) -> SettingsModule:
    """Insert `code(writer)` into the settings module `entry` loads; the module written to."""
    for anchor_name in anchors:
        anchor = ws.find_setting(anchor_name, entry)
        # Production's own module, not a base that local work loads too.
        if anchor is not None and anchor.settings.path == entry:
            settings = anchor.settings
            writer = environment_writer(ws, settings, variables, anchor.assignment.index + 1)
            new = settings_editor.statements(code(writer))
            settings.module = settings_editor.insert_after(settings.module, anchor.assignment.index, new)
            break
    else:
        settings = ws.settings_module(entry)
        override = settings_editor.first_star_import_block(settings.module)
        if override:
            writer = environment_writer(ws, settings, variables, override)
            new = settings_editor.statements(code(writer))
            settings.module = settings_editor.insert_after(settings.module, override - 1, new)
        else:
            writer = environment_writer(ws, settings, variables)
            settings.module = settings_editor.append(settings.module, settings_editor.statements(code(writer)))
    ensure_writer_import(settings, writer)
    return settings


def run_group(
    ws: Workspace, names: tuple[str, ...], existing: Callable[[Workspace, SettingRef, str], Outcome],
    add: Callable[[Workspace, tuple[str, ...]], Outcome],
) -> Outcome:
    """A step that sets several settings together: `existing` judges each one the settings
    assign, `add` adds those nobody sets. aldryn-django sets some where the settings do not:
    those are its, a line added would override it."""
    outcomes, missing = [], []
    for name in names:
        refs = ws.find_settings(name)
        outcomes += [existing(ws, ref, name) for ref in refs]
        if not refs:
            missing.append(name)
    by_aldryn, missing = aldryn.split(ws, tuple(missing))
    outcomes += by_aldryn
    if missing:
        outcomes.append(add(ws, missing))
    return combine(outcomes)
