"""Trust the environment's own domains for CSRF (Django 4.0 checks the Origin header).

CSRF_TRUSTED_ORIGINS is built from DOMAIN, DOMAIN_ALIASES and DOMAIN_REDIRECTS, the variables
ALLOWED_HOSTS reads: with the https:// scheme on Django 4.0 and later (which requires it), as
bare hosts before (which compares the Referer's host with each entry and never matches a scheme).
"""

from __future__ import annotations

from refactor_app.editors import settings as settings_editor
from refactor_app.steps.added_setting import add_to_entry
from refactor_app.steps.allowed_hosts import NEW_NAMES, READ_VARIABLES
from refactor_app.steps.base import (
    Outcome, blocks_setting, combine, describe_reads, done, join, not_applicable, pending, reads_environment,
)
from refactor_app.steps.django_version import before_4_0
from refactor_app.workspace import Workspace

NAME = "CSRF_TRUSTED_ORIGINS"
ANCHORS = ("ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "DEBUG", "SECRET_KEY")


def new_statement(scheme: str, uses_block: bool):
    prefix = f"{scheme!r} + " if scheme else ""

    def code(writer: settings_editor.Writer) -> str:
        if uses_block:  # the allowed-hosts step's names, already read from the environment
            hosts = f"[{NEW_NAMES[0]}] + {NEW_NAMES[1]} + {NEW_NAMES[2]}"
            return (f"\n{NAME} = [\n    {prefix}host\n    for host in {hosts}\n    if host\n]\n")
        sources = "\n        + ".join(
            [f"[{writer.read('DOMAIN', repr(''))}]"]
            + [f"{writer.read(variable, repr(''))}.split(',')" for variable in READ_VARIABLES[1:]]
        )
        return (f"\n{NAME} = [\n    {prefix}host.strip()\n    for host in (\n        {sources}\n    )\n"
                "    if host.strip()\n]\n")

    return code


def _bare_hosts(value) -> list[str]:
    hosts = settings_editor.string_list(value) or []
    return [host for host in hosts if "://" not in host]


def _schemed_only(value) -> list[str]:
    """Origins with a scheme and no bare twin: Django before 4.0 compares the Referer's host with
    each entry as it is, so these never match (where both are listed, the bare one does)."""
    origins = settings_editor.string_list(value) or []
    return [origin for origin in origins if "://" in origin and origin.split("://", 1)[1] not in origins]


def run(ws: Workspace) -> Outcome:
    refs = ws.find_settings(NAME)
    if refs:
        outcomes = []
        for ref in refs:
            where = ref.settings.display_path
            reads = reads_environment(ws, ref.settings, ref.value)
            if reads:
                outcomes.append(done(f"{where} already builds {NAME} from the environment ({describe_reads(reads)})"))
            elif _bare_hosts(ref.value) and before_4_0(ws) is False:
                # Django 4.0 and later refuse them (4_0.E001): not done, and not the step's to guess.
                outcomes.append(not_applicable(
                    f"{where} lists {NAME} without a scheme ({', '.join(_bare_hosts(ref.value))}), which Django 4.0 "
                    "and later reject; write them as https://HOST"))
            elif _schemed_only(ref.value) and before_4_0(ws) is True:
                outcomes.append(not_applicable(
                    f"{where} lists {NAME} with a scheme ({', '.join(_schemed_only(ref.value))}), which Django "
                    "before 4.0 never matches (it compares bare hosts); write them as HOST"))
            else:
                outcomes.append(done(f"{where} sets {NAME} = {settings_editor.one_line_code(ref.value)} by hand"))
        return combine(outcomes)
    blocked = blocks_setting(ws, NAME)
    if blocked:
        ws.warnings.append(blocked)
        return not_applicable(blocked)
    old = before_4_0(ws)
    scheme = "" if old else "https://"
    version_note = ("bare hosts: the requirements ask for Django before 4.0" if old
                    else "with https://: Django 4.0 and later need the scheme"
                    + ("" if old is False else " (no requirement file names Django's version)"))
    notes = []
    for entry in ws.project.settings_paths:
        if ws.find_setting(NAME, entry) is not None:
            continue
        uses_block = all(ws.find_setting(name, entry) is not None for name in NEW_NAMES)
        settings = add_to_entry(ws, entry, new_statement(scheme, uses_block), READ_VARIABLES, ANCHORS)
        notes.append(f"{settings.display_path}: + {NAME} from DOMAIN, DOMAIN_ALIASES and DOMAIN_REDIRECTS")
    return pending(join(*notes, version_note)) if notes else combine([done(f"{NAME} already set")])
