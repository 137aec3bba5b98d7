"""Project variants real users have, each through the CLI on a temporary git repository:
apply --all, a second run that changes nothing, status all done or not applicable with reasons.

Each variant is a small real-looking project (files written here) and the checks that are
particular to it. Variants the tool declines say so in `declined` (step -> words of the reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pytest

from conftest import git, git_status, run_cli
from golden_cases import tree_files
from project_builder import MANAGE_PY, write_project

SETTINGS = '''"""Settings for mysite."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = "django-insecure-0123456789"

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = True

ALLOWED_HOSTS = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.staticfiles",
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    }
}

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
'''

OS_PATH_SETTINGS = '''import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SECRET_KEY = '=x!2k$9v'
DEBUG = True
ALLOWED_HOSTS = ['*']
INSTALLED_APPS = ['django.contrib.staticfiles']
STATIC_URL = '/static/'
'''

DOCKERFILE = """FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["gunicorn", "mysite.wsgi", "--bind", "0.0.0.0:80"]
"""

COMPOSE = "services:\n  web:\n    build: .\n    env_file: .env-local\n"
STATIC = {"staticfiles/admin/base.css": "body {}\n", "staticfiles/staticfiles.json": "{}\n"}


def project(settings=SETTINGS, settings_path="mysite/settings.py", **extra):
    files = {
        "manage.py": MANAGE_PY.replace("mysite.settings", settings_path[:-3].replace("/", ".").removesuffix(".__init__")),
        "mysite/__init__.py": "",
        settings_path: settings,
        "Dockerfile": DOCKERFILE,
        "docker-compose.yml": COMPOSE,
        "requirements.txt": "django\ngunicorn\n",
        **STATIC,
    }
    files.update(extra)
    return {name: content for name, content in files.items() if content is not None}


@dataclass
class Variant:
    files: dict
    check: Callable | None = None  # check(root): assertions on the result
    declined: dict = field(default_factory=dict)  # step -> words its not-applicable reason says
    path: str = "."  # the PATH argument, relative to the repository
    untracked: dict = field(default_factory=dict)  # files written after the commit


def text(root, name):
    return (root / name).read_bytes().decode("utf-8")


def settings_of(root, name="mysite/settings.py"):
    return text(root, name)


def check_startproject(root):
    settings = settings_of(root)
    assert "DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"" in settings
    assert 'STATIC_ROOT = BASE_DIR / "staticfiles"' in settings
    assert text(root, "Dockerfile").endswith("COPY . .\nRUN python manage.py collectstatic --noinput\nCMD [\"gunicorn\", \"mysite.wsgi\", \"--bind\", \"0.0.0.0:80\"]\n")
    assert text(root, ".env-local") == "DJANGO_DEBUG=True\nDOMAIN_ALIASES=localhost, 127.0.0.1\nSECURE_SSL_REDIRECT=False\n"
    assert text(root, ".gitignore") == "/staticfiles\n"
    assert not (root / "staticfiles").exists()


def check_os_path(root):
    settings = settings_of(root)
    assert settings.startswith("import os\n\nBASE_DIR")
    assert settings.count("import os") == 1
    assert "STATIC_URL = '/static/'\nSTATIC_ROOT = os.path.join(BASE_DIR, 'staticfiles')\n" in settings


def check_settings_package(root):
    """wsgi.py names production: it is what the steps edit (and the base it inherits);
    dev.py, manage.py's default for local work, is left byte for byte."""
    dev, production, base = (settings_of(root, f"mysite/settings/{n}.py") for n in ("dev", "production", "base"))
    assert dev == "from .base import *  # noqa\n\nDEBUG = True\n"
    assert "DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"" in production
    assert "ALLOWED_HOSTS = ['example.com']" in production, "real hosts are never dropped"
    assert "DIVIO_DOMAIN" not in base + production, "production's hosts come from production.py"
    assert "SECRET_KEY = os.environ.get(" in base
    assert "SECURE_SSL_REDIRECT" in production and "SECURE_SSL_REDIRECT" not in base


def check_src_layout(root):
    assert text(root, "Dockerfile") == (
        "FROM python:3.12\nWORKDIR /srv\nCOPY src/ /srv/\nRUN pip install -r /srv/requirements.txt\n"
        "RUN python manage.py collectstatic --noinput\nCMD gunicorn mysite.wsgi\n"
    )
    assert text(root, ".gitignore") == "/src/staticfiles\n"
    assert (root / ".env-local").exists() and not (root / "src" / ".env-local").exists()
    assert not (root / "src" / "staticfiles").exists()


def check_crlf(root):
    for name in ("mysite/settings.py", ".env-local", "Dockerfile", ".gitignore"):
        data = (root / name).read_bytes()
        assert data.count(b"\n") == data.count(b"\r\n"), name


def check_encodings(root):
    data = (root / "mysite/settings.py").read_bytes()
    assert data.startswith(b"# -*- coding: latin-1 -*-\n# R\xe9glages de mysite\n")
    data.decode("latin-1")
    assert (root / ".env-local").read_bytes().startswith(b"\xef\xbb\xbfDATABASE_URL=")


def check_tabs_no_final_newline(root):
    settings = settings_of(root)
    assert "DATABASES = {\n\t\"default\": {\n\t\t\"ENGINE\"" in settings
    assert not settings.endswith("\n")


def check_spellings(root):
    settings = settings_of(root)
    assert "DEBUG: bool = os.environ.get('DJANGO_DEBUG') == \"True\"" in settings
    assert "SECRET_KEY = os.environ.get('SECRET_KEY', '''django-insecure-\n0123''')" in settings
    assert "ALLOWED_HOSTS = [DIVIO_DOMAIN]" in settings


def check_concatenated_secret(root):
    settings = settings_of(root)
    assert "SECRET_KEY = os.environ.get('SECRET_KEY', (\n    'django-insecure-'\n    \"0123456789\"\n))" in settings
    assert "import os\nfrom os import environ" in settings
    assert "DATABASE_URL = environ.get('DATABASE_URL', 'sqlite://:memory:')" in settings


def check_random_secret(root):
    assert "SECRET_KEY = os.environ.get('SECRET_KEY', get_random_secret_key())" in settings_of(root)


def check_django_environ(root):
    settings = settings_of(root)
    assert "DEBUG = env.bool('DEBUG', default=False)" in settings
    assert "'default': env.db(default='sqlite://:memory:')" in settings
    assert text(root, ".env-local") == "SECURE_SSL_REDIRECT=False\n", "no lines for settings the user drives already"


def check_decouple(root):
    settings = settings_of(root)
    assert "DEBUG = config('DEBUG', default=False, cast=bool)" in settings
    assert "SECURE_SSL_REDIRECT = config('SECURE_SSL_REDIRECT', default=True, cast=bool)" in settings


def check_half_done(root):
    assert text(root, ".env-local") == "# mine\nDJANGO_DEBUG=False\nDOMAIN_ALIASES=localhost, 127.0.0.1\nSECURE_SSL_REDIRECT=False\n"


def check_dj_database_url(root):
    assert "dj_database_url.config(conn_max_age=600, default='sqlite://:memory:')" in settings_of(root)


def check_literal_databases(root):
    assert "'HOST': os.environ.get('DB_HOST', 'localhost')" in settings_of(root)


def check_multistage(root):
    assert text(root, "Dockerfile").endswith(
        "COPY --chown=app . /home/app/\nRUN python3 manage.py collectstatic --noinput\nUSER app\nENTRYPOINT [\"python3\", \"-m\", \"gunicorn\"]\nCMD [\"mysite.wsgi\"]\n"
    )


def check_pipenv(root):
    assert "RUN pipenv run python manage.py collectstatic --noinput\nCMD [\"pipenv\", \"run\"" in text(root, "Dockerfile")


def check_collectstatic_present(root):
    assert text(root, "Dockerfile").count("collectstatic") == 1


def check_env_local_conventions(root):
    assert (root / ".env-local").read_bytes() == (
        b"# local settings\r\nexport DATABASE_URL='postgres://db/app'\r\nSECRET=\"a b\" # quoted\r\n"
        b"DJANGO_DEBUG=True\r\nDOMAIN_ALIASES=localhost, 127.0.0.1\r\nSECURE_SSL_REDIRECT=False"
    )


def check_untracked_static(root):
    assert text(root, ".gitignore") == "/staticfiles\n"
    assert (root / "staticfiles" / "admin" / "base.css").exists(), "untracked files are not deleted"


def check_static_absent(root):
    assert text(root, ".gitignore") == "/staticfiles\n" and not (root / "staticfiles").exists()


def check_ignored_by_other_pattern(root):
    assert text(root, ".gitignore") == "*.pyc\n/static*\n", "no second pattern for an ignored folder"
    assert (root / "staticfiles" / "staticfiles.json").exists(), "ignored, never committed: left alone"


def check_named_static_root(root):
    assert text(root, ".gitignore") == "/collected_static\n"
    assert not (root / "collected_static").exists()
    assert (root / "staticfiles" / "admin" / "base.css").exists()


VARIANTS = {
    "startproject": Variant(project(), check_startproject),
    "os-path-settings-without-static-root": Variant(project(OS_PATH_SETTINGS), check_os_path),
    "settings-package-dev-and-production": Variant(
        project(
            settings=None,
            settings_path="mysite/settings/dev.py",
            **{
                "mysite/settings/__init__.py": "",
                "mysite/settings/base.py": SETTINGS.replace("parent.parent", "parent.parent.parent"),
                "mysite/settings/dev.py": "from .base import *  # noqa\n\nDEBUG = True\n",
                "mysite/settings/production.py": "from .base import *  # noqa\n\nDEBUG = False\nALLOWED_HOSTS = ['example.com']\n",
                "mysite/wsgi.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings.production')\n",
            },
        ),
        check_settings_package,
    ),
    "src-layout": Variant(
        {
            "src/manage.py": MANAGE_PY, "src/mysite/__init__.py": "", "src/mysite/settings.py": SETTINGS,
            "src/requirements.txt": "django\n", "src/staticfiles/admin/x.css": "x\n",
            "Dockerfile": "FROM python:3.12\nWORKDIR /srv\nCOPY src/ /srv/\nRUN pip install -r /srv/requirements.txt\nCMD gunicorn mysite.wsgi\n",
        },
        check_src_layout,
    ),
    "crlf-everywhere": Variant(
        {name: (content.replace("\n", "\r\n") if isinstance(content, str) else content)
         for name, content in project(**{".env-local": "DATABASE_URL=sqlite:///db\n", ".gitignore": "*.pyc\n"}).items()},
        check_crlf,
    ),
    "bom-and-latin1": Variant(
        project(
            ("# -*- coding: latin-1 -*-\n# R\xe9glages de mysite\n" + SETTINGS).encode("latin-1"),
            **{".env-local": b"\xef\xbb\xbfDATABASE_URL=sqlite:///db\n"},
        ),
        check_encodings,
    ),
    "tabs-and-no-final-newline": Variant(
        project(SETTINGS.replace("    ", "\t").rstrip("\n")), check_tabs_no_final_newline
    ),
    "annotated-multiline-triple-quoted": Variant(
        project(
            SETTINGS.replace("DEBUG = True", "DEBUG: bool = True")
            .replace("ALLOWED_HOSTS = []", "ALLOWED_HOSTS = (\n    'localhost',\n    '127.0.0.1',\n)")
            .replace('SECRET_KEY = "django-insecure-0123456789"', "SECRET_KEY = '''django-insecure-\n0123'''")
        ),
        check_spellings,
    ),
    "allowed-hosts-wildcard-added-later": Variant(
        project(SETTINGS + "\nif True:\n    pass\nALLOWED_HOSTS += ['*']\n"),
        declined={"allowed-hosts": "adds '*' to ALLOWED_HOSTS further down"},
    ),
    "concatenated-secret-and-from-os-import": Variant(
        project(
            SETTINGS.replace('SECRET_KEY = "django-insecure-0123456789"', "SECRET_KEY = (\n    'django-insecure-'\n    \"0123456789\"\n)")
            .replace("from pathlib import Path\n", "from os import environ\nfrom pathlib import Path\n")
            + "\nDATABASE_URL = environ['DATABASE_URL']\n"
        ),
        check_concatenated_secret,
    ),
    "random-secret-key": Variant(
        project(
            SETTINGS.replace('SECRET_KEY = "django-insecure-0123456789"', "SECRET_KEY = get_random_secret_key()")
            .replace("from pathlib import Path\n", "from pathlib import Path\nfrom django.core.management.utils import get_random_secret_key\n")
        ),
        check_random_secret,
    ),
    "django-environ": Variant(
        project(
            "import environ\nfrom pathlib import Path\n\nenv = environ.Env()\nBASE_DIR = Path(__file__).resolve().parent.parent\n"
            "SECRET_KEY = env('SECRET_KEY')\nDEBUG = env.bool('DEBUG', default=False)\n"
            "ALLOWED_HOSTS = env.list('ALLOWED_HOSTS', default=[])\nINSTALLED_APPS = ['django.contrib.staticfiles']\n"
            "DATABASES = {'default': env.db()}\nSTATIC_ROOT = BASE_DIR / 'staticfiles'\n"
        ),
        check_django_environ,
    ),
    "python-decouple": Variant(
        project(
            "from decouple import config, Csv\n\nSECRET_KEY = config('SECRET_KEY')\n"
            "DEBUG = config('DEBUG', default=False, cast=bool)\nALLOWED_HOSTS = config('ALLOWED_HOSTS', cast=Csv())\n"
            "SECURE_SSL_REDIRECT = config('SECURE_SSL_REDIRECT', default=True, cast=bool)\n"
            "INSTALLED_APPS = ['django.contrib.staticfiles']\nSTATIC_ROOT = '/var/www/static'\n"
        ),
        check_decouple,
        declined={"staticfiles": "STATIC_ROOT is /var/www/static, outside the project folder, and nothing in it is committed"},
    ),
    "half-done-by-hand": Variant(
        project(
            SETTINGS.replace("DEBUG = True", "DEBUG = os.environ.get('DJANGO_DEBUG') == 'True'")
            .replace("from pathlib import Path\n", "import os\nfrom pathlib import Path\n"),
            **{".env-local": "# mine\nDJANGO_DEBUG=False\n"},
        ),
        check_half_done,
    ),
    "dj-database-url-config": Variant(
        project(
            SETTINGS.replace("from pathlib import Path\n", "from pathlib import Path\nimport dj_database_url\n")
            .replace(SETTINGS[SETTINGS.index("DATABASES = {"):SETTINGS.index("STATIC_URL")],
                     "DATABASES = {'default': dj_database_url.config(conn_max_age=600)}\n\n")
        ),
        check_dj_database_url,
    ),
    "literal-databases-dict": Variant(
        project(
            SETTINGS.replace('"NAME": BASE_DIR / "db.sqlite3",', "'NAME': 'app',\n        'HOST': os.environ.get('DB_HOST', 'localhost'),")
            .replace("from pathlib import Path\n", "import os\nfrom pathlib import Path\n")
        ),
        check_literal_databases,
    ),
    "multi-stage-dockerfile": Variant(
        project(Dockerfile=(
            "FROM python:3.12 AS build\nCOPY requirements.txt .\nRUN pip wheel -r requirements.txt -w /wheels\n\n"
            "FROM python:3.12-slim\nRUN useradd app\nCOPY --from=build /wheels /wheels\nRUN pip3 install /wheels/* \\\n"
            "    && rm -rf /wheels\nWORKDIR /home/app\nCOPY --chown=app . /home/app/\nUSER app\n"
            "ENTRYPOINT [\"python3\", \"-m\", \"gunicorn\"]\nCMD [\"mysite.wsgi\"]\n"
        )),
        check_multistage,
    ),
    "pipenv-dockerfile": Variant(
        project(Dockerfile=(
            "FROM python:3.12\nWORKDIR /app\nCOPY . .\n# dependencies\nRUN pip install pipenv && pipenv install --deploy\n"
            "CMD [\"pipenv\", \"run\", \"gunicorn\", \"mysite.wsgi\"]\n"
        )),
        check_pipenv,
    ),
    "collectstatic-already-in-dockerfile": Variant(
        project(Dockerfile=DOCKERFILE.replace("CMD", "RUN poetry run python manage.py collectstatic --clear --no-input\nCMD")),
        check_collectstatic_present,
    ),
    "no-dockerfile": Variant(
        project(Dockerfile=None), declined={"collectstatic": "no Dockerfile"}
    ),
    "env-local-export-quotes-crlf-no-final-newline": Variant(
        project(**{".env-local": "# local settings\r\nexport DATABASE_URL='postgres://db/app'\r\nSECRET=\"a b\" # quoted"}),
        check_env_local_conventions,
    ),
    "staticfiles-untracked-gitignore-absent": Variant(
        {name: content for name, content in project().items() if not name.startswith("staticfiles/")},
        check_untracked_static,
        untracked=STATIC,
    ),
    "staticfiles-absent": Variant(
        {name: content for name, content in project().items() if not name.startswith("staticfiles/")},
        check_static_absent,
    ),
    "staticfiles-covered-by-another-pattern": Variant(
        project(**{".gitignore": "*.pyc\n/static*\n"}), check_ignored_by_other_pattern
    ),
    "static-root-named-differently": Variant(
        project(
            SETTINGS.replace('STATIC_ROOT = BASE_DIR / "staticfiles"', "STATIC_ROOT = BASE_DIR / 'collected_static'"),
            **{"collected_static/admin/app.css": "x\n"},
        ),
        check_named_static_root,
    ),
    "allowed-hosts-with-real-hosts": Variant(
        project(SETTINGS.replace("ALLOWED_HOSTS = []", "ALLOWED_HOSTS = ['www.example.com']")),
        declined={"allowed-hosts": "lists real hosts (www.example.com)"},
    ),
    "debug-computed": Variant(
        project(SETTINGS.replace("DEBUG = True", "DEBUG = 'runserver' in sys.argv").replace("from pathlib", "import sys\nfrom pathlib")),
        declined={"debug": "computes DEBUG as 'runserver' in sys.argv"},
    ),
    "run-from-a-subfolder": Variant(project(), check_startproject, path="mysite"),
}


def status_lines(root):
    result = run_cli("status", cwd=root)
    assert result.returncode == 0, result.stderr
    steps = ("debug", "allowed-hosts", "secret-key", "ssl-redirect", "collectstatic", "staticfiles")
    return {line.split()[0]: line for line in result.stdout.splitlines()[1:] if line.split()[:1] and line.split()[0] in steps}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant(name, tmp_path):
    variant = VARIANTS[name]
    root = write_project(tmp_path / name, variant.files)
    write_project(root, variant.untracked, commit=False)
    cwd = root / variant.path

    first = run_cli("apply", "--all", cwd=cwd)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    for path in root.rglob("*.py"):
        if ".git" not in path.parts:
            compile(path.read_bytes(), str(path), "exec")
    if variant.check:
        variant.check(root)

    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "refactor-app")
    before = tree_files(root)
    second = run_cli("apply", "--all", cwd=cwd)
    assert second.returncode == 0, second.stderr
    assert "Nothing to do" in second.stderr
    assert tree_files(root) == before and git_status(root) == []
    assert run_cli("apply", "--all", "--check", cwd=cwd).returncode == 0

    lines = status_lines(cwd)
    assert len(lines) == 6
    for step, line in lines.items():
        state_and_reason = line.split(None, 1)[1]
        assert state_and_reason.startswith(("done ", "not applicable ")), line
        assert len(state_and_reason.split()) > 3, f"{step} gives no reason"
    for step, words in variant.declined.items():
        assert "not applicable" in lines[step] and words in lines[step], lines[step]


def test_there_are_at_least_twenty_variants():
    assert len(VARIANTS) >= 20


def test_several_projects_below_path_are_declined(tmp_path):
    write_project(tmp_path / "repo", {**{f"a/{k}": v for k, v in project().items()}, **{f"b/{k}": v for k, v in project().items()}})
    result = run_cli("apply", "--all", cwd=tmp_path / "repo")
    assert result.returncode == 2
    assert "holds several Django projects (a/manage.py, b/manage.py)" in result.stderr
    assert "or run every one of them with --recursive (-r)." in result.stderr
    assert run_cli("apply", "--all", "--dry-run", "-r", ".", cwd=tmp_path / "repo").returncode == 0
    assert run_cli("apply", "--all", "a", cwd=tmp_path / "repo").returncode == 0
