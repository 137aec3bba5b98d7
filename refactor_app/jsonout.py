"""`--format json`: a plan (and what a run did with it) as one JSON object.

The schema is refactor_app/schema/output.schema.json (schema_version 1); fields are only ever
added within a version.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from refactor_app.plan import Plan, State, StepResult

if TYPE_CHECKING:
    from refactor_app.workflow import Session

SCHEMA_VERSION = 1


def plan_document(plan: Plan, command: str, mode: str, session: "Session | None" = None) -> dict:
    from refactor_app import api

    runs = {run.result.name: run for run in session.runs} if session is not None else {}
    applied_all = mode == "apply"
    steps = []
    for result in plan.results:
        run = runs.get(result.name)
        applied = run.applied if run is not None else (applied_all and result.state is State.PENDING)
        steps.append(_step(result, applied, run.commit if run is not None else None))
    changed = any(step["applied"] for step in steps) if mode in ("apply", "commit", "interactive") else plan.has_changes
    return {
        "schema_version": SCHEMA_VERSION,
        "command": command,
        "mode": mode,
        "project": str(plan.root),
        "settings": [plan.project.display(path) for path in plan.project.settings_paths],
        "settings_source": plan.project.production_source,
        "left_alone": [{"settings": path, "reason": why} for path, why in plan.project.left_alone],
        "changed": changed,
        "steps": steps,
        "diff": api.render_diff(plan),
        "removals": [{"folder": r.folder, "files": list(r.tracked_files)} for r in plan.removals],
        "notes": list(plan.notes),
        "warnings": [*plan.warnings, *plan.untracked_warnings],
    }


def _step(result: StepResult, applied: bool, commit: str | None) -> dict:
    from refactor_app import api

    return {
        "name": result.name,
        "title": result.title,
        "state": result.state.value,
        "reason": result.reason,
        "files": result.files,
        "diff": "".join(api.unified_diff(edit) for edit in result.edits),
        "removed_files": [path for removal in result.removals for path in removal.tracked_files],
        "applied": applied,
        "commit": commit,
    }


def error_document(message: str) -> dict:
    return {"schema_version": SCHEMA_VERSION, "error": message, "exit_code": 2}


def dumps(document: dict) -> str:
    # ASCII escapes: a diff of a non-UTF-8 file carries surrogate escapes that UTF-8 cannot encode.
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"
