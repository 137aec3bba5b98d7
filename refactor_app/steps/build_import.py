"""What the image build must give the settings for `RUN python manage.py collectstatic` to import them.

collectstatic imports the settings during `docker build`, where the environment holds only the
Dockerfile stage's ENV and ARG values: none of the variables the deployment sets when the container
runs. A setting that cannot be imported without one stops the build:

    SECRET_KEY = os.environ['SECRET_KEY']                        KeyError
    ALLOWED_HOSTS = os.environ.get('HOSTS').split(',')           None has no split
    EMAIL_PORT = int(os.environ.get('EMAIL_PORT'))               int(None)
    SECRET_KEY = env('SECRET_KEY') / env.str(...) / config(...)  a reader with no default raises

Each variable needed gets one of three treatments (README, "collectstatic"):

- DATABASE_URL: a fallback in the settings, as the page gives it (steps/collectstatic.py). Production
  always sets DATABASE_URL, and an in-memory database that reached it would fail at the first query.
- any other: a made-up value on the RUN line only (`RUN SECRET_KEY=collectstatic-build python ...`),
  for that one command: a fallback in the settings would reach production unnoticed whenever its
  variable is missing (a known SECRET_KEY, a host named "build").
- a value refactor-app cannot choose (passed to a function it does not know, parsed as JSON, used
  by collectstatic itself: STATIC_ROOT, the storage's settings): the step is declined, naming them.

The settings are read as the build runs them: the module the stage's ENV DJANGO_SETTINGS_MODULE
names, else manage.py's, statement by statement in import order, following `from .x import *`.
Module-level statements only: the bodies of if/try blocks may not run, and are not judged.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
from pathlib import Path, PurePath
from typing import NamedTuple

from refactor_app.deployment import SETTINGS_VARIABLE
from refactor_app.editors import dockerfile
from refactor_app.errors import RefactorError
from refactor_app.textfile import read_bytes, real_path
from refactor_app.workspace import Workspace
from refactor_app.settings_paths import dotted_name

# What a made-up value must parse as, and the value the RUN line gives it.
STRING, NUMBER, BOOLEAN = "string", "number", "boolean"
DATABASE_URL, CACHE_URL, EMAIL_URL = "database URL", "cache URL", "email URL"
DUMMIES = {STRING: "build", NUMBER: "0", BOOLEAN: "False", DATABASE_URL: "sqlite://:memory:",
           CACHE_URL: "locmemcache://", EMAIL_URL: "consolemail://"}
SECRET_DUMMY = "collectstatic-build"  # reads as what it is wherever the key shows up

# Settings whose values decide what collectstatic collects, where it writes, or how it uploads:
# a made-up value would change the build's output, so such a variable is never made up.
COLLECTSTATIC_SETTINGS = re.compile(
    r"^(STATIC|STORAGES$|DEFAULT_FILE_STORAGE$|INSTALLED_APPS$|AWS_|GS_|AZURE_|MINIO_|CLOUDINARY|WHITENOISE_|COMPRESS_)"
)

# Calls a value flows into: what they make of a string, or of None.
NUMBER_CALLS = {"int", "float", "Decimal", "decimal.Decimal"}
ACCEPT_NONE_CALLS = {"bool", "str", "repr", "print", "isinstance"}
STRING_CALLS = {"Path", "pathlib.Path", "PurePath", "pathlib.PurePath", "len", "list", "tuple", "set", "frozenset",
                "sorted", "os.fspath", "urlparse", "urllib.parse.urlparse", "urlsplit", "urllib.parse.urlsplit"}
DATABASE_URL_CALLS = {"dj_database_url.parse", "dj_database_url.config"}
STRING_METHODS = {"strip", "lstrip", "rstrip", "lower", "upper", "casefold", "title", "replace", "removeprefix",
                  "removesuffix"}

# django-environ's readers: the method -> what the value parses as ("" : cannot be told); the
# variable a method reads when it names none.
ENVIRON_METHODS = {"": STRING, "str": STRING, "unicode": STRING, "bytes": STRING, "list": STRING, "tuple": STRING,
                   "path": STRING, "url": STRING, "bool": BOOLEAN, "int": NUMBER, "float": NUMBER,
                   "db": DATABASE_URL, "db_url": DATABASE_URL, "database_url": DATABASE_URL,
                   "cache": CACHE_URL, "cache_url": CACHE_URL, "email": EMAIL_URL, "email_url": EMAIL_URL,
                   "json": "", "dict": "", "search_url": "", "parse_value": ""}
ENVIRON_DEFAULT_VARIABLES = {"db": "DATABASE_URL", "db_url": "DATABASE_URL", "database_url": "DATABASE_URL",
                             "cache": "CACHE_URL", "cache_url": "CACHE_URL", "email": "EMAIL_URL",
                             "email_url": "EMAIL_URL", "search_url": "SEARCH_URL"}
CASTS = {"str": STRING, "bool": BOOLEAN, "int": NUMBER, "float": NUMBER, "list": STRING, "tuple": STRING}


class Need(NamedTuple):
    """One place the build's import needs a variable."""

    variable: str
    code: str  # the statement, shortened: "ALLOWED_HOSTS = os.environ.get('HOSTS').split(' ')"
    where: str  # the module, as shown
    parses_as: str  # STRING, NUMBER, ...; "" when it cannot be told
    why_not: str = ""  # why no made-up value will do, when that is so


class BuildImport(NamedTuple):
    """What the build's import of the settings needs from the environment."""

    module: str  # the settings module collectstatic imports, as shown
    dummies: dict[str, str]  # variable -> the made-up value the RUN line sets, in the order first read
    needs: dict[str, list[Need]]  # variable -> where it is needed
    declined: dict[str, str]  # variable -> why no made-up value will do
    # Production's module, for DJANGO_SETTINGS_MODULE on the RUN line, where the build would
    # otherwise import manage.py's (local work's); "" when the build imports production's anyway.
    production_module: str = ""

    def prefix(self) -> str:
        """`DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=collectstatic-build ` for the RUN line."""
        chosen = f"{SETTINGS_VARIABLE}={self.production_module} " if self.production_module else ""
        return chosen + "".join(f"{name}={shlex.quote(value)} " for name, value in self.dummies.items())

    def dummy_note(self) -> str:
        shown = " and ".join(f"{name} ({self.needs[name][0].code})" for name in self.dummies)
        values = "gets a made-up value" if len(self.dummies) == 1 else "get made-up values"
        return (f"the build imports {self.module} without the runtime environment: {shown} {values} on this line "
                "only, never in the settings production imports")

    def decline_reason(self) -> str:
        names = ", ".join(self.declined)
        why = "; ".join(f"{name} {reason}" for name, reason in self.declined.items())
        example = self.prefix() + "".join(f"{name}=... " for name in self.declined)
        return (f"the image build cannot import {self.module} without {names}, which the build's environment lacks, "
                f"and no made-up value will do: {why}; add `RUN {example}python manage.py collectstatic --noinput` "
                "to the Dockerfile by hand, with values that work")


def stage_environment(stage: list[dockerfile.Instruction], before: int,
                      all_instructions: list[dockerfile.Instruction] | None = None) -> dict[str, str | None]:
    """The variables a RUN at stage[before] sees: the stage's ENV values, those of the stage it is
    built FROM when that is an earlier stage, and its ARGs (None for an ARG with no default: the
    build passes it with --build-arg, and a made-up value must not override it)."""
    found: dict[str, str | None] = {}
    if all_instructions is not None and stage and stage[0].keyword == "FROM":
        words = stage[0].value.split()
        parent = next((w for w in words if not w.startswith("--")), "")
        starts = [i for i, instruction in enumerate(all_instructions) if instruction.keyword == "FROM"]
        for start, end in zip(starts, [*starts[1:], len(all_instructions)]):
            head = all_instructions[start].value.split()
            named = len(head) >= 3 and head[-2].upper() == "AS" and head[-1].lower() == parent.lower()
            if named and all_instructions[start] is not stage[0]:
                earlier = all_instructions[start:end]
                found.update(stage_environment(earlier, len(earlier), all_instructions[:start]))
    for instruction in stage[:before]:
        if instruction.keyword == "ENV":
            found.update(_env_values(instruction.value))
        elif instruction.keyword == "ARG":
            for word in _words(instruction.value):
                name, has_value, value = word.partition("=")
                if name.isidentifier():
                    found.setdefault(name, value if has_value else None)
    return found


def _words(value: str) -> list[str]:
    try:
        return shlex.split(value)
    except ValueError:
        return value.split()


def _env_values(value: str) -> dict[str, str]:
    """`ENV A=1 B="x y"`, or the old `ENV A 1`."""
    words = _words(value)
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])} if words[0].isidentifier() else {}
    pairs = (word.partition("=") for word in words)
    return {name: setting for name, _, setting in pairs if name.isidentifier()}


def production_module(ws: Workspace, environment: dict[str, str | None]) -> str:
    """Production's settings module, dotted, when the build would import another: the stage sets no
    DJANGO_SETTINGS_MODULE and manage.py defaults to local work's (cookiecutter-django's
    config.settings.local, with debug_toolbar and without the production storage's manifest).
    "" when they are one, the stage chooses, or production's has no dotted name from manage.py's folder."""
    project = ws.project
    if environment.get(SETTINGS_VARIABLE) or project.local_settings_path in (None, project.settings_path):
        return ""
    inside = os.path.relpath(real_path(project.settings_path), real_path(project.import_root))
    parts = PurePath(inside).with_suffix("").parts
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(part.isidentifier() for part in parts):
        return ""
    return ".".join(parts)


def settings_imported(ws: Workspace, environment: dict[str, str | None]) -> Path:
    """The settings module `python manage.py collectstatic` imports in the build: the stage's
    DJANGO_SETTINGS_MODULE when it names one of the project's modules, else manage.py's own."""
    dotted = environment.get(SETTINGS_VARIABLE)
    if dotted and all(part.isidentifier() for part in dotted.split(".")):
        try:
            path = ws.project.module_path(dotted)
        except RefactorError:
            path = None  # outside the repository: the build would not find it either
        if path is not None:
            return path
    return ws.project.local_path


def build_import(ws: Workspace, environment: dict[str, str | None]) -> BuildImport:
    """What importing the settings under `environment` (the build stage's) needs, and the made-up
    values the RUN line can give it; worked out from the settings as the steps left them so far."""
    production = production_module(ws, environment)
    if production:
        environment = {**environment, SETTINGS_VARIABLE: production}
    path = settings_imported(ws, environment)
    scan = _Scan(ws, environment)
    scan.module(path)
    needs: dict[str, list[Need]] = {}
    for need in scan.needs:
        needs.setdefault(need.variable, []).append(need)
    dummies, declined = {}, {}
    for variable, places in needs.items():
        why = next((need.why_not for need in places if need.why_not), "")
        kind = _one_kind([need.parses_as for need in places]) if not why else None
        if kind is None:
            declined[variable] = why or _mixed(places)
        else:
            dummies[variable] = SECRET_DUMMY if kind == STRING and "SECRET" in variable.upper() else DUMMIES[kind]
    return BuildImport(ws.project.display(path), dummies, needs, declined, production)


def _one_kind(kinds: list[str]) -> str | None:
    """The made-up value's kind that suits every place: a number is also a string and a false
    boolean ("0"); a URL is also a string. None when no one value does."""
    found = set(kinds)
    if "" in found:
        return None
    urls = found & {DATABASE_URL, CACHE_URL, EMAIL_URL}
    if urls:
        return urls.pop() if len(urls) == 1 and found - urls <= {STRING} else None
    for kind in (NUMBER, BOOLEAN, STRING):
        if kind in found:
            return kind
    return STRING


def _mixed(places: list[Need]) -> str:
    kinds = [need.parses_as for need in places if need.parses_as]
    if len(set(kinds)) > 1:
        return f"is read as a {' and as a '.join(dict.fromkeys(kinds))} in {places[0].where}"
    code = next((need.code for need in places if not need.parses_as), places[0].code)
    return f"must parse as what `{code}` in {places[0].where} expects, which refactor-app cannot tell"


class _Read(NamedTuple):
    variable: str
    required: bool  # raises when unset; else gives None
    parses_as: str  # what the reader makes of the value (STRING for a plain read)


class _Scan:
    """Goes through the settings in the order Python runs them, noting each variable whose
    absence stops the import."""

    def __init__(self, ws: Workspace, environment: dict[str, str | None]) -> None:
        self.ws = ws
        self.environment = dict(environment)  # and what the settings set themselves (os.environ.setdefault)
        self.needs: list[Need] = []
        self.names: dict[str, str] = {}  # name bound at module level -> what it is: "os", "os.environ", ...
        self.schemas: dict[str, dict[str, tuple[str, bool]]] = {}  # Env instance -> var -> (kind, has default)
        self.held: dict[str, _Read] = {}  # NAME = <a read>: the read NAME holds, for its later uses
        self.seen: set[Path] = set()
        self._words: tuple = ((), None)  # the names _may_read looks for, and its pattern for them

    # --- the modules, in import order ------------------------------------------------------------

    def module(self, path: Path) -> None:
        if path in self.seen:
            return
        self.seen.add(path)
        parts = self._statements(path)
        if parts is None:
            return
        where = self.ws.project.display(path)
        for statements, lines in parts:
            self._statements_of(path, statements, lines, where)

    def _statements_of(self, path: Path, statements, lines: list[str], where: str) -> None:
        for statement in statements:
            if isinstance(statement, ast.ImportFrom) and any(alias.name == "*" for alias in statement.names):
                dotted = "." * statement.level + (statement.module or "")
                try:
                    imported = self.ws.module_file(path, dotted)
                except RefactorError:
                    imported = None
                if imported is not None:
                    self.module(imported)
                continue
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                self._imports(statement)
            elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr)):
                self._statement(statement, lines, where)
            elif isinstance(statement, (ast.If, ast.While)):
                self._statement(statement.test, lines, where)  # the test runs; the body may not
            elif isinstance(statement, ast.FunctionDef):
                self._helper(statement)

    def _statements(self, path: Path) -> list[tuple[tuple[ast.stmt, ...], list[str]]] | None:
        """The module's statements as the steps have left it, each with the lines its line numbers
        count; None when Python cannot parse it (the steps report that themselves). A module the
        steps have read is not printed and parsed whole again: its statements left alone keep
        Python's parse of the file as read."""
        loaded = self.ws.settings_modules().get(path)
        parts = loaded.python_statements() if loaded is not None else None
        if parts is not None:
            lines = {None: _python_lines(loaded.original.decode("utf-8", "replace"))}
            for _, code in parts:
                if code not in lines:
                    lines[code] = _python_lines(code)
            return [(statements, lines[code]) for statements, code in parts]
        source = self._source(path)
        if source is None:
            return None
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        return [(tuple(tree.body), _python_lines(source))]

    def _source(self, path: Path) -> str | None:
        """The module as the steps have left it (a module they have not read: as on disk)."""
        loaded = self.ws.settings_modules().get(path)
        try:
            data = loaded.current_bytes() if loaded is not None else read_bytes(
                path, self.ws.project.display(path), self.ws.boundary)
        except RefactorError:
            return None
        if data is None:
            return None
        return data.decode("utf-8", "replace").lstrip("\ufeff")

    # --- what names mean --------------------------------------------------------------------------

    def _imports(self, statement: ast.Import | ast.ImportFrom) -> None:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname is None and alias.name.startswith("os."):
                    self.names["os"] = "os"  # `import os.path` binds os
                elif alias.name in ("os", "environ", "decouple"):
                    self.names[alias.asname or alias.name] = alias.name
                else:
                    self.names.pop(alias.asname or alias.name.partition(".")[0], None)
            return
        if statement.level:
            return
        for alias in statement.names:
            bound = alias.asname or alias.name
            meaning = {("os", "environ"): "os.environ", ("os", "getenv"): "getenv",
                       ("decouple", "config"): "config", ("environ", "Env"): "Env", ("environ", "FileAwareEnv"): "Env",
                       ("decouple", "AutoConfig"): "AutoConfig", ("decouple", "Config"): "AutoConfig"}.get(
                (statement.module, alias.name))
            if meaning is not None:
                self.names[bound] = meaning
            else:
                self.names.pop(bound, None)

    def _meaning(self, node: ast.AST) -> str | None:
        """What a name or dotted name stands for: "os.environ", "getenv", "environ.get", "config",
        "env" (a django-environ Env), "Env", ..."""
        if isinstance(node, ast.Name):
            return self.names.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self._meaning(node.value)
            if base == "os":
                return {"environ": "os.environ", "getenv": "getenv"}.get(node.attr)
            if base == "os.environ" and node.attr in ("get", "setdefault"):
                return f"environ.{node.attr}"
            if base == "decouple":
                return {"config": "config", "AutoConfig": "AutoConfig", "Config": "AutoConfig"}.get(node.attr)
            if base == "environ" and node.attr in ("Env", "FileAwareEnv"):
                return "Env"
        return None

    def _bind(self, statement: ast.AST, targets: list[str]) -> None:
        """Note what a module-level `NAME = value` makes NAME: a reader, or a holder of a read."""
        value = getattr(statement, "value", None)
        for name in targets:
            self.names.pop(name, None)
            self.held.pop(name, None)
            self.schemas.pop(name, None)
        if len(targets) != 1 or not isinstance(statement, (ast.Assign, ast.AnnAssign)) or value is None:
            return
        name = targets[0]
        if isinstance(value, ast.Call) and self._meaning(value.func) == "Env":
            self.names[name] = "env"
            self.schemas[name] = _schema(value)
        elif isinstance(value, ast.Call) and self._meaning(value.func) == "AutoConfig":
            self.names[name] = "config"
        else:
            read = self._read(value)
            if read is not None:
                self.held[name] = read

    def _helper(self, function: ast.FunctionDef) -> None:
        """The settings' own `def get_env_variable(name): return os.environ[name]` (raising
        ImproperlyConfigured, or KeyError, when unset): `helper('X')` is then a read of X that
        raises. A helper that catches the KeyError without raising again gives something else."""
        self.names.pop(function.name, None)
        parameters = function.args.posonlyargs + function.args.args
        if not parameters:
            return
        name = parameters[0].arg
        caught: set[ast.AST] = set()  # subscripts inside a try whose handlers never raise
        for node in ast.walk(function):
            if isinstance(node, ast.Try) and not any(isinstance(inner, ast.Raise) for handler in node.handlers
                                                     for inner in ast.walk(handler)):
                caught.update(inner for statement in node.body for inner in ast.walk(statement))
        for node in ast.walk(function):
            if (isinstance(node, ast.Subscript) and node not in caught and self._meaning(node.value) == "os.environ"
                    and isinstance(node.slice, ast.Name) and node.slice.id == name):
                self.names[function.name] = "required helper"
                return

    def _sets_environment(self, statement: ast.AST) -> None:
        """`os.environ.setdefault('X', ...)` and `os.environ['X'] = ...` give later reads of X a value."""
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call) \
                and self._meaning(statement.value.func) == "environ.setdefault":
            variable = _text(_argument(statement.value, 0, "key"))
            value = _argument(statement.value, 1, "value")
            if variable is not None and value is not None:
                self.environment.setdefault(variable, _text(value))
        elif isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Subscript) and self._meaning(target.value) == "os.environ":
                    variable = _text(target.slice)
                    if variable is not None:
                        self.environment[variable] = _text(statement.value)

    # --- the reads ------------------------------------------------------------------------------

    def _read(self, node: ast.AST) -> _Read | None:
        """An environment read whose variable is unset in the build and that then raises or gives
        None; None for anything else (a read with a default, a variable the build sets)."""
        read = None
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and self._meaning(node.value) == "os.environ":
            variable = _text(node.slice)
            read = _Read(variable, True, STRING) if variable else None
        elif isinstance(node, ast.Call) and not any(isinstance(arg, ast.Starred) for arg in node.args) \
                and all(keyword.arg is not None for keyword in node.keywords):
            meaning = self._meaning(node.func)
            if meaning in ("getenv", "environ.get"):
                read = self._getter(node)
            elif meaning == "config":
                read = self._decouple(node)
            elif isinstance(node.func, ast.Attribute) and self._meaning(node.func.value) == "env":
                read = self._environ(node, node.func.value, node.func.attr)
            elif meaning == "env":
                read = self._environ(node, node.func, "")
            elif meaning == "required helper" and len(node.args) == 1 and not node.keywords:
                variable = _text(node.args[0])
                read = _Read(variable, True, STRING) if variable else None
        if read is None or read.variable in self.environment:
            return None
        return read

    def _getter(self, call: ast.Call) -> _Read | None:
        variable = _text(_argument(call, 0, "key"))
        default = _argument(call, 1, "default")
        if variable is None or not (default is None or _is_none(default)):
            return None
        return _Read(variable, False, STRING)

    def _decouple(self, call: ast.Call) -> _Read | None:
        variable = _text(_argument(call, 0, "option"))
        if variable is None:
            return None
        default = _argument(call, 1, "default")
        if default is not None:
            return _Read(variable, False, STRING) if _is_none(default) else None
        cast = _argument(call, 2, "cast")
        if cast is None:
            return _Read(variable, True, STRING)
        name = dotted_name(cast.func if isinstance(cast, ast.Call) else cast) or ""
        if name in CASTS:
            return _Read(variable, True, CASTS[name])
        if name.rpartition(".")[2] == "Csv":
            return _Read(variable, True, STRING)
        return _Read(variable, True, DATABASE_URL if name in DATABASE_URL_CALLS else "")

    def _environ(self, call: ast.Call, instance: ast.AST, method: str) -> _Read | None:
        if method not in ENVIRON_METHODS:
            return None  # read_env(), ENVIRON, ...: not a read of one variable
        variable = _text(_argument(call, 0, "var"))
        if variable is None and not call.args and "var" not in {k.arg for k in call.keywords}:
            variable = ENVIRON_DEFAULT_VARIABLES.get(method)
        if variable is None:
            return None
        kind = ENVIRON_METHODS[method]
        default = _argument(call, 2 if method == "" else 1, "default")
        if method == "":
            cast = _argument(call, 1, "cast")
            if cast is not None:
                kind = CASTS.get(dotted_name(cast) or "", "")
        schema = self.schemas.get(dotted_name(instance) or "", {}).get(variable)
        if schema is not None:
            schema_kind, schema_default = schema
            if method == "" and _argument(call, 1, "cast") is None:
                kind = schema_kind
            if default is None and schema_default:
                return None
        if default is not None:
            return _Read(variable, False, kind) if _is_none(default) else None
        return _Read(variable, True, kind)

    # --- a statement: its reads, and the uses of names holding one -------------------------------

    def _statement(self, statement: ast.AST, lines: list[str], where: str) -> None:
        if not self._may_read(statement, lines):
            # It reads nothing, sets no variable and binds no reader: it only rebinds its names.
            if isinstance(statement, (ast.Assign, ast.AnnAssign)):
                self._bind(statement, _bound(statement))
            return
        targets = _targets(statement)
        parents: dict[ast.AST, ast.AST] = {}
        found = []
        stack = [statement]
        while stack:  # the nodes that run with the statement: not a lambda's body
            node = stack.pop()
            read = self._read(node) if type(node) in (ast.Call, ast.Subscript) else None
            if read is None and type(node) is ast.Name and node.id in self.held and type(node.ctx) is ast.Load:
                read = self.held[node.id]
            if read is not None:
                found.append((node, read))
            for child in ast.iter_child_nodes(node):
                parents[child] = node
                if type(child) is not ast.Lambda:
                    stack.append(child)
        found.sort(key=lambda item: (item[0].lineno, item[0].col_offset))  # in the order they are written
        for node, read in found:
            fails_on_none, parses_as = _use(node, parents, targets)
            if not read.required and not fails_on_none:
                continue  # None passes here, as far as can be told
            if read.parses_as != STRING:
                parses_as = read.parses_as  # the reader parses it: what follows takes its result
            why_not = ""
            if parses_as.startswith("call:"):
                why_not = f"is passed to {parses_as[5:]}() in {where}, whose values refactor-app does not know"
                parses_as = ""
            used_by = [name for name in targets if COLLECTSTATIC_SETTINGS.match(name)]
            if used_by:
                why_not = (f"sets {used_by[0]} in {where}, which collectstatic uses: a made-up value would change "
                           "what it collects, or where")
            self.needs.append(Need(read.variable, _first_line(lines, statement), where, parses_as, why_not))
        if isinstance(statement, (ast.Assign, ast.AnnAssign)):
            self._bind(statement, _bound(statement))
        self._sets_environment(statement)


    def _may_read(self, statement: ast.AST, lines: list[str]) -> bool:
        """Can the statement hold a read? Only through a name that means a reader or holds a
        read, and such a name is written out in its text (ASCII text: Python folds other
        identifiers to their NFKC form, which a text search would miss). Most settings lines
        name none: their nodes are not walked."""
        text = "\n".join(lines[statement.lineno - 1:statement.end_lineno])
        if not text.isascii():
            return True
        words = (*self.names, *self.held)
        if self._words[0] != words:
            self._words = (words, re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, words)) + r")(?!\w)") if words else None)
        return self._words[1] is not None and self._words[1].search(text) is not None


def _use(node: ast.AST, parents: dict, targets: list[str]) -> tuple[bool, str]:
    """What the code around a read does with its value: (fails when it is None, what it must parse
    as: STRING, NUMBER, DATABASE_URL, or "call:NAME" for a function refactor-app does not know)."""
    parent = parents.get(node)
    if isinstance(parent, ast.Attribute) and parent.value is node:
        call = parents.get(parent)
        if parent.attr in STRING_METHODS and isinstance(call, ast.Call) and call.func is parent:
            _, outer = _use(call, parents, targets)  # `int(os.environ['X'].strip())`: the int decides
            return True, outer if outer in (NUMBER, DATABASE_URL) or outer.startswith("call:") else STRING
        return True, STRING
    if isinstance(parent, ast.Subscript) and parent.value is node:
        return True, STRING
    if isinstance(parent, ast.comprehension) and parent.iter is node:
        return True, STRING
    if isinstance(parent, ast.BinOp):
        # '%s' % None is fine; None + '/', BASE_DIR / None are not
        return not (isinstance(parent.op, ast.Mod) and parent.right is node), STRING
    if isinstance(parent, ast.keyword):
        node, parent = parent, parents.get(parent)
    if isinstance(parent, ast.Call) and parent.func is not node:
        callee = dotted_name(parent.func) or "a call"
        if callee in NUMBER_CALLS:
            return True, NUMBER
        if callee in ACCEPT_NONE_CALLS:
            return False, STRING
        if callee in STRING_CALLS or callee.startswith("os.path."):
            return True, STRING
        if callee in DATABASE_URL_CALLS:
            return True, DATABASE_URL
        return False, f"call:{callee}"
    if "SECRET_KEY" in targets and isinstance(parent, (ast.Assign, ast.AnnAssign)):
        return True, STRING  # Django refuses an empty SECRET_KEY (before 3.2, as the settings load)
    return False, STRING


def _targets(statement: ast.AST) -> list[str]:
    """The module-level names a statement assigns (or changes: `DATABASES['default'] = ...`)."""
    if isinstance(statement, ast.Assign):
        nodes = statement.targets
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        nodes = [statement.target]
    else:
        return []
    names = []
    for node in nodes:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name):
                names.append(inner.id)
    return names


def _bound(statement: ast.Assign | ast.AnnAssign) -> list[str]:
    """The names an assignment binds anew: `A = ...`, `A, B = ...`; not `A['x'] = ...`."""
    found = []
    for target in statement.targets if isinstance(statement, ast.Assign) else [statement.target]:
        elements = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        found.extend(element.id for element in elements if isinstance(element, ast.Name))
    return found


def _schema(call: ast.Call) -> dict[str, tuple[str, bool]]:
    """`environ.Env(DEBUG=(bool, False), PORT=int)`: variable -> (what it parses as, has a default)."""
    schema = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            continue
        value = keyword.value
        if isinstance(value, ast.Tuple) and value.elts:
            schema[keyword.arg] = (CASTS.get(dotted_name(value.elts[0]) or "", ""), len(value.elts) >= 2)
        else:
            schema[keyword.arg] = (CASTS.get(dotted_name(value) or "", ""), False)
    return schema


def _argument(call: ast.Call, position: int, keyword: str) -> ast.AST | None:
    for found in call.keywords:
        if found.arg == keyword:
            return found.value
    return call.args[position] if len(call.args) > position else None


def _text(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _python_lines(source: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", source)  # as Python counts lines (str.splitlines also splits at \f)


def _first_line(lines: list[str], node: ast.AST) -> str:
    """The node's code on one line, shortened (ast.get_source_segment splits the whole file each time)."""
    line = lines[node.lineno - 1] if 0 < node.lineno <= len(lines) else ""
    end = node.end_col_offset if node.end_lineno == node.lineno else None
    # Offsets count UTF-8 bytes.
    encoded = line.encode("utf-8")[node.col_offset:end]
    text = encoded.decode("utf-8", "replace")
    return _shortened(text + (" ..." if node.end_lineno != node.lineno else ""))


def _shortened(code: str, limit: int = 72) -> str:
    """Code on one line: a statement over several lines, or a long one, ends in '...'."""
    lines = code.strip().splitlines()
    first = lines[0].rstrip() if lines else ""
    if len(lines) > 1 or len(first) > limit:
        first = first[:limit].rstrip(" ([{,") + " ..."
    return first
