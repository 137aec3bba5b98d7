"""What the command line prints for people: the step table (rich on a terminal, plain lines in
pipes and logs), the summaries around it, and coloured diffs."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from refactor_app.plan import Plan, State

if TYPE_CHECKING:
    from refactor_app.workflow import Session

LABEL_STYLE = {
    "pending": "yellow", "would apply": "yellow", "applied": "green bold", "done": "green",
    "not applicable": "dim", "skipped": "magenta", "not reached": "dim", "not applied": "magenta",
}


class Row(NamedTuple):
    step: str
    label: str  # pending, would apply, applied, done, not applicable, skipped, not reached
    files: list[str]
    reason: str


def plan_rows(plan: Plan, pending_label: str) -> list[Row]:
    """One row a step; pending steps get `pending_label` (pending, would apply, applied)."""
    return [
        Row(r.name, pending_label if r.state is State.PENDING else r.state.value, r.files, r.reason)
        for r in plan.results
    ]


def session_rows(session: "Session", all_names: list[str]) -> list[Row]:
    rows = []
    for run in session.runs:
        r = run.result
        if run.applied:
            label = "applied"
        elif run.skipped:
            label = "skipped"
        elif run.quit_here:
            label = "not applied"
        else:
            label = r.state.value
        reason = r.reason + (f" (commit {run.commit[:10]})" if run.commit else "")
        if run.quit_here:
            reason = "quit when asked: " + reason
        rows.append(Row(r.name, label, r.files if run.applied else [], reason))
    seen = {row.step for row in rows}
    rows += [Row(name, "not reached", [], "the run was quit before this step") for name in all_names if name not in seen]
    return rows


def render_rows(out, rows: list[Row], title: str) -> None:
    """A rich table on a terminal; otherwise plain lines, one a step, easy to grep."""
    if out.is_terminal:
        from rich.markup import escape
        from rich.table import Table

        table = Table(title=title, title_justify="left")
        for column in ("step", "state", "files", "reason"):
            table.add_column(column, overflow="fold")
        for row in rows:
            style = LABEL_STYLE.get(row.label, "")
            table.add_row(row.step, f"[{style}]{row.label}[/]", escape(", ".join(row.files) or "-"), escape(row.reason))
        out.console.print(table)
        return
    width = max((len(row.step) for row in rows), default=0)
    lines = [title]
    for row in rows:
        files = f"  [{', '.join(row.files)}]" if row.files else ""
        lines.append(f"{row.step:<{width}}  {row.label:<14}  {row.reason}{files}")
    out.line("\n".join(lines))


def settings_line(plan: Plan) -> str:
    """Which settings module the steps edit and why, and the ones they leave alone (principle 1)."""
    project = plan.project
    line = f"Production settings: {', '.join(project.settings_files)}"
    if project.production_source:
        line += f" ({project.production_source}); the steps edit it and the modules it star-imports"
    if project.left_alone:
        line += "; left alone: " + "; ".join(f"{path} ({why})" for path, why in project.left_alone)
    return line


def status_footer(plan: Plan) -> str:
    pending = plan.pending
    # Which module the steps read and edit first (principle 1), then the summary; what discovery
    # chose on its own (no manage.py: the one settings-like module) is said every time.
    notes = [f"Note: {note}" for note in plan.project.notes]
    # What the user must act on (a redirect loop behind the platform's proxy) is said whatever
    # the steps' state: a step's reason may point to it ("see the warning").
    warnings = [f"Warning: {warning}" for warning in plan.warnings]
    if not pending:
        return "\n".join([settings_line(plan), "Nothing to do: every step is done or not applicable.", *notes, *warnings])
    return "\n".join([
        settings_line(plan),
        f"{len(pending)} pending. Review with `refactor-app apply --all --dry-run`, then `refactor-app apply --all`; "
        f"or one commit per step: `refactor-app apply --all --commit`.",
        *notes,
        *warnings,
        *(f"Warning: {warning}" for warning in plan.untracked_warnings),
    ])


def changed_files(plan: Plan) -> str:
    parts = []
    if plan.edits:
        parts.append(f"{len(plan.edits)} file{'s' if len(plan.edits) != 1 else ''} "
                     f"({', '.join(edit.display_path for edit in plan.edits)})")
    for removal in plan.removals:
        count = len(removal.tracked_files)
        parts.append(f"git rm -r {removal.folder} ({count} file{'s' if count != 1 else ''})")
    return " and ".join(parts)


def preview_heading(plan: Plan) -> str:
    if not plan.has_changes:
        return "Nothing to do: every step is already done or not applicable."
    return f"Dry run, nothing written. refactor-app would change {changed_files(plan)}:"


def applied_heading(plan: Plan) -> str:
    if not plan.has_changes:
        return "Nothing to do: every step is already done or not applicable."
    return f"Changed {changed_files(plan)}:"


def review_hint(plan: Plan) -> str:
    if not plan.has_changes:
        return ""
    return "Review with `git status` and `git diff`, test, then commit." if plan.in_git else "Review the changes and test."


def session_heading(session: "Session") -> str:
    applied = session.applied
    if not applied:
        return "Nothing applied." + (" Quit." if session.quit else "")
    commits = sum(1 for run in applied if run.commit)
    text = f"Applied {len(applied)} step{'s' if len(applied) != 1 else ''}"
    text += f" in {commits} commit{'s' if commits != 1 else ''}" if commits else ""
    return text + (" before quitting:" if session.quit else ":")


def notes_and_warnings(plan: Plan) -> list[str]:
    warnings = [*plan.warnings, *plan.untracked_warnings]
    # Which module was edited is worth saying after a run only when more than one was in play.
    chosen = [settings_line(plan)] if plan.project.production_source or plan.project.left_alone else []
    return chosen + [f"Note: {note}" for note in plan.notes] + [f"Warning: {warning}" for warning in warnings]


def coloured_diff(text: str):
    from rich.text import Text

    coloured = Text()
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")  # for the terminal only
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


def fleet_line(outcome, mode: str) -> str:
    """One project of a fleet run, one line: its steps to apply, then the steps it declines (not
    applicable), each with its reason as `status` gives it for one project."""
    if outcome.error:
        return f"{outcome.display}: error: {outcome.error}"
    pending = outcome.pending
    verb = {"apply": "applied", "status": "pending", "dry-run": "would apply", "check": "would apply"}[mode]
    line = f"{outcome.display}: {verb} {', '.join(pending)}" if pending else f"{outcome.display}: nothing to do"
    if outcome.declined:
        line += "; not applicable: " + "; ".join(f"{step} ({reason})" for step, reason in outcome.declined)
    return line


def fleet_text(outcome, mode: str) -> str:
    """A project's line, then its notes and warnings, each on a line of its own, indented."""
    return "\n".join([fleet_line(outcome, mode), *(f"  {message}" for message in outcome.messages)])


def fleet_summary(total: int, counts: dict, mode: str) -> str:
    changed = {"apply": "changed", "status": "with pending steps"}.get(mode, "would change")
    return (
        f"{total} project{'s' if total != 1 else ''}: {counts['pending']} {changed}, "
        f"{counts['clean']} with nothing to do, {counts['failed']} failed."
    )


class FleetProgress:
    """A progress bar on a terminal; each project's line is printed above it as it finishes."""

    def __init__(self, out, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("projects"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=out.console, transient=True,
        )
        self.task = self.progress.add_task("projects", total=total)
        self.progress.start()

    def advance(self, line: str) -> None:
        self.progress.console.print(line, markup=False, highlight=False)
        self.progress.advance(self.task)

    def stop(self) -> None:
        self.progress.stop()
