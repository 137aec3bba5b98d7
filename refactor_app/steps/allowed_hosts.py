"""Restrict ALLOWED_HOSTS to the domains the environment names.

Each Divio environment provides DOMAIN and, for extra domains, the comma lists DOMAIN_ALIASES
and DOMAIN_REDIRECTS. ALLOWED_HOSTS is built from them instead of the convenient ['*'];
.env-local names the local hosts.
"""

from __future__ import annotations

import libcst as cst

from refactor_app.editors import settings as settings_editor
from refactor_app.steps import aldryn, fail_closed, heroku
from refactor_app.steps.base import (
    Outcome, blocks_setting, describe_reads, done, ensure_env_local, ensure_import_os, join, not_applicable, pending,
    for_each_setting, reads_environment, settings_done_env_local_checked,
)
from refactor_app.workspace import SettingRef, Workspace

# As the page writes it; the first statement takes over the old line's leading comments.
NEW_BLOCK = """\
DIVIO_DOMAIN = os.environ.get('DOMAIN', '')

DIVIO_DOMAIN_ALIASES = [
    d.strip()
    for d in os.environ.get('DOMAIN_ALIASES', '').split(',')
    if d.strip()
]
DIVIO_DOMAIN_REDIRECTS = [
    d.strip()
    for d in os.environ.get('DOMAIN_REDIRECTS', '').split(',')
    if d.strip()
]

ALLOWED_HOSTS = [DIVIO_DOMAIN] + DIVIO_DOMAIN_ALIASES + DIVIO_DOMAIN_REDIRECTS
"""
NEW_VALUE = "[DIVIO_DOMAIN] + DIVIO_DOMAIN_ALIASES + DIVIO_DOMAIN_REDIRECTS"
NEW_NAMES = ("DIVIO_DOMAIN", "DIVIO_DOMAIN_ALIASES", "DIVIO_DOMAIN_REDIRECTS")  # the block's other assignments
LOCAL_HOSTS = "localhost, 127.0.0.1"

# Entries that only make sense for local work or as "anything": replacing them loses nothing.
REPLACEABLE_HOSTS = {"*", "localhost", "127.0.0.1", "[::1]", "0.0.0.0", ".localhost", ""}


def run(ws: Workspace) -> Outcome:
    by_aldryn = aldryn.outcome(ws, "ALLOWED_HOSTS")
    if by_aldryn is not None:
        return by_aldryn
    reset = [found.warning for found in heroku.resets(ws, "ALLOWED_HOSTS")]
    if reset:
        # Any ALLOWED_HOSTS written here would lose to the call's ['*']: neither done nor fixable here.
        ws.warnings.extend(reset)
        return not_applicable("; ".join(reset) + ", then run again")
    outcome = for_each_setting(ws, "ALLOWED_HOSTS", lambda ref: _rewrite(ws, ref))
    return outcome or not_applicable("no module-level ALLOWED_HOSTS in the settings")


def _rewrite(ws: Workspace, ref: SettingRef) -> Outcome:
    where = ref.settings.display_path
    additions = settings_editor.later_additions(ref.settings.module, "ALLOWED_HOSTS", ref.assignment.index)
    if any("*" in settings_editor.string_values(node) for node in additions):
        return not_applicable(
            f"{where} adds '*' to ALLOWED_HOSTS further down, which allows every host whatever the "
            "environment says; remove that line, then run again"
        )
    if settings_editor.same_expression(ref.value, NEW_VALUE) and reads_environment(ws, ref.settings, ref.value):
        return settings_done_env_local_checked(
            ws, "DOMAIN_ALIASES", LOCAL_HOSTS, f"{where} builds ALLOWED_HOSTS from DOMAIN, DOMAIN_ALIASES and DOMAIN_REDIRECTS"
        )
    unsafe = fail_closed.check(ws, ref, fail_closed.ALLOWED_HOSTS)
    if unsafe is not None:
        return unsafe
    reads = reads_environment(ws, ref.settings, ref.value)
    if reads:
        return done(f"{where} already builds ALLOWED_HOSTS from the environment ({describe_reads(reads)})")
    hosts = settings_editor.string_list(ref.value)
    if hosts is None:
        code = settings_editor.source(ref.value)
        return not_applicable(f"{where} computes ALLOWED_HOSTS as {code}; only a literal list is rewritten")
    line = settings_editor.statement_at(ref.settings.module, ref.assignment.index)
    if len(line.body) > 1:
        return not_applicable(f"{where} sets ALLOWED_HOSTS on a line with other statements; split the line first")
    if isinstance(line.body[0], cst.Assign) and len(line.body[0].targets) > 1:
        return not_applicable(
            f"{where} assigns ALLOWED_HOSTS together with other names (A = ALLOWED_HOSTS = ...); split the line first"
        )
    kept = [host for host in hosts if host not in REPLACEABLE_HOSTS]
    if kept:
        return not_applicable(
            f"{where} lists real hosts ({', '.join(kept)}); set them as DOMAIN / DOMAIN_ALIASES in each "
            "environment and edit ALLOWED_HOSTS by hand, refactor-app will not drop them"
        )
    blocked = blocks_setting(ws, *NEW_NAMES)
    if blocked:
        ws.warnings.append(blocked)
        return not_applicable(blocked)
    old_code = settings_editor.source(ref.value)
    ref.settings.module = settings_editor.replace_statement(
        ref.settings.module, ref.assignment.index, settings_editor.statements(NEW_BLOCK)
    )
    ensure_import_os(ref.settings)
    env_line = ensure_env_local(ws, "DOMAIN_ALIASES", LOCAL_HOSTS)
    return pending(join(
        f"{where}: ALLOWED_HOSTS = {old_code} becomes DOMAIN plus DOMAIN_ALIASES and DOMAIN_REDIRECTS", env_line.note
    ))
