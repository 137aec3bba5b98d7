"""Fixture projects for the build-and-local matrix (issue 13): the image build must still import the
settings and collect static files, and local work must still run with DEBUG on, localhost allowed
and no HTTPS redirect, through what the project really loads.

Each fixture is a small project in the shape of a real one (cookiecutter-django, testdriven.io's
"Dockerizing Django", Docker's compose quickstart, Divio's tutorial, startproject with
python-dotenv / django-environ / python-decouple), built from tests/production_fixtures.py's pieces.
What each expects is in its fields; tests/test_build_local_matrix.py runs the checks.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from production_fixtures import COOKIECUTTER, DEV_KEY, DOCKERFILE, project, settings_py


@dataclass
class BuildLocalFixture:
    name: str
    shape: str  # where the shape comes from
    files: dict[str, str | bytes]
    development: str  # the dotted settings module manage.py runs (local work)
    import_root: str = "."  # manage.py's folder, below the repository
    production_dockerfile: str = "Dockerfile"  # the Dockerfile production builds
    build_context: str = "."  # its build context (compose's build.context; the project folder otherwise)
    # Variables the settings need at import in the image build (unset there): a decline of the
    # collectstatic step must name each of them.
    build_needs: tuple[str, ...] = ()
    # The image cannot collect at build time (it never copies the code): the step must decline.
    build_declined: bool = False
    # The container collects when it starts (a start script runs collectstatic): the step is done,
    # naming that script, and the build gets no second collectstatic.
    collects_at_start: str = ""
    local_compose: tuple[str, str] | None = None  # (compose file, web service) local work runs
    settings_env_files: tuple[str, ...] = ()  # env files the settings load themselves (load_dotenv, read_env, decouple)
    protected: tuple[str, ...] = ()  # production / example env files, production compose: byte for byte after apply
    # Nothing in the project can load local values: apply must print a note with a command that does.
    command_expected: bool = False

    @property
    def dockerfiles(self) -> list[str]:
        return sorted(name for name in self.files
                      if name.rsplit("/", 1)[-1].startswith("Dockerfile") or name.endswith(".Dockerfile"))

    @property
    def manage_path(self) -> str:
        return "manage.py" if self.import_root == "." else f"{self.import_root}/manage.py"


def security(*lines: str) -> str:
    return "\n".join(lines) + "\n"


LITERALS = security(
    "# SECURITY WARNING: keep the secret key used in production secret!",
    f'SECRET_KEY = "{DEV_KEY}"',
    "",
    "# SECURITY WARNING: don't run with debug turned on in production!",
    "DEBUG = True",
    "",
    "ALLOWED_HOSTS = []",
)

RUNSERVER_COMPOSE = """services:
  web:
    build: .
    command: python manage.py runserver 0.0.0.0:8000
    volumes:
      - .:/app
    ports:
      - "8000:8000"
"""

DOCKERIGNORE = ".git\n.env\n*.sqlite3\n__pycache__/\n"


# --- 1. compose without env_file (the tutorial's shape before Divio's .env-local) -----------------

COMPOSE_WITHOUT_ENV_FILE = BuildLocalFixture(
    name="compose-without-env-file",
    shape="startproject + Dockerfile + docker-compose.yml whose web service has no env_file",
    files=project("mysite", settings_py("mysite", LITERALS), **{
        "Dockerfile": DOCKERFILE,
        "docker-compose.yml": RUNSERVER_COMPOSE,
        ".env.example": "SECRET_KEY=\nDJANGO_DEBUG=False\n",
        ".gitignore": "*.sqlite3\n.env\n",
    }),
    development="mysite.settings",
    local_compose=("docker-compose.yml", "web"),
    protected=(".env.example",),
)


# --- 2. os.environ['SECRET_KEY'], int(os.environ.get(...)); docker/Dockerfile named by compose ---

ENVIRON_KEYERROR = BuildLocalFixture(
    name="environ-keyerror-docker-dir",
    shape="SECRET_KEY = os.environ['SECRET_KEY'], EMAIL_PORT = int(os.environ.get('EMAIL_PORT')); "
          "compose build: {context: ., dockerfile: docker/Dockerfile}, env_file: .env",
    files=project("mysite", settings_py("mysite", security(
        'SECRET_KEY = os.environ["SECRET_KEY"]',
        "",
        "DEBUG = True",
        "",
        'ALLOWED_HOSTS = ["localhost", "127.0.0.1"]',
        "",
        'EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")',
        'EMAIL_PORT = int(os.environ.get("EMAIL_PORT"))',
    ), imports="import os\n"), **{
        "docker/Dockerfile": """FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1
WORKDIR /code
COPY requirements.txt /code/
RUN pip install --no-cache-dir -r requirements.txt
COPY . /code/
CMD ["gunicorn", "mysite.wsgi:application", "--bind", "0.0.0.0:8000"]
""",
        "docker-compose.yml": """services:
  web:
    build:
      context: .
      dockerfile: docker/Dockerfile
    command: python manage.py runserver 0.0.0.0:8000
    env_file: .env
    volumes:
      - .:/code
    ports:
      - "8000:8000"
    depends_on:
      - mailpit
  mailpit:
    image: axllent/mailpit
""",
        ".env": "SECRET_KEY=local-development-key\nEMAIL_HOST=mailpit\nEMAIL_PORT=1025\n",
        ".env.example": "SECRET_KEY=\nEMAIL_HOST=\nEMAIL_PORT=25\n",
        ".dockerignore": DOCKERIGNORE,
        ".gitignore": ".env\n*.sqlite3\n",
    }),
    development="mysite.settings",
    production_dockerfile="docker/Dockerfile",
    build_needs=("SECRET_KEY", "EMAIL_PORT"),
    local_compose=("docker-compose.yml", "web"),
    protected=(".env.example",),
)


# --- 3. django-environ read_env; the project in app/ with app/Dockerfile ---------------------------

ENVIRON_APP_SETTINGS = settings_py("mysite", security(
    "env = environ.Env()",
    'environ.Env.read_env(BASE_DIR / ".env")',
    "",
    'SECRET_KEY = env("DJANGO_SECRET_KEY")',
    "",
    'DEBUG = env.bool("DJANGO_DEBUG", default=True)',
    "",
    'ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])',
), imports="import environ\n")

ENVIRON_APP_DIR = BuildLocalFixture(
    name="environ-read-env-app-dir",
    shape="manage.py in app/ with app/Dockerfile (compose build: ./app); django-environ "
          "read_env(BASE_DIR / '.env'), env('DJANGO_SECRET_KEY') without a default",
    files={
        **{f"app/{name}": text for name, text in project("mysite", ENVIRON_APP_SETTINGS, **{
            "Dockerfile": """FROM python:3.12-slim
WORKDIR /usr/src/app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
CMD ["gunicorn", "mysite.wsgi:application", "--bind", "0.0.0.0:8000"]
""",
            "requirements.txt": "Django>=4.2,<6\ndjango-environ>=0.11\ngunicorn>=22\n",
            ".env": "DJANGO_SECRET_KEY=local-development-key\n",
            ".env.example": "DJANGO_SECRET_KEY=\nDJANGO_DEBUG=False\nDJANGO_ALLOWED_HOSTS=example.com\n",
            ".dockerignore": DOCKERIGNORE,
        }).items()},
        "docker-compose.yml": """services:
  web:
    build: ./app
    command: python manage.py runserver 0.0.0.0:8000
    volumes:
      - ./app:/usr/src/app
    ports:
      - "8000:8000"
""",
        ".gitignore": ".env\n*.sqlite3\n",
    },
    development="mysite.settings",
    import_root="app",
    production_dockerfile="app/Dockerfile",
    build_context="app",
    build_needs=("DJANGO_SECRET_KEY",),
    local_compose=("docker-compose.yml", "web"),
    settings_env_files=("app/.env",),
    protected=("app/.env.example",),
)


# --- 4. python-dotenv load_dotenv(); Dockerfile.prod beside a dev Dockerfile -----------------------

DOTENV_DOCKERFILE_PROD = BuildLocalFixture(
    name="dotenv-dockerfile-prod",
    shape="load_dotenv() in settings, os.environ.get('DJANGO_ALLOWED_HOSTS').split(','); "
          "Dockerfile (runserver) and Dockerfile.prod (gunicorn); .env.production and .env.example",
    files=project("mysite", settings_py("mysite", security(
        "load_dotenv()",
        "",
        f'SECRET_KEY = os.getenv("SECRET_KEY", "{DEV_KEY}")',
        "",
        'DEBUG = os.environ.get("DEBUG") == "1"',
        "",
        'ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS").split(",")',
    ), imports="import os\n\nfrom dotenv import load_dotenv\n"), **{
        "Dockerfile": """FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]
""",
        "Dockerfile.prod": """FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN adduser --disabled-password --gecos "" app
USER app
CMD ["gunicorn", "mysite.wsgi:application", "--bind", "0.0.0.0:8000"]
""",
        "requirements.txt": "Django>=4.2,<6\npython-dotenv>=1\ngunicorn>=22\n",
        ".env": "DEBUG=1\nDJANGO_ALLOWED_HOSTS=localhost,127.0.0.1\n",
        ".env.production": "DEBUG=0\nDJANGO_ALLOWED_HOSTS=www.example.com\nSECRET_KEY=production-secret\n",
        ".env.example": "DEBUG=\nDJANGO_ALLOWED_HOSTS=\nSECRET_KEY=\n",
        ".dockerignore": DOCKERIGNORE + ".env.production\n",
        ".gitignore": ".env\n.env.production\n*.sqlite3\n",
    }),
    development="mysite.settings",
    production_dockerfile="Dockerfile.prod",
    build_needs=("DJANGO_ALLOWED_HOSTS",),
    settings_env_files=(".env",),
    protected=(".env.production", ".env.example"),
)


# --- 5. cookiecutter-django: compose/production/django/Dockerfile ---------------------------------

COOKIECUTTER_PRODUCTION_DOCKERFILE = r"""# define an alias for the specific python version used in this file.
FROM docker.io/python:3.12.7-slim-bookworm AS python

# Python build stage
FROM python AS python-build-stage

ARG BUILD_ENVIRONMENT=production

# Install apt packages
RUN apt-get update && apt-get install --no-install-recommends -y \
  # dependencies for building Python packages
  build-essential \
  # psycopg dependencies
  libpq-dev

# Requirements are installed here to ensure they will be cached.
COPY ./requirements .

# Create Python Dependency and Sub-Dependency Wheels.
RUN pip wheel --wheel-dir /usr/src/app/wheels  \
  -r ${BUILD_ENVIRONMENT}.txt


# Python 'run' stage
FROM python AS python-run-stage

ARG BUILD_ENVIRONMENT=production
ARG APP_HOME=/app

ENV PYTHONUNBUFFERED=1
ENV PYTHONDONTWRITEBYTECODE=1
ENV BUILD_ENV=${BUILD_ENVIRONMENT}

WORKDIR ${APP_HOME}

RUN addgroup --system django \
    && adduser --system --ingroup django django


# Install required system dependencies
RUN apt-get update && apt-get install --no-install-recommends -y \
  # psycopg dependencies
  libpq-dev \
  # Translations dependencies
  gettext \
  # entrypoint
  wait-for-it \
  # cleaning up unused files
  && apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false \
  && rm -rf /var/lib/apt/lists/*

# All absolute dir copies ignore workdir instruction. All relative dir copies are wrt to the workdir instruction
# copy python dependency wheels from python-build-stage
COPY --from=python-build-stage /usr/src/app/wheels  /wheels/

# use wheels to install python dependencies
RUN pip install --no-cache-dir --no-index --find-links=/wheels/ /wheels/* \
  && rm -rf /wheels/


COPY --chown=django:django ./compose/production/django/entrypoint /entrypoint
RUN sed --in-place --expression='s/\r$//g' /entrypoint
RUN chmod +x /entrypoint


COPY --chown=django:django ./compose/production/django/start /start
RUN sed --in-place --expression='s/\r$//g' /start
RUN chmod +x /start


# copy application code to WORKDIR
COPY --chown=django:django . ${APP_HOME}

# make django owner of the WORKDIR directory as well.
RUN chown -R django:django ${APP_HOME}

USER django

RUN DATABASE_URL="" \
  DJANGO_SETTINGS_MODULE="config.settings.test" \
  python manage.py compilemessages

ENTRYPOINT ["/entrypoint"]
"""

COOKIECUTTER_LOCAL_DOCKERFILE = r"""# define an alias for the specific python version used in this file.
FROM docker.io/python:3.12.7-slim-bookworm AS python

# Python build stage
FROM python AS python-build-stage

ARG BUILD_ENVIRONMENT=local

# Install apt packages
RUN apt-get update && apt-get install --no-install-recommends -y \
  # dependencies for building Python packages
  build-essential \
  # psycopg dependencies
  libpq-dev

# Requirements are installed here to ensure they will be cached.
COPY ./requirements .

# Create Python Dependency and Sub-Dependency Wheels.
RUN pip wheel --wheel-dir /usr/src/app/wheels  \
  -r ${BUILD_ENVIRONMENT}.txt


# Python 'run' stage
FROM python AS python-run-stage

ARG BUILD_ENVIRONMENT=local
ARG APP_HOME=/app

ENV PYTHONUNBUFFERED=1
ENV PYTHONDONTWRITEBYTECODE=1
ENV BUILD_ENV=${BUILD_ENVIRONMENT}

WORKDIR ${APP_HOME}

# All absolute dir copies ignore workdir instruction. All relative dir copies are wrt to the workdir instruction
# copy python dependency wheels from python-build-stage
COPY --from=python-build-stage /usr/src/app/wheels  /wheels/

# use wheels to install python dependencies
RUN pip install --no-cache-dir --no-index --find-links=/wheels/ /wheels/* \
  && rm -rf /wheels/

COPY ./compose/production/django/entrypoint /entrypoint
RUN sed -i 's/\r$//g' /entrypoint
RUN chmod +x /entrypoint

COPY ./compose/local/django/start /start
RUN sed -i 's/\r$//g' /start
RUN chmod +x /start

# copy application code to WORKDIR
COPY . ${APP_HOME}

ENTRYPOINT ["/entrypoint"]
"""

COOKIECUTTER_PRODUCTION_COMPOSE = """volumes:
  production_postgres_data: {}
  production_postgres_data_backups: {}
  production_django_media: {}

services:
  django: &django
    build:
      context: .
      dockerfile: ./compose/production/django/Dockerfile

    image: my_awesome_project_production_django
    volumes:
      - production_django_media:/app/my_awesome_project/media
    depends_on:
      - postgres
    env_file:
      - ./.envs/.production/.django
      - ./.envs/.production/.postgres
    command: /start

  postgres:
    build:
      context: .
      dockerfile: ./compose/production/postgres/Dockerfile
    image: my_awesome_project_production_postgres
    volumes:
      - production_postgres_data:/var/lib/postgresql/data
      - production_postgres_data_backups:/backups
    env_file:
      - ./.envs/.production/.postgres
"""

COOKIECUTTER_BUILD = BuildLocalFixture(
    name="cookiecutter-compose-production",
    shape="cookiecutter-django: compose/production/django/Dockerfile (docker-compose.production.yml) and "
          "compose/local/django/Dockerfile (docker-compose.local.yml); .envs/.production/ on disk, ignored",
    files={
        **COOKIECUTTER.files,
        "compose/production/django/Dockerfile": COOKIECUTTER_PRODUCTION_DOCKERFILE,
        "compose/production/django/entrypoint": "#!/bin/bash\nset -o errexit\nexec \"$@\"\n",
        "compose/production/django/start": "#!/bin/bash\nset -o errexit\n"
                                           "python /app/manage.py collectstatic --noinput\n"
                                           "exec /usr/local/bin/gunicorn config.wsgi --bind 0.0.0.0:5000\n",
        "compose/production/postgres/Dockerfile":
            "FROM docker.io/postgres:16\n\nCOPY ./compose/production/postgres/maintenance /usr/local/bin/maintenance\n",
        "compose/production/postgres/maintenance/backup": "#!/usr/bin/env bash\necho backup\n",
        "compose/local/django/Dockerfile": COOKIECUTTER_LOCAL_DOCKERFILE,
        "compose/local/django/start": "#!/bin/bash\nset -o errexit\npython manage.py migrate\n"
                                      "exec python manage.py runserver_plus 0.0.0.0:8000\n",
        "docker-compose.production.yml": COOKIECUTTER_PRODUCTION_COMPOSE,
        "requirements/local.txt": "-r base.txt\nWerkzeug[watchdog]==3.0.3\n",
        ".envs/.production/.django": "# General\n# " + "-" * 78 + "\n# DJANGO_READ_DOT_ENV_FILE=True\n"
                                    "DJANGO_SETTINGS_MODULE=config.settings.production\n"
                                    "DJANGO_SECRET_KEY=production-secret\nDJANGO_ADMIN_URL=admin/\n"
                                    "DJANGO_ALLOWED_HOSTS=.example.com\n",
        ".envs/.production/.postgres": "POSTGRES_HOST=postgres\nPOSTGRES_PORT=5432\nPOSTGRES_DB=my_awesome_project\n"
                                       "POSTGRES_USER=production\nPOSTGRES_PASSWORD=production-password\n",
        ".dockerignore": ".editorconfig\n.gitattributes\n.github\n.gitignore\n.gitlab-ci.yml\n.idea\n"
                         ".pre-commit-config.yaml\n.readthedocs.yml\n.travis.yml\nvenv\n.git\n.envs/\n",
    },
    development="config.settings.local",
    production_dockerfile="compose/production/django/Dockerfile",
    build_needs=("DJANGO_SECRET_KEY", "DATABASE_URL"),
    collects_at_start="compose/production/django/start",
    local_compose=("docker-compose.local.yml", "django"),
    protected=(".envs/.production/.django", ".envs/.production/.postgres", "docker-compose.production.yml"),
)

# The same, with a start script that does not collect (collectstatic left to the build, as the
# page has it): the step adds the line, and the image build must import the settings.
COOKIECUTTER_BUILD_TIME = dataclasses.replace(
    COOKIECUTTER_BUILD,
    name="cookiecutter-collect-in-build",
    shape=COOKIECUTTER_BUILD.shape + "; its start script does not run collectstatic",
    files={**COOKIECUTTER_BUILD.files, "compose/production/django/start":
           "#!/bin/bash\nset -o errexit\nexec /usr/local/bin/gunicorn config.wsgi --bind 0.0.0.0:5000\n"},
    collects_at_start="",
)


# --- 6. testdriven.io "Dockerizing Django with Postgres, Gunicorn, and Nginx" ---------------------

TESTDRIVEN_SETTINGS = settings_py("hello_django", security(
    '# SECURITY WARNING: keep the secret key used in production secret!',
    'SECRET_KEY = os.environ.get("SECRET_KEY")',
    "",
    '# SECURITY WARNING: don\'t run with debug turned on in production!',
    'DEBUG = bool(os.environ.get("DEBUG", default=0))',
    "",
    "# 'DJANGO_ALLOWED_HOSTS' should be a single string of hosts with a space between each.",
    "# For example: 'DJANGO_ALLOWED_HOSTS=localhost 127.0.0.1 [::1]'",
    'ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS").split(" ")',
), imports="import os\n", database='''
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
''')

TESTDRIVEN_DOCKERFILE = """# pull official base image
FROM python:3.11.4-slim-buster

# set work directory
WORKDIR /usr/src/app

# set environment variables
ENV PYTHONDONTWRITEBYTECODE 1
ENV PYTHONUNBUFFERED 1

# install system dependencies
RUN apt-get update && apt-get install -y netcat

# install dependencies
RUN pip install --upgrade pip
COPY ./requirements.txt .
RUN pip install -r requirements.txt

# copy entrypoint.sh
COPY ./entrypoint.sh .
RUN sed -i 's/\\r$//g' /usr/src/app/entrypoint.sh
RUN chmod +x /usr/src/app/entrypoint.sh

# copy project
COPY . .

# run entrypoint.sh
ENTRYPOINT ["/usr/src/app/entrypoint.sh"]
"""

TESTDRIVEN_DOCKERFILE_PROD = """###########
# BUILDER #
###########

# pull official base image
FROM python:3.11.4-slim-buster as builder

# set work directory
WORKDIR /usr/src/app

# set environment variables
ENV PYTHONDONTWRITEBYTECODE 1
ENV PYTHONUNBUFFERED 1

# install system dependencies
RUN apt-get update && \\
    apt-get install -y --no-install-recommends gcc

# lint
RUN pip install --upgrade pip
RUN pip install flake8==6.0.0
COPY . /usr/src/app/
RUN flake8 --ignore=E501,F401 .

# install python dependencies
COPY ./requirements.txt .
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /usr/src/app/wheels -r requirements.txt


#########
# FINAL #
#########

# pull official base image
FROM python:3.11.4-slim-buster

# create directory for the app user
RUN mkdir -p /home/app

# create the app user
RUN addgroup --system app && adduser --system --group app

# create the appropriate directories
ENV HOME=/home/app
ENV APP_HOME=/home/app/web
RUN mkdir $APP_HOME
RUN mkdir $APP_HOME/staticfiles
WORKDIR $APP_HOME

# install dependencies
RUN apt-get update && apt-get install -y --no-install-recommends netcat
COPY --from=builder /usr/src/app/wheels /wheels
COPY --from=builder /usr/src/app/requirements.txt .
RUN pip install --upgrade pip
RUN pip install --no-cache /wheels/*

# copy entrypoint.prod.sh
COPY ./entrypoint.prod.sh .
RUN sed -i 's/\\r$//g'  $APP_HOME/entrypoint.prod.sh
RUN chmod +x  $APP_HOME/entrypoint.prod.sh

# copy project
COPY . $APP_HOME

# chown all the files to the app user
RUN chown -R app:app $APP_HOME

# change to the app user
USER app

# run entrypoint.prod.sh
ENTRYPOINT ["/home/app/web/entrypoint.prod.sh"]
"""

TESTDRIVEN = BuildLocalFixture(
    name="testdriven-app-dockerfile-prod",
    shape="testdriven.io: app/Dockerfile (dev) and app/Dockerfile.prod (multi-stage), docker-compose.yml "
          "(env_file .env.dev, ./app mounted) and docker-compose.prod.yml (context ./app, dockerfile "
          "Dockerfile.prod, env_file .env.prod); ALLOWED_HOSTS = os.environ.get(...).split(' ')",
    files={
        **{f"app/{name}": text for name, text in project("hello_django", TESTDRIVEN_SETTINGS, **{
            "Dockerfile": TESTDRIVEN_DOCKERFILE,
            "Dockerfile.prod": TESTDRIVEN_DOCKERFILE_PROD,
            "entrypoint.sh": "#!/bin/sh\npython manage.py migrate\nexec \"$@\"\n",
            "entrypoint.prod.sh": "#!/bin/sh\nexec \"$@\"\n",
            "requirements.txt": "Django==4.2.3\ngunicorn==21.2.0\npsycopg2-binary==2.9.6\n",
        }).items()},
        "docker-compose.yml": """version: '3.8'

services:
  web:
    build: ./app
    command: python manage.py runserver 0.0.0.0:8000
    volumes:
      - ./app/:/usr/src/app/
    ports:
      - 8000:8000
    env_file:
      - ./.env.dev
""",
        "docker-compose.prod.yml": """version: '3.8'

services:
  web:
    build:
      context: ./app
      dockerfile: Dockerfile.prod
    command: gunicorn hello_django.wsgi:application --bind 0.0.0.0:8000
    volumes:
      - static_volume:/home/app/web/staticfiles
    expose:
      - 8000
    env_file:
      - ./.env.prod
    depends_on:
      - db
  db:
    image: postgres:15
    volumes:
      - postgres_data:/var/lib/postgresql/data/
    env_file:
      - ./.env.prod.db

volumes:
  postgres_data:
  static_volume:
""",
        ".env.dev": "DEBUG=1\nSECRET_KEY=foo\nDJANGO_ALLOWED_HOSTS=localhost 127.0.0.1 [::1]\n",
        ".env.prod": "DEBUG=0\nSECRET_KEY=change_me\nDJANGO_ALLOWED_HOSTS=localhost 127.0.0.1 [::1]\n"
                     "SQL_ENGINE=django.db.backends.postgresql\nSQL_DATABASE=hello_django_prod\n",
        ".env.prod.db": "POSTGRES_USER=hello_django\nPOSTGRES_PASSWORD=hello_django\nPOSTGRES_DB=hello_django_prod\n",
        ".gitignore": ".env.prod\n.env.prod.db\n*.sqlite3\n",
    },
    development="hello_django.settings",
    import_root="app",
    production_dockerfile="app/Dockerfile.prod",
    build_context="app",
    build_needs=("DJANGO_ALLOWED_HOSTS",),
    local_compose=("docker-compose.yml", "web"),
    protected=(".env.prod", ".env.prod.db", "docker-compose.prod.yml"),
)


# --- 7. an image that never copies the code: compose mounts it --------------------------------

VOLUME_MOUNT = BuildLocalFixture(
    name="image-without-code-volume-mount",
    shape="Docker's compose quickstart without `COPY . .`: the image installs requirements, compose "
          "mounts .:/code and loads .env",
    files=project("mysite", settings_py("mysite", LITERALS), **{
        "Dockerfile": """# syntax=docker/dockerfile:1
FROM python:3
ENV PYTHONDONTWRITEBYTECODE=1
ENV PYTHONUNBUFFERED=1
WORKDIR /code
COPY requirements.txt /code/
RUN pip install -r requirements.txt
""",
        "docker-compose.yml": """services:
  web:
    build: .
    command: python manage.py runserver 0.0.0.0:8000
    volumes:
      - .:/code
    ports:
      - "8000:8000"
    env_file: .env
""",
        ".env": "# Local settings for docker compose\nPYTHONBREAKPOINT=0\n",
        ".env.example": "PYTHONBREAKPOINT=0\n",
        ".gitignore": "*.sqlite3\n",
    }),
    development="mysite.settings",
    build_declined=True,
    local_compose=("docker-compose.yml", "web"),
    protected=(".env.example",),
)


# --- 8. python-decouple config('SECRET_KEY') without a default; Dockerfile beside Dockerfile.dev ----

DECOUPLE_DEV_DOCKERFILE = BuildLocalFixture(
    name="decouple-dockerfile-beside-dev",
    shape="python-decouple: SECRET_KEY = config('SECRET_KEY') (no default), .env beside manage.py; "
          "Dockerfile (production) and Dockerfile.dev; .env-sample",
    files=project("mysite", settings_py("mysite", security(
        'SECRET_KEY = config("SECRET_KEY")',
        "",
        'DEBUG = config("DEBUG", default=False, cast=bool)',
        "",
        'ALLOWED_HOSTS = config("ALLOWED_HOSTS", default="", cast=Csv())',
    ), imports="from decouple import config, Csv\n"), **{
        "Dockerfile": """FROM python:3.12-slim AS base
ENV PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd -m app
USER app
CMD ["gunicorn", "mysite.wsgi:application", "-b", "0.0.0.0:8000", "--workers", "3"]
""",
        "Dockerfile.dev": """FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY . .
CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]
""",
        "requirements.txt": "Django>=4.2,<6\npython-decouple>=3.8\ngunicorn>=22\n",
        ".env": "SECRET_KEY=local-development-key\nDEBUG=True\nALLOWED_HOSTS=localhost,127.0.0.1\n",
        ".env-sample": "SECRET_KEY=\nDEBUG=False\nALLOWED_HOSTS=\n",
        ".dockerignore": DOCKERIGNORE,
        ".gitignore": ".env\n*.sqlite3\n",
    }),
    development="mysite.settings",
    build_needs=("SECRET_KEY",),
    settings_env_files=(".env",),
    protected=(".env-sample",),
)


# --- 9. docker/Dockerfile found without compose; nothing loads local values -------------------------

DOCKER_DIR = BuildLocalFixture(
    name="docker-dir-no-compose",
    shape="startproject + docker/Dockerfile (built with `docker build -f docker/Dockerfile .`), no compose, "
          "no dotenv; .env.production on disk, ignored",
    files=project("mysite", settings_py("mysite", LITERALS), **{
        "docker/Dockerfile": """FROM python:3.12-slim
WORKDIR /srv
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
CMD ["gunicorn", "mysite.wsgi:application", "--bind", "0.0.0.0:8000"]
""",
        ".env.production": "DJANGO_DEBUG=False\nDOMAIN=www.example.com\nSECRET_KEY=production-secret\n",
        ".dockerignore": DOCKERIGNORE + ".env.production\n",
        ".gitignore": ".env.production\n*.sqlite3\n",
    }),
    development="mysite.settings",
    production_dockerfile="docker/Dockerfile",
    protected=(".env.production",),
    command_expected=True,
)


# --- 10. the page's case: DATABASE_URL required, compose loads .env-local (Divio) ---------------------

DIVIO_DATABASE_URL = BuildLocalFixture(
    name="database-url-env-local-compose",
    shape="Divio's tutorial shape: DATABASES from os.environ['DATABASE_URL'] (dj-database-url), "
          "docker-compose.yml env_file: .env-local",
    files=project("mysite", settings_py("mysite", LITERALS.replace("ALLOWED_HOSTS = []", "ALLOWED_HOSTS = ['*']"),
                                        imports="import os\n\nimport dj_database_url\n", database='''
# Database

DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
'''), **{
        "Dockerfile": DOCKERFILE,
        "docker-compose.yml": """services:
  web:
    build: "."
    links:
      - "database_default"
    ports:
      - "8000:80"
    volumes:
      - ".:/app:rw"
    command: python manage.py runserver 0.0.0.0:80
    env_file: .env-local

  database_default:
    image: postgres:13.5-alpine
    environment:
      POSTGRES_DB: "db"
      POSTGRES_HOST_AUTH_METHOD: "trust"
""",
        ".env-local": "DATABASE_URL=sqlite:///db.sqlite3\n",
        "requirements.txt": "Django>=4.2,<6\ndj-database-url>=2\ngunicorn>=22\n",
        ".gitignore": "*.sqlite3\n",
    }),
    development="mysite.settings",
    build_needs=("DATABASE_URL",),
    local_compose=("docker-compose.yml", "web"),
)


# --- 11. django-environ read_env; compose names deploy/django.Dockerfile --------------------------------

ENVIRON_NAMED_DOCKERFILE = BuildLocalFixture(
    name="environ-compose-names-dockerfile",
    shape="django-environ read_env(os.path.join(BASE_DIR, '.env')), env('DJANGO_SECRET_KEY'), "
          "ALLOWED_HOSTS = ['*']; compose build: {context: ., dockerfile: deploy/django.Dockerfile}, "
          "environment: only; .env and .env.production committed",
    files=project("mysite", settings_py("mysite", security(
        "env = environ.Env()",
        'environ.Env.read_env(os.path.join(BASE_DIR, ".env"))',
        "",
        'SECRET_KEY = env("DJANGO_SECRET_KEY")',
        "",
        'DEBUG = env.bool("DJANGO_DEBUG", default=False)',
        "",
        'ALLOWED_HOSTS = ["*"]',
    ), imports="import os\n\nimport environ\n", base_dir='''import os

# Build paths inside the project like this: os.path.join(BASE_DIR, ...)
BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
''', database='''
# Database

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(BASE_DIR, "db.sqlite3"),
    }
}
''').replace('STATIC_ROOT = BASE_DIR / "staticfiles"', 'STATIC_ROOT = os.path.join(BASE_DIR, "staticfiles")'), **{
        "deploy/django.Dockerfile": """FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1 \\
    DJANGO_SETTINGS_MODULE=mysite.settings
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
EXPOSE 8000
CMD ["gunicorn", "mysite.wsgi:application", "--bind", "0.0.0.0:8000"]
""",
        "docker-compose.yml": """services:
  web:
    build:
      context: .
      dockerfile: deploy/django.Dockerfile
    environment:
      - DJANGO_SETTINGS_MODULE=mysite.settings
    ports:
      - "8000:8000"
""",
        "requirements.txt": "Django>=4.2,<6\ndjango-environ>=0.11\ngunicorn>=22\n",
        ".env": "DJANGO_SECRET_KEY=local-development-key\nDJANGO_DEBUG=True\n",
        ".env.production": "DJANGO_SECRET_KEY=change-me\nDJANGO_DEBUG=False\n",
        ".dockerignore": DOCKERIGNORE + ".env.production\n",
        ".gitignore": "*.sqlite3\n",
    }),
    development="mysite.settings",
    production_dockerfile="deploy/django.Dockerfile",
    build_needs=("DJANGO_SECRET_KEY",),
    local_compose=("docker-compose.yml", "web"),
    settings_env_files=(".env",),
    protected=(".env.production",),
)


# --- 12. load_dotenv(BASE_DIR / '.env'); compose.yaml (env_file .env) and compose.prod.yaml -------------

DOTENV_COMPOSE = BuildLocalFixture(
    name="dotenv-compose-production-env",
    shape="load_dotenv(BASE_DIR / '.env'), SECRET_KEY = os.environ['DJANGO_SECRET_KEY']; compose.yaml "
          "(env_file .env) and compose.prod.yaml (env_file .env.production); .env.example",
    files=project("mysite", settings_py("mysite", security(
        'load_dotenv(BASE_DIR / ".env")',
        "",
        'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]',
        "",
        'DEBUG = os.environ.get("DJANGO_DEBUG", "False") == "True"',
        "",
        'ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")',
    ), imports="import os\n\nfrom dotenv import load_dotenv\n"), **{
        "Dockerfile": """FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["gunicorn", "mysite.wsgi", "--bind", "0.0.0.0:8000"]
""",
        "compose.yaml": """services:
  web:
    build: .
    command: python manage.py runserver 0.0.0.0:8000
    env_file: .env
    volumes:
      - .:/app
    ports:
      - "8000:8000"
""",
        "compose.prod.yaml": """services:
  web:
    build: .
    env_file: .env.production
    ports:
      - "80:8000"
""",
        "requirements.txt": "Django>=4.2,<6\npython-dotenv>=1\ngunicorn>=22\n",
        ".env": "DJANGO_SECRET_KEY=local-development-key\nDJANGO_DEBUG=True\n",
        ".env.production": "DJANGO_SECRET_KEY=production-secret\nDJANGO_ALLOWED_HOSTS=www.example.com\n",
        ".env.example": "DJANGO_SECRET_KEY=\nDJANGO_DEBUG=False\nDJANGO_ALLOWED_HOSTS=\n",
        ".dockerignore": DOCKERIGNORE + ".env.production\n",
        ".gitignore": ".env\n.env.production\n*.sqlite3\n",
    }),
    development="mysite.settings",
    build_needs=("DJANGO_SECRET_KEY",),
    local_compose=("compose.yaml", "web"),
    settings_env_files=(".env",),
    protected=(".env.production", ".env.example", "compose.prod.yaml"),
)


# --- 13. startproject and a Dockerfile: nothing loads local values -----------------------------

STARTPROJECT = BuildLocalFixture(
    name="startproject-nothing-loads",
    shape="startproject + Dockerfile at the top; no compose, no dotenv",
    files=project("mysite", settings_py("mysite", LITERALS), **{
        "Dockerfile": DOCKERFILE,
        ".gitignore": "*.sqlite3\n",
    }),
    development="mysite.settings",
    command_expected=True,
)


FIXTURES = {fixture.name: fixture for fixture in [
    COMPOSE_WITHOUT_ENV_FILE, ENVIRON_KEYERROR, ENVIRON_APP_DIR, DOTENV_DOCKERFILE_PROD, COOKIECUTTER_BUILD,
    COOKIECUTTER_BUILD_TIME,
    TESTDRIVEN, VOLUME_MOUNT, DECOUPLE_DEV_DOCKERFILE, DOCKER_DIR, DIVIO_DATABASE_URL, ENVIRON_NAMED_DOCKERFILE,
    DOTENV_COMPOSE, STARTPROJECT,
]}
