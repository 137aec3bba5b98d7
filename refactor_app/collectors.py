"""What collects the static files once they are no longer committed.

The staticfiles step takes the collected folder out of git because the build makes it; where
nothing in the project runs collectstatic (no Dockerfile line, no Procfile release, compose
command, bin/ script, Render or Fly build command), the deployed site would serve no static
files, and the step warns.
"""

from __future__ import annotations

import re

from refactor_app.errors import RefactorError
from refactor_app.textfile import read_bytes
from refactor_app.workspace import TextDocument, Workspace

COMMAND = "collectstatic"
# Prose about collectstatic runs nothing.
DOCUMENTS = (".md", ".rst", ".txt", ".html", ".adoc")
# In Python code a mention is often a comment ("where collectstatic puts files"): only a run counts.
PYTHON_RUN = re.compile(r"""call_command\(\s*['"]collectstatic|['"]collectstatic['"]|manage\.py\s+collectstatic""")
# Heroku's and Scalingo's Python buildpacks run collectstatic on every build of a Django project
# that has a Procfile, unless DISABLE_COLLECTSTATIC is set.
BUILDPACK_FILES = ("Procfile",)


def nothing_collects(ws: Workspace, folder: str) -> str:
    """A warning when, with this run's edits, nothing in the project runs collectstatic to
    rebuild `folder` (the collected folder the step takes out of git); "" when something does,
    or git cannot say."""
    try:
        places = _places(ws, folder)
    except RefactorError:
        return ""
    if places is None or places:
        return ""
    dockerfile = ws.text(ws.project.dockerfile_path)
    missing = "the Dockerfile does not run it" if dockerfile.exists else "there is no Dockerfile"
    return (f"{folder}/ leaves the repository, but nothing in the project runs collectstatic ({missing}, and no "
            "Procfile, compose command or script names it): the deployed site will have no static files "
            "until its build runs `python manage.py collectstatic --noinput`; add that to the build")


def _places(ws: Workspace, folder: str) -> list[str] | None:
    """The files that run collectstatic (this run's edits included); None when git cannot say."""
    found = [
        document.display_path for document in ws.documents()
        if isinstance(document, TextDocument) and COMMAND in document.text
    ]
    if found:
        return found
    repo = ws.git
    if repo is None:
        return None
    settings = [module.display_path for module in ws.loaded_settings()]
    mentions = repo.files_mentioning(COMMAND, [folder, *settings])
    if mentions is None:
        return None
    project = ws.project
    for path in mentions:
        if path.endswith(DOCUMENTS) or path.split("/")[0] == "docs":
            continue
        if path.endswith(".py"):
            data = read_bytes(project.root / path, path, ws.boundary)
            if data is None or not PYTHON_RUN.search(data.decode("utf-8", "replace")):
                continue
        found.append(path)
    if not found and any((project.root / name).is_file() for name in BUILDPACK_FILES):
        disabled = repo.files_mentioning("DISABLE_COLLECTSTATIC", [folder])
        if not disabled:
            found.append("Procfile (the Python buildpack runs collectstatic)")
    return found
