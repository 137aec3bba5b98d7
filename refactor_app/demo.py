"""The bundled Divio tutorial project, copied into a fresh git repository for `refactor-app demo`."""

from __future__ import annotations

import tempfile
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from refactor_app.errors import RefactorError

EXAMPLE = "divio-tutorial"
EXECUTABLE = {"manage.py"}
AUTHOR = ("refactor-app demo", "demo@refactor-app.invalid")


def example_files() -> Traversable:
    return resources.files("refactor_app").joinpath("examples", EXAMPLE)


def copy_example(target: Path) -> None:
    """Copy the example into `target` (which must not exist or be empty), files 0644, manage.py 0755."""
    if target.exists() and any(target.iterdir()):
        raise RefactorError(f"{target} is not empty; give refactor-app demo a new or empty folder.")
    _copy_tree(example_files(), target)


def _copy_tree(source: Traversable, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.name == "__pycache__":
            continue
        destination = target / entry.name
        if entry.is_dir():
            _copy_tree(entry, destination)
        else:
            destination.write_bytes(entry.read_bytes())
            destination.chmod(0o755 if entry.name in EXECUTABLE else 0o644)


def create_repository(directory: Path | None = None) -> Path:
    """The example in a git repository with one commit, as a reader of the tutorial has it."""
    import git

    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="refactor-app-demo-")) / EXAMPLE
    directory = directory.expanduser().resolve()
    if directory.exists() and not directory.is_dir():
        raise RefactorError(f"{directory} is a file; give refactor-app demo a new or empty folder.")
    try:
        copy_example(directory)
    except OSError as exc:
        raise RefactorError(
            f"cannot create the demo project in {directory} ({exc.strerror}); give refactor-app demo "
            "a folder you can write to."
        ) from None
    repo = git.Repo.init(directory)
    with repo.config_writer() as config:
        config.set_value("user", "name", AUTHOR[0])
        config.set_value("user", "email", AUTHOR[1])
    repo.git.add("-A")
    repo.git.commit("-q", "-m", "The Divio tutorial project, before 'Apply some refinements'")
    return directory
