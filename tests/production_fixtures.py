"""Fixture projects for the production matrix (issue 12, "Production-true"): each a small project in
the shape of a real public one (cookiecutter-django, wagtail's bakerydemo, Heroku's getting-started,
Divio's tutorial, startproject settings with each unsafe default spelling, platform files naming the
module production runs), as a dict of files for project_builder.write_project.

Every Django project here has a view answering 200 at `/`, SecurityMiddleware, staticfiles and a
sqlite database, so that real Django can load its settings and answer a request without services.
What each fixture expects is in its fields; tests/test_production_matrix.py runs the checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from golden_cases import REPO

SETTINGS_NAMES = ("DEBUG", "ALLOWED_HOSTS", "SECRET_KEY", "SECURE_SSL_REDIRECT")


@dataclass
class Fixture:
    name: str
    shape: str  # where the shape comes from
    files: dict[str, str | bytes]
    # Dotted settings modules: the one production runs, and manage.py's default (the one local work
    # runs). None for a project whose settings real Django cannot load here (its packages are not
    # installed): only the CLI checks run.
    production: str | None = None
    development: str | None = None
    import_root: str = "."  # where dotted names resolve from (manage.py's folder), below the project
    left_alone: tuple[str, ...] = ()  # modules only development or tests load: byte for byte after apply
    # Variables production cannot start without (it raises ImproperlyConfigured, or fails, when
    # unset), set for the "empty environment" load too; each fixture says why.
    required: dict[str, str] = field(default_factory=dict)
    # What the deployment sets: the variables the settings read before the migration. "{secrets}"
    # in a value is the folder holding `secret_files`.
    deployment: dict[str, str] = field(default_factory=dict)
    secret_files: dict[str, str] = field(default_factory=dict)
    # The values the deployment controls: the same before and after under `deployment`. A value
    # the migration exists to change (a literal DEBUG = True, ['*']) is left out.
    compared: tuple[str, ...] = SETTINGS_NAMES
    after_deployment: dict[str, object] = field(default_factory=dict)  # values expected after, where they change
    local_env_files: tuple[str, ...] = ()  # env files the project's local setup loads, besides .env-local
    request: bool = True  # False: the project's URLconf cannot run under today's Django (said why)
    expected_warning: str | None = None  # text `apply --all` must print (a call refactor-app cannot see through)
    all_done: bool = False  # status: every step done, and apply changes nothing
    # ssl-redirect must be declined, its status line saying this: no SecurityMiddleware before
    # Django 1.8; a TLS-ending proxy (Fly.io, Heroku) and no SECURE_PROXY_SSL_HEADER.
    redirect_declined: str = ""


# --- Shared pieces, as startproject (Django 4.2-5.x) writes them --------------------------------

def manage_py(module: str) -> str:
    return f'''#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""
import os
import sys


def main():
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{module}")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Are you sure it's installed and "
            "available on your PYTHONPATH environment variable? Did you "
            "forget to activate a virtual environment?"
        ) from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
'''


def wsgi_py(package: str, module: str) -> str:
    return f'''"""
WSGI config for {package} project.

It exposes the WSGI callable as a module-level variable named ``application``.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{module}")

application = get_wsgi_application()
'''


def urls_py(title: str) -> str:
    return f'''"""URL configuration: the home page."""

from django.http import HttpResponse
from django.urls import path


def home(request):
    return HttpResponse("{title} is up.")


urlpatterns = [
    path("", home, name="home"),
]
'''


PATHLIB_BASE_DIR = '''from pathlib import Path

# Build paths inside the project like this: BASE_DIR / 'subdir'.
BASE_DIR = Path(__file__).resolve().parent.parent
'''

APPLICATION = '''
# Application definition

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "PACKAGE.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "PACKAGE.wsgi.application"
'''

SQLITE = '''
# Database

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    }
}
'''

STATIC = '''
# Internationalization

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files (CSS, JavaScript, Images)

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
'''


def settings_py(package: str, security: str, *, imports: str = "", base_dir: str = PATHLIB_BASE_DIR,
                database: str = SQLITE, footer: str = "") -> str:
    """startproject's settings.py with `security` (SECRET_KEY, DEBUG, ALLOWED_HOSTS ...) in its place."""
    return (f'"""\nDjango settings for {package} project.\n"""\n\n{imports}{base_dir}\n'
            f"{security}{APPLICATION.replace('PACKAGE', package)}{database}{STATIC}{footer}")


def package_base_py(package: str, security: str, *, imports: str = "") -> str:
    """A settings package's base.py: BASE_DIR one folder higher."""
    return settings_py(package, security, imports=imports,
                       base_dir=PATHLIB_BASE_DIR.replace("parent.parent", "parent.parent.parent"))


def project(package: str, settings: str, *, module: str | None = None, wsgi_module: str | None = None,
            **extra: str) -> dict[str, str]:
    """manage.py, the package with settings.py (or `extra`'s settings modules), urls.py and wsgi.py."""
    module = module or f"{package}.settings"
    files = {
        "manage.py": manage_py(module),
        f"{package}/__init__.py": "",
        f"{package}/urls.py": urls_py(package),
        f"{package}/wsgi.py": wsgi_py(package, wsgi_module or module),
        "requirements.txt": "Django>=4.2,<6\ngunicorn>=22\n",
    }
    if settings:
        files[f"{package}/settings.py"] = settings
    files.update(extra)
    return files


DOCKERFILE = """FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
EXPOSE 8000
CMD ["gunicorn", "mysite.wsgi", "--bind", "0.0.0.0:8000"]
"""

DEV_KEY = "django-insecure-7f#k2m!x@q9w$e3r^t5y&u8i*o0p(a_s-d+f=g1h"


# --- 1. cookiecutter-django ---------------------------------------------------------------------

COOKIECUTTER_MANAGE = '''#!/usr/bin/env python
# ruff: noqa
import os
import sys
from pathlib import Path

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

    try:
        from django.core.management import execute_from_command_line
    except ImportError:
        # The above import may fail for some other reason. Ensure that the
        # issue is really that Django is missing to avoid masking other
        # exceptions on Python 2.
        try:
            import django
        except ImportError:
            raise ImportError(
                "Couldn't import Django. Are you sure it's installed and "
                "available on your PYTHONPATH environment variable? Did you "
                "forget to activate a virtual environment?"
            )

        raise

    # This allows easy placement of apps within the interior
    # my_awesome_project directory.
    current_path = Path(__file__).parent.resolve()
    sys.path.append(str(current_path / "my_awesome_project"))

    execute_from_command_line(sys.argv)
'''

COOKIECUTTER_WSGI = '''"""
WSGI config for My Awesome Project project.

This module contains the WSGI application used by Django's development server
and any production WSGI deployments. It should expose a module-level variable
named ``application``. Django's ``runserver`` and ``runfcgi`` commands discover
this application via the ``WSGI_APPLICATION`` setting.
"""

import os
import sys
from pathlib import Path

from django.core.wsgi import get_wsgi_application

# This allows easy placement of apps within the interior
# my_awesome_project directory.
BASE_DIR = Path(__file__).resolve(strict=True).parent.parent
sys.path.append(str(BASE_DIR / "my_awesome_project"))
# We defer to a DJANGO_SETTINGS_MODULE already in the environment. This breaks
# if running multiple sites in the same mod_wsgi process. To fix this, use
# mod_wsgi daemon mode with each site in its own daemon process, or use
# os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

# This application object is used by any WSGI server configured to use this
# file. This includes Django's development server, if the WSGI_APPLICATION
# setting points here.
application = get_wsgi_application()
'''

COOKIECUTTER_BASE = '''# ruff: noqa: ERA001, E501
"""Base settings to build other settings files upon."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve(strict=True).parent.parent.parent
# my_awesome_project/
APPS_DIR = BASE_DIR / "my_awesome_project"
env = environ.Env()

READ_DOT_ENV_FILE = env.bool("DJANGO_READ_DOT_ENV_FILE", default=False)
if READ_DOT_ENV_FILE:
    # OS environment variables take precedence over variables from .env
    env.read_env(str(BASE_DIR / ".env"))

# GENERAL
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/dev/ref/settings/#debug
DEBUG = env.bool("DJANGO_DEBUG", False)
# Local time zone. Choices are
# http://en.wikipedia.org/wiki/List_of_tz_zones_by_name
TIME_ZONE = "UTC"
# https://docs.djangoproject.com/en/dev/ref/settings/#language-code
LANGUAGE_CODE = "en-us"
# https://docs.djangoproject.com/en/dev/ref/settings/#site-id
SITE_ID = 1
# https://docs.djangoproject.com/en/dev/ref/settings/#use-i18n
USE_I18N = True
# https://docs.djangoproject.com/en/dev/ref/settings/#use-tz
USE_TZ = True

# DATABASES
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/dev/ref/settings/#databases
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# https://docs.djangoproject.com/en/stable/ref/settings/#std:setting-DEFAULT_AUTO_FIELD
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# URLS
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/dev/ref/settings/#root-urlconf
ROOT_URLCONF = "config.urls"
# https://docs.djangoproject.com/en/dev/ref/settings/#wsgi-application
WSGI_APPLICATION = "config.wsgi.application"

# APPS
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.forms",
]
# https://docs.djangoproject.com/en/dev/ref/settings/#installed-apps
INSTALLED_APPS = DJANGO_APPS

# MIDDLEWARE
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/dev/ref/settings/#middleware
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# STATIC
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/dev/ref/settings/#static-root
STATIC_ROOT = str(BASE_DIR / "staticfiles")
# https://docs.djangoproject.com/en/dev/ref/settings/#static-url
STATIC_URL = "/static/"
# https://docs.djangoproject.com/en/dev/ref/contrib/staticfiles/#std:setting-STATICFILES_DIRS
STATICFILES_DIRS = [str(APPS_DIR / "static")]

# TEMPLATES
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/dev/ref/settings/#templates
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [str(APPS_DIR / "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SECURITY
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/dev/ref/settings/#session-cookie-httponly
SESSION_COOKIE_HTTPONLY = True
# https://docs.djangoproject.com/en/dev/ref/settings/#csrf-cookie-httponly
CSRF_COOKIE_HTTPONLY = True
# https://docs.djangoproject.com/en/dev/ref/settings/#x-frame-options
X_FRAME_OPTIONS = "DENY"
'''

COOKIECUTTER_LOCAL = '''# ruff: noqa: E501
from .base import *  # noqa: F403
from .base import INSTALLED_APPS
from .base import env

# GENERAL
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/dev/ref/settings/#debug
DEBUG = True
# https://docs.djangoproject.com/en/dev/ref/settings/#secret-key
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="!!!SET DJANGO_SECRET_KEY!!!",
)
# https://docs.djangoproject.com/en/dev/ref/settings/#allowed-hosts
ALLOWED_HOSTS = ["localhost", "0.0.0.0", "127.0.0.1"]  # noqa: S104

# CACHES
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/dev/ref/settings/#caches
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "",
    },
}

# EMAIL
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/dev/ref/settings/#email-backend
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

# django-extensions would go here; the fixture installs no third-party app.
INSTALLED_APPS += []  # noqa: PLW0127
'''

COOKIECUTTER_PRODUCTION = '''# ruff: noqa: E501
from .base import *  # noqa: F403
from .base import DATABASES
from .base import env

# GENERAL
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/dev/ref/settings/#secret-key
SECRET_KEY = env("DJANGO_SECRET_KEY")
# https://docs.djangoproject.com/en/dev/ref/settings/#allowed-hosts
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["example.com"])

# DATABASES
# ------------------------------------------------------------------------------
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

# SECURITY
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/dev/ref/settings/#secure-proxy-ssl-header
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# https://docs.djangoproject.com/en/dev/ref/settings/#secure-ssl-redirect
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# https://docs.djangoproject.com/en/dev/ref/settings/#session-cookie-secure
SESSION_COOKIE_SECURE = True
# https://docs.djangoproject.com/en/dev/ref/settings/#csrf-cookie-secure
CSRF_COOKIE_SECURE = True
# https://docs.djangoproject.com/en/dev/topics/security/#ssl-https
# https://docs.djangoproject.com/en/dev/ref/settings/#secure-hsts-seconds
# TODO: set this to 60 seconds first and then to 518400 once you prove the former works
SECURE_HSTS_SECONDS = 60
# https://docs.djangoproject.com/en/dev/ref/settings/#secure-hsts-include-subdomains
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS",
    default=True,
)
# https://docs.djangoproject.com/en/dev/ref/settings/#secure-hsts-preload
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
# https://docs.djangoproject.com/en/dev/ref/middleware/#x-content-type-options-nosniff
SECURE_CONTENT_TYPE_NOSNIFF = env.bool(
    "DJANGO_SECURE_CONTENT_TYPE_NOSNIFF",
    default=True,
)
'''

COOKIECUTTER_TEST = '''"""
With these settings, tests run faster.
"""

from .base import *  # noqa: F403
from .base import TEMPLATES
from .base import env

# GENERAL
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/dev/ref/settings/#secret-key
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="!!!SET DJANGO_SECRET_KEY!!!",
)
# https://docs.djangoproject.com/en/dev/ref/settings/#test-runner
TEST_RUNNER = "django.test.runner.DiscoverRunner"

# PASSWORDS
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/dev/ref/settings/#password-hashers
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# EMAIL
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/dev/ref/settings/#email-backend
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# DEBUGGING FOR TEMPLATES
# ------------------------------------------------------------------------------
TEMPLATES[0]["OPTIONS"]["debug"] = True  # type: ignore[index]

# MEDIA
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/dev/ref/settings/#media-url
MEDIA_URL = "http://media.testserver/"
'''

COOKIECUTTER = Fixture(
    name="cookiecutter-django",
    shape="cookiecutter-django: config/settings/{base,local,production,test}.py, django-environ, .envs/",
    files={
        "manage.py": COOKIECUTTER_MANAGE,
        "config/__init__.py": "",
        "config/settings/__init__.py": "",
        "config/settings/base.py": COOKIECUTTER_BASE,
        "config/settings/local.py": COOKIECUTTER_LOCAL,
        "config/settings/production.py": COOKIECUTTER_PRODUCTION,
        "config/settings/test.py": COOKIECUTTER_TEST,
        "config/urls.py": urls_py("My Awesome Project"),
        "config/wsgi.py": COOKIECUTTER_WSGI,
        "my_awesome_project/__init__.py": '__version__ = "0.1.0"\n',
        "my_awesome_project/static/css/project.css": "/* These styles are generated from project.scss. */\n",
        "my_awesome_project/templates/base.html": "<!DOCTYPE html>\n<title>My Awesome Project</title>\n",
        # The local stack's env files (docker-compose.local.yml loads both).
        ".envs/.local/.django": "# General\n# ------------------------------------------------------------------------------\n"
                                "USE_DOCKER=yes\nIPYTHONDIR=/app/.ipython\n"
                                "# The entrypoint builds it from .postgres; written out here for a sqlite run.\n"
                                "DATABASE_URL=sqlite:///db.sqlite3\n",
        ".envs/.local/.postgres": "# PostgreSQL\n# ------------------------------------------------------------------------------\n"
                                  "POSTGRES_HOST=postgres\nPOSTGRES_PORT=5432\nPOSTGRES_DB=my_awesome_project\n"
                                  "POSTGRES_USER=debug\nPOSTGRES_PASSWORD=debug\n",
        "docker-compose.local.yml": "volumes:\n  my_awesome_project_local_postgres_data: {}\n\nservices:\n"
                                    "  django:\n    build:\n      context: .\n      dockerfile: ./compose/local/django/Dockerfile\n"
                                    "    image: my_awesome_project_local_django\n    depends_on:\n      - postgres\n"
                                    "    volumes:\n      - .:/app:z\n    env_file:\n      - ./.envs/.local/.django\n"
                                    "      - ./.envs/.local/.postgres\n    ports:\n      - '8000:8000'\n"
                                    "    command: /start\n\n  postgres:\n    image: postgres:16\n    env_file:\n"
                                    "      - ./.envs/.local/.postgres\n",
        ".gitignore": ".envs/.production/\nstaticfiles/\n*.sqlite3\n__pycache__/\n",
        "requirements/base.txt": "django-environ==0.11.2\nDjango==5.0.7\n",
        "requirements/production.txt": "-r base.txt\ngunicorn==22.0.0\npsycopg[c]==3.2.1\n",
    },
    production="config.settings.production",
    development="config.settings.local",
    left_alone=("config/settings/local.py", "config/settings/test.py"),
    # env("DJANGO_SECRET_KEY") and env.db("DATABASE_URL") raise ImproperlyConfigured when unset:
    # .envs/.production/.django sets both on every deployment.
    required={"DJANGO_SECRET_KEY": "production-secret", "DATABASE_URL": "sqlite:///production.sqlite3"},
    deployment={"DJANGO_SECRET_KEY": "production-secret", "DJANGO_ALLOWED_HOSTS": "example.com",
                "DJANGO_DEBUG": "False", "DATABASE_URL": "postgres://app:pw@postgres:5432/app"},
    local_env_files=(".envs/.local/.django", ".envs/.local/.postgres"),
)


# --- 2. wagtail bakerydemo -----------------------------------------------------------------------

BAKERY_BASE = package_base_py("bakerydemo", '''# Quick-start development settings - unsuitable for production
# See https://docs.djangoproject.com/en/stable/howto/deployment/checklist/

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = "c6u0-9c!7nilj_ysatsda0(f@e_2mws2f!6m0n^o*4#*q#kzp)"

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = True

ALLOWED_HOSTS = []
''', imports="import os\n\n")

BAKERY_DEV = '''from .base import *  # noqa: F403

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = True

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = "CHANGEME!!!"

ALLOWED_HOSTS = ["*"]

INTERNAL_IPS = ("127.0.0.1", "10.0.2.2")

BASE_URL = "http://localhost:8000"

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

try:
    from .local import *  # noqa: F403
except ImportError:
    pass
'''

BAKERY_PRODUCTION = '''import os
import random
import string

from .base import *  # noqa: F403

DEBUG = os.getenv("DJANGO_DEBUG", "off") == "on"

# DJANGO_SECRET_KEY *should* be specified in the environment. If it's not, generate an ephemeral key.
if "DJANGO_SECRET_KEY" in os.environ:
    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
else:
    # Use if/else rather than a default value to avoid calculating this if we don't need it
    print(  # noqa: T201
        "WARNING: DJANGO_SECRET_KEY not found in os.environ. Generating ephemeral SECRET_KEY."
    )
    SECRET_KEY = "".join(
        [random.SystemRandom().choice(string.printable) for i in range(50)]
    )

# Make sure Django can detect a secure connection properly on Heroku:
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Redirect all requests to HTTPS
SECURE_SSL_REDIRECT = os.getenv("DJANGO_SECURE_SSL_REDIRECT", "off") == "on"

# Accept all hostnames, since we don't know in advance which hostname will be used for any given Heroku instance.
# IMPORTANT: Set this to a real hostname when using this in production!
# See https://docs.djangoproject.com/en/3.2/ref/settings/#allowed-hosts
ALLOWED_HOSTS = os.getenv("DJANGO_ALLOWED_HOSTS", "*").split(";")

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# BASE_URL required for notification emails
BASE_URL = "http://localhost:8000"
'''

BAKERY_DOCKERFILE = """# Use an official Python runtime based on Debian 12 "bookworm" as a parent image.
FROM python:3.12-slim-bookworm

# Add user that will be used in the container.
RUN useradd wagtail

# Port used by this container to serve HTTP.
EXPOSE 8000

# Set environment variables.
# 1. Force Python stdout and stderr streams to be unbuffered.
# 2. Set PORT variable that is used by Gunicorn. This should match "EXPOSE"
#    command.
ENV PYTHONUNBUFFERED=1 \\
    PORT=8000 \\
    DJANGO_SETTINGS_MODULE=bakerydemo.settings.production

# Install the project requirements.
COPY requirements.txt /
RUN pip install -r /requirements.txt

# Use /app folder as a directory where the source code is stored.
WORKDIR /app

# Copy the source code of the project into the container.
COPY --chown=wagtail:wagtail . .

# Collect static files.
RUN DATABASE_URL="" python manage.py collectstatic --noinput --clear

# Use user "wagtail" to run the build commands below and the server itself.
USER wagtail

# Runtime command that executes when "docker run" is called.
CMD set -xe; gunicorn bakerydemo.wsgi:application
"""

BAKERYDEMO = Fixture(
    name="wagtail-bakerydemo",
    shape="wagtail/bakerydemo: settings/{base,dev,production}.py; only the Dockerfile names production",
    files=project("bakerydemo", "", module="bakerydemo.settings.dev", **{
        "bakerydemo/settings/__init__.py": "",
        "bakerydemo/settings/base.py": BAKERY_BASE,
        "bakerydemo/settings/dev.py": BAKERY_DEV,
        "bakerydemo/settings/production.py": BAKERY_PRODUCTION,
        "Dockerfile": BAKERY_DOCKERFILE,
        ".gitignore": "bakerydemo/settings/local.py\n/bakerydemo/collect_static\n*.sqlite3\n",
    }),
    production="bakerydemo.settings.production",
    development="bakerydemo.settings.dev",
    left_alone=("bakerydemo/settings/dev.py",),
    deployment={"DJANGO_SECRET_KEY": "production-secret", "DJANGO_ALLOWED_HOSTS": "bakery.example.com",
                "DJANGO_SECURE_SSL_REDIRECT": "on", "DJANGO_DEBUG": "off"},
)


# --- 3. Procfile naming the module -----------------------------------------------------------

def split_settings(package: str, base_security: str, **modules: str) -> dict[str, str]:
    """A settings package: base.py with `base_security`, and each of `modules` (name -> text) beside it."""
    files = {f"{package}/settings/__init__.py": "", f"{package}/settings/base.py": package_base_py(
        package, base_security, imports="import os\n\n")}
    files.update({f"{package}/settings/{name}.py": text for name, text in modules.items()})
    return files


BASE_LITERALS = f'''# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = "{DEV_KEY}"

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = True

ALLOWED_HOSTS = []
'''

DEV_MODULE = '''from .base import *  # noqa: F401,F403

DEBUG = True

ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
'''

HEROKU_MODULE = '''import os

import dj_database_url

from .base import *  # noqa: F401,F403

SECRET_KEY = os.environ["SECRET_KEY"]

# Heroku's router checks the Host header.
ALLOWED_HOSTS = ["*"]

DATABASES = {"default": dj_database_url.config(conn_max_age=600)}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
'''

PROCFILE_ENV_OPTION = Fixture(
    name="procfile-gunicorn-env",
    shape="Heroku Procfile: gunicorn --env DJANGO_SETTINGS_MODULE=mysite.settings.heroku; manage.py and wsgi.py name dev",
    files=project("mysite", "", module="mysite.settings.dev", **split_settings(
        "mysite", BASE_LITERALS, dev=DEV_MODULE, heroku=HEROKU_MODULE), **{
        "Procfile": "release: python manage.py migrate --noinput\n"
                    "web: gunicorn mysite.wsgi --env DJANGO_SETTINGS_MODULE=mysite.settings.heroku --log-file -\n",
        "requirements.txt": "Django>=4.2,<6\ngunicorn>=22\ndj-database-url>=2\npsycopg[binary]>=3.1\n",
        ".gitignore": "*.sqlite3\nstaticfiles/\n",
    }),
    production="mysite.settings.heroku",
    development="mysite.settings.dev",
    left_alone=("mysite/settings/dev.py",),
    # os.environ["SECRET_KEY"]: Heroku config vars set it on every dyno.
    required={"SECRET_KEY": "production-secret"},
    deployment={"SECRET_KEY": "production-secret", "DATABASE_URL": "postgres://app:pw@db.example.com:5432/app"},
    # DEBUG came from base's literal True, ALLOWED_HOSTS was ['*']: both changes are the point.
    compared=("SECRET_KEY",),
)

PRODUCTION_MODULE = '''import os

from .base import *  # noqa: F401,F403

DEBUG = False

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", SECRET_KEY)

ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "*").split(",")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
'''

PRODUCTION_DEPLOYMENT = {"DJANGO_SECRET_KEY": "production-secret", "DJANGO_ALLOWED_HOSTS": "www.example.com,example.com"}

PROCFILE_ENV_PREFIX = Fixture(
    name="procfile-env-prefix",
    shape="Procfile: web: DJANGO_SETTINGS_MODULE=mysite.settings.production gunicorn ...; manage.py names local",
    files=project("mysite", "", module="mysite.settings.local", **split_settings(
        "mysite", BASE_LITERALS, local=DEV_MODULE, production=PRODUCTION_MODULE), **{
        "Procfile": "web: DJANGO_SETTINGS_MODULE=mysite.settings.production gunicorn mysite.wsgi:application "
                    "--bind 0.0.0.0:$PORT\n",
    }),
    production="mysite.settings.production",
    development="mysite.settings.local",
    left_alone=("mysite/settings/local.py",),
    deployment=PRODUCTION_DEPLOYMENT,
    # SECURE_SSL_REDIRECT was never set: the migration turns it on.
    compared=("DEBUG", "ALLOWED_HOSTS", "SECRET_KEY"),
)


# --- 4-10. Each unsafe default, in a startproject settings.py ------------------------------------

def single_module(name: str, shape: str, security: str, *, imports: str = "import os\n", **fields) -> Fixture:
    extra = fields.pop("extra_files", {})
    files = project("mysite", settings_py("mysite", security, imports=imports, database=fields.pop("database", SQLITE)),
                    **extra)
    return Fixture(name=name, shape=shape, files=files, production="mysite.settings",
                   development="mysite.settings", **fields)


ENV_GET_TRUE = single_module(
    "debug-environ-get-true-string", "DEBUG = os.environ.get('DEBUG', 'True') == 'True'",
    f'''# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = os.environ.get("SECRET_KEY", "{DEV_KEY}")

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = os.environ.get('DEBUG', 'True') == 'True'

ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")
''',
    extra_files={"Dockerfile": DOCKERFILE},
    deployment={"SECRET_KEY": "production-secret", "DEBUG": "False", "ALLOWED_HOSTS": "example.com"},
    compared=("DEBUG", "ALLOWED_HOSTS", "SECRET_KEY"),
)

DJANGO_ENVIRON_BOOL = single_module(
    "debug-django-environ-bool", "DEBUG = env.bool('DEBUG', True) (django-environ)",
    f'''env = environ.Env()

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = env("SECRET_KEY", default="{DEV_KEY}")

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = env.bool('DEBUG', True)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
''',
    imports="import environ\n",
    database='''
# Database

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
''',
    extra_files={"Dockerfile": DOCKERFILE, "requirements.txt": "Django>=4.2,<6\ndjango-environ>=0.11\ngunicorn>=22\n"},
    deployment={"SECRET_KEY": "production-secret", "DEBUG": "False", "ALLOWED_HOSTS": "example.com,www.example.com",
                "DATABASE_URL": "postgres://app:pw@db:5432/app"},
    compared=("DEBUG", "ALLOWED_HOSTS", "SECRET_KEY"),
)

DECOUPLE_CONFIG = single_module(
    "debug-decouple-config", "DEBUG = config('DEBUG', default=True, cast=bool) (python-decouple)",
    f'''# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = config("SECRET_KEY", default="{DEV_KEY}")

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = config('DEBUG', default=True, cast=bool)

ALLOWED_HOSTS = config("ALLOWED_HOSTS", default="localhost,127.0.0.1", cast=Csv())
''',
    imports="from decouple import Csv, config\n",
    extra_files={"Dockerfile": DOCKERFILE, "requirements.txt": "Django>=4.2,<6\npython-decouple>=3.8\ngunicorn>=22\n"},
    deployment={"SECRET_KEY": "production-secret", "DEBUG": "False", "ALLOWED_HOSTS": "example.com"},
    compared=("DEBUG", "ALLOWED_HOSTS", "SECRET_KEY"),
)

ENVBOOL_HELPER = single_module(
    "debug-own-envbool-helper", "a settings-local envbool(name, default) helper: DEBUG = envbool(\"DEBUG\", \"True\")",
    f'''

def envbool(name, default):
    return os.environ.get(name, default).lower() in ('1', 'true')


# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = os.environ.get("SECRET_KEY", "{DEV_KEY}")

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = envbool("DEBUG", "True")

ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")

SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
''',
    extra_files={
        "Dockerfile": DOCKERFILE,
        # runserver speaks plain HTTP: the local stack turns the redirect off.
        ".env.dev": "SECURE_SSL_REDIRECT=0\n",
        "docker-compose.yml": "services:\n  web:\n    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n"
                              "    env_file: .env.dev\n    ports:\n      - \"8000:8000\"\n",
    },
    local_env_files=(".env.dev",),
    deployment={"SECRET_KEY": "production-secret", "DEBUG": "0", "ALLOWED_HOSTS": "example.com",
                "SECURE_SSL_REDIRECT": "1"},
)

# testdriven.io's "Dockerizing Django with Postgres, Gunicorn, and Nginx": .env.dev committed, read by compose.
BOOL_OF_ENV_GET = single_module(
    "debug-bool-of-environ-get", "DEBUG = bool(os.environ.get('DEBUG', 0)), .env.dev for docker compose",
    '''SECRET_KEY = os.environ.get("SECRET_KEY")

DEBUG = bool(os.environ.get('DEBUG', 0))

# 'DJANGO_ALLOWED_HOSTS' should be a single string of hosts with a space between each.
# For example: 'DJANGO_ALLOWED_HOSTS=localhost 127.0.0.1 [::1]'
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS").split(" ")
''',
    database='''
# Database

DATABASES = {
    "default": {
        "ENGINE": os.environ.get("SQL_ENGINE", "django.db.backends.sqlite3"),
        "NAME": os.environ.get("SQL_DATABASE", BASE_DIR / "db.sqlite3"),
        "USER": os.environ.get("SQL_USER", "user"),
        "PASSWORD": os.environ.get("SQL_PASSWORD", "password"),
        "HOST": os.environ.get("SQL_HOST", "localhost"),
        "PORT": os.environ.get("SQL_PORT", "5432"),
    }
}
''',
    extra_files={
        "Dockerfile": DOCKERFILE,
        ".env.dev": "DEBUG=1\nSECRET_KEY=foo\nDJANGO_ALLOWED_HOSTS=localhost 127.0.0.1 [::1]\n",
        "docker-compose.yml": "services:\n  web:\n    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n"
                              "    volumes:\n      - .:/app\n    ports:\n      - 8000:8000\n    env_file:\n"
                              "      - ./.env.dev\n",
        ".gitignore": ".env.prod\n*.sqlite3\n",
    },
    # SECRET_KEY unset is empty (ImproperlyConfigured) and DJANGO_ALLOWED_HOSTS unset fails on
    # None.split: .env.prod sets both.
    required={"SECRET_KEY": "production-secret", "DJANGO_ALLOWED_HOSTS": "example.com"},
    # .env.prod's DEBUG=0 turned DEBUG *on* before (bool("0")): that is the bug fixed.
    deployment={"SECRET_KEY": "production-secret", "DJANGO_ALLOWED_HOSTS": "example.com www.example.com",
                "DEBUG": "0"},
    compared=("ALLOWED_HOSTS", "SECRET_KEY"),
    after_deployment={"DEBUG": False},
    local_env_files=(".env.dev",),
)

GETENV_FALSE = single_module(
    "debug-getenv-false-default", "DEBUG = os.getenv('DEBUG', False): the string 'False' is true",
    f'''SECRET_KEY = os.getenv("SECRET_KEY", "{DEV_KEY}")

DEBUG = os.getenv('DEBUG', False)

ALLOWED_HOSTS = os.getenv("ALLOWED_HOSTS", "localhost 127.0.0.1").split()
''',
    extra_files={
        "Dockerfile": DOCKERFILE,
        ".env.dev": "DEBUG=True\n",
        "docker-compose.yml": "services:\n  web:\n    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n"
                              "    env_file: .env.dev\n",
    },
    local_env_files=(".env.dev",),
    # DEBUG=False was the string 'False' before: DEBUG on in production.
    deployment={"SECRET_KEY": "production-secret", "DEBUG": "False", "ALLOWED_HOSTS": "example.com"},
    compared=("ALLOWED_HOSTS", "SECRET_KEY"),
    after_deployment={"DEBUG": False},
)

HOSTS_STAR_DEFAULT = single_module(
    "hosts-environ-get-star", "ALLOWED_HOSTS = os.environ.get('ALLOWED_HOSTS', '*').split(',')",
    '''SECRET_KEY = os.environ["SECRET_KEY"]

DEBUG = os.environ.get("DEBUG", "0") == "1"

ALLOWED_HOSTS = os.environ.get('ALLOWED_HOSTS', '*').split(',')
''',
    extra_files={
        "Dockerfile": DOCKERFILE,
        ".env.development": f"DEBUG=1\nSECRET_KEY={DEV_KEY}\n",
        "docker-compose.yml": "services:\n  web:\n    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n"
                              "    env_file: .env.development\n    ports:\n      - \"8000:8000\"\n",
    },
    required={"SECRET_KEY": "production-secret"},  # os.environ["SECRET_KEY"]
    deployment={"SECRET_KEY": "production-secret", "ALLOWED_HOSTS": "example.com,www.example.com"},
    compared=("DEBUG", "ALLOWED_HOSTS", "SECRET_KEY"),
    local_env_files=(".env.development",),
)

SSL_ENVIRON_FALSE = single_module(
    "ssl-django-environ-bool-false", "SECURE_SSL_REDIRECT = env.bool('SECURE_SSL_REDIRECT', False); django-environ docs' schema",
    '''env = environ.Env(
    # set casting, default value
    DEBUG=(bool, False)
)

# Take environment variables from .env file
environ.Env.read_env(BASE_DIR / ".env")

# False if not in os.environ because of casting above
DEBUG = env("DEBUG")

# Raises Django's ImproperlyConfigured exception if SECRET_KEY not in os.environ
SECRET_KEY = env("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

SECURE_SSL_REDIRECT = env.bool('SECURE_SSL_REDIRECT', False)
''',
    imports="import environ\n",
    database='''
# Database

DATABASES = {
    # read os.environ['DATABASE_URL'] and raises ImproperlyConfigured exception if not found
    "default": env.db(),
}
''',
    extra_files={
        "Dockerfile": DOCKERFILE,
        "requirements.txt": "Django>=4.2,<6\ndjango-environ>=0.11\ngunicorn>=22\n",
        # Copied to .env by each developer (.env itself is ignored).
        ".env.example": f"DEBUG=on\nSECRET_KEY={DEV_KEY}\nDATABASE_URL=sqlite:///db.sqlite3\n"
                        "ALLOWED_HOSTS=localhost,127.0.0.1\n",
        ".gitignore": ".env\n*.sqlite3\n",
    },
    required={"SECRET_KEY": "production-secret", "DATABASE_URL": "sqlite:///production.sqlite3"},
    deployment={"SECRET_KEY": "production-secret", "DATABASE_URL": "postgres://app:pw@db:5432/app",
                "ALLOWED_HOSTS": "example.com", "SECURE_SSL_REDIRECT": "True"},
    local_env_files=(".env.example",),
)


# --- 11. SECRET_KEY from a *_FILE secret through the settings' own helper -------------------------

SECRET_FILE_HELPER = single_module(
    "secret-key-file-helper", "envsecret(name) reading NAME_FILE (Docker secrets): SECRET_KEY = envsecret(...)",
    '''

def envsecret(name):
    """The secret in the file NAME_FILE names (a Docker secret), else NAME itself."""
    path = os.environ.get(name + "_FILE")
    if path:
        with open(path) as secret:
            return secret.read().strip()
    return os.environ.get(name)


# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = envsecret("DJANGO_SECRET_KEY")

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = os.environ.get("DJANGO_DEBUG") == "True"

ALLOWED_HOSTS = ["*"]
''',
    extra_files={
        "Dockerfile": DOCKERFILE,
        ".env-local": "DJANGO_DEBUG=True\nDJANGO_SECRET_KEY=local-development-key\n",
        "docker-compose.yml": "services:\n  web:\n    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n"
                              "    env_file: .env-local\n    ports:\n      - \"8000:8000\"\n",
    },
    # Unset, envsecret() returns None and Django refuses an empty SECRET_KEY.
    required={"DJANGO_SECRET_KEY": "production-secret"},
    deployment={"DJANGO_SECRET_KEY_FILE": "{secrets}/django_secret_key"},
    secret_files={"django_secret_key": "secret-from-a-docker-secret\n"},
    # ALLOWED_HOSTS was ['*']; SECURE_SSL_REDIRECT never set.
    compared=("DEBUG", "SECRET_KEY"),
)


# --- 12. Aldryn (Divio's previous platform): aldryn-django builds the settings ------------------

ALDRYN = Fixture(
    name="aldryn",
    shape="Divio/Aldryn: manage.py runs aldryn_django.startup; aldryn_addons.settings.load(locals())",
    files={
        "manage.py": '''#!/usr/bin/env python
import os

from aldryn_django import startup


if __name__ == "__main__":
    startup.manage(path=os.path.dirname(os.path.abspath(__file__)))
''',
        "settings.py": '''# -*- coding: utf-8 -*-

INSTALLED_ADDONS = [
    # <INSTALLED_ADDONS>  # Warning: text inside the INSTALLED_ADDONS tags is auto-generated. Manual changes will be overwritten.
    'aldryn-addons',
    'aldryn-django',
    'aldryn-sso',
    # </INSTALLED_ADDONS>
]

import aldryn_addons.settings
aldryn_addons.settings.load(locals())


# all django settings can be altered here

INSTALLED_APPS.extend([
    # add your project specific apps here
])
''',
        "urls.py": '''# -*- coding: utf-8 -*-
from aldryn_django.utils import i18n_patterns
import aldryn_addons.urls


urlpatterns = [
    # add your own patterns here
] + aldryn_addons.urls.patterns() + i18n_patterns(
    # add your own i18n patterns here
    *aldryn_addons.urls.i18n_patterns()  # MUST be the last entry!
)
''',
        "wsgi.py": '''# -*- coding: utf-8 -*-
import os

from aldryn_django import startup


application = startup.wsgi(path=os.path.dirname(__file__))
''',
        "addons/aldryn-django/aldryn_config.py": "# Generated by the platform from the addon's own aldryn_config.py.\n",
        "addons/aldryn-django/settings.json": '{"languages": "[\\"en\\"]"}\n',
        "requirements.in": "# <INSTALLED_ADDONS>\naldryn-addons==1.0.4\naldryn-django==2.2.20.1\n# </INSTALLED_ADDONS>\n",
        "Dockerfile": """# <WARNING>
# Everything within sections like <TAG> is generated and can
# be automatically replaced on deployment. You can disable
# this functionality by simply removing the wrapping tags.
# </WARNING>

# <DOCKER_FROM>
FROM divio/base:4.18-py3.6-slim-stretch
# </DOCKER_FROM>

# <PYTHON>
ENV PIP_INDEX_URL=${PIP_INDEX_URL:-https://wheels.aldryn.net/v1/aldryn-extras+pypi/${WHEELS_PLATFORM:-aldryn-baseproject-py3}/+simple/} \\
    WHEELSPROXY_URL=${WHEELSPROXY_URL:-https://wheels.aldryn.net/v1/aldryn-extras+pypi/${WHEELS_PLATFORM:-aldryn-baseproject-py3}/}
COPY requirements.* /app/
COPY addons-dev /app/addons-dev/
RUN pip-reqs compile && \\
    pip-reqs resolve && \\
    pip install \\
        --no-index --no-deps \\
        --requirement requirements.urls
# </PYTHON>

# <SOURCE>
COPY . /app
# </SOURCE>

# <STATIC>
RUN DJANGO_MODE=build python manage.py collectstatic --noinput
# </STATIC>
""",
        ".gitignore": "# <DEFAULT>\n*.py[cod]\n/static_collected\n/data\n.env-local\n# </DEFAULT>\n",
    },
    all_done=True,
)


# --- 13. Django 1.3: execute_manager(settings) -------------------------------------------------

DJANGO_1_3 = Fixture(
    name="django-1.3",
    shape="Django 1.3 startproject: manage.py runs execute_manager(settings), no ALLOWED_HOSTS",
    files={
        "manage.py": '''#!/usr/bin/env python
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
''',
        "__init__.py": "",
        "settings.py": '''# Django settings for mysite project.

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
        'USER': '',                      # Not used with sqlite3.
        'PASSWORD': '',                  # Not used with sqlite3.
        'HOST': '',                      # Set to empty string for localhost. Not used with sqlite3.
        'PORT': '',                      # Set to empty string for default. Not used with sqlite3.
    }
}

TIME_ZONE = 'America/Chicago'
LANGUAGE_CODE = 'en-us'
SITE_ID = 1
USE_I18N = True
USE_L10N = True

MEDIA_ROOT = ''
MEDIA_URL = ''

# Absolute path to the directory static files should be collected to.
STATIC_ROOT = ''
STATIC_URL = '/static/'

# Make this unique, and don't share it with anybody.
SECRET_KEY = 'p2m#x7)0=1@k^w!q3v$u8z_r5(t9y-e6o4n*b&j+c%l-d1f'

# List of callables that know how to import templates from various sources.
TEMPLATE_LOADERS = (
    'django.template.loaders.filesystem.Loader',
    'django.template.loaders.app_directories.Loader',
)

MIDDLEWARE_CLASSES = (
    'django.middleware.common.CommonMiddleware',
    'django.contrib.sessions.middleware.SessionMiddleware',
    'django.middleware.csrf.CsrfViewMiddleware',
    'django.contrib.auth.middleware.AuthenticationMiddleware',
    'django.contrib.messages.middleware.MessageMiddleware',
)

ROOT_URLCONF = 'mysite.urls'

INSTALLED_APPS = (
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.sites',
    'django.contrib.messages',
    'django.contrib.staticfiles',
)
''',
        "urls.py": '''from django.conf.urls.defaults import patterns, include, url

urlpatterns = patterns('',
    url(r'^$', 'mysite.views.home', name='home'),
)
''',
    },
    production="settings",
    development="settings",
    # django.conf.urls.defaults (and MIDDLEWARE_CLASSES) are long gone: no request under Django 5.
    request=False,
    compared=("SECRET_KEY",),  # DEBUG = True and no SECURE_SSL_REDIRECT: the migration changes DEBUG
    redirect_declined="django.middleware.security.SecurityMiddleware",  # Django 1.3 has none
)


# --- 14. No manage.py: one settings-like module --------------------------------------------------

NO_MANAGE = Fixture(
    name="no-manage-py",
    shape="a package with settings.py and wsgi.py, run by gunicorn, no manage.py",
    files={
        "app/__init__.py": "",
        "app/settings.py": settings_py("app", f'''SECRET_KEY = "{DEV_KEY}"

DEBUG = True

ALLOWED_HOSTS = ["*"]
'''),
        "app/urls.py": urls_py("app"),
        "app/wsgi.py": wsgi_py("app", "app.settings"),
        "requirements.txt": "Django>=4.2,<6\ngunicorn>=22\n",
        "Dockerfile": DOCKERFILE.replace("mysite.wsgi", "app.wsgi"),
    },
    production="app.settings",
    development="app.settings",
    compared=("SECRET_KEY",),
)


# --- 15. django_heroku.settings(locals()) --------------------------------------------------------

DJANGO_HEROKU = Fixture(
    name="django-heroku-call",
    shape="django-heroku: django_heroku.settings(locals()) last in settings.py (sets ALLOWED_HOSTS = ['*'])",
    files=project("mysite", settings_py("mysite", f'''# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = "{DEV_KEY}"

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = True

ALLOWED_HOSTS = []
''', imports="import django_heroku\n", footer="\n# Activate Django-Heroku.\ndjango_heroku.settings(locals())\n"), **{
        "Procfile": "web: gunicorn mysite.wsgi\n",
        "requirements.txt": "Django>=4.2,<6\ngunicorn>=22\ndjango-heroku>=0.3\n",
    }),
    expected_warning="django_heroku.settings(locals())",
)


# --- 16. Heroku's python-getting-started: if IS_HEROKU_APP ----------------------------------------

HEROKU_GETTING_STARTED = Fixture(
    name="heroku-getting-started",
    shape="heroku/python-getting-started gettingstarted/settings.py: IS_HEROKU_APP blocks",
    files=project("gettingstarted", settings_py("gettingstarted", '''# Before using your Heroku app in production, make sure to review Django's deployment checklist:
# https://docs.djangoproject.com/en/5.0/howto/deployment/checklist/

# Django requires a unique secret key for each Django app, that is used by several of its
# security features. To simplify initial setup (without hardcoding the secret in the source
# code) we set this to a random value every time the app starts. However, this will mean many
# Django features break whenever an app restarts (for example, sessions will be logged out).
# In your production Heroku apps you should set the `DJANGO_SECRET_KEY` config var explicitly.
# Make sure to use a long unique value, like you would for a password. See:
# https://docs.djangoproject.com/en/5.0/ref/settings/#std-setting-SECRET_KEY
# https://devcenter.heroku.com/articles/config-vars
# SECURITY WARNING: Keep the secret key used in production secret!
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY",
    default=secrets.token_urlsafe(nbytes=64),
)

# The `DYNO` env var is set on Heroku CI, but it's not a real Heroku app, so we have to
# also explicitly exclude CI:
# https://devcenter.heroku.com/articles/heroku-ci#immutable-environment-variables
IS_HEROKU_APP = "DYNO" in os.environ and not "CI" in os.environ

# SECURITY WARNING: Don't run with debug turned on in production!
if not IS_HEROKU_APP:
    DEBUG = True

# On Heroku, it's safe to use a wildcard for `ALLOWED_HOSTS`, since the Heroku router performs
# validation of the Host header in the incoming HTTP request. On other platforms you may need to
# list the expected hostnames explicitly in production to prevent HTTP Host header attacks. See:
# https://docs.djangoproject.com/en/5.0/ref/settings/#std-setting-ALLOWED_HOSTS
if IS_HEROKU_APP:
    ALLOWED_HOSTS = ["*"]
else:
    ALLOWED_HOSTS = [".localhost", "127.0.0.1", "[::1]", "0.0.0.0", "[::]"]

# Redirect all non-HTTPS requests to HTTPS. This requires that:
# 1. Your app has a TLS/SSL certificate, which all `*.herokuapp.com` domains do by default.
#    When using a custom domain, you must configure one. See:
#    https://devcenter.heroku.com/articles/automated-certificate-management
# 2. Your app's WSGI web server is configured to use the `X-Forwarded-Proto` headers set by
#    the Heroku Router (otherwise you may encounter infinite HTTP 301 redirects). See this
#    app's `gunicorn.conf.py` for how this is done when using gunicorn.
#
# For maximum security, consider enabling HTTP Strict Transport Security (HSTS) headers too:
# https://docs.djangoproject.com/en/5.0/ref/middleware/#http-strict-transport-security
if IS_HEROKU_APP:
    SECURE_SSL_REDIRECT = True
''', imports="import os\nimport secrets\n"), **{
        "Procfile": "web: gunicorn --config gunicorn.conf.py gettingstarted.wsgi\n"
                    "release: ./manage.py migrate --no-input\n",
        "gunicorn.conf.py": "# Gunicorn configuration file.\nworkers = 2\nforwarded_allow_ips = \"*\"\n",
        "app.json": '{\n  "name": "Start on Heroku: Python",\n  "description": "A barebones Django app.",\n'
                    '  "env": {\n    "DJANGO_SECRET_KEY": {"generator": "secret"}\n  }\n}\n',
    }),
    production="gettingstarted.settings",
    development="gettingstarted.settings",
    # Heroku sets DYNO on every dyno: without it the module runs in local mode.
    required={"DYNO": "web.1"},
    deployment={"DYNO": "web.1", "DJANGO_SECRET_KEY": "production-secret"},
    # ALLOWED_HOSTS = ['*'] on Heroku (its router checks Host) is what fail-closed settings refuse.
    compared=("DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT"),
)


# --- 17. Divio's tutorial project (golden/) ---------------------------------------------------------

def _tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file() and "__pycache__" not in path.parts}


DIVIO_TUTORIAL = Fixture(
    name="divio-tutorial",
    shape="the Divio tutorial project before 'Apply some refinements' (the golden case)",
    files=_tree(REPO / "refactor_app" / "examples" / "divio-tutorial"),
    production="myapp.settings",
    development="myapp.settings",
    deployment={"DATABASE_URL": "postgres://app:pw@db.example.com:5432/app",
                "DEFAULT_STORAGE_DSN": "file:///data/media/?url=%2Fmedia%2F"},
    compared=("SECRET_KEY",),  # DEBUG = True and ALLOWED_HOSTS = ['*'] are what the page changes
    # No view at / and whitenoise (in MIDDLEWARE) is not installed for the tests: values only.
    request=False,
)


# --- 18-20. Platform files naming the module production runs -------------------------------------

PROD_MODULE = '''import os

from .base import *  # noqa: F401,F403

DEBUG = False

SECRET_KEY = os.environ["SECRET_KEY"]

ALLOWED_HOSTS = ["*"]

CSRF_TRUSTED_ORIGINS = ["https://mysite.fly.dev"]
'''

FLY_TOML = Fixture(
    name="fly-toml",
    shape="fly launch: fly.toml [env] DJANGO_SETTINGS_MODULE = mysite.settings.prod; manage.py names dev",
    files=project("mysite", "", module="mysite.settings.dev", **split_settings(
        "mysite", BASE_LITERALS, dev=DEV_MODULE, prod=PROD_MODULE), **{
        "fly.toml": """# fly.toml app configuration file generated for mysite on 2024-05-01T10:00:00Z
#
# See https://fly.io/docs/reference/configuration/ for information about how to use this file.
#

app = 'mysite'
primary_region = 'ams'
console_command = '/code/manage.py shell'

[build]

[deploy]
  release_command = 'python manage.py migrate --noinput'

[env]
  DJANGO_SETTINGS_MODULE = "mysite.settings.prod"
  PORT = '8000'

[http_service]
  internal_port = 8000
  force_https = true
  auto_stop_machines = true
  auto_start_machines = true
  min_machines_running = 0
  processes = ['app']

[[statics]]
  guest_path = '/code/static'
  url_prefix = '/static/'
""",
        "Dockerfile": """ARG PYTHON_VERSION=3.12-slim

FROM python:${PYTHON_VERSION}

ENV PYTHONDONTWRITEBYTECODE 1
ENV PYTHONUNBUFFERED 1

RUN mkdir -p /code

WORKDIR /code

COPY requirements.txt /tmp/requirements.txt
RUN set -ex && \\
    pip install --upgrade pip && \\
    pip install -r /tmp/requirements.txt && \\
    rm -rf /root/.cache/
COPY . /code

EXPOSE 8000

CMD ["gunicorn", "--bind", ":8000", "--workers", "2", "mysite.wsgi"]
""",
    }),
    production="mysite.settings.prod",
    development="mysite.settings.dev",
    left_alone=("mysite/settings/dev.py",),
    required={"SECRET_KEY": "production-secret"},  # os.environ["SECRET_KEY"]: `fly secrets set`
    deployment={"SECRET_KEY": "production-secret"},
    compared=("DEBUG", "SECRET_KEY"),
    redirect_declined="--step proxy-ssl-header --step ssl-redirect",
)

# DigitalOcean's sample-django (digitalocean/sample-django) deployed by an App Platform spec: its
# proxy ends HTTPS like Heroku's, and the settings read DJANGO_SECRET_KEY, DEBUG, DJANGO_ALLOWED_HOSTS.
DO_APP_PLATFORM = single_module(
    "do-app-platform", "DigitalOcean App Platform: .do/app.yaml, sample-django's os.getenv settings",
    '''# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = os.getenv("DJANGO_SECRET_KEY", get_random_secret_key())

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = os.getenv("DEBUG", "False") == "True"

ALLOWED_HOSTS = os.getenv("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

DEVELOPMENT_MODE = os.getenv("DEVELOPMENT_MODE", "False") == "True"
''',
    imports="import os\n\nfrom django.core.management.utils import get_random_secret_key\n",
    extra_files={
        ".do/app.yaml": """name: sample-django
services:
- name: web
  environment_slug: python
  github:
    repo: example/sample-django
    branch: main
    deploy_on_push: true
  run_command: gunicorn --worker-tmp-dir /dev/shm mysite.wsgi
  envs:
  - key: DJANGO_ALLOWED_HOSTS
    value: ${APP_DOMAIN}
    scope: RUN_TIME
  - key: DEBUG
    value: "False"
    scope: RUN_AND_BUILD_TIME
  - key: DJANGO_SECRET_KEY
    value: EV[1:abc:def]
    type: SECRET
    scope: RUN_AND_BUILD_TIME
""",
        ".env": "DEBUG=True\nDEVELOPMENT_MODE=True\n",
        ".gitignore": ".env\n",
    },
    # The sample's README has local work export DEBUG=True; here they are in an ignored .env.
    local_env_files=(".env",),
    deployment={"DJANGO_SECRET_KEY": "production-secret", "DEBUG": "False", "DJANGO_ALLOWED_HOSTS": "example.com"},
    compared=("DEBUG", "ALLOWED_HOSTS", "SECRET_KEY"),
    redirect_declined="--step proxy-ssl-header --step ssl-redirect",
)

RENDER_YAML = Fixture(
    name="render-yaml",
    shape="Render blueprint: render.yaml envVars DJANGO_SETTINGS_MODULE; manage.py names local",
    files=project("mysite", "", module="mysite.settings.local", **split_settings(
        "mysite", BASE_LITERALS, local=DEV_MODULE, production=PRODUCTION_MODULE), **{
        "render.yaml": """databases:
  - name: mysite
    plan: free
    databaseName: mysite
    user: mysite

services:
  - type: web
    plan: free
    name: mysite
    runtime: python
    buildCommand: "./build.sh"
    startCommand: "python -m gunicorn mysite.asgi:application -k uvicorn.workers.UvicornWorker"
    envVars:
      - key: DATABASE_URL
        fromDatabase:
          name: mysite
          property: connectionString
      - key: DJANGO_SECRET_KEY
        generateValue: true
      - key: DJANGO_SETTINGS_MODULE
        value: mysite.settings.production
      - key: WEB_CONCURRENCY
        value: 4
""",
        "build.sh": "#!/usr/bin/env bash\n# Exit on error\nset -o errexit\n\npip install -r requirements.txt\n"
                    "python manage.py collectstatic --no-input\npython manage.py migrate\n",
        "mysite/asgi.py": wsgi_py("mysite", "mysite.settings.local").replace("WSGI", "ASGI").replace(
            "django.core.wsgi import get_wsgi_application", "django.core.asgi import get_asgi_application").replace(
            "get_wsgi_application()", "get_asgi_application()"),
    }),
    production="mysite.settings.production",
    development="mysite.settings.local",
    left_alone=("mysite/settings/local.py",),
    deployment=PRODUCTION_DEPLOYMENT,
    compared=("DEBUG", "ALLOWED_HOSTS", "SECRET_KEY"),
)

APP_JSON = Fixture(
    name="app-json",
    shape="Heroku app.json (review apps, Deploy button) env DJANGO_SETTINGS_MODULE; manage.py names development",
    files=project("mysite", "", module="mysite.settings.development", **split_settings(
        "mysite", BASE_LITERALS, development=DEV_MODULE, production=PRODUCTION_MODULE), **{
        "app.json": """{
  "name": "mysite",
  "description": "The mysite Django project.",
  "repository": "https://github.com/example/mysite",
  "keywords": ["python", "django"],
  "env": {
    "DJANGO_SETTINGS_MODULE": {
      "description": "The settings module production runs.",
      "value": "mysite.settings.production"
    },
    "DJANGO_SECRET_KEY": {
      "description": "A secret key for a particular Django installation.",
      "generator": "secret"
    },
    "DJANGO_ALLOWED_HOSTS": {
      "description": "Comma-separated host names.",
      "value": ".herokuapp.com"
    }
  },
  "addons": ["heroku-postgresql"],
  "buildpacks": [{"url": "heroku/python"}]
}
""",
        "Procfile": "web: gunicorn mysite.wsgi\n",
    }),
    production="mysite.settings.production",
    development="mysite.settings.development",
    left_alone=("mysite/settings/development.py",),
    deployment=PRODUCTION_DEPLOYMENT,
    compared=("DEBUG", "ALLOWED_HOSTS", "SECRET_KEY"),
)

COMPOSE_PRODUCTION = Fixture(
    name="compose-production",
    shape="docker-compose.production.yml: environment DJANGO_SETTINGS_MODULE=mysite.settings.prod; compose for dev",
    files=project("mysite", "", module="mysite.settings.dev", **split_settings(
        "mysite", BASE_LITERALS, dev=DEV_MODULE, prod=PRODUCTION_MODULE), **{
        "Dockerfile": DOCKERFILE,
        "docker-compose.yml": "services:\n  web:\n    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n"
                              "    volumes:\n      - .:/app\n    ports:\n      - \"8000:8000\"\n",
        "docker-compose.production.yml": """services:
  web:
    build: .
    restart: unless-stopped
    command: gunicorn mysite.wsgi:application --bind 0.0.0.0:8000 --workers 3
    environment:
      - DJANGO_SETTINGS_MODULE=mysite.settings.prod
      - DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS}
    env_file:
      - .env.production
    ports:
      - "8000:8000"

  nginx:
    image: nginx:1.27
    ports:
      - "80:80"
    depends_on:
      - web
""",
        ".gitignore": ".env.production\n*.sqlite3\n",
    }),
    production="mysite.settings.prod",
    development="mysite.settings.dev",
    left_alone=("mysite/settings/dev.py",),
    deployment=PRODUCTION_DEPLOYMENT,
    compared=("DEBUG", "ALLOWED_HOSTS", "SECRET_KEY"),
)

MULTISTAGE_DOCKERFILE = Fixture(
    name="multistage-dockerfile",
    shape="multi-stage Dockerfile: the test stage's ENV names settings.test, the final stage's settings.production",
    files=project("mysite", "", module="mysite.settings.local", **split_settings(
        "mysite", BASE_LITERALS, local=DEV_MODULE, production=PRODUCTION_MODULE,
        test='from .base import *  # noqa: F401,F403\n\nPASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]\n'
             'EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"\n'), **{
        "Dockerfile": """# syntax=docker/dockerfile:1

FROM python:3.12-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

FROM base AS builder
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

FROM base AS test
ENV DJANGO_SETTINGS_MODULE=mysite.settings.test
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir /wheels/*
COPY . .
RUN python manage.py test

FROM base AS production
ENV DJANGO_SETTINGS_MODULE=mysite.settings.production
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
COPY . .
RUN useradd --create-home app
USER app
EXPOSE 8000
CMD ["gunicorn", "mysite.wsgi:application", "--bind", "0.0.0.0:8000"]
""",
    }),
    production="mysite.settings.production",
    development="mysite.settings.local",
    left_alone=("mysite/settings/local.py", "mysite/settings/test.py"),
    deployment=PRODUCTION_DEPLOYMENT,
    compared=("DEBUG", "ALLOWED_HOSTS", "SECRET_KEY"),
)

# manage.py and wsgi.py both name devel; no deployment file: production is the sibling live.py.
DEV_NAMED_SIBLING = Fixture(
    name="dev-named-sibling-live",
    shape="manage.py and wsgi.py name settings.devel; its sibling live.py is what the server runs",
    files=project("mysite", "", module="mysite.settings.devel", **split_settings(
        "mysite", BASE_LITERALS, devel=DEV_MODULE, live=PRODUCTION_MODULE), **{
        "Dockerfile": DOCKERFILE,
    }),
    production="mysite.settings.live",
    development="mysite.settings.devel",
    left_alone=("mysite/settings/devel.py",),
    deployment=PRODUCTION_DEPLOYMENT,
    compared=("DEBUG", "ALLOWED_HOSTS", "SECRET_KEY"),
)


# --- 21+. Other common shapes ----------------------------------------------------------------

SETTINGS_INIT_STAR = Fixture(
    name="settings-init-try-local",
    shape="settings/__init__.py: from .base import *, then try: from .local import * (local.py ignored)",
    files=project("mysite", "", module="mysite.settings", **{
        "mysite/settings/__init__.py": '''from .base import *  # noqa: F401,F403

try:
    from .local import *  # noqa: F401,F403
except ImportError:
    pass
''',
        "mysite/settings/base.py": package_base_py("mysite", f'''SECRET_KEY = "{DEV_KEY}"

DEBUG = True

ALLOWED_HOSTS = ["*"]
'''),
        "mysite/settings/local.py.example": "DEBUG = True\nALLOWED_HOSTS = ['localhost', '127.0.0.1']\n",
        ".gitignore": "mysite/settings/local.py\n*.sqlite3\n",
        "Dockerfile": DOCKERFILE,
    }),
    production="mysite.settings",
    development="mysite.settings",
    compared=("SECRET_KEY",),
)

DJANGO_ENV_SWITCH = Fixture(
    name="django-env-switch",
    shape="settings/__init__.py picks production or development from DJANGO_ENV",
    files=project("mysite", "", module="mysite.settings", **{
        "mysite/settings/__init__.py": '''import os

DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")

if DJANGO_ENV == "production":
    from .production import *  # noqa: F401,F403
else:
    from .development import *  # noqa: F401,F403
''',
        "mysite/settings/base.py": package_base_py("mysite", BASE_LITERALS, imports="import os\n\n"),
        "mysite/settings/development.py": DEV_MODULE,
        "mysite/settings/production.py": PRODUCTION_MODULE,
        "Dockerfile": DOCKERFILE.replace("ENV PYTHONDONTWRITEBYTECODE=1", "ENV DJANGO_ENV=production \\\n    PYTHONDONTWRITEBYTECODE=1"),
    }),
    production="mysite.settings",
    development="mysite.settings",
    left_alone=("mysite/settings/development.py",),
    # The switch: without DJANGO_ENV=production (the Dockerfile's ENV) the package loads development.
    required={"DJANGO_ENV": "production"},
    deployment={"DJANGO_ENV": "production", **PRODUCTION_DEPLOYMENT},
    compared=("DEBUG", "ALLOWED_HOSTS", "SECRET_KEY"),
)

DJANGO_2_OS_PATH = Fixture(
    name="django-2-os-path",
    shape="Django 2.2 startproject: os.path BASE_DIR, SECRET_KEY literal, DEBUG = True",
    files=project("mysite", settings_py("mysite", '''# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = 'x3!k9@2m#z$w^v&q*e(r)t_y+u=i-o0p1a2s3d4f5g6h7j8k'

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = True

ALLOWED_HOSTS = []
''', imports="", base_dir='''import os

# Build paths inside the project like this: os.path.join(BASE_DIR, ...)
BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
''', database='''
# Database

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': os.path.join(BASE_DIR, 'db.sqlite3'),
    }
}
''').replace('STATIC_ROOT = BASE_DIR / "staticfiles"', "STATIC_ROOT = os.path.join(BASE_DIR, 'staticfiles')"),
        Dockerfile=DOCKERFILE),
    production="mysite.settings",
    development="mysite.settings",
    compared=("SECRET_KEY",),
)


FIXTURES = {fixture.name: fixture for fixture in [
    COOKIECUTTER, BAKERYDEMO, PROCFILE_ENV_OPTION, PROCFILE_ENV_PREFIX,
    ENV_GET_TRUE, DJANGO_ENVIRON_BOOL, DECOUPLE_CONFIG, ENVBOOL_HELPER, BOOL_OF_ENV_GET, GETENV_FALSE,
    HOSTS_STAR_DEFAULT, SSL_ENVIRON_FALSE, SECRET_FILE_HELPER, ALDRYN, DJANGO_1_3, NO_MANAGE, DJANGO_HEROKU,
    HEROKU_GETTING_STARTED, DIVIO_TUTORIAL, FLY_TOML, DO_APP_PLATFORM, RENDER_YAML, APP_JSON, COMPOSE_PRODUCTION,
    MULTISTAGE_DOCKERFILE, DEV_NAMED_SIBLING, SETTINGS_INIT_STAR, DJANGO_ENV_SWITCH, DJANGO_2_OS_PATH,
]}
