"""Fail closed (issue 12, principle 3): a setting that reads the environment is done only when the
value used with the variable unset is safe. Each unsafe spelling is pending, fixed in the project's
own spelling with its own variable name, and real Django then loads the migrated settings with
DEBUG off, no '*' and the HTTPS redirect on under an empty environment, while a deployment that
sets the variable keeps the value it had."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import git, git_status, run_cli
from golden_cases import tree_files
from project_builder import STARTPROJECT_SETTINGS, startproject

pytest.importorskip("django")
pytest.importorskip("environ")
pytest.importorskip("decouple")

ENVIRON_HEADER = "import environ\n\nenv = environ.Env()\n"
DECOUPLE_HEADER = "from decouple import Csv, config\n"
ENVBOOL_HELPER = (
    "\n\ndef envbool(name, default):\n"
    "    return os.environ.get(name, default).lower() in ('true', '1', 'yes')\n\n\n"
)

LOADER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from django.conf import Settings
settings = Settings("mysite.settings")
print(json.dumps({name: getattr(settings, name, None) for name in ["DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT"]}))
"""
# What the settings below read: unset before each load so the test runner's shell cannot leak in.
VARIABLES = ("DEBUG", "DJANGO_DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "DOMAIN", "DOMAIN_ALIASES",
             "DOMAIN_REDIRECTS", "SECRET_KEY", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")


@dataclass
class Spelling:
    step: str
    setting: str
    old: str  # the line in the settings before
    new: str  # the line after apply --all
    deployments: list[dict] = field(default_factory=list)  # environments a deployment sets
    header: str = "import os\n"
    truthy_only: bool = False  # before, the setting was a string when set: compare truthiness
    files: dict = field(default_factory=dict)  # more files in the project


DEBUG_DEPLOYMENTS = [{"DEBUG": "True"}, {"DEBUG": "False"}]
HOSTS_DEPLOYMENTS = [{"ALLOWED_HOSTS": "a.com,b.com"}, {"ALLOWED_HOSTS": "a.com"}]
SSL_DEPLOYMENTS = [{"SECURE_SSL_REDIRECT": "True"}, {"SECURE_SSL_REDIRECT": "False"}]
TRUE_STRINGS = "('1', 'true', 'yes', 'on')"

UNSAFE = {
    # DEBUG on when the variable is unset.
    "environ-get-True-compared": Spelling(
        "debug", "DEBUG", "DEBUG = os.environ.get('DEBUG', 'True') == 'True'",
        "DEBUG = os.environ.get('DEBUG', 'False') == 'True'", DEBUG_DEPLOYMENTS,
    ),
    "getenv-true-lowered": Spelling(
        "debug", "DEBUG", "DEBUG = os.getenv('DEBUG', 'true').lower() == 'true'",
        "DEBUG = os.getenv('DEBUG', 'false').lower() == 'true'", [*DEBUG_DEPLOYMENTS, {"DEBUG": "true"}],
    ),
    "django-environ-bool-positional": Spelling(
        "debug", "DEBUG", "DEBUG = env.bool('DEBUG', True)", "DEBUG = env.bool('DEBUG', False)",
        [*DEBUG_DEPLOYMENTS, {"DEBUG": "1"}, {"DEBUG": "0"}], header=ENVIRON_HEADER,
    ),
    "django-environ-bool-keyword": Spelling(
        "debug", "DEBUG", "DEBUG = env.bool('DEBUG', default=True)", "DEBUG = env.bool('DEBUG', default=False)",
        DEBUG_DEPLOYMENTS, header=ENVIRON_HEADER,
    ),
    "django-environ-schema-default": Spelling(
        "debug", "DEBUG", "DEBUG = env('DEBUG')", "DEBUG = env('DEBUG')",
        [*DEBUG_DEPLOYMENTS, {"DEBUG": "1"}], header="import environ\n\nenv = environ.Env(DEBUG=(bool, True))\n",
    ),
    "decouple-config-bool": Spelling(
        "debug", "DEBUG", "DEBUG = config('DEBUG', default=True, cast=bool)",
        "DEBUG = config('DEBUG', default=False, cast=bool)", [*DEBUG_DEPLOYMENTS, {"DEBUG": "1"}],
        header=DECOUPLE_HEADER,
    ),
    "own-envbool-helper": Spelling(
        "debug", "DEBUG", 'DEBUG = envbool("DEBUG", "True")', 'DEBUG = envbool("DEBUG", "False")',
        [*DEBUG_DEPLOYMENTS, {"DEBUG": "1"}], header="import os" + ENVBOOL_HELPER,
    ),
    # DEBUG true for "0" or "False".
    "bool-of-environ-get-0": Spelling(
        "debug", "DEBUG", "DEBUG = bool(os.environ.get('DEBUG', 0))",
        f"DEBUG = os.environ.get('DEBUG', '').lower() in {TRUE_STRINGS}",
        [{"DEBUG": "True"}, {"DEBUG": "1"}, {"DEBUG": "true"}, {"DEBUG": ""}],
    ),
    "bool-of-getenv": Spelling(
        "debug", "DEBUG", "DEBUG = bool(os.getenv('DEBUG'))", f"DEBUG = os.getenv('DEBUG', '').lower() in {TRUE_STRINGS}",
        [{"DEBUG": "True"}, {"DEBUG": "1"}, {"DEBUG": "yes"}],
    ),
    "getenv-False-default": Spelling(
        "debug", "DEBUG", "DEBUG = os.getenv('DEBUG', False)", f"DEBUG = os.getenv('DEBUG', '').lower() in {TRUE_STRINGS}",
        [{"DEBUG": "True"}, {"DEBUG": "1"}, {"DEBUG": "true"}], truthy_only=True,
    ),
    "environ-get-False-default": Spelling(
        "debug", "DEBUG", "DEBUG = os.environ.get('DEBUG', False)",
        f"DEBUG = os.environ.get('DEBUG', '').lower() in {TRUE_STRINGS}",
        [{"DEBUG": "True"}, {"DEBUG": "1"}], truthy_only=True,
    ),
    # '*' as the hosts default.
    "hosts-environ-get-star": Spelling(
        "allowed-hosts", "ALLOWED_HOSTS", "ALLOWED_HOSTS = os.environ.get('ALLOWED_HOSTS', '*').split(',')",
        "ALLOWED_HOSTS = os.environ.get('ALLOWED_HOSTS', '').split(',')", HOSTS_DEPLOYMENTS,
    ),
    "hosts-django-environ-list": Spelling(
        "allowed-hosts", "ALLOWED_HOSTS", "ALLOWED_HOSTS = env.list('ALLOWED_HOSTS', default=['*'])",
        "ALLOWED_HOSTS = env.list('ALLOWED_HOSTS', default=[])", HOSTS_DEPLOYMENTS, header=ENVIRON_HEADER,
    ),
    "hosts-decouple-csv": Spelling(
        "allowed-hosts", "ALLOWED_HOSTS", "ALLOWED_HOSTS = config('ALLOWED_HOSTS', default='*', cast=Csv())",
        "ALLOWED_HOSTS = config('ALLOWED_HOSTS', default='', cast=Csv())", HOSTS_DEPLOYMENTS,
        header=DECOUPLE_HEADER,
    ),
    # Wrapped in calls Python computes (a red-team run found them reported "done").
    "hosts-list-filter": Spelling(
        "allowed-hosts", "ALLOWED_HOSTS",
        "ALLOWED_HOSTS = list(filter(None, os.environ.get('ALLOWED_HOSTS', '*').split(',')))",
        "ALLOWED_HOSTS = list(filter(None, os.environ.get('ALLOWED_HOSTS', '').split(',')))", HOSTS_DEPLOYMENTS,
    ),
    "hosts-tuple": Spelling(
        "allowed-hosts", "ALLOWED_HOSTS", "ALLOWED_HOSTS = tuple(os.environ.get('ALLOWED_HOSTS', '*').split(','))",
        "ALLOWED_HOSTS = tuple(os.environ.get('ALLOWED_HOSTS', '').split(','))", HOSTS_DEPLOYMENTS,
    ),
    "debug-json-loads": Spelling(
        "debug", "DEBUG", "DEBUG = json.loads(os.environ.get('DEBUG', 'true'))",
        "DEBUG = json.loads(os.environ.get('DEBUG', 'false'))", [{"DEBUG": "true"}, {"DEBUG": "false"}],
        header="import json\nimport os\n",
    ),
    "debug-literal-eval": Spelling(
        "debug", "DEBUG", "DEBUG = ast.literal_eval(os.getenv('DEBUG', 'True'))",
        "DEBUG = ast.literal_eval(os.getenv('DEBUG', 'False'))", DEBUG_DEPLOYMENTS, header="import ast\nimport os\n",
    ),
    "debug-int": Spelling(
        "debug", "DEBUG", "DEBUG = bool(int(os.environ.get('DEBUG', '1')))",
        "DEBUG = bool(int(os.environ.get('DEBUG', '0')))", [{"DEBUG": "1"}, {"DEBUG": "0"}],
    ),
    # No HTTPS redirect when the variable is unset.
    "ssl-environ-get-False-compared": Spelling(
        "ssl-redirect", "SECURE_SSL_REDIRECT", "SECURE_SSL_REDIRECT = os.environ.get('SECURE_SSL_REDIRECT', 'False') == 'True'",
        "SECURE_SSL_REDIRECT = os.environ.get('SECURE_SSL_REDIRECT', 'True') == 'True'", SSL_DEPLOYMENTS,
    ),
    "ssl-django-environ-bool": Spelling(
        "ssl-redirect", "SECURE_SSL_REDIRECT", "SECURE_SSL_REDIRECT = env.bool('SECURE_SSL_REDIRECT', False)",
        "SECURE_SSL_REDIRECT = env.bool('SECURE_SSL_REDIRECT', True)", SSL_DEPLOYMENTS, header=ENVIRON_HEADER,
    ),
}

SAFE = {
    "page-debug": Spelling(
        "debug", "DEBUG", "DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"", "",
        files={".env-local": "DJANGO_DEBUG=True\n"},
    ),
    "environ-bool-false": Spelling("debug", "DEBUG", "DEBUG = env.bool('DEBUG', default=False)", "", header=ENVIRON_HEADER),
    "decouple-false": Spelling("debug", "DEBUG", "DEBUG = config('DEBUG', default=False, cast=bool)", "", header=DECOUPLE_HEADER),
    "getenv-compared-1": Spelling("debug", "DEBUG", "DEBUG = os.getenv('DEBUG') == '1'", ""),
    "debug-false-default-compared": Spelling("debug", "DEBUG", "DEBUG = os.environ.get('DEBUG', 'False') == 'True'", ""),
    "hosts-empty-default": Spelling(
        "allowed-hosts", "ALLOWED_HOSTS", "ALLOWED_HOSTS = os.environ.get('ALLOWED_HOSTS', '').split(',')", ""
    ),
    "environ-schema-false": Spelling(
        "debug", "DEBUG", "DEBUG = env('DEBUG')", "", header="import environ\n\nenv = environ.Env(DEBUG=(bool, False))\n",
    ),
    "ssl-true-default": Spelling(
        "ssl-redirect", "SECURE_SSL_REDIRECT", "SECURE_SSL_REDIRECT = env.bool('SECURE_SSL_REDIRECT', True)", "",
        header=ENVIRON_HEADER,
    ),
}


def settings_with(spelling: Spelling) -> str:
    """startproject's settings with the spelling in place of (or, for SSL, next to) the literal."""
    text = STARTPROJECT_SETTINGS.replace("from pathlib import Path\n", spelling.header + "from pathlib import Path\n")
    if spelling.setting == "DEBUG":
        return text.replace("DEBUG = True", spelling.old)
    if spelling.setting == "ALLOWED_HOSTS":
        return text.replace("ALLOWED_HOSTS = []", spelling.old)
    return text.replace("ALLOWED_HOSTS = []\n", f"ALLOWED_HOSTS = []\n\n{spelling.old}\n")


def make_project(tmp_path: Path, spelling: Spelling) -> Path:
    return startproject(tmp_path / "project", settings_with(spelling), **spelling.files)


def load_settings(project: Path, **environment: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in VARIABLES}
    env.update(environment)
    result = subprocess.run(
        [sys.executable, "-c", LOADER, str(project)], env=env, capture_output=True, text=True, timeout=60,
        cwd=project,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def status_line(root: Path, step: str) -> str:
    result = run_cli("status", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return next(line for line in result.stdout.splitlines() if line.split()[:1] == [step])


def assert_safe(loaded: dict) -> None:
    assert loaded["DEBUG"] is False
    assert "*" not in loaded["ALLOWED_HOSTS"]
    assert loaded["SECURE_SSL_REDIRECT"] is True


@pytest.mark.parametrize("name", sorted(UNSAFE))
def test_unsafe_default_is_pending_and_fixed_in_the_projects_spelling(name, tmp_path):
    spelling = UNSAFE[name]
    root = make_project(tmp_path, spelling)
    before = {tuple(env.items()): load_settings(root, **env)[spelling.setting] for env in spelling.deployments}

    line = status_line(root, spelling.step)
    assert line.split()[1] == "pending", line
    assert ("unset" in line or "DEBUG=False" in line) and spelling.old.split(" = ", 1)[1] in line, line

    first = run_cli("apply", "--all", cwd=root)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    settings = (root / "mysite" / "settings.py").read_text()
    assert spelling.new + "\n" in settings, settings
    if spelling.old != spelling.new:
        assert spelling.old not in settings
    else:  # the default is in django-environ's schema
        assert "env = environ.Env(DEBUG=(bool, False))\n" in settings

    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "refactor-app")
    files = tree_files(root)
    second = run_cli("apply", "--all", cwd=root)
    assert second.returncode == 0, second.stderr
    assert "Nothing to do" in second.stderr
    assert tree_files(root) == files and git_status(root) == []
    assert status_line(root, spelling.step).split()[1] == "done"

    assert_safe(load_settings(root))
    for env in spelling.deployments:
        after = load_settings(root, **env)[spelling.setting]
        old = before[tuple(env.items())]
        if spelling.truthy_only:
            assert after is bool(old), (env, old, after)
        else:
            assert after == old, (env, old, after)


@pytest.mark.parametrize("name", sorted(SAFE))
def test_safe_default_stays_done(name, tmp_path):
    spelling = SAFE[name]
    root = make_project(tmp_path, spelling)
    line = status_line(root, spelling.step)
    assert line.split()[1] == "done", line
    run_cli("apply", "--all", cwd=root)
    assert spelling.old + "\n" in (root / "mysite" / "settings.py").read_text()


def test_debug_true_for_false_is_fixed_for_the_string_False(tmp_path):
    root = make_project(tmp_path, UNSAFE["bool-of-getenv"])
    assert load_settings(root, DEBUG="False")["DEBUG"] is True, "the bug being fixed"
    assert run_cli("apply", "--all", cwd=root).returncode == 0
    for value in ("False", "0", "false", "no", "off", ""):
        assert load_settings(root, DEBUG=value)["DEBUG"] is False, value
    for value in ("True", "1", "true", "yes", "on", "TRUE"):
        assert load_settings(root, DEBUG=value)["DEBUG"] is True, value


# --- status and verify agree ------------------------------------------------------------------

PROBLEMS = {
    "debug": "production would run with DEBUG on",
    "allowed-hosts": "production would accept any host",
    "ssl-redirect": "production would not redirect to HTTPS",
}
# verify's third load: production's module with every variable it reads unset.
UNSET_PROBLEMS = {"debug": "DEBUG on", "allowed-hosts": "'*' in ALLOWED_HOSTS", "ssl-redirect": "no HTTPS redirect"}


def verify_output(root: Path) -> str:
    result = run_cli("verify", cwd=root)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.stdout


def verify_problem(output: str, step: str) -> bool:
    unset = [line for line in output.splitlines() if line.startswith("Problem: with the variables it reads unset")]
    return PROBLEMS[step] in output or any(UNSET_PROBLEMS[step] in line for line in unset)


@pytest.mark.parametrize("name", sorted(UNSAFE) + sorted(SAFE))
def test_status_and_verify_agree(name, tmp_path):
    spelling = UNSAFE.get(name) or SAFE[name]
    root = make_project(tmp_path, spelling)
    state = status_line(root, spelling.step).split()[1]
    problem = verify_problem(verify_output(root), spelling.step)
    if problem:
        assert state != "done"
    # verify loads production's settings with the variables unset: DEBUG read as a plain string
    # is off there (it is on for DEBUG=False, which test_debug_true_for_false_is_fixed_for_the_string_False loads).
    unsafe_when_unset = name in UNSAFE and not UNSAFE[name].truthy_only and not name.startswith("bool-of")
    assert problem is unsafe_when_unset, (state, problem)
    assert (state == "done") is (name in SAFE), state
    if name in UNSAFE:
        assert run_cli("apply", "--all", cwd=root).returncode == 0
        assert status_line(root, spelling.step).split()[1] == "done"
        assert not verify_problem(verify_output(root), spelling.step)


# --- more spellings, through the Python API ------------------------------------------------------

def plan_result(root: Path, step: str):
    from refactor_app import api

    plan = api.make_plan(api.discover(root), [step])
    return plan, plan.results[0]


@pytest.mark.parametrize(
    "step, old, new",
    [
        ("allowed-hosts",
         "ALLOWED_HOSTS = [h.strip() for h in os.environ.get('ALLOWED_HOSTS', '*').split(',') if h.strip()]",
         "ALLOWED_HOSTS = [h.strip() for h in os.environ.get('ALLOWED_HOSTS', '').split(',') if h.strip()]"),
        ("debug", "DEBUG = os.environ.get('DEBUG', 'TRUE').upper() == 'TRUE'",
         "DEBUG = os.environ.get('DEBUG', 'FALSE').upper() == 'TRUE'"),
        ("allowed-hosts", "ALLOWED_HOSTS = set(os.environ.get('ALLOWED_HOSTS', '*').split(','))",
         "ALLOWED_HOSTS = set(os.environ.get('ALLOWED_HOSTS', '').split(','))"),
        ("debug", "DEBUG = int(os.environ.get('DEBUG', 1))", "DEBUG = int(os.environ.get('DEBUG', 0))"),
        ("debug", "DEBUG = os.environ.get('DEBUG', 'on') in ('on', 'yes')",
         "DEBUG = os.environ.get('DEBUG', 'off') in ('on', 'yes')"),
        ("debug", "DEBUG = os.getenv('DEBUG', 'True') != 'False'", "DEBUG = os.getenv('DEBUG', 'False') != 'False'"),
        ("ssl-redirect", "SECURE_SSL_REDIRECT = envbool('SECURE_SSL_REDIRECT', False)",
         "SECURE_SSL_REDIRECT = envbool('SECURE_SSL_REDIRECT', True)"),
        ("debug", "DEBUG = environ.get('DJANGO_DEBUG', default='1') == '1'",
         "DEBUG = environ.get('DJANGO_DEBUG', default='0') == '1'"),
        # A string is a list of characters to Django: '*' in it allows any host.
        ("allowed-hosts", "ALLOWED_HOSTS = os.environ.get('ALLOWED_HOSTS', '*')",
         "ALLOWED_HOSTS = os.environ.get('ALLOWED_HOSTS', '')"),
        # Off when unset, and read as a plain string: on unless the deployment says off.
        ("ssl-redirect", "SECURE_SSL_REDIRECT = bool(os.getenv('SECURE_SSL_REDIRECT'))",
         "SECURE_SSL_REDIRECT = os.getenv('SECURE_SSL_REDIRECT', 'True').lower() not in ('', '0', 'false', 'no', 'off')"),
        ("ssl-redirect", "SECURE_SSL_REDIRECT = os.environ.get('SECURE_SSL_REDIRECT')",
         "SECURE_SSL_REDIRECT = os.environ.get('SECURE_SSL_REDIRECT', 'True').lower() not in ('', '0', 'false', 'no', 'off')"),
    ],
)
def test_other_unsafe_spellings_are_fixed(tmp_path, step, old, new):
    from refactor_app import api

    setting = old.split(" = ")[0]
    header = "import os" + ENVBOOL_HELPER if "envbool" in old else "import os\nfrom os import environ\n"
    spelling = Spelling(step, setting, old, new, header=header)
    root = make_project(tmp_path, spelling)
    plan, result = plan_result(root, step)
    assert result.state.value == "pending" and "unset" in result.reason, result.reason
    api.apply(plan)
    assert new + "\n" in (root / "mysite" / "settings.py").read_text()
    assert plan_result(root, step)[1].state.value == "done"


@pytest.mark.parametrize(
    "step, old",
    [
        # The unsafe default is in another statement: refactor-app rewrites only the setting's own line.
        ("debug", "DEBUG_ENV = os.environ.get('DEBUG', 'True')\nDEBUG = DEBUG_ENV == 'True'"),
        ("debug", "PRODUCTION = os.environ.get('PRODUCTION')\nDEBUG = not PRODUCTION"),
    ],
)
def test_unsafe_values_it_cannot_rewrite_are_never_done(tmp_path, step, old):
    spelling = Spelling(step, "DEBUG", old, "")
    root = make_project(tmp_path, spelling)
    _, result = plan_result(root, step)
    assert result.state.value == "not applicable", result.reason
    assert "DEBUG is on when" in result.reason and "by hand" in result.reason
    assert result.edits == []
    assert PROBLEMS[step] in verify_output(root)


@pytest.mark.parametrize(
    "old",
    [
        "DEBUG = os.environ['DEBUG'] == 'on'",  # unset: the settings cannot be imported, nothing runs
        "DEBUG = env.bool('DEBUG')",
        "DEBUG = config('DEBUG', cast=bool)",
        "DEBUG = os.environ.get('DEBUG', '0') == '1'",
        # A comparison says which strings mean on: DEBUG=0 is on here, as the project wrote it.
        "DEBUG = os.getenv('DEBUG', 'False') != 'False'",
    ],
)
def test_required_or_safe_reads_stay_done(tmp_path, old):
    header = ENVIRON_HEADER if "env." in old else DECOUPLE_HEADER if "config" in old else "import os\n"
    root = make_project(tmp_path, Spelling("debug", "DEBUG", old, "", header=header))
    _, result = plan_result(root, "debug")
    assert result.state.value == "done", result.reason


@pytest.mark.parametrize(
    "old",
    [
        "DEBUG = os.environ.get('DEBUG', 'x').split(1) == ['x']",
        "DEBUG = os.environ.get('DEBUG', 'x') in 3",
        "DEBUG = os.environ.get('DEBUG', 'x').lower(1)",
        "DEBUG = os.environ.get('DEBUG', 'x')[0] == 'x'",
    ],
)
def test_odd_code_around_a_read_is_no_internal_error(tmp_path, old):
    root = make_project(tmp_path, Spelling("debug", "DEBUG", old, ""))
    result = run_cli("status", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
