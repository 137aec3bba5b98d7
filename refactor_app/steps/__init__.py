"""The refinements, in the page's order: a small registry of names and descriptions.

Each step's code is its own module (`debug.py`, ...: what it looks for, what it writes, why),
loaded only when a step runs, so `refactor-app steps` and `--help` import no parser and no git.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable, NamedTuple

if TYPE_CHECKING:
    from refactor_app.steps.base import Outcome
    from refactor_app.workspace import Workspace


class Step(NamedTuple):
    name: str
    title: str  # the page's heading for it: the subject of its commit
    summary: str
    module: str  # the module under refactor_app.steps that holds run(workspace) -> Outcome
    reads: frozenset[str]  # the settings it looks up: the rest of a module is parsed as text only
    # ("env": django-environ's `env = environ.Env(DEBUG=(bool, True))` holds defaults fail_closed.py fixes)

    @property
    def run(self) -> Callable[["Workspace"], "Outcome"]:
        return importlib.import_module(f"refactor_app.steps.{self.module}").run


STEPS: tuple[Step, ...] = (
    Step("debug", "Set DEBUG using an environment variable",
         'DEBUG from DJANGO_DEBUG (off unless it is "True"); .env-local turns it on locally',
         "debug", frozenset({"DEBUG", "env"})),
    Step("allowed-hosts", "Restrict ALLOWED_HOSTS to the environment's domains",
         "ALLOWED_HOSTS from DOMAIN, DOMAIN_ALIASES and DOMAIN_REDIRECTS instead of ['*']",
         "allowed_hosts",
         frozenset({"ALLOWED_HOSTS", "DIVIO_DOMAIN", "DIVIO_DOMAIN_ALIASES", "DIVIO_DOMAIN_REDIRECTS", "env"})),
    Step("secret-key", "Configure SECRET_KEY from the environment",
         "SECRET_KEY from the environment, the old key kept as the fallback",
         "secret_key", frozenset({"SECRET_KEY"})),
    Step("ssl-redirect", "Configure SSL redirects",
         'SECURE_SSL_REDIRECT on unless the environment says "False"; .env-local turns it off',
         "ssl_redirect", frozenset({"SECURE_SSL_REDIRECT", "ALLOWED_HOSTS", "DEBUG", "SECRET_KEY", "env",
                                   "SECURE_PROXY_SSL_HEADER"})),
    Step("collectstatic", "Add collectstatic to the build",
         "RUN collectstatic in the Dockerfile; DATABASE_URL falls back to sqlite://:memory: for the build",
         "collectstatic",
         frozenset({"INSTALLED_APPS", "STATIC_ROOT", "STATIC_URL", "BASE_DIR", "DATABASE_URL", "DATABASES"})),
    Step("staticfiles", "Remove collected static files from the repository",
         "git rm -r staticfiles, and /staticfiles in .gitignore: collected files are build output",
         "staticfiles", frozenset({"STATIC_ROOT", "STATICFILES_DIRS", "INSTALLED_APPS"})),
)
STEP_NAMES = tuple(step.name for step in STEPS)

# Beyond the page (issue 14): what Django's `check --deploy` still asks for. Never part of
# `apply --all` alone (the golden contract is the page's six); `--hardening` adds them.
HARDENING_STEPS: tuple[Step, ...] = (
    Step("secure-cookies", "Send session and CSRF cookies over HTTPS only",
         'SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE follow the SSL redirect: off only where SECURE_SSL_REDIRECT=False',
         "secure_cookies", frozenset({"SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
                                     "ALLOWED_HOSTS", "DEBUG", "SECRET_KEY", "env"})),
    Step("hsts", "Configure HSTS from the environment",
         "SECURE_HSTS_SECONDS from the environment (0, off, when unset); subdomains and preload only when asked",
         "hsts", frozenset({"SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
                           "CSRF_COOKIE_SECURE", "SESSION_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "ALLOWED_HOSTS", "DEBUG", "SECRET_KEY", "env"})),
    Step("proxy-ssl-header", "Trust the platform proxy's X-Forwarded-Proto",
         "SECURE_PROXY_SSL_HEADER where the project's files show a TLS-terminating proxy (Heroku, Render, Fly.io, Divio)",
         "proxy_ssl_header", frozenset({"SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "ALLOWED_HOSTS", "DEBUG",
                                       "SECRET_KEY", "env"})),
    Step("csrf-trusted-origins", "Trust the environment's domains for CSRF",
         "CSRF_TRUSTED_ORIGINS from DOMAIN, DOMAIN_ALIASES and DOMAIN_REDIRECTS (https:// on Django 4.0 and later)",
         "csrf_trusted_origins", frozenset({"CSRF_TRUSTED_ORIGINS", "ALLOWED_HOSTS", "DIVIO_DOMAIN",
                                           "DIVIO_DOMAIN_ALIASES", "DIVIO_DOMAIN_REDIRECTS", "SECURE_SSL_REDIRECT",
                                           "DEBUG", "SECRET_KEY", "env"})),
)
HARDENING_STEP_NAMES = tuple(step.name for step in HARDENING_STEPS)
ALL_STEPS = STEPS + HARDENING_STEPS  # the order every run follows
ALL_STEP_NAMES = STEP_NAMES + HARDENING_STEP_NAMES


def settings_read(names=None) -> frozenset[str]:
    """The settings the chosen steps (the page's six by default) look up."""
    chosen = STEPS if names is None else [step for step in ALL_STEPS if step.name in names]
    return frozenset().union(*(step.reads for step in chosen))


def check_names(names) -> None:
    """Refuse names that are not steps, in one plain sentence that lists the steps."""
    from refactor_app.errors import RefactorError

    unknown = sorted(set(names or ()) - set(ALL_STEP_NAMES))
    if unknown:
        raise RefactorError(f"unknown step {', '.join(unknown)}; the steps are: {', '.join(ALL_STEP_NAMES)}.")
