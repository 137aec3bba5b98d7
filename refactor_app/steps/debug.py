"""Set DEBUG using an environment variable.

The page: "we don't want to inadvertently go into production with DEBUG = True", so DEBUG is
False unless the environment says DJANGO_DEBUG=True, which only .env-local does.
"""

from __future__ import annotations

from refactor_app.steps import aldryn, fail_closed
from refactor_app.steps.base import EnvironmentSwitch, Outcome, environment_variables, for_each_setting, not_applicable
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
    """An env file that turns DEBUG on, which production's settings load themselves and the image
    build copies (a red-team run: `fly deploy` sent a git-ignored .env with DEBUG=True, and
    `read_env` loaded it in production): DEBUG is on wherever production sets no value itself."""
    from refactor_app import local_env

    # Most settings load no env file: their bytes, already read, say so without a second look.
    if not any(word in settings.original for settings in ws.loaded_settings() for word in local_env.LOADER_WORDS):
        return ""
    copied = local_env.copied_into_image(ws.project)
    if not copied:
        return ""
    from dotenv import dotenv_values

    ref = ws.find_setting("DEBUG")
    names = {SWITCH.env_key, "DEBUG", *(environment_variables(ws, ref.settings, ref.value) if ref is not None else ())}
    for file in copied:
        on = [f"{name}={value}" for name, value in dotenv_values(file.path).items()
              if name in names and (value or "").strip().lower() in TRUE_WORDS]
        if on:
            shown = ws.project.display(file.path)
            return (f"{shown} sets {', '.join(on)}, the settings load it ({file.how}), and {file.dockerfile}'s build "
                    f"copies it into the image (.dockerignore does not name it, and git ignoring it does not keep it "
                    f"out of a build from your folder): production runs with DEBUG on wherever it sets none of its "
                    f"own; add {shown} to .dockerignore")
    return ""
