"""Aldryn projects (Divio's previous platform): settings made by aldryn-django.

An Aldryn project's settings.py lists its addons and calls `aldryn_addons.settings.load(locals())`,
which runs each addon's aldryn_config.py; aldryn-django's writes the Django settings from the
environment. What it sets, as divio/aldryn-django's aldryn_config.py (Form.to_settings) has it;
`env` is aldryn-addons' djsenv over django-getenv's env, which reads a variable as a Python literal
when it is one (ALLOWED_HOSTS=['www.example.com'], SECURE_SSL_REDIRECT=True):

    DEBUG               = boolean_ish(env('DEBUG', False))
    SECRET_KEY          = env('SECRET_KEY', 'this-is-not-very-random')
    ALLOWED_HOSTS       = env('ALLOWED_HOSTS', ['localhost', '*']), then DOMAIN, DOMAIN_ALIASES and
                          DOMAIN_REDIRECTS (comma lists) appended when DOMAIN is set
    SECURE_SSL_REDIRECT = env('SECURE_SSL_REDIRECT', None)  (False in older releases)
    SECURE_PROXY_SSL_HEADER = env('SECURE_PROXY_SSL_HEADER', ('HTTP_X_FORWARDED_PROTO', 'https'))
    SECURE_HSTS_SECONDS = env('SECURE_HSTS_SECONDS', 0)
    SESSION_COOKIE_SECURE = env('SESSION_COOKIE_SECURE', False)
    STATIC_ROOT         = env('STATIC_ROOT', os.path.join(BASE_DIR, 'static_collected'))
    DATABASE_URL        = env('DATABASE_URL'), 'sqlite://:memory:' when DJANGO_MODE=build
    BASE_DIR            = env('BASE_DIR', the settings module's folder)  (aldryn-addons' load())

djsenv makes a Django setting the module assigns *before* load() the default in place of these,
so there the steps' usual rewrite (a value that is safe with the variable unset) is right, as it
is for an assignment *after* load(), which overrides aldryn-django. Only a setting the settings
never assign is aldryn-django's alone: then the steps report what it does and add nothing that
would override it. `.env-local` gets no line either: aldryn-django reads DEBUG, not the page's
DJANGO_DEBUG, and off while it is unset is the safe side; turning it on locally is the project's call.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from refactor_app.steps import namespace_calls
from refactor_app.steps.base import Outcome, combine, done, not_applicable
from refactor_app.workspace import Workspace

LOAD = "aldryn_addons.settings.load"
STATIC_FOLDER = "static_collected"  # STATIC_ROOT's default, under BASE_DIR
BUILD_MODE = "DJANGO_MODE=build"  # for the build, aldryn-django uses DATABASE_URL=sqlite://:memory:


class Handling(NamedTuple):
    what: str  # what aldryn-django reads, and its value with the variables unset, after "which"
    risk: str = ""  # for a value unsafe in production: what goes wrong
    advice: str = ""  # and what to set in each environment

    @property
    def safe(self) -> bool:
        return not self.risk


SETTINGS = {
    "DEBUG": Handling("reads DEBUG from the environment, off when it is unset"),
    "SECRET_KEY": Handling("reads SECRET_KEY from the environment ('this-is-not-very-random' when it is unset: "
                           "set SECRET_KEY in every environment)"),
    "ALLOWED_HOSTS": Handling(
        "reads ALLOWED_HOSTS, DOMAIN, DOMAIN_ALIASES and DOMAIN_REDIRECTS from the environment",
        "aldryn-django allows every host ('*') while the ALLOWED_HOSTS variable is unset",
        "set ALLOWED_HOSTS in each environment as a Python list (ALLOWED_HOSTS=['www.example.com']; DOMAIN, "
        "DOMAIN_ALIASES and DOMAIN_REDIRECTS are added to it)"),
    "SECURE_SSL_REDIRECT": Handling(
        "reads SECURE_SSL_REDIRECT from the environment",
        "aldryn-django does not redirect to HTTPS while the SECURE_SSL_REDIRECT variable is unset",
        "set SECURE_SSL_REDIRECT=True in each environment served over HTTPS"),
    # The deploy-ready steps beyond the page (`--hardening`).
    "SECURE_PROXY_SSL_HEADER": Handling("reads SECURE_PROXY_SSL_HEADER from the environment, trusting Divio's proxy "
                                        "(('HTTP_X_FORWARDED_PROTO', 'https')) when it is unset"),
    "SECURE_HSTS_SECONDS": Handling("reads SECURE_HSTS_SECONDS from the environment, 0 (off) when it is unset"),
    "SESSION_COOKIE_SECURE": Handling(
        "reads SESSION_COOKIE_SECURE from the environment",
        "aldryn-django sends the session cookie over plain HTTP while the SESSION_COOKIE_SECURE variable is unset",
        "set SESSION_COOKIE_SECURE=True in each environment served over HTTPS"),
    "STATIC_ROOT": Handling(f"reads STATIC_ROOT from the environment ({STATIC_FOLDER}/ under BASE_DIR when it is unset)"),
}


def load_call(ws: Workspace, name: str, entry: Path) -> namespace_calls.NamespaceCall | None:
    """The load(locals()) that gives `name` its value when `entry` is imported: one after which
    the settings do not assign it, and before which they never did. None when the settings
    assign it (the steps handle that assignment) or aldryn-addons is not loaded."""
    found = namespace_calls.order(ws, name, entry)
    if found.final is not None:
        return None
    return next((call for call in found.calls_after if call.name == LOAD), None)


def loaded(ws: Workspace) -> bool:
    """Does a settings module in use call aldryn_addons.settings.load(locals())?"""
    return namespace_calls.any_calls(ws) and any(
        call.name == LOAD for settings in ws.loaded_settings() for call in namespace_calls.calls_in(settings)
    )


def static_folder(ws: Workspace) -> Path | None:
    """Where aldryn-django collects static files when the settings never set STATIC_ROOT:
    static_collected/ beside the settings module that loads it (aldryn-addons' BASE_DIR). None
    when aldryn-django does not set STATIC_ROOT."""
    if not namespace_calls.any_calls(ws):
        return None
    call = load_call(ws, "STATIC_ROOT", ws.project.settings_path)
    return call.settings.path.parent / STATIC_FOLDER if call is not None else None


def entry_outcome(ws: Workspace, name: str, entry: Path) -> Outcome | None:
    """The step's outcome for one settings module when aldryn-django alone sets `name` there:
    done when its value is safe, else not applicable, with what to set in each environment.
    None when it does not (the step does what it does for any project)."""
    call = load_call(ws, name, entry) if namespace_calls.any_calls(ws) else None
    if call is None:
        return None
    handling = SETTINGS[name]
    reason = f"{call.where}: {name} is set by aldryn-django ({call.code}), which {handling.what}"
    if handling.safe:
        return done(reason)
    ws.warnings.append(f"{call.where}: {handling.risk}; {handling.advice}.")
    return not_applicable(f"{reason}, but {handling.risk.removeprefix('aldryn-django ')}: {handling.advice}; "
                          f"refactor-app adds no {name} that would override it")


def outcome(ws: Workspace, name: str) -> Outcome | None:
    """entry_outcome for a step's setting when aldryn-django alone sets it for every settings
    module in use; else None."""
    if not namespace_calls.any_calls(ws):
        return None
    outcomes = [entry_outcome(ws, name, entry) for entry in ws.project.settings_paths]
    return None if None in outcomes else combine(outcomes)


def split(ws: Workspace, names: tuple[str, ...]) -> tuple[list[Outcome], tuple[str, ...]]:
    """For steps that set several settings: the outcomes for those of `names` that aldryn-django
    alone sets, and the names left for the step to add."""
    if not namespace_calls.any_calls(ws):
        return [], names
    outcomes, left = [], []
    for name in names:
        by_aldryn = outcome(ws, name) if name in SETTINGS else None
        if by_aldryn is None:
            left.append(name)
        else:
            outcomes.append(by_aldryn)
    return outcomes, tuple(left)
