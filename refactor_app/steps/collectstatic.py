"""Add collectstatic to the build.

`RUN python manage.py collectstatic --noinput` in the Dockerfile's final stage, once the
dependencies are installed and the code is copied in, before the container's command. Docker
builds have no environment variables, so DATABASE_URL gets a dummy fallback the build can
import settings with; collectstatic also needs STATIC_ROOT, which startproject does not set.
"""

from __future__ import annotations

import posixpath
import re

import libcst as cst

from refactor_app.editors import dockerfile
from refactor_app.editors import settings as settings_editor
from refactor_app.steps.base import Outcome, Step, done, ensure_import_os, not_applicable, pending
from refactor_app.workspace import SettingRef, Workspace

FALLBACK = "'sqlite://:memory:'"
STATICFILES_APP = "django.contrib.staticfiles"


def run(ws: Workspace) -> Outcome:
    document = ws.text(ws.project.dockerfile_path)
    if not document.exists:
        return not_applicable("no Dockerfile in the project folder, so there is no image build to collect static files in")
    apps = ws.find_setting("INSTALLED_APPS")
    app_names = settings_editor.string_list(apps.value) if apps is not None else None
    if app_names is not None and STATICFILES_APP not in app_names:
        return not_applicable(f"{STATICFILES_APP} is not in INSTALLED_APPS, so there is no collectstatic command")
    if ws.find_setting("STATIC_ROOT") is None and ws.find_setting("BASE_DIR") is None:
        return not_applicable("STATIC_ROOT is not set (collectstatic needs it) and there is no BASE_DIR to put it "
                              "under; set STATIC_ROOT by hand and run again")
    todo, finished = [], []

    all_instructions = dockerfile.instructions(document.text)
    if any(i.keyword == "RUN" and "collectstatic" in i.value for i in all_instructions):
        finished.append("the Dockerfile runs collectstatic")
    else:
        stage = dockerfile.final_stage(all_instructions)
        position = _run_line_position(stage)
        line = run_line(ws, stage, position)
        first_line = stage[position].first_line if position < len(stage) else stage[-1].last_line + 1
        document.text = dockerfile.insert_line(document.text, first_line, line, document.format.newline)
        todo.append(f"Dockerfile: + {line}")

    static_root_note = _static_root(ws)
    (todo if static_root_note.startswith("+") else finished).append(static_root_note.lstrip("+ "))
    database_note = _database_url(ws.find_setting("DATABASE_URL"))
    (todo if database_note.startswith("+") else finished).append(database_note.lstrip("+ "))
    return pending("; ".join(todo)) if todo else done("; ".join(finished))


def _run_line_position(stage: list[dockerfile.Instruction]) -> int:
    """Index in `stage` to insert before: after the last dependency install and the last
    COPY/ADD that precede CMD/ENTRYPOINT (code and packages are both in the image by then)."""
    command_index = next(
        (i for i, instruction in enumerate(stage) if instruction.keyword in ("CMD", "ENTRYPOINT")), len(stage)
    )
    ready = [
        i for i, instruction in enumerate(stage[:command_index])
        if dockerfile.is_dependency_install(instruction) or instruction.keyword in ("COPY", "ADD")
    ]
    return ready[-1] + 1 if ready else command_index


_RUNNER = re.compile(r"^\[?\s*\"?(uv|poetry|pipenv)\"?\s*,?\s*\"?run\b")


def run_line(ws: Workspace, stage: list[dockerfile.Instruction], position: int) -> str:
    """`RUN python manage.py collectstatic --noinput`, spelled the way this image runs Python:
    python3 if that is the only Python it names, `uv run`/`poetry run`/`pipenv run` if its
    command uses one, and manage.py's path when it is not in the WORKDIR."""
    python_words = " ".join(i.value for i in stage if i.keyword in ("RUN", "CMD", "ENTRYPOINT"))
    python = "python3" if re.search(r"\bpython3\b", python_words) and not re.search(r"\bpython\b(?!3)", python_words) else "python"
    commands = [i for i in stage if i.keyword in ("CMD", "ENTRYPOINT")]
    runner = next((m.group(1) for i in commands if (m := _RUNNER.match(i.value.strip()))), None)

    manage = ws.project.display(ws.project.root / "manage.py") if (ws.project.root / "manage.py").is_file() else "manage.py"
    in_image = dockerfile.image_path(stage, position, manage)
    workdir = dockerfile.working_directory(stage, position)
    if in_image is None or posixpath.dirname(in_image) == workdir:
        manage_path = "manage.py"
    elif workdir != "/" and in_image.startswith(workdir + "/"):
        manage_path = in_image[len(workdir) + 1 :]
    else:
        manage_path = in_image
    prefix = f"{runner} run " if runner else ""
    return f"RUN {prefix}{python} {manage_path} collectstatic --noinput"


def _static_root(ws: Workspace) -> str:
    """collectstatic refuses to run without STATIC_ROOT: add the page's staticfiles/ folder
    (after STATIC_URL), spelled as BASE_DIR is (pathlib or os.path). '+ ...' when added."""
    if ws.find_setting("STATIC_ROOT") is not None:
        return "STATIC_ROOT is set"
    base_dir = ws.find_setting("BASE_DIR")
    settings = base_dir.settings
    uses_pathlib = "Path" in settings_editor.names_used(base_dir.value)
    value = "BASE_DIR / 'staticfiles'" if uses_pathlib else "os.path.join(BASE_DIR, 'staticfiles')"
    anchor = ws.find_setting("STATIC_URL")
    new = settings_editor.statements(f"STATIC_ROOT = {value}\n")
    if anchor is not None and anchor.settings is settings:
        settings.module = settings_editor.insert_after(settings.module, anchor.assignment.index, new)
    else:
        settings.module = settings_editor.append(settings.module, settings_editor.statements(f"\nSTATIC_ROOT = {value}\n"))
    if not uses_pathlib:
        ensure_import_os(settings)
    return f"+ {settings.display_path}: STATIC_ROOT = {value} (collectstatic needs it)"


def _database_url(ref: SettingRef | None) -> str:
    """Give DATABASE_URL its build-time fallback. '+ ...' when added, else why none is needed."""
    if ref is None:
        return "no DATABASE_URL setting needs a build-time fallback"
    where = ref.settings.display_path
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
        return f"+ {where}: DATABASE_URL falls back to {FALLBACK} when the build has no environment"
    if isinstance(call, cst.Subscript) and settings_editor.dotted_name(call.value) == "os.environ":
        ref.replace_value(settings_editor.expression(f"os.environ.get('DATABASE_URL', {FALLBACK})"))
        return f"+ {where}: DATABASE_URL falls back to {FALLBACK} when the build has no environment"
    return f"{where} gives DATABASE_URL a value the build can use"


STEP = Step(
    name="collectstatic",
    summary="RUN collectstatic in the Dockerfile; DATABASE_URL falls back to sqlite://:memory: for the build",
    run=run,
)
