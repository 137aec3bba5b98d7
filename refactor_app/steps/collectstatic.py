"""Add collectstatic to the build.

`RUN python manage.py collectstatic --noinput` in the Dockerfile's final stage, after the
dependencies are installed and before the container's command. Docker builds have no
environment variables, so DATABASE_URL gets a dummy fallback the build can import settings with.
"""

from __future__ import annotations

import libcst as cst

from refactor_app.editors import dockerfile
from refactor_app.editors import settings as settings_editor
from refactor_app.steps.base import Outcome, Step, done, not_applicable, pending
from refactor_app.workspace import SettingRef, Workspace

RUN_LINE = "RUN python manage.py collectstatic --noinput"
FALLBACK = "'sqlite://:memory:'"
NEW_VALUE = f"os.environ.get('DATABASE_URL', {FALLBACK})"


def run(ws: Workspace) -> Outcome:
    document = ws.text(ws.project.dockerfile_path)
    if not document.exists:
        return not_applicable("no Dockerfile in the project folder, so there is no image build to collect static files in")
    stage = dockerfile.final_stage(dockerfile.instructions(document.text))
    todo, finished = [], []

    if any(i.keyword == "RUN" and "collectstatic" in i.value for i in stage):
        finished.append("the Dockerfile runs collectstatic")
    else:
        document.text = dockerfile.insert_line(
            document.text, _run_line_position(stage), RUN_LINE, document.format.newline
        )
        todo.append("the Dockerfile does not run collectstatic")

    ref = ws.find_setting("DATABASE_URL")
    database_note = _database_url(ref)
    if database_note is None:
        todo.append(f"{ref.settings.display_path} has no DATABASE_URL fallback for the build")
    else:
        finished.append(database_note)
    return pending("; ".join(todo)) if todo else done("; ".join(finished))


def _run_line_position(stage: list[dockerfile.Instruction]) -> int:
    """After the last dependency install before CMD/ENTRYPOINT, else just before CMD/ENTRYPOINT,
    else at the end."""
    command_index = next(
        (i for i, instruction in enumerate(stage) if instruction.keyword in ("CMD", "ENTRYPOINT")), len(stage)
    )
    installs = [instruction for instruction in stage[:command_index] if dockerfile.is_dependency_install(instruction)]
    if installs:
        return installs[-1].last_line + 1
    if command_index < len(stage):
        return stage[command_index].first_line
    return stage[-1].last_line + 1 if stage else 0


def _database_url(ref: SettingRef | None) -> str | None:
    """Give DATABASE_URL its build-time fallback; None when it was added, else why not needed."""
    if ref is None:
        return "no DATABASE_URL setting needs a build-time fallback"
    call = ref.value
    if (
        isinstance(call, cst.Call)
        and settings_editor.dotted_name(call.func) in ("os.environ.get", "os.getenv")
        and len(call.args) == 1
    ):
        # Keep the call as written (os.getenv stays os.getenv); add the fallback argument.
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        fallback = cst.Arg(settings_editor.expression(FALLBACK))
        ref.replace_value(call.with_changes(args=[call.args[0].with_changes(comma=comma), fallback]))
        return None
    if isinstance(call, cst.Subscript) and settings_editor.dotted_name(call.value) == "os.environ":
        ref.replace_value(settings_editor.expression(NEW_VALUE))
        return None
    return f"{ref.settings.display_path} gives DATABASE_URL a value the build can use"


STEP = Step(
    name="collectstatic",
    summary="RUN collectstatic in the Dockerfile; DATABASE_URL falls back to sqlite://:memory: for the build",
    run=run,
)
