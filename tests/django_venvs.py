"""Virtual environments with another Django than the installed one, for tests that run a
project's settings under the Django it asks for.

Each is built once (python -m venv, then pip install) into a cache folder named after what it
holds, and reused by later runs: $REFACTOR_APP_TEST_VENVS, else $XDG_CACHE_HOME/refactor-app-tests,
else ~/.cache/refactor-app-tests. A failed install fails the test with pip's own words: these tests
are never skipped for want of a Django.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

MARKER = "refactor-app-requirements.txt"  # written last: a folder without it is an interrupted build


def cache_root() -> Path:
    if os.environ.get("REFACTOR_APP_TEST_VENVS"):
        return Path(os.environ["REFACTOR_APP_TEST_VENVS"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "refactor-app-tests"


def venv_python(name: str, requirements: list[str]) -> Path:
    """The interpreter of a venv holding `requirements` (built now unless a cached one holds the same)."""
    wanted = "\n".join(requirements) + "\n"
    interpreter = f"py{sys.version_info.major}.{sys.version_info.minor}"
    key = hashlib.sha256(f"{interpreter}\n{wanted}".encode()).hexdigest()[:10]
    folder = cache_root() / f"{name}-{interpreter}-{key}"
    python = folder / "bin" / "python"
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Another pytest run (a second worktree, a rerun) may be building the same folder: wait for it.
    with open(folder.parent / f"{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        marker = folder / MARKER
        if marker.is_file() and marker.read_text() == wanted and python.exists():
            return python
        shutil.rmtree(folder, ignore_errors=True)
        _build(folder, requirements)
        marker.write_text(wanted)
    return python


def _build(folder: Path, requirements: list[str]) -> None:
    steps = [
        [sys.executable, "-m", "venv", str(folder)],
        [str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         *requirements],
    ]
    for command in steps:
        result = subprocess.run(command, capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            said = "\n".join(line[:400] for line in (result.stdout + result.stderr).strip().splitlines()[-15:])
            pytest.fail(f"could not build the test venv {folder} with {' '.join(requirements)} "
                        f"(`{' '.join(command[:4])} ...` exited {result.returncode}); these tests need that Django "
                        f"(network to PyPI, or set REFACTOR_APP_TEST_VENVS to a folder holding it):\n{said}",
                        pytrace=False)
