"""Restrict ALLOWED_HOSTS to the domains the environment names.

Each Divio environment provides DOMAIN and, for extra domains, the comma lists DOMAIN_ALIASES
and DOMAIN_REDIRECTS. ALLOWED_HOSTS is built from them instead of the convenient ['*'];
.env-local names the local hosts.
"""

from __future__ import annotations

import ipaddress

import libcst as cst

from refactor_app.editors import settings as settings_editor
from refactor_app.steps import aldryn, fail_closed, heroku
from refactor_app.steps.base import (
    Outcome, blocks_setting, describe_reads, done, ensure_env_local, ensure_writer_import, environment_writer, join,
    not_applicable, pending, for_each_setting, reads_environment, settings_done_env_local_checked,
)
from refactor_app.workspace import SettingRef, Workspace


def new_block(writer: settings_editor.Writer = settings_editor.PAGE_WRITER) -> str:
    """The page's block (with os.environ.get), or the same through the settings' own reader.
    Its first statement takes over the old line's leading comments."""
    return f"""\
DIVIO_DOMAIN = {writer.read('DOMAIN', "''")}

DIVIO_DOMAIN_ALIASES = [
    d.strip()
    for d in {writer.read('DOMAIN_ALIASES', "''")}.split(',')
    if d.strip()
]
DIVIO_DOMAIN_REDIRECTS = [
    d.strip()
    for d in {writer.read('DOMAIN_REDIRECTS', "''")}.split(',')
    if d.strip()
]

ALLOWED_HOSTS = [DIVIO_DOMAIN] + DIVIO_DOMAIN_ALIASES + DIVIO_DOMAIN_REDIRECTS
"""


NEW_VALUE = "[DIVIO_DOMAIN] + DIVIO_DOMAIN_ALIASES + DIVIO_DOMAIN_REDIRECTS"
NEW_NAMES = ("DIVIO_DOMAIN", "DIVIO_DOMAIN_ALIASES", "DIVIO_DOMAIN_REDIRECTS")  # the block's other assignments
READ_VARIABLES = ("DOMAIN", "DOMAIN_ALIASES", "DOMAIN_REDIRECTS")
PAGE_LOCAL_HOSTS = ("localhost", "127.0.0.1")  # .env-local's DOMAIN_ALIASES on the page
LOCAL_HOSTS = ", ".join(PAGE_LOCAL_HOSTS)


def is_local_host(host: str) -> bool:
    """A name or address that only reaches this machine (localhost and its subdomains, loopback
    addresses, 0.0.0.0 or ::): one to keep for local work when ALLOWED_HOSTS is rewritten."""
    name = host.lower()
    if name in ("localhost", ".localhost") or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name[1:-1] if name.startswith("[") and name.endswith("]") else name)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def local_aliases(hosts: list[str]) -> list[str]:
    """.env-local's DOMAIN_ALIASES: the page's local hosts, then the old list's other local hosts."""
    aliases: dict[str, str] = {}
    for host in [*PAGE_LOCAL_HOSTS, *(host for host in hosts if is_local_host(host))]:
        aliases.setdefault(host.lower(), host)
    return list(aliases.values())


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
            ws, "DOMAIN_ALIASES", _wanted_aliases(ws),
            f"{where} builds ALLOWED_HOSTS from DOMAIN, DOMAIN_ALIASES and DOMAIN_REDIRECTS",
        )
    unsafe = fail_closed.check(ws, ref, fail_closed.ALLOWED_HOSTS)
    if unsafe is not None:
        return unsafe
    reads = reads_environment(ws, ref.settings, ref.value)
    if reads:
        return done(f"{where} already builds ALLOWED_HOSTS from the environment ({describe_reads(reads)})")
    hosts = settings_editor.string_list(ref.value)
    if hosts is None:
        code = settings_editor.one_line_code(ref.value)
        return not_applicable(f"{where} computes ALLOWED_HOSTS as {code}; only a literal list is rewritten")
    line = settings_editor.statement_at(ref.settings.module, ref.assignment.index)
    if len(line.body) > 1:
        return not_applicable(f"{where} sets ALLOWED_HOSTS on a line with other statements; split the line first")
    if isinstance(line.body[0], cst.Assign) and len(line.body[0].targets) > 1:
        return not_applicable(
            f"{where} assigns ALLOWED_HOSTS together with other names (A = ALLOWED_HOSTS = ...); split the line first"
        )
    # '*' and '' allow every host or none; local hosts go to .env-local.
    kept = [host for host in hosts if host not in ("*", "") and not is_local_host(host)]
    if kept:
        return not_applicable(
            f"{where} lists real hosts ({', '.join(kept)}); set them as DOMAIN / DOMAIN_ALIASES in each "
            "environment and edit ALLOWED_HOSTS by hand, refactor-app will not drop them"
        )
    blocked = blocks_setting(ws, *NEW_NAMES)
    if blocked:
        ws.warnings.append(blocked)
        return not_applicable(blocked)
    old_code = settings_editor.one_line_code(ref.value)
    writer = environment_writer(ws, ref.settings, READ_VARIABLES, ref.assignment.index)
    block = new_block(writer)
    annotation = _annotation(ref)
    if annotation is not None:  # ALLOWED_HOSTS: list[str] = [...] keeps its type
        block = block.replace("\nALLOWED_HOSTS = ", f"\nALLOWED_HOSTS: {annotation} = ")
    ref.settings.module = settings_editor.replace_statement(
        ref.settings.module, ref.assignment.index, settings_editor.statements(block)
    )
    ensure_writer_import(ref.settings, writer)
    aliases = local_aliases(hosts)
    env_line = ensure_env_local(ws, "DOMAIN_ALIASES", ", ".join(aliases))
    return pending(join(
        f"{where}: ALLOWED_HOSTS = {old_code} becomes DOMAIN plus DOMAIN_ALIASES and DOMAIN_REDIRECTS", env_line.note,
        "" if env_line.added else _missing_local_hosts(ws, [host for host in aliases if host in hosts]),
    ))


def _annotation(ref: SettingRef) -> str | None:
    """The annotation of `ALLOWED_HOSTS: <it> = ...`, as written; None for a plain assignment."""
    found = ref.assignment.found_in
    if type(found) is settings_editor.OpaqueStatement:  # exact: see settings_editor.Assignment
        found = found.parsed.body[0]
    return settings_editor.source(found.annotation.annotation) if type(found) is cst.AnnAssign else None


def _aliases(ws: Workspace) -> str | None:
    """DOMAIN_ALIASES as local work's environment (.env-local) sets it, or None."""
    from refactor_app.steps.local_values import local_environment

    found = local_environment(ws).get("DOMAIN_ALIASES")
    return found.value if found is not None else None


def _wanted_aliases(ws: Workspace) -> str:
    """The page's DOMAIN_ALIASES, or .env-local's own when it has the page's hosts (with the old
    list's other local hosts, as the rewrite writes it): that one needs no note."""
    value = _aliases(ws)
    present = {alias.strip().lower() for alias in (value or "").split(",")}
    return value if value is not None and present.issuperset(PAGE_LOCAL_HOSTS) else LOCAL_HOSTS


def _missing_local_hosts(ws: Workspace, old_local_hosts: list[str]) -> str:
    """Which of the old list's local hosts the user's own DOMAIN_ALIASES in .env-local lacks."""
    present = {alias.strip().lower() for alias in (_aliases(ws) or "").split(",")}
    missing = [host for host in old_local_hosts if host.lower() not in present]
    if not missing:
        return ""
    from refactor_app.steps.local_values import local_environment

    return (f"{local_environment(ws)['DOMAIN_ALIASES'].where}'s DOMAIN_ALIASES lacks {', '.join(missing)}, which the old ALLOWED_HOSTS allowed: "
            "add them there to keep using them for local work")
