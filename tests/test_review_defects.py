"""Defects a new-user review of issues 12 and 13 found on projects outside the fixtures; each test
failed before its fix."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from production_fixtures import FLY_TOML
from project_builder import MANAGE_PY, STARTPROJECT_SETTINGS, startproject, write_project
from conftest import git
from test_cli import run_cli


def load(root: Path, module: str, **environment: str) -> dict:
    code = ("import json; from django.conf import settings as s; "
            "print(json.dumps({'DEBUG': s.DEBUG, 'SSL': s.SECURE_SSL_REDIRECT}))")
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": module, "PYTHONPATH": str(root), **environment}
    result = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_fixed_debug_default_keeps_local_work_on_with_its_own_spelling(tmp_path):
    """`os.environ.get('DEBUG', '1') == '1'`: the default becomes '0', and .env-local gets DEBUG=1."""
    settings = "import os\n" + STARTPROJECT_SETTINGS.replace("DEBUG = True", "DEBUG = os.environ.get('DEBUG', '1') == '1'")
    root = startproject(tmp_path, settings)
    assert run_cli("apply", "--all", cwd=root).returncode == 0
    assert "DEBUG = os.environ.get('DEBUG', '0') == '1'" in (root / "mysite/settings.py").read_text()
    assert "DEBUG=1\n" in (root / ".env-local").read_text()
    assert load(root, "mysite.settings", DEBUG="1")["DEBUG"] is True
    assert load(root, "mysite.settings")["DEBUG"] is False


def test_debug_on_unless_a_platform_variable_is_set_is_never_done(tmp_path):
    """Render's template: `DEBUG = 'RENDER' not in os.environ` is on wherever RENDER is unset."""
    settings = "import os\n" + STARTPROJECT_SETTINGS.replace("DEBUG = True", "DEBUG = 'RENDER' not in os.environ")
    root = startproject(tmp_path, settings)
    status = run_cli("status", cwd=root)
    line = next(line for line in status.stdout.splitlines() if line.startswith("debug"))
    assert "not applicable" in line and "DEBUG is on when RENDER is unset" in line, line


def test_the_dockerfile_names_the_module_when_manage_py_sets_none(tmp_path):
    root = write_project(tmp_path, {
        "manage.py": "import sys\nfrom django.core.management import execute_from_command_line\n"
                     "execute_from_command_line(sys.argv)\n",
        "config/__init__.py": "",
        "config/settings.py": STARTPROJECT_SETTINGS,
        "Dockerfile": "FROM python:3.12\nENV DJANGO_SETTINGS_MODULE=config.settings\nCOPY . .\n"
                      "RUN pip install -r requirements.txt\nCMD gunicorn config.wsgi\n",
    })
    status = run_cli("status", cwd=root)
    assert status.returncode == 0, status.stderr
    assert "Production settings: config/settings.py" in status.stdout


def test_a_new_ssl_redirect_goes_above_the_local_override(tmp_path):
    """`try: from .local import *` must keep the last word for local work."""
    root = write_project(tmp_path, {
        "manage.py": MANAGE_PY, "mysite/__init__.py": "",
        "mysite/settings/__init__.py": "from .base import *  # noqa\n\ntry:\n    from .local import *  # noqa\n"
                                       "except ImportError:\n    pass\n",
        "mysite/settings/base.py": STARTPROJECT_SETTINGS.replace("parent.parent", "parent.parent.parent"),
        ".gitignore": "mysite/settings/local.py\n",
    })
    assert run_cli("apply", "--all", cwd=root).returncode == 0
    init = (root / "mysite/settings/__init__.py").read_text()
    assert init.index("SECURE_SSL_REDIRECT") < init.index("try:")
    (root / "mysite/settings/local.py").write_text("DEBUG = True\nSECURE_SSL_REDIRECT = False\n")
    assert load(root, "mysite.settings")["SSL"] is False


def test_ssl_redirect_behind_herokus_proxy_without_the_header_is_declined(tmp_path):
    """A red-team run: Heroku's template redirected every request forever after `apply --all`,
    with a warning. Not the page's platform: the step is declined, naming the run that does both."""
    root = startproject(tmp_path, Procfile="web: gunicorn mysite.wsgi\n")
    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stderr.splitlines() if line.startswith("ssl-redirect"))
    assert "not applicable" in line and "--step proxy-ssl-header --step ssl-redirect" in line, line
    settings = (root / "mysite/settings.py").read_text()
    assert "SECURE_SSL_REDIRECT" not in settings and "SECURE_SSL_REDIRECT" not in (root / ".env").read_text()
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the page's six, but the redirect")
    both = run_cli("apply", "--step", "proxy-ssl-header", "--step", "ssl-redirect", "--commit", cwd=root)
    assert both.returncode == 0, both.stderr
    settings = (root / "mysite/settings.py").read_text()
    assert "SECURE_SSL_REDIRECT = " in settings and "SECURE_PROXY_SSL_HEADER" in settings


def test_ssl_redirect_behind_divios_proxy_without_the_header_warns(tmp_path):
    """Divio, the page's own platform: the page's step, with the warning."""
    root = startproject(tmp_path, **{".divio/config.json": "{}\n", ".gitignore": "/.divio\n"})
    result = run_cli("apply", "--all", "--dry-run", cwd=root)
    assert "Warning: production runs behind Divio's proxy" in result.stderr
    assert "SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')" in result.stderr
    status = run_cli("status", cwd=root)
    line = next(line for line in status.stdout.splitlines() if line.startswith("ssl-redirect"))
    assert "nothing sets SECURE_PROXY_SSL_HEADER" in line and "redirect forever" in line, line
    # The row says "see the warning": status says it too, before and after the steps are applied,
    # and a dry run with nothing left to write still gives it.
    assert "Warning: production runs behind Divio's proxy" in status.stdout
    assert run_cli("apply", "--all", cwd=root).returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the page's six")
    done = run_cli("status", cwd=root)
    assert "Nothing to do" in done.stdout and "Warning: production runs behind Divio's proxy" in done.stdout
    # `apply --all` on a finished project answers from the files alone and points to status.
    finished = run_cli("apply", "--all", "--dry-run", cwd=root)
    assert finished.returncode == 0 and "`refactor-app status` gives each step's reason and any warning" in finished.stderr
    again = run_cli("apply", "--step", "ssl-redirect", "--dry-run", cwd=root)
    assert again.returncode == 0 and again.stdout == ""
    assert "Nothing to do" in again.stderr and "Warning: production runs behind Divio's proxy" in again.stderr
    settings = STARTPROJECT_SETTINGS + "SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')\n"
    other = startproject(tmp_path / "with-header", settings, Procfile="web: gunicorn mysite.wsgi\n")
    assert "Heroku's proxy" not in run_cli("apply", "--all", "--dry-run", cwd=other).stderr


def test_verify_gives_production_a_database_url(tmp_path):
    settings = STARTPROJECT_SETTINGS.replace(
        'DATABASES = {', "import dj_database_url\nDATABASES = {'default': dj_database_url.parse(os.environ['DATABASE_URL'])}\n_OLD = {"
    ).replace("from pathlib import Path", "import os\nfrom pathlib import Path")
    root = startproject(tmp_path, settings)
    assert run_cli("apply", "--all", cwd=root).returncode == 0
    result = run_cli("verify", cwd=root)
    assert "cannot be imported in the production environment" not in result.stdout, result.stdout


def test_verify_leaves_a_gitignored_local_module_out_of_production(tmp_path):
    root = write_project(tmp_path, {
        "manage.py": MANAGE_PY, "mysite/__init__.py": "",
        "mysite/settings/__init__.py": "from .base import *  # noqa\n\ntry:\n    from .local import *  # noqa\n"
                                       "except ImportError:\n    pass\n",
        "mysite/settings/base.py": STARTPROJECT_SETTINGS.replace("parent.parent", "parent.parent.parent"),
        ".gitignore": "mysite/settings/local.py\n",
    })
    assert run_cli("apply", "--all", cwd=root).returncode == 0
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "migrated"], cwd=root, check=True)
    (root / "mysite/settings/local.py").write_text("DEBUG = True\nSECURE_SSL_REDIRECT = False\n")
    result = run_cli("verify", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "leave out mysite/settings/local.py" in result.stdout
    debug = next(line for line in result.stdout.splitlines() if line.startswith("DEBUG"))
    assert debug.split()[1:] == ["True", "False", "False"], debug


def test_an_import_os_below_the_new_reads_gets_one_above_them(tmp_path):
    """`import os` only at the end of the file (with a helper using it): the new reads above it
    would fail with NameError, so `import os` is added at the top as well."""
    settings = STARTPROJECT_SETTINGS + "\n\ndef env_flag(name):\n    return os.environ.get(name) == 'True'\n\nimport os\n"
    root = startproject(tmp_path, settings)
    assert run_cli("apply", "--all", cwd=root).returncode == 0
    text = (root / "mysite/settings.py").read_text()
    assert text.index("import os") < text.index("os.environ.get('DJANGO_DEBUG')")
    assert text.rstrip().endswith("import os")  # the user's own line stays
    assert load(root, "mysite.settings", DOMAIN="example.com") == {"DEBUG": False, "SSL": True}


def test_an_import_os_above_every_use_is_kept_alone(tmp_path):
    settings = "import os\n" + STARTPROJECT_SETTINGS
    root = startproject(tmp_path, settings)
    assert run_cli("apply", "--all", cwd=root).returncode == 0
    assert (root / "mysite/settings.py").read_text().count("import os") == 1


OLD_MIDDLEWARE = ("MIDDLEWARE_CLASSES = (\n    'django.contrib.sessions.middleware.SessionMiddleware',\n"
                  "    'django.middleware.common.CommonMiddleware',\n)\n")


@pytest.mark.parametrize("middleware", [
    OLD_MIDDLEWARE,
    # Commented out of the modern list: Django runs without it just the same.
    "MIDDLEWARE = [\n    # 'django.middleware.security.SecurityMiddleware',\n    'django.middleware.common.CommonMiddleware',\n]\n",
], ids=["middleware-classes", "commented-out"])
def test_ssl_redirect_without_security_middleware_is_declined(tmp_path, middleware):
    """A red-team run: a Django 1.8 project upgraded from 1.7 (MIDDLEWARE_CLASSES without
    SecurityMiddleware) got SECURE_SSL_REDIRECT, and verify said OK while nothing redirected."""
    root = startproject(tmp_path, STARTPROJECT_SETTINGS + middleware)
    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stderr.splitlines() if line.startswith("ssl-redirect"))
    assert "not applicable" in line and "django.middleware.security.SecurityMiddleware" in line, line
    assert f"mysite/settings.py's {middleware.split()[0]} does not list" in line, line
    assert "SECURE_SSL_REDIRECT" not in (root / "mysite/settings.py").read_text()
    assert "SECURE_SSL_REDIRECT" not in (root / ".env-local").read_text()


def test_a_redirect_set_by_hand_without_security_middleware_is_a_warning_and_a_verify_problem(tmp_path):
    root = startproject(tmp_path, STARTPROJECT_SETTINGS + OLD_MIDDLEWARE)
    assert run_cli("apply", "--all", cwd=root).returncode == 0
    settings = root / "mysite/settings.py"
    settings.write_text(settings.read_text() + '\nSECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT") != "False"\n')
    env_local = root / ".env-local"
    env_local.write_text(env_local.read_text() + "SECURE_SSL_REDIRECT=False\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the redirect by hand")
    status = run_cli("status", cwd=root)
    assert "Warning: SECURE_SSL_REDIRECT is on, but mysite/settings.py's MIDDLEWARE_CLASSES does not list" in status.stdout
    verified = run_cli("verify", cwd=root)
    assert verified.returncode == 1, verified.stdout + verified.stderr
    assert "Problem: production would not redirect to HTTPS: SECURE_SSL_REDIRECT is on, but MIDDLEWARE lacks" in verified.stdout
    # With the middleware listed, the same settings verify.
    settings.write_text(settings.read_text().replace("MIDDLEWARE_CLASSES = (\n",
                                                     "MIDDLEWARE_CLASSES = (\n    'django.middleware.security.SecurityMiddleware',\n"))
    assert "SecurityMiddleware" not in run_cli("verify", cwd=root).stdout


def test_verify_runs_production_as_the_platform_does(tmp_path):
    """A red-team run: Heroku's template turns DEBUG on unless DYNO is set, which Heroku sets in
    every production process; verify's production-like run did not, and reported DEBUG on."""
    settings = STARTPROJECT_SETTINGS.replace("DEBUG = True", "DEBUG = False") + (
        '\nIS_HEROKU_APP = "DYNO" in os.environ\nif not IS_HEROKU_APP:\n    DEBUG = True\n')
    assert "DEBUG = False" in settings
    root = startproject(tmp_path, "import os\n" + settings, Procfile="web: gunicorn mysite.wsgi\n")
    verified = run_cli("verify", cwd=root)
    assert "Note: the production runs set DYNO=web.1" in verified.stdout, verified.stdout
    assert "production would run with DEBUG on" not in verified.stdout, verified.stdout
    assert "with DEBUG on" not in verified.stdout  # the unset run is on Heroku too


KEY_BLOCK = '''import os
import random
import string

from .base import *  # noqa

DEBUG = os.getenv("DJANGO_DEBUG", "off") == "on"

if "DJANGO_SECRET_KEY" in os.environ:
    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
else:
    SECRET_KEY = "".join(random.SystemRandom().choice(string.printable) for i in range(50))
'''


def bakerydemo_like(tmp_path, production: str) -> Path:
    base = STARTPROJECT_SETTINGS.replace("parent.parent", "parent.parent.parent")
    return write_project(tmp_path / "project", {
        "manage.py": MANAGE_PY.replace("mysite.settings", "mysite.settings.production"),
        "mysite/__init__.py": "", "mysite/settings/__init__.py": "",
        "mysite/settings/base.py": base, "mysite/settings/production.py": production,
    })


def test_a_key_set_from_the_environment_in_every_branch_of_a_block_is_done(tmp_path):
    """A red-team run on wagtail's bakerydemo: production.py sets SECRET_KEY in an if/else that
    reads DJANGO_SECRET_KEY (else a key made at run time); base.py's literal was rewritten for
    nothing, and verify then said production ignored its own key."""
    root = bakerydemo_like(tmp_path, KEY_BLOCK)
    key_line = next(line for line in (root / "mysite/settings/base.py").read_text().splitlines()
                    if line.startswith("SECRET_KEY"))
    status = run_cli("status", cwd=root)
    line = next(line for line in status.stdout.splitlines() if line.startswith("secret-key"))
    assert " done " in line and ("mysite/settings/production.py sets SECRET_KEY in every branch of an if/try block "
                                 "that reads DJANGO_SECRET_KEY from the environment") in line, line
    assert "Warning: the SECRET_KEY in" not in status.stdout
    assert run_cli("apply", "--all", cwd=root).returncode == 0
    assert key_line in (root / "mysite/settings/base.py").read_text().splitlines()  # local work's, left alone
    verified = run_cli("verify", cwd=root)
    assert "production-like (DOMAIN=www.example.com, DJANGO_SECRET_KEY set)" in verified.stdout, verified.stdout
    assert "production would not use its own SECRET_KEY" not in verified.stdout, verified.stdout


@pytest.mark.parametrize("production", [
    KEY_BLOCK.replace('else:\n    SECRET_KEY = "".join(random.SystemRandom().choice(string.printable) for i in range(50))\n', ""),
    KEY_BLOCK + 'SECRET_KEY = "set-again-below-the-block"\n',
], ids=["no-else", "set-again"])
def test_a_block_that_leaves_the_key_to_another_line_is_not_done(tmp_path, production):
    root = bakerydemo_like(tmp_path, production)
    line = next(line for line in run_cli("status", cwd=root).stdout.splitlines() if line.startswith("secret-key"))
    assert " done " not in line and "inside an if/try block" in line, line


@pytest.mark.parametrize("block, leaked", [
    ('try:\n    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\nexcept KeyError:\n'
     '    raise RuntimeError("set DJANGO_SECRET_KEY")\n', False),
    ('if "DJANGO_SECRET_KEY" in os.environ:\n    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\nelse:\n'
     '    SECRET_KEY = "a-committed-fallback-key"\n', True),
], ids=["raises", "literal-fallback"])
def test_a_key_block_that_raises_is_done_and_one_with_a_literal_is_warned_of(tmp_path, block, leaked):
    root = bakerydemo_like(tmp_path, "import os\n\nfrom .base import *  # noqa\n\n" + block)
    status = run_cli("status", cwd=root).stdout
    line = next(line for line in status.splitlines() if line.startswith("secret-key"))
    assert " done " in line and "reads DJANGO_SECRET_KEY from the environment" in line, line
    assert ("Warning: the SECRET_KEY in mysite/settings/production.py has been committed" in status) is leaked, status


# fly launch's Dockerfile (the production matrix's fly-toml fixture) with the key it writes for collectstatic.
FLY_LAUNCH_DOCKERFILE = FLY_TOML.files["Dockerfile"].replace(
    "COPY . /code\n", 'COPY . /code\n\nENV SECRET_KEY "YtJ0MZ5vXb8G4ipIyoNBtExyqUajNhM3vDFM4kdFYuLSi9W0cR"\n'
                      "RUN python manage.py collectstatic --noinput\n")


def test_a_key_the_image_sets_with_env_is_reported(tmp_path):
    """A red-team run of `fly launch`'s Dockerfile: `ENV SECRET_KEY "..."` (there for collectstatic)
    gives every container a committed key. status said nothing, and verify showed production with
    its variables unset as refusing to import (closed), where it runs on that key."""
    settings = ("import os\n" + STARTPROJECT_SETTINGS
                .replace('SECRET_KEY = "django-insecure-', 'SECRET_KEY = os.environ["SECRET_KEY"]  # "django-insecure-'))
    root = startproject(tmp_path, settings, Dockerfile=FLY_LAUNCH_DOCKERFILE, **{"fly.toml": "app = 'mysite'\n"})
    status = run_cli("status", cwd=root)
    assert status.returncode == 0, status.stderr
    line = FLY_LAUNCH_DOCKERFILE.splitlines().index('ENV SECRET_KEY "YtJ0MZ5vXb8G4ipIyoNBtExyqUajNhM3vDFM4kdFYuLSi9W0cR"') + 1
    warning = f"Dockerfile sets SECRET_KEY (line {line}) with ENV, so every container of the image has a key committed"
    assert warning in status.stdout + status.stderr
    verify = run_cli("verify", cwd=root)
    assert "the SECRET_KEY Dockerfile's ENV line commits" in verify.stdout, verify.stdout
    row = next(line for line in verify.stdout.splitlines() if line.startswith("SECRET_KEY from"))
    assert row.rstrip().endswith("the image's ENV (committed)"), row
    assert "production-like" in verify.stdout and verify.returncode == 1


def test_an_env_schema_is_not_what_a_setting_reads(tmp_path):
    """`env = environ.Env(DEBUG=(bool, False))`, `SECRET_KEY = env('SECRET_KEY')`: status said the key
    came from "the environment variables SECRET_KEY, DEBUG"."""
    settings = ("import environ\n\nenv = environ.Env(\n    # set casting, default value\n    DEBUG=(bool, False)\n)\n"
                + STARTPROJECT_SETTINGS.replace("DEBUG = True", "DEBUG = env('DEBUG')")
                .replace('SECRET_KEY = "django-insecure-', 'SECRET_KEY = env("SECRET_KEY")  # "django-insecure-'))
    root = startproject(tmp_path, settings)
    status = run_cli("status", cwd=root)
    line = next(line for line in status.stdout.splitlines() if line.startswith("secret-key"))
    assert "from the environment variable SECRET_KEY (env)" in line, line


@pytest.mark.parametrize("dockerignore, warned", [(None, True), (".git\n.env\n", False)])
def test_an_env_file_the_image_copies_that_turns_debug_on_is_reported(tmp_path, dockerignore, warned):
    """A red-team run (fly launch): the settings read .env (django-environ), git ignores it, but
    `fly deploy` builds from the folder and nothing in .dockerignore keeps it out: DEBUG=True there
    is production's. status said `debug done` and nothing else; verify said DEBUG is on."""
    from project_builder import DOCKERFILE

    settings = ("import environ\n\nenv = environ.Env(DEBUG=(bool, False))\n"
                + STARTPROJECT_SETTINGS.replace("DEBUG = True", "environ.Env.read_env(BASE_DIR / '.env')\nDEBUG = env('DEBUG')"))
    files = {".gitignore": ".env\n", "Dockerfile": DOCKERFILE}
    if dockerignore is not None:
        files[".dockerignore"] = dockerignore
    root = startproject(tmp_path, settings, **files)
    (root / ".env").write_text("DEBUG=True\n")
    status = run_cli("status", cwd=root)
    assert status.returncode == 0, status.stderr
    warning = (".env sets DEBUG=True, the settings load it (django-environ's read_env in mysite/settings.py), and "
               "Dockerfile's build copies it into the image")
    assert (warning in status.stdout + status.stderr) is warned, status.stdout + status.stderr


PROD_COMPOSE_WITH_NGINX = """services:
  web:
    build:
      context: .
      dockerfile: Dockerfile
    command: gunicorn mysite.wsgi:application --bind 0.0.0.0:8000
    expose:
      - 8000
  nginx:
    build: ./nginx
    ports:
      - 1337:80
    depends_on:
      - web
"""


@pytest.mark.parametrize("files, declined", [
    ({"docker-compose.prod.yml": PROD_COMPOSE_WITH_NGINX}, True),
    # docker-compose.yml running gunicorn is production's too (`docker compose up -d` on a server).
    ({"docker-compose.yml": PROD_COMPOSE_WITH_NGINX.replace("build: ./nginx", "image: nginx:1.27-alpine")}, True),
    # Local work's compose: runserver behind a proxy is not production.
    ({"docker-compose.yml": PROD_COMPOSE_WITH_NGINX.replace("gunicorn mysite.wsgi:application --bind",
                                                              "python manage.py runserver")}, False),
])
def test_ssl_redirect_behind_a_compose_reverse_proxy_needs_the_header(tmp_path, files, declined):
    """A red-team run of testdriven.io's Django/Docker layout: nginx in docker-compose.prod.yml
    proxies plain HTTP to gunicorn and sets no X-Forwarded-Proto; the redirect was applied, and
    every request went to an HTTPS address nothing served."""
    root = startproject(tmp_path, **files, **{"nginx/nginx.conf": "server {\n    listen 80;\n}\n"})
    status = run_cli("status", cwd=root)
    line = next(line for line in status.stdout.splitlines() if line.startswith("ssl-redirect"))
    if declined:
        assert "not applicable" in line and "production runs behind" in line and "'s service nginx" in line, line
        assert "SECURE_PROXY_SSL_HEADER" in line
    else:
        assert "pending" in line, line


def test_ssl_redirect_behind_a_compose_reverse_proxy_with_the_header_is_applied(tmp_path):
    settings = STARTPROJECT_SETTINGS + "\nSECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')\n"
    root = startproject(tmp_path, settings, **{"docker-compose.prod.yml": PROD_COMPOSE_WITH_NGINX})
    applied = run_cli("apply", "--all", cwd=root)
    assert applied.returncode == 0, applied.stderr
    assert "SECURE_SSL_REDIRECT = " in (root / "mysite/settings.py").read_text()


def test_a_committed_env_file_pipenv_run_loads_on_the_dyno_is_reported(tmp_path):
    """A red-team run: `web: pipenv run gunicorn ...` loads .env on Heroku too, and git commits it:
    its DEBUG=True is production's. status said `debug done`; verify gave no warning."""
    settings = "import os\n" + STARTPROJECT_SETTINGS.replace("DEBUG = True", "DEBUG = os.getenv('DEBUG') == 'True'")
    root = startproject(tmp_path, settings, **{"Procfile": "web: pipenv run gunicorn mysite.wsgi\n",
                                               ".env": "DEBUG=True\n"})
    warning = (".env sets DEBUG=True, the Procfile's processes load it (pipenv run), and git commits it, so every "
               "deploy of the repository has it")
    status = run_cli("status", cwd=root)
    assert warning in status.stdout + status.stderr, status.stdout + status.stderr
    verify = run_cli("verify", cwd=root)
    assert warning in verify.stdout + verify.stderr, verify.stdout


APP_YAML = "runtime: python312\nentrypoint: gunicorn -b :$PORT mysite.wsgi\n"


@pytest.mark.parametrize("gcloudignore, written", [
    (".gcloudignore\n.git\n.gitignore\n__pycache__/\n", ".env-local"),  # Google's sample: .env is uploaded
    (".gcloudignore\n.git\n.env\n", ".env"),
])
def test_an_env_file_app_engine_uploads_takes_no_local_values(tmp_path, gcloudignore, written):
    """A red-team run of Google's App Engine sample: the settings load .env, git ignores it, but
    `gcloud app deploy` uploads it (.gcloudignore does not name it): DJANGO_DEBUG=True written there
    turned DEBUG on in production."""
    settings = ("import os\nfrom dotenv import load_dotenv\n" + STARTPROJECT_SETTINGS
                .replace("DEBUG = True", "load_dotenv(BASE_DIR / '.env')\nDEBUG = True"))
    root = startproject(tmp_path, settings, **{"app.yaml": APP_YAML, ".gcloudignore": gcloudignore,
                                               ".gitignore": ".env\n"})
    (root / ".env").write_text("LOCAL_NAME=mine\n")
    applied = run_cli("apply", "--all", cwd=root)
    assert applied.returncode == 0, applied.stderr
    assert "DJANGO_DEBUG=True" in (root / written).read_text()
    if written == ".env-local":
        assert (root / ".env").read_text() == "LOCAL_NAME=mine\n"
        assert "`gcloud app deploy` uploads it (.gcloudignore does not name it)" in applied.stdout + applied.stderr


GET_SECRET = '''

def get_secret(name, default=None):
    """Secret Manager on App Engine (GOOGLE_CLOUD_PROJECT is set there), the environment elsewhere."""
    project = os.environ.get("GOOGLE_CLOUD_PROJECT")
    if project:
        from google.cloud import secretmanager

        client = secretmanager.SecretManagerServiceClient()
        return client.access_secret_version(name=f"projects/{project}/secrets/{name}/versions/latest").payload.data.decode()
    return os.environ.get(name, default)

'''


def test_an_unsafe_default_through_a_helper_that_passes_it_on_is_fixed(tmp_path):
    """A red-team run: `DEBUG = get_secret("DEBUG", "True") == "True"`, the helper returning
    os.environ.get(name, default), was 'done' in status while verify found DEBUG on and '*'."""
    settings = ("import os\n" + STARTPROJECT_SETTINGS
                .replace("DEBUG = True", GET_SECRET + 'DEBUG = get_secret("DEBUG", "True") == "True"')
                .replace("ALLOWED_HOSTS = []", 'ALLOWED_HOSTS = get_secret("ALLOWED_HOSTS", "*").split(",")'))
    root = startproject(tmp_path, settings)
    status = run_cli("status", cwd=root)
    lines = {line.split()[0]: line for line in status.stdout.splitlines() if line.split()[:1]}
    assert "pending" in lines["debug"] and 'get_secret("DEBUG", "False") == "True"' in lines["debug"], lines["debug"]
    assert "pending" in lines["allowed-hosts"] and 'get_secret("ALLOWED_HOSTS", "").split(",")' in lines["allowed-hosts"]
    assert run_cli("apply", "--all", cwd=root).returncode == 0
    assert load(root, "mysite.settings")["DEBUG"] is False
    assert load(root, "mysite.settings", DEBUG="True")["DEBUG"] is True


def test_an_env_file_production_loads_that_is_not_utf8_is_passed_over(tmp_path):
    """The check reads the env file with python-dotenv, which reads UTF-8: a latin-1 one is passed
    over, not a crash (exit 3)."""
    settings = "import os\n" + STARTPROJECT_SETTINGS.replace("DEBUG = True", "DEBUG = os.getenv('DEBUG') == 'True'")
    root = startproject(tmp_path, settings, **{"Procfile": "web: pipenv run gunicorn mysite.wsgi\n",
                                               ".env": "DEBUG=True\nNAME=Jos\xe9\n".encode("latin-1")})
    status = run_cli("status", cwd=root)
    assert status.returncode == 0, status.stderr
    assert "Traceback" not in status.stderr


@pytest.mark.parametrize("volumes, warned", [
    ("    volumes:\n      - static_volume:/app/staticfiles\n", True),
    ("    volumes:\n      - type: volume\n        source: static_volume\n        target: /app/staticfiles/\n", True),
    ("    volumes:\n      - ./staticfiles:/app/staticfiles\n", False),  # a bind mount: the host's folder
    ("", False),
])
def test_a_named_volume_over_static_root_is_reported(tmp_path, volumes, warned):
    """A red-team run of testdriven.io's layout: the production compose file mounts the named
    volume nginx serves from at STATIC_ROOT; Docker fills it from the image only while it is empty,
    so the build's collectstatic reaches it on the first deploy only."""
    from project_builder import DOCKERFILE

    compose = ("services:\n  web:\n    build: .\n    command: gunicorn mysite.wsgi:application --bind 0.0.0.0:8000\n"
               + volumes + "volumes:\n  static_volume:\n")
    root = startproject(tmp_path, Dockerfile=DOCKERFILE, **{"docker-compose.prod.yml": compose})
    status = run_cli("status", cwd=root)
    assert status.returncode == 0, status.stderr
    warning = "docker-compose.prod.yml's service web mounts the named volume static_volume at /app/staticfiles"
    assert (warning in status.stdout + status.stderr) is warned, status.stdout + status.stderr
