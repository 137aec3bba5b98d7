"""Trust X-Forwarded-Proto from the platform's TLS-terminating proxy.

Heroku, Render, Fly.io and Divio end HTTPS at their load balancer and forward plain HTTP with
X-Forwarded-Proto: without SECURE_PROXY_SSL_HEADER the SSL redirect redirects every request
again, forever. Anywhere else the header must not be trusted (a client could claim HTTPS, as
Django's docs warn), so the step writes it only where the deployment files show such a proxy,
and it follows the SSL redirect's switch: off where SECURE_SSL_REDIRECT=False (local work).
"""

from __future__ import annotations

from refactor_app.editors import settings as settings_editor
from refactor_app.platforms import SHOWN, tls_proxy_platforms
from refactor_app.steps import aldryn
from refactor_app.steps.added_setting import add_to_entry
from refactor_app.steps.base import (
    Outcome, blocks_setting, combine, describe_reads, done, ensure_env_local, join, not_applicable, pending,
    reads_environment,
)
from refactor_app.workspace import Workspace

NAME = "SECURE_PROXY_SSL_HEADER"
HEADER = "('HTTP_X_FORWARDED_PROTO', 'https')"
# Right below the redirect it makes work.
ANCHORS = ("SECURE_SSL_REDIRECT", "ALLOWED_HOSTS", "DEBUG", "SECRET_KEY")


def new_statement(writer: settings_editor.Writer) -> str:
    return (f"\n# {{platform}}'s proxy ends HTTPS and says so in X-Forwarded-Proto: trusted only in production\n"
            f"{NAME} = (\n    {HEADER} if {writer.read('SECURE_SSL_REDIRECT')} != \"False\" else None\n)\n")


def set_in_block(ws: Workspace) -> str:
    """The settings module (as shown) that sets the header inside an if/try block; "" if none."""
    return next((settings.display_path for settings in ws.loaded_settings() if NAME in settings.block_contents()[0]),
                "")


def run(ws: Workspace) -> Outcome:
    refs = ws.find_settings(NAME)
    if refs:
        outcomes = []
        for ref in refs:
            where = ref.settings.display_path
            reads = reads_environment(ws, ref.settings, ref.value)
            shown = settings_editor.one_line_code(ref.value)
            outcomes.append(done(f"{where} already sets {NAME}"
                                 + (f" from the environment ({describe_reads(reads)})" if reads else f" = {shown}")))
        return combine(outcomes)
    by_aldryn = aldryn.outcome(ws, NAME)
    if by_aldryn is not None:
        return by_aldryn
    found = tls_proxy_platforms(ws.project.root)
    if not found:
        return not_applicable(
            f"no deployment file shows a TLS-terminating proxy ({', '.join(SHOWN)}); {NAME} is only safe "
            "behind one that sets X-Forwarded-Proto, so none is added"
        )
    in_block = set_in_block(ws)
    if in_block:  # Heroku's own `if IS_HEROKU_APP:` spelling, and the like: the user's condition
        return done(f"{in_block} sets {NAME} inside an if/try block")
    blocked = blocks_setting(ws, NAME)
    if blocked:
        ws.warnings.append(blocked)
        return not_applicable(blocked)
    notes = []
    for entry in ws.project.settings_paths:
        if ws.find_setting(NAME, entry) is None:
            settings = add_to_entry(
                ws, entry, lambda writer: new_statement(writer).replace("{platform}", found[0]),
                ("SECURE_SSL_REDIRECT",), ANCHORS,
            )
            notes.append(f"{settings.display_path}: + {NAME} for {found[0]}'s proxy, off where SECURE_SSL_REDIRECT=False")
    env_line = ensure_env_local(ws, "SECURE_SSL_REDIRECT", "False")
    return pending(join(*notes, env_line.note))
