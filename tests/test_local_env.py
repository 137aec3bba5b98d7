"""The env file local work loads (issue 13): the steps write local values (DJANGO_DEBUG=True,
DOMAIN_ALIASES=localhost, 127.0.0.1, SECURE_SSL_REDIRECT=False) where local development reads
them, never into a production or example env file, and say so with a working command when nothing
loads them.

Each case is a small startproject-shaped project (DEBUG = True, ALLOWED_HOSTS = [], no HTTPS
redirect yet) committed to a new git repository and migrated with `apply --all` in a subprocess.
Then what local work loads is worked out the way local work reads it (compose's env_file and
environment for the web service, parsed with python-dotenv; the settings' own load_dotenv,
read_env or decouple; the note's `dotenv run` command, run as printed) and manage.py's module is
loaded with real Django under it: DEBUG on, localhost allowed, no HTTPS redirect, and the test
client gets 200 for http://localhost/.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import git, git_status, run_cli
from production_fixtures import DEV_KEY, DOCKERFILE, project, settings_py
from project_builder import write_project

pytest.importorskip("django")
pytest.importorskip("environ")
pytest.importorskip("decouple")
yaml = pytest.importorskip("yaml")
from dotenv import dotenv_values  # noqa: E402

PAGE_SECURITY = f'''# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = "{DEV_KEY}"

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = True

ALLOWED_HOSTS = []
'''
LOCAL_VALUES = {"DJANGO_DEBUG": "True", "DOMAIN_ALIASES": "localhost, 127.0.0.1", "SECURE_SSL_REDIRECT": "False"}
COMPOSE_WEB = """services:

  web:
    # the Django development server
    build: .
    command: python manage.py runserver 0.0.0.0:8000
    volumes:
      - ".:/app:rw"
    ports:
      - "8000:8000"
{extra}
  database:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: "local"
"""
PRODUCTION_FILES = {
    ".env.example": "DEBUG=on\nSECRET_KEY=change-me\n",
    ".env.prod": "DJANGO_DEBUG=False\nDOMAIN=www.example.com\n",
    ".env.production": "DOMAIN=www.example.com\n",
    "config-sample": "DOMAIN=example.org\n",
    ".env.dist": "DOMAIN=\n",
    ".envs/.production/.django": "DJANGO_SECRET_KEY=production\n",
    "docker-compose.prod.yml": "services:\n  web:\n    build: .\n    env_file: .envs/.production/.django\n",
}


def settings(security: str = PAGE_SECURITY, imports: str = "import os\n") -> str:
    return settings_py("mysite", security, imports=imports)


@dataclass
class Case:
    files: dict[str, str]
    written: str  # the file local values go to
    # How local work loads it: "compose" (the web service of `compose`), "settings" (the settings
    # read it themselves), "heroku" (`heroku local`, beside the Procfile: the note's command is run
    # too, for runserver), "note" (nothing does: the note's command is run).
    loaded_by: str
    compose: str = "docker-compose.yml"
    never_written: tuple[str, ...] = ()  # byte for byte after apply
    kept: dict[str, str] = field(default_factory=dict)  # values local work already set, not written again
    # Variables no step writes: behind Heroku's proxy, ssl-redirect is declined without the header.
    declined: tuple[str, ...] = ()


DOTENV_SETTINGS = settings(PAGE_SECURITY.replace("# SECURITY WARNING: keep",
                                                 'load_dotenv(BASE_DIR / ".env")\n\n# SECURITY WARNING: keep'),
                           imports="import os\n\nfrom dotenv import load_dotenv\n")

def read_env_files(flag_default: str) -> dict[str, str]:
    """django-environ's read_env of BASE_DIR/.env (ignored by git); under `if READ_DOT_ENV_FILE:`
    with that flag's default when `flag_default` is given."""
    read = "environ.Env.read_env(os.path.join(BASE_DIR, '.env'))\n"
    if flag_default:
        read = (f"READ_DOT_ENV_FILE = env.bool('DJANGO_READ_DOT_ENV_FILE', default={flag_default})\n"
                f"if READ_DOT_ENV_FILE:\n    {read}")
    return {**project("mysite", settings(f"env = environ.Env()\n{read}\n" + PAGE_SECURITY,
                                         imports="import os\n\nimport environ\n")),
            ".gitignore": "/.env\n"}


CASES = {
    # cookiecutter-django's local stack: two env files; the production stack's is never touched.
    "compose-env-file": Case(
        {**project("mysite", settings()),
         "docker-compose.local.yml": COMPOSE_WEB.format(
             extra="    env_file:\n      - ./.envs/.local/.django\n      - ./.envs/.local/.postgres\n"),
         ".envs/.local/.django": "USE_DOCKER=yes\n",
         ".envs/.local/.postgres": "POSTGRES_HOST=postgres\n",
         "docker-compose.production.yml": "services:\n  django:\n    build: .\n    env_file:\n"
                                          "      - ./.envs/.production/.django\n",
         ".envs/.production/.django": "DJANGO_SECRET_KEY=production\n"},
        ".envs/.local/.django", "compose", compose="docker-compose.local.yml",
        never_written=(".envs/.local/.postgres", ".envs/.production/.django", "docker-compose.production.yml"),
    ),
    # The tutorial's shape before .env-local: compose runs the web service with an environment.
    "compose-without-env-file": Case(
        {**project("mysite", settings()),
         "docker-compose.yml": COMPOSE_WEB.format(extra="    environment:\n      SECURE_SSL_REDIRECT: \"False\"\n")},
        ".env-local", "compose", kept={"SECURE_SSL_REDIRECT": "False"},
    ),
    # docker-compose.yml is production's here (`docker compose up -d` on a server: gunicorn, no
    # reload): its committed env file never takes DJANGO_DEBUG=True.
    "compose-runs-production": Case(
        {**project("mysite", settings()), "Dockerfile": DOCKERFILE,
         "docker-compose.yml": "# Deployed with: docker compose up -d\nservices:\n  web:\n    build: .\n"
                               "    command: gunicorn mysite.wsgi --bind 0.0.0.0:8000 --workers 3\n"
                               "    env_file: .env.docker\n    restart: always\n    ports:\n      - \"80:8000\"\n",
         ".env.docker": "SECRET_KEY=production-key-from-the-server\n"},
        ".env-local", "note", never_written=(".env.docker", "docker-compose.yml"),
    ),
    # The image leaves .env out (.dockerignore), and git ignores it: only local work has it.
    "python-dotenv": Case(
        {**project("mysite", DOTENV_SETTINGS), ".gitignore": ".env\n", ".env.example": "DEBUG=on\n",
         "Dockerfile": DOCKERFILE, ".dockerignore": ".git\n*.env\n.env\n"},
        ".env", "settings", never_written=(".env.example",),
    ),
    # Without .dockerignore the image build copies .env, and the settings would read it in production.
    "python-dotenv-copied-into-the-image": Case(
        {**project("mysite", DOTENV_SETTINGS), ".gitignore": ".env\n", "Dockerfile": DOCKERFILE},
        ".env-local", "note", never_written=(".env",),
    ),
    "python-dotenv-find-dotenv": Case(
        {**project("mysite", settings(PAGE_SECURITY.replace("# SECURITY WARNING: keep",
                                                             "load_dotenv(find_dotenv())\n\n# SECURITY WARNING: keep"),
                                      imports="import os\n\nfrom dotenv import find_dotenv, load_dotenv\n")),
         ".gitignore": "*.sqlite3\n.env\n", ".env": "LOCAL_NAME=mine\n"},
        ".env", "settings",
    ),
    "django-environ-read-env": Case(read_env_files(""), ".env", "settings"),
    # A two-scoops base.py: .env is read unless DJANGO_READ_DOT_ENV_FILE says no.
    "django-environ-read-env-flag-on": Case(read_env_files("True"), ".env", "settings"),
    # cookiecutter-django's: .env is read only when DJANGO_READ_DOT_ENV_FILE says so.
    "django-environ-read-env-flag-off": Case(read_env_files("False"), ".env-local", "note", never_written=(".env",)),
    "python-decouple": Case(
        {**project("mysite", settings(PAGE_SECURITY.replace(f'SECRET_KEY = "{DEV_KEY}"',
                                                             f'SECRET_KEY = config("SECRET_KEY", default="{DEV_KEY}")'),
                                      imports="from decouple import config\n")),
         ".gitignore": ".env\n"},
        ".env", "settings",
    ),
    # Production and example env files everywhere: the one local work loads is the ignored .env.
    "production-and-example-files": Case(
        {**project("mysite", DOTENV_SETTINGS), ".gitignore": ".env\n", **PRODUCTION_FILES},
        ".env", "settings", never_written=tuple(PRODUCTION_FILES),
    ),
    # compose passes only an example file: it takes no local values, and nothing else loads them.
    "compose-loads-an-example": Case(
        {**project("mysite", settings()),
         "docker-compose.yml": COMPOSE_WEB.format(extra="    env_file: .env.example\n"), **PRODUCTION_FILES},
        ".env-local", "note", never_written=("docker-compose.yml", *PRODUCTION_FILES),
    ),
    "nothing-loads": Case(project("mysite", settings()), ".env-local", "note"),
    # Heroku's getting-started: `heroku local` runs the Procfile's processes with .env (git ignores it).
    "heroku-local": Case(
        {**project("mysite", settings()), "Procfile": "web: gunicorn mysite.wsgi\n", ".gitignore": ".env\n"},
        ".env", "heroku", declined=("SECURE_SSL_REDIRECT",),
    ),
    # Its older version committed .env for heroku local; Heroku's dynos never load it.
    "heroku-local-committed-dotenv": Case(
        {**project("mysite", settings()), "Procfile": "web: gunicorn mysite.wsgi --log-file -\n",
         ".env": "DATABASE_URL=postgres://localhost/python_getting_started\n"},
        ".env", "heroku", declined=("SECURE_SSL_REDIRECT",),
    ),
    # `pipenv run` loads .env on the dyno too, and git would commit it: local values stay out of it.
    "procfile-pipenv-run": Case(
        {**project("mysite", settings()), "Procfile": "web: pipenv run gunicorn mysite.wsgi\n"},
        ".env-local", "note", never_written=(".env",), declined=("SECURE_SSL_REDIRECT",),
    ),
    # An earlier run (or the user) put local values in .env-local: they stay there.
    "procfile-and-env-local": Case(
        {**project("mysite", settings()), "Procfile": "web: gunicorn mysite.wsgi\n",
         ".env-local": "DJANGO_DEBUG=True\n"},
        ".env-local", "note", never_written=(".env",), declined=("SECURE_SSL_REDIRECT",),
    ),
    # A .env the settings read but git tracks is in every build: production's DEBUG would be on.
    "committed-dotenv": Case(
        {**project("mysite", DOTENV_SETTINGS), ".env": "LOCAL_NAME=shared\n"},
        ".env-local", "note", never_written=(".env",),
    ),
}


@dataclass
class Migrated:
    case: Case
    root: Path
    before: dict[str, bytes]
    first: subprocess.CompletedProcess
    second: subprocess.CompletedProcess
    changed_by_second: list[str]

    def copy(self) -> Path:
        """The migrated repository, to run Django in (it writes __pycache__ and db.sqlite3)."""
        target = self.root.parent / "run"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(self.root, target, symlinks=True)
        return target


_MIGRATED: dict[str, Migrated] = {}


def migrated(name: str, tmp_path_factory) -> Migrated:
    if name not in _MIGRATED:
        case = CASES[name]
        root = write_project(tmp_path_factory.mktemp(name) / "project", case.files)
        before = {path: (root / path).read_bytes() for path in case.files}
        first = run_cli("apply", "--all", cwd=root)
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", "refactor-app apply --all")
        second = run_cli("apply", "--all", cwd=root)
        _MIGRATED[name] = Migrated(case, root, before, first, second, git_status(root))
    return _MIGRATED[name]


# --- Real Django, in a subprocess -----------------------------------------------------------------

PROBE = r"""
import json, os, sys
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
import django
from django.conf import settings
from django.test import Client

django.setup()
response = Client().get("/", HTTP_HOST="localhost")
print()
print(json.dumps({"DEBUG": settings.DEBUG, "ALLOWED_HOSTS": list(settings.ALLOWED_HOSTS),
                  "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT, "status": response.status_code}))
"""


def base_environment() -> dict[str, str]:
    """No variable of the developer's shell: PATH (with this Python's scripts: `dotenv`) and HOME."""
    scripts = str(Path(sys.executable).parent)
    return {"PATH": os.pathsep.join([scripts, os.environ.get("PATH", "")]), "HOME": os.environ.get("HOME", "/nonexistent")}


def probe(command: list[str], root: Path, environment: dict[str, str]) -> dict:
    result = subprocess.run(command, cwd=root, env={**base_environment(), **environment},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_local_work_runs(loaded: dict) -> None:
    assert loaded["DEBUG"] is True, loaded
    assert loaded["SECURE_SSL_REDIRECT"] is False, loaded
    assert loaded["status"] == 200, loaded  # localhost allowed, no redirect to HTTPS


def compose_environment(root: Path, compose: str) -> dict[str, str]:
    """What compose gives the web service: its env files in order (parsed by python-dotenv),
    then its `environment`."""
    service = yaml.safe_load((root / compose).read_text())["services"]["web"]
    env_files = service.get("env_file") or []
    variables: dict[str, str] = {}
    for name in [env_files] if isinstance(env_files, str) else env_files:
        variables.update({key: value or "" for key, value in dotenv_values(root / name).items()})
    variables.update({key: str(value) for key, value in (service.get("environment") or {}).items()})
    return variables


def the_note(output: str) -> str:
    notes = [line for line in output.splitlines() if "nothing in this project loads" in line]
    assert len(notes) == 1, output
    return notes[0]


def note_command(note: str) -> list[str]:
    """The command the note prints, without its `pip install ... &&` part (this venv has the extra)."""
    command = note.split(": ", 1)[1] if note.startswith("Note: ") else note
    command = command[command.index('pip install "python-dotenv[cli]"'):]
    install, run = command.split(" && ", 1)
    assert install == 'pip install "python-dotenv[cli]"'
    return shlex.split(run)


# --- The checks -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(CASES))
def test_local_values_go_where_local_work_loads_them(name, tmp_path_factory):
    run = migrated(name, tmp_path_factory)
    case, root = run.case, run.root
    assert run.first.returncode == 0, run.first.stderr
    written = dotenv_values(root / case.written)
    for key, value in LOCAL_VALUES.items():
        if key in case.kept or key in case.declined:
            assert key not in written, written
        else:
            assert written.get(key) == value, (case.written, written)
    for path in case.never_written:
        if path in run.before:
            assert (root / path).read_bytes() == run.before[path], path
        else:
            assert not (root / path).exists(), path
    if case.written != ".env-local":
        assert not (root / ".env-local").exists()
    output = run.first.stdout + run.first.stderr

    copy = run.copy()
    if case.loaded_by == "compose":
        assert "nothing in this project loads" not in output
        loaded = probe([sys.executable, "-c", PROBE], copy, compose_environment(root, case.compose))
    elif case.loaded_by == "settings":
        assert "nothing in this project loads" not in output
        loaded = probe([sys.executable, "-c", PROBE], copy, {})  # the settings read it themselves
    elif case.loaded_by == "heroku":
        assert "nothing in this project loads" not in output
        # heroku local: the Procfile's processes get .env's values.
        heroku_local = {key: value or "" for key, value in dotenv_values(root / ".env").items()}
        assert_local_work_runs(probe([sys.executable, "-c", PROBE], copy, heroku_local))
        # The note's command, for manage.py runserver.
        notes = [line for line in output.splitlines() if "heroku local loads .env" in line]
        assert len(notes) == 1, output
        command = note_command(notes[0])
        assert command[:3] == ["dotenv", "-f", ".env"] and command[-3:] == ["python", "manage.py", "runserver"]
        (copy / "manage.py").write_text(PROBE)
        loaded = probe(command, copy, {})
    else:
        command = note_command(the_note(output))
        assert command[:3] == ["dotenv", "-f", ".env-local"] and command[-3:] == ["python", "manage.py", "runserver"]
        # The printed command, as printed, with a manage.py whose runserver answers one request.
        (copy / "manage.py").write_text(PROBE)
        loaded = probe(command, copy, {})
    assert_local_work_runs(loaded)


@pytest.mark.parametrize("name", list(CASES))
def test_a_second_apply_changes_nothing_and_notes_nothing(name, tmp_path_factory):
    run = migrated(name, tmp_path_factory)
    assert run.second.returncode == 0, run.second.stderr
    assert run.changed_by_second == [], run.changed_by_second
    assert "nothing in this project loads" not in run.second.stdout + run.second.stderr


def test_compose_gets_one_line_naming_env_local(tmp_path_factory):
    run = migrated("compose-without-env-file", tmp_path_factory)
    before = run.before["docker-compose.yml"].decode()
    after = (run.root / "docker-compose.yml").read_text()
    added = "    env_file: .env-local\n"
    assert after.replace(added, "", 1) == before
    assert after.index(added) == after.index("  web:\n") + len("  web:\n")
    assert yaml.safe_load(after)["services"]["web"]["env_file"] == ".env-local"
    assert "docker-compose.yml: + env_file: .env-local (service web)" in run.first.stdout + run.first.stderr


def test_the_note_names_why_a_loaded_file_takes_no_local_values(tmp_path_factory):
    committed = the_note(migrated("committed-dotenv", tmp_path_factory).first.stderr)
    assert ".env (python-dotenv's load_dotenv in mysite/settings.py) is read by the settings themselves and git " \
           "does not ignore it" in committed
    image = the_note(migrated("python-dotenv-copied-into-the-image", tmp_path_factory).first.stderr)
    assert ".env (python-dotenv's load_dotenv in mysite/settings.py) is read by the settings themselves and " \
           "Dockerfile's build would copy it into the image (.dockerignore does not name it)" in image
    production = the_note(migrated("compose-runs-production", tmp_path_factory).first.stderr)
    assert "docker-compose.yml's service web runs gunicorn, as production does, so its environment is " \
           "production's" in production
    example = the_note(migrated("compose-loads-an-example", tmp_path_factory).first.stderr)
    assert ".env.example (docker-compose.yml's env_file) is named for production, as an example or for tests" in example
    assert "set -a" not in committed + example
    pipenv = the_note(migrated("procfile-pipenv-run", tmp_path_factory).first.stderr)
    assert ".env (heroku local's env file): the Procfile's processes load it too (pipenv run) and git does not " \
           "ignore it, so local values there would reach production" in pipenv


def test_the_note_only_when_a_step_writes_local_values(tmp_path):
    root = write_project(tmp_path / "project", CASES["nothing-loads"].files)
    only_the_key = run_cli("apply", "--step", "secret-key", "--commit", cwd=root)
    assert only_the_key.returncode == 0, only_the_key.stderr
    assert "nothing in this project loads" not in only_the_key.stdout + only_the_key.stderr
    debug = run_cli("apply", "--step", "debug", "--commit", cwd=root)
    the_note(debug.stdout + debug.stderr)
    again = run_cli("apply", "--step", "debug", cwd=root)
    assert again.returncode == 0, again.stderr
    assert "nothing in this project loads" not in again.stdout + again.stderr


def test_a_src_layout_note_runs_its_manage_py(tmp_path):
    files = {f"src/{path}": content for path, content in CASES["nothing-loads"].files.items()}
    files["Dockerfile"] = "FROM python:3.12\nCOPY . /app\n"
    root = write_project(tmp_path / "project", files)
    result = run_cli("apply", "--step", "debug", cwd=root)
    assert result.returncode == 0, result.stderr
    assert re.search(r"dotenv -f \.env-local run -- python src/manage\.py runserver$", the_note(result.stderr))


@pytest.mark.parametrize("name", ["python-dotenv", "python-decouple", "compose-env-file", "nothing-loads"])
def test_verify_reads_what_local_work_loads(name, tmp_path_factory):
    """verify's local run has what local work loads; its production runs never see a .env only
    local work has (git ignores it and the image leaves it out)."""
    run = migrated(name, tmp_path_factory)
    result = run_cli("verify", cwd=run.copy())
    assert result.returncode == 0, result.stdout + result.stderr
    debug = next(line for line in result.stdout.splitlines() if line.startswith("DEBUG "))
    assert debug.split()[1:] == ["True", "False", "False"], result.stdout
    assert f"local ({run.case.written}" in result.stdout  # the file local values went to, first
