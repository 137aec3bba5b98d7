"""Issue 14's checks on the Djangos other than the installed one: `django-admin startproject` of
Django 3.2 and 4.2, and the Divio tutorial project under the Django 3.1 its requirements pin.
Each is a temporary git repository with a Heroku Procfile (so proxy-ssl-header applies), changed
by `refactor-app apply --all --hardening` through the CLI, then run by the real Django of that
version from its own venv (tests/django_venvs.py; cached between runs):

- production (the README's Deploy-ready variables): `check --deploy` is clean; a forwarded HTTPS
  request gets the admin login page with Secure cookies and logs in; a plain one gets one 301 to
  https:// (the forwarded request that follows it is served: no loop);
- local work (the project's .env-local): the login page and login over plain HTTP, cookies not Secure.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import project_builder
from conftest import EXAMPLE, committed_project, git, run_cli
from django_venvs import venv_python
from hardening_checks import (
    PROCFILE, PRODUCTION, client_answers, deploy_check, env_file, loaded, python_run, startproject,
)
from refactor_app import api

# What the tutorial's settings import, as its requirements.txt pins them; left out: the uWSGI
# server, the PostgreSQL driver (the tests use SQLite through DATABASE_URL) and boto3 (S3 only).
NOT_IMPORTED = ("uwsgi", "psycopg2", "boto3")


def tutorial_requirements() -> list[str]:
    lines = (EXAMPLE / "requirements.txt").read_text().split()
    return [line for line in lines if not line.lower().startswith(NOT_IMPORTED)]


@dataclass
class Case:
    requirements: list[str]
    django: str  # the major.minor that runs
    settings: str = "mysite.settings"
    bare_origins: bool = False  # CSRF_TRUSTED_ORIGINS without the scheme: Django before 4.0
    local_extra: dict = field(default_factory=dict)


CASES = {
    "startproject-3.2": Case(["Django==3.2.*"], "3.2", bare_origins=True),
    "startproject-4.2": Case(["Django==4.2.*"], "4.2"),
    # The compose file's PostgreSQL service is not here: local runs get SQLite instead.
    "divio-tutorial": Case(tutorial_requirements(), "3.1", settings="myapp.settings", bare_origins=True,
                           local_extra={"DATABASE_URL": "sqlite:///db.sqlite3"}),
}


@dataclass
class Deployed:
    case: Case
    root: Path
    python: str
    applied: subprocess.CompletedProcess

    def run(self) -> dict:
        return {"python": self.python, "settings": self.case.settings}

    def local(self) -> dict:
        from refactor_app.project import discover

        # The env file local work loads: .env beside the Procfile (`heroku local`), else .env-local.
        return {**env_file(discover(self.root).env_path), **self.case.local_extra}


@pytest.fixture(scope="module", params=list(CASES))
def deployed(request, tmp_path_factory) -> Deployed:
    case = CASES[request.param]
    python = str(venv_python(request.param, case.requirements))
    work = tmp_path_factory.mktemp(request.param)
    if request.param == "divio-tutorial":
        root = committed_project(EXAMPLE, work / "divio-tutorial")
        (root / "Procfile").write_text("web: uwsgi --module=myapp.wsgi --http=0.0.0.0:$PORT\n")
        git(root, "add", "Procfile")
        git(root, "commit", "-q", "-m", "on Heroku")
    else:
        root = startproject(work, "\n".join(case.requirements), python, **PROCFILE)
    applied = run_cli("apply", "--all", "--hardening", cwd=root)
    deployed = Deployed(case, root, python, applied)
    if applied.returncode == 0 and request.param == "divio-tutorial":
        # The page's collectstatic step moved it into the image build, which runs with no environment.
        assert "RUN python manage.py collectstatic --noinput" in (root / "Dockerfile").read_text()
        build = python_run(root, ["manage.py", "collectstatic", "--noinput"], {}, **deployed.run())
        assert build.returncode == 0, build.stderr
    return deployed


def test_the_asked_django_runs(deployed):
    assert deployed.applied.returncode == 0, deployed.applied.stdout + deployed.applied.stderr
    version = python_run(deployed.root, ["-c", "import django; print(django.get_version())"], {}, **deployed.run())
    assert version.stdout.startswith(deployed.case.django + "."), version.stdout + version.stderr
    settings = (deployed.root / deployed.case.settings.replace(".", "/")).with_suffix(".py").read_text()
    assert f"using Django {deployed.case.django}." in settings  # the template of that version


def test_deploy_check_is_clean_in_production(deployed):
    check = deploy_check(deployed.root, PRODUCTION, **deployed.run())
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no issues" in check.stdout + check.stderr


def test_production_behind_the_proxy(deployed):
    values = loaded(deployed.root, ["CSRF_TRUSTED_ORIGINS", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE",
                                    "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT"], PRODUCTION, **deployed.run())
    origin = "example.com" if deployed.case.bare_origins else "https://example.com"
    assert values == {"CSRF_TRUSTED_ORIGINS": [origin], "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
                      "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SECURE_SSL_REDIRECT": True}
    plain = client_answers(deployed.root, PRODUCTION, "example.com", {}, **deployed.run())
    assert plain["get"][:2] == [301, "https://example.com/admin/login/"]
    # What the proxy sends for the redirected https:// request: served, not redirected again.
    forwarded = client_answers(deployed.root, PRODUCTION, "example.com", {"HTTP_X_FORWARDED_PROTO": "https"},
                               **deployed.run())
    assert forwarded["get"][0] == 200 and forwarded["get"][2]["csrftoken"] is True
    assert forwarded["post"] == 200  # a wrong password: the form again, not a CSRF 403
    assert forwarded["login"][:2] == [302, "/admin/"], forwarded
    assert forwarded["login"][2]["sessionid"] is True


def test_a_form_from_a_domain_alias_is_a_trusted_origin(deployed):
    # The step's reason to be: a page on www.example.com posting to example.com. Django 4.0 and
    # later match the Origin against https://HOST entries, earlier ones the Referer's host against bare
    # hosts; the wrong form for the version is silently never matched (a CSRF 403).
    forwarded = {"HTTP_X_FORWARDED_PROTO": "https"}
    with_alias = {**PRODUCTION, "DOMAIN_ALIASES": "www.example.com"}
    origins = loaded(deployed.root, ["CSRF_TRUSTED_ORIGINS"], with_alias, **deployed.run())["CSRF_TRUSTED_ORIGINS"]
    scheme = "" if deployed.case.bare_origins else "https://"
    assert origins == [scheme + "example.com", scheme + "www.example.com"]
    trusted = client_answers(deployed.root, with_alias, "example.com", forwarded, "www.example.com", **deployed.run())
    assert trusted["post"] == 200 and trusted["login"][:2] == [302, "/admin/"], trusted
    untrusted = client_answers(deployed.root, PRODUCTION, "example.com", forwarded, "www.example.com",
                               **deployed.run())
    assert untrusted["post"] == 403, untrusted  # the control: without the alias, refused


def test_local_work_over_plain_http(deployed):
    local = deployed.local()
    assert local["SECURE_SSL_REDIRECT"] == "False" and local["DJANGO_DEBUG"] == "True"
    values = loaded(deployed.root, ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER",
                                    "SECURE_HSTS_SECONDS", "DEBUG"], local, **deployed.run())
    assert values == {"SESSION_COOKIE_SECURE": False, "CSRF_COOKIE_SECURE": False, "SECURE_PROXY_SSL_HEADER": None,
                      "SECURE_HSTS_SECONDS": 0, "DEBUG": True}
    over_http = client_answers(deployed.root, local, "localhost", {}, **deployed.run())
    assert over_http["get"][0] == 200 and over_http["get"][2]["csrftoken"] is False
    assert over_http["post"] == 200
    assert over_http["login"][:2] == [302, "/admin/"], over_http
    assert over_http["login"][2]["sessionid"] is False


def test_apply_again_changes_nothing(deployed):
    again = run_cli("apply", "--all", "--hardening", "--check", cwd=deployed.root)
    assert again.returncode == 0, again.stdout + again.stderr


@pytest.mark.parametrize("name, text, bare", [
    ("requirements.txt", "Django<4.0.1\n", False),  # 4.0.0 is allowed
    ("requirements/common.txt", "Django==3.2.25\n", True),
    ("requirements-prod.txt", "Django~=3.2\n", True),
    ("pyproject.toml", '[tool.poetry.dependencies]\npython = "^3.8"\ndjango = "^3.2"\n', True),
    ("pyproject.toml", '[tool.poetry.dependencies]\nDjango = {version = "~3.2", extras = ["argon2"]}\n', True),
    ("pyproject.toml", '[tool.poetry.dependencies]\nDjango = "^4.2"\n', False),
    ("pyproject.toml", '[project]\ndependencies = ["Django>=3.2,<4"]\n', True),
    ("pyproject.toml", '[project]\ndependencies = ["Django>=3.2", "celery<5"]\n', False),
    ("setup.py", 'setup(name="django-x", install_requires=["Django>=3.2,<4.0"])\n', True),
    ("setup.cfg", "[options]\ninstall_requires =\n    Django>=3.2,<4\n", True),
    ("Pipfile", '[packages]\ndjango = {version = ">=3.2,<4", extras = ["argon2"]}\n', True),
    ("requirements.txt", "Django>=4.2 ; python_version<'3.12'\n", False),
])
def test_the_origin_form_follows_the_requirement_spelling(tmp_path, name, text, bare):
    root = project_builder.startproject(tmp_path, **{name: text})
    api.apply(api.make_plan(api.discover(root), ["csrf-trusted-origins"]))
    written = (root / "mysite/settings.py").read_text()
    assert ("'https://' + host" not in written) is bare, written


def test_requirements_beside_manage_py_in_a_sub_folder_count(tmp_path):
    project_builder.write_project(tmp_path, {
        "Dockerfile": "FROM python:3.8\nCOPY backend /app\n",
        "backend/requirements.txt": "Django==3.2.25\n", "backend/manage.py": project_builder.MANAGE_PY,
        "backend/mysite/__init__.py": "", "backend/mysite/settings.py": project_builder.STARTPROJECT_SETTINGS})
    result = run_cli("apply", "--step", "csrf-trusted-origins", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "bare hosts" in result.stdout + result.stderr and "'https://'" not in (tmp_path / "backend/mysite/settings.py").read_text()


def test_schemed_origins_before_django_4_are_not_done(tmp_path):
    root = startproject(tmp_path, requirement="Django==3.2.25")
    settings = root / "mysite/settings.py"
    settings.write_text(settings.read_text() + "\nCSRF_TRUSTED_ORIGINS = ['https://example.com', 'https://b.example.com', "
                        "'b.example.com']\n")
    git(root, "commit", "-qam", "the 4.0 spelling too early")
    row = next(row for row in run_cli("status", "--hardening", cwd=root).stdout.splitlines()
               if row.startswith("csrf-trusted-origins"))
    assert row.split()[1:3] == ["not", "applicable"] and "(https://example.com)" in row, row
