"""Stop committing collected static files.

Now that the image build runs collectstatic, the STATIC_ROOT folder (staticfiles/) is build
output: `git rm -r staticfiles` and `/staticfiles` in .gitignore.
"""

from __future__ import annotations

from refactor_app.editors import gitignore
from refactor_app.editors import settings as settings_editor
from refactor_app.errors import RefactorError
from refactor_app.plan import GitRemoval
from refactor_app.steps.base import Outcome, done, not_applicable, pending
from refactor_app.workspace import Workspace

DEFAULT_FOLDER = "staticfiles"


def run(ws: Workspace) -> Outcome:
    folder = static_root_folder(ws)
    if folder is None:
        return not_applicable("STATIC_ROOT is not a folder inside the project, so nothing collected is committed")
    repo = ws.git
    if repo is None:
        return not_applicable(f"{ws.project.root} is not in a git repository; remove {folder}/ from version control by hand")
    todo = []

    tracked = repo.tracked_files(folder)
    if tracked:
        changed = repo.changed_files(folder)
        if changed:
            raise RefactorError(
                f"{folder}/ has uncommitted changes ({changed[0]}) that git rm would refuse to drop; "
                f"commit or discard them (git checkout -- {folder}) and run again."
            )
        ws.removals.append(GitRemoval(folder, tuple(tracked)))
        todo.append(f"git rm -r {folder} ({len(tracked)} committed files)")

    document = ws.text(ws.project.gitignore_path)
    if not gitignore.ignores_folder(document.text, folder):
        document.text = gitignore.add_pattern(document.text, f"/{folder}", document.format.newline)
        todo.append(f".gitignore: + /{folder}")

    if todo:
        return pending("; ".join(todo))
    return done(f"{folder}/ is not committed and .gitignore ignores it")


def static_root_folder(ws: Workspace) -> str | None:
    """STATIC_ROOT relative to the project: the string parts of `os.path.join(BASE_DIR, 'x')` or
    `BASE_DIR / 'x'`; 'staticfiles' when unset; None when it is an absolute path elsewhere."""
    ref = ws.find_setting("STATIC_ROOT")
    if ref is None:
        return ws.project.display(ws.project.import_root / DEFAULT_FOLDER)
    parts = settings_editor.string_values(ref.value)
    if not parts or parts[0].startswith("/"):
        return None
    relative = "/".join(part.strip("/") for part in parts if part.strip("/"))
    if not relative:
        return None
    # Relative to BASE_DIR, which startproject makes manage.py's folder; shown from the project folder.
    folder = ws.project.display(ws.project.import_root / relative)
    return None if folder.startswith("../") else folder
