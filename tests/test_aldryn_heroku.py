"""Settings made or rewritten by a package the settings module hands its namespace to (issue 12):
Aldryn projects (`aldryn_addons.settings.load(locals())`, Divio's previous platform) and
`django_heroku.settings(locals())`. Each case is a small project committed to a temporary git
repository, run through the CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import git, git_status, run_cli
from golden_cases import tree_files
from project_builder import DOCKERFILE, STARTPROJECT_SETTINGS, startproject, write_project
from refactor_app.errors import RefactorError
from refactor_app.project import aldryn_startup_settings, discover

# An Aldryn project as Divio's control panel generated it (files verbatim, Dockerfile shortened).
ALDRYN_MANAGE = '''#!/usr/bin/env python
import os
from aldryn_django import startup

if __name__ == "__main__":
    startup.manage(path=os.path.dirname(os.path.abspath(__file__)))
'''
ALDRYN_WSGI = '''import os
from aldryn_django import startup

application = startup.wsgi(path=os.path.dirname(__file__))
'''
ALDRYN_SETTINGS = '''# -*- coding: utf-8 -*-

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
'''
ALDRYN_DOCKERFILE = """# <DOCKER_FROM>  # Warning: text inside the DOCKER_FROM tags is auto-generated. Manual changes will be overwritten.
FROM divio/base:4.15-py3.6-slim-stretch
# </DOCKER_FROM>

# <PYTHON>  # Warning: text inside the PYTHON tags is auto-generated. Manual changes will be overwritten.
COPY requirements.* /app/
COPY addons-dev /app/addons-dev/
RUN pip-reqs compile && pip-reqs resolve && pip install --no-index --no-deps --requirement requirements.urls
# </PYTHON>

# <SOURCE>  # Warning: text inside the SOURCE tags is auto-generated. Manual changes will be overwritten.
COPY . /app
# </SOURCE>

# <STATIC>  # Warning: text inside the STATIC tags is auto-generated. Manual changes will be overwritten.
RUN DJANGO_MODE=build python manage.py collectstatic --noinput
# </STATIC>
"""
ALDRYN_GITIGNORE = "# Divio\n.divio\n/data\n/static_collected\n"
ALDRYN_LINE = 12  # aldryn_addons.settings.load(locals())


def aldryn_project(root: Path, settings: str = ALDRYN_SETTINGS, **extra) -> Path:
    return write_project(root, {
        "manage.py": ALDRYN_MANAGE, "wsgi.py": ALDRYN_WSGI, "settings.py": settings, "urls.py": "urlpatterns = []\n",
        "Dockerfile": ALDRYN_DOCKERFILE, ".gitignore": ALDRYN_GITIGNORE, "requirements.in": "aldryn-django\n",
        "docker-compose.yml": "services:\n  web:\n    env_file: .env-local\n",
        **extra,
    })


def status_json(root: Path) -> dict:
    result = run_cli("status", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def states(document: dict) -> dict[str, tuple[str, str]]:
    return {step["name"]: (step["state"], step["reason"]) for step in document["steps"]}


# --- discovery ----------------------------------------------------------------------------------

@pytest.mark.parametrize("manage", [
    ALDRYN_MANAGE,
    "import os\nimport aldryn_django.startup\n\naldryn_django.startup.manage(path=os.getcwd())\n",
    "from aldryn_django import startup as boot\nboot.manage(path='.')\n",
])
def test_aldryn_manage_py_names_the_settings_module_beside_it(tmp_path, manage):
    (tmp_path / "manage.py").write_text(manage)
    assert aldryn_startup_settings(tmp_path / "manage.py", "manage.py") == "settings"


@pytest.mark.parametrize("manage", [
    "import os\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line()\n",
    "# was: from aldryn_django import startup\nimport os\n",  # a mention, no call
    "from aldryn_django import startup\nstartup.wsgi(path='.')\n",  # not manage
    "from other import startup\nstartup.manage(path='.')\n",
    "from aldryn_django import startup\nprint 'python 2'\n",  # cannot be parsed
])
def test_other_manage_py_files_are_not_aldryn(tmp_path, manage):
    (tmp_path / "manage.py").write_text(manage)
    assert aldryn_startup_settings(tmp_path / "manage.py", "manage.py") is None


def test_discover_uses_the_settings_py_beside_an_aldryn_manage_py(tmp_path):
    root = aldryn_project(tmp_path / "aldryn")
    project = discover(root)
    assert project.settings_paths == ((root / "settings.py").resolve(),)
    assert project.manage_path == root / "manage.py"


def test_aldryn_manage_py_without_settings_py_is_a_plain_error(tmp_path):
    root = write_project(tmp_path / "aldryn", {"manage.py": ALDRYN_MANAGE})
    with pytest.raises(RefactorError, match="runs aldryn_django.startup.*settings.py is not beside it"):
        discover(root)
    result = run_cli("status", cwd=root)
    assert result.returncode == 2 and "pass --settings" in result.stderr, result.stderr


# --- Aldryn: aldryn-django sets the settings ---------------------------------------------------

def test_aldryn_project_is_left_as_it_is_and_each_step_says_why(tmp_path):
    root = aldryn_project(tmp_path / "aldryn")
    before = tree_files(root)

    text = run_cli("status", cwd=root)
    assert text.returncode == 0, text.stderr
    assert "aldryn_addons.settings.load(locals())" in text.stdout
    # Nothing for refactor-app to do, and what the user must do, as apply and the dry run say it.
    lines = text.stdout.splitlines()
    after = lines[lines.index("Nothing to do: every step is done or not applicable.") + 1:]
    assert after == [
        f"Warning: settings.py line {ALDRYN_LINE}: aldryn-django allows every host ('*') while the ALLOWED_HOSTS "
        "variable is unset; set ALLOWED_HOSTS in each environment as a Python list (ALLOWED_HOSTS=['www.example.com']; "
        "DOMAIN, DOMAIN_ALIASES and DOMAIN_REDIRECTS are added to it).",
        f"Warning: settings.py line {ALDRYN_LINE}: aldryn-django does not redirect to HTTPS while the "
        "SECURE_SSL_REDIRECT variable is unset; set SECURE_SSL_REDIRECT=True in each environment served over HTTPS.",
    ]

    found = states(status_json(root))
    where = f"settings.py line {ALDRYN_LINE}: "
    assert found["debug"][0] == "done"
    assert found["debug"][1].startswith(where + "DEBUG is set by aldryn-django")
    assert "reads DEBUG from the environment, off when it is unset" in found["debug"][1]
    assert found["secret-key"][0] == "done" and "reads SECRET_KEY from the environment" in found["secret-key"][1]
    # aldryn-django's own defaults are unsafe here: not "done", and nothing is added over them.
    assert found["allowed-hosts"][0] == "not applicable"
    assert "allows every host ('*') while the ALLOWED_HOSTS variable is unset" in found["allowed-hosts"][1]
    assert found["ssl-redirect"][0] == "not applicable"
    assert "set SECURE_SSL_REDIRECT=True in each environment" in found["ssl-redirect"][1]
    assert found["collectstatic"][0] == "done"
    assert "the Dockerfile runs collectstatic" in found["collectstatic"][1]
    assert "STATIC_ROOT is set by aldryn-django" in found["collectstatic"][1]
    assert found["staticfiles"] == ("done", "static_collected/ is not committed and .gitignore ignores it")

    for _ in range(2):
        result = run_cli("apply", "--all", cwd=root)
        assert result.returncode == 0, result.stderr
        assert "Nothing to do" in result.stderr
        assert tree_files(root) == before and git_status(root) == []
    assert run_cli("apply", "--all", "--check", cwd=root).returncode == 0


def test_aldryn_unsafe_defaults_are_warnings_in_json(tmp_path):
    root = aldryn_project(tmp_path / "aldryn")
    document = run_cli("apply", "--all", "--format", "json", cwd=root)
    assert document.returncode == 0, document.stderr
    warnings = json.loads(document.stdout)["warnings"]
    assert any(w.startswith(f"settings.py line {ALDRYN_LINE}: aldryn-django allows every host") for w in warnings)
    assert any("does not redirect to HTTPS" in w for w in warnings)
    assert json.loads(document.stdout)["changed"] is False


def test_aldryn_debug_assigned_after_load_is_rewritten_and_nothing_else_is_added(tmp_path):
    root = aldryn_project(tmp_path / "aldryn", ALDRYN_SETTINGS + "\nDEBUG = True\n")
    found = states(status_json(root))
    assert found["debug"] == ("pending", "settings.py: DEBUG = True becomes on only when DJANGO_DEBUG=True; "
                                         ".env-local: + DJANGO_DEBUG=True")
    assert found["ssl-redirect"][0] == "not applicable"

    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    migrated = (root / "settings.py").read_text()
    assert migrated.endswith("\nDEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"\n")
    assert migrated.count("DEBUG =") == 1
    for added in ("SECURE_SSL_REDIRECT", "STATIC_ROOT", "DIVIO_", "ALLOWED_HOSTS", "SECRET_KEY", "DATABASE"):
        assert added not in migrated, added
    assert (root / ".env-local").read_text() == "DJANGO_DEBUG=True\n"
    assert sorted(line[3:] for line in git_status(root)) == [".env-local", "settings.py"]

    again = run_cli("apply", "--all", cwd=root)
    assert again.returncode == 0 and "Nothing to do" in again.stderr, again.stderr


def test_aldryn_setting_assigned_before_load_is_aldryns_default_and_made_safe(tmp_path):
    # aldryn-addons' djsenv: a Django setting set before load() is the value used while the
    # variable is unset, so DEBUG = True there means DEBUG on in production: rewritten as usual.
    settings = ALDRYN_SETTINGS.replace("INSTALLED_ADDONS = [", "DEBUG = True\n\nINSTALLED_ADDONS = [")
    root = aldryn_project(tmp_path / "aldryn", settings)
    assert states(status_json(root))["debug"][0] == "pending"
    assert run_cli("apply", "--all", cwd=root).returncode == 0
    assert "DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"\n" in (root / "settings.py").read_text()


def test_aldryn_dockerfile_without_collectstatic_gets_the_build_mode_line(tmp_path):
    dockerfile = ALDRYN_DOCKERFILE.replace("RUN DJANGO_MODE=build python manage.py collectstatic --noinput\n", "")
    dockerfile = dockerfile.replace("# </DOCKER_FROM>\n", "# </DOCKER_FROM>\nWORKDIR /app\n")
    root = aldryn_project(tmp_path / "aldryn", Dockerfile=dockerfile)
    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    lines = (root / "Dockerfile").read_text().splitlines()
    assert lines[lines.index("COPY . /app") + 1] == "RUN DJANGO_MODE=build python manage.py collectstatic --noinput"
    assert git_status(root) == [" M Dockerfile"]


def test_aldryn_committed_static_collected_is_removed_and_the_static_source_kept(tmp_path):
    root = aldryn_project(tmp_path / "aldryn", **{
        ".gitignore": "/data\n",
        "static_collected/css/site.css": "body {}\n",
        "static_collected/admin/js/core.js": "var x;\n",
        "static/css/site.css": "body {}\n",  # aldryn-django's STATICFILES_DIRS: source
    })
    found = states(status_json(root))
    assert found["staticfiles"] == ("pending", "git rm -r static_collected (2 committed files); "
                                               ".gitignore: + /static_collected")
    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    assert not (root / "static_collected").exists()
    assert (root / "static" / "css" / "site.css").read_text() == "body {}\n"
    assert (root / ".gitignore").read_text() == "/data\n/static_collected\n"
    assert "static/css/site.css" in git(root, "ls-files").splitlines()


# --- django_heroku.settings(locals()): ALLOWED_HOSTS = ['*'] after the module ran -----------------

# What the real call does to ALLOWED_HOSTS (heroku/django-heroku, django_heroku/core.py), so that
# real Django can load the settings without the package.
HEROKU_STUB = '''def settings(config, *, allowed_hosts=True, **kwargs):
    if allowed_hosts:
        config["ALLOWED_HOSTS"] = ["*"]
'''
LOADER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from django.conf import Settings
print(json.dumps(Settings("mysite.settings").ALLOWED_HOSTS))
"""


def heroku_project(root: Path, call: str, package: str = "django_heroku") -> Path:
    settings = STARTPROJECT_SETTINGS.replace("ALLOWED_HOSTS = []", "ALLOWED_HOSTS = ['*']")
    settings += f"\n# Configure Django App for Heroku.\nimport {package}\n{call}\n"
    return startproject(root, settings, Dockerfile=DOCKERFILE, **{f"{package}.py": HEROKU_STUB})


def allowed_hosts(root: Path, **environment: str) -> list[str]:
    pytest.importorskip("django")
    env = {"PATH": os.environ.get("PATH", ""), **environment}
    result = subprocess.run([sys.executable, "-c", LOADER, str(root)], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


HEROKU_LINE = len(STARTPROJECT_SETTINGS.splitlines()) + 4  # the call: below a blank line, a comment and the import


@pytest.mark.parametrize("package", ["django_heroku", "django_on_heroku"])
def test_django_heroku_resetting_allowed_hosts_is_warned_about_and_not_done(tmp_path, package):
    root = heroku_project(tmp_path / "p", f"{package}.settings(locals())", package)
    assert (root / "mysite/settings.py").read_text().splitlines()[HEROKU_LINE - 1] == f"{package}.settings(locals())"
    warning = (f"mysite/settings.py line {HEROKU_LINE}: {package}.settings(locals()) sets ALLOWED_HOSTS = ['*'] "
               "after the module ran, so every host is allowed whatever the settings say; pass allowed_hosts=False "
               "to it to keep the settings' own value")

    text = run_cli("status", cwd=root)
    assert text.returncode == 0, text.stderr
    assert warning in text.stdout
    document = status_json(root)
    assert warning in document["warnings"]
    assert states(document)["allowed-hosts"] == ("not applicable", warning + ", then run again")

    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    assert f"Warning: {warning}" in result.stderr
    migrated = (root / "mysite/settings.py").read_text()
    assert "ALLOWED_HOSTS = ['*']\n" in migrated and "DIVIO_DOMAIN" not in migrated
    assert "DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"" in migrated  # the other steps ran
    assert allowed_hosts(root, DOMAIN="www.example.com") == ["*"]  # what production runs with, still


def test_django_heroku_with_allowed_hosts_false_has_no_warning_and_hosts_come_from_the_environment(tmp_path):
    root = heroku_project(tmp_path / "p", "django_heroku.settings(locals(), allowed_hosts=False)")
    document = status_json(root)
    assert not [w for w in document["warnings"] if "django_heroku" in w]
    assert states(document)["allowed-hosts"][0] == "pending"

    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "settings(locals()) sets" not in result.stderr
    assert allowed_hosts(root, DOMAIN="www.example.com") == ["www.example.com"]
    assert states(status_json(root))["allowed-hosts"][0] == "done"


def test_allowed_hosts_assigned_after_the_django_heroku_call_is_what_counts(tmp_path):
    root = heroku_project(tmp_path / "p", "django_heroku.settings(locals())\nALLOWED_HOSTS = ['*']")
    document = status_json(root)
    assert not [w for w in document["warnings"] if "django_heroku" in w]
    assert states(document)["allowed-hosts"][0] == "pending"
    assert run_cli("apply", "--all", cwd=root).returncode == 0
    assert allowed_hosts(root, DOMAIN="www.example.com") == ["www.example.com"]


def test_django_heroku_staticfiles_folder_is_the_one_removed(tmp_path):
    # STATIC_ROOT = BASE_DIR/'staticfiles' after the module ran: that is what collectstatic fills.
    settings = STARTPROJECT_SETTINGS.replace('BASE_DIR / "staticfiles"', 'BASE_DIR / "collected"')
    settings += "\nimport django_heroku\ndjango_heroku.settings(locals(), allowed_hosts=False)\n"
    root = startproject(tmp_path / "p", settings, Dockerfile=DOCKERFILE, **{
        "django_heroku.py": HEROKU_STUB, "staticfiles/admin/app.css": "a {}\n", "collected/keep.css": "b {}\n",
    })
    line = settings.splitlines().index("django_heroku.settings(locals(), allowed_hosts=False)") + 1
    document = status_json(root)
    assert states(document)["staticfiles"] == ("pending", "git rm -r staticfiles (1 committed file); "
                                                          ".gitignore: + /staticfiles")
    assert any(w.startswith(f"mysite/settings.py line {line}: django_heroku.settings(locals()) sets STATIC_ROOT")
               for w in document["warnings"]), document["warnings"]
    assert run_cli("apply", "--all", cwd=root).returncode == 0
    assert not (root / "staticfiles").exists() and (root / "collected/keep.css").exists()
