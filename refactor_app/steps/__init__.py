"""The refinements, in the page's order. Each module holds one step: what it looks for, what it
writes and why."""

from refactor_app.steps import allowed_hosts, collectstatic, debug, secret_key, ssl_redirect, staticfiles
from refactor_app.steps.base import Step

STEPS: tuple[Step, ...] = (
    debug.STEP,
    allowed_hosts.STEP,
    secret_key.STEP,
    ssl_redirect.STEP,
    collectstatic.STEP,
    staticfiles.STEP,
)
STEP_NAMES = tuple(step.name for step in STEPS)


def by_name(name: str) -> Step:
    for step in STEPS:
        if step.name == name:
            return step
    raise KeyError(name)
