from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from golden_cases import GIT_ENV, REPO, committed_project, git  # noqa: E402

EXAMPLE = REPO / "refactor_app" / "examples" / "divio-tutorial"
SHARED_EXAMPLES = REPO.parent / "shared" / "examples"


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch):
    """No user's git identity or config leaks into (or is needed by) the tests."""
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def tutorial(tmp_path) -> Path:
    """The Divio tutorial project committed to a fresh git repository (staticfiles/ included)."""
    return committed_project(EXAMPLE, tmp_path / "divio-tutorial")


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """`refactor-app ARGS` in a subprocess, as a user runs it (output piped: no colour)."""
    full_env = {**os.environ, **GIT_ENV, **(env or {})}
    full_env.pop("FORCE_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "refactor_app", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120,
    )


def git_status(path: Path) -> list[str]:
    return git(path, "status", "--porcelain").splitlines()


__all__ = ["run_cli", "git_status", "git", "EXAMPLE", "SHARED_EXAMPLES", "committed_project"]
