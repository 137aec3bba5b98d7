"""The `refactor-app` command line: argument parsing, output and exit codes only.

Exit codes: 0 done or nothing to do; 1 `--check` found work; 2 bad input (one plain line on
stderr); 3 an internal error (a bug: please report it).
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from refactor_app.errors import RefactorError

EXIT_OK, EXIT_WORK_FOUND, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

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
SettingsOption = typer.Option(
    None, "--settings", help="The settings module file, instead of finding it through manage.py."
)


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def handles_errors(command):
    """Bad input becomes one plain line and exit code 2; nothing else reaches the user as a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except RefactorError as exc:
            _console(stderr=True).print(f"error: {exc}", markup=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug in refactor-app, not in the user's project
            if os.environ.get("REFACTOR_APP_TRACEBACK"):
                raise
            _console(stderr=True).print(
                f"internal error: {type(exc).__name__}: {exc}. Nothing was written unless the "
                "output above says so. Set REFACTOR_APP_TRACEBACK=1 for details and please report it.",
                markup=False,
            )
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper


@app.command()
def steps() -> None:
    """List the steps, in the order the page applies them."""
    from refactor_app.steps import STEPS

    width = max(len(step.name) for step in STEPS)
    for number, step in enumerate(STEPS, 1):
        typer.echo(f"{number}. {step.name:<{width}}  {step.summary}")


@app.command()
@handles_errors
def status(path: Path = PathArgument, settings: Optional[Path] = SettingsOption) -> None:
    """Show each step's state: pending, done (by refactor-app or by hand) or not applicable, and why."""
    from refactor_app import api, report

    plan = api.make_plan(api.discover(path, settings))
    console = _console()
    if console.is_terminal:
        console.print(report.status_table(plan))
    else:
        console.print(report.status_lines(plan), markup=False)
    console.print(report.status_footer(plan), markup=False)


@app.command()
@handles_errors
def apply(
    path: Path = PathArgument,
    all_steps: bool = typer.Option(False, "--all", help="Apply every step, in the page's order."),
    step: Optional[List[str]] = typer.Option(
        None, "--step", "-s", help="Apply this step (repeatable); see `refactor-app steps`.", metavar="NAME"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", "-n", help="Print the unified diff and what git rm would remove; write nothing."),
    check: bool = typer.Option(False, "--check", help="Like --dry-run, and exit 1 if anything would change (for CI)."),
    settings: Optional[Path] = SettingsOption,
    allow_dirty: bool = typer.Option(False, "--allow-dirty", help="Write even if the git tree has uncommitted changes, or no git repository."),
) -> None:
    """Apply all steps (--all) or chosen ones (--step NAME), or preview them (--dry-run, --check)."""
    from refactor_app import api, report

    if all_steps and step:
        raise RefactorError("use either --all or --step NAME, not both.")
    if not all_steps and not step:
        raise RefactorError("choose the steps: --all, or --step NAME (repeatable); `refactor-app steps` lists them.")
    plan = api.make_plan(api.discover(path, settings), None if all_steps else step)
    err = _console(stderr=True)
    if dry_run or check:
        _print_diff(plan)
        err.print(report.preview_summary(plan), markup=False)
        if check and plan.has_changes:
            raise typer.Exit(EXIT_WORK_FOUND)
        return
    if not plan.has_changes:
        err.print(report.nothing_to_do(plan), markup=False)
        return
    api.apply(plan, allow_dirty=allow_dirty)
    err.print(report.applied_summary(plan), markup=False)


@app.command()
@handles_errors
def demo(
    directory: Optional[Path] = typer.Argument(
        None, help="A new or empty folder for the demo project.", show_default="a new temporary folder"
    ),
) -> None:
    """Copy the bundled Divio tutorial project into a new git repository, show the dry run, apply every step."""
    from refactor_app import api, report
    from refactor_app.demo import create_repository

    err = _console(stderr=True)
    target = create_repository(directory)
    err.print(f"The Divio tutorial project, committed to a new git repository: {target}", markup=False)
    plan = api.make_plan(api.discover(target))
    err.print("\nDry run: refactor-app apply --all --dry-run shows\n", markup=False)
    _print_diff(plan)
    api.apply(plan)
    err.print("\n" + report.applied_summary(plan), markup=False)
    err.print(f"\nThe migrated project is in {target}\n  cd {target} && git status", markup=False)


def _print_diff(plan) -> None:
    from refactor_app import api, report

    text = api.render_removals(plan) + api.render_diff(plan)
    if not text:
        return
    console = _console()
    if console.is_terminal and not console.no_color:
        console.print(report.coloured_diff(text), end="")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


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
    app()
