"""Shared by the deploy-ready tests (issue 14): the README's production environment, and running
a project's settings with a real Django (any interpreter: the installed one or a venv's) for
`check --deploy`, the loaded values, and the test client's answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import git

PRODUCTION = {
    "DOMAIN": "example.com",
    "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
    "SECURE_HSTS_PRELOAD": "True",
}
LOCAL = {"DJANGO_DEBUG": "True", "DOMAIN_ALIASES": "localhost, 127.0.0.1", "SECURE_SSL_REDIRECT": "False"}
# Never inherited from the environment running the tests: each run sets exactly what it names.
VARIABLES = {*PRODUCTION, *LOCAL, "DJANGO_SETTINGS_MODULE", "DOMAIN_REDIRECTS", "SESSION_COOKIE_SECURE",
             "DATABASE_URL", "DEFAULT_STORAGE_DSN"}
PROCFILE = {"Procfile": "web: gunicorn mysite.wsgi\n"}


def startproject(tmp_path: Path, requirement: str = "Django>=4.2", python: str = sys.executable,
                 **files: str) -> Path:
    """`django-admin startproject mysite` of `python`'s Django, committed to a new git repository."""
    root = tmp_path / "project"
    root.mkdir()
    subprocess.run([python, "-m", "django", "startproject", "mysite", str(root)], check=True)
    (root / "requirements.txt").write_text(requirement + "\n")
    for name, text in files.items():
        (root / name).write_text(text)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "project")
    return root


def python_run(root: Path, argv: list[str], environment: dict, python: str = sys.executable,
               settings: str = "mysite.settings") -> subprocess.CompletedProcess:
    """`python ARGV` in the project, under exactly `environment` (and its settings module)."""
    env = {key: value for key, value in os.environ.items() if key not in VARIABLES}
    env.update(environment, DJANGO_SETTINGS_MODULE=settings, PYTHONPATH=str(root))
    return subprocess.run([python, *argv], env=env, cwd=root, capture_output=True, text=True, timeout=120)


def django_run(root: Path, code: str, environment: dict, **run) -> subprocess.CompletedProcess:
    return python_run(root, ["-c", code], environment, **run)


def deploy_check(root: Path, environment: dict, **run) -> subprocess.CompletedProcess:
    return python_run(root, ["-m", "django", "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"],
                      environment, **run)


LOAD = "import json, django; from django.conf import settings; django.setup(); print(json.dumps({n: getattr(settings, n) for n in %r}))"


def loaded(root: Path, names: list[str], environment: dict, **run) -> dict:
    result = django_run(root, LOAD % (names,), environment, **run)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# The admin login page, then its form posted back as a browser would (with the Origin header, which
# Django 4.0 and later check, and the Referer, which Django before 4.0 requires over HTTPS): first
# a wrong password ("post": the form again, not a CSRF 403), then a superuser's ("login").
CLIENT = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
client = Client(enforce_csrf_checks=True)
host = %r
extra = %r
form_host = %r
answers = {}
page = client.get("/admin/login/", HTTP_HOST=host, **extra)
answers["get"] = [page.status_code, page.get("Location"), {k: bool(v["secure"]) for k, v in page.cookies.items()}]
if page.status_code == 200:
    token = page.cookies["csrftoken"].value
    origin = ("https://" if extra else "http://") + form_host
    post = client.post("/admin/login/", {"username": "nobody", "password": "x", "csrfmiddlewaretoken": token,
                                         "next": "/admin/"}, HTTP_HOST=host,
                       HTTP_ORIGIN=origin, HTTP_REFERER=origin + "/admin/login/", **extra)
    answers["post"] = post.status_code
    from django.contrib.auth.models import User
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@example.com", "a-password-for-tests")
    login = client.post("/admin/login/", {"username": "admin", "password": "a-password-for-tests",
                                          "csrfmiddlewaretoken": token, "next": "/admin/"}, HTTP_HOST=host,
                        HTTP_ORIGIN=origin, HTTP_REFERER=origin + "/admin/login/", **extra)
    answers["login"] = [login.status_code, login.get("Location"),
                        {k: bool(v["secure"]) for k, v in login.cookies.items()}]
print(json.dumps(answers))
"""


def client_answers(root: Path, environment: dict, host: str, extra: dict, form_host: str | None = None,
                   **run) -> dict:
    """The answers to CLIENT's requests for `host`, its form posted from a page on `form_host` (the same host
    unless given: another one must be a trusted origin)."""
    result = django_run(root, CLIENT % (host, extra, form_host or host), environment, **run)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def env_file(path: Path) -> dict:
    """KEY=VALUE lines of an env file (as docker compose's env_file reads them)."""
    pairs = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs
