"""Build-time import (issue 13): the collectstatic line the step adds must work in the image build,
whose environment holds only the Dockerfile stage's ENV/ARG values.

Each project is committed to a new git repository and migrated with `python -m refactor_app apply
--all` in a subprocess. The added RUN line's own VAR=value words are parsed from the Dockerfile, and
`python manage.py collectstatic --noinput --dry-run` runs with real Django under `env -i` plus only
those words (and the stage's ENV): it must succeed. Production keeps failing closed: the settings
give no fallback for SECRET_KEY or the hosts, which stay the deployment's to set. The same build
check then runs on every migrated fixture of the production matrix whose Dockerfile collects.
"""

from __future__ import annotations

import io
import json
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import git, git_status, run_cli
from dockerfile_parse import DockerfileParser
from production_fixtures import FIXTURES
from project_builder import MANAGE_PY, write_project
from test_production_matrix import builds_with_collectstatic, collectstatic_in_final_stage
from test_production_matrix import migrated as matrix_migrated

pytest.importorskip("django")
pytest.importorskip("environ")
pytest.importorskip("decouple")
pytest.importorskip("dj_database_url")

HEADER = '''"""Django settings for mysite project."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
'''

FOOTER = '''
INSTALLED_APPS = ["django.contrib.staticfiles"]

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
'''

DOCKERFILE = """FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
CMD ["gunicorn", "mysite.wsgi"]
"""


@dataclass
class Spelling:
    name: str
    imports: str  # lines above the settings
    body: str  # the settings that read the environment
    prefix: dict[str, str]  # the VAR=value words the RUN line gets
    production: dict[str, str] = field(default_factory=dict)  # what a deployment sets
    expected: dict[str, object] = field(default_factory=dict)  # settings (expressions) production then gets
    fails_unset: bool = True  # production still cannot import without its variables (no fallback in settings)
    dockerfile: str = DOCKERFILE
    database: str = ""  # a DATABASES line replacing the sqlite one
    build_args: dict[str, str] = field(default_factory=dict)  # what `docker build --build-arg` passes


SPELLINGS = [
    Spelling("environ-subscript", "import os\n", 'SECRET_KEY = os.environ["SECRET_KEY"]\nDEBUG = False\nALLOWED_HOSTS = []\n',
             {"SECRET_KEY": "collectstatic-build"}, {"SECRET_KEY": "production-key"},
             expected={"SECRET_KEY": "production-key"}),
    Spelling("get-then-split", "import os\n",
             'SECRET_KEY = "x-not-secret"\nDEBUG = False\nALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS").split(",")\n',
             {"DJANGO_ALLOWED_HOSTS": "build"}, {"DJANGO_ALLOWED_HOSTS": "a.com,b.com"},
             expected={"ALLOWED_HOSTS": ["a.com", "b.com"]}),
    Spelling("int-of-get", "import os\n",
             'SECRET_KEY = "x-not-secret"\nDEBUG = False\nALLOWED_HOSTS = []\nEMAIL_PORT = int(os.environ.get("EMAIL_PORT"))\n',
             {"EMAIL_PORT": "0"}, {"EMAIL_PORT": "587"}, expected={"EMAIL_PORT": 587}),
    Spelling("int-of-subscript-stripped", "import os\n",
             'SECRET_KEY = "x-not-secret"\nDEBUG = False\nALLOWED_HOSTS = []\n'
             'CONN_MAX_AGE = int(os.environ["CONN_MAX_AGE"].strip())\n',
             {"CONN_MAX_AGE": "0"}, {"CONN_MAX_AGE": "60"}, expected={"CONN_MAX_AGE": 60}),
    Spelling("held-then-split", "import os\n",
             'SECRET_KEY = "x-not-secret"\nDEBUG = False\nHOSTS = os.getenv("HOSTS")\nALLOWED_HOSTS = HOSTS.split(",")\n',
             {"HOSTS": "build"}, {"HOSTS": "a.com"}, expected={"ALLOWED_HOSTS": ["a.com"]}),
    Spelling("django-environ-no-default", "import environ\n\nenv = environ.Env()\n",
             'SECRET_KEY = env("DJANGO_SECRET_KEY")\nDEBUG = env.bool("DJANGO_DEBUG", default=False)\n'
             'ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])\nADMIN_URL = env.str("DJANGO_ADMIN_URL")\n'
             'WORKERS = env.int("WORKERS")\n',
             {"DJANGO_SECRET_KEY": "collectstatic-build", "DJANGO_ADMIN_URL": "build", "WORKERS": "0"},
             {"DJANGO_SECRET_KEY": "production-key", "DJANGO_ADMIN_URL": "admin/", "WORKERS": "4"},
             expected={"SECRET_KEY": "production-key", "ADMIN_URL": "admin/", "WORKERS": 4}),
    Spelling("django-environ-schema", "import environ\n\nenv = environ.Env(DEBUG=(bool, False), USE_S3=bool)\n",
             'SECRET_KEY = env("SECRET_KEY", default="x-not-secret")\nDEBUG = env("DEBUG")\nUSE_S3 = env("USE_S3")\n'
             'ALLOWED_HOSTS = []\n',
             {"USE_S3": "False"}, {"USE_S3": "true"}, expected={"USE_S3": True, "DEBUG": False}),
    Spelling("decouple-no-default", "from decouple import Csv, config\n",
             'SECRET_KEY = config("SECRET_KEY")\nDEBUG = config("DEBUG", default=False, cast=bool)\n'
             'ALLOWED_HOSTS = config("ALLOWED_HOSTS", cast=Csv())\nEMAIL_PORT = config("EMAIL_PORT", cast=int)\n'
             'EMAIL_USE_TLS = config("EMAIL_USE_TLS", cast=bool)\n',
             {"SECRET_KEY": "collectstatic-build", "ALLOWED_HOSTS": "build", "EMAIL_PORT": "0", "EMAIL_USE_TLS": "False"},
             {"SECRET_KEY": "production-key", "ALLOWED_HOSTS": "a.com", "EMAIL_PORT": "587", "EMAIL_USE_TLS": "True"},
             expected={"SECRET_KEY": "production-key", "ALLOWED_HOSTS": ["a.com"], "EMAIL_PORT": 587,
                       "EMAIL_USE_TLS": True}),
    # The page's case: DATABASE_URL gets its fallback in the settings, nothing on the RUN line.
    Spelling("dj-database-url-config", "import os\nimport dj_database_url\n",
             'SECRET_KEY = os.environ.get("SECRET_KEY", "x-not-secret")\nDEBUG = False\nALLOWED_HOSTS = []\n',
             {}, {"DATABASE_URL": "sqlite:///prod.sqlite3"}, fails_unset=False,
             expected={"DATABASES['default']['NAME']": "prod.sqlite3"},
             database='DATABASES = {"default": dj_database_url.config()}\n'),
    Spelling("environ-db", "import environ\n\nenv = environ.Env()\n",
             'SECRET_KEY = env("SECRET_KEY")\nDEBUG = False\nALLOWED_HOSTS = []\n',
             {"SECRET_KEY": "collectstatic-build"}, {"SECRET_KEY": "k", "DATABASE_URL": "sqlite:///prod.sqlite3"},
             expected={"SECRET_KEY": "k", "DATABASES['default']['NAME']": "prod.sqlite3"},
             database='DATABASES = {"default": env.db()}\n'),
    Spelling("database-url-subscript-elsewhere", "import os\nimport dj_database_url\n",
             'SECRET_KEY = "x-not-secret"\nDEBUG = False\nALLOWED_HOSTS = []\nREPLICA = dj_database_url.parse(os.environ["REPLICA_URL"])\n',
             {"REPLICA_URL": "sqlite://:memory:"}, {"REPLICA_URL": "sqlite:///replica.sqlite3"},
             expected={"REPLICA['NAME']": "replica.sqlite3"}),
    # Two Scoops of Django's helper: raises ImproperlyConfigured when the variable is unset.
    Spelling("own-helper-raising", "import os\n\nfrom django.core.exceptions import ImproperlyConfigured\n",
             '\ndef get_env_variable(var_name):\n    try:\n        return os.environ[var_name]\n    except KeyError:\n'
             '        raise ImproperlyConfigured("Set the %s environment variable" % var_name)\n\n\n'
             'SECRET_KEY = get_env_variable("DJANGO_SECRET_KEY")\nDEBUG = False\nALLOWED_HOSTS = []\n',
             {"DJANGO_SECRET_KEY": "collectstatic-build"}, {"DJANGO_SECRET_KEY": "k"}, expected={"SECRET_KEY": "k"}),
    # ... and one that gives None instead: nothing is needed.
    Spelling("own-helper-forgiving", "import os\n",
             '\ndef optional(name):\n    try:\n        return os.environ[name]\n    except KeyError:\n        return None\n\n\n'
             'SECRET_KEY = "x-not-secret"\nDEBUG = False\nALLOWED_HOSTS = []\nSENTRY_DSN = optional("SENTRY_DSN")\n',
             {}, {"SENTRY_DSN": "https://k@sentry.invalid/1"}, fails_unset=False,
             expected={"SENTRY_DSN": "https://k@sentry.invalid/1"}),
    # The settings set it themselves before reading it.
    Spelling("setdefault-first", "import os\n",
             'SECRET_KEY = "x-not-secret"\nDEBUG = False\nos.environ.setdefault("HOSTS", "localhost")\n'
             'ALLOWED_HOSTS = os.environ["HOSTS"].split(",")\n',
             {}, {"HOSTS": "a.com"}, fails_unset=False, expected={"ALLOWED_HOSTS": ["a.com"]}),
    # What the stage sets itself is not made up: ENV, an ARG's default, and an ARG without one (the
    # build passes it with --build-arg, and a made-up value would override it).
    Spelling("stage-env-and-arg", "import os\n",
             'SECRET_KEY = os.environ["SECRET_KEY"]\nDEBUG = False\nALLOWED_HOSTS = os.environ["HOSTS"].split(",")\n'
             'REGION = os.environ["REGION"]\nRELEASE = os.environ["RELEASE"]\n',
             {"SECRET_KEY": "collectstatic-build"}, {"SECRET_KEY": "k", "HOSTS": "a.com", "REGION": "eu", "RELEASE": "1"},
             expected={"ALLOWED_HOSTS": ["a.com"], "REGION": "eu", "RELEASE": "1"},
             dockerfile=DOCKERFILE.replace("WORKDIR /app\n", "WORKDIR /app\nENV HOSTS=localhost\nARG REGION=eu\nARG RELEASE\n"),
             build_args={"RELEASE": "v1.2"}),
]


def project_files(spelling: Spelling) -> dict[str, str]:
    footer = FOOTER
    if spelling.database:
        footer = footer.replace(FOOTER.splitlines()[3] + "\n", spelling.database)
    return {
        "manage.py": MANAGE_PY,
        "mysite/__init__.py": "",
        "mysite/settings.py": HEADER.replace("from pathlib", spelling.imports + "from pathlib", 1) + "\n"
                              + spelling.body + footer,
        "Dockerfile": spelling.dockerfile,
        "requirements.txt": "Django>=4.2\n",
    }


def added_run_line(root: Path) -> tuple[str, dict[str, str], dict[str, str], list[str]]:
    """The Dockerfile's collectstatic line, the final stage's ENV and ARG defaults, the line's own
    VAR=value words, and the command after them."""
    parser = DockerfileParser(fileobj=io.BytesIO((root / "Dockerfile").read_bytes()))
    line = next(item["value"] for item in parser.structure
                if item["instruction"] == "RUN" and "collectstatic" in item["value"])
    words = shlex.split(line)
    own = {}
    while words and "=" in words[0] and words[0].split("=", 1)[0].isidentifier():
        name, value = words.pop(0).split("=", 1)
        own[name] = value
    stage = {name: value for name, value in parser.args.items() if value}  # an ARG's default
    return line, {**stage, **parser.envs}, own, words


def under_env_i(root: Path, variables: dict[str, str], *command: str) -> subprocess.CompletedProcess:
    """`env -i VAR=value ... python ...`: the build's environment, nothing of the test runner's."""
    words = ["env", "-i", *(f"{name}={value}" for name, value in variables.items()), sys.executable, *command]
    return subprocess.run(words, cwd=root, capture_output=True, text=True, timeout=120)


# Imports the settings (INSTALLED_APPS is read first: a failing import raises), then prints each
# expression over them that argv[1] lists.
LOADER = """
import json, sys
from django.conf import settings
settings.INSTALLED_APPS
print(json.dumps({name: eval(name, {}, vars(settings._wrapped)) for name in json.loads(sys.argv[1])}, default=str))
"""


def migrated(tmp_path: Path, files: dict[str, str]) -> Path:
    root = write_project(tmp_path / "project", files)
    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return root


@pytest.mark.parametrize("spelling", SPELLINGS, ids=[s.name for s in SPELLINGS])
def test_the_build_imports_the_migrated_settings(spelling, tmp_path):
    root = migrated(tmp_path, project_files(spelling))
    line, stage, own, command = added_run_line(root)
    assert own == spelling.prefix, line
    assert command == ["python", "manage.py", "collectstatic", "--noinput"], line

    # The build: real Django, only the stage's ENV and the line's own words.
    built = under_env_i(root, {**stage, **spelling.build_args, **own}, "manage.py", "collectstatic", "--noinput",
                        "--dry-run")
    assert built.returncode == 0, built.stderr.strip().splitlines()[-1:]
    assert "static files copied" in built.stdout + built.stderr

    # Production is unchanged: the reads of the variables the RUN line makes up are as they were
    # (no fallback in the settings) ...
    before = project_files(spelling)["mysite/settings.py"].splitlines()
    after = (root / "mysite/settings.py").read_text().splitlines()
    for name in spelling.prefix:
        def reads(lines):
            return [line for line in lines if f'"{name}"' in line or f"'{name}'" in line]
        assert reads(after) == reads(before), name
    # ... so without them it still cannot start, and with the deployment's own values it loads them.
    module = {"DJANGO_SETTINGS_MODULE": "mysite.settings", "PYTHONPATH": str(root)}
    if spelling.fails_unset:
        unset = under_env_i(root, {**module, "DATABASE_URL": "sqlite://:memory:"}, "-c", LOADER, "{}")
        assert unset.returncode != 0, unset.stdout
    deployed = under_env_i(root, {**module, **spelling.production}, "-c", LOADER, json.dumps(list(spelling.expected)))
    assert deployed.returncode == 0, deployed.stderr.strip().splitlines()[-1:]
    assert json.loads(deployed.stdout) == spelling.expected

    # A second run recognises its line (VAR=value words and all) as done.
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "migrated")
    again = run_cli("apply", "--all", cwd=root)
    assert again.returncode == 0, again.stderr
    assert git_status(root) == []


def test_the_page_tutorial_gets_no_made_up_values(tutorial):
    result = run_cli("apply", "--step", "collectstatic", cwd=tutorial)
    assert result.returncode == 0, result.stderr
    assert "RUN python manage.py collectstatic --noinput" in (tutorial / "Dockerfile").read_text()


SECRET_SETTINGS = 'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\nALLOWED_HOSTS = []\n'


def package_files(dockerfile: str) -> dict[str, str]:
    """manage.py runs mysite.settings.local; production.py alone needs DJANGO_SECRET_KEY."""
    base = HEADER.replace("parent.parent", "parent.parent.parent").replace("from pathlib", "import os\nfrom pathlib")
    return {
        "manage.py": MANAGE_PY.replace("mysite.settings", "mysite.settings.local"),
        "mysite/__init__.py": "",
        "mysite/settings/__init__.py": "",
        "mysite/settings/base.py": base + "\nDEBUG = False\n" + FOOTER,
        "mysite/settings/local.py": 'from .base import *  # noqa\n\nSECRET_KEY = "local-only"\nDEBUG = True\nALLOWED_HOSTS = ["localhost"]\n',
        "mysite/settings/production.py": "import os\n\nfrom .base import *  # noqa\n\n" + SECRET_SETTINGS,
        "Procfile": "web: gunicorn mysite.wsgi --env DJANGO_SETTINGS_MODULE=mysite.settings.production\n",
        "Dockerfile": dockerfile,
        "requirements.txt": "Django>=4.2\n",
    }


@pytest.mark.parametrize("env_line, prefix", [
    # manage.py's module is local work's (local.py): the line names production's, whose import
    # needs DJANGO_SECRET_KEY (a red-team run: cookiecutter-django's build imported local.py,
    # whose debug_toolbar production does not install, and collected without the manifest).
    ("", {"DJANGO_SETTINGS_MODULE": "mysite.settings.production", "DJANGO_SECRET_KEY": "collectstatic-build"}),
    ("ENV DJANGO_SETTINGS_MODULE=mysite.settings.production\n", {"DJANGO_SECRET_KEY": "collectstatic-build"}),
], ids=["production-module-named", "dockerfile-env-module"])
def test_the_module_the_build_imports_is_the_one_judged(env_line, prefix, tmp_path):
    root = migrated(tmp_path, package_files(DOCKERFILE.replace("WORKDIR /app\n", "WORKDIR /app\n" + env_line)))
    line, stage, own, _ = added_run_line(root)
    assert own == prefix, line
    built = under_env_i(root, {**stage, **own}, "manage.py", "collectstatic", "--noinput", "--dry-run")
    assert built.returncode == 0, built.stderr.strip().splitlines()[-1:]


def test_a_star_imported_module_needing_a_variable_is_seen(tmp_path):
    files = package_files(DOCKERFILE)
    files["mysite/settings/base.py"] = files["mysite/settings/base.py"].replace(
        "\nDEBUG = False\n", "\nDEBUG = False\nCACHE_LOCATION = os.environ['REDIS_URL']\n")
    root = migrated(tmp_path, files)
    line, stage, own, _ = added_run_line(root)
    # The build imports production.py (the line names it), which star-imports base.py's need too.
    assert own == {"DJANGO_SETTINGS_MODULE": "mysite.settings.production", "REDIS_URL": "build",
                   "DJANGO_SECRET_KEY": "collectstatic-build"}, line
    built = under_env_i(root, {**stage, **own}, "manage.py", "collectstatic", "--noinput", "--dry-run")
    assert built.returncode == 0, built.stderr.strip().splitlines()[-1:]


@pytest.mark.parametrize("body, variables", [
    ('SENTRY_DSN = os.environ["SENTRY_DSN"]\nsentry_sdk.init(dsn=SENTRY_DSN)\n', ["SENTRY_DSN"]),
    ('FEATURES = json.loads(os.environ["FEATURES"])\n', ["FEATURES"]),
    ('STATIC_ROOT = os.environ["STATIC_ROOT"]\n', ["STATIC_ROOT"]),
    ('AWS_STORAGE_BUCKET_NAME = os.environ["BUCKET"]\nSECRET = os.environ["DJANGO_SECRET_KEY"]\n', ["BUCKET"]),
], ids=["unknown-function", "json", "static-root", "storage-bucket"])
def test_a_value_it_cannot_choose_declines_the_step(body, variables, tmp_path):
    imports = "import json\nimport os\n\nimport sentry_sdk\n"
    spelling = Spelling("declined", imports, 'SECRET_KEY = "x"\nDEBUG = False\nALLOWED_HOSTS = []\n', {})
    files = project_files(spelling)
    files["mysite/settings.py"] += "\n" + body
    files["mysite/settings.py"] = files["mysite/settings.py"].replace('STATIC_ROOT = BASE_DIR / "staticfiles"\n', "") \
        if "STATIC_ROOT" in body else files["mysite/settings.py"]
    files["mysite/settings.py"] = files["mysite/settings.py"].replace(
        'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}',
        'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("DATABASE_URL")}}')
    root = write_project(tmp_path / "project", files)
    status = run_cli("status", cwd=root)
    line = next(line for line in status.stdout.splitlines() if line.startswith("collectstatic"))
    assert line.split()[1:3] == ["not", "applicable"], line
    for variable in variables:
        assert variable in line, line
    assert "\n" not in line
    applied = run_cli("apply", "--step", "collectstatic", cwd=root)
    assert applied.returncode == 0, applied.stderr
    assert git_status(root) == []  # nothing written: no line, no fallback, no STATIC_ROOT


@pytest.mark.parametrize("existing", [
    "RUN SECRET_KEY=dummy python manage.py collectstatic --noinput",
    "RUN DJANGO_SECRET_KEY=collectstatic-build DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput",
])
def test_an_existing_line_with_variables_is_done(existing, tmp_path):
    spelling = SPELLINGS[0]
    files = project_files(spelling)
    files["Dockerfile"] = DOCKERFILE.replace("CMD", existing + "\nCMD")
    root = write_project(tmp_path / "project", files)
    status = run_cli("status", cwd=root)
    line = next(line for line in status.stdout.splitlines() if line.startswith("collectstatic"))
    assert line.split()[1] == "done", line
    run_cli("apply", "--all", cwd=root)
    assert (root / "Dockerfile").read_text().count("collectstatic --noinput") == 1


def test_the_reason_names_each_made_up_value_on_one_line(tmp_path):
    root = write_project(tmp_path / "project", project_files(SPELLINGS[0]))
    status = run_cli("status", cwd=root)
    line = next(line for line in status.stdout.splitlines() if line.startswith("collectstatic"))
    assert "RUN SECRET_KEY=collectstatic-build python manage.py collectstatic --noinput" in line
    assert 'SECRET_KEY (SECRET_KEY = os.environ["SECRET_KEY"])' in line
    assert "never in the settings" in line


# --- Every fixture of the production matrix (tests/production_fixtures.py) --------------------------

@pytest.mark.parametrize("name", [name for name, fixture in FIXTURES.items()
                                  if fixture.production and builds_with_collectstatic(fixture)])
def test_every_migrated_fixture_collects_under_env_i(name, tmp_path, tmp_path_factory):
    """The issue's check: each migrated fixture whose Dockerfile runs collectstatic imports its
    settings under `env -i` with only the final stage's ENV and the RUN line's own words."""
    run = matrix_migrated(name, tmp_path_factory)
    found = collectstatic_in_final_stage(run.root / "Dockerfile")
    assert found is not None, run.first.stderr
    variables, words = found
    image = tmp_path / "image"
    shutil.copytree(run.root, image, ignore=shutil.ignore_patterns(".git"))
    assert words[0] in ("python", "python3"), words
    built = under_env_i(image, variables, *words[1:], "--dry-run")
    assert built.returncode == 0, built.stderr.strip().splitlines()[-1:]
