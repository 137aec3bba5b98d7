"""The Dockerfile production builds (issue 13): found from compose (`build.dockerfile`,
`build.context`), then the usual places; `--dockerfile PATH` overrides. Each case is a small
project committed to a temporary git repository, run through the CLI in a subprocess; where the
collectstatic step adds its line, a stand-in for `docker build` replays the final stage's WORKDIR
and COPY lines from the build context and runs the line with real Django in an empty environment."""

from __future__ import annotations

import io
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from conftest import git_status, run_cli
from golden_cases import tree_files
from project_builder import MANAGE_PY, write_project

SETTINGS = '''from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "django-insecure-abc123"

DEBUG = True

ALLOWED_HOSTS = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
'''

PROJECT = {"manage.py": MANAGE_PY, "mysite/__init__.py": "", "mysite/settings.py": SETTINGS,
           "requirements.txt": "Django>=4.2\ngunicorn\n"}
# The same project one folder down (src/ layouts; a compose build context).
IN_SRC = {f"src/{name}": text for name, text in PROJECT.items()}

COLLECT = "RUN python manage.py collectstatic --noinput"

# Builds from the project folder (`docker build -f docker/Dockerfile .`); the comment belongs to CMD.
DOCKER_FOLDER = """FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .

# Run the server
CMD ["gunicorn", "mysite.wsgi"]
"""

# cookiecutter-django's production Dockerfile, shortened: the code lands in ${APP_HOME}.
COOKIECUTTER_DOCKERFILE = """FROM python:3.12-slim-bookworm AS python

FROM python AS python-run-stage
ARG APP_HOME=/app
WORKDIR ${APP_HOME}
COPY ./requirements .
RUN pip install --no-cache-dir -r production.txt
COPY --chown=django:django . ${APP_HOME}
# make django owner of the WORKDIR directory as well.
RUN chown -R django:django ${APP_HOME}
USER django
ENTRYPOINT ["/entrypoint"]
"""

COOKIECUTTER_COMPOSE = """volumes:
  production_postgres_data: {}

services:
  django: &django
    build:
      context: .
      dockerfile: ./compose/production/django/Dockerfile
    image: my_awesome_project_production_django
    command: /start

  postgres:
    build:
      context: .
      dockerfile: ./compose/production/postgres/Dockerfile
    volumes:
      - production_postgres_data:/var/lib/postgresql/data

  celeryworker:
    <<: *django
    command: /start-celeryworker
"""


def project(tmp_path: Path, **files: str) -> Path:
    return write_project(tmp_path / "project", {**PROJECT, **files})


def status_lines(root: Path, *args: str) -> tuple[dict[str, str], str]:
    result = run_cli("status", *args, cwd=root)
    assert result.returncode == 0, result.stderr
    steps = {line.split()[0]: line for line in result.stdout.splitlines() if line.split()[:1] and
             line.split()[0] in ("debug", "allowed-hosts", "secret-key", "ssl-redirect", "collectstatic", "staticfiles")}
    return steps, result.stdout


def apply_all(root: Path, *args: str) -> subprocess.CompletedProcess:
    result = run_cli("apply", "--all", *args, cwd=root)
    assert result.returncode == 0, result.stderr
    return result


def build_image(context: Path, dockerfile: Path, image: Path) -> subprocess.CompletedProcess:
    """A stand-in for `docker build`: the final stage's ARG defaults, WORKDIR and COPY/ADD of the
    build context replayed into `image` (the image's /), then its collectstatic RUN line run in the
    WORKDIR in an empty environment, with this Python for `python`."""
    parser = DockerfileParser(fileobj=io.BytesIO(dockerfile.read_bytes()))
    structure = parser.structure
    last_from = max(index for index, item in enumerate(structure) if item["instruction"] == "FROM")
    variables: dict[str, str] = {}
    workdir = "/"
    line = None

    def expand(text: str) -> str:
        for name, value in variables.items():
            text = text.replace("${%s}" % name, value).replace("$" + name, value)
        return text

    def inside(path: str) -> Path:
        return image / os.path.normpath(os.path.join(workdir, expand(path))).lstrip("/")

    for item in structure[last_from:]:
        instruction, value = item["instruction"], item["value"]
        if instruction == "ARG" and "=" in value:
            name, _, default = value.partition("=")
            variables[name.strip()] = default.strip()
        elif instruction == "WORKDIR":
            workdir = os.path.join(workdir, expand(value.strip()))
            inside(".").mkdir(parents=True, exist_ok=True)  # WORKDIR creates it
        elif instruction in ("COPY", "ADD") and "--from" not in value:
            words = [word for word in (json.loads(value) if value.startswith("[") else shlex.split(value))
                     if not word.startswith("--")]
            *sources, destination = words
            target = inside(destination)
            for source in sources:
                origin = context / source
                if origin.is_dir():
                    shutil.copytree(origin, target, dirs_exist_ok=True)
                elif destination.endswith("/") or len(sources) > 1 or target.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    shutil.copy(origin, target / origin.name)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(origin, target)
        elif instruction == "RUN" and "collectstatic" in value:
            line = shlex.split(value)
            break
    assert line is not None, dockerfile.read_text()
    if line[0] in ("python", "python3"):
        line[0] = sys.executable
    cwd = inside(".")
    return subprocess.run(line, cwd=cwd, env={"PATH": os.environ["PATH"], "HOME": str(image)},
                          capture_output=True, text=True, timeout=120)


def assert_collects(context: Path, dockerfile: Path, tmp_path: Path, app_folder: str) -> None:
    """The image builds: collectstatic finds manage.py where the line says, and writes the admin's
    files into STATIC_ROOT (staticfiles/ beside manage.py in the image)."""
    image = tmp_path / "image"
    result = build_image(context, dockerfile, image)
    assert result.returncode == 0, result.stderr
    assert (image / app_folder / "staticfiles" / "admin" / "css" / "base.css").is_file(), result.stdout


# --- found in the usual places --------------------------------------------------------------------

def test_docker_folder_built_from_the_project_folder(tmp_path):
    root = project(tmp_path, **{"docker/Dockerfile": DOCKER_FOLDER})
    steps, output = status_lines(root)
    assert steps["collectstatic"].split()[1] == "pending"
    assert f"docker/Dockerfile: + {COLLECT}" in steps["collectstatic"]
    assert "Note: the Dockerfile production builds: docker/Dockerfile" in output
    apply_all(root)
    assert not (root / "Dockerfile").exists()
    # After the code is copied; the comment stays with CMD, right above it.
    assert (root / "docker" / "Dockerfile").read_text() == DOCKER_FOLDER.replace(
        "COPY . .\n", f"COPY . .\n{COLLECT}\n")
    assert_collects(root, root / "docker" / "Dockerfile", tmp_path, "app")


def test_app_folder_dockerfile_of_a_src_layout(tmp_path):
    dockerfile = ("FROM python:3.12-slim\nWORKDIR /srv\nCOPY src/requirements.txt /srv/\n"
                  "RUN pip install -r /srv/requirements.txt\nCOPY src/ /srv/\nCMD gunicorn mysite.wsgi\n")
    root = write_project(tmp_path / "project", {**IN_SRC, "app/Dockerfile": dockerfile, "README.md": "# mysite\n"})
    steps, output = status_lines(root)
    assert f"app/Dockerfile: + {COLLECT}" in steps["collectstatic"], output
    apply_all(root)
    assert (root / "app" / "Dockerfile").read_text() == dockerfile.replace("COPY src/ /srv/\n", f"COPY src/ /srv/\n{COLLECT}\n")
    assert_collects(root, root / "app" / "Dockerfile", tmp_path, "srv")


def test_cookiecutter_production_dockerfile_without_compose(tmp_path):
    root = project(tmp_path, **{
        "compose/production/django/Dockerfile": COOKIECUTTER_DOCKERFILE,
        "compose/production/postgres/Dockerfile": "FROM postgres:16\n",
        "compose/local/django/Dockerfile": "FROM python:3.12\nWORKDIR /app\nCOPY . .\nCMD /start\n",
    })
    steps, output = status_lines(root)
    assert f"compose/production/django/Dockerfile: + {COLLECT}" in steps["collectstatic"], output
    assert "not compose/local/django/Dockerfile" in output  # for local work: passed over, and said so


def test_production_dockerfile_beside_a_dev_one(tmp_path):
    dev = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD python manage.py runserver\n"
    prod = dev.replace("runserver", "check --deploy && gunicorn mysite.wsgi")
    root = project(tmp_path, **{
        "Dockerfile": dev, "Dockerfile.prod": prod,
        "docker-compose.yml": "services:\n  web:\n    build: .\n    volumes:\n      - .:/app\n",
    })
    steps, output = status_lines(root)
    assert f"Dockerfile.prod: + {COLLECT}" in steps["collectstatic"]
    assert "Dockerfile.prod (its name says production); not Dockerfile" in output
    apply_all(root)
    assert (root / "Dockerfile").read_text() == dev  # local work's image is left alone
    assert (root / "Dockerfile.prod").read_text() == prod.replace("CMD", f"{COLLECT}\nCMD")
    assert_collects(root, root / "Dockerfile.prod", tmp_path, "app")


def test_only_a_dev_dockerfile_is_no_production_build(tmp_path):
    root = project(tmp_path, **{"Dockerfile.dev": "FROM python:3.12\nCOPY . .\nCMD python manage.py runserver\n"})
    steps, output = status_lines(root)
    assert steps["collectstatic"].split()[1:3] == ["not", "applicable"]
    assert "no Dockerfile production builds" in steps["collectstatic"]
    assert "Dockerfile.dev: for local work by its name" in output and "--dockerfile PATH" in output


# --- named by compose -----------------------------------------------------------------------------

def test_production_compose_names_the_dockerfile(tmp_path):
    root = project(tmp_path, **{
        "compose/production/django/Dockerfile": COOKIECUTTER_DOCKERFILE,
        "compose/production/postgres/Dockerfile": "FROM postgres:16\n",
        "requirements/production.txt": "Django>=4.2\ngunicorn\n",
        "Dockerfile": "FROM python:3.12\nCOPY . .\nCMD python manage.py runserver\n",  # another, plain one
        "docker-compose.production.yml": COOKIECUTTER_COMPOSE,
    })
    steps, output = status_lines(root)
    assert f"compose/production/django/Dockerfile: + {COLLECT}" in steps["collectstatic"]
    assert ("the Dockerfile production builds: compose/production/django/Dockerfile "
            "(docker-compose.production.yml's service django builds it); not Dockerfile") in output
    apply_all(root)
    text = (root / "compose" / "production" / "django" / "Dockerfile").read_text()
    # ${APP_HOME} is the WORKDIR: manage.py is where the line runs. The comment stays with its RUN.
    assert text == COOKIECUTTER_DOCKERFILE.replace(
        "COPY --chown=django:django . ${APP_HOME}\n", "COPY --chown=django:django . ${APP_HOME}\n" + COLLECT + "\n")
    assert (root / "Dockerfile").read_text().count("collectstatic") == 0
    assert_collects(root, root / "compose" / "production" / "django" / "Dockerfile", tmp_path, "app")


def test_compose_build_context_is_where_copy_sources_start(tmp_path):
    """`context: src` with the Dockerfile elsewhere: `COPY . /app` copies src/, so manage.py is
    /app/manage.py (not /app/src/manage.py, as from the project folder)."""
    dockerfile = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . /app\nRUN pip install -r requirements.txt\nCMD gunicorn mysite.wsgi\n"
    compose = ("services:\n  web:\n    build:\n      context: src\n      dockerfile: ../deploy/web.Dockerfile\n"
               "    ports:\n      - 8000:8000\n  db:\n    image: postgres:16\n")
    root = write_project(tmp_path / "project", {**IN_SRC, "deploy/web.Dockerfile": dockerfile,
                                                 "docker-compose.yml": compose})
    steps, output = status_lines(root)
    assert f"deploy/web.Dockerfile: + {COLLECT}" in steps["collectstatic"], output
    assert "docker-compose.yml's service web builds it" in output
    apply_all(root)
    assert (root / "deploy" / "web.Dockerfile").read_text() == dockerfile.replace("CMD", f"{COLLECT}\nCMD")
    assert_collects(root / "src", root / "deploy" / "web.Dockerfile", tmp_path, "app")


def test_compose_naming_a_missing_dockerfile_names_nothing(tmp_path):
    compose = "services:\n  web:\n    build:\n      context: .\n      dockerfile: Dockerfile.web\n"
    root = project(tmp_path, **{"docker/Dockerfile": DOCKER_FOLDER, "docker-compose.yml": compose})
    steps, output = status_lines(root)
    assert f"docker/Dockerfile: + {COLLECT}" in steps["collectstatic"], output


# --- where the line goes ----------------------------------------------------------------------------

@pytest.mark.parametrize("gap", ["\n", ""])
def test_line_goes_above_the_comment_that_belongs_to_cmd(tmp_path, gap):
    dockerfile = ("FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
                  f"{gap}# Start gunicorn on port 8000\n# (the platform routes to it)\nEXPOSE 8000\nCMD gunicorn mysite.wsgi\n")
    root = project(tmp_path, Dockerfile=dockerfile)
    apply_all(root)
    assert (root / "Dockerfile").read_text() == dockerfile.replace(
        "requirements.txt\n", f"requirements.txt\n{COLLECT}\n")
    assert_collects(root, root / "Dockerfile", tmp_path, "app")


def test_line_follows_the_front_end_build(tmp_path):
    """collectstatic collects what `npm run build` writes, so it goes after that too."""
    dockerfile = ("FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
                  "RUN npm ci && npm run build\nUSER app\nCMD gunicorn mysite.wsgi\n")
    root = project(tmp_path, Dockerfile=dockerfile)
    apply_all(root)
    assert (root / "Dockerfile").read_text() == dockerfile.replace("npm run build\n", f"npm run build\n{COLLECT}\n")


# --- declined, refused, chosen ------------------------------------------------------------------------

def test_image_that_never_copies_the_code_declines(tmp_path):
    dockerfile = ("FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
                  "CMD python manage.py runserver 0.0.0.0:8000\n")
    compose = "services:\n  web:\n    build: .\n    volumes:\n      - .:/app\n    ports:\n      - 8000:8000\n"
    settings = SETTINGS + 'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}\n'
    root = project(tmp_path, Dockerfile=dockerfile, **{"docker-compose.yml": compose, "mysite/settings.py": settings})
    steps, _ = status_lines(root)
    line = steps["collectstatic"]
    assert line.split()[1:3] == ["not", "applicable"]
    assert "the Dockerfile never copies the project's code into the image" in line
    assert "cannot collect static files" in line
    apply_all(root)
    assert (root / "Dockerfile").read_text() == dockerfile
    assert "STATIC_ROOT = BASE_DIR / \"staticfiles\"\nDATABASES" in (root / "mysite" / "settings.py").read_text()


def test_several_equally_good_dockerfiles_ask(tmp_path):
    root = project(tmp_path, Dockerfile=DOCKER_FOLDER, **{"docker/Dockerfile": DOCKER_FOLDER})
    before = tree_files(root)
    for args in (["status"], ["apply", "--all"], ["apply", "--all", "--dry-run"], ["verify"]):
        result = run_cli(*args, cwd=root)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, lines
        assert "several Dockerfiles could be the one production builds (Dockerfile, docker/Dockerfile)" in lines[0]
        assert "--dockerfile Dockerfile or --dockerfile docker/Dockerfile" in lines[0]
    assert tree_files(root) == before and git_status(root) == []


def test_dockerfile_option_chooses(tmp_path):
    root = project(tmp_path, Dockerfile=DOCKER_FOLDER, **{"docker/Dockerfile": DOCKER_FOLDER})
    steps, output = status_lines(root, "--dockerfile", "docker/Dockerfile")
    assert f"docker/Dockerfile: + {COLLECT}" in steps["collectstatic"]
    assert "Note: the Dockerfile" not in output  # the user's own choice: nothing to say
    apply_all(root, "--dockerfile", "docker/Dockerfile")
    assert (root / "Dockerfile").read_text() == DOCKER_FOLDER
    assert COLLECT in (root / "docker" / "Dockerfile").read_text()
    verified = run_cli("verify", "--dockerfile", "docker/Dockerfile", cwd=root)
    assert verified.returncode in (0, 1), verified.stderr  # the settings load: no question asked


def test_dockerfile_option_is_refused_outside_the_repository_and_in_fleets(tmp_path):
    root = project(tmp_path, Dockerfile=DOCKER_FOLDER)
    outside = tmp_path / "elsewhere.Dockerfile"
    outside.write_text(DOCKER_FOLDER)
    result = run_cli("status", "--dockerfile", str(outside), cwd=root)
    assert result.returncode == 2
    assert f"--dockerfile {outside} is outside the repository {root}" in result.stderr
    (root / "linked.Dockerfile").symlink_to(outside)
    result = run_cli("apply", "--all", "--dockerfile", "linked.Dockerfile", cwd=root)
    assert result.returncode == 2 and f"(a link to {outside})" in result.stderr
    result = run_cli("status", "--dockerfile", "missing.Dockerfile", cwd=root)
    assert result.returncode == 2 and "--dockerfile missing.Dockerfile: no such file" in result.stderr
    result = run_cli("status", "-r", str(tmp_path), "--dockerfile", "Dockerfile", cwd=root)
    assert result.returncode == 2 and "with several projects, pass one PATH" in result.stderr
    assert outside.read_text() == DOCKER_FOLDER


def test_production_dockerfile_names_the_settings_module(tmp_path):
    """The Dockerfile production builds is read first for DJANGO_SETTINGS_MODULE."""
    production = "from .settings import *  # noqa\n\nDEBUG = True\n"
    dockerfile = DOCKER_FOLDER.replace("WORKDIR /app\n", "WORKDIR /app\nENV DJANGO_SETTINGS_MODULE=mysite.production\n")
    root = project(tmp_path, **{"docker/Dockerfile": dockerfile, "mysite/production.py": production})
    _, output = status_lines(root)
    assert "Production settings: mysite/production.py (named by docker/Dockerfile's ENV DJANGO_SETTINGS_MODULE)" in output
