"""Golden cases: golden/<case>/before is a project, golden/<case>/after what refactor-app makes of it.

Each case folder holds `steps.txt` (one step name a line, or `all`). A case runs on a copy of
`before/` committed to a fresh git repository, so `git rm` is part of the result.

Regenerate on purpose only, and read every diff it makes:
    python tests/golden_cases.py [CASE ...]
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "golden"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "refactor-app tests",
    "GIT_AUTHOR_EMAIL": "tests@refactor-app.invalid",
    "GIT_COMMITTER_NAME": "refactor-app tests",
    "GIT_COMMITTER_EMAIL": "tests@refactor-app.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def cases() -> list[str]:
    return sorted(p.name for p in GOLDEN.iterdir() if (p / "steps.txt").is_file())


def case_steps(case: str) -> list[str] | None:
    names = [line.strip() for line in (GOLDEN / case / "steps.txt").read_text().splitlines() if line.strip()]
    return None if names == ["all"] else names


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def copy_tree(source: Path, target: Path) -> None:
    """Copy with writable modes (the shared examples are read-only), keeping the executable bit."""
    shutil.copytree(source, target, symlinks=True, copy_function=shutil.copyfile, ignore=shutil.ignore_patterns(".git"))
    for path in [target, *target.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            executable = os.stat(source / path.relative_to(target)).st_mode & stat.S_IXUSR
            path.chmod(0o755 if executable else 0o644)


def committed_project(source: Path, target: Path) -> Path:
    """`source` copied to `target` and committed to a new git repository."""
    copy_tree(source, target)
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "before refactor-app")
    return target


def run_case(case: str, work: Path) -> Path:
    from refactor_app import api

    project_dir = committed_project(GOLDEN / case / "before", work / case)
    plan = api.make_plan(api.discover(project_dir), case_steps(case))
    api.apply(plan)
    return project_dir


def tree_files(root: Path) -> dict[str, tuple[bytes, bool]]:
    """Every file below root (without .git): relative path -> (bytes, executable)."""
    files = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] == ".git":
            continue
        if path.is_symlink():
            files[relative.as_posix()] = (b"-> " + os.readlink(path).encode(), False)
            continue
        if path.is_dir():
            continue
        files[relative.as_posix()] = (path.read_bytes(), bool(path.stat().st_mode & stat.S_IXUSR))
    return files


def regenerate(case: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        result = run_case(case, Path(work))
        after = GOLDEN / case / "after"
        if after.exists():
            shutil.rmtree(after)
        copy_tree(result, after)
    print(f"regenerated golden/{case}/after; read `git diff -- golden/{case}` before committing")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    for name in sys.argv[1:] or cases():
        regenerate(name)
