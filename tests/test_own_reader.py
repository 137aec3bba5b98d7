"""The project's own reader (issue 12): the lines the steps write read the environment with the
reader the settings already use, python-decouple's config or a django-environ Env, so the values in
the project's own .env reach them; plain os.environ otherwise. And the old ALLOWED_HOSTS list's
local hosts are kept for local work in .env-local's DOMAIN_ALIASES.

Each case runs the CLI on a temporary git repository and loads the result with real Django."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import git, git_status, run_cli
from dotenv import dotenv_values
from golden_cases import tree_files
from project_builder import DOCKERFILE, STARTPROJECT_SETTINGS, startproject

pytest.importorskip("django")
pytest.importorskip("environ")
pytest.importorskip("decouple")

OLD_KEY = '"django-insecure-abc123"'
LOADER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from django.conf import Settings
settings = Settings("mysite.settings")
print(json.dumps({name: getattr(settings, name, None) for name in
      ["DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SECRET_KEY", "STATIC_URL"]}))
"""
# What the settings read: unset before each load so the test runner's shell cannot leak in.
VARIABLES = ("DJANGO_DEBUG", "DOMAIN", "DOMAIN_ALIASES", "DOMAIN_REDIRECTS", "SECRET_KEY", "SECURE_SSL_REDIRECT",
             "STATIC_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")


@dataclass
class Reader:
    imports: str  # put after `from pathlib import Path`
    setup: str  # put after BASE_DIR
    other: str  # STATIC_URL read with it: the settings use the reader already
    new_lines: list[str]  # the lines apply --all writes, exactly
    imports_os: bool  # apply adds `import os`
    reads_dotenv: bool  # the project's .env reaches the settings
    files: dict = field(default_factory=dict)


def page_lines(call: str, os_secret: bool = False) -> list[str]:
    """The page's new lines, read through `call` (None: the page's own os.environ.get)."""
    if call is None:
        return [
            f"SECRET_KEY = os.environ.get('SECRET_KEY', {OLD_KEY})",
            "DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"",
            "DIVIO_DOMAIN = os.environ.get('DOMAIN', '')",
            "    for d in os.environ.get('DOMAIN_ALIASES', '').split(',')",
            "    for d in os.environ.get('DOMAIN_REDIRECTS', '').split(',')",
            "SECURE_SSL_REDIRECT = os.environ.get('SECURE_SSL_REDIRECT') != \"False\"",
        ]
    secret = f"os.environ.get('SECRET_KEY', {OLD_KEY})" if os_secret else f"{call}('SECRET_KEY', default={OLD_KEY})"
    return [
        f"SECRET_KEY = {secret}",
        f"DEBUG = {call}('DJANGO_DEBUG', default='') == \"True\"",
        f"DIVIO_DOMAIN = {call}('DOMAIN', default='')",
        f"    for d in {call}('DOMAIN_ALIASES', default='').split(',')",
        f"    for d in {call}('DOMAIN_REDIRECTS', default='').split(',')",
        f"SECURE_SSL_REDIRECT = {call}('SECURE_SSL_REDIRECT', default='') != \"False\"",
    ]


READERS = {
    "os.environ": Reader("import os\n", "", 'STATIC_URL = os.environ.get("STATIC_URL", "static/")',
                         page_lines(None), imports_os=False, reads_dotenv=False),
    "decouple": Reader("from decouple import config\n", "", 'STATIC_URL = config("STATIC_URL", default="static/")',
                       page_lines("config"), imports_os=False, reads_dotenv=True),
    # django-environ's env(...) takes a value starting with "$" for another variable's name: the
    # key is read with os.environ.get, which its read_env() fills from .env all the same.
    "django-environ": Reader("import environ\n", 'env = environ.Env()\nenviron.Env.read_env(BASE_DIR / ".env")\n',
                             'STATIC_URL = env("STATIC_URL", default="static/")',
                             page_lines("env", os_secret=True), imports_os=True, reads_dotenv=True),
}


def settings_with(reader: Reader, hosts: str = "[]") -> str:
    text = STARTPROJECT_SETTINGS.replace("from pathlib import Path\n", "from pathlib import Path\n" + reader.imports)
    text = text.replace("parent.parent\n", "parent.parent\n" + reader.setup, 1)
    text = text.replace('STATIC_URL = "static/"', reader.other)
    return text.replace("ALLOWED_HOSTS = []", f"ALLOWED_HOSTS = {hosts}")


def make_project(tmp_path: Path, reader: Reader, hosts: str = "[]", **files) -> Path:
    return startproject(tmp_path / "project", settings_with(reader, hosts), Dockerfile=DOCKERFILE,
                        **{**reader.files, **files})


def load_settings(project: Path, **environment: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in VARIABLES}
    env.update(environment)
    result = subprocess.run(
        [sys.executable, "-c", LOADER, str(project)], env=env, capture_output=True, text=True, timeout=60,
        cwd=project,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def env_local(project: Path) -> dict:
    return {key: value for key, value in dotenv_values(project / ".env-local").items() if value is not None}


def apply_all(root: Path) -> subprocess.CompletedProcess:
    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def settings_text(root: Path) -> str:
    return (root / "mysite" / "settings.py").read_text()


@pytest.mark.parametrize("name", sorted(READERS))
def test_new_lines_use_the_settings_own_reader(name, tmp_path):
    reader = READERS[name]
    root = make_project(tmp_path, reader)
    before = settings_text(root)
    apply_all(root)
    text = settings_text(root)
    for line in reader.new_lines:
        assert line + "\n" in text, (line, text)
    assert ("import os\n" in text) is (reader.imports_os or "import os\n" in before), text

    # Fail closed: an empty environment is production-safe.
    loaded = load_settings(root)
    assert loaded["DEBUG"] is False
    assert "*" not in loaded["ALLOWED_HOSTS"] and loaded["ALLOWED_HOSTS"] == [""]
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SECRET_KEY"] == "django-insecure-abc123"
    # The process environment is read by every reader, with the page's exact comparisons.
    assert load_settings(root, DJANGO_DEBUG="True")["DEBUG"] is True
    assert load_settings(root, DJANGO_DEBUG="true")["DEBUG"] is False
    assert load_settings(root, SECURE_SSL_REDIRECT="False")["SECURE_SSL_REDIRECT"] is False
    assert load_settings(root, SECURE_SSL_REDIRECT="0")["SECURE_SSL_REDIRECT"] is True
    assert load_settings(root, SECRET_KEY="$from-the-environment")["SECRET_KEY"] == "$from-the-environment"
    assert load_settings(root, DOMAIN="example.com", DOMAIN_ALIASES="a.example, b.example")["ALLOWED_HOSTS"] == [
        "example.com", "a.example", "b.example"]

    # The project's own .env reaches the new reads where the reader reads it.
    (root / ".env").write_text("DJANGO_DEBUG=True\nDOMAIN=example.com\nSECRET_KEY=from-dotenv\n")
    from_dotenv = load_settings(root)
    assert from_dotenv["DEBUG"] is reader.reads_dotenv
    assert (from_dotenv["ALLOWED_HOSTS"] == ["example.com"]) is reader.reads_dotenv
    assert (from_dotenv["SECRET_KEY"] == "from-dotenv") is reader.reads_dotenv
    # The process environment still wins over .env.
    assert load_settings(root, DJANGO_DEBUG="False")["DEBUG"] is False
    (root / ".env").unlink()

    # Locally, with .env-local's variables.
    local = load_settings(root, **env_local(root))
    assert local["DEBUG"] is True and local["SECURE_SSL_REDIRECT"] is False
    assert local["ALLOWED_HOSTS"] == ["", "localhost", "127.0.0.1"]

    # A second run changes nothing.
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "refactor-app")
    files = tree_files(root)
    second = apply_all(root)
    assert "Nothing to do" in second.stderr
    assert tree_files(root) == files and git_status(root) == []


def test_page_writer_is_the_tutorials_spelling():
    from refactor_app.editors.settings import PAGE_WRITER, Writer
    from refactor_app.steps.allowed_hosts import new_block
    from refactor_app.steps.debug import SWITCH

    assert SWITCH.new_value() == "os.environ.get('DJANGO_DEBUG') == \"True\""
    assert "DIVIO_DOMAIN = os.environ.get('DOMAIN', '')\n" in new_block(PAGE_WRITER)
    assert Writer("decouple", "setting").read("X") == "setting('X', default='')"
    assert Writer("environ", "ENV").read("X", "'y'") == "ENV('X', default='y')"


# --- other bindings of the readers, through the Python API -----------------------------------------

def plan_edits(root: Path, steps=None) -> str:
    from refactor_app import api

    plan = api.make_plan(api.discover(root), steps)
    api.apply(plan)
    return settings_text(root)


@pytest.mark.parametrize(
    "imports, setup, call",
    [
        ("from decouple import config as setting\n", "", "setting"),
        ("import decouple\n", "", "decouple.config"),
        ("from decouple import AutoConfig\n", "config = AutoConfig(search_path=BASE_DIR)\n", "config"),
        ("from decouple import Config, RepositoryEnv\n",
         'settings_ini = Config(RepositoryEnv(BASE_DIR / "mysite" / "__init__.py"))\n', "settings_ini"),
        ("import environ\n", "ENV = environ.Env()\n", "ENV"),
        ("from environ import Env\n", "env = Env(DATABASE_URL=(str, 'sqlite://'))\n", "env"),
    ],
)
def test_any_binding_of_the_reader_is_used(tmp_path, imports, setup, call):
    reader = Reader(imports, setup, 'STATIC_URL = "static/"', [], False, False)
    root = make_project(tmp_path, reader)
    text = plan_edits(root)
    os_secret = "nviron" in imports  # django-environ: the key through os.environ (see READERS)
    for line in page_lines(call, os_secret=os_secret):
        assert line + "\n" in text, (line, text)
    assert ("import os\n" in text) is os_secret
    assert "'*'" not in text
    loaded = load_settings(root)
    assert loaded["DEBUG"] is False and loaded["SECURE_SSL_REDIRECT"] is True
    assert load_settings(root, DJANGO_DEBUG="True")["DEBUG"] is True


def test_reader_of_a_star_imported_base_is_used(tmp_path):
    base = STARTPROJECT_SETTINGS.replace("from pathlib import Path\n", "from pathlib import Path\n\nfrom decouple import config\n")
    root = startproject(
        tmp_path / "project", "from .base import *  # noqa\n\nDEBUG = True\n", **{"mysite/base.py": base},
    )
    text = plan_edits(root, ["debug"])
    assert "DEBUG = config('DJANGO_DEBUG', default='') == \"True\"\n" in text and "import os" not in text
    (root / ".env").write_text("DJANGO_DEBUG=True\n")
    assert load_settings(root)["DEBUG"] is True


@pytest.mark.parametrize(
    "settings",
    [
        # Bound below the line the read goes into: not there yet when it runs.
        STARTPROJECT_SETTINGS.replace("DEBUG = True\n", "DEBUG = True\n\nfrom decouple import config\n"),
        # Bound only inside a try block: it may not exist.
        STARTPROJECT_SETTINGS.replace("from pathlib import Path\n",
                                      "from pathlib import Path\n\ntry:\n    from decouple import config\nexcept ImportError:\n    pass\n"),
        # django-environ's schema casts DJANGO_DEBUG: env('DJANGO_DEBUG', default='') would be a bool, never "True".
        STARTPROJECT_SETTINGS.replace("from pathlib import Path\n",
                                      "from pathlib import Path\n\nimport environ\n\nenv = environ.Env(DJANGO_DEBUG=(bool, False))\n"),
        # A prefix changes the variable names env() reads.
        STARTPROJECT_SETTINGS.replace("from pathlib import Path\n",
                                      "from pathlib import Path\n\nimport environ\n\nenv = environ.Env()\nenv.prefix = 'APP_'\n"),
    ],
    ids=["bound-below", "bound-in-try", "environ-schema", "environ-prefix"],
)
def test_a_reader_it_cannot_rely_on_is_not_used(tmp_path, settings):
    root = startproject(tmp_path / "project", settings)
    text = plan_edits(root, ["debug"])
    assert "DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"\n" in text
    assert "import os\n" in text
    assert load_settings(root, DJANGO_DEBUG="True")["DEBUG"] is True


def test_environ_secret_key_with_a_dollar_fallback_still_loads(tmp_path):
    # env('SECRET_KEY', default='$...') recurses forever when SECRET_KEY is unset (django-environ
    # takes "$name" for another variable): the key is read with os.environ.get.
    settings = settings_with(READERS["django-environ"]).replace(OLD_KEY, '"$ecret-committed-key"')
    root = startproject(tmp_path / "project", settings)
    text = plan_edits(root, ["secret-key"])
    assert "SECRET_KEY = os.environ.get('SECRET_KEY', \"$ecret-committed-key\")\n" in text
    assert load_settings(root)["SECRET_KEY"] == "$ecret-committed-key"
    assert load_settings(root, SECRET_KEY="$abc")["SECRET_KEY"] == "$abc"


# --- local hosts kept for local work ------------------------------------------------------------

@pytest.mark.parametrize(
    "hosts, aliases",
    [
        ("['localhost', '127.0.0.1', '0.0.0.0', '[::1]']", "localhost, 127.0.0.1, 0.0.0.0, [::1]"),
        ("['*', '[::1]', '.localhost', 'app.localhost']", "localhost, 127.0.0.1, [::1], .localhost, app.localhost"),
        ("['0.0.0.0', '127.0.0.1']", "localhost, 127.0.0.1, 0.0.0.0"),
        ("('::1', '127.0.0.2')", "localhost, 127.0.0.1, ::1, 127.0.0.2"),
        ("['*']", "localhost, 127.0.0.1"),
    ],
)
@pytest.mark.parametrize("name", ["os.environ", "decouple"])
def test_local_hosts_of_the_old_list_go_to_env_local(tmp_path, name, hosts, aliases):
    root = make_project(tmp_path, READERS[name], hosts)
    result = apply_all(root)
    assert f".env-local: + DOMAIN_ALIASES={aliases}" in result.stderr
    assert env_local(root)["DOMAIN_ALIASES"] == aliases
    local = load_settings(root, **env_local(root))
    assert local["ALLOWED_HOSTS"] == ["", *aliases.split(", ")]
    assert "*" not in load_settings(root)["ALLOWED_HOSTS"]
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "refactor-app")
    status = run_cli("status", cwd=root).stdout
    assert "allowed-hosts  done" in status and "keeps your" not in status, status


def test_users_own_domain_aliases_are_kept_and_missing_local_hosts_named(tmp_path):
    root = make_project(tmp_path, READERS["os.environ"], "['localhost', '0.0.0.0', '[::1]']",
                        **{".env-local": "DOMAIN_ALIASES=localhost, [::1]\n"})
    result = apply_all(root)
    assert env_local(root)["DOMAIN_ALIASES"] == "localhost, [::1]"
    line = next(line for line in result.stderr.splitlines() if line.startswith("allowed-hosts"))
    assert "DOMAIN_ALIASES lacks 0.0.0.0, which the old ALLOWED_HOSTS allowed" in line, line


def test_real_host_names_are_still_declined(tmp_path):
    root = make_project(tmp_path, READERS["decouple"], "['example.com', 'localhost', '0.0.0.0']")
    result = apply_all(root)
    line = next(line for line in result.stderr.splitlines() if line.startswith("allowed-hosts"))
    assert "not applicable" in line and "example.com" in line and "0.0.0.0" not in line.split("(")[1], line
    assert "ALLOWED_HOSTS = ['example.com', 'localhost', '0.0.0.0']\n" in settings_text(root)
    assert "DOMAIN_ALIASES" not in (root / ".env-local").read_text()


# --- verify --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["decouple", "django-environ"])
def test_verify_with_the_projects_reader(tmp_path, name):
    root = make_project(tmp_path, READERS[name])
    apply_all(root)
    result = run_cli("verify", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    table = {line.split()[0]: line for line in result.stdout.splitlines() if line[:1].isupper()}
    # local, production-like, production with its variables unset
    assert table["DEBUG"].split()[1:] == ["True", "False", "False"]
    assert table["SECURE_SSL_REDIRECT"].split()[1:] == ["False", "True", "True"]
    assert "['www.example.com']" in table["ALLOWED_HOSTS"]
    assert re.split(r"\s{2,}", table["SECRET_KEY"].strip())[2] == "environment"  # production-like

    # The project's .env is read in the production-like run too, as in production if the image has it.
    (root / ".env").write_text("DJANGO_DEBUG=True\n")
    result = run_cli("verify", cwd=root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Problem: production would run with DEBUG on" in result.stdout
    assert "Note: the settings also read .env" in result.stdout, result.stdout


# --- collectstatic: DATABASE_URL read with the project's reader ------------------------------------

@pytest.mark.parametrize(
    "imports, setup, read, fixed",
    [
        ("from decouple import config\n", "", "config('DATABASE_URL')", "config('DATABASE_URL', default='sqlite://:memory:')"),
        ("from decouple import config\n", "", "config('DATABASE_URL', cast=str)",
         "config('DATABASE_URL', cast=str, default='sqlite://:memory:')"),
        ("import environ\n", "env = environ.Env()\n", "env('DATABASE_URL')", "env('DATABASE_URL', default='sqlite://:memory:')"),
        ("import environ\n", "ENV = environ.Env()\n", "ENV.str('DATABASE_URL')",
         "ENV.str('DATABASE_URL', default='sqlite://:memory:')"),
    ],
)
def test_database_url_read_with_the_projects_reader_gets_the_build_fallback(tmp_path, imports, setup, read, fixed):
    reader = Reader("import dj_database_url\n" + imports, setup, 'STATIC_URL = "static/"', [], False, False)
    settings = settings_with(reader).replace(
        '"default": {\n        "ENGINE": "django.db.backends.sqlite3",\n        "NAME": BASE_DIR / "db.sqlite3",\n    }',
        f'"default": dj_database_url.parse({read})',
    )
    assert read in settings
    root = startproject(tmp_path / "project", settings, Dockerfile=DOCKERFILE)
    apply_all(root)
    text = settings_text(root)
    assert f'"default": dj_database_url.parse({fixed})' in text
    assert load_settings(root)["DEBUG"] is False  # imports with no DATABASE_URL, as a Docker build does
    assert run_cli("apply", "--all", "--check", cwd=root).returncode == 0

    # Only that read left without its fallback, the rest in the page's spelling (all --check's
    # quick look knows): it must not call the project done.
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "refactor-app")
    page = {line.split(" = ")[0]: line for line in page_lines(None)}
    lines = [page.get(line.split(" = ")[0], line) if line.startswith(("DEBUG = ", "SECURE_SSL_REDIRECT = ")) else line
             for line in text.replace(fixed, read).splitlines()]
    (root / "mysite" / "settings.py").write_text("import os\n" + "\n".join(lines) + "\n")
    git(root, "commit", "-q", "-am", "no fallback")
    check = run_cli("apply", "--all", "--check", cwd=root)
    assert check.returncode == 1, check.stdout + check.stderr
    assert re.search(r"^collectstatic +would apply", check.stderr, re.MULTILINE), check.stderr
