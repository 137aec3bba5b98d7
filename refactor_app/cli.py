"""The `refactor-app` command line: argument parsing, output and exit codes only.

Exit codes: 0 done or nothing to do; 1 `--check` found work, or `verify` found a production
risk; 2 bad input (one plain line on stderr); 3 an internal error (a bug: please report it);
141 the output's reader went away (`| head`), as for a program stopped by SIGPIPE.
"""

from __future__ import annotations

import enum
import functools
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from refactor_app.errors import RefactorError

EXIT_OK, EXIT_WORK_FOUND, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a program SIGPIPE stopped (git diff | head)


class OutputFormat(str, enum.Enum):
    text = "text"
    json = "json"


app = typer.Typer(
    name="refactor-app",
    help=(
        "Apply the Divio tutorial's 'Apply some refinements' to a Django project: DEBUG, ALLOWED_HOSTS, "
        "SECRET_KEY and SECURE_SSL_REDIRECT from the environment, collectstatic in the Docker build, "
        "staticfiles/ out of git."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

PathArgument = typer.Argument(
    Path("."), help="The Django project folder (where manage.py is).", show_default="current folder"
)
PathsArgument = typer.Argument(
    None, help="Django project folders (where manage.py is); several run as a fleet.", show_default="current folder"
)
RecursiveOption = typer.Option(
    False, "--recursive", "-r", help="Run every Django project (folder with a manage.py) below each PATH."
)
JobsOption = typer.Option(
    None, "--jobs", "-j", min=1, help="Projects run in parallel with several PATHs or --recursive.",
    show_default="the CPU count",
)
SettingsOption = typer.Option(
    None, "--settings", help="The settings module file, instead of finding it through manage.py."
)
DockerfileOption = typer.Option(
    None, "--dockerfile", help="The Dockerfile production builds, instead of finding it through compose and the usual places.",
    metavar="<path>",  # as --settings and PATHS show theirs
)
FormatOption = typer.Option(
    OutputFormat.text, "--format", help="text for people; json for scripts and CI (schema in the README)."
)


def _output(stderr: bool = False):
    from refactor_app.output import Output

    return Output(stderr=stderr)


def handles_errors(command):
    """Bad input becomes one plain line and exit code 2 (and a JSON error document with
    --format json); nothing reaches the user as a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except RefactorError as exc:
            if kwargs.get("output_format") is OutputFormat.json:
                from refactor_app import jsonout

                sys.stdout.write(jsonout.dumps(jsonout.error_document(str(exc))))
            _output(stderr=True).line(f"error: {exc}")
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # Whoever read the output has stopped (`| head`): stop quietly too, as git does.
            _flush_output()
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except Exception as exc:  # a bug in refactor-app, not in the user's project
            if os.environ.get("REFACTOR_APP_TRACEBACK"):
                raise
            message = f"internal error: {type(exc).__name__}: {exc}"
            if kwargs.get("output_format") is OutputFormat.json:  # a script still gets its JSON
                from refactor_app import jsonout

                document = {**jsonout.error_document(message), "exit_code": EXIT_INTERNAL}
                sys.stdout.write(jsonout.dumps(document))
            _output(stderr=True).line(
                f"{message}. Nothing was written unless the output above says so. "
                "Set REFACTOR_APP_TRACEBACK=1 for details and please report it."
            )
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper


def _flush_output() -> None:
    """Flush stdout and stderr. What a closed pipe (`| head`) cannot take goes to /dev/null
    instead, so that it cannot fail again at exit (Python's advice for SIGPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with it closed (`2>&-`)
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            try:
                os.dup2(devnull, stream.fileno())
            except (OSError, ValueError):  # not a real file (a test runner's capture)
                pass
    os.close(devnull)


@app.command()
def steps() -> None:
    """List the steps, in the order the page applies them."""
    from refactor_app.steps import ALL_STEPS, HARDENING_STEPS, STEPS

    width = max(len(step.name) for step in ALL_STEPS)
    for number, step in enumerate(STEPS, 1):
        typer.echo(f"{number}. {step.name:<{width}}  {step.summary}")
    typer.echo("")
    typer.echo("Beyond the page (deploy-ready; `apply --all --hardening` or --step NAME):")
    for number, step in enumerate(HARDENING_STEPS, len(STEPS) + 1):
        typer.echo(f"{number}. {step.name:<{width}}  {step.summary}")


@app.command()
@handles_errors
def status(
    paths: Optional[List[Path]] = PathsArgument,
    recursive: bool = RecursiveOption,
    jobs: Optional[int] = JobsOption,
    settings: Optional[Path] = SettingsOption,
    dockerfile: Optional[Path] = DockerfileOption,
    output_format: OutputFormat = FormatOption,
    hardening: bool = typer.Option(False, "--hardening", help="Also the deploy-ready steps beyond the page."),
) -> None:
    """Show each step's state: pending, done (by refactor-app or by hand) or not applicable, and why."""
    from refactor_app import api, jsonout, report
    from refactor_app.steps import ALL_STEP_NAMES

    names = list(ALL_STEP_NAMES) if hardening else None
    paths = paths or [Path(".")]
    if recursive or len(paths) > 1:
        _run_fleet(paths, recursive, jobs, "status", names, settings, output_format, allow_dirty=True, dockerfile=dockerfile)
        return
    plan = api.make_plan(api.discover(paths[0], settings, dockerfile), names)
    if output_format is OutputFormat.json:
        sys.stdout.write(jsonout.dumps(jsonout.plan_document(plan, "status", "status")))
        return
    out = _output()
    report.render_rows(out, report.plan_rows(plan, "pending"), f"refactor-app status: {plan.root}")
    out.line(report.status_footer(plan))


@app.command()
@handles_errors
def apply(
    paths: Optional[List[Path]] = PathsArgument,
    all_steps: bool = typer.Option(False, "--all", help="Apply every step, in the page's order."),
    hardening: bool = typer.Option(
        False, "--hardening", help="With --all, also the deploy-ready steps beyond the page (`refactor-app steps`)."
    ),
    step: Optional[List[str]] = typer.Option(
        None, "--step", "-s", help="Apply this step (repeatable); see `refactor-app steps`.", metavar="NAME"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", "-n", help="Print the unified diff and what git rm would remove; write nothing."),
    check: bool = typer.Option(False, "--check", help="Like --dry-run, and exit 1 if anything would change (for CI)."),
    commit: bool = typer.Option(False, "--commit", help="Commit each applied step on its own (needs a clean tree, whatever --allow-dirty says)."),
    interactive: bool = typer.Option(False, "--interactive", "-i", help="Show each pending step's diff and ask: apply, skip or quit."),
    settings: Optional[Path] = SettingsOption,
    dockerfile: Optional[Path] = DockerfileOption,
    allow_dirty: bool = typer.Option(False, "--allow-dirty", help="Write even if the git tree has uncommitted changes, or no git repository."),
    recursive: bool = RecursiveOption,
    jobs: Optional[int] = JobsOption,
    output_format: OutputFormat = FormatOption,
) -> None:
    """Apply all steps (--all) or chosen ones (--step NAME), or preview them (--dry-run, --check).

    Several PATHs, or --recursive, run a whole fleet of projects in parallel (--jobs)."""
    from refactor_app import api

    if all_steps and step:
        raise RefactorError("use either --all or --step NAME, not both.")
    if hardening and not all_steps:
        raise RefactorError("--hardening adds the deploy-ready steps to --all; use `--all --hardening`, or --step NAME.")
    if not all_steps and not step:
        raise RefactorError("choose the steps: --all, or --step NAME (repeatable); `refactor-app steps` lists them.")
    if (dry_run or check) and (commit or interactive):
        raise RefactorError("--dry-run and --check write nothing, so they do not go with --commit or --interactive.")
    if interactive and output_format is OutputFormat.json:
        raise RefactorError("--interactive asks a person; it does not go with --format json.")
    names = None if all_steps else step
    if hardening:
        from refactor_app.steps import ALL_STEP_NAMES

        names = list(ALL_STEP_NAMES)
    paths = paths or [Path(".")]
    mode = "check" if check else "dry-run" if dry_run else "apply"
    if recursive or len(paths) > 1:
        if commit or interactive:
            raise RefactorError("--commit and --interactive work on one project at a time; pass one PATH.")
        _run_fleet(paths, recursive, jobs, mode, names, settings, output_format, allow_dirty, dockerfile)
        return
    project = api.discover(paths[0], settings, dockerfile)
    if all_steps and not hardening and not (commit or interactive) and output_format is OutputFormat.text:
        from refactor_app.quickcheck import every_step_done

        if every_step_done(project):  # the finished-project case, without loading the parsers
            _output(stderr=True).line(
                "Nothing to do: every step is already done (settings, Dockerfile, .env-local and .gitignore "
                "show it; `refactor-app status` gives each step's reason and any warning)."
            )
            return
    if commit or interactive:
        _apply_step_by_step(project, names, commit, interactive, allow_dirty, output_format)
        return

    plan = api.make_plan(project, names, clean_check=mode == "apply" and not allow_dirty)
    if mode == "apply" and plan.has_changes:
        api.apply(plan, allow_dirty=allow_dirty)
    if output_format is OutputFormat.json:
        from refactor_app import jsonout

        sys.stdout.write(jsonout.dumps(jsonout.plan_document(plan, "apply", mode)))
    else:
        _report_plan(plan, mode)
    if check and plan.has_changes:
        raise typer.Exit(EXIT_WORK_FOUND)


def _run_fleet(paths, recursive, jobs, mode, names, settings, output_format, allow_dirty, dockerfile=None) -> None:
    from refactor_app import fleet, report

    if settings is not None:
        command = "refactor-app status" if mode == "status" else "refactor-app apply " + (
            " ".join(f"--step {name}" for name in names) if names else "--all")
        raise RefactorError(
            f"--settings names one project's settings module, so it does not go with --recursive or several PATHs: "
            f"run that project on its own (`{command} --settings {settings} {_project_of(settings)}`); the others "
            "find theirs from their deployment files and manage.py."
        )
    if dockerfile is not None:
        raise RefactorError(
            "--dockerfile names one project's Dockerfile; with several projects, pass one PATH (run that project "
            "on its own with it: the others find theirs from compose and the usual places)."
        )
    if output_format is OutputFormat.json:
        raise RefactorError("--format json describes one project; run it once per project.")
    from refactor_app.steps import check_names

    check_names(names)
    roots = fleet.find_projects(paths, recursive)
    refused, repositories = fleet.unclean_projects(roots) if mode == "apply" and not allow_dirty else ({}, {})
    tasks = [
        fleet.Task(root, fleet.display_path(root), mode, tuple(names) if names else None, refused.get(root),
                   tree="read-only" if mode != "apply" else None if allow_dirty else "clean",
                   repository=repositories.get(root))
        for root in roots
    ]
    out, err = _output(), _output(stderr=True)
    summary = out if mode == "status" else err
    progress = report.FleetProgress(err, len(tasks)) if err.is_terminal else None
    counts = {"pending": 0, "clean": 0, "failed": 0}
    output_closed = False

    def on_outcome(outcome) -> None:
        nonlocal output_closed
        key = "failed" if outcome.error else "pending" if outcome.changed else "clean"
        counts[key] += 1
        if output_closed:
            return
        try:
            if outcome.diff:
                if out.colour:
                    out.console.print(report.coloured_diff(outcome.diff), end="")
                else:
                    out.write(outcome.diff)
            line = report.fleet_text(outcome, mode)
            if progress is not None:
                progress.advance(line)
            else:
                summary.line(line)
        except BrokenPipeError:
            if mode != "apply":
                raise  # nothing is written: stop at once
            # The reader went away mid-run: every project still gets all of its changes (each
            # one's git rm runs here, in the parent), without a word more.
            output_closed = True
            _flush_output()

    try:
        worst = fleet.run(tasks, jobs or os.cpu_count() or 1, on_outcome)
    finally:
        if progress is not None:
            progress.stop()  # the terminal's cursor back, however the run ends
    if output_closed:
        raise typer.Exit(worst or EXIT_BROKEN_PIPE)  # a failed project's code says more
    summary.line(report.fleet_summary(len(tasks), counts, mode))
    if worst:
        raise typer.Exit(worst)


def _project_of(settings: Path) -> str:
    """The folder above a settings file that holds manage.py, as the user would type it ("PATH" if none)."""
    folder = settings.expanduser().absolute().parent
    for candidate in (folder, *folder.parents[:4]):
        if (candidate / "manage.py").is_file():
            return os.path.relpath(candidate)
    return "PATH"


def _report_plan(plan, mode: str) -> None:
    from refactor_app import report

    err = _output(stderr=True)
    if mode in ("dry-run", "check"):
        _print_diff(plan)
        heading, label = report.preview_heading(plan), "would apply"
    else:
        heading, label = report.applied_heading(plan), "applied"
    err.line(heading)
    report.render_rows(err, report.plan_rows(plan, label), f"refactor-app {mode}: {plan.root}")
    if plan.has_changes or mode == "apply":
        for line in report.notes_and_warnings(plan):
            err.line(line)
    else:  # nothing to write, but a step may still point to what the user must act on
        for warning in plan.warnings:
            err.line(f"Warning: {warning}")
    hint = report.review_hint(plan) if mode == "apply" else ""
    if hint:
        err.line(hint)


def _apply_step_by_step(project, names, commit: bool, interactive: bool, allow_dirty: bool, output_format) -> None:
    from refactor_app import report
    from refactor_app.steps import ALL_STEP_NAMES, STEP_NAMES
    from refactor_app.workflow import apply_step_by_step

    err = _output(stderr=True)
    decide = None
    if interactive:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise RefactorError(
                "--interactive needs a terminal to ask in; review with --dry-run and apply with --step NAME instead."
            )
        decide = _ask_in_terminal(_output().console)
    session = apply_step_by_step(project, names, commit=commit, allow_dirty=allow_dirty, decide=decide)
    before = session.initial_plan  # for the JSON document and the warnings
    if output_format is OutputFormat.json:
        from refactor_app import jsonout

        mode = "interactive" if interactive else "commit"
        sys.stdout.write(jsonout.dumps(jsonout.plan_document(before, "apply", mode, session)))
        return
    err.line(report.session_heading(session))
    wanted = list(STEP_NAMES) if names is None else [name for name in ALL_STEP_NAMES if name in names]
    report.render_rows(err, report.session_rows(session, wanted), f"refactor-app apply: {project.root}")
    if session.applied:
        for line in report.notes_and_warnings(before):
            err.line(line)
        if commit:
            err.line("Each step is its own commit: `git log` lists them; `git revert <sha>` undoes one (newest first where two steps touched neighbouring lines).")


def _ask_in_terminal(console):
    from rich.markup import escape

    from refactor_app import api, report
    from refactor_app.workflow import Decision

    # Also the answers `git add -p` takes (y / n / q), which fingers type out of habit.
    answers = {"a": Decision.APPLY, "apply": Decision.APPLY, "y": Decision.APPLY, "yes": Decision.APPLY,
               "s": Decision.SKIP, "skip": Decision.SKIP, "n": Decision.SKIP, "no": Decision.SKIP,
               "q": Decision.QUIT, "quit": Decision.QUIT}

    def decide(plan) -> Decision:
        result = plan.results[0]
        console.rule(f"{result.name}: {result.title}")
        console.print(result.reason, markup=False)
        text = api.render_changes(plan)
        console.print(report.coloured_diff(text) if not console.no_color else text, end="", markup=False)
        while True:
            try:
                answer = console.input(escape(f"Apply {result.name}? [a]pply / [s]kip / [q]uit: ")).strip().lower()
            except (EOFError, KeyboardInterrupt):
                console.print("\nQuit.", markup=False)  # Ctrl-D or Ctrl-C at the prompt: as q
                return Decision.QUIT
            if answer in answers:
                return answers[answer]
            console.print("Please answer a, s or q. (Or y to apply, n to skip, as in git add -p.)", markup=False)

    return decide


@app.command()
@handles_errors
def verify(
    path: Path = PathArgument,
    settings: Optional[Path] = SettingsOption,
    dockerfile: Optional[Path] = DockerfileOption,
    python: Optional[Path] = typer.Option(
        None, "--python", help="The project's Python (its virtualenv's), to import the settings with.",
        show_default="the Python running refactor-app",
    ),
    deploy: bool = typer.Option(
        False, "--deploy", help="Also run Django's check --deploy (security) production-like, each warning with its fix."
    ),
) -> None:
    """Load the settings with .env-local and with a production-like environment; exit 1 if production would run with DEBUG on, a wildcard ALLOWED_HOSTS, no HTTPS redirect or the committed SECRET_KEY."""  # noqa: E501  (one line: typer keeps a docstring's line breaks)
    from refactor_app import api
    from refactor_app.verify import render_verification, verify_project

    project = api.discover(path, settings, dockerfile)
    interpreter = str(python) if python else sys.executable
    verification = verify_project(project, interpreter)
    render_verification(_output(), verification)
    failed = bool(verification.problems)
    if deploy:
        from refactor_app.deploy_check import deploy_check, render_deploy_check

        check = deploy_check(project, interpreter)
        render_deploy_check(_output(), check)
        failed = failed or bool(check.findings or check.problems)
    if failed:
        raise typer.Exit(EXIT_WORK_FOUND)


@app.command()
@handles_errors
def demo(
    directory: Optional[Path] = typer.Argument(
        None, help="A new or empty folder for the demo project.", show_default="a new temporary folder"
    ),
) -> None:
    """Copy the bundled Divio tutorial project into a new git repository, show the dry run, apply every step."""
    from refactor_app import api
    from refactor_app.demo import create_repository

    err = _output(stderr=True)
    target = create_repository(directory)
    err.line(f"The Divio tutorial project, committed to a new git repository: {target}")
    plan = api.make_plan(api.discover(target))
    err.line("\nDry run: refactor-app apply --all --dry-run shows\n")
    _print_diff(plan)
    api.apply(plan)
    err.line("")
    _report_plan(plan, "apply")
    err.line(f"\nThe migrated project is in {target}\n  cd {target} && git status")


def _print_diff(plan) -> None:
    from refactor_app import api, report

    text = api.render_changes(plan)
    if not text.strip():
        return
    out = _output()
    if out.colour:
        out.console.print(report.coloured_diff(text), end="")
    else:
        out.write(text)


def version_callback(value: bool) -> None:
    if value:
        from refactor_app import __version__

        typer.echo(f"refactor-app {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True, help="Show the version and exit."),
) -> None:
    """Apply the Divio tutorial's 'Apply some refinements' to a Django project."""


def main() -> None:
    """The console script: the app, then the process ends without the interpreter's teardown."""
    try:
        app()
        code = EXIT_OK
    except SystemExit as exc:
        code = exc.code
    _exit(code)


def _exit(code) -> None:
    """Exit with `code` once every exit handler has run and the output is flushed, but without
    Python's teardown: freeing libcst's hundreds of classes and every module's objects takes
    20 to 40 ms, a tenth of a one-project run, and nothing of it reaches a file (Instagram ends
    its Python processes the same way). Every file is closed by then; a thread still running
    (none is, normally) gets the usual exit, which waits for it."""
    import atexit
    import threading

    if code is None:
        code = EXIT_OK
    elif not isinstance(code, int):  # sys.exit("message")
        if sys.stderr is not None:
            sys.stderr.write(f"{code}\n")
        code = 1
    if threading.active_count() > 1 or not hasattr(atexit, "_run_exitfuncs"):
        sys.exit(code)
    atexit._run_exitfuncs()  # multiprocessing's, for one
    _flush_output()
    os._exit(code)


if __name__ == "__main__":  # python -m refactor_app.cli, as well as python -m refactor_app
    main()
