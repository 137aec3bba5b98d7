"""Small real-looking Django projects for tests: a dict of files, written and committed."""

from __future__ import annotations

from pathlib import Path

from golden_cases import git

MANAGE_PY = '''#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
'''

STARTPROJECT_SETTINGS = '''"""
Django settings for mysite project.
"""

from pathlib import Path

# Build paths inside the project like this: BASE_DIR / 'subdir'.
BASE_DIR = Path(__file__).resolve().parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = "django-insecure-abc123"

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = True

ALLOWED_HOSTS = []

INSTALLED_APPS = ["django.contrib.staticfiles"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    }
}

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
'''

DOCKERFILE = """FROM python:3.12
WORKDIR /app
COPY . /app
RUN pip install -r requirements.txt
CMD gunicorn mysite.wsgi
"""


def write_project(root: Path, files: dict[str, str | bytes], commit: bool = True) -> Path:
    """Write `files` (path -> text or bytes) under root; commit them to a new git repository."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    if commit:
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "project")
    return root


def startproject(root: Path, settings: str = STARTPROJECT_SETTINGS, commit: bool = True, **extra) -> Path:
    files = {"manage.py": MANAGE_PY, "mysite/__init__.py": "", "mysite/settings.py": settings, **extra}
    return write_project(root, files, commit)
