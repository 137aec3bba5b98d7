"""Configure SSL redirects.

Redirect to HTTPS by default; only an environment that says SECURE_SSL_REDIRECT=False
(.env-local, for local work) turns it off.

Behind a platform's TLS-ending proxy (platforms.py) the redirect needs SECURE_PROXY_SSL_HEADER,
or every request is redirected forever. On Divio, the page's own platform, the page's step is
applied with a warning; on the others (Heroku, Render, Fly.io, App Platform, Railway, App Engine)
it is declined unless the proxy-ssl-header step runs with it. Behind a reverse proxy the project's
production compose file runs (nginx, Caddy, ...), it is declined until the settings set the header.
"""

from __future__ import annotations

import ast
from pathlib import Path

from refactor_app.editors import settings as settings_editor
from refactor_app.platforms import DIVIO, compose_reverse_proxy, tls_proxy_platforms
from refactor_app.steps import aldryn, fail_closed, proxy_ssl_header
from refactor_app.steps.base import (
    EnvironmentSwitch, Outcome, blocks_setting, combine, ensure_env_local, ensure_writer_import, environment_writer,
    join, not_applicable, pending,
)
from refactor_app.workspace import Workspace

SWITCH = EnvironmentSwitch(
    setting="SECURE_SSL_REDIRECT",
    env_key="SECURE_SSL_REDIRECT",
    comparison='!= "False"',
    env_value="False",
    meaning="on (redirect to HTTPS) unless SECURE_SSL_REDIRECT=False",
    comment="# Redirect to HTTPS by default, unless explicitly disabled",
)


def new_statement(writer: settings_editor.Writer) -> str:
    return f"\n{SWITCH.comment}\nSECURE_SSL_REDIRECT = {SWITCH.new_value(writer)}\n"


# Where a new SECURE_SSL_REDIRECT goes: after the first of these that is set (the page puts it
# after the ALLOWED_HOSTS block).
ANCHORS = ("ALLOWED_HOSTS", "DEBUG", "SECRET_KEY")


def run(ws: Workspace) -> Outcome:
    before = ws.snapshot()
    outcomes = [
        fail_closed.check(ws, ref, fail_closed.SECURE_SSL_REDIRECT) or SWITCH.apply(ws, ref)
        for ref in ws.find_settings("SECURE_SSL_REDIRECT")
    ]
    for entry in ws.project.settings_paths:
        # Checked one settings module at a time: one added to a shared base serves the next.
        if ws.find_setting("SECURE_SSL_REDIRECT", entry) is None:
            # aldryn-django sets it where the settings do not: a line added here would override it.
            by_aldryn = aldryn.entry_outcome(ws, "SECURE_SSL_REDIRECT", entry)
            outcomes.append(by_aldryn if by_aldryn is not None else _add(ws, entry))
    outcome = combine(outcomes)
    missing = _no_security_middleware(ws) if outcome.state.value in ("pending", "done") else ""
    if missing and outcome.state.value == "pending":
        ws.restore(before)
        return not_applicable(
            f"SECURE_SSL_REDIRECT takes effect only through {SECURITY_MIDDLEWARE}, which {missing} does not list "
            "(a project from before Django 1.8 never had it), so the redirect would do nothing; add it at the top "
            "of that list and run again")
    if missing:
        ws.warnings.append(f"SECURE_SSL_REDIRECT is on, but {missing} does not list {SECURITY_MIDDLEWARE}, which "
                           "acts on it: nothing redirects to HTTPS; add it at the top of that list")
    if outcome.state.value in ("pending", "done"):
        loop = proxy_loop_warning(ws)
        platform = loop and tls_proxy_platforms(ws.project.root)[0]
        if loop and outcome.state.value == "pending" and platform != DIVIO:
            # Not the page's platform: applying the redirect alone would break every request.
            ws.restore(before)
            return not_applicable(
                f"production runs behind {platform}'s proxy, which ends HTTPS and forwards plain HTTP, and nothing "
                "sets SECURE_PROXY_SSL_HEADER: the redirect alone would send every request back to HTTPS, forever; "
                "run `refactor-app apply --step proxy-ssl-header --step ssl-redirect` to have both")
        proxy = _compose_proxy_without_header(ws) if not loop and outcome.state.value == "pending" else ""
        if proxy:
            ws.restore(before)
            return not_applicable(
                f"production runs behind {proxy}, which forwards requests to Django over plain HTTP, and nothing sets "
                "SECURE_PROXY_SSL_HEADER: Django would see every request as HTTP and redirect it again, forever (or "
                "to an HTTPS address nothing serves); have the proxy end HTTPS and set X-Forwarded-Proto "
                "(nginx: proxy_set_header X-Forwarded-Proto $scheme; Caddy sets it itself), add SECURE_PROXY_SSL_HEADER = "
                "('HTTP_X_FORWARDED_PROTO', 'https') to the production settings, and run again")
        if loop:
            ws.warnings.append(loop)
            # In the reason too: `status` shows reasons, and this one breaks every request.
            outcome = Outcome(outcome.state, join(outcome.reason, "but nothing sets SECURE_PROXY_SSL_HEADER behind "
                                                  "this platform's HTTPS proxy: every request would redirect forever "
                                                  "(see the warning)"))
    return outcome


SECURITY_MIDDLEWARE = "django.middleware.security.SecurityMiddleware"


def _compose_proxy_without_header(ws: Workspace) -> str:
    """The reverse proxy production's compose file runs in front of Django, when nothing in the
    settings says which requests came over HTTPS; "" otherwise."""
    if ws.find_setting("SECURE_PROXY_SSL_HEADER") is not None or proxy_ssl_header.set_in_block(ws):
        return ""
    if aldryn.outcome(ws, "SECURE_PROXY_SSL_HEADER") is not None:
        return ""
    return compose_reverse_proxy(ws.project.root, ws.boundary)


def _names_security_middleware(source: bytes) -> bool:
    """Does a line name SecurityMiddleware outside a comment (`# '...SecurityMiddleware',` is off)?"""
    found = source.find(b"SecurityMiddleware")
    while found >= 0:
        if b"#" not in source[source.rfind(b"\n", 0, found) + 1 : found]:
            return True
        found = source.find(b"SecurityMiddleware", found + 1)
    return False


def _no_security_middleware(ws: Workspace) -> str:
    """The settings' MIDDLEWARE (MIDDLEWARE_CLASSES before Django 1.10), as shown, when it is a
    plain list without SecurityMiddleware, the middleware that redirects; "" when the settings
    name it anywhere or the list cannot be read. From Python's parse of the files as read."""
    modules = ws.loaded_settings()
    if any(_names_security_middleware(module.original) for module in modules):
        return ""
    for module in modules:
        tree = module.syntax_tree
        for statement in tree.body if tree is not None else ():
            if not (isinstance(statement, ast.Assign) and isinstance(statement.value, (ast.List, ast.Tuple))):
                continue
            if not all(isinstance(item, ast.Constant) and isinstance(item.value, str) for item in statement.value.elts):
                continue
            for target in statement.targets:
                if isinstance(target, ast.Name) and target.id in ("MIDDLEWARE", "MIDDLEWARE_CLASSES"):
                    return f"{module.display_path}'s {target.id}"
    return ""


def proxy_loop_warning(ws: Workspace) -> str:
    """The warning for a project deployed behind a TLS-terminating proxy whose settings do not
    set SECURE_PROXY_SSL_HEADER; "" otherwise."""
    if "proxy-ssl-header" in ws.steps_in_run:  # that step, later in this run, sets it or says why not
        return ""
    platforms = tls_proxy_platforms(ws.project.root)
    if not platforms or ws.find_setting("SECURE_PROXY_SSL_HEADER") is not None or proxy_ssl_header.set_in_block(ws):
        return ""
    if aldryn.outcome(ws, "SECURE_PROXY_SSL_HEADER") is not None:  # aldryn-django trusts Divio's proxy itself
        return ""
    return (f"production runs behind {platforms[0]}'s proxy, which ends HTTPS and forwards plain HTTP: with the "
            "redirect on and no SECURE_PROXY_SSL_HEADER, every request is redirected again, forever; add "
            "SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https') to the production settings (only behind "
            "a proxy that sets that header: anywhere else a client could claim HTTPS), or run `refactor-app apply "
            "--step proxy-ssl-header`")


def _add(ws: Workspace, entry: Path) -> Outcome:
    blocked = blocks_setting(ws, "SECURE_SSL_REDIRECT")
    if blocked:
        ws.warnings.append(blocked)
        return not_applicable(blocked)
    variables = (SWITCH.env_key,)
    for anchor_name in ANCHORS:
        anchor = ws.find_setting(anchor_name, entry)
        # Added to production's own module, not a base that local work loads too (principle 4).
        if anchor is not None and anchor.settings.path == entry:
            settings = anchor.settings
            writer = environment_writer(ws, settings, variables, anchor.assignment.index + 1)
            new = settings_editor.statements(new_statement(writer))
            settings.module = settings_editor.insert_after(settings.module, anchor.assignment.index, new)
            break
    else:
        settings = ws.settings_module(entry)
        override = settings_editor.first_star_import_block(settings.module)
        if override:  # above `try: from .local import *`, which must keep the last word for local work
            writer = environment_writer(ws, settings, variables, override)
            new = settings_editor.statements(new_statement(writer))
            settings.module = settings_editor.insert_after(settings.module, override - 1, new)
        else:
            writer = environment_writer(ws, settings, variables)
            settings.module = settings_editor.append(settings.module, settings_editor.statements(new_statement(writer)))
    ensure_writer_import(settings, writer)
    env_line = ensure_env_local(ws, "SECURE_SSL_REDIRECT", "False")
    return pending(join(f"{settings.display_path}: + SECURE_SSL_REDIRECT, {SWITCH.meaning}", env_line.note))
