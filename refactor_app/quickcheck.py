"""Is every step visibly done already? Answered from the files' text alone, without libcst,
dotenv, pathspec or GitPython, so `apply --all --check` on a finished project (the pre-commit
case, run on every commit) costs little more than starting Python.

The answer is "yes" or "cannot tell": whenever the text is not plainly the done form of every
step, the caller runs the full plan, which has the last word. So this only has to be sound:
it must never say "done" where the full plan finds a step pending (tests check that).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from refactor_app.project import Project

# The environment reads the full plan recognises (editors/settings.py), spelled as text.
_ENV_READ = re.compile(
    r"(?<![\w.])(?:(?:os\.environ\.get|os\.getenv|environ\.get|getenv|os\.environ\.setdefault|env|config"
    r"|decouple\.config|env\.\w+)\s*\(|(?:os\.environ|environ)\s*\[)"
)
CANONICAL = {
    "DEBUG": "os.environ.get('DJANGO_DEBUG') == 'True'",
    "ALLOWED_HOSTS": "[DIVIO_DOMAIN] + DIVIO_DOMAIN_ALIASES + DIVIO_DOMAIN_REDIRECTS",
    "SECURE_SSL_REDIRECT": "os.environ.get('SECURE_SSL_REDIRECT') != 'False'",
}
WATCHED = {"DEBUG", "ALLOWED_HOSTS", "SECRET_KEY", "SECURE_SSL_REDIRECT", "STATIC_ROOT", "DIVIO_DOMAIN"}
ENV_LOCAL_KEY = {"DEBUG": "DJANGO_DEBUG", "ALLOWED_HOSTS": "DOMAIN_ALIASES", "SECURE_SSL_REDIRECT": "SECURE_SSL_REDIRECT"}
_ASSIGNMENT = re.compile(r"^([A-Z_][A-Z0-9_]*)\s*(?::[^=\n]*)?(\+?=)(?!=)(.*)$", re.MULTILINE)
_DATABASE_URL_WITHOUT_FALLBACK = re.compile(
    r"(?:getenv|environ\.get)\(\s*['\"]DATABASE_URL['\"]\s*\)|environ\[\s*['\"]DATABASE_URL['\"]\s*\]"
)
_URL_CONFIG = re.compile(r"(?:dj_database_url\.config|env\.db_url|env\.db)\(([^)]*)\)")


def every_step_done(project: Project) -> bool:
    """True only when the text shows every step done (or plainly not applicable)."""
    try:
        return _every_step_done(project)
    except (OSError, UnicodeDecodeError, ValueError):
        return False


def _every_step_done(project: Project) -> bool:
    if len(project.settings_paths) != 1:
        return False
    settings = _text(project.settings_path)
    if settings is None or "import *" in settings or _has_strings_after_docstring(settings):
        return False
    values: dict[str, str] = {}
    for name, operator, value in _ASSIGNMENT.findall(settings):
        if name not in WATCHED:
            continue
        if operator == "+=" or value.rstrip().endswith(("(", "[", "{", "\\", ",")):
            return False  # additions or multi-line values: leave those to the full plan
        values[name] = _without_comment(value).strip()
    env_local = _text(project.env_path) or ""

    for name in ("DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT"):
        if name not in values:
            if name == "SECURE_SSL_REDIRECT":
                return False  # the step would add it
            continue  # not applicable
        if _same(values[name], CANONICAL[name]):
            if not _has_key(env_local, ENV_LOCAL_KEY[name]):
                return False
            if name == "ALLOWED_HOSTS" and not _reads_environment(values.get("DIVIO_DOMAIN", "")):
                return False
        elif not _reads_environment(values[name]):
            return False
    if "SECRET_KEY" in values and not _reads_environment(values["SECRET_KEY"]):
        return False
    return _collectstatic_done(project, settings, values) and _staticfiles_done(project, values)


def _collectstatic_done(project: Project, settings: str, values: dict[str, str]) -> bool:
    dockerfile = _text(project.dockerfile_path)
    if dockerfile is None:
        return True  # not applicable
    if not re.search(r"^\s*RUN\b[^\n]*collectstatic", dockerfile, re.MULTILINE | re.IGNORECASE):
        return False
    if "STATIC_ROOT" not in values or _DATABASE_URL_WITHOUT_FALLBACK.search(settings):
        return False
    return all("default" in arguments for arguments in _URL_CONFIG.findall(settings))


def _staticfiles_done(project: Project, values: dict[str, str]) -> bool:
    if "STATIC_ROOT" not in values:
        return False
    parts = re.findall(r"""(?:'([^'\\]*)'|"([^"\\]*)")""", values["STATIC_ROOT"])
    strings = [single or double for single, double in parts]
    if not strings:
        return False
    if strings[0].startswith("/"):
        return True  # outside the project: not applicable
    relative = "/".join(part.strip("/") for part in strings if part.strip("/"))
    folder = (project.import_root / relative).relative_to(project.root).as_posix()
    if not _in_git(project.root):
        return True  # not applicable
    gitignore = (_text(project.gitignore_path) or "").splitlines()
    patterns = {line.strip() for line in gitignore}
    if any(line.startswith("!") for line in patterns):
        return False
    if not patterns & {folder, f"/{folder}", f"{folder}/", f"/{folder}/"}:
        return False
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--", folder], cwd=project.root, capture_output=True, timeout=60
    )
    return tracked.returncode == 0 and tracked.stdout == b""


def _text(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return data.decode("utf-8-sig")


def _has_strings_after_docstring(text: str) -> bool:
    """Triple-quoted strings past the module docstring could hide lines that look like code."""
    body = text.lstrip()
    for quote in ('"""', "'''"):
        if body.startswith(quote):
            end = body.find(quote, 3)
            if end < 0:
                return True
            body = body[end + 3 :]
            break
    return '"""' in body or "'''" in body


def _without_comment(code: str) -> str:
    """One line of code without its trailing # comment (a # inside quotes is kept)."""
    quote, index = None, 0
    while index < len(code):
        char = code[index]
        if quote is not None:
            if char == "\\":
                index += 1  # the escaped character cannot close the string
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#":
            return code[:index]
        index += 1
    return code


def _same(value: str, canonical: str) -> bool:
    normal = re.sub(r"\s+", "", value).replace('"', "'")
    expected = re.sub(r"\s+", "", canonical)
    return normal == expected


def _reads_environment(value: str) -> bool:
    return _ENV_READ.search(value) is not None


def _has_key(env_text: str, key: str) -> bool:
    return re.search(rf"^\s*(?:export\s+)?{re.escape(key)}\s*=", env_text, re.MULTILINE) is not None


def _in_git(root: Path) -> bool:
    return any((folder / ".git").exists() for folder in (root, *root.parents))
