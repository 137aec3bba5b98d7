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


def settings_read(names=None) -> frozenset[str]:
    """The settings the chosen steps (all by default) look up."""
    return frozenset().union(*(step.reads for step in STEPS if names is None or step.name in names))


def check_names(names) -> None:
    """Refuse names that are not steps, in one plain sentence that lists the steps."""
    from refactor_app.errors import RefactorError

    unknown = sorted(set(names or ()) - set(STEP_NAMES))
    if unknown:
        raise RefactorError(f"unknown step {', '.join(unknown)}; the steps are: {', '.join(STEP_NAMES)}.")
