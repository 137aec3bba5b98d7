"""Fail closed (issue 12, principle 3): a setting that reads the environment is done only when the
value it takes with the variable unset is safe: DEBUG off, no '*' in ALLOWED_HOSTS, the HTTPS
redirect on; and DEBUG off when a deployment says DEBUG=False or 0.

The value is worked out from the settings' own code, for the readers refactor-app knows
(os.environ / os.getenv, django-environ's env.*, python-decouple's config) and plain Python around
them (comparisons, .lower(), bool(), split, a list comprehension, other module-level names). An
unsafe one is fixed in the project's own spelling, keeping its variable name, so a deployment that
sets the variable keeps its value (principle 2): only the default literal changes, or, for DEBUG
read as a plain string (`bool(os.getenv('DEBUG'))`, `os.getenv('DEBUG', False)`, where "False" is
true), the read becomes `os.getenv('DEBUG', '').lower() in ('1', 'true', 'yes', 'on')`. Each fix is
checked by working the value out again before it is kept; an unsafe value that cannot be fixed that
way is "not applicable", to be fixed by hand, never "done".
"""

from __future__ import annotations

import ast
import contextvars
import json
import re
from typing import Callable, Iterator, NamedTuple

import libcst as cst

from refactor_app.editors import settings as settings_editor
from refactor_app.settings_paths import dotted_name
from refactor_app.steps.base import Outcome, done, ensure_env_local, join, not_applicable, pending
from refactor_app.workspace import SettingRef, Workspace

TRUE_STRINGS = "('1', 'true', 'yes', 'on')"
OFF_STRINGS = "('', '0', 'false', 'no', 'off')"
# Values a deployment may set: a fix must give what the old code gave for each (DEBUG read as a
# plain string excepted: there "False", "0" and the like are what the fix is for).
SAMPLE_VALUES = ("True", "true", "TRUE", "1", "yes", "on", "False", "false", "0", "no", "off", "",
                 "a.com,b.com", "a.com", "*")
TRUE_VALUES = ("True", "true", "TRUE", "1", "yes", "on")
OFF_WORDS = ("False", "false", "0", "no", "off")


def _strtobool(value: str) -> int:
    """distutils.util.strtobool (gone with Python 3.12; projects copy it)."""
    value = value.lower()
    if value in ("y", "yes", "t", "true", "on", "1"):
        return 1
    if value in ("n", "no", "f", "false", "off", "0"):
        return 0
    raise ValueError(value)


# Calls around a read that the value is worked out through, as Python computes them.
_COLLECTIONS = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset, "filter": list}
_PARSERS = {"json.loads": json.loads, "ast.literal_eval": ast.literal_eval, "literal_eval": ast.literal_eval,
            "strtobool": _strtobool, "util.strtobool": _strtobool, "distutils.util.strtobool": _strtobool}
_PURE_CALLS = {*_COLLECTIONS, *_PARSERS}


class Unknown(Exception):
    """The value cannot be worked out from the code alone."""


class Raises(Exception):
    """Importing the settings would fail (a required variable unset): closed, not unsafe."""


class Rule(NamedTuple):
    setting: str
    is_unsafe: Callable[[object], bool]  # the value under an environment
    unsafe_words: str  # "DEBUG is on"
    local_value: str  # what .env-local sets the variable to for local work
    wanted_default: bool  # for a True/False default: the safe one


def _debug_unsafe(value) -> bool:
    return bool(value)


def _hosts_unsafe(value) -> bool:
    # A string is a sequence of one-character hosts to Django: '*' in it allows any host.
    return isinstance(value, (list, tuple, str, set, frozenset)) and "*" in value


def _ssl_unsafe(value) -> bool:
    return not value


DEBUG = Rule("DEBUG", _debug_unsafe, "DEBUG is on", "True", False)
ALLOWED_HOSTS = Rule("ALLOWED_HOSTS", _hosts_unsafe, "ALLOWED_HOSTS allows any host ('*')", "localhost,127.0.0.1", False)
SECURE_SSL_REDIRECT = Rule("SECURE_SSL_REDIRECT", _ssl_unsafe, "there is no HTTPS redirect", "False", True)
# The deploy-ready steps' cookies: like the redirect, safe only when on (wanted_default True).
SESSION_COOKIE_SECURE = Rule("SESSION_COOKIE_SECURE", _ssl_unsafe, "the session cookie goes over plain HTTP", "False", True)
CSRF_COOKIE_SECURE = Rule("CSRF_COOKIE_SECURE", _ssl_unsafe, "the CSRF cookie goes over plain HTTP", "False", True)


def check(ws: Workspace, ref: SettingRef, rule: Rule) -> Outcome | None:
    """Pending (with the fix made) or not applicable when the setting reads the environment but
    is unsafe with its variable unset; None when it is safe, or not worked out (the step decides)."""
    settings = ref.settings
    value = ref.value
    helper = _helper_call(settings.module, value)
    # Most settings modules define no function: their bytes say so before any node is visited.
    defines = helper is None and b"def " in settings.original
    passthrough = _passthrough_helpers(settings.module, value) if defines else frozenset()
    if helper is None and not passthrough and not _reads_environment(settings.module, value):
        return None
    if passthrough:
        # `get_secret("DEBUG", "True") == "True"`, the helper returning os.environ.get(name, default):
        # worked out as the same read would be.
        token = _PASSTHROUGH.set(passthrough)
        try:
            return _check(ws, ref, rule, helper)
        finally:
            _PASSTHROUGH.reset(token)
    return _check(ws, ref, rule, helper)


def _check(ws: Workspace, ref: SettingRef, rule: Rule, helper: str | None) -> Outcome | None:
    settings = ref.settings
    value = ref.value
    where = settings.display_path
    code = settings_editor.one_line_code(value)
    if helper is not None:
        return _check_helper(ws, ref, rule, helper, where, code)

    evaluator = Evaluator(settings.module)
    try:
        unset = evaluator.value(value, {})
    except Raises:
        return None  # the settings cannot be imported without the variable: closed
    except Unknown:
        return None
    keys = sorted(evaluator.keys)
    problem = ""
    if rule.is_unsafe(unset):
        problem = f"{rule.unsafe_words} when {_names(keys)} {'is' if len(keys) == 1 else 'are'} unset"
    elif rule is DEBUG and _plain_string_read(value) is not None:
        # Read as a plain string (bool(os.getenv('DEBUG')), os.getenv('DEBUG', False)): "False" is true.
        # A comparison says itself which strings mean on: that is the deployment's contract.
        for key in keys:
            for off in ("False", "0"):
                try:
                    on = evaluator.value(value, {key: off})
                except (Raises, Unknown):
                    continue
                if on:
                    problem = f"DEBUG is on when {key}={off} (the variable is read as a string, and a non-empty string is true)"
                    break
            if problem:
                break
    if not problem:
        return None

    fixed = _fix(settings.module, value, rule, keys)
    if fixed is None:
        return not_applicable(
            f"{where}: {rule.setting} = {code}: {problem}; refactor-app cannot rewrite this spelling safely, "
            f"make it safe by hand"
        )
    if isinstance(fixed, SchemaFix):
        settings.module = fixed.module
        notes = [(f"{where}: {rule.setting} = {code}: {problem} (the default in {fixed.old_code}); it becomes "
                  f"{fixed.new_code} (a deployment that sets {fixed.key} keeps its value)")]
        local = _local_value(settings.module, value, rule, fixed.key, code)
        if local is not None:
            notes.append(ensure_env_local(ws, fixed.key, local).note)
        return pending(join(*notes))
    new_value, key = fixed
    ref.replace_value(new_value)
    kept = f"a deployment that sets {key} keeps its value"
    full_code = settings_editor.source(new_value)
    new_code = settings_editor.one_line_code(new_value)
    if full_code.endswith(TRUE_STRINGS):
        kept = f"a deployment that sets {key} to True, true, 1, yes or on keeps DEBUG on"
    elif full_code.endswith(OFF_STRINGS):
        what = "the redirect" if rule is SECURE_SSL_REDIRECT else rule.setting
        kept = f"a deployment that sets {key} to True, 1, yes or on keeps {what}; False, 0, no or off turn it off"
    notes = [f"{where}: {rule.setting} = {code}: {problem}; it becomes {new_code} ({kept})"]
    local = _local_value(settings.module, new_value, rule, key, code)
    if local is not None:
        notes.append(ensure_env_local(ws, key, local).note)
    return pending(join(*notes))


def _names(keys: list[str]) -> str:
    return ", ".join(keys) if keys else "the variable"


# --- fixes ------------------------------------------------------------------------------------

def _fix(module: cst.Module, value: cst.BaseExpression, rule: Rule, keys: list[str]):
    """(new value, the variable) when a rewrite in the project's spelling makes it safe."""
    if rule is DEBUG or rule.wanted_default:  # the redirect and the cookies: safe when on
        read = _plain_string_read(value)
        if read is not None:
            func, key_node, key = read
            call = f"{settings_editor.source(func)}({settings_editor.source(key_node)}"
            if rule is DEBUG:
                new = settings_editor.expression(f"{call}, '').lower() in {TRUE_STRINGS}")
            else:
                new = settings_editor.expression(f"{call}, 'True').lower() not in {OFF_STRINGS}")
            if _safe_and_kept(module, value, new, rule, key, as_string=True):
                return new, key
            return None
    for call, default in _defaults(value):
        key = _call_key(call)
        if key is None:
            continue
        for candidate in _candidates(default, rule):
            new = value.deep_replace(default, candidate)
            if _safe_and_kept(module, value, new, rule, key):
                return new, key
    return _fix_schema(module, value, rule)


class SchemaFix(NamedTuple):
    """The default is in django-environ's schema: `env = environ.Env(DEBUG=(bool, True))`."""

    module: cst.Module  # the module with `env = ...` rewritten
    old_code: str
    new_code: str
    key: str


def _fix_schema(module: cst.Module, value: cst.BaseExpression, rule: Rule):
    for call in _calls(value):
        name = settings_editor.dotted_name(call.func) or ""
        if name != "env" and not name.startswith("env."):
            continue
        key = _call_key(call)
        schema = environ_schema(module, key) if key is not None else None
        if schema is None or schema[1] is None:
            continue
        default = schema[1]
        (assignment,) = settings_editor.assignments(module, "env")
        for candidate in _candidates(default, rule):
            new_env = assignment.value.deep_replace(default, candidate)
            new_module = settings_editor.replace_value(module, assignment, new_env)
            if _safe_and_kept(module, value, value, rule, key, new_module=new_module):
                return SchemaFix(new_module, _schema_code(assignment.value, default),
                                 _schema_code(new_env, candidate), key)
    return None


def _schema_code(env: cst.BaseExpression, default: cst.CSTNode) -> str:
    """`environ.Env(...)` as a reason quotes it: on one line, with the schema entry that holds
    `default` when the call spans several (`environ.Env(DEBUG=(bool, True), ...)`)."""
    code = settings_editor.one_line_code(env)
    if not isinstance(env, cst.Call) or code == settings_editor.source(env).strip():
        return code
    for arg in env.args:
        if _holds(arg, default):
            shown = settings_editor.one_line_code(arg.value)
            keyword = f"{arg.keyword.value}=" if arg.keyword is not None else ""
            more = ", ..." if len(env.args) > 1 else ""
            return f"{settings_editor.one_line_code(env.func)}({keyword}{shown}{more})"
    return code


def _holds(tree: cst.CSTNode, node: cst.CSTNode) -> bool:
    found = []

    class Finder(cst.CSTVisitor):
        def on_visit(self, current: cst.CSTNode) -> bool:
            if current is node:
                found.append(True)
            return not found

    tree.visit(Finder())
    return bool(found)


def _calls(value: cst.BaseExpression) -> list[cst.Call]:
    found = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            found.append(node)

    value.visit(Finder())
    return found


def _safe_and_kept(module, old, new, rule: Rule, key: str, as_string: bool = False, new_module=None) -> bool:
    """`new` (in `new_module`, if given) is safe with the variable unset (and, for DEBUG, set to
    False or 0), and gives what `old` gave for every value a deployment may set."""
    evaluator = Evaluator(module)
    new_evaluator = Evaluator(new_module if new_module is not None else module)
    try:
        if rule.is_unsafe(new_evaluator.value(new, {})):
            return False
        if as_string and rule is DEBUG and any(_on_or_raises(new_evaluator, new, {key: off}) for off in ("False", "0")):
            return False
        for sample in SAMPLE_VALUES:
            environment = {key: sample}
            try:
                before = evaluator.value(old, environment)
            except Raises:
                continue
            after = new_evaluator.value(new, environment)
            if as_string:  # a plain string read: the values a deployment sets to mean "on" stay on
                if sample in TRUE_VALUES and not (before and after is True):
                    return False
            elif after != before:
                return False
    except (Raises, Unknown):
        return False
    return True


def _on_or_raises(evaluator: Evaluator, value, environment: dict) -> bool:
    """Is it on under `environment`? Settings that cannot be imported there run nothing: off."""
    try:
        return bool(evaluator.value(value, environment))
    except Raises:
        return False


def _plain_string_read(value: cst.BaseExpression):
    """(func, key node, key) for a setting read as a plain string: `os.getenv('DEBUG', ...)` or
    `bool(os.environ.get('DEBUG', ...))`."""
    if isinstance(value, cst.Call) and settings_editor.dotted_name(value.func) == "bool" and len(value.args) == 1:
        value = value.args[0].value
    if not isinstance(value, cst.Call) or not _is_getter(settings_editor.dotted_name(value.func)):
        return None
    if not value.args or value.args[0].keyword is not None:
        return None
    key = settings_editor.string_literal(value.args[0].value)
    if key is None:
        return None
    return value.func, value.args[0].value, key


def _defaults(value: cst.BaseExpression) -> list[tuple[cst.Call, cst.BaseExpression]]:
    """(call, its default) for each environment read inside `value` that has a default."""
    found = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            name = settings_editor.dotted_name(node.func)
            if name is None or not _is_reader(name):
                return
            default = _argument(node, 1, "default")
            if default is not None:
                found.append((node, default))

    value.visit(Finder())
    return found


def _call_key(call: cst.Call) -> str | None:
    name = settings_editor.dotted_name(call.func) or ""
    keyword = "var" if name.startswith("env") else "option" if name.endswith("config") else "key"
    key = _argument(call, 0, keyword)
    return settings_editor.string_literal(key) if key is not None else None


_OPPOSITES = {"true": "false", "1": "0", "yes": "no", "on": "off", "y": "n", "t": "f"}
_OPPOSITES.update({value: key for key, value in _OPPOSITES.items()})


def _candidates(default: cst.BaseExpression, rule: Rule) -> list[cst.BaseExpression]:
    """Replacements for a default literal, in the order tried: its opposite in the same spelling."""
    if isinstance(default, cst.Name) and default.value in ("True", "False"):
        return [cst.Name("False" if default.value == "True" else "True")]
    if isinstance(default, cst.Integer) and default.value in ("0", "1"):
        return [cst.Integer("1" if default.value == "0" else "0")]
    if isinstance(default, (cst.List, cst.Tuple)):
        return [default.with_changes(elements=[])] if isinstance(default, cst.List) else [cst.Tuple(elements=[])]
    if isinstance(default, cst.SimpleString):
        text = default.evaluated_value
        if not isinstance(text, str):
            return []
        words = []
        opposite = _OPPOSITES.get(text.lower())
        if opposite is not None:
            words.append(_same_case(opposite, text))
        words += ["", "False", "True"] if rule is not ALLOWED_HOSTS else [""]
        quote = default.quote
        return [cst.SimpleString(f"{default.prefix}{quote}{word}{quote}") for word in dict.fromkeys(words)]
    return []


def _same_case(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like[:1].isupper():
        return word.capitalize()
    return word


def _local_value(module, new_value, rule: Rule, key: str, old_code: str = "") -> str | None:
    """What .env-local sets `key` to for local work (DEBUG on, localhost, no redirect), checked
    against the new code when it can be worked out. Besides the usual spellings, the strings of
    the old code are tried: its unsafe default was what local work ran with (`== '1'`,
    `DJANGO_ENV == 'development'`)."""
    evaluator = Evaluator(module)
    if rule is ALLOWED_HOSTS:
        candidates = ["localhost,127.0.0.1", "localhost 127.0.0.1", "localhost;127.0.0.1"]
    else:
        quoted = [a or b for a, b in re.findall(r"'([^'\\]*)'|\"([^\"\\]*)\"", old_code)]
        candidates = list(dict.fromkeys([rule.local_value, *TRUE_VALUES, *quoted, *OFF_WORDS]))
    for candidate in candidates:
        try:
            got = evaluator.value(new_value, {key: candidate})
        except Unknown:
            if candidate == candidates[0]:
                return candidate  # the code cannot be worked out: the usual spelling
            continue
        except Raises:  # the settings would not import with it (int('True')): the next spelling
            continue
        if rule is DEBUG and got:
            return candidate
        if rule.wanted_default and not got:
            return candidate
        if rule is ALLOWED_HOSTS and isinstance(got, (list, tuple)) and "localhost" in got:
            return candidate
    return None


# --- a helper the settings module defines --------------------------------------------------------

def _definitions(module: cst.Module, name: str) -> Iterator[int]:
    """The indexes of the module's top-level statements that may define a function `name` (a
    statement still held as text: one that spells `def name(`)."""
    for index, statement in enumerate(module.body):
        if isinstance(statement, cst.FunctionDef):
            if statement.name.value == name:
                yield index
        elif isinstance(statement, settings_editor.OpaqueStatement) and f"def {name}(" in statement.text:
            yield index


def _defines(module: cst.Module, name: str) -> bool:
    """Does the module define a function `name` at its top level?"""
    return next(_definitions(module, name), None) is not None


def _helper_call(module: cst.Module, value: cst.BaseExpression) -> str | None:
    """The name of a function defined in the settings module, reading os.environ / os.getenv,
    when `value` is a call of it: envbool("DEBUG", "True")."""
    if not isinstance(value, cst.Call) or not isinstance(value.func, cst.Name):
        return None
    name = value.func.value
    if _is_reader(name) or name in ("bool", "int", "str"):
        return None
    return name if any(_ast_reads_environment(function) for function in _function_definitions(module, name)) else None


def _function_definitions(module: cst.Module, name: str) -> Iterator[ast.FunctionDef]:
    """The module's top-level `def name(...)`, as Python's parser reads them."""
    for index in _definitions(module, name):
        try:
            tree = ast.parse(settings_editor.statement_source(module, index).strip("\r\n"))
        except (SyntaxError, ValueError):
            continue
        yield from (node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == name)


# The settings module's own helpers that return os.environ.get(name, default) with their first two
# parameters (Google's App Engine sample: get_secret(name, default) reads Secret Manager on App
# Engine, the environment elsewhere), for the check in progress: read as a getter is read.
_PASSTHROUGH: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar("passthrough", default=frozenset())


def _passthrough_helpers(module: cst.Module, value: cst.BaseExpression) -> frozenset[str]:
    """The helpers `value` calls (not as its whole value: _helper_call judges that) whose body
    returns the environment's value for its first parameter, or its second when unset."""
    names = {call.func.value for call in _calls(value) if isinstance(call.func, cst.Name)
             and call.func.value not in ("bool", "int", "str", "list", "tuple") and not _is_reader(call.func.value)}
    return frozenset(name for name in names
                     if any(_returns_environment_get(function) for function in _function_definitions(module, name)))


def _returns_environment_get(function: ast.FunctionDef) -> bool:
    parameters = [argument.arg for argument in function.args.args]
    if len(parameters) < 2:
        return False
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call) and len(node.value.args) == 2 \
                and dotted_name(node.value.func) in GETTERS \
                and [getattr(argument, "id", None) for argument in node.value.args] == parameters[:2]:
            return True
    return False


def _ast_reads_environment(function: ast.FunctionDef) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            return True
        if isinstance(node, ast.Name) and node.id in ("environ", "getenv"):
            return True
    return False


_TRUTHY_LITERALS = {"true", "1", "yes", "on", "y", "t"}
_FALSY_LITERALS = {"false", "0", "no", "off", "n", "f", ""}


def _check_helper(ws: Workspace, ref: SettingRef, rule: Rule, helper: str, where: str, code: str) -> Outcome | None:
    """The helper's code is not worked out: only `helper("NAME", <literal default>)` is judged,
    and only its default literal is rewritten."""
    call = ref.value
    if len(call.args) != 2 or any(arg.keyword is not None or arg.star for arg in call.args):
        return None
    key = settings_editor.string_literal(call.args[0].value)
    default = call.args[1].value
    if key is None:
        return None
    literal = _literal(default)
    if literal is None:
        return None
    if rule is DEBUG:
        unsafe = literal is True or str(literal).lower() in _TRUTHY_LITERALS
    elif rule.wanted_default:
        unsafe = literal is False or literal is None or str(literal).lower() in _FALSY_LITERALS
    else:
        unsafe = "*" in (literal if isinstance(literal, (list, tuple)) else str(literal).replace(",", " ").split())
    if not unsafe:
        return done(f"{where} reads {rule.setting} from the environment through {helper}() defined there "
                    f"({key}, default {settings_editor.one_line_code(default)})")
    candidates = _candidates(default, rule)
    if not candidates:
        return not_applicable(
            f"{where}: {rule.setting} = {code}: {rule.unsafe_words} when {key} is unset; make the default safe by hand"
        )
    new_value = call.deep_replace(default, candidates[0])
    ref.replace_value(new_value)
    env_line = ensure_env_local(ws, key, rule.local_value)
    return pending(join(
        f"{where}: {rule.setting} = {code}: {rule.unsafe_words} when {key} is unset (the default); it becomes "
        f"{settings_editor.one_line_code(new_value)} (a deployment that sets {key} keeps its value)",
        env_line.note,
    ))


def _literal(node: cst.BaseExpression):
    try:
        return ast.literal_eval(settings_editor.source(node).strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


# --- working the value out ---------------------------------------------------------------------

GETTERS = {"os.environ.get", "os.getenv", "environ.get", "getenv"}
_ENVIRON_CASTS = {"env.bool": bool, "env.str": None, "env.list": list, "env.int": int, "env": None}
_BOOLEAN_TRUE_ENVIRON = ("true", "on", "ok", "y", "yes", "1")
_DECOUPLE_TRUE = {"y", "yes", "t", "true", "on", "1"}
_DECOUPLE_FALSE = {"n", "no", "f", "false", "off", "0"}


def _is_reader(name: str) -> bool:
    return _is_getter(name) or name in ("os.environ.setdefault", "config", "decouple.config") or name == "env" \
        or name.startswith("env.")


def _is_getter(name: str | None) -> bool:
    return name in GETTERS or name in _PASSTHROUGH.get()


def _reads_environment(module: cst.Module, value: cst.BaseExpression, depth: int = 2) -> bool:
    if settings_editor.environment_reads(value):
        return True
    if depth == 0:
        return False
    for name in settings_editor.names_used(value):
        for assignment in settings_editor.assignments(module, name):
            if _reads_environment(module, assignment.value, depth - 1):
                return True
    return False


def _argument(call: cst.Call, position: int, keyword: str) -> cst.BaseExpression | None:
    for index, arg in enumerate(call.args):
        if arg.star:
            return None
        if arg.keyword is not None:
            if arg.keyword.value == keyword:
                return arg.value
        elif index == position:
            return arg.value
    return None


class _EnvironmentView:
    """os.environ for a membership test: answers from the environment evaluated, noting the key."""

    def __init__(self, evaluator: "Evaluator") -> None:
        self.evaluator = evaluator

    def __contains__(self, key) -> bool:
        if not isinstance(key, str):
            raise Unknown
        self.evaluator.keys.add(key)
        return key in self.evaluator.environment


class Evaluator:
    """What a settings expression gives under an environment, as far as the code alone tells."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.keys: set[str] = set()  # the variables read
        self._depth = 0

    def value(self, node: cst.BaseExpression, environment: dict[str, str], scope: dict | None = None):
        self.environment = environment
        try:
            return self._eval(node, scope or {})
        except (Unknown, Raises):
            raise
        except (TypeError, ValueError, AttributeError, LookupError, ArithmeticError, RecursionError):
            # Code the evaluator does not model exactly (`.split(1)`, `.lower(1)`): cannot tell.
            raise Unknown from None

    def _eval(self, node, scope):
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            value = node.evaluated_value
            if not isinstance(value, str):
                raise Unknown
            return value
        if isinstance(node, cst.Integer):
            return int(node.value.replace("_", ""), 0)
        if isinstance(node, cst.Name):
            return self._name(node.value, scope)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            items = []
            for element in node.elements:
                if not isinstance(element, cst.Element):
                    raise Unknown
                items.append(self._eval(element.value, scope))
            return tuple(items) if isinstance(node, cst.Tuple) else items
        if isinstance(node, cst.Call):
            return self._call(node, scope)
        if isinstance(node, cst.Comparison):
            return self._comparison(node, scope)
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            return not self._eval(node.expression, scope)
        if isinstance(node, cst.BooleanOperation):
            left = self._eval(node.left, scope)
            if isinstance(node.operator, cst.And):
                return self._eval(node.right, scope) if left else left
            return left if left else self._eval(node.right, scope)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left, right = self._eval(node.left, scope), self._eval(node.right, scope)
            try:
                return left + right
            except TypeError:
                raise Unknown from None
        if isinstance(node, cst.ListComp):
            return self._list_comp(node, scope)
        if isinstance(node, (cst.Attribute, cst.Name)) and settings_editor.dotted_name(node) in ("os.environ", "environ"):
            return _EnvironmentView(self)  # `'RENDER' not in os.environ`
        raise Unknown

    def _name(self, name: str, scope: dict):
        if name in scope:
            return scope[name]
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        found = list(settings_editor.assignments(self.module, name))
        if len(found) != 1 or self._depth > 3:
            raise Unknown
        self._depth += 1
        try:
            return self._eval(found[0].value, {})
        finally:
            self._depth -= 1

    def _read(self, key, default, required: bool):
        if not isinstance(key, str):
            raise Unknown
        self.keys.add(key)
        if key in self.environment:
            return self.environment[key], True
        if required:
            raise Raises
        return default, False

    def _call(self, node: cst.Call, scope: dict):
        name = settings_editor.dotted_name(node.func)
        if any(arg.star for arg in node.args):
            raise Unknown
        if _is_getter(name) or name == "os.environ.setdefault":
            key = self._eval(_required(_argument(node, 0, "key")), scope)
            default = _argument(node, 1, "default")
            value, _ = self._read(key, self._eval(default, scope) if default is not None else None, False)
            return value
        if name in _ENVIRON_CASTS:
            return self._environ(node, name, scope)
        if name in ("config", "decouple.config"):
            return self._decouple(node, scope)
        if name in ("bool", "str", "int") and len(node.args) == 1 and node.args[0].keyword is None:
            argument = self._eval(node.args[0].value, scope)
            try:
                return {"bool": bool, "str": str, "int": int}[name](argument)
            except (TypeError, ValueError):
                raise Raises from None
        if name in _PURE_CALLS and all(arg.keyword is None for arg in node.args):
            return self._pure(node, name, scope)
        if isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            if method in ("lower", "upper", "strip", "casefold", "split") and len(node.args) <= 1:
                target = self._eval(node.func.value, scope)
                if not isinstance(target, str):
                    raise Raises if target is None else Unknown
                arguments = [self._eval(arg.value, scope) for arg in node.args if arg.keyword is None]
                if len(arguments) != len(node.args):
                    raise Unknown
                return getattr(target, method)(*arguments)
        raise Unknown

    def _pure(self, node: cst.Call, name: str, scope: dict):
        """A call settings wrap a read in, worked out as Python would: list(...), tuple(...),
        filter(None, ...), json.loads(...), ast.literal_eval(...), strtobool(...)."""
        if name == "filter":
            if len(node.args) != 2 or not (isinstance(node.args[0].value, cst.Name) and node.args[0].value.value == "None"):
                raise Unknown
            argument = self._eval(node.args[1].value, scope)
        elif len(node.args) == 1:
            argument = self._eval(node.args[0].value, scope)
        else:
            raise Unknown
        if argument is None:
            raise Raises  # a TypeError on import: closed
        if name in _COLLECTIONS:
            if not isinstance(argument, (str, list, tuple)):
                raise Unknown
            return _COLLECTIONS[name](argument) if name != "filter" else [item for item in argument if item]
        if not isinstance(argument, str) or ("." not in name and _defines(self.module, name)):
            raise Unknown  # a strtobool of the module's own may mean something else
        try:
            return _PARSERS[name](argument)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise Raises from None

    def _environ(self, node: cst.Call, name: str, scope: dict):
        """django-environ: the default is returned as written; a set value is parsed. A default or
        cast the call leaves out comes from the schema, `env = environ.Env(DEBUG=(bool, False))`."""
        key = self._eval(_required(_argument(node, 0, "var")), scope)
        cast = _ENVIRON_CASTS[name]
        if name == "env":
            cast_node = _argument(node, 1, "cast")
            if cast_node is not None:
                cast = _cast_of(cast_node)
            default = _argument(node, 2, "default")
        else:
            default = _argument(node, 1, "default")
        if default is None or (name == "env" and cast is None):
            schema = environ_schema(self.module, key)
            if schema is not None:
                schema_cast, schema_default = schema
                if name == "env" and cast is None and schema_cast is not None:
                    cast = _cast_of(schema_cast)
                if default is None:
                    default = schema_default
        value, found = self._read(key, self._eval(default, scope) if default is not None else None, default is None)
        if not found:
            return value
        if cast is bool:
            try:
                return int(value) != 0
            except ValueError:
                return value.lower().strip() in _BOOLEAN_TRUE_ENVIRON
        if cast is list:
            return [item for item in value.split(",") if item]
        if cast is int:
            try:
                return int(value)
            except ValueError:
                raise Raises from None
        return value

    def _decouple(self, node: cst.Call, scope: dict):
        """python-decouple: the cast applies to the default too."""
        key = self._eval(_required(_argument(node, 0, "option")), scope)
        default = _argument(node, 1, "default")
        value, _ = self._read(key, self._eval(default, scope) if default is not None else None, default is None)
        cast = _argument(node, 2, "cast")
        if cast is None:
            return value
        if isinstance(cast, cst.Name) and cast.value == "bool":
            text = str(value).lower()
            if text == "":
                return False
            if text in _DECOUPLE_TRUE:
                return True
            if text in _DECOUPLE_FALSE:
                return False
            raise Raises
        if isinstance(cast, cst.Call) and settings_editor.dotted_name(cast.func) in ("Csv", "decouple.Csv") and not cast.args:
            if value is None:
                return []
            return [item.strip() for item in str(value).split(",") if item.strip()]
        raise Unknown

    def _comparison(self, node: cst.Comparison, scope: dict):
        left = self._eval(node.left, scope)
        for target in node.comparisons:
            right = self._eval(target.comparator, scope)
            operator = target.operator
            try:
                if isinstance(operator, cst.Equal):
                    result = left == right
                elif isinstance(operator, cst.NotEqual):
                    result = left != right
                elif isinstance(operator, cst.In):
                    result = left in right
                elif isinstance(operator, cst.NotIn):
                    result = left not in right
                elif isinstance(operator, cst.Is):
                    result = left is right
                elif isinstance(operator, cst.IsNot):
                    result = left is not right
                else:
                    raise Unknown
            except TypeError:
                raise Raises from None
            if not result:
                return False
            left = right
        return True

    def _list_comp(self, node: cst.ListComp, scope: dict):
        comp = node.for_in
        if comp.inner_for_in is not None or comp.asynchronous is not None or not isinstance(comp.target, cst.Name):
            raise Unknown
        items = self._eval(comp.iter, scope)
        if not isinstance(items, (list, tuple)):
            raise Unknown
        result = []
        for item in items:
            inner = {**scope, comp.target.value: item}
            if all(self._eval(condition.test, inner) for condition in comp.ifs):
                result.append(self._eval(node.elt, inner))
        return result


def _cast_of(node: cst.BaseExpression):
    name = settings_editor.dotted_name(node)
    if name in ("bool", "list", "int"):
        return {"bool": bool, "list": list, "int": int}[name]
    if name == "str":
        return None
    raise Unknown


_ENV_CLASSES = {"environ.Env", "Env", "environ.FileAwareEnv", "FileAwareEnv"}


def environ_schema(module: cst.Module, key: str):
    """(cast node, default node or None) that `env = environ.Env(KEY=(cast, default))` in the
    module gives `key`; None when the module has no such line."""
    found = list(settings_editor.assignments(module, "env"))
    if len(found) != 1:
        return None
    value = found[0].value
    if not isinstance(value, cst.Call) or settings_editor.dotted_name(value.func) not in _ENV_CLASSES:
        return None
    entry = _argument(value, -1, key)
    if entry is None:
        return None
    if isinstance(entry, cst.Tuple) and len(entry.elements) == 2 and all(isinstance(e, cst.Element) for e in entry.elements):
        return entry.elements[0].value, entry.elements[1].value
    return entry, None


def _required(node):
    if node is None:
        raise Unknown
    return node
