"""Set DEBUG using an environment variable.

The page: "we don't want to inadvertently go into production with DEBUG = True", so DEBUG is
False unless the environment says DJANGO_DEBUG=True, which only .env-local does.
"""

from __future__ import annotations

from refactor_app.steps import aldryn, fail_closed
from refactor_app.steps.base import EnvironmentSwitch, Outcome, for_each_setting, not_applicable
from refactor_app.workspace import Workspace

SWITCH = EnvironmentSwitch(
    setting="DEBUG",
    env_key="DJANGO_DEBUG",
    comparison='== "True"',
    env_value="True",
    meaning="on only when DJANGO_DEBUG=True",
)


def run(ws: Workspace) -> Outcome:
    by_aldryn = aldryn.outcome(ws, "DEBUG")
    if by_aldryn is not None:
        return by_aldryn
    outcome = for_each_setting(
        ws, "DEBUG", lambda ref: fail_closed.check(ws, ref, fail_closed.DEBUG) or SWITCH.apply(ws, ref)
    )
    return outcome or not_applicable("no module-level DEBUG in the settings; Django's default (False) applies")
