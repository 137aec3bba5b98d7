"""How the project is deployed: the settings modules its deployment files name.

Read in this order, which README.md documents; project.py takes the first module that names a
production settings module:

1. the Dockerfile's final stage: `ENV DJANGO_SETTINGS_MODULE=...`, or a CMD / ENTRYPOINT
   naming `--settings ...` or `DJANGO_SETTINGS_MODULE=...`;
2. the Procfile (Heroku, Dokku, Scalingo): its `web` process first, then the others;
3. a production compose file (`docker-compose.prod.yml`, `compose.production.yaml`,
   `production.yml`, ...) and compose services named for production: `environment`, `env_file`
   and `command`;
4. platform files: `app.json` (Heroku), `fly.toml` (Fly.io), `render.yaml` (Render), `railway.json` /
   `railway.toml` (Railway), `.do/app.yaml` (DigitalOcean App Platform);
5. the server's own configuration: gunicorn's `raw_env` (gunicorn.conf.py), systemd units'
   `Environment=` and `ExecStart=`.

`production_dockerfile` finds the Dockerfile production builds (the last section), in the order
README.md documents: production compose files, production-named Dockerfiles, docker-compose.yml's
web service, then the plain usual places.

Only reads. A file that cannot be read or parsed names nothing: discovery then goes on down
the order, and the steps report such a file themselves when they edit it.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import re
import shlex
from pathlib import Path
from typing import Iterator, NamedTuple

from refactor_app.boundary import Boundary
from refactor_app.errors import RefactorError
from refactor_app.textfile import lexists, listed_names, may_exist, read_bytes

SETTINGS_VARIABLE = "DJANGO_SETTINGS_MODULE"
# Compose files that say they are for production; other compose files are usually local work.
PRODUCTION_COMPOSE = re.compile(r"^(?:docker-)?(?:compose|stack)?[.-]?(?:prod|production|live)\.ya?ml$", re.IGNORECASE)
PRODUCTION_WORDS = re.compile(r"(?:^|[._-])(?:prod|production|live|release)(?:$|[._-])", re.IGNORECASE)
DOCKERFILES = ("Dockerfile", "Dockerfile.prod", "Dockerfile.production", "prod.Dockerfile", "production.Dockerfile")


class Naming(NamedTuple):
    """A settings module a deployment file names."""

    dotted: str  # mysite.settings.production
    where: str  # "Dockerfile's ENV DJANGO_SETTINGS_MODULE", as the user reads it


def deployment_namings(root: Path, boundary: Boundary | None = None, dockerfile: Path | None = None) -> list[Naming]:
    """Every settings module the deployment files in `root` name, in the documented order;
    `dockerfile`, the one production builds, is read before the other Dockerfiles."""
    found: list[Naming] = list(_dockerfiles(root, boundary, dockerfile))
    for reader in (_procfile, _compose_files, _app_json, _fly_toml, _render_yaml, _railway, _app_platform,
                   _gunicorn_and_systemd):
        found.extend(reader(root, boundary))
    return list(dict.fromkeys(found))


# --- shared ---------------------------------------------------------------------------------------

def _read_text(path: Path, root: Path, boundary: Boundary | None) -> str | None:
    """The file's text, or None when it is missing or cannot be read inside the repository."""
    if not lexists(path):
        return None  # the usual case, without the boundary's realpath
    try:
        data = read_bytes(path, _shown(path, root), boundary)
    except (RefactorError, OSError):
        return None  # not a regular file, or outside the repository: it names nothing here
    if data is None:
        return None
    return data.decode("utf-8", "replace").lstrip("\ufeff")


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _dotted(value: object) -> str | None:
    """A module name as a deployment sets it; None for `$VAR`, `${VAR:-x}` or anything not dotted."""
    if not isinstance(value, str):
        return None
    value = value.strip().strip("'\"")
    if value and all(part.isidentifier() for part in value.split(".")):
        return value
    return None


def settings_in_command(command: str | list) -> str | None:
    """The settings module a command line names: `--settings=x` / `--settings x` (manage.py,
    django-admin), `DJANGO_SETTINGS_MODULE=x` before the command or in `export`, or gunicorn's
    `--env DJANGO_SETTINGS_MODULE=x` / `-e ...`."""
    if isinstance(command, list):
        words = [str(word) for word in command]
    else:
        try:
            words = shlex.split(command, comments=True)
        except ValueError:  # an unclosed quote: the words as they stand
            words = command.split()
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if word.startswith("--settings="):
            return _dotted(word.split("=", 1)[1])
        if word == "--settings":
            return _dotted(following)
        for part in word.split(";"):  # `export DJANGO_SETTINGS_MODULE=x;`
            if part.startswith(SETTINGS_VARIABLE + "="):
                return _dotted(part.split("=", 1)[1])
    return None


def _from_environment(values: dict, where: str) -> Iterator[Naming]:
    dotted = _dotted(values.get(SETTINGS_VARIABLE)) if isinstance(values, dict) else None
    if dotted:
        yield Naming(dotted, where)


# --- 1. Dockerfile --------------------------------------------------------------------------------

def _dockerfiles(root: Path, boundary: Boundary | None, first: Path | None = None) -> Iterator[Naming]:
    from refactor_app.editors import dockerfile

    base = os.fspath(root)
    paths = [root / name for name in DOCKERFILES if may_exist(os.path.join(base, name))]  # most are not there
    if first is not None:
        paths = [first, *(path for path in paths if path != first)]
    for path in paths:
        text = _read_text(path, root, boundary)
        if text is None or not _may_name_settings(text):
            continue  # most Dockerfiles: no parse
        name = _shown(path, root)
        try:
            stage = dockerfile.final_stage(dockerfile.instructions(text))
        except Exception:  # dockerfile-parse raises plain exceptions on odd input: names nothing
            continue
        for instruction in stage:
            if instruction.keyword == "ENV":
                dotted = _env_instruction(instruction.value)
                if dotted:
                    yield Naming(dotted, f"{name}'s ENV {SETTINGS_VARIABLE}")
            elif instruction.keyword in ("CMD", "ENTRYPOINT"):
                value = instruction.value.strip()
                command = json.loads(value) if value.startswith("[") and _is_json_list(value) else value
                dotted = settings_in_command(command)
                if dotted:  # as the command names it: `--settings x`, or `--env DJANGO_SETTINGS_MODULE=x`
                    how = "--settings" if "--settings" in value else SETTINGS_VARIABLE
                    yield Naming(dotted, f"{name}'s {instruction.keyword} {how}")


def _is_json_list(value: str) -> bool:
    try:
        return isinstance(json.loads(value), list)
    except ValueError:
        return False


def _env_instruction(value: str) -> str | None:
    """DJANGO_SETTINGS_MODULE from `ENV KEY=VALUE ...` or the old `ENV KEY VALUE`."""
    try:
        words = shlex.split(value)
    except ValueError:
        words = value.split()
    if len(words) >= 2 and words[0] == SETTINGS_VARIABLE and "=" not in words[0]:
        return _dotted(" ".join(words[1:]))
    for word in words:
        key, _, setting = word.partition("=")
        if key == SETTINGS_VARIABLE:
            return _dotted(setting)
    return None


# --- 2. Procfile ----------------------------------------------------------------------------------

def _procfile(root: Path, boundary: Boundary | None) -> Iterator[Naming]:
    text = _read_text(root / "Procfile", root, boundary)
    if text is None or not _may_name_settings(text):
        return
    processes = []
    for line in text.splitlines():
        name, colon, command = line.partition(":")
        if colon and re.fullmatch(r"[A-Za-z0-9_-]+", name.strip()):
            processes.append((name.strip(), command))
    processes.sort(key=lambda process: process[0] != "web")  # the web process first
    for name, command in processes:
        dotted = settings_in_command(command)
        if dotted:
            yield Naming(dotted, f"the Procfile's {name} process")


# --- 3. compose -----------------------------------------------------------------------------------

def _compose_names(root: Path) -> tuple[list[str], list[str]]:
    """The compose files in `root`: (those named for production, docker-compose.yml / compose.yaml)."""
    try:
        names = sorted(entry.name for entry in root.iterdir() if entry.name.endswith((".yml", ".yaml")))
    except OSError:
        return [], []
    production = [name for name in names if PRODUCTION_COMPOSE.match(name)]
    ordinary = [name for name in names if name not in production and re.match(r"^(docker-)?compose\.ya?ml$", name)]
    return production, ordinary


def _compose_files(root: Path, boundary: Boundary | None) -> Iterator[Naming]:
    production, ordinary = _compose_names(root)
    for name in production + ordinary:
        text = _read_text(root / name, root, boundary)
        if text is None or not (_may_name_settings(text) or "env_file" in text):
            continue  # YAML parsing costs milliseconds: only files that may name a module
        if name in ordinary and not PRODUCTION_WORDS.search(text):
            continue  # no service named for production in it
        document = _parsed_yaml(text)
        services = document.get("services") if isinstance(document, dict) else None
        if not isinstance(services, dict):
            continue
        for service_name, service in services.items():
            if not isinstance(service, dict):
                continue
            if name in ordinary and not PRODUCTION_WORDS.search(str(service_name)):
                continue  # docker-compose.yml is local work, unless the service says production
            where = f"{name}'s service {service_name}"
            yield from _from_environment(compose_environment(service.get("environment")), where)
            for env_file in _env_files(service.get("env_file")):
                yield from _from_environment(_dotenv_values(root / env_file, root, boundary), f"{where} (env_file {env_file})")
            command = service.get("command")
            dotted = settings_in_command(command) if isinstance(command, (str, list)) else None
            if dotted:
                yield Naming(dotted, f"{where} command")


def compose_environment(value: object) -> dict[str, str]:
    """A service's `environment`, as a mapping or a list of KEY=VALUE; a bare KEY (passed on from
    the shell compose runs in) sets nothing here."""
    items = value.items() if isinstance(value, dict) else (
        str(item).partition("=")[::2] for item in value if "=" in str(item)) if isinstance(value, list) else ()
    found = {}
    for key, setting in items:
        if isinstance(setting, bool):
            found[str(key)] = "true" if setting else "false"  # as compose passes YAML booleans on
        elif isinstance(setting, (str, int, float)):
            found[str(key)] = str(setting)
    return found


def _env_files(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    files = []
    for item in items:
        path = item.get("path") if isinstance(item, dict) else item
        if isinstance(path, str) and path and not path.startswith("/"):
            files.append(path)
    return files


def _dotenv_values(path: Path, root: Path, boundary: Boundary | None) -> dict:
    from io import StringIO

    from dotenv import dotenv_values

    text = _read_text(path, root, boundary)
    return dict(dotenv_values(stream=StringIO(text))) if text is not None else {}


def _may_name_settings(text: str) -> bool:
    return SETTINGS_VARIABLE in text or "--settings" in text


def _yaml(path: Path, root: Path, boundary: Boundary | None) -> object:
    """The YAML document (not to be changed: it is shared), or None. Each discovery reads compose
    files twice, for the settings module and for the Dockerfile: the text is parsed once."""
    text = _read_text(path, root, boundary)
    return _parsed_yaml(text) if text is not None else None


@functools.lru_cache(maxsize=16)
def _parsed_yaml(text: str) -> object:
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml's, where built
    except yaml.YAMLError:
        return None


# --- 4. platform files ----------------------------------------------------------------------------

def _app_json(root: Path, boundary: Boundary | None) -> Iterator[Naming]:
    text = _read_text(root / "app.json", root, boundary)
    if text is None or not _may_name_settings(text):
        return
    try:
        document = json.loads(text) if text is not None else None
    except ValueError:
        return
    environment = document.get("env") if isinstance(document, dict) else None
    if isinstance(environment, dict):
        value = environment.get(SETTINGS_VARIABLE)
        value = value.get("value") if isinstance(value, dict) else value
        yield from _from_environment({SETTINGS_VARIABLE: value}, "app.json's env")


def _fly_toml(root: Path, boundary: Boundary | None) -> Iterator[Naming]:
    text = _read_text(root / "fly.toml", root, boundary)
    if text is None or not _may_name_settings(text):
        return
    document = _toml(text)
    if document is None:
        return
    yield from _from_environment(document.get("env", {}), "fly.toml's [env]")
    commands = [*(document.get("processes") or {}).values(), (document.get("deploy") or {}).get("release_command")]
    for command in commands:
        dotted = settings_in_command(command) if isinstance(command, str) else None
        if dotted:
            yield Naming(dotted, "a fly.toml process command")


def _toml(text: str) -> dict | None:
    """The TOML document (fly.toml, railway.toml), or None when it does not parse."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def _render_yaml(root: Path, boundary: Boundary | None) -> Iterator[Naming]:
    document = _yaml(root / "render.yaml", root, boundary)
    services = document.get("services") if isinstance(document, dict) else None
    yield from _spec_services(services, "render.yaml", "envVars", ("startCommand", "preDeployCommand"))


def _spec_services(services: object, file: str, variables: str, commands: tuple[str, ...]) -> Iterator[Naming]:
    """A platform spec's services (render.yaml, App Platform's app spec): each one's variables, a
    list of {key, value}, and its commands."""
    for service in services if isinstance(services, list) else []:
        if not isinstance(service, dict):
            continue
        where = f"{file}'s service {service.get('name', '?')}"
        for variable in service.get(variables) or []:
            if isinstance(variable, dict) and variable.get("key") == SETTINGS_VARIABLE:
                yield from _from_environment({SETTINGS_VARIABLE: variable.get("value")}, where)
        for key in commands:
            dotted = settings_in_command(service[key]) if isinstance(service.get(key), str) else None
            if dotted:
                yield Naming(dotted, f"{where} {key}")


def _railway(root: Path, boundary: Boundary | None) -> Iterator[Naming]:
    """railway.json / railway.toml: the deploy section's startCommand (and preDeployCommand)."""
    for name in ("railway.json", "railway.toml"):
        if not may_exist(os.path.join(root, name)):
            continue
        text = _read_text(root / name, root, boundary)
        if text is None or not _may_name_settings(text):
            continue
        if name.endswith(".toml"):
            document = _toml(text)
        else:
            try:
                document = json.loads(text)
            except ValueError:
                continue
        deploy = document.get("deploy") if isinstance(document, dict) else None
        for key in ("startCommand", "preDeployCommand"):
            command = deploy.get(key) if isinstance(deploy, dict) else None
            dotted = settings_in_command(command) if isinstance(command, (str, list)) else None
            if dotted:
                yield Naming(dotted, f"{name}'s {key}")


def _app_platform(root: Path, boundary: Boundary | None) -> Iterator[Naming]:
    """DigitalOcean App Platform's app spec: a service's envs and run_command."""
    for name in (".do/app.yaml", ".do/deploy.template.yaml"):
        if not may_exist(os.path.join(root, name)):
            continue
        document = _yaml(root / name, root, boundary)
        spec = document.get("spec", document) if isinstance(document, dict) else None
        services = spec.get("services") if isinstance(spec, dict) else None
        yield from _spec_services(services, name, "envs", ("run_command",))


# gunicorn's configuration files, where `raw_env = ["DJANGO_SETTINGS_MODULE=..."]` names production's
# module; and the places systemd units that start it are kept in a repository.
GUNICORN_CONFIGS = ("gunicorn.conf.py", "gunicorn_config.py", "gunicorn.py", "config/gunicorn.py",
                    "deploy/gunicorn.conf.py", "conf/gunicorn.conf.py")
SYSTEMD_FOLDERS = (".", "deploy", "systemd", "deploy/systemd", "etc/systemd/system", "config", "conf")
# A unit's lines that may name it, in the order they are read: its environment, then its command.
_SYSTEMD_LINES = {key: re.compile(rf"^\s*{key}\s*=\s*(.*)$", re.MULTILINE) for key in ("Environment", "ExecStart")}


def _gunicorn_and_systemd(root: Path, boundary: Boundary | None) -> Iterator[Naming]:
    top = listed_names(root)  # most projects have none of these: one look at the folder's listing
    for name in GUNICORN_CONFIGS:
        if name.split("/", 1)[0] not in top or not may_exist(os.path.join(root, name)):
            continue
        text = _read_text(root / name, root, boundary)
        if text is None or not _may_name_settings(text):
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(isinstance(target, ast.Name) and target.id == "raw_env"
                                                    for target in node.targets) \
                    and isinstance(node.value, (ast.List, ast.Tuple)):
                words = [element.value for element in node.value.elts
                         if isinstance(element, ast.Constant) and isinstance(element.value, str)]
                dotted = settings_in_command(words)
                if dotted:
                    yield Naming(dotted, f"{name}'s raw_env")
    for folder in SYSTEMD_FOLDERS:
        if folder != "." and folder.split("/", 1)[0] not in top:
            continue
        base = os.path.normpath(os.path.join(root, folder))
        # The folder's listing, as read_once keeps it (names case-folded: a unit's is lower case).
        for unit in sorted(name for name in listed_names(base) if name.endswith(".service")):
            shown = unit if folder == "." else f"{folder}/{unit}"
            text = _read_text(root / shown, root, boundary)
            if text is None or not _may_name_settings(text):
                continue
            for key, lines in _SYSTEMD_LINES.items():
                for match in lines.finditer(text):
                    dotted = settings_in_command(match.group(1))
                    if dotted:
                        yield Naming(dotted, f"{shown}'s {key}")


# --- the Dockerfile production builds ---------------------------------------------------------------

# Where projects keep their Dockerfiles, relative to the project folder. A name that says
# production wins over a plain one; one that says local work (Dockerfile.dev, compose/local/...)
# is never production's.
PRODUCTION_DOCKERFILES = (
    "Dockerfile.prod", "Dockerfile.production", "prod.Dockerfile", "production.Dockerfile",
    "docker/Dockerfile.prod", "docker/Dockerfile.production", "docker/production/Dockerfile",
    "compose/production/*/Dockerfile",  # cookiecutter-django: the django/ folder among postgres/, traefik/
)
PLAIN_DOCKERFILES = ("Dockerfile", "docker/Dockerfile", "app/Dockerfile")
LOCAL_DOCKERFILES = (
    "Dockerfile.dev", "Dockerfile.development", "Dockerfile.local", "dev.Dockerfile", "local.Dockerfile",
    "docker/Dockerfile.dev", "docker/Dockerfile.local", "compose/local/*/Dockerfile",
)
# Compose services (and compose/production/<name>/ folders) that run Django, not its database or proxy.
DJANGO_SERVICES = ("web", "django", "app")
LOCAL_PATH_WORDS = re.compile(r"(?:^|[/._-])(?:dev|devel|develop|development|local)(?:$|[/._-])", re.IGNORECASE)
SERVER_COMMAND = re.compile(r"\b(?:gunicorn|uwsgi|daphne|uvicorn|hypercorn|granian|manage\.py)\b")


class DockerBuild(NamedTuple):
    """The Dockerfile production builds, and the build context when compose names it."""

    dockerfile: Path
    context: Path | None  # compose's build.context; None: the COPY lines tell (steps/collectstatic.py)
    source: str  # how it was found, as the user reads it: "docker-compose.prod.yml's service web builds it"
    # What a production compose file runs in the container instead of the image's CMD and
    # ENTRYPOINT (a string or a list, as written), and that file; None where it says nothing.
    command: object = None
    entrypoint: object = None
    compose_file: str = ""
    volumes: object = None  # that service's `volumes`, as written


class DockerfileChoice(NamedTuple):
    build: DockerBuild | None
    notes: tuple[str, ...]  # what the user should know: which one, and what was passed over


def production_dockerfile(root: Path, boundary: Boundary | None = None, given: Path | None = None) -> DockerfileChoice:
    """The Dockerfile production builds: `given` (--dockerfile); else the Django service of a
    production compose file; a Dockerfile whose name says production; the web/django service of
    docker-compose.yml (local work's, so only when no Dockerfile says production); the plain
    usual places. Two equally good ones are a question for the user (RefactorError)."""
    builds = list(_compose_builds(root, boundary))
    if given is not None:
        service = _compose_service(builds, given)
        return DockerfileChoice(service._replace(source="--dockerfile") if service else DockerBuild(given, None, "--dockerfile"), ())
    tiers = [
        [build for production, build in builds if production],
        [DockerBuild(path, None, "its name says production") for path in _existing(root, PRODUCTION_DOCKERFILES)],
        [build for production, build in builds if not production],
        [DockerBuild(path, None, "") for path in _existing(root, PLAIN_DOCKERFILES)],
    ]
    chosen, passed_over = None, []
    for tier in tiers:
        found: list[DockerBuild] = []
        for build in tier:  # the first naming of each Dockerfile
            if all(build.dockerfile != other.dockerfile for other in found):
                found.append(build)
        if chosen is None and len(found) > 1:
            shown = [_shown(build.dockerfile, root) for build in found]
            raise RefactorError(
                f"several Dockerfiles could be the one production builds ({', '.join(shown)}); pass it: "
                + " or ".join(f"--dockerfile {name}" for name in shown) + "."
            )
        if chosen is None and found:
            chosen = found[0]
        elif chosen is not None:
            passed_over.extend(build.dockerfile for build in found if build.dockerfile != chosen.dockerfile)
    local = [path for path in _existing(root, LOCAL_DOCKERFILES) if chosen is None or path != chosen.dockerfile]
    if chosen is None:
        notes = (f"{', '.join(_shown(path, root) for path in local)}: for local work by {'their names' if len(local) > 1 else 'its name'}, "
                 "so refactor-app found no Dockerfile production builds; pass --dockerfile PATH if production builds one",) if local else ()
        return DockerfileChoice(None, notes)
    service = _compose_service(builds, chosen.dockerfile) if chosen.context is None else None
    if service is not None:
        chosen = service._replace(source=chosen.source)
    passed_over = list(dict.fromkeys([*passed_over, *local]))
    shown = _shown(chosen.dockerfile, root)
    if shown == "Dockerfile" and not passed_over:
        return DockerfileChoice(chosen, ())  # the usual case: nothing to say
    note = f"the Dockerfile production builds: {shown}" + (f" ({chosen.source})" if chosen.source else "")
    if passed_over:
        note += (f"; not {', '.join(_shown(path, root) for path in passed_over)}: pass --dockerfile PATH "
                 "if production builds another")
    return DockerfileChoice(chosen, (note,))


def _existing(root: Path, patterns: tuple[str, ...]) -> list[Path]:
    """The paths of `patterns` (a `*` folder: only a Django service's) that exist; a link or a
    folder there counts, and is refused, with the reason, when the step reads it."""
    found = []
    base = os.fspath(root)  # (strings: most of these are not there, and pathlib's joins cost more than the look)
    for pattern in patterns:
        if "*" not in pattern:
            if lexists(os.path.join(base, pattern)):
                found.append(root / pattern)
            continue
        top, _, name = pattern.partition("/*/")
        if not may_exist(os.path.join(base, top)):
            continue  # no such folder: nothing below it either
        found.extend(root / top / service / name for service in DJANGO_SERVICES
                     if lexists(os.path.join(base, top, service, name)))
    return found


def _compose_builds(root: Path, boundary: Boundary | None) -> Iterator[tuple[bool, DockerBuild]]:
    """(from a production compose file?, build) for each Django service compose builds: in a
    production compose file the services named web/django/app, or else those whose command starts
    a Django server; in docker-compose.yml / compose.yaml the web/django/app services, unless the
    Dockerfile's path says local work."""
    production, ordinary = _compose_names(root)
    for name in production + ordinary:
        document = _yaml(root / name, root, boundary)
        services = document.get("services") if isinstance(document, dict) else None
        if not isinstance(services, dict):
            continue
        built = {str(service_name): service for service_name, service in services.items()
                 if isinstance(service, dict) and service.get("build") is not None}
        django = [service_name for service_name in built if service_name.lower() in DJANGO_SERVICES]
        if not django and name in production:
            django = [service_name for service_name, service in built.items()
                      if SERVER_COMMAND.search(str(service.get("command") or ""))]
        for service_name in django:
            service = built[service_name]
            build = _compose_build(root, boundary, service.get("build"), f"{name}'s service {service_name} builds it")
            if build is None or not os.path.lexists(build.dockerfile):
                continue  # a stale compose file naming a Dockerfile that is gone names nothing
            if name in production:  # docker-compose.yml's command is local work's (runserver), not production's
                build = build._replace(command=service.get("command"), entrypoint=service.get("entrypoint"),
                                       compose_file=name, volumes=service.get("volumes"))
            if name in ordinary and LOCAL_PATH_WORDS.search(_shown(build.dockerfile, root)):
                continue  # docker-compose.yml building Dockerfile.dev: local work's image
            yield name in production, build


def _compose_build(root: Path, boundary: Boundary | None, build: object, source: str) -> DockerBuild | None:
    """A compose service's `build:` (a context folder, or `context:` and `dockerfile:`), as paths:
    the context is relative to the compose file's folder, the Dockerfile to the context. None for a
    remote context, an inline Dockerfile, a path with variables or one outside the repository."""
    if isinstance(build, str):
        context, dockerfile = build, "Dockerfile"
    elif isinstance(build, dict):
        if "dockerfile_inline" in build:
            return None
        context, dockerfile = build.get("context", "."), build.get("dockerfile", "Dockerfile")
    else:
        return None
    if not isinstance(context, str) or not isinstance(dockerfile, str) or "$" in context + dockerfile:
        return None
    if "://" in context or context.startswith(("git@", "github.com/")):
        return None
    context_path = Path(os.path.normpath(root / context))
    dockerfile_path = Path(os.path.normpath(context_path / dockerfile))
    if boundary is not None and not boundary.contains_name(dockerfile_path):
        return None
    return DockerBuild(dockerfile_path, context_path, source)


def _compose_service(builds: list[tuple[bool, DockerBuild]], dockerfile: Path) -> DockerBuild | None:
    """The compose service that builds `dockerfile` (production compose files first), or None."""
    return next((build for _, build in builds if build.dockerfile == dockerfile), None)
