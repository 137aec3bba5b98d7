"""What local development loads: the env file the steps write local values to (DJANGO_DEBUG=True,
DOMAIN_ALIASES=localhost, 127.0.0.1, SECURE_SSL_REDIRECT=False, ...).

Local work runs manage.py's settings module (Project.local_path). The first of these is where local
values go (README.md, "The env file local work loads"):

1. a local compose file (docker-compose.local.yml, local.yml, then docker-compose.yml / compose.yaml;
   never a production one, see deployment.PRODUCTION_COMPOSE, nor a docker-compose.yml whose web
   service runs production's server without reloading): the web service's `env_file`;
2. an env file the settings (or manage.py) read themselves: python-dotenv's `load_dotenv(...)`
   (with a path, or find_dotenv's search upwards), django-environ's `read_env(...)` (with a path,
   or the .env beside the calling module), python-decouple's `config` (the nearest settings.ini or
   .env from the settings' folder up). Only one git ignores: the settings read it in production
   too wherever it is, and a committed one is in every build, where DJANGO_DEBUG=True would turn
   DEBUG on;
3. compose with a web service and no env file: `.env-local`, named in that service's env_file
   (as the tutorial's docker-compose.yml does);
4. a Procfile and no compose: `.env`, which `heroku local` (and foreman, honcho) load beside it,
   unless a `.env-local` is there already, or the Procfile's processes load `.env` themselves
   (`pipenv run`, `dotenv run`) and git does not ignore it: production would load it too; and one
   note with the command that loads it for `manage.py runserver`;
5. nothing: `.env-local`, and one note with a command that loads it (python-dotenv's CLI).

A production or example env file (`.env.prod`, `.env.example`, `*-sample`, `*.dist`,
`.envs/.production/*`) never takes local values. Every file local work loads counts when a step
asks whether a variable is set already: a value the project's own local environment sets is kept.

Only reads, and asks git (check-ignore) about an env file the settings read; nothing here writes.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path
from typing import NamedTuple

from refactor_app.deployment import (
    PRODUCTION_COMPOSE, PRODUCTION_WORDS, _env_files, _read_text, _yaml, compose_environment,
)
from refactor_app.textfile import is_regular_file, lexists, may_exist

DEFAULT_NAME = ".env-local"  # Divio's: what the tutorial's docker-compose.yml names
PROCFILE_ENV = ".env"  # what `heroku local`, foreman and honcho load from the Procfile's folder
HEROKU_LOCAL = "heroku local loads it with the Procfile"
# A Procfile process that loads .env itself: production's dynos would load it too.
LOADS_DOTENV = re.compile(r"\bpipenv\s+run\b|\bdotenv\b|--env-file\b|\bhoncho\b|\bforeman\b|"
                          r"(?:^|[\s;&|(])(?:\.|source)\s+\S*\.env\b")
# Compose files local work runs, most specific first (`docker compose -f docker-compose.local.yml up`,
# cookiecutter-django's local.yml), then the default ones and the override compose merges into them.
LOCAL_COMPOSE = (
    "docker-compose.local.yml", "docker-compose.local.yaml", "compose.local.yml", "compose.local.yaml",
    "local.yml", "local.yaml", "docker-compose.dev.yml", "docker-compose.dev.yaml", "compose.dev.yml",
    "compose.dev.yaml", "docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml",
    "docker-compose.override.yml", "docker-compose.override.yaml", "compose.override.yml", "compose.override.yaml",
)
# An env file named for production, an example to copy, or tests: never written with local values.
NOT_LOCAL_WORDS = re.compile(
    r"(?:^|[._-])(?:prod|production|live|release|staging|example|examples|sample|dist|template|tpl|tmpl|"
    r"defaults?|test|testing|ci)(?:$|[._-])", re.IGNORECASE)
# What a web service runs, in its command or entrypoint; and names a web service goes by.
SERVER_WORDS = re.compile(r"manage\.py|runserver|gunicorn|uvicorn|daphne|uwsgi|hypercorn|granian|/start\b")
# Production's servers; a compose file named for no stage (docker-compose.yml) whose web service
# runs one, without reloading, is how production runs (`docker compose up -d` on a server).
PRODUCTION_SERVERS = re.compile(r"\b(?:gunicorn|uvicorn|daphne|uwsgi|hypercorn|granian)\b")
RELOADING = re.compile(r"--reload\b|--py-autoreload|runserver")
# The compose files named for no stage: the ones whose service's command says which stage they run.
UNNAMED_STAGE = ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml")
WEB_NAMES = ("web", "django", "app", "backend", "api", "server", "site", "website")


class ComposeService(NamedTuple):
    compose: Path  # the compose file
    service: str


class LocalEnv(NamedTuple):
    path: Path  # where local values are written (created when missing)
    how: str  # how local work loads it, as the user reads it ("" when nothing does)
    loaded: bool  # False: nothing in the project loads `path` (the note's case)
    # compose's service whose env_file gets `path`'s name when a local value is written there.
    name_in: ComposeService | None = None
    others: tuple[Path, ...] = ()  # the other env files local work loads: what they set is set
    environment: tuple[tuple[str, str], ...] = ()  # the web service's compose `environment`: set too
    environment_where: str = ""  # "docker-compose.yml's service web", as shown
    why_not: tuple[str, ...] = ()  # env files local work loads that cannot take local values, and why


def is_not_local(relative: str) -> bool:
    """Is the file (a path relative to the project) named for production, an example or tests?"""
    return any(NOT_LOCAL_WORDS.search(part) for part in Path(relative).parts)


def find(project) -> LocalEnv:
    """The env file local work loads for `project` (a refactor_app.project.Project)."""
    root, boundary = project.root, project.limits
    settings_read = _settings_read_files(project)
    read_paths = tuple(read.path for read in settings_read)
    why_not: list[str] = []

    def writable(path: Path, how: str, partial: str = "") -> bool:
        shown = _shown(path, root)
        if is_not_local(shown):
            why_not.append(f"{shown} ({how}) is named for production, as an example or for tests")
        elif not boundary.contains(path):
            why_not.append(f"{shown} ({how}) is outside {boundary.name}")
        elif not path.parent.is_dir():
            why_not.append(f"{shown} ({how}) is in a folder that does not exist")
        elif partial:
            why_not.append(f"{shown} ({how}): {partial}, which never sees it")
        elif path in read_paths and not _git_ignores(root, path):
            why_not.append(f"{shown} ({how}) is read by the settings themselves and git does not ignore it: local "
                           "values there would reach every build of the repository, production's too")
        elif path in read_paths and (dockerfile := _image_copies(root, path)):
            why_not.append(f"{shown} ({how}) is read by the settings themselves and {dockerfile}'s build would copy it "
                           "into the image (.dockerignore does not name it)")
        elif path in read_paths and _gcloud_uploads(root, path):
            why_not.append(f"{shown} ({how}) is read by the settings themselves and {GCLOUD_UPLOADS}")
        else:
            return True
        return False

    compose = _web_service(root, boundary, why_not)
    compose_files = tuple(compose.env_files) if compose else ()
    environment = tuple(compose.environment.items()) if compose else ()
    environment_where = f"{compose.display}'s service {compose.service}" if compose else ""

    def found(path: Path, how: str, name_in: ComposeService | None = None) -> LocalEnv:
        others = tuple(dict.fromkeys(other for other in (*compose_files, *read_paths) if other != path))
        return LocalEnv(path, how, True, name_in, others, environment, environment_where, tuple(why_not))

    for path in compose_files:
        if writable(path, f"{compose.display}'s env_file"):
            return found(path, f"{environment_where} loads it (env_file)")
    for read in settings_read:
        if writable(read.path, read.how, read.partial):
            return found(read.path, f"the settings load it ({read.how})")
    default = root / DEFAULT_NAME
    if compose is not None and not compose_files and _can_name(compose.path, compose.service, boundary, root):
        return found(default, f"{environment_where} loads it (env_file)", ComposeService(compose.path, compose.service))
    if compose is None and (procfile_env := _procfile_env(project, read_paths, writable, why_not)) is not None:
        return found(procfile_env, HEROKU_LOCAL)
    return LocalEnv(default, "", False, None, tuple(dict.fromkeys((*compose_files, *read_paths))), environment,
                    environment_where, tuple(why_not))


def _procfile_env(project, read_paths: tuple[Path, ...], writable, why_not: list[str]) -> Path | None:
    """`.env` beside a Procfile, where `heroku local` reads local work's values; None where it
    must not take them, or an earlier run (or the user) keeps them in `.env-local` already."""
    root = project.root
    procfile = root / "Procfile"
    if not may_exist(os.path.join(root, "Procfile")) or not is_regular_file(procfile, "Procfile") \
            or lexists(root / DEFAULT_NAME):
        return None
    path = root / PROCFILE_ENV
    if path in read_paths:  # the settings read it themselves: rule 2 took it, or said why not
        return None
    text = _read_text(procfile, root, project.limits)
    if text is None:
        return None
    loader = LOADS_DOTENV.search(text)
    if loader and not _git_ignores(root, path):
        why_not.append(f"{PROCFILE_ENV} (heroku local's env file): the Procfile's processes load it too "
                       f"({loader.group().strip()}) and git does not ignore it, so local values there would reach "
                       "production")
        return None
    return path if writable(path, "heroku local's env file") else None


def values(project) -> dict[str, str]:
    """What local work's environment sets, as local_values.local_environment reads it (files on
    disk): the other env files, the one local values go to, then compose's `environment`."""
    from dotenv import dotenv_values

    local = project.local_env
    found: dict[str, str] = {}
    for path in (*reversed(local.others), local.path):
        if path.is_file() and project.limits.contains(path):
            found.update({key: value or "" for key, value in dotenv_values(path).items()})
    found.update(dict(local.environment))
    return found


def local_only(project) -> Path | None:
    """The env file local values go to when the settings read it themselves (git ignores it and no
    image copies it): production's runs must not see it."""
    local = project.local_env
    return local.path if local.loaded and local.how.startswith("the settings load it") else None


def default(root: Path) -> LocalEnv:
    """Before discovery has looked (a Project made by hand): `.env-local`, loaded by nothing known."""
    return LocalEnv(root / DEFAULT_NAME, "", False)


# --- compose --------------------------------------------------------------------------------------

class _WebService(NamedTuple):
    path: Path  # the compose file
    display: str
    service: str
    env_files: list[Path]
    environment: dict[str, str]


def _web_service(root: Path, boundary, why_not: list[str] | None = None) -> _WebService | None:
    """The service that runs Django in the first local compose file that has one. A compose file
    named for no stage whose service runs production's server (gunicorn, not reloading) is
    production's: its env_file never takes local values (DJANGO_DEBUG=True would reach the
    deployment), and why is added to `why_not`."""
    for name in LOCAL_COMPOSE:
        # A FIFO or a device in its place is refused (a plain error), never opened.
        if PRODUCTION_COMPOSE.match(name) or not may_exist(os.path.join(root, name)) \
                or not is_regular_file(root / name, name):
            continue
        document = _yaml(root / name, root, boundary)
        services = document.get("services") if isinstance(document, dict) else None
        if not isinstance(services, dict):
            continue
        service = _django_service(services)
        if service is None:
            continue
        definition = services[service]
        if name in UNNAMED_STAGE:
            commands = _commands(definition)
            server = PRODUCTION_SERVERS.search(commands)
            if server and not RELOADING.search(commands):
                if why_not is not None:
                    why_not.append(f"{name}'s service {service} runs {server.group()}, as production does, so its "
                                   "environment is production's")
                continue
        env_files = [Path(os.path.normpath(root / path)) for path in _env_files(definition.get("env_file"))]
        return _WebService(root / name, name, service, env_files, compose_environment(definition.get("environment")))
    return None


def _commands(service: dict) -> str:
    """What a compose service runs: its command and entrypoint, as one text to search."""
    return " ".join(str(service.get(key) or "") for key in ("command", "entrypoint"))


def _django_service(services: dict) -> str | None:
    """The service that runs Django: one whose command runs a server or manage.py, else one named
    like a web service, else the only one built from the project. None for none (or only
    services named for production)."""
    candidates = {str(name): value for name, value in services.items()
                  if isinstance(value, dict) and not PRODUCTION_WORDS.search(str(name))}
    for name, service in candidates.items():
        if SERVER_WORDS.search(_commands(service)):
            return name
    for web_name in WEB_NAMES:
        if web_name in candidates:
            return web_name
    built = [name for name, service in candidates.items() if "build" in service]
    return built[0] if len(built) == 1 else None


def _can_name(compose: Path, service: str, boundary, root: Path) -> bool:
    """Can `env_file: .env-local` be added to the service as one line?"""
    from refactor_app.editors.compose import add_env_file
    from refactor_app.textfile import detect_newline

    text = _read_text(compose, root, boundary)
    if text is None or not boundary.contains(compose):
        return False
    return add_env_file(text, service, DEFAULT_NAME, detect_newline(text)) is not None


# --- env files the settings read themselves ------------------------------------------------------

class SettingsRead(NamedTuple):
    path: Path
    how: str  # "python-dotenv's load_dotenv in mysite/settings.py"
    # Why the settings do not see all of it through the environment: python-decouple keeps a .env's
    # values to its own config(), and reads of os.environ never see them.
    partial: str = ""


# A read of os.environ (or os.getenv) by the settings, besides python-decouple's config.
ENVIRON_READ = re.compile(rb"environ\s*(?:\.get\s*\(|\[)|getenv\s*\(")


def _settings_read_files(project) -> list[SettingsRead]:
    """The env files manage.py and the settings local work runs (with the modules they
    star-import) load into the environment, in the order they run."""
    found: list[SettingsRead] = []
    chain = _module_chain(project, project.local_path)
    modules = ([project.manage_path] if project.manage_path is not None else []) + chain
    for file, how, path in _env_file_loads(project, modules):
        if file in {read.path for read in found}:
            continue
        partial = ""
        if how == DECOUPLE and any(ENVIRON_READ.search(_read(module, project) or b"") for module in chain):
            partial = "python-decouple gives its values to config() only, and the settings also read os.environ"
        found.append(SettingsRead(file, f"{how} in {_shown(path, project.root)}", partial))
    return found


def _env_file_loads(project, modules: list[Path]):
    """(env file, how, module) for each env file `modules` load when imported, in order."""
    for path in modules:
        data = _read(path, project)
        if data is None or not any(word in data for word in LOADER_WORDS):
            continue
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for file, how in _loads(tree, path, _module_values(project, path), project):
            yield file, how, path


LOADER_WORDS = (b"dotenv", b"read_env", b"decouple")  # a module without them loads no env file


class ShippedEnvFile(NamedTuple):
    path: Path
    loaded: str  # "the settings load it (django-environ's read_env in mysite/settings.py)"
    shipped: str  # "Dockerfile's build copies it into the image (...)"
    fix: str  # "add .env to .dockerignore"


def shipped_env_files(project) -> list[ShippedEnvFile]:
    """The env files production loads, and how they reach it: one production's settings load
    themselves that an image build copies (.dockerignore does not name it; .gitignore is no help
    to `fly deploy` or `docker build`, which send the folder as it is) or `gcloud app deploy`
    uploads; a `.env` the Procfile's processes load (`pipenv run`) that git commits."""
    found = []
    seen: set[Path] = set()
    for entry in project.settings_paths:
        for file, how, path in _env_file_loads(project, _module_chain(project, entry)):
            if file in seen or not file.is_file() or not project.limits.contains(file):
                continue
            seen.add(file)
            shown = _shown(file, project.root)
            loaded = f"the settings load it ({how} in {_shown(path, project.root)})"
            if dockerfile := _image_copies(project.root, file):
                found.append(ShippedEnvFile(
                    file, loaded, f"{dockerfile}'s build copies it into the image (.dockerignore does not name "
                    "it, and git ignoring it does not keep it out of a build from your folder)",
                    f"add {shown} to .dockerignore"))
            elif _gcloud_uploads(project.root, file):
                found.append(ShippedEnvFile(file, loaded, GCLOUD_UPLOADS, f"add {shown} to .gcloudignore"))
    dotenv = project.root / PROCFILE_ENV
    procfile = _read_text(project.root / "Procfile", project.root, project.limits) \
        if may_exist(os.path.join(project.root, "Procfile")) else None
    loader = LOADS_DOTENV.search(procfile) if procfile else None
    if loader and dotenv not in seen and dotenv.is_file() and not _git_ignores(project.root, dotenv):
        found.append(ShippedEnvFile(
            dotenv, f"the Procfile's processes load it ({loader.group().strip()})",
            "git commits it, so every deploy of the repository has it",
            f"keep local values out of it: git rm --cached {PROCFILE_ENV} and add it to .gitignore"))
    return found


GCLOUD_UPLOADS = "`gcloud app deploy` uploads it (.gcloudignore does not name it)"


def _gcloud_uploads(root: Path, path: Path) -> bool:
    """Would App Engine's deploy upload `path`? gcloud sends every file but those .gcloudignore
    names (with `#!include:.gitignore`, git's ignores too); without a .gcloudignore, those git ignores."""
    from refactor_app.platforms import APP_ENGINE_RUNTIME, _text

    if not APP_ENGINE_RUNTIME.search(_text(root / "app.yaml")):
        return False
    ignore = root / ".gcloudignore"
    if not may_exist(ignore) or not ignore.is_file():
        return not _git_ignores(root, path)
    text = _text(ignore)
    if "#!include:.gitignore" in text and _git_ignores(root, path):
        return False
    import pathspec

    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return not pathspec.PathSpec.from_lines("gitwildmatch", lines).match_file(os.path.relpath(path, root).replace(os.sep, "/"))


def _read(path: Path, project) -> bytes | None:
    from refactor_app.errors import RefactorError
    from refactor_app.textfile import read_bytes

    try:
        return read_bytes(path, _shown(path, project.root), project.limits)
    except (RefactorError, OSError):
        return None


def _module_chain(project, start: Path, seen: frozenset = frozenset()) -> list[Path]:
    """`start` and the project modules it star-imports (depth first, as they run)."""
    if start in seen or len(seen) > 20:
        return []
    data = _read(start, project)
    try:  # most settings star-import nothing: parsed only when one may
        tree = ast.parse(data) if data is not None and STAR_IMPORT.search(data) else None
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    chain: list[Path] = []
    for node in _top_level(tree.body if tree is not None else []):
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            imported = _import_file(project, start, "." * node.level + (node.module or ""))
            if imported is not None:
                chain += _module_chain(project, imported, seen | {start})
    return [start, *(path for path in chain if path != start)]


STAR_IMPORT = re.compile(rb"\bimport\s*\*")


def _import_file(project, importer: Path, dotted: str) -> Path | None:
    if not dotted.startswith("."):
        return project.module_path(dotted)
    level = len(dotted) - len(dotted.lstrip("."))
    package = importer.parent
    for _ in range(level - 1):
        package = package.parent
    rest = dotted.lstrip(".")
    base = package.joinpath(*rest.split(".")) if rest else package
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file() and project.limits.contains(candidate):
            return candidate.resolve()
    return None


def _top_level(body: list[ast.stmt], flags: frozenset[str] | None = None):
    """Statements that run when the module is imported: module level, and inside try blocks,
    `if` blocks that only check the file is there (`if os.path.exists(env_file):`), and `if FLAG:`
    blocks whose flag is on unless a variable says otherwise (`READ_DOT_ENV_FILE =
    env.bool("DJANGO_READ_DOT_ENV_FILE", default=True)`; cookiecutter-django's default is False)."""
    if flags is None:
        flags = _on_by_default(body)
    for node in body:
        yield node
        if isinstance(node, ast.Try):
            yield from _top_level(node.body, flags)
        elif isinstance(node, ast.If) and (_checks_existence(node.test)
                                           or (isinstance(node.test, ast.Name) and node.test.id in flags)):
            yield from _top_level(node.body, flags)


def _on_by_default(body: list[ast.stmt]) -> frozenset[str]:
    """Module-level names set by a call whose default is True: `env.bool("X", default=True)`,
    `config("X", default=True, cast=bool)`, `env.bool("X", True)`."""
    found = set()
    for node in body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Call):
            call = node.value
            default = next((keyword.value for keyword in call.keywords if keyword.arg == "default"),
                           call.args[1] if len(call.args) > 1 else None)
            if isinstance(default, ast.Constant) and default.value is True:
                found.add(node.targets[0].id)
    return frozenset(found)


def _checks_existence(test: ast.expr) -> bool:
    return any(isinstance(node, ast.Call) and _name(node.func) in ("exists", "isfile", "is_file")
               for node in ast.walk(test))


def _module_values(project, path: Path) -> dict[str, tuple[ast.expr, Path]]:
    """Module-level names of `path` and the modules it star-imports (BASE_DIR from base.py), each
    with the file whose `__file__` it means."""
    values: dict[str, tuple[ast.expr, Path]] = {}
    for module in reversed(_module_chain(project, path)):
        data = _read(module, project)
        try:
            tree = ast.parse(data) if data is not None else None
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in _top_level(tree.body if tree is not None else []):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        values[target.id] = (node.value, module)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
                values[node.target.id] = (node.value, module)
    return values


def _loads(tree: ast.Module, module: Path, values: dict, project):
    """(env file, how) for each load at import time in `tree`: python-dotenv, django-environ,
    django-dotenv, python-decouple."""
    folder = module.parent
    cwd = project.import_root  # manage.py runs from its folder
    decouple = _decouple_config_names(tree)
    decouple_found = False
    for statement in _top_level(tree.body):
        if hasattr(statement, "body"):
            continue  # a block: _top_level yields the parts of it that run
        for node in _expressions(statement):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            argument = _argument(node, 0, ("dotenv_path", "env_file", "path"))
            if name in ("load_dotenv", "read_dotenv"):
                reader = "python-dotenv's load_dotenv" if name == "load_dotenv" else "django-dotenv's read_dotenv"
                if argument is None or _is_find_dotenv(argument):
                    found = _find_upwards(folder, cwd, argument, project)
                else:
                    found = _as_path(argument, values, module, cwd)
                if found is not None:
                    yield found, reader
            elif name == "read_env":
                found = folder / ".env" if argument is None else _as_path(argument, values, module, cwd)
                if found is not None:
                    yield found, "django-environ's read_env"
            elif decouple is None or decouple_found:
                continue
            elif name == "AutoConfig":
                search = _argument(node, 0, ("search_path",))
                start = _as_path(search, values, module, cwd) if search is not None else folder
                found = _decouple_file(start, project) if start is not None else None
                decouple_found = True
                if found is not None:
                    yield found, DECOUPLE
            elif name == "RepositoryEnv" and argument is not None:
                found = _as_path(argument, values, module, cwd)
                decouple_found = True
                if found is not None:
                    yield found, DECOUPLE
            elif name in decouple and node.args:
                found = _decouple_file(folder, project)  # AutoConfig looks once, from the first caller
                decouple_found = True
                if found is not None:
                    yield found, DECOUPLE


DECOUPLE = "python-decouple's config"


def _expressions(statement: ast.stmt):
    """The nodes of a simple statement, lambdas' bodies left out (they run later, if ever)."""
    pending = [statement]
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, ast.Lambda):
            pending.extend(reversed(list(ast.iter_child_nodes(node))))


def _decouple_config_names(tree: ast.Module) -> tuple[str, ...] | None:
    """The names python-decouple's config is called by (`config`, `decouple.config`, an alias);
    None when the module does not import decouple."""
    names: list[str] | None = None
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "decouple" and node.level == 0:
            names = (names or []) + [alias.asname or alias.name for alias in node.names if alias.name == "config"]
        elif isinstance(node, ast.Import) and any(alias.name == "decouple" for alias in node.names):
            names = (names or []) + ["config"]  # decouple.config(...)
    return tuple(names) if names is not None else None


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _argument(call: ast.Call, position: int, keywords: tuple[str, ...]) -> ast.expr | None:
    if len(call.args) > position and not isinstance(call.args[position], ast.Starred):
        return call.args[position]
    return next((keyword.value for keyword in call.keywords if keyword.arg in keywords), None)


def _is_find_dotenv(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and _name(node.func) == "find_dotenv"


def _find_upwards(folder: Path, cwd: Path, argument: ast.expr | None, project) -> Path | None:
    """find_dotenv: the nearest file named so (`.env`) from the caller's folder (or the working
    folder, with usecwd=True) up; the project folder's when there is none yet."""
    filename, start = ".env", folder
    if argument is not None:
        name = _argument(argument, 0, ("filename",))
        if name is not None:
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                return None
            filename = name.value
        usecwd = _argument(argument, 2, ("usecwd",))
        if isinstance(usecwd, ast.Constant) and usecwd.value:
            start = cwd
    return _nearest(start, (filename,), project) or project.root / filename


def _decouple_file(start: Path, project) -> Path | None:
    """python-decouple's AutoConfig: the nearest settings.ini or .env from `start` up (settings.ini
    first in a folder); the project folder's .env when there is none yet. An ini file is not an env file."""
    found = _nearest(start, ("settings.ini", ".env"), project)
    if found is not None:
        return found if found.name == ".env" else None
    return project.root / ".env"


def _nearest(start: Path, names: tuple[str, ...], project) -> Path | None:
    folder = start
    while True:
        for name in names:
            if (folder / name).is_file():
                return folder / name
        if folder == project.root or folder.parent == folder or not project.limits.contains_name(folder.parent):
            return None
        folder = folder.parent


# --- paths as the settings compute them ----------------------------------------------------------

class _EnvironPath(NamedTuple):
    """django-environ's Path: `environ.Path(__file__) - 3` climbs three levels."""

    path: Path


def _as_path(node: ast.expr, values: dict, module: Path, cwd: Path) -> Path | None:
    value = _evaluate(node, values, module, 0)
    if isinstance(value, _EnvironPath):
        value = value.path
    if isinstance(value, str):
        value = Path(value)
    if not isinstance(value, Path):
        return None
    return Path(os.path.normpath(value if value.is_absolute() else cwd / value))


def _evaluate(node: ast.expr, values: dict, module: Path, depth: int):
    """The path (or string) an expression computes, for the spellings settings use to name a
    file beside them: Path(__file__).resolve().parent.parent / ".env", os.path.join(BASE_DIR,
    '.env'), str(...), f"{BASE_DIR}/.env", environ.Path(__file__) - 3 and ROOT_DIR.path('.env').
    None for anything else (the environment, a function of the project's)."""
    if depth > 12:
        return None
    again = lambda inner: _evaluate(inner, values, module, depth + 1)  # noqa: E731
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        if node.id == "__file__":
            return module
        if node.id in values:
            expression, where = values[node.id]
            return _evaluate(expression, values, where, depth + 1)
        return None
    if isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            value = again(part.value) if isinstance(part, ast.FormattedValue) else part.value
            if isinstance(value, _EnvironPath):
                value = value.path
            if not isinstance(value, (str, Path)):
                return None
            parts.append(str(value))
        return "".join(parts)
    if isinstance(node, ast.BinOp):
        left, right = again(node.left), again(node.right)
        if isinstance(node.op, ast.Div) and isinstance(left, Path) and isinstance(right, (str, Path)):
            return left / right
        if isinstance(node.op, ast.Add) and isinstance(left, (str, Path)) and isinstance(right, str):
            return str(left) + right
        if (isinstance(node.op, ast.Sub) and isinstance(left, _EnvironPath) and isinstance(node.right, ast.Constant)
                and isinstance(node.right.value, int) and node.right.value > 0):
            return _EnvironPath(left.path.parents[node.right.value - 1])
        return None
    if isinstance(node, ast.Attribute):
        value = again(node.value)
        if node.attr == "parent" and isinstance(value, Path):
            return value.parent
        return None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
        value, index = again(node.value.value), node.slice
        if isinstance(value, Path) and isinstance(index, ast.Constant) and isinstance(index.value, int):
            try:
                return value.parents[index.value]
            except IndexError:
                return None
        return None
    if not isinstance(node, ast.Call) or any(isinstance(arg, ast.Starred) for arg in node.args):
        return None
    name = _name(node.func)
    arguments = [again(arg) for arg in node.args]
    if any(not isinstance(arg, (str, Path, _EnvironPath)) for arg in arguments):
        return None
    arguments = [arg.path if isinstance(arg, _EnvironPath) else arg for arg in arguments]
    receiver = again(node.func.value) if isinstance(node.func, ast.Attribute) else None
    if name in ("Path", "PurePath", "PosixPath") and arguments:
        if isinstance(node.func, ast.Attribute) and _name(node.func.value) == "environ":
            return _EnvironPath(Path(*arguments))
        return Path(*arguments)
    if name in ("str", "fspath", "abspath", "realpath", "normpath", "expanduser") and len(arguments) == 1:
        return arguments[0]
    if name == "dirname" and len(arguments) == 1:
        return Path(arguments[0]).parent
    if name == "join" and arguments and isinstance(node.func, ast.Attribute) and _name(node.func.value) == "path":
        return Path(*arguments)  # os.path.join
    if isinstance(receiver, _EnvironPath):
        if name == "path" or name is None:
            return _EnvironPath(receiver.path.joinpath(*arguments))
        return None
    if isinstance(receiver, Path):
        if name in ("resolve", "absolute", "expanduser") :
            return receiver
        if name == "joinpath":
            return receiver.joinpath(*arguments)
    if isinstance(node.func, ast.Name) and node.func.id in values:
        callee = again(node.func)  # ROOT_DIR('.env'): an environ.Path called
        if isinstance(callee, _EnvironPath):
            return _EnvironPath(callee.path.joinpath(*arguments))
    return None


# --- git and docker builds -----------------------------------------------------------------------

DOCKERFILE_SEARCH_DEPTH = 3  # docker/Dockerfile, compose/production/django/Dockerfile


def _image_copies(root: Path, path: Path) -> str:
    """The project's Dockerfile (as shown) when there is one and the build context (the project
    folder) would hold `path`: .dockerignore does not exclude it. "" otherwise."""
    dockerfile = _a_dockerfile(root, DOCKERFILE_SEARCH_DEPTH)
    if dockerfile is None:
        return ""
    try:
        patterns = (root / ".dockerignore").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        patterns = []
    import pathspec

    # Docker's patterns are Go's filepath.Match with `**` and `!`; gitignore's cover the usual ones.
    lines = [line.strip().lstrip("/") for line in patterns if line.strip() and not line.lstrip().startswith("#")]
    relative = os.path.relpath(path, root).replace(os.sep, "/")
    if pathspec.PathSpec.from_lines("gitwildmatch", [f"/{line}" if not line.startswith("!") else f"!/{line[1:].lstrip('/')}"
                                                     for line in lines]).match_file(relative):
        return ""
    return _shown(dockerfile, root)


def _a_dockerfile(folder: Path, depth: int) -> Path | None:
    from refactor_app.project import SKIPPED_FOLDERS

    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return None
    for entry in entries:
        name = entry.name.lower()
        if (name.startswith("dockerfile") or name.endswith(".dockerfile")) and entry.is_file():
            return Path(entry.path)
    if depth > 0:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and entry.name not in SKIPPED_FOLDERS and not entry.name.startswith("."):
                found = _a_dockerfile(Path(entry.path), depth - 1)
                if found is not None:
                    return found
    return None


def _git_ignores(root: Path, path: Path) -> bool:
    """Does git ignore `path` (and not track it)? False when git cannot say: outside git a file
    the settings read may be in any build."""
    from refactor_app.editors.git import _run_git
    from refactor_app.errors import RefactorError

    try:
        result = _run_git(["check-ignore", "-q", "--", os.path.relpath(path, root)], root, check=False)
    except (RefactorError, OSError):
        return False
    return result.returncode == 0


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


# --- the note -------------------------------------------------------------------------------------

DOTENV_CLI = 'pip install "python-dotenv[cli]"'  # python-dotenv's `dotenv` command needs click


def run_command(project) -> str:
    """The note for a project where nothing loads the env file local values went to, or only
    `heroku local` does: one line, with a command that loads it for the development server
    (`. ./.env-local` would not: `DOMAIN_ALIASES=localhost, 127.0.0.1` is not valid shell)."""
    local = project.local_env
    shown = _shown(local.path, project.root)
    if local.how == HEROKU_LOCAL:
        return (f"heroku local loads {shown} with the Procfile; to run the development server with its values "
                f"too (DEBUG on, localhost allowed, no HTTPS redirect): {_server_command(project, shown)}")
    because = f" ({'; '.join(local.why_not)})" if local.why_not else ""
    return (f"nothing in this project loads {shown}{because}, so local work runs without the values written there "
            f"(DEBUG on, localhost allowed, no HTTPS redirect); run the development server with them: "
            f"{_server_command(project, shown)}")


def _server_command(project, shown: str) -> str:
    import shlex

    if project.manage_path is not None:
        server = f"python {shlex.quote(_shown(project.manage_path, project.root))} runserver"
    else:
        relative = project.local_path.relative_to(project.import_root).with_suffix("")
        dotted = ".".join(relative.parts[:-1] if relative.name == "__init__" else relative.parts)
        server = (f"python -m django runserver --settings {dotted} "
                  f"--pythonpath {shlex.quote(_shown(project.import_root, project.root) or '.')}")
    return f"{DOTENV_CLI} && dotenv -f {shlex.quote(shown)} run -- {server}"
