"""Issue 12, principle 1: the steps edit the settings module production runs, found from the
project's own deployment files in the documented order; modules only local work or tests load
are left alone byte for byte, and `status` names them. When it cannot tell: exit 2, with the
`--settings` lines to choose from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from project_builder import MANAGE_PY, write_project
from refactor_app.deployment import deployment_namings, settings_in_command
from refactor_app.project import discover
from test_cli import run_cli

BASE = '''from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SECRET_KEY = "django-insecure-base"
DEBUG = True
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["django.contrib.staticfiles"]
STATIC_URL = "static/"
'''
DEV = "from .base import *  # noqa\n\nDEBUG = True\nALLOWED_HOSTS = ['localhost', '127.0.0.1']\n"
TEST = "from .base import *  # noqa\n\nSECRET_KEY = 'test'\n"
PRODUCTION = "from .base import *  # noqa\n\nDEBUG = False\n"


def package_project(root: Path, manage: str = "dev", wsgi: str | None = "dev", modules=("base", "dev", "test", "production"),
                    **extra: str) -> Path:
    files = {
        "manage.py": MANAGE_PY.replace("mysite.settings", f"mysite.settings.{manage}"),
        "mysite/__init__.py": "",
        "mysite/settings/__init__.py": "",
        **{f"mysite/settings/{name}.py": {"base": BASE, "dev": DEV, "test": TEST}.get(name, PRODUCTION) for name in modules},
        **extra,
    }
    if wsgi is not None:
        files["mysite/wsgi.py"] = f"import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings.{wsgi}')\n"
    return write_project(root, files)


def chosen(root: Path) -> str:
    project = discover(root)
    return project.display(project.settings_path)


# --- what the deployment files name ----------------------------------------------------------------

@pytest.mark.parametrize("files, expected", [
    ({"Dockerfile": "FROM python\nENV DJANGO_SETTINGS_MODULE=mysite.settings.production\n"},
     ("mysite.settings.production", "Dockerfile's ENV DJANGO_SETTINGS_MODULE")),
    ({"Dockerfile": "FROM python\nENV DJANGO_SETTINGS_MODULE mysite.settings.production\n"},
     ("mysite.settings.production", "Dockerfile's ENV DJANGO_SETTINGS_MODULE")),
    ({"Dockerfile": "FROM python\nENV PYTHONUNBUFFERED=1 \\\n    DJANGO_SETTINGS_MODULE=\"mysite.settings.prod\"\n"},
     ("mysite.settings.prod", "Dockerfile's ENV DJANGO_SETTINGS_MODULE")),
    ({"Dockerfile": 'FROM python\nCMD ["python", "manage.py", "runserver", "--settings=mysite.settings.live"]\n'},
     ("mysite.settings.live", "Dockerfile's CMD --settings")),
    ({"Dockerfile": 'FROM python\nCMD ["gunicorn", "mysite.wsgi", "--env", "DJANGO_SETTINGS_MODULE=mysite.settings.live"]\n'},
     ("mysite.settings.live", "Dockerfile's CMD DJANGO_SETTINGS_MODULE")),
    ({"Procfile": "release: python manage.py migrate\nweb: gunicorn mysite.wsgi --env DJANGO_SETTINGS_MODULE=mysite.settings.heroku\n"},
     ("mysite.settings.heroku", "the Procfile's web process")),
    ({"Procfile": "web: DJANGO_SETTINGS_MODULE=mysite.settings.heroku gunicorn mysite.wsgi\n"},
     ("mysite.settings.heroku", "the Procfile's web process")),
    ({"docker-compose.production.yml": "services:\n  django:\n    environment:\n      - DJANGO_SETTINGS_MODULE=mysite.settings.production\n"},
     ("mysite.settings.production", "docker-compose.production.yml's service django")),
    ({"production.yml": "services:\n  django:\n    env_file: [.envs/.production/.django]\n",
      ".envs/.production/.django": "DJANGO_SETTINGS_MODULE=mysite.settings.production\n"},
     ("mysite.settings.production", "production.yml's service django (env_file .envs/.production/.django)")),
    ({"app.json": json.dumps({"env": {"DJANGO_SETTINGS_MODULE": {"value": "mysite.settings.heroku"}}})},
     ("mysite.settings.heroku", "app.json's env")),
    ({"fly.toml": "app = 'x'\n\n[env]\n  DJANGO_SETTINGS_MODULE = 'mysite.settings.fly'\n"},
     ("mysite.settings.fly", "fly.toml's [env]")),
    ({"render.yaml": "services:\n  - type: web\n    name: site\n    envVars:\n      - key: DJANGO_SETTINGS_MODULE\n        value: mysite.settings.render\n"},
     ("mysite.settings.render", "render.yaml's service site")),
    # Found by a red-team run: each was the only place production's module was named.
    ({"railway.toml": "[deploy]\nstartCommand = \"python manage.py migrate --settings=mysite.settings.prod && "
                      "gunicorn mysite.wsgi\"\n"},
     ("mysite.settings.prod", "railway.toml's startCommand")),
    ({"railway.json": json.dumps({"deploy": {"startCommand": "DJANGO_SETTINGS_MODULE=mysite.settings.prod gunicorn mysite.wsgi"}})},
     ("mysite.settings.prod", "railway.json's startCommand")),
    ({".do/app.yaml": "name: x\nservices:\n- name: web\n  envs:\n  - key: DJANGO_SETTINGS_MODULE\n"
                      "    value: mysite.settings.production\n"},
     ("mysite.settings.production", ".do/app.yaml's service web")),
    ({"gunicorn.conf.py": "bind = '0.0.0.0:8000'\nraw_env = ['DJANGO_SETTINGS_MODULE=mysite.settings.production']\n"},
     ("mysite.settings.production", "gunicorn.conf.py's raw_env")),
    ({"deploy/gunicorn.service": "[Service]\nEnvironment=\"DJANGO_SETTINGS_MODULE=mysite.settings.production\"\n"
                                 "ExecStart=/srv/venv/bin/gunicorn mysite.wsgi\n"},
     ("mysite.settings.production", "deploy/gunicorn.service's Environment")),
])
def test_deployment_files_name_the_module(tmp_path, files, expected):
    write_project(tmp_path, files, commit=False)
    assert [tuple(naming) for naming in deployment_namings(tmp_path)] == [expected]


@pytest.mark.parametrize("files", [
    {"Dockerfile": "FROM python AS build\nENV DJANGO_SETTINGS_MODULE=mysite.settings.build\nFROM python\nCMD gunicorn\n"},
    {"Dockerfile": "FROM python\nARG SETTINGS\nENV DJANGO_SETTINGS_MODULE=$SETTINGS\n"},
    {"docker-compose.yml": "services:\n  web:\n    environment:\n      DJANGO_SETTINGS_MODULE: mysite.settings.dev\n"},
    {"docker-compose.production.yml": "services: [\n"},
    {"app.json": "{not json"},
    {"fly.toml": "[env\n"},
    {"Procfile": "web: gunicorn mysite.wsgi\n"},
])
def test_what_names_no_production_module(tmp_path, files):
    """An earlier build stage, a variable, local compose, broken files: nothing named."""
    write_project(tmp_path, files, commit=False)
    assert deployment_namings(tmp_path) == []


@pytest.mark.parametrize("command, expected", [
    ("python manage.py migrate --settings mysite.settings.prod", "mysite.settings.prod"),
    ("export DJANGO_SETTINGS_MODULE=a.b; gunicorn a.wsgi", "a.b"),
    ("gunicorn -e DJANGO_SETTINGS_MODULE=a.b a.wsgi", "a.b"),
    (["gunicorn", "--env", "DJANGO_SETTINGS_MODULE=a.b"], "a.b"),
    ("python manage.py migrate --settings=../other", None),
    ("gunicorn a.wsgi", None),
])
def test_settings_in_a_command(command, expected):
    assert settings_in_command(command) == expected


# --- the choice -----------------------------------------------------------------------------------

def test_wsgi_names_production_and_manage_py_dev(tmp_path):
    """cookiecutter-django: manage.py runs local.py, config/wsgi.py production.py."""
    root = package_project(tmp_path, manage="dev", wsgi="production")
    project = discover(root)
    assert project.display(project.settings_path) == "mysite/settings/production.py"
    assert project.production_source == "named by mysite/wsgi.py"
    assert project.display(project.local_path) == "mysite/settings/dev.py"
    assert dict(project.left_alone) == {
        "mysite/settings/dev.py": "manage.py names it; it is for local development",
        "mysite/settings/test.py": "its name says it is for tests",
    }


def test_dockerfile_wins_over_wsgi_and_manage_py(tmp_path):
    """wagtail's bakerydemo: manage.py and wsgi.py name dev; the Dockerfile names production."""
    root = package_project(tmp_path, manage="dev", wsgi="dev", modules=("base", "dev", "production", "staging"),
                           Dockerfile="FROM python:3.12\nENV DJANGO_SETTINGS_MODULE=mysite.settings.staging\n")
    assert chosen(root) == "mysite/settings/staging.py"
    assert discover(root).production_source == "named by Dockerfile's ENV DJANGO_SETTINGS_MODULE"


def test_procfile_before_wsgi(tmp_path):
    root = package_project(tmp_path, manage="dev", wsgi="production", modules=("base", "dev", "production", "heroku"),
                           Procfile="web: gunicorn mysite.wsgi --env DJANGO_SETTINGS_MODULE=mysite.settings.heroku\n")
    assert chosen(root) == "mysite/settings/heroku.py"
    assert "mysite/settings/production.py" in dict(discover(root).left_alone)


def test_a_deployment_naming_a_dev_module_is_not_production(tmp_path):
    root = package_project(tmp_path, manage="dev", wsgi="production",
                           Dockerfile="FROM python\nENV DJANGO_SETTINGS_MODULE=mysite.settings.dev\n")
    assert chosen(root) == "mysite/settings/production.py"


def test_the_production_sibling_when_everything_names_dev(tmp_path):
    root = package_project(tmp_path, manage="dev", wsgi="dev", modules=("base", "dev", "prod"))
    project = discover(root)
    assert project.display(project.settings_path) == "mysite/settings/prod.py"
    assert "prod.py beside mysite/settings/dev.py" in project.production_source


@pytest.mark.parametrize("modules, choices", [
    (("base", "dev"), ["--settings mysite/settings/base.py", "--settings mysite/settings/dev.py"]),
    (("base", "dev", "prod", "production"), ["--settings mysite/settings/production.py", "--settings mysite/settings/prod.py"]),
])
def test_cannot_tell_is_exit_2_with_the_choices(tmp_path, modules, choices):
    root = package_project(tmp_path, manage="dev", wsgi="dev", modules=modules)
    before = {path: path.read_bytes() for path in root.rglob("*.py")}
    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "mysite/settings/dev.py" in result.stderr and "local development" in result.stderr
    for choice in choices:
        assert choice in result.stderr
    assert {path: path.read_bytes() for path in root.rglob("*.py")} == before
    # The choice given, it runs.
    assert run_cli("apply", "--all", "--settings", choices[0].split()[1], cwd=root).returncode == 0


def test_a_deployment_module_not_in_the_project_is_a_note(tmp_path):
    root = package_project(tmp_path, manage="dev", wsgi="production",
                           Dockerfile="FROM python\nENV DJANGO_SETTINGS_MODULE=elsewhere.settings\n")
    project = discover(root)
    assert project.display(project.settings_path) == "mysite/settings/production.py"
    assert any("'elsewhere.settings', which is not in the project" in note for note in project.notes)


def test_startproject_has_one_module_and_nothing_to_say(tmp_path):
    root = write_project(tmp_path, {"manage.py": MANAGE_PY, "mysite/__init__.py": "", "mysite/settings.py": BASE,
                                    "mysite/wsgi.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n",
                                    "mysite/test_views.py": "DEBUG = 1\n"})
    project = discover(root)
    assert (project.production_source, project.left_alone, project.notes) == ("", (), ())


def test_cli_edits_production_only_and_status_names_the_rest(tmp_path):
    root = package_project(tmp_path, manage="dev", wsgi="production")
    untouched = {name: (root / f"mysite/settings/{name}.py").read_bytes() for name in ("dev", "test")}
    status = run_cli("status", cwd=root)
    assert status.returncode == 0, status.stderr
    assert ("Production settings: mysite/settings/production.py (named by mysite/wsgi.py); the steps edit it and "
            "the modules it star-imports; left alone: mysite/settings/dev.py (manage.py names it; it is for local "
            "development); mysite/settings/test.py (its name says it is for tests)") in status.stdout
    document = json.loads(run_cli("status", "--format", "json", cwd=root).stdout)
    assert document["settings"] == ["mysite/settings/production.py"]
    assert document["settings_source"] == "named by mysite/wsgi.py"
    assert [item["settings"] for item in document["left_alone"]] == ["mysite/settings/dev.py", "mysite/settings/test.py"]

    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    production = (root / "mysite/settings/production.py").read_text()
    assert "DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"" in production
    assert "SECURE_SSL_REDIRECT = os.environ.get('SECURE_SSL_REDIRECT') != \"False\"" in production
    assert {name: (root / f"mysite/settings/{name}.py").read_bytes() for name in ("dev", "test")} == untouched


def test_a_dev_module_production_star_imports_is_not_left_alone(tmp_path):
    """production.py builds on dev.py: dev.py is then production's too, and may be edited."""
    root = package_project(tmp_path, manage="dev", wsgi="production", modules=("base", "dev", "test"),
                           **{"mysite/settings/production.py": "from .dev import *  # noqa\n\nDEBUG = False\n"})
    assert dict(discover(root).left_alone) == {"mysite/settings/test.py": "its name says it is for tests"}


def test_verify_loads_local_work_from_manage_py_and_production_from_wsgi(tmp_path):
    root = package_project(tmp_path, manage="dev", wsgi="production")
    assert run_cli("apply", "--all", cwd=root).returncode == 0
    result = run_cli("verify", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    title, header, debug, hosts, *_ = result.stdout.splitlines()
    assert title == "refactor-app verify: mysite.settings.production (production), mysite.settings.dev (local)"
    # dev.py sets DEBUG and its hosts itself; production's module is safe set and unset.
    assert debug.split()[1:] == ["True", "False", "False"]
    assert hosts.startswith("ALLOWED_HOSTS        ['localhost', '127.0.0.1']")


def test_a_settings_switch_takes_its_production_branch(tmp_path):
    """settings/__init__.py picks a module from DJANGO_ENV at run time: production's branch is
    production's module; the switch and the other branch are left alone."""
    switch = ("import os\n\nif os.environ.get('DJANGO_ENV') == 'production':\n    from .production import *  # noqa\n"
              "else:\n    from .dev import *  # noqa\n")
    root = package_project(tmp_path, manage="__init__", wsgi=None, **{"mysite/settings/__init__.py": switch})
    (root / "manage.py").write_text(MANAGE_PY)  # mysite.settings: the package
    project = discover(root)
    assert project.display(project.settings_path) == "mysite/settings/production.py"
    assert project.production_source.startswith("the production branch of mysite/settings/__init__.py's if block (line 4)")
    assert set(dict(project.left_alone)) == {"mysite/settings/__init__.py", "mysite/settings/dev.py", "mysite/settings/test.py"}
