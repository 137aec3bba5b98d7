"""`refactor-app verify`: import the settings as Django would, in a subprocess: the module local
work runs (manage.py's) with the local environment (.env-local); the module production runs
(project.settings_path) production-like (no .env-local; the variables the settings read for the
host and for SECRET_KEY set to samples: DOMAIN and SECRET_KEY on the page, DJANGO_ALLOWED_HOSTS or
DJANGO_SECRET_KEY where the settings read those); and production's module again with every
variable it reads unset, where it must fail closed. Then check what production would run with."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from refactor_app.errors import RefactorError
from refactor_app.plan import State
from refactor_app.project import Project

# The env file only local work has (git ignores it), which production's runs must not read.
HIDDEN_FILE = "REFACTOR_APP_VERIFY_HIDDEN_FILE"
HIDDEN_MODULES = "REFACTOR_APP_VERIFY_HIDDEN_MODULES"  # dotted names production's runs cannot import
# Runs in the project's Python: imports the settings module, prints the values as JSON. A file
# named in HIDDEN_FILE is missing for the settings (python-dotenv, django-environ and decouple look
# with os.path.isfile / exists / os.stat, then open it).
LOADER = r"""
import importlib, json, os, sys
hidden = os.environ.pop("REFACTOR_APP_VERIFY_HIDDEN_FILE", "")
if hidden:
    import builtins, io
    def _is_hidden(path):
        try:
            return os.path.realpath(os.fspath(path)) == hidden
        except (TypeError, ValueError):
            return False
    def _missing(function, fallback=None):
        def wrapper(path, *args, **kwargs):
            if _is_hidden(path):
                if fallback is not None:
                    return fallback
                raise FileNotFoundError(2, "No such file or directory", os.fspath(path))
            return function(path, *args, **kwargs)
        return wrapper
    os.path.isfile = _missing(os.path.isfile, False)
    os.path.exists = _missing(os.path.exists, False)
    os.stat = _missing(os.stat)
    builtins.open = io.open = _missing(builtins.open)
blocked = set(filter(None, os.environ.pop("REFACTOR_APP_VERIFY_HIDDEN_MODULES", "").split(",")))
if blocked:  # local-only modules (`try: from .local import *`, local.py ignored by git)
    class _Blocked:
        def find_spec(self, name, path=None, target=None):
            if name in blocked:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None
    sys.meta_path.insert(0, _Blocked())
sys.path.insert(0, sys.argv[1])
try:
    module = importlib.import_module(sys.argv[2])
except BaseException as exc:
    print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
    sys.exit(0)
def plain(value):
    try:
        json.dumps(value)
        return value
    except TypeError:
        return repr(value)
names = ["DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SECRET_KEY", "DATABASE_URL", "MIDDLEWARE", "MIDDLEWARE_CLASSES"]
print(json.dumps({name: plain(getattr(module, name, None)) for name in names}))
"""
# Variables the page's settings read: unset before each load so the user's shell cannot leak in.
PAGE_VARIABLES = ("DJANGO_DEBUG", "DOMAIN", "DOMAIN_ALIASES", "DOMAIN_REDIRECTS", "SECRET_KEY",
                  "SECURE_SSL_REDIRECT", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")
SAMPLE_DOMAIN = "www.example.com"
SAMPLE_DATABASE_URL = "sqlite://:memory:"
# The page's variables for the host and the key, when the settings read none of their own.
HOST_VARIABLE, KEY_VARIABLE = "DOMAIN", "SECRET_KEY"
# The settings whose environment variables are unset before each load, as the page's are.
READ_SETTINGS = ("DEBUG", "ALLOWED_HOSTS", "SECRET_KEY", "SECURE_SSL_REDIRECT", "DATABASE_URL")
DJANGO_DEFAULTS = {"DEBUG": "False", "ALLOWED_HOSTS": "[]", "SECURE_SSL_REDIRECT": "False"}


@dataclass
class Load:
    name: str  # local, production
    values: dict
    secret_key_source: str
    error: str | None = None  # the settings raised this on import in this environment


@dataclass
class Verification:
    module: str  # production's
    loads: list[Load]  # local, production, unset
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    host_variable: str = HOST_VARIABLE  # the variable production's sample host is given in
    key_variable: str = KEY_VARIABLE  # the variable production's sample SECRET_KEY is given in
    local_module: str = ""  # local work's, when it is not production's
    local_env: str = ".env-local"  # the env file local work loads, as shown


class ReadVariables(NamedTuple):
    """The environment variables the settings read: for the host, for SECRET_KEY, and all of
    those READ_SETTINGS read (unset before each load, so the user's shell cannot leak in)."""

    host: str
    key: str
    every: frozenset[str]


def read_variables(project: Project) -> ReadVariables:
    """From the settings' own environment reads (helpers included), as the steps find them."""
    from refactor_app.steps.base import environment_variables
    from refactor_app.steps.secret_key import environment_block
    from refactor_app.workspace import Workspace

    ws = Workspace(project)
    read: dict[str, list[str]] = {}
    for name in READ_SETTINGS:
        ref = ws.find_setting(name)
        read[name] = environment_variables(ws, ref.settings, ref.value) if ref is not None else []
    hosts = read["ALLOWED_HOSTS"]
    host = next((v for v in hosts if v == HOST_VARIABLE), None) or next(
        (v for v in hosts if "HOST" in v.upper() or "DOMAIN" in v.upper()), HOST_VARIABLE)
    # An if/try of production's module that reads the key (steps/secret_key.py) has the last word.
    block = environment_block(ws, project.settings_path)
    if block is not None:
        read["SECRET_KEY"] = block.variables
    key = read["SECRET_KEY"][0] if read["SECRET_KEY"] else KEY_VARIABLE
    every = {variable for variables in read.values() for variable in variables}
    return ReadVariables(host, key, frozenset(every | {f"{v}_FILE" for v in every} | {host, key}))


def _provided_key(environment: dict, variable: str) -> str | None:
    """The SECRET_KEY an environment gives in `variable` (a *_FILE variable: the file's contents)."""
    value = environment.get(variable)
    if value is None or not variable.endswith("_FILE"):
        return value
    try:
        with open(value, encoding="utf-8") as handle:
            return handle.read().strip()
    except (OSError, UnicodeDecodeError):
        return None


def settings_module_name(project: Project, path=None) -> tuple[str, str]:
    """(folder to put on sys.path, dotted module name) of a settings module: production's by default."""
    path = path or project.settings_path
    try:
        relative = path.relative_to(project.import_root)
    except ValueError:
        return str(path.parent), path.stem
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return str(project.import_root), ".".join(parts)


def local_only_modules(project: Project) -> list[tuple[str, "os.PathLike"]]:
    """(dotted name, path) of each module production's settings import inside a try/if block
    (`try: from .local import *`) that git ignores: a developer's own, which production lacks."""
    from refactor_app.local_env import _git_ignores
    from refactor_app.workspace import Workspace

    ws = Workspace(project)
    found = []
    try:
        modules = ws.loaded_settings()
    except RefactorError:
        return []
    for settings in modules:
        for dotted in settings.block_contents()[1]:
            try:
                path = ws.module_file(settings.path, dotted)
            except RefactorError:
                continue
            if path is not None and _git_ignores(project.root, path):
                found.append((settings_module_name(project, path)[1], path))
    return list(dict.fromkeys(found))


def shell_environment(variables: ReadVariables, local_values: dict) -> dict[str, str]:
    """The shell's environment without any variable the settings read or local work sets
    (`local_values`), so that neither reaches a run (verify's three, check --deploy's)."""
    unset = set(PAGE_VARIABLES) | variables.every | set(local_values)
    return {key: value for key, value in os.environ.items() if key not in unset}


def _security_middleware(values: dict) -> bool:
    """Does the loaded settings' middleware list (MIDDLEWARE; MIDDLEWARE_CLASSES where MIDDLEWARE
    is unset, before Django 2.0) hold SecurityMiddleware, or can that not be told?"""
    listed = values.get("MIDDLEWARE")
    if listed is None:
        listed = values.get("MIDDLEWARE_CLASSES")
    if not isinstance(listed, list):
        return True  # unset here (Django's own default) or not a list: not this check's to judge
    return "django.middleware.security.SecurityMiddleware" in listed


# What a platform sets in every process of production, which settings test to tell it from local
# work (Heroku's template: `IS_HEROKU_APP = "DYNO" in os.environ`): set in the production-like runs.
PLATFORM_MARKERS = {
    "Heroku": {"DYNO": "web.1"}, "Render": {"RENDER": "true"}, "Fly.io": {"FLY_APP_NAME": "app"},
    "Railway": {"RAILWAY_ENVIRONMENT": "production", "RAILWAY_PUBLIC_DOMAIN": "app.up.railway.app"},
    # Google's own Django sample tells App Engine from local work by GOOGLE_CLOUD_PROJECT.
    "Google App Engine": {"GAE_ENV": "standard", "GOOGLE_CLOUD_PROJECT": "project"},
}


def platform_markers(project: Project) -> dict[str, str]:
    from refactor_app.platforms import tls_proxy_platforms

    return {name: value for platform in tls_proxy_platforms(project.root)
            for name, value in PLATFORM_MARKERS.get(platform, {}).items()}


def _local_env_shown(project: Project) -> str:
    """The env files the local run loads (those that are there; the one local values go to first),
    for the table's heading."""
    local = project.local_env
    files = [project.display(path) for path in (local.path, *local.others) if path.is_file()]
    return ", ".join(dict.fromkeys(files)) or "no env file"


def image_environment(project: Project, variables: ReadVariables) -> dict[str, str]:
    """What the production image's ENV lines set of the variables the settings read: every
    container has them, so the production runs do too (fly launch's `ENV SECRET_KEY "..."`)."""
    from refactor_app.editors import dockerfile
    from refactor_app.textfile import read_bytes

    path = project.dockerfile_path
    try:
        data = read_bytes(path, project.display(path), project.limits)
        text = data.decode("utf-8", errors="replace") if data is not None else ""
        if not any(name in text for name in variables.every) or dockerfile.uses_heredocs(text):
            return {}
        stage = dockerfile.final_stage(dockerfile.instructions(text))
    except Exception:  # noqa: BLE001  (an unreadable or odd Dockerfile: status and apply report it)
        return {}
    return {name: env.value for name, env in dockerfile.image_environment(stage).items()
            if name in variables.every and name != "DJANGO_SETTINGS_MODULE" and "$" not in env.value}


def production_samples(variables: ReadVariables, scratch: str) -> dict[str, str]:
    """What production sets, as samples: its host, its own SECRET_KEY (long enough for check
    --deploy; in a file under `scratch` for a *_FILE variable) and its database (so env.db() and
    os.environ['DATABASE_URL'] import)."""
    key_value = sample_key = "verify-" + secrets.token_urlsafe(40)
    if variables.key.endswith("_FILE"):  # SECRET_KEY_FILE: a path to a file holding the key
        key_value = os.path.join(scratch, "secret_key")
        with open(key_value, "w", encoding="utf-8") as handle:
            handle.write(sample_key + "\n")
    return {variables.host: SAMPLE_DOMAIN, variables.key: key_value, "DATABASE_URL": SAMPLE_DATABASE_URL}


class LocalOnly(NamedTuple):
    """What production's runs go without: a .env only local work has, and the git-ignored
    modules the settings import inside try/if (dotted name, file)."""

    env_file: Path | None
    modules: list[tuple[str, Path]]

    def hiding(self) -> dict[str, str]:
        """The variables that tell LOADER to hide them."""
        hiding = {}
        if self.env_file is not None:
            hiding[HIDDEN_FILE] = os.path.realpath(self.env_file)
        if self.modules:
            hiding[HIDDEN_MODULES] = ",".join(dotted for dotted, _ in self.modules)
        return hiding


def production_leaves_out(project: Project) -> LocalOnly:
    from refactor_app import local_env

    return LocalOnly(local_env.local_only(project), local_only_modules(project))

def verify_project(project: Project, python: str) -> Verification:
    from refactor_app import api, local_env

    folder, module = settings_module_name(project)
    # secret-key's plan says whether the key is committed; ssl-redirect's, whether the redirect
    # loops behind the platform's proxy (a warning, as apply gives it: verify checks only that the
    # redirect is on).
    plan = api.make_plan(project, ["debug", "secret-key", "ssl-redirect"])  # their warnings too
    hard_coded = next(result for result in plan.results if result.name == "secret-key").state is State.PENDING
    variables = read_variables(project)
    local_values = local_env.values(project)  # what local work loads: compose's env_file, .env-local, ...
    clean = shell_environment(variables, local_values)
    left_out = production_leaves_out(project)
    hiding = left_out.hiding()
    with tempfile.TemporaryDirectory(prefix="refactor-app-verify-") as scratch:
        samples = production_samples(variables, scratch)
        markers = platform_markers(project)  # the platform's own, never missing in production
        image = image_environment(project, variables)  # the image's ENV: in every container
        local_folder, local_module = settings_module_name(project, project.local_path)
        environments = {
            "local": (local_folder, local_module, {**clean, **local_values}),
            "production": (folder, module, {**clean, **markers, **image, **samples, **hiding}),
            "unset": (folder, module, {**clean, **markers, **image, **hiding}),
        }
        loads = []
        for name, (load_folder, load_module, environment) in environments.items():
            environment["DJANGO_SETTINGS_MODULE"] = load_module
            values = _load(python, load_folder, load_module, environment, project)
            error = values.pop("error", None)
            provided = _provided_key(environment, variables.key)
            if error:
                source = "-"
            elif values.get("SECRET_KEY") is None:
                source = "not set"
            elif name != "local" and image.get(variables.key) is not None and values["SECRET_KEY"] == image[variables.key]:
                source = "the image's ENV (committed)"
            elif provided is not None and values["SECRET_KEY"] == provided:
                source = "environment"
            else:
                source = "hard-coded in settings" if hard_coded else "fallback in settings"
            loads.append(Load(name, values, source, error))

    verification = Verification(module, loads, host_variable=variables.host, key_variable=variables.key,
                                local_module=local_module if local_module != module else "",
                                local_env=_local_env_shown(project))
    production, unset = loads[1], loads[2]
    if production.error:
        pass  # said below; the values are unknown
    elif production.values.get("DEBUG"):  # Django's `if settings.DEBUG`: a string such as "False" is on
        verification.problems.append("production would run with DEBUG on")
    hosts = production.values.get("ALLOWED_HOSTS") or []
    if not production.error and isinstance(hosts, list) and "*" in hosts:
        verification.problems.append("production would accept any host: ALLOWED_HOSTS contains '*'")
    if not production.error and not production.values.get("SECURE_SSL_REDIRECT"):
        verification.problems.append("production would not redirect to HTTPS: SECURE_SSL_REDIRECT is off")
    elif not production.error and not _security_middleware(production.values):
        verification.problems.append("production would not redirect to HTTPS: SECURE_SSL_REDIRECT is on, but MIDDLEWARE "
                                     "lacks django.middleware.security.SecurityMiddleware, which acts on it")
    if not production.error and production.secret_key_source != "environment":
        verification.problems.append(
            f"production would not use its own SECRET_KEY: the settings ignore the {variables.key} variable"
        )
    # Fail closed: with the variables unset, production's module must still be safe (or refuse
    # to import, which is closed too: nothing runs).
    if not unset.error:
        unsafe = []
        if unset.values.get("DEBUG"):
            unsafe.append("DEBUG on")
        unset_hosts = unset.values.get("ALLOWED_HOSTS") or []
        if isinstance(unset_hosts, list) and "*" in unset_hosts:
            unsafe.append("'*' in ALLOWED_HOSTS")
        if not unset.values.get("SECURE_SSL_REDIRECT"):
            unsafe.append("no HTTPS redirect")
        if unset.secret_key_source == "the image's ENV (committed)":
            unsafe.append(f"the SECRET_KEY {project.display(project.dockerfile_path)}'s ENV line commits")
        if unsafe:
            verification.problems.append(
                f"with the variables it reads unset, production would run with {', '.join(unsafe)}: "
                "a deployment that forgets one is not safe"
            )
    for load in loads:
        if load.error and load.name != "unset":
            hint = ""
            if load.name == "production":
                hint = (f" (this environment sets only {variables.host}, {variables.key} and DATABASE_URL: another "
                        "variable the settings read without a fallback fails here)")
            verification.problems.append(
                f"the settings cannot be imported in the {load.name} environment: {load.error}{hint}"
            )
    verification.warnings = plan.warnings  # the committed key; the redirect loop
    if markers:
        shown = ", ".join(f"{name}={value}" for name, value in markers.items())
        verification.notes.append(f"the production runs set {shown}, as the platform does in every production process")
    if image:
        verification.notes.append(f"the production runs set {', '.join(image)} as {project.display(project.dockerfile_path)}'s "
                                  "ENV lines do in every container of the image (the production-like run's samples "
                                  "come after them)")
    dotenv_file = dotenv_read_by_settings(project)
    for _, path in left_out.modules:
        verification.notes.append(
            f"the production runs leave out {project.display(path)}, which the settings import inside a try/if block "
            "and git ignores: production does not have it"
        )
    if left_out.env_file is not None:
        verification.notes.append(
            f"the settings also read {project.display(left_out.env_file)}, local work's env file ({project.local_env.how}): "
            "the local run has it, the production runs do not (git ignores it, and no image copies it)"
        )
    elif dotenv_file:
        verification.notes.append(
            f"the settings also read {dotenv_file.path} ({READER_NAMES[dotenv_file.reader]}), in both runs "
            "above: what it sets counts in production too if the file is in the image"
        )
    return verification


READER_NAMES = {"decouple": "python-decouple finds it by itself", "environ": "django-environ's read_env"}


class DotenvFile(NamedTuple):
    path: str  # as shown
    reader: str  # "decouple" or "environ"


def dotenv_read_by_settings(project: Project) -> DotenvFile | None:
    """The project's .env when the settings read it themselves: python-decouple's config looks for
    a settings.ini or .env beside the settings module and in each folder above; django-environ reads
    one where the settings call read_env (here: beside the settings, or in a folder above up to the
    project)."""
    from refactor_app.workspace import Workspace

    ws = Workspace(project)
    for settings in ws.loaded_settings():
        kinds = {binding.kind for binding in settings.reader_bindings}
        if b"read_env" in settings.original:
            kinds.add("environ")
        folder = settings.path.parent
        while True:
            # decouple takes a settings.ini before a .env in the same folder
            for kind, name in (("decouple", "settings.ini"), ("decouple", ".env"), ("environ", ".env")):
                candidate = folder / name
                if kind in kinds and candidate.is_file():
                    return DotenvFile(project.display(candidate), kind)
            if folder == project.root or folder.parent == folder:
                break
            folder = folder.parent
    return None


def _load(python: str, folder: str, module: str, environment: dict, project: Project) -> dict:
    try:
        result = subprocess.run(
            [python, "-c", LOADER, folder, module], env=environment, capture_output=True, text=True,
            timeout=120, cwd=project.root,
        )
    except FileNotFoundError:
        raise RefactorError(f"--python {python}: no such program; pass your project's Python.") from None
    except subprocess.TimeoutExpired:
        raise RefactorError(f"importing {module} took over 2 minutes; check what the settings do at import.") from None
    try:
        values = json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        values = {"error": (result.stderr.strip().splitlines() or ["no output"])[-1]}
    error = values.get("error", "")
    if error:
        values["error"] = error = masked(error)  # printed: a settings file's exception may quote a URL
    if error.startswith(("ModuleNotFoundError", "ImportError")):
        raise RefactorError(
            f"cannot import the settings module {module} with {python} ({error}); run verify with "
            "the project's own Python, where its packages are installed: refactor-app verify --python path/to/venv/bin/python"
        )
    return values


def _shown(value, name: str = "") -> str:
    """Python's spelling (True, ['a']); passwords in URLs masked; Django's default for unset."""
    if value is None and name in DJANGO_DEFAULTS:
        return f"{DJANGO_DEFAULTS[name]} (Django's default)"
    return masked(value if isinstance(value, str) else repr(value))


# scheme://user:PASSWORD@host: the user may be empty, the password may hold "@" (the last "@"
# before the host ends the password), and an "@" further on, in the path or query, is not it.
_URL_PASSWORD = re.compile(r"""(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'":/]*:)[^\s'"]*?@(?=[^\s'"@/?#]*(?:[/?#\s'"]|$))""")
# ?password=..., &sslpassword=..., ;PASSWORD=... in a query string or a DSN, in any case.
_QUERY_PASSWORD = re.compile(r"""([?&;](?:[\w.-]*password|passwd|pwd)=)[^&;#\s'"]*""", re.IGNORECASE)


def masked(text: str) -> str:
    """`text` with every password a URL or query string holds replaced by ***."""
    if "://" not in text and "=" not in text:
        return text
    return _QUERY_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", text))


def rows(verification: Verification) -> list[tuple[str, ...]]:
    table = []
    for name in ("DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "DATABASE_URL"):
        table.append(tuple([name] + [_cell(load, name) for load in verification.loads]))
    table.append(("SECRET_KEY from", *(load.secret_key_source for load in verification.loads)))
    return table


def _cell(load: Load, name: str) -> str:
    if load.error:
        return "(refuses to import)" if load.name == "unset" else "(import failed)"
    return _shown(load.values.get(name), name)


def render_verification(out, verification: Verification) -> None:
    title = f"refactor-app verify: {verification.module}"
    if verification.local_module:
        title += f" (production), {verification.local_module} (local)"
    header = ("setting", f"local ({verification.local_env})",
              f"production-like ({verification.host_variable}={SAMPLE_DOMAIN}, {verification.key_variable} set)",
              "production, variables unset")
    if out.is_terminal:
        from rich.markup import escape
        from rich.table import Table

        table = Table(title=title, title_justify="left")
        for column in header:
            table.add_column(column, overflow="fold")
        for row in rows(verification):
            table.add_row(*(escape(cell) for cell in row))
        out.console.print(table)
    else:
        widths = [max(len(r[i]) for r in [header, *rows(verification)]) for i in range(len(header))]
        lines = [title] + ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
                           for row in [header, *rows(verification)]]
        out.line("\n".join(lines))
    for warning in verification.warnings:
        out.line(f"Warning: {warning}")
    for note in verification.notes:
        out.line(f"Note: {note}")
    if verification.problems:
        for problem in verification.problems:
            out.line(f"Problem: {problem}")
    else:
        out.line("OK: production runs with DEBUG off, only its own hosts and its own SECRET_KEY.")
