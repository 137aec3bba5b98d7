"""Settings that read the environment through the project's own helpers, or under names of their
own (DJANGO_SECRET_KEY, SECRET_KEY_FILE, DJANGO_ALLOWED_HOSTS): each through the CLI on a temporary
git repository. Such a read counts as reading the environment (never wrapped in another read);
verify sets and names the variables the settings read; the leaked-key warning is only for a key
written in committed code; and real Django loads the same values as before under the
deployment's own variables."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import git, run_cli
from project_builder import MANAGE_PY, write_project

HEADER = '''"""Settings for mysite."""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

'''

HELPERS = '''

def getvar(name, default=None):
    return os.environ.get(name, default)


def envbool(name, default="False"):
    return getvar(name, default) == "True"


def envsecret(name, default=None):
    """NAME, or the contents of the file NAME_FILE names (Docker secrets)."""
    path = os.environ.get(name + "_FILE")
    if path:
        with open(path) as handle:
            return handle.read().strip()
    return os.environ.get(name, default)

'''

TAIL = '''
INSTALLED_APPS = ["django.contrib.staticfiles"]

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}

STATIC_URL = "static/"
'''


def settings(body: str, helpers: bool = True) -> str:
    return HEADER + (HELPERS if helpers else "") + body + TAIL


def make(tmp_path: Path, body: str, helpers: bool = True, **extra: str) -> Path:
    root = tmp_path / "project"
    files = {"manage.py": MANAGE_PY, "mysite/__init__.py": "", "mysite/settings.py": settings(body, helpers), **extra}
    return write_project(root, files)


def status_lines(root: Path) -> dict[str, str]:
    result = run_cli("status", cwd=root)
    assert result.returncode == 0, result.stderr
    return {line.split()[0]: line for line in result.stdout.splitlines()[1:] if line.split() and line[0] != " "}


def settings_text(root: Path) -> str:
    return (root / "mysite" / "settings.py").read_text()


HELPER_BODY = '''SECRET_KEY = envsecret("DJANGO_SECRET_KEY")

DEBUG = envbool("DJANGO_DEBUG")

ALLOWED_HOSTS = getvar("DJANGO_ALLOWED_HOSTS", "localhost").split(",")

SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", "True")
'''


# --- a helper the settings define counts as reading the environment ---------------------------------

def test_status_says_a_helper_read_is_done_with_the_helper_named(tmp_path):
    root = make(tmp_path, HELPER_BODY)
    lines = status_lines(root)
    for step in ("debug", "allowed-hosts", "secret-key", "ssl-redirect"):
        assert lines[step].split()[1] == "done", lines[step]
    assert "envsecret" in lines["secret-key"] and "envbool" in lines["debug"]
    assert "environment variable DJANGO_SECRET_KEY" in lines["secret-key"]
    assert "getvar" in lines["allowed-hosts"] and "envbool" in lines["ssl-redirect"]


def test_apply_never_wraps_a_helper_read(tmp_path):
    root = make(tmp_path, HELPER_BODY)
    before = settings_text(root)
    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    assert settings_text(root) == before
    assert "has been committed" not in result.stderr


def test_a_helper_calling_a_helper_defined_below_it_reads_the_environment(tmp_path):
    body = '''def first(name):
    return second(name)


def second(name):
    return os.getenv(name)


SECRET_KEY = first("DJANGO_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = []
'''
    root = make(tmp_path, body, helpers=False)
    assert status_lines(root)["secret-key"].split()[1] == "done"
    run_cli("apply", "--all", cwd=root)
    assert 'SECRET_KEY = first("DJANGO_SECRET_KEY")\n' in settings_text(root)


def test_a_helper_that_does_not_read_the_environment_is_still_wrapped(tmp_path):
    body = '''def make_key():
    return "x" * 50


SECRET_KEY = make_key()
DEBUG = False
ALLOWED_HOSTS = []
'''
    root = make(tmp_path, body, helpers=False)
    assert status_lines(root)["secret-key"].split()[1] == "pending"
    run_cli("apply", "--all", cwd=root)
    assert "SECRET_KEY = os.environ.get('SECRET_KEY', make_key())\n" in settings_text(root)


@pytest.mark.parametrize(
    "imports, value",
    [
        ("from os import getenv as read\n", 'read("DJANGO_SECRET_KEY")'),
        ("from os import environ as ENVIRONMENT\n", 'ENVIRONMENT["DJANGO_SECRET_KEY"]'),
        ("import os as system\n", 'system.environ.get("DJANGO_SECRET_KEY")'),
        ("from decouple import config as setting\n", 'setting("DJANGO_SECRET_KEY")'),
        ("import environ\nENV = environ.Env()\n", 'ENV.str("DJANGO_SECRET_KEY")'),
        ("from environ import Env\nreader = Env()\n", 'reader("DJANGO_SECRET_KEY")'),
        ("from decouple import AutoConfig\nsetting = AutoConfig(search_path=BASE_DIR)\n", 'setting("DJANGO_SECRET_KEY")'),
        ("", 'os.environ["DJANGO_SECRET_KEY"]'),
    ],
)
def test_library_readers_under_any_name_read_the_environment(tmp_path, imports, value):
    body = f"{imports}\nSECRET_KEY = {value}\nDEBUG = False\nALLOWED_HOSTS = []\n"
    root = make(tmp_path, body, helpers=False)
    line = status_lines(root)["secret-key"]
    assert line.split()[1] == "done", line
    run_cli("apply", "--all", cwd=root)
    assert f"SECRET_KEY = {value}\n" in settings_text(root)


def test_a_helper_from_a_base_module_star_imported_counts(tmp_path):
    root = tmp_path / "project"
    write_project(root, {
        "manage.py": MANAGE_PY.replace("mysite.settings", "mysite.settings.production"),
        "mysite/__init__.py": "",
        "mysite/settings/__init__.py": "",
        "mysite/settings/base.py": settings("DEBUG = False\nALLOWED_HOSTS = []\n"),
        "mysite/settings/production.py": 'from .base import *  # noqa\n\nSECRET_KEY = envsecret("DJANGO_SECRET_KEY")\n',
    })
    assert status_lines(root)["secret-key"].split()[1] == "done"


@pytest.mark.parametrize("imports", ["from .environment import secret as read_secret\n",
                                     "from mysite.environment import secret as read_secret\n"])
def test_a_helper_imported_from_a_project_module_counts(tmp_path, imports):
    root = make(tmp_path, f"{imports}\nSECRET_KEY = read_secret('DJANGO_SECRET_KEY')\nDEBUG = False\nALLOWED_HOSTS = []\n",
                helpers=False, **{"mysite/environment.py": "import os\n\n\ndef secret(name):\n    return os.environ[name]\n"})
    assert status_lines(root)["secret-key"].split()[1] == "done"
    run_cli("apply", "--all", cwd=root)
    assert "SECRET_KEY = read_secret('DJANGO_SECRET_KEY')\n" in settings_text(root)


def test_an_imported_function_that_does_not_read_the_environment_is_wrapped(tmp_path):
    root = make(tmp_path, "from .keys import make_key\n\nSECRET_KEY = make_key()\nDEBUG = False\nALLOWED_HOSTS = []\n",
                helpers=False, **{"mysite/keys.py": "def make_key():\n    return 'k' * 50\n"})
    assert status_lines(root)["secret-key"].split()[1] == "pending"


# --- the leaked-key warning -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value",
    [
        "secrets.token_urlsafe(50)",
        'os.environ.get("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))',
        'envsecret("DJANGO_SECRET_KEY", default=secrets.token_hex(32))',
        "os.urandom(32).hex()",
        '(BASE_DIR / "secret_key.txt").read_text().strip()',
        'open(os.path.join(BASE_DIR, "secret_key.txt")).read().strip()',
        '"django-insecure-" + secrets.token_hex(20)',
    ],
)
def test_no_leaked_key_warning_for_a_key_made_at_run_time(tmp_path, value):
    root = make(tmp_path, f"SECRET_KEY = {value}\nDEBUG = False\nALLOWED_HOSTS = []\n")
    for args in (("status",), ("apply", "--all", "--dry-run")):
        result = run_cli(*args, cwd=root)
        assert result.returncode == 0, result.stderr
        assert "treat it as leaked" not in result.stdout + result.stderr, value


@pytest.mark.parametrize(
    "value",
    [
        '"django-insecure-abcdefgh"',
        '"django-insecure-" "abcdefgh"',
        '"django-insecure-" + "abcdefgh"',
        'os.environ.get("DJANGO_SECRET_KEY", "django-insecure-abcdefgh")',
        'getvar("DJANGO_SECRET_KEY", default="django-insecure-abcdefgh")',
        'os.environ.get("DJANGO_SECRET_KEY") or "django-insecure-abcdefgh"',
    ],
)
def test_leaked_key_warning_for_a_committed_literal(tmp_path, value):
    root = make(tmp_path, f"SECRET_KEY = {value}\nDEBUG = False\nALLOWED_HOSTS = []\n")
    result = run_cli("apply", "--all", "--dry-run", cwd=root)
    assert "the SECRET_KEY in mysite/settings.py has been committed to the repository" in result.stdout + result.stderr


def test_no_leaked_key_warning_for_a_literal_only_in_an_ignored_file(tmp_path):
    root = tmp_path / "project"
    write_project(root, {
        "manage.py": MANAGE_PY,
        "mysite/__init__.py": "",
        "mysite/settings.py": settings("from .secret import *  # noqa\nDEBUG = False\nALLOWED_HOSTS = []\n"),
        ".gitignore": "/mysite/secret.py\n",
    })
    (root / "mysite" / "secret.py").write_text('SECRET_KEY = "django-insecure-abcdefgh"\n')
    result = run_cli("apply", "--all", "--dry-run", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "treat it as leaked" not in result.stdout + result.stderr


# --- verify names the variables the settings read -----------------------------------------------------

def verify(root: Path) -> subprocess.CompletedProcess:
    return run_cli("verify", cwd=root)


def cells(row: str) -> list[str]:
    """A verify table row: setting, local, production-like, production with its variables unset."""
    return re.split(r"\s{2,}", row.strip())


def test_verify_sets_and_names_django_secret_key(tmp_path):
    # (SECURE_SSL_REDIRECT on: verify counts a production without the redirect as a problem.)
    root = make(tmp_path, 'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\nDEBUG = False\nALLOWED_HOSTS = []\n'
                'SECURE_SSL_REDIRECT = True\n', helpers=False, **{".env-local": "DJANGO_SECRET_KEY=local-only\n"})
    result = verify(root)
    assert "ignore" not in result.stdout and "cannot be imported" not in result.stdout, result.stdout
    assert "DJANGO_SECRET_KEY set" in result.stdout
    table = {line.split("  ")[0]: line for line in result.stdout.splitlines()}
    # Unset, DJANGO_SECRET_KEY stops the import (os.environ[...]): closed, no key shown.
    assert cells(table["SECRET_KEY from"])[1:] == ["environment", "environment", "-"]
    assert "treat it as leaked" not in result.stdout and result.returncode == 0


def test_verify_sets_and_names_the_hosts_variable(tmp_path):
    body = ('SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\nDEBUG = False\n'
            'ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")\n'
            'SECURE_SSL_REDIRECT = True\n')
    root = make(tmp_path, body, helpers=False, **{".env-local": "DJANGO_SECRET_KEY=local-only\n"})
    result = verify(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DJANGO_ALLOWED_HOSTS=www.example.com" in result.stdout
    table = {line.split("  ")[0]: line for line in result.stdout.splitlines()}
    assert cells(table["ALLOWED_HOSTS"])[2] == "['www.example.com']"


def test_verify_through_helpers(tmp_path):
    root = make(tmp_path, HELPER_BODY)
    result = verify(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DJANGO_ALLOWED_HOSTS=www.example.com, DJANGO_SECRET_KEY set" in result.stdout
    table = {line.split("  ")[0]: line for line in result.stdout.splitlines()}
    assert cells(table["SECRET_KEY from"])[2] == "environment"


def test_verify_writes_a_secret_key_file_for_a_file_variable(tmp_path):
    body = 'SECRET_KEY = open(os.environ["SECRET_KEY_FILE"]).read().strip()\nDEBUG = False\nALLOWED_HOSTS = []\n'
    root = make(tmp_path, body, helpers=False)
    result = verify(root)
    assert "SECRET_KEY_FILE set" in result.stdout, result.stdout
    table = {line.split("  ")[0]: line for line in result.stdout.splitlines()}
    assert cells(table["SECRET_KEY from"])[2] == "environment", result.stdout
    assert "ignore" not in result.stdout


def test_verify_names_the_variable_a_helper_without_arguments_reads(tmp_path):
    body = ('def get_secret_key():\n    return os.environ["DJANGO_SECRET_KEY"]\n\n\n'
            "SECRET_KEY = get_secret_key()\nDEBUG = False\nALLOWED_HOSTS = []\nSECURE_SSL_REDIRECT = True\n")
    root = make(tmp_path, body, helpers=False, **{".env-local": "DJANGO_SECRET_KEY=local-only\n"})
    result = verify(root)
    assert "DJANGO_SECRET_KEY set" in result.stdout and "ignore" not in result.stdout, result.stdout
    assert result.returncode == 0, result.stdout


def test_verify_of_a_run_time_key_does_not_warn_about_a_leak(tmp_path):
    root = make(tmp_path, 'SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))\n'
                          'DEBUG = False\nALLOWED_HOSTS = []\n', helpers=False)
    result = verify(root)
    assert "treat it as leaked" not in result.stdout
    assert "DJANGO_SECRET_KEY set" in result.stdout and "ignore" not in result.stdout


# --- real Django: the same values as before under the deployment's own variables ----------------------

pytest.importorskip("django")

LOADER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from django.conf import Settings
settings = Settings("mysite.settings")
print(json.dumps({name: getattr(settings, name, None) for name in
      ["DEBUG", "ALLOWED_HOSTS", "SECRET_KEY", "SECURE_SSL_REDIRECT"]}))
"""


def load(root: Path, **environment: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO", "SECRET", "SECURE", "DOMAIN"))}
    env.update(environment)
    result = subprocess.run([sys.executable, "-c", LOADER, str(root)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_deployments_own_variables_give_the_same_values_after_the_migration(tmp_path):
    root = make(tmp_path, HELPER_BODY)
    key_file = tmp_path / "key"
    key_file.write_text("from-a-docker-secret\n")
    deployments = [
        {"DJANGO_SECRET_KEY": "from-the-environment", "DJANGO_ALLOWED_HOSTS": "example.com,www.example.com"},
        {"DJANGO_SECRET_KEY_FILE": str(key_file), "DJANGO_ALLOWED_HOSTS": "example.com", "DJANGO_DEBUG": "True",
         "DJANGO_SECURE_SSL_REDIRECT": "False"},
        # SECRET_KEY set for something else in the same environment: the settings never read it.
        {"DJANGO_SECRET_KEY": "from-the-environment", "SECRET_KEY": "not-this-one", "DJANGO_ALLOWED_HOSTS": "a.example"},
    ]
    before = [load(root, **deployment) for deployment in deployments]
    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    assert [load(root, **deployment) for deployment in deployments] == before
    assert before[1]["SECRET_KEY"] == "from-a-docker-secret"


def test_a_run_time_key_keeps_working_after_the_migration(tmp_path):
    root = make(tmp_path, "SECRET_KEY = secrets.token_urlsafe(50)\nDEBUG = False\nALLOWED_HOSTS = []\n", helpers=False)
    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "treat it as leaked" not in result.stderr
    assert load(root, SECRET_KEY="from-the-environment")["SECRET_KEY"] == "from-the-environment"
    assert len(load(root)["SECRET_KEY"]) > 40
    assert git(root, "status", "--porcelain")
