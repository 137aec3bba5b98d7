"""What a person reads: every reason on one line (code shortened), fleet runs naming the steps
they decline and advice that works in fleet mode, and --interactive taking git add -p's answers."""

from __future__ import annotations

import json
import re
import shlex
import subprocess

import libcst as cst
import pytest

from conftest import EXAMPLE, git, run_cli
from golden_cases import copy_tree
from project_builder import MANAGE_PY, STARTPROJECT_SETTINGS, startproject, write_project

MULTI_LINE = '''import os
import environ
from pathlib import Path

env = environ.Env(
    DEBUG=(bool, True),
    OTHER=(str, 'x'),
)
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = 'abc'
DEBUG = env('DEBUG')
ALLOWED_HOSTS = (
    'localhost',  # me
    '127.0.0.1',
)
SECURE_SSL_REDIRECT = os.environ.get(
    'SECURE_SSL_REDIRECT',
    'False',
) == 'True'
INSTALLED_APPS = ['django.contrib.staticfiles']
STATIC_ROOT = BASE_DIR / 'staticfiles'
'''


def test_every_reason_is_one_line_with_multi_line_code_shortened(tmp_path):
    root = startproject(tmp_path, MULTI_LINE)
    status = run_cli("status", cwd=root)
    assert status.returncode == 0, status.stderr
    rows = {line.split()[0]: line for line in status.stdout.splitlines()[1:7]}
    assert list(rows) == ["debug", "allowed-hosts", "secret-key", "ssl-redirect", "collectstatic", "staticfiles"]
    assert "ALLOWED_HOSTS = ('localhost', ...) becomes DOMAIN plus DOMAIN_ALIASES" in rows["allowed-hosts"]
    assert "(the default in environ.Env(DEBUG=(bool, True), ...)); it becomes environ.Env(DEBUG=(bool, False), ...)" \
        in rows["debug"]
    assert "SECURE_SSL_REDIRECT = os.environ.get('SECURE_SSL_REDIRECT', 'False') == 'True'" in rows["ssl-redirect"]

    document = json.loads(run_cli("status", "--format", "json", cwd=root).stdout)
    for step in document["steps"]:
        assert "\n" not in step["reason"] and "\r" not in step["reason"], step


@pytest.mark.parametrize(
    "code, shown",
    [
        ("['a', 'b']", "['a', 'b']"),
        ("[\n    'a',\n    'b',\n]", "['a', ...]"),
        ("(\n    'localhost',  # me\n    '127.0.0.1',\n)", "('localhost', ...)"),
        ("(\n    'one',\n)", "('one',)"),
        ("{\n    'default': env.db(),\n    'other': 1,\n}", "{'default': env.db(), ...}"),
        ("env.list(\n    'HOSTS',\n    default=['*'],\n)", "env.list('HOSTS', ...)"),
        ("os.environ.get(\n    'HOSTS', '*'\n).split(',')", "os.environ.get('HOSTS', ...).split(',')"),
        ("[DIVIO_DOMAIN]\n+ DIVIO_DOMAIN_ALIASES", "([DIVIO_DOMAIN] + DIVIO_DOMAIN_ALIASES)"),
        ("f(\n    *args,\n)", "f(*args)"),
    ],
)
def test_code_in_a_reason_is_one_line(code, shown):
    from refactor_app.editors.settings import one_line_code

    node = cst.parse_module(f"X = (\n{code}\n)\n" if "\n+" in code else f"X = {code}\n").body[0].body[0].value
    assert one_line_code(node) == shown


# --- fleet runs -------------------------------------------------------------------------------------

@pytest.fixture
def two_projects(tmp_path):
    """`tutorial`: the Divio tutorial, committed; `nodocker`: a startproject without a Dockerfile."""
    fleet = tmp_path / "fleet"
    copy_tree(EXAMPLE, fleet / "tutorial")
    git(fleet / "tutorial", "init", "-q")
    git(fleet / "tutorial", "add", "-A")
    git(fleet / "tutorial", "commit", "-qm", "start")
    startproject(fleet / "nodocker")
    return fleet


def test_fleet_status_and_apply_name_the_steps_they_decline_and_why(two_projects):
    status = run_cli("status", "-r", ".", cwd=two_projects)
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert len(lines) == 3  # one line a project, then the summary
    assert lines[0].startswith("nodocker: pending debug, allowed-hosts, secret-key, ssl-redirect, staticfiles; "
                               "not applicable: collectstatic (no Dockerfile")
    assert lines[1] == "tutorial: pending debug, allowed-hosts, secret-key, ssl-redirect, collectstatic, staticfiles"

    dry = run_cli("apply", "--all", "--dry-run", "-r", ".", cwd=two_projects)
    assert "nodocker: would apply debug, allowed-hosts, secret-key, ssl-redirect, staticfiles; not applicable: " \
           "collectstatic (no Dockerfile" in dry.stderr
    applied = run_cli("apply", "--all", "-r", ".", cwd=two_projects)
    assert applied.returncode == 0, applied.stderr
    assert "nodocker: applied debug, allowed-hosts, secret-key, ssl-redirect, staticfiles; not applicable: " \
           "collectstatic (no Dockerfile" in applied.stderr


def test_settings_with_recursive_says_what_to_do_instead_and_that_works(two_projects):
    refused = run_cli("status", "-r", ".", "--settings", "nodocker/mysite/settings.py", cwd=two_projects)
    assert refused.returncode == 2
    command = re.search(r"run that project on its own \(`([^`]+)`\)", refused.stderr)
    assert command, refused.stderr
    assert command.group(1) == "refactor-app status --settings nodocker/mysite/settings.py nodocker"
    works = run_cli(*shlex.split(command.group(1))[1:], cwd=two_projects)
    assert works.returncode == 0 and "debug          pending" in works.stdout


def test_a_fleet_error_asking_for_settings_gives_a_command_that_works_alone(two_projects):
    broken = two_projects / "renamed"
    write_project(broken, {"manage.py": MANAGE_PY.replace("mysite.settings", "mysite.settings_gone"),
                           "mysite/__init__.py": "", "mysite/settings.py": STARTPROJECT_SETTINGS})
    result = run_cli("status", "-r", ".", cwd=two_projects)
    assert result.returncode == 2
    line = next(line for line in result.stdout.splitlines() if line.startswith("renamed: error: "))
    advice = re.search(r"run this one on its own, from its folder: `([^`]+)`", line)
    assert advice, line
    assert advice.group(1) == "cd renamed && refactor-app status --settings path/to/settings.py"
    command = advice.group(1).replace("path/to/settings.py", "mysite/settings.py").replace(
        "refactor-app", "python -m refactor_app")
    import os
    import sys

    works = subprocess.run(command.replace("python", shlex.quote(sys.executable), 1), shell=True, cwd=two_projects,
                           capture_output=True, text=True, env={**os.environ}, timeout=120)
    assert works.returncode == 0, works.stderr
    assert "debug          pending" in works.stdout


# --- --interactive takes y / n too ------------------------------------------------------------------

def test_interactive_takes_git_add_p_answers(tutorial):
    from test_review_workflow import Terminal

    terminal = Terminal(["apply", "--all", "--interactive"], tutorial)
    prompt = "? [a]pply / [s]kip / [q]uit: "
    terminal.answer(f"Apply debug{prompt}", "y")
    terminal.answer(f"Apply allowed-hosts{prompt}", "n")
    terminal.answer(f"Apply secret-key{prompt}", "yes")
    terminal.answer(f"Apply ssl-redirect{prompt}", "NO")
    terminal.answer(f"Apply collectstatic{prompt}", "x")
    terminal.answer("Please answer a, s or q. (Or y to apply, n to skip, as in git add -p.)", "Y")
    terminal.answer(f"Apply staticfiles{prompt}", "q")
    assert terminal.finish() == 0
    assert "Applied 3 steps before quitting" in terminal.output.decode(errors="replace")
    settings = (tutorial / "myapp/settings.py").read_text()
    assert "DEBUG = os.environ.get('DJANGO_DEBUG')" in settings and "SECRET_KEY = os.environ.get(" in settings
    assert "ALLOWED_HOSTS = ['*']" in settings and "SECURE_SSL_REDIRECT" not in settings
    assert "collectstatic" in (tutorial / "Dockerfile").read_text()
    assert git(tutorial, "ls-files", "--", "staticfiles") != "", "quit before staticfiles: still committed"
