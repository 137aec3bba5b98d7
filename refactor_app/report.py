"""What the command line prints about a plan: the status table and the one-paragraph summaries."""

from __future__ import annotations

from refactor_app.plan import Plan, State

STATE_STYLE = {State.PENDING: "yellow", State.DONE: "green", State.NOT_APPLICABLE: "dim"}


def status_table(plan: Plan):
    from rich.table import Table

    table = Table(title=f"refactor-app status: {plan.root}", title_justify="left")
    table.add_column("step")
    table.add_column("state")
    table.add_column("files")
    table.add_column("reason", overflow="fold")
    for result in plan.results:
        files = ", ".join(result.files) or "-"
        table.add_row(
            result.name, f"[{STATE_STYLE[result.state]}]{result.state.value}[/]", files, _escape(result.reason)
        )
    return table


def status_lines(plan: Plan) -> str:
    """The status as plain lines, for pipes and logs: step, state, reason, files."""
    width = max((len(result.name) for result in plan.results), default=0)
    lines = [f"refactor-app status: {plan.root}"]
    for result in plan.results:
        files = f"  [{', '.join(result.files)}]" if result.files else ""
        lines.append(f"{result.name:<{width}}  {result.state.value:<14}  {result.reason}{files}")
    return "\n".join(lines)


def status_footer(plan: Plan) -> str:
    pending = plan.pending
    if not pending:
        return "Nothing to do: every step is done or not applicable."
    return (
        f"{len(pending)} pending. Review with `refactor-app apply --all --dry-run`, then `refactor-app apply --all`; "
        f"or one step at a time, committing after each: `refactor-app apply --step {pending[0].name}`."
    )


def step_lines(plan: Plan, applied: bool) -> list[str]:
    width = max((len(result.name) for result in plan.results), default=0)
    lines = []
    for result in plan.results:
        if result.state is State.PENDING:
            label = "applied" if applied else "would apply"
        else:
            label = result.state.value
        lines.append(f"  {result.name:<{width}}  {label}: {result.reason}")
    return lines


def _changed_files(plan: Plan) -> str:
    parts = []
    if plan.edits:
        parts.append(f"{len(plan.edits)} file{'s' if len(plan.edits) != 1 else ''} "
                     f"({', '.join(edit.display_path for edit in plan.edits)})")
    for removal in plan.removals:
        parts.append(f"git rm -r {removal.folder} ({len(removal.tracked_files)} files)")
    return " and ".join(parts)


def preview_summary(plan: Plan) -> str:
    if not plan.has_changes:
        return nothing_to_do(plan)
    return "\n".join(
        ["Dry run, nothing written. refactor-app would change " + _changed_files(plan) + ":"]
        + step_lines(plan, applied=False)
        + notes(plan)
    )


def applied_summary(plan: Plan) -> str:
    review = "Review with `git status` and `git diff`, test, then commit." if plan.in_git else "Review the changes and test."
    return "\n".join(["Changed " + _changed_files(plan) + ":"] + step_lines(plan, applied=True) + notes(plan) + [review])


def notes(plan: Plan) -> list[str]:
    return [f"Note: {note}" for note in plan.notes]


def nothing_to_do(plan: Plan) -> str:
    return "\n".join(
        ["Nothing to do: every step is already done or not applicable."] + step_lines(plan, applied=False)
    )


def coloured_diff(text: str):
    from rich.text import Text

    coloured = Text()
    for line in text.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("@@"):
            style = "cyan"
        elif line.startswith("git rm"):
            style = "bold red"
        else:
            style = None
        coloured.append(line, style=style)
    return coloured


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
