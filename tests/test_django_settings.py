"""After migration, real Django loads the rewritten settings module under different environments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dotenv import dotenv_values

from conftest import run_cli

pytest.importorskip("django")
pytest.importorskip("dj_database_url")
pytest.importorskip("django_storage_url")

OLD_SECRET_KEY = "ic&w1+oze-$=&ws0r9!*cfy#*61v2fp&^%njjev4$%i2gsps6t"
LOADER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from django.conf import Settings
settings = Settings("myapp.settings")
print(json.dumps({name: getattr(settings, name, None) for name in
      ["DEBUG", "ALLOWED_HOSTS", "SECRET_KEY", "SECURE_SSL_REDIRECT", "DATABASE_URL", "DATABASES"]}))
"""
VARIABLES = ("DJANGO_DEBUG", "DOMAIN", "DOMAIN_ALIASES", "DOMAIN_REDIRECTS", "SECRET_KEY",
             "SECURE_SSL_REDIRECT", "DATABASE_URL", "DEFAULT_STORAGE_DSN", "DJANGO_SETTINGS_MODULE")


def load_settings(project: Path, **environment: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in VARIABLES}
    env.update(environment)
    result = subprocess.run(
        [sys.executable, "-c", LOADER, str(project)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    from conftest import EXAMPLE, committed_project

    project = committed_project(EXAMPLE, tmp_path_factory.mktemp("django") / "divio-tutorial")
    result = run_cli("apply", "--all", cwd=project)
    assert result.returncode == 0, result.stderr
    return project


def test_before_migration_debug_is_on_and_any_host_is_allowed(tutorial):
    loaded = load_settings(tutorial, DATABASE_URL="sqlite://:memory:")
    assert loaded["DEBUG"] is True and loaded["ALLOWED_HOSTS"] == ["*"]


def test_empty_environment_is_production_safe_and_buildable(migrated):
    loaded = load_settings(migrated)
    assert loaded["DEBUG"] is False
    assert loaded["ALLOWED_HOSTS"] == [""]  # DOMAIN unset: no host at all, never '*'
    assert loaded["SECRET_KEY"] == OLD_SECRET_KEY
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["DATABASE_URL"] == "sqlite://:memory:"
    assert loaded["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"


@pytest.mark.parametrize(
    "value, expected",
    [("True", True), ("true", False), ("1", False), ("yes", False), ("False", False), ("", False), (" True", False)],
)
def test_debug_is_on_only_for_the_string_True(migrated, value, expected):
    assert load_settings(migrated, DJANGO_DEBUG=value)["DEBUG"] is expected


def test_allowed_hosts_are_domain_plus_non_blank_aliases_and_redirects(migrated):
    loaded = load_settings(
        migrated, DOMAIN="example.com", DOMAIN_ALIASES=" www.example.com, ,alias.example.com,", DOMAIN_REDIRECTS="old.example.com"
    )
    assert loaded["ALLOWED_HOSTS"] == ["example.com", "www.example.com", "alias.example.com", "old.example.com"]
    assert load_settings(migrated, DOMAIN="example.com")["ALLOWED_HOSTS"] == ["example.com"]


def test_secret_key_comes_from_the_environment_else_the_old_key(migrated):
    assert load_settings(migrated, SECRET_KEY="from-the-environment")["SECRET_KEY"] == "from-the-environment"
    assert load_settings(migrated)["SECRET_KEY"] == OLD_SECRET_KEY


@pytest.mark.parametrize("value, expected", [("False", False), ("false", True), ("0", True), ("True", True), ("", True)])
def test_ssl_redirect_is_off_only_for_the_string_False(migrated, value, expected):
    assert load_settings(migrated, SECURE_SSL_REDIRECT=value)["SECURE_SSL_REDIRECT"] is expected


def test_database_url_from_the_environment_when_set(migrated):
    loaded = load_settings(migrated, DATABASE_URL="postgres://postgres@database_default:5432/db")
    assert loaded["DATABASE_URL"] == "postgres://postgres@database_default:5432/db"
    assert loaded["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"


def test_local_environment_from_env_local(migrated):
    local = {key: value for key, value in dotenv_values(migrated / ".env-local").items() if value is not None}
    loaded = load_settings(migrated, **local)
    assert loaded["DEBUG"] is True
    assert loaded["ALLOWED_HOSTS"] == ["", "localhost", "127.0.0.1"]
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SECRET_KEY"] == OLD_SECRET_KEY
