"""`django_heroku.settings(locals())` (and its maintained fork, `django_on_heroku.settings`):
settings rewritten after the module ran.

heroku/django-heroku's django_heroku/core.py, `settings(config, *, db_colors=False,
databases=True, test_runner=True, staticfiles=True, allowed_hosts=True, logging=True,
secret_key=True)`, writes into the dict it is given:

    allowed_hosts: ALLOWED_HOSTS = ['*']
    staticfiles:   STATIC_ROOT = os.path.join(BASE_DIR, 'staticfiles'), STATIC_URL = '/static/',
                   WhiteNoise's middleware and STATICFILES_STORAGE
    databases:     DATABASES['default'] from DATABASE_URL, when it is set
    secret_key:    SECRET_KEY = os.environ['SECRET_KEY'], when it is set
    logging:       LOGGING

Whatever the settings assign before the call, ALLOWED_HOSTS allows every host unless the call
gets allowed_hosts=False; and collectstatic fills BASE_DIR/staticfiles/, not the module's
STATIC_ROOT, unless it gets staticfiles=False. DATABASES and SECRET_KEY are taken from the
environment only when their variables are set, as the steps' own rewrites do: nothing to say.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from refactor_app.steps import namespace_calls
from refactor_app.workspace import Workspace

CALLS = ("django_heroku.settings", "django_on_heroku.settings")


class Reset(NamedTuple):
    keyword: str  # the call's keyword that turns it off
    value: str  # what the call sets the setting to
    consequence: str  # why that matters


RESETS = {
    "ALLOWED_HOSTS": Reset("allowed_hosts", "ALLOWED_HOSTS = ['*']", "every host is allowed whatever the settings say"),
    "STATIC_ROOT": Reset("staticfiles", "STATIC_ROOT = os.path.join(BASE_DIR, 'staticfiles')",
                         "collectstatic fills staticfiles/, not the settings' STATIC_ROOT"),
}
HEROKU_STATIC_FOLDER = "staticfiles"  # under BASE_DIR


class Found(NamedTuple):
    call: namespace_calls.NamespaceCall
    reset: Reset

    @property
    def warning(self) -> str:
        return (f"{self.call.where}: {self.call.name}(locals()) sets {self.reset.value} after the module ran, so "
                f"{self.reset.consequence}; pass {self.reset.keyword}=False to it to keep the settings' own value")


def resets(ws: Workspace, name: str) -> list[Found]:
    """The django_heroku.settings calls that set `name` after the settings' last assignment of it
    (for any settings module in use), unless they are told not to (`allowed_hosts=False`)."""
    if name not in RESETS or not namespace_calls.any_calls(ws):
        return []
    reset = RESETS[name]
    found: dict[tuple[Path, int], Found] = {}
    for entry in ws.project.settings_paths:
        for call in namespace_calls.order(ws, name, entry).calls_after:
            if call.name in CALLS and not namespace_calls.keyword_off(call, reset.keyword):
                found.setdefault((call.settings.path, call.line), Found(call, reset))
    return list(found.values())
