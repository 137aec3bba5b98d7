"""What every step is made of, and the small helpers several steps share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from refactor_app.editors import dotenv
from refactor_app.editors import settings as settings_editor
from refactor_app.plan import State
from refactor_app.workspace import SettingsModule, Workspace


@dataclass(frozen=True)
class Outcome:
    state: State
    reason: str


def pending(reason: str) -> Outcome:
    return Outcome(State.PENDING, reason)


def done(reason: str) -> Outcome:
    return Outcome(State.DONE, reason)


def not_applicable(reason: str) -> Outcome:
    return Outcome(State.NOT_APPLICABLE, reason)


@dataclass(frozen=True)
class Step:
    name: str
    summary: str
    run: Callable[[Workspace], Outcome]  # edits the workspace in memory, says what it found


# The order the page's .env-local lines end up in, whichever steps run first.
ENV_LOCAL_ORDER = ("DJANGO_DEBUG", "DOMAIN_ALIASES", "SECURE_SSL_REDIRECT")


@dataclass(frozen=True)
class EnvLocalLine:
    added: bool
    note: str  # what happened, for the step's reason ("" when the line was already as wanted)


def ensure_env_local(ws: Workspace, key: str, value: str) -> EnvLocalLine:
    """Add KEY=VALUE to .env-local (created if missing) unless KEY is set: a user's value stays."""
    document = ws.text(ws.project.env_path)
    existing = dotenv.values(document.text)
    if key in existing:
        kept = existing[key]
        note = "" if kept == value else f".env-local keeps your {key}={kept if kept is not None else ''}"
        return EnvLocalLine(False, note)
    later = ENV_LOCAL_ORDER[ENV_LOCAL_ORDER.index(key) + 1 :] if key in ENV_LOCAL_ORDER else ()
    document.text = dotenv.ensure_key(document.text, key, value, document.format.newline, before_keys=later)
    return EnvLocalLine(True, f".env-local: + {key}={value}")


def join(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def ensure_import_os(settings: SettingsModule) -> None:
    settings.module = settings_editor.ensure_import(settings.module, "os")


def reads_environment(ws: Workspace, settings: SettingsModule, value, depth: int = 2) -> list[str]:
    """How `value` reads the environment, directly or through module-level names it uses
    (`ALLOWED_HOSTS = [DIVIO_DOMAIN] + ...` where DIVIO_DOMAIN = os.environ.get(...))."""
    found = settings_editor.environment_reads(value)
    if found or depth == 0:
        return found
    for name in sorted(settings_editor.names_used(value)):
        for assignment in settings_editor.assignments(settings.module, name):
            found += reads_environment(ws, settings, assignment.value, depth - 1)
    return found


def describe_reads(reads: list[str]) -> str:
    return ", ".join(dict.fromkeys(reads))
