"""Layouts discovery used to refuse, and where new settings may go (issue 12): each case a small
project committed to a temporary git repository, through the CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import git_status, run_cli
from golden_cases import tree_files
from project_builder import DOCKERFILE, MANAGE_PY, STARTPROJECT_SETTINGS, write_project

# Django 1.3's startproject, as generated (manage.py verbatim; settings.py shortened).
MANAGE_PY_1_3 = '''#!/usr/bin/env python
from django.core.management import execute_manager
import imp
try:
    imp.find_module('settings') # Assumed to be in the same directory.
except ImportError:
    import sys
    sys.stderr.write("Error: Can't find the file 'settings.py' in the directory containing %r. It appears you've customized things.\\nYou'll have to run django-admin.py, passing it your settings module.\\n" % __file__)
    sys.exit(1)

import settings

if __name__ == "__main__":
    execute_manager(settings)
'''

# Django 1.0-1.2's: the import inside try.
MANAGE_PY_1_2 = '''#!/usr/bin/env python
from django.core.management import execute_manager
try:
    import settings # Assumed to be in the same directory.
except ImportError:
    import sys
    sys.stderr.write("Error: Can't find the file 'settings.py' in the directory containing %r.\\n" % __file__)
    sys.exit(1)

if __name__ == "__main__":
    execute_manager(settings)
'''

SETTINGS_1_3 = '''# Django settings for mysite project.

DEBUG = True
TEMPLATE_DEBUG = DEBUG

ADMINS = (
    # ('Your Name', 'your_email@example.com'),
)

MANAGERS = ADMINS

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3', # Add 'postgresql_psycopg2', 'postgresql', 'mysql', 'sqlite3' or 'oracle'.
        'NAME': 'dev.db',                      # Or path to database file if using sqlite3.
    }
}

TIME_ZONE = 'America/Chicago'
LANGUAGE_CODE = 'en-us'
SITE_ID = 1
USE_I18N = True

STATIC_ROOT = ''
STATIC_URL = '/static/'

# Make this unique, and don't share it with anybody.
SECRET_KEY = 'p2m#x7)0=1@k^w!q3v$u8z_r5(t9y-e6o4n*b&j+c%l-d1f'

ROOT_URLCONF = 'mysite.urls'

INSTALLED_APPS = (
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.sites',
    'django.contrib.messages',
    'django.contrib.staticfiles',
)
'''

LOADER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from django.conf import Settings
settings = Settings(sys.argv[2])
print(json.dumps({name: getattr(settings, name, None) for name in
      ["DEBUG", "ALLOWED_HOSTS", "SECRET_KEY", "SECURE_SSL_REDIRECT"]}))
"""


def load_settings(folder: Path, module: str, **environment: str) -> dict:
    """The settings module as real Django loads it, under exactly `environment` (plus PATH)."""
    pytest.importorskip("django")
    env = {"PATH": os.environ.get("PATH", ""), **environment}
    result = subprocess.run([sys.executable, "-c", LOADER, str(folder), module],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def assert_refused(result, *fragments):
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


# --- Django <= 1.3: manage.py runs execute_manager(settings) ---------------------------------

@pytest.mark.parametrize("manage", [MANAGE_PY_1_3, MANAGE_PY_1_2], ids=["django-1.3", "django-1.2"])
def test_django_1_3_project_is_migrated_and_loads_with_debug_off(tmp_path, manage):
    root = write_project(tmp_path / "old", {
        "manage.py": manage, "__init__.py": "", "settings.py": SETTINGS_1_3, "urls.py": "urlpatterns = []\n",
    })
    assert load_settings(root, "settings")["DEBUG"] is True

    status = run_cli("status", cwd=root)
    assert status.returncode == 0, status.stderr
    assert "settings.py: DEBUG = True becomes" in status.stdout

    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    migrated = (root / "settings.py").read_text()
    assert "DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"" in migrated
    assert migrated.startswith("# Django settings for mysite project.\n")
    assert "SECURE_SSL_REDIRECT" in migrated

    production = load_settings(root, "settings")
    assert production["DEBUG"] is False and production["SECURE_SSL_REDIRECT"] is True
    local = load_settings(root, "settings", DJANGO_DEBUG="True", SECURE_SSL_REDIRECT="False")
    assert local["DEBUG"] is True and local["SECURE_SSL_REDIRECT"] is False

    again = run_cli("apply", "--all", cwd=root)
    assert again.returncode == 0 and "Nothing to do" in again.stderr, again.stderr


# A Python 2 manage.py (Python 3 cannot parse it), handing over another module as settings.
MANAGE_PY_PYTHON_2 = '''#!/usr/bin/env python
from django.core.management import execute_manager
try:
    import settings_live as settings # Assumed to be in the same directory.
except ImportError, e:
    print "Error: can't find settings_live.py: %s" % e
    sys.exit(1)

if __name__ == "__main__":
    execute_manager(settings)
'''


def test_python_2_manage_py_with_execute_manager_is_read_as_text(tmp_path):
    root = write_project(tmp_path / "old", {
        "manage.py": MANAGE_PY_PYTHON_2, "settings_live.py": SETTINGS_1_3, "settings.py": "DEBUG = True\n",
    })
    status = run_cli("status", cwd=root)
    assert status.returncode == 0, status.stderr
    assert "settings_live.py: DEBUG = True becomes" in status.stdout


def test_django_1_3_manage_py_without_its_settings_py_is_a_plain_error(tmp_path):
    root = write_project(tmp_path / "old", {"manage.py": MANAGE_PY_1_3, "__init__.py": ""})
    assert_refused(run_cli("status", cwd=root), "manage.py imports 'settings'", "settings.py", "--settings")


def test_manage_py_without_any_settings_is_still_refused(tmp_path):
    root = write_project(tmp_path / "p", {"manage.py": "print('hello')\n", "settings.py": SETTINGS_1_3})
    assert_refused(run_cli("status", cwd=root), "manage.py does not set DJANGO_SETTINGS_MODULE")


# --- No manage.py at all ---------------------------------------------------------------------

NO_MANAGE_NOTE = ("no manage.py: using mysite/settings.py, the one module that looks like Django settings; "
                  "pass --settings to choose another")


def no_manage_project(root: Path, **extra) -> Path:
    return write_project(root, {
        "mysite/__init__.py": "", "mysite/settings.py": STARTPROJECT_SETTINGS, "mysite/urls.py": "urlpatterns = []\n",
        "mysite/helpers.py": "INSTALLED_APPS = ['x']  # not settings: no SECRET_KEY nor DATABASES\n",
        "Dockerfile": DOCKERFILE, "requirements.txt": "django\n",
        # Settings-looking modules where nobody keeps a project's own: never candidates.
        ".venv/lib/site-packages/other/settings.py": STARTPROJECT_SETTINGS,
        "node_modules/x/settings.py": STARTPROJECT_SETTINGS,
        **extra,
    })


def test_no_manage_py_one_settings_module_is_used_and_said(tmp_path):
    root = no_manage_project(tmp_path / "p")

    status = run_cli("status", cwd=root)
    assert status.returncode == 0, status.stderr
    assert "mysite/settings.py: DEBUG = True becomes" in status.stdout
    assert NO_MANAGE_NOTE in status.stdout + status.stderr

    as_json = run_cli("status", "--format", "json", cwd=root)
    assert NO_MANAGE_NOTE in json.loads(as_json.stdout)["notes"]

    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    assert NO_MANAGE_NOTE in result.stderr
    settings = (root / "mysite/settings.py").read_text()
    assert "DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"" in settings
    assert (root / "Dockerfile").read_text() == DOCKERFILE, "no manage.py for a RUN line to call"
    assert "collectstatic  not applicable  the project has no manage.py" in status.stdout
    production = load_settings(root, "mysite.settings")
    assert production["DEBUG"] is False and production["SECURE_SSL_REDIRECT"] is True


def test_no_manage_py_settings_package_base_module_is_the_one(tmp_path):
    base = STARTPROJECT_SETTINGS.replace("parent.parent", "parent.parent.parent")
    root = write_project(tmp_path / "p", {
        "config/__init__.py": "", "config/settings/__init__.py": "",
        "config/settings/base.py": base,
        "config/settings/local.py": "from .base import *  # noqa\n\nDEBUG = True\nSECRET_KEY = 'local'\n",
    })
    status = run_cli("status", cwd=root)
    assert status.returncode == 0, status.stderr
    assert "no manage.py: using config/settings/base.py, the one module" in status.stdout + status.stderr


def test_no_manage_py_two_settings_modules_asks_which(tmp_path):
    root = no_manage_project(tmp_path / "p", **{"other/__init__.py": "", "other/settings.py": STARTPROJECT_SETTINGS})
    before = tree_files(root)
    for args in (["status"], ["apply", "--all"], ["apply", "--all", "--dry-run"]):
        assert_refused(run_cli(*args, cwd=root), "no manage.py", "mysite/settings.py", "other/settings.py",
                       "--settings")
    assert tree_files(root) == before and git_status(root) == []
    chosen = run_cli("status", "--settings", "other/settings.py", cwd=root)
    assert chosen.returncode == 0 and "other/settings.py: DEBUG = True becomes" in chosen.stdout, chosen.stderr


def test_no_manage_py_and_nothing_like_settings_is_todays_error(tmp_path):
    root = write_project(tmp_path / "p", {"app/__init__.py": "", "app/models.py": "INSTALLED_APPS = []\n"})
    assert_refused(run_cli("status", cwd=root), "no manage.py in", "--settings")


# --- Placement: never above a later if/try block that sets the same name ---------------------

HEROKU_SETTINGS = '''import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "django-insecure-abc123"

IS_HEROKU_APP = "DYNO" in os.environ and "CI" not in os.environ

DEBUG = True

ALLOWED_HOSTS = []

INSTALLED_APPS = ["django.contrib.staticfiles"]

STATIC_URL = "static/"

if IS_HEROKU_APP:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
'''


def heroku_project(root: Path, settings: str = HEROKU_SETTINGS) -> Path:
    return write_project(root, {
        "manage.py": MANAGE_PY, "mysite/__init__.py": "", "mysite/settings.py": settings,
        "Dockerfile": DOCKERFILE, "requirements.txt": "django\n",
    })


def test_no_module_level_setting_is_inserted_above_a_block_that_sets_it(tmp_path):
    root = heroku_project(tmp_path / "p")
    status = run_cli("status", cwd=root)
    assert status.returncode == 0, status.stderr
    line = next(line for line in status.stdout.splitlines() if line.startswith("ssl-redirect"))
    assert "not applicable" in line, line
    assert "mysite/settings.py also sets SECURE_SSL_REDIRECT inside an if/try block" in line, line

    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    settings = (root / "mysite/settings.py").read_text()
    assert settings.count("SECURE_SSL_REDIRECT") == 1, settings
    assert "DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"" in settings
    assert "SECURE_SSL_REDIRECT=False" not in (root / ".env-local").read_text()
    assert "also sets SECURE_SSL_REDIRECT inside an if/try block" in result.stderr


def test_static_root_is_not_added_above_a_block_that_sets_it(tmp_path):
    settings = HEROKU_SETTINGS.replace(
        "    SECURE_SSL_REDIRECT = True\n",
        "    SECURE_SSL_REDIRECT = True\n\ntry:\n    STATIC_ROOT = os.environ['STATIC_ROOT']\nexcept KeyError:\n    pass\n",
    )
    root = heroku_project(tmp_path / "p", settings)
    result = run_cli("apply", "--all", "--dry-run", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "+STATIC_ROOT" not in result.stdout and "+RUN python manage.py collectstatic" not in result.stdout
    assert "also sets STATIC_ROOT inside an if/try block" in result.stderr
    status = run_cli("status", cwd=root)
    line = next(line for line in status.stdout.splitlines() if line.startswith("collectstatic"))
    assert "not applicable" in line and "mysite/settings.py also sets STATIC_ROOT inside an if/try block" in line


def test_the_divio_block_is_not_put_above_a_block_that_sets_one_of_its_names(tmp_path):
    settings = HEROKU_SETTINGS.replace("if IS_HEROKU_APP:\n", "if IS_HEROKU_APP:\n    DIVIO_DOMAIN = 'example.herokuapp.com'\n")
    root = heroku_project(tmp_path / "p", settings)
    status = run_cli("status", cwd=root)
    line = next(line for line in status.stdout.splitlines() if line.startswith("allowed-hosts"))
    assert "not applicable" in line and "also sets DIVIO_DOMAIN inside an if/try block" in line, line
    result = run_cli("apply", "--all", "--dry-run", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "+DIVIO_DOMAIN = " not in result.stdout and "+DEBUG = os.environ" in result.stdout


def test_a_block_star_importing_local_settings_does_not_stop_an_insertion(tmp_path):
    settings = HEROKU_SETTINGS.replace(
        "if IS_HEROKU_APP:\n    SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")\n"
        "    SECURE_SSL_REDIRECT = True\n",
        "try:\n    from .local_settings import *\nexcept ImportError:\n    pass\n",
    )
    root = heroku_project(tmp_path / "p", settings)
    result = run_cli("apply", "--all", "--dry-run", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "+SECURE_SSL_REDIRECT = os.environ.get('SECURE_SSL_REDIRECT') != \"False\"" in result.stdout


# --- Never into an empty settings package __init__.py ----------------------------------------

PACKAGE_BASE = STARTPROJECT_SETTINGS.replace("parent.parent", "parent.parent.parent")


def package_project(root: Path, init: str = "", **extra) -> Path:
    return write_project(root, {
        "manage.py": MANAGE_PY, "mysite/__init__.py": "", "mysite/settings/__init__.py": init,
        "mysite/settings/base.py": PACKAGE_BASE,
        "mysite/settings/dev.py": "from .base import *  # noqa\n\nDEBUG = True\n",
        "mysite/settings/production.py": "from .base import *  # noqa\n\nDEBUG = False\n",
        "Dockerfile": DOCKERFILE, "requirements.txt": "django\n", **extra,
    })


@pytest.mark.parametrize("init", ["", '"""Settings, one module per environment."""\n# pick one\n'])
def test_an_empty_settings_package_init_is_refused_with_the_modules_to_choose(tmp_path, init):
    root = package_project(tmp_path / "p", init)
    before = tree_files(root)
    for args in (["status"], ["apply", "--all"], ["apply", "--all", "--dry-run"]):
        assert_refused(run_cli(*args, cwd=root), "mysite/settings/__init__.py", "empty", "mysite/settings/base.py",
                       "mysite/settings/dev.py", "mysite/settings/production.py", "--settings")
    assert tree_files(root) == before and git_status(root) == []
    chosen = run_cli("status", "--settings", "mysite/settings/production.py", cwd=root)
    assert chosen.returncode == 0, chosen.stderr


def test_an_empty_init_given_as_settings_is_refused(tmp_path):
    root = package_project(tmp_path / "p")
    assert_refused(run_cli("status", "--settings", "mysite/settings/__init__.py", cwd=root),
                   "mysite/settings/__init__.py", "empty", "--settings")


def test_a_settings_package_init_that_star_imports_is_used(tmp_path):
    root = package_project(tmp_path / "p", "from .production import *  # noqa\n")
    status = run_cli("status", cwd=root)
    assert status.returncode == 0, status.stderr
    assert "mysite/settings/production.py" in status.stdout


def test_a_block_in_the_module_that_star_imports_the_base_stops_the_insertion_into_the_base(tmp_path):
    production = 'import os\n\nfrom .base import *  # noqa\n\nif os.environ.get("HTTPS"):\n    SECURE_SSL_REDIRECT = True\n'
    root = write_project(tmp_path / "p", {
        "manage.py": MANAGE_PY.replace("mysite.settings", "mysite.settings.production"),
        "mysite/__init__.py": "", "mysite/settings/__init__.py": "",
        "mysite/settings/base.py": PACKAGE_BASE, "mysite/settings/production.py": production,
    })
    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "SECURE_SSL_REDIRECT" not in (root / "mysite/settings/base.py").read_text()
    assert "mysite/settings/production.py also sets SECURE_SSL_REDIRECT inside an if/try block" in result.stderr
