"""Local values in what local work loads (Project.local_env, found by refactor_app/local_env.py):
what it sets already, and naming `.env-local` in compose's env_file when a step writes there."""

from __future__ import annotations

import os
from typing import NamedTuple

from refactor_app.editors import compose as compose_editor
from refactor_app.editors import dotenv
from refactor_app.workspace import Workspace


class LocalValue(NamedTuple):
    value: str | None
    where: str  # the file (or compose service) that sets it, as shown


def local_environment(ws: Workspace) -> dict[str, LocalValue]:
    """Every variable local work's environment sets, and where: the other env files it loads,
    then the file local values go to (as edited so far this run), then the compose service's
    `environment`, which wins over env files."""
    local = ws.project.local_env
    found: dict[str, LocalValue] = {}
    for path in (*reversed(local.others), local.path):
        document = ws.text(path) if path == local.path else _other(ws, path)
        if document is None:
            continue
        for key, value in dotenv.values(document.text).items():
            found[key] = LocalValue(value, document.display_path)
    for key, value in local.environment:
        found[key] = LocalValue(value, local.environment_where)
    return found


def _other(ws: Workspace, path):
    """Another env file local work loads; None when it cannot be read (a link out of the repository)."""
    from refactor_app.errors import RefactorError

    try:
        return ws.text(path)
    except (RefactorError, OSError):
        return None


def name_in_compose(ws: Workspace) -> str:
    """Add `env_file: .env-local` to the compose service local work runs, when discovery found
    one without an env file: what the step tells, or "" when it is named already."""
    local = ws.project.local_env
    naming = local.name_in
    if naming is None:
        return ""
    document = ws.text(naming.compose)
    name = os.path.relpath(local.path, naming.compose.parent).replace(os.sep, "/")
    changed = compose_editor.add_env_file(document.text, naming.service, name, document.format.newline)
    if changed is None:
        return ""
    document.text = changed
    return f"{document.display_path}: + env_file: {name} (service {naming.service})"
