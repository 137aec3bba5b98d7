"""Set DEBUG using an environment variable.

The page: "we don't want to inadvertently go into production with DEBUG = True", so DEBUG is
False unless the environment says DJANGO_DEBUG=True, which only .env-local does.
"""

from __future__ import annotations

from refactor_app.steps import aldryn, fail_closed
from refactor_app.steps.base import EnvironmentSwitch, Outcome, environment_variables, for_each_setting, not_applicable
from refactor_app.textfile import may_exist
from refactor_app.workspace import Workspace

SWITCH = EnvironmentSwitch(
    setting="DEBUG",
    env_key="DJANGO_DEBUG",
    comparison='== "True"',
    env_value="True",
    meaning="on only when DJANGO_DEBUG=True",
)


def run(ws: Workspace) -> Outcome:
    shipped = shipped_debug_warning(ws)
    if shipped:
        ws.warnings.append(shipped)
    by_aldryn = aldryn.outcome(ws, "DEBUG")
    if by_aldryn is not None:
        return by_aldryn
    outcome = for_each_setting(
        ws, "DEBUG", lambda ref: fail_closed.check(ws, ref, fail_closed.DEBUG) or SWITCH.apply(ws, ref)
    )
    return outcome or not_applicable("no module-level DEBUG in the settings; Django's default (False) applies")


TRUE_WORDS = {"true", "1", "yes", "on", "y", "t"}  # what django-environ's bool and decouple's cast read as on


def shipped_debug_warning(ws: Workspace) -> str:
    """An env file production loads that turns DEBUG on (red-team runs: `fly deploy` sent a
    git-ignored .env with DEBUG=True that `read_env` loaded in production; `pipenv run` on a dyno
    loads a committed one): DEBUG is on wherever production sets no value itself."""
    from refactor_app import local_env

    # Most settings load no env file, and most projects have no Procfile: said without a second look.
    if not any(word in settings.original for settings in ws.loaded_settings() for word in local_env.LOADER_WORDS) \
            and not may_exist(ws.project.root / "Procfile"):
        return ""
    shipped = local_env.shipped_env_files(ws.project)
    if not shipped:
        return ""
    from dotenv import dotenv_values

    ref = ws.find_setting("DEBUG")
    if ref is None:
        return ""  # Django's default, False: no variable turns it on
    # What DEBUG reads, and the page's DJANGO_DEBUG, which the debug step makes it read.
    names = {SWITCH.env_key, *environment_variables(ws, ref.settings, ref.value)}
    for file in shipped:
        try:
            values = dotenv_values(file.path)
        except (OSError, UnicodeDecodeError):  # not UTF-8, or gone: nothing to read here
            continue
        on = [f"{name}={value}" for name, value in values.items()
              if name in names and (value or "").strip().lower() in TRUE_WORDS]
        if on:
            shown = ws.project.display(file.path)
            return (f"{shown} sets {', '.join(on)}, {file.loaded}, and {file.shipped}: production runs with DEBUG on "
                    f"wherever it sets none of its own; {file.fix}")
    return ""
