"""Add collectstatic to the build.

`RUN python manage.py collectstatic --noinput` in the final stage of the Dockerfile production
builds (project.dockerfile_path: deployment.production_dockerfile), once the dependencies are
installed and the code is copied in, before the container's command; an image that never copies
the code (it is mounted at run time) cannot collect at build time, and the step declines. Docker
builds have no environment variables, so DATABASE_URL gets a dummy fallback the build can
import settings with; collectstatic also needs STATIC_ROOT, which startproject does not set.
Any other variable the settings cannot be imported without gets a made-up value on the RUN line
only, or the step is declined (steps/build_import.py says which, and why).

A project that collects when the container starts (the CMD or ENTRYPOINT runs collectstatic, or
a start script of the project's does, as cookiecutter-django's /start) has the step done its
own way: the build gets no second collectstatic and the settings no build-time fallback.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path, PurePosixPath

import libcst as cst

from refactor_app.editors import dockerfile
from refactor_app.editors import settings as settings_editor
from refactor_app.steps import aldryn, build_import, heroku
from refactor_app.steps.base import (
    blocks_setting, done, ensure_import_os, not_applicable, Outcome, pending, STATICFILES_APP, staticfiles_installed,
)
from refactor_app.errors import RefactorError
from refactor_app.textfile import read_bytes, real_path
from refactor_app.workspace import SettingsModule, Workspace

FALLBACK = "'sqlite://:memory:'"
# A script of the project's a RUN line runs: `./scripts/build.sh`, `sh bin/build.sh`, `bash ./x`.
_SCRIPT = re.compile(r"(?:^|[\s;&|(])(?:(?:ba|da|z)?sh\s+)?((?:\./)?[\w.-]+(?:/[\w.-]+)*\.(?:sh|bash)|\./[\w.-]+(?:/[\w.-]+)*)"
                     r"(?=$|[\s;&|)])")


def _script_running_collectstatic(ws: Workspace, instructions) -> str | None:
    """A script in the project (beside the Dockerfile, or from the project folder) that a RUN line
    runs and that runs collectstatic itself: its path as shown, else None. Read only, in the
    repository; one that cannot be read counts as not running it."""
    folders = dict.fromkeys((ws.project.dockerfile_path.parent, ws.project.root))
    for instruction in instructions:
        if instruction.keyword != "RUN":
            continue
        for match in _SCRIPT.finditer(instruction.value):
            relative = match.group(1).removeprefix("./")
            for folder in folders:
                path = folder / relative
                try:
                    data = read_bytes(path, ws.project.display(path), ws.boundary)
                except RefactorError:
                    data = None
                if data is not None and b"collectstatic" in data:
                    return ws.project.display(path)
    return None


# A line of a start script that runs collectstatic, not one that mentions it in a comment.
_RUNS_COLLECTSTATIC = re.compile(rb"^[^#\n]*\bcollectstatic\b", re.MULTILINE)


def _collected_at_start(ws: Workspace, all_instructions) -> str | None:
    """How the container runs collectstatic when it starts, as the user reads it, else None: the
    final stage's ENTRYPOINT or CMD (or what the compose service runs instead) runs it, or runs a
    script of the project's that does (cookiecutter-django's /start, copied in by a COPY line)."""
    stage = dockerfile.final_stage(all_instructions)
    build = ws.project.build
    shown = ws.project.display(ws.project.dockerfile_path)
    commands = []  # (whose, the command, the index in the stage it runs after)
    for keyword, compose_key in (("ENTRYPOINT", "entrypoint"), ("CMD", "command")):
        given = getattr(build, compose_key, None) if build is not None else None
        if given is not None:
            commands.append((f"{build.compose_file}'s {compose_key}", given, len(stage)))
            continue
        index = max((i for i, instruction in enumerate(stage) if instruction.keyword == keyword), default=None)
        if index is not None:
            commands.append((f"{shown}'s {keyword}", stage[index].value, index))
    context = None
    for whose, command, index in commands:
        words = dockerfile.command_words(command)
        if any("collectstatic" in word for word in words):
            return f"{whose} runs collectstatic when the container starts"
        for word in words:
            if "/" not in word and not word.endswith((".sh", ".bash")) or word.startswith(("-", "$")) or "=" in word:
                continue
            candidates = []
            if context is None:
                context = build_context(ws, all_instructions) or ws.project.root
            image_file = word if word.startswith("/") else posixpath.join(dockerfile.working_directory(stage, index), word)
            candidates += [context / inside for inside in dockerfile.context_paths(stage, index, image_file)]
            if not word.startswith("/"):
                candidates += [folder / word.removeprefix("./")
                               for folder in (ws.project.dockerfile_path.parent, ws.project.root)]
            for path in dict.fromkeys(candidates):
                try:
                    data = read_bytes(path, ws.project.display(path), ws.boundary)
                except RefactorError:
                    data = None
                if data is not None and _RUNS_COLLECTSTATIC.search(data):
                    return f"{whose} runs {ws.project.display(path)}, which runs collectstatic when the container starts"
    return None


def run(ws: Workspace) -> Outcome:
    outcome = _collect_in_the_build(ws)
    if outcome.state.value in ("pending", "done"):
        hidden = _named_volume_over_static_root(ws)
        if hidden:
            ws.warnings.append(hidden)
    return outcome


def _named_volume_over_static_root(ws: Workspace) -> str:
    """A production compose service that mounts a named volume where the image keeps STATIC_ROOT
    (testdriven.io's `static_volume:/home/app/web/staticfiles`, shared with nginx): Docker fills a
    named volume from the image only while it is empty, so files collected in the build reach it on
    the first deploy only, and later deploys serve the old ones."""
    build = ws.project.build
    volumes = build.volumes if build is not None else None
    if not isinstance(volumes, list):
        return ""
    from refactor_app.steps.staticfiles import static_root

    path = static_root(ws).path
    if path is None:
        return ""
    name = os.path.basename(path)
    for volume in volumes:
        if isinstance(volume, dict):
            source, target = str(volume.get("source") or ""), str(volume.get("target") or "")
            named = volume.get("type", "volume") == "volume"
        else:
            source, _, rest = str(volume).partition(":")
            target = rest.split(":", 1)[0]
            named = True
        named = named and bool(source) and not source.startswith((".", "/", "~", "$")) and "/" not in source
        if named and target and posixpath.basename(target.rstrip("/")) == name:
            service = build.source.removesuffix(" builds it")
            return (f"{service} mounts the named volume {source} at {target}, STATIC_ROOT's folder "
                    "in the container: Docker copies the image's files into a named volume only while it is empty, "
                    "so what the build collects reaches it on the first deploy only and later deploys serve the old "
                    "files; run collectstatic when the container starts too (or after each deploy)")
    return ""


def _collect_in_the_build(ws: Workspace) -> Outcome:
    document = ws.text(ws.project.dockerfile_path)
    shown = ws.project.display(ws.project.dockerfile_path)
    named = "the Dockerfile" if shown == "Dockerfile" else shown
    if not document.exists:
        return not_applicable(
            "no Dockerfile production builds (compose names none, and none is in the usual places: Dockerfile, "
            "Dockerfile.prod, docker/, app/, compose/production/django/), so there is no image build to collect "
            "static files in; pass --dockerfile PATH if production builds another"
        )
    if ws.project.manage_path is None:
        return not_applicable(
            "the project has no manage.py for the build to run collectstatic with; add `RUN django-admin "
            "collectstatic --noinput` (with DJANGO_SETTINGS_MODULE set) to the Dockerfile by hand"
        )
    if not staticfiles_installed(ws):
        return not_applicable(f"{STATICFILES_APP} is not in INSTALLED_APPS, so there is no collectstatic command")
    static_root_set = ws.find_setting("STATIC_ROOT") is not None or _static_root_set_by(ws) is not None
    blocked = blocks_setting(ws, "STATIC_ROOT") if not static_root_set else ""
    if blocked:  # collectstatic fails without STATIC_ROOT, wherever the block does not run
        ws.warnings.append(blocked)
        return not_applicable(f"{blocked}; if the image build sets STATIC_ROOT there, add `RUN python manage.py "
                              "collectstatic --noinput` to the Dockerfile by hand")
    if not static_root_set and ws.find_setting("BASE_DIR") is None:
        return not_applicable("STATIC_ROOT is not set (collectstatic needs it) and there is no BASE_DIR to put it "
                              "under; set STATIC_ROOT by hand and run again")
    if dockerfile.uses_heredocs(document.text):
        return not_applicable(
            f"{named} uses heredocs (<<EOF), which refactor-app does not edit; add "
            "`RUN python manage.py collectstatic --noinput` after the dependencies are installed, by hand"
        )
    all_instructions = dockerfile.instructions(document.text)
    if not any(i.keyword == "FROM" for i in all_instructions):
        return not_applicable(f"{named} has no FROM instruction yet, so there is no image build to add to")
    todo, finished = [], []
    # Whatever VAR=value words come before it, a collectstatic RUN line is the project's own; so
    # is a script of the project's that a RUN line runs (RUN ./scripts/build.sh) and that runs it.
    in_line = any(i.keyword == "RUN" and "collectstatic" in i.value for i in all_instructions)
    script = None if in_line else _script_running_collectstatic(ws, all_instructions)
    # Collected when the container starts (cookiecutter-django's start script): the build neither
    # collects nor imports the settings, so it needs no line and no database fallback.
    at_start = None if in_line or script else _collected_at_start(ws, all_instructions)
    adds_line = not in_line and script is None and at_start is None
    context = None
    if at_start:
        finished.append(at_start)
    elif not adds_line:
        finished.append(f"{named} runs {script}, which runs collectstatic" if script else f"{named} runs collectstatic")
    else:
        context = build_context(ws, all_instructions)
        if context is None:
            return not_applicable(
                f"{named} never copies the project's code into the image (no COPY or ADD brings "
                f"{ws.project.display(ws.project.manage_path)} from the build context: it comes at run time, as a "
                "compose volume brings it), so the build cannot collect static files; run collectstatic where the "
                "code is, such as in the container's command"
            )
    before_settings = ws.snapshot()

    set_by = _static_root_set_by(ws)
    static_root_note = f"STATIC_ROOT is set by {set_by}" if set_by is not None else _static_root(ws)
    database_note = _database_fallback(ws) if not at_start else ""

    if adds_line:
        stage = dockerfile.final_stage(all_instructions)
        position = _run_line_position(stage)
        # What the build's import of the settings (as edited above) needs from the environment.
        needs = build_import.build_import(ws, build_import.stage_environment(stage, position, all_instructions))
        if needs.declined:
            ws.restore(before_settings)  # a step that declines changes nothing
            return not_applicable(needs.decline_reason())
        line = run_line(ws, stage, position, context, needs.prefix())
        # Right below the instruction the line follows: comments and blank lines above the next
        # instruction (`# Runtime command` over CMD) stay with it.
        after = stage[position - 1]  # position > 0: stage[0] is the FROM
        document.text = dockerfile.insert_line(document.text, after.last_line + 1, line, document.format.newline)
        why = [f"production's settings: manage.py defaults to {ws.project.display(ws.project.local_path)}"
               if needs.production_module else "", needs.dummy_note() if needs.dummies else ""]
        todo.append(f"{shown}: + {line}" + "".join(f" ({note})" for note in why if note))

    (todo if static_root_note.startswith("+") else finished).append(static_root_note.lstrip("+ "))
    if database_note:
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


def build_context(ws: Workspace, all_instructions: list[dockerfile.Instruction]) -> Path | None:
    """The folder the image is built from: compose's build.context; else the nearest folder, from
    the Dockerfile's own up to the repository's top, from which a COPY or ADD brings manage.py
    (`docker build -f docker/Dockerfile .` copies the project folder; app/Dockerfile its own).
    None when no COPY or ADD of any stage brings manage.py: the code is mounted at run time. A
    build that fetches its code (`RUN git clone`) is taken to have it, in the project folder."""
    project = ws.project
    build = project.build
    manage = project.manage_path
    if build is not None and build.context is not None:
        contexts = [build.context]
    else:
        top = Path(project.limits.folder)
        folder = project.dockerfile_path.parent
        contexts = [folder, *(parent for parent in folder.parents if top == parent or top in parent.parents)]
        contexts.append(project.root)
    for context in contexts:
        inside = os.path.relpath(real_path(manage), real_path(context))
        if inside.startswith(".."):
            continue
        if dockerfile.copies_into_image(all_instructions, PurePosixPath(Path(inside)).as_posix()):
            return context
    return project.root if dockerfile.fetches_code(all_instructions) else None


def run_line(ws: Workspace, stage: list[dockerfile.Instruction], position: int, context: Path | None = None,
             environment: str = "") -> str:
    """`RUN python manage.py collectstatic --noinput`, spelled the way this image runs Python:
    python3 if that is the only Python it names, `uv run`/`poetry run`/`pipenv run` if its
    command uses one, and manage.py's path when it is not in the WORKDIR. `environment`: the
    `VAR=value ` words the build's import of the settings needs (steps/build_import.py)."""
    python_words = " ".join(i.value for i in stage if i.keyword in ("RUN", "CMD", "ENTRYPOINT"))
    python = "python3" if re.search(r"\bpython3\b", python_words) and not re.search(r"\bpython\b(?!3)", python_words) else "python"
    commands = [i for i in stage if i.keyword in ("CMD", "ENTRYPOINT")]
    runner = next((m.group(1) for i in commands if (m := _RUNNER.match(i.value.strip()))), None)

    manage = (PurePosixPath(Path(os.path.relpath(ws.project.manage_path, context or ws.project.root))).as_posix()
              if ws.project.manage_path else "manage.py")  # its path in the build context, which COPY sources name
    in_image = dockerfile.image_path(stage, position, manage)
    workdir = dockerfile.working_directory(stage, position)
    if in_image is None or posixpath.dirname(in_image) == workdir:
        manage_path = "manage.py"
    elif workdir != "/" and in_image.startswith(workdir + "/"):
        manage_path = in_image[len(workdir) + 1 :]
    else:
        manage_path = in_image
    prefix = f"{runner} run " if runner else ""
    # aldryn-django's build mode: DATABASE_URL=sqlite://:memory:, as the Aldryn Dockerfiles run it
    mode = f"{aldryn.BUILD_MODE} " if aldryn.loaded(ws) else ""
    return f"RUN {mode}{environment}{prefix}{python} {manage_path} collectstatic --noinput"


def _static_root_set_by(ws: Workspace) -> str | None:
    """The package that sets STATIC_ROOT where the settings do not (or after they do): then
    collectstatic has one, and refactor-app adds none."""
    if aldryn.static_folder(ws) is not None:
        return f"aldryn-django ({aldryn.STATIC_FOLDER}/ unless the environment sets STATIC_ROOT)"
    found = heroku.resets(ws, "STATIC_ROOT")
    if found:
        return f"{found[0].call.code} ({found[0].call.where})"
    return None


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


def _database_fallback(ws: Workspace) -> str:
    """Give each read of DATABASE_URL in DATABASE_URL / DATABASES a fallback the build can use.
    '+ ...' when something was added, else why nothing is needed."""
    added, seen = [], []
    for name in ("DATABASE_URL", "DATABASES"):
        for ref in ws.find_settings(name):
            seen.append(ref)
            code = settings_editor.statement_source(ref.settings.module, ref.assignment.index)
            if not any(token in code for token in BuildTimeDatabaseFallback.TOKENS):
                continue  # nothing the transformer rewrites: skip parsing and walking a large DATABASES dict
            transformer = BuildTimeDatabaseFallback(_own_readers(ref.settings))
            new_value = ref.value.visit(transformer)
            if transformer.changed:
                ref.replace_value(new_value)
                added.append(f"{ref.settings.display_path}: {name} falls back to {FALLBACK} when the build has no environment")
    if added:
        return "+ " + "; ".join(added)
    if not seen and aldryn.loaded(ws):
        return (f"aldryn-django sets DATABASES for the build (sqlite://:memory: with {aldryn.BUILD_MODE}, "
                "else a SQLite file while DATABASE_URL is unset)")
    if not seen:
        return "no DATABASE_URL or DATABASES setting needs a build-time fallback"
    return "the database settings can be imported without DATABASE_URL"


def _own_readers(settings: SettingsModule) -> frozenset[str]:
    """The calls of python-decouple's config and django-environ Env instances the settings bind
    (`config(...)`, `env(...)`, `env.str(...)`) whose DATABASE_URL reads may take `default=`; not
    an Env whose schema gives DATABASE_URL a default already, or may (**kwargs)."""
    calls = set()
    for binding in settings.reader_bindings:
        if binding.kind == "decouple":
            calls.add(binding.call)
        elif binding.schema is not None and "DATABASE_URL" not in binding.schema:
            calls.update({binding.call, f"{binding.call}.str"})
    return frozenset(calls)


class BuildTimeDatabaseFallback(cst.CSTTransformer):
    """Docker builds have no environment: give every DATABASE_URL read a dummy fallback.

    os.environ.get('DATABASE_URL') / os.getenv(...)  ->  add 'sqlite://:memory:' as the default
    os.environ['DATABASE_URL']                        ->  os.environ.get('DATABASE_URL', 'sqlite://:memory:')
    dj_database_url.config(...) / env.db(...)         ->  add default='sqlite://:memory:'
    config('DATABASE_URL') / env('DATABASE_URL')      ->  add default='sqlite://:memory:' (`own_readers`)
    """

    ENV_GETTERS = {"os.environ.get", "os.getenv", "environ.get", "getenv"}
    URL_CONFIGS = {"dj_database_url.config", "env.db", "env.db_url"}
    TOKENS = ("DATABASE_URL", "dj_database_url.config", "env.db")  # in any value it would change

    def __init__(self, own_readers: frozenset[str] = frozenset()) -> None:
        self.changed = False
        self.own_readers = own_readers  # decouple's and django-environ's reads, by the settings' names

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        name = settings_editor.dotted_name(updated_node.func)
        args = updated_node.args
        if name in self.ENV_GETTERS and len(args) == 1 and _is_database_url(args[0].value):
            self.changed = True
            comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            return updated_node.with_changes(args=[args[0].with_changes(comma=comma), cst.Arg(_fallback())])
        own_read = (
            name in self.own_readers and args and args[0].keyword is None and _is_database_url(args[0].value)
            and not any(arg.keyword is None for arg in args[1:])  # a second positional may be the default
        )
        if (name in self.URL_CONFIGS or own_read) and not any(_keyword(arg) == "default" for arg in args):
            if any(arg.star for arg in args):
                return updated_node  # **kwargs may hold a default already
            self.changed = True
            default = cst.Arg(
                _fallback(), keyword=cst.Name("default"),
                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
            )
            if args:
                comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                args = [*args[:-1], args[-1].with_changes(comma=comma)]
            return updated_node.with_changes(args=[*args, default])
        return updated_node

    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript) -> cst.BaseExpression:
        mapping = settings_editor.dotted_name(updated_node.value)
        if mapping in ("os.environ", "environ") and len(updated_node.slice) == 1:
            index = updated_node.slice[0].slice
            if isinstance(index, cst.Index) and _is_database_url(index.value):
                self.changed = True
                return settings_editor.expression(f"{mapping}.get('DATABASE_URL', {FALLBACK})")
        return updated_node


def _is_database_url(node: cst.BaseExpression) -> bool:
    return settings_editor.string_literal(node) == "DATABASE_URL"


def _keyword(arg: cst.Arg) -> str | None:
    return arg.keyword.value if arg.keyword is not None else None


def _fallback() -> cst.BaseExpression:
    return settings_editor.expression(FALLBACK)
