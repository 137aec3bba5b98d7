"""The text-only "every step done" check is sound: whenever it says done, the full plan finds
nothing pending; and it does say done for finished projects (it is not vacuous)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import git, run_cli
from project_builder import write_project
from refactor_app import api
from refactor_app.project import Project
from refactor_app.quickcheck import every_step_done
from test_properties import settings_modules, render
from test_variants import VARIANTS

# More with PROPERTY_EXAMPLES=1500 python -m pytest tests/test_properties.py tests/test_quickcheck.py
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "150"))


def full_plan_has_work(root: Path) -> bool:
    return api.make_plan(api.discover(root)).has_changes


def test_unmigrated_tutorial_is_not_done(tutorial):
    assert every_step_done(api.discover(tutorial)) is False


def test_migrated_tutorial_is_done_and_check_says_so_quickly(tutorial):
    assert run_cli("apply", "--all", "--commit", cwd=tutorial).returncode == 0
    assert every_step_done(api.discover(tutorial)) is True
    result = run_cli("apply", "--all", "--check", cwd=tutorial)
    assert result.returncode == 0 and "Nothing to do: every step is already done (settings, Dockerfile" in result.stderr


def test_debug_put_back_is_caught(tutorial):
    run_cli("apply", "--all", "--commit", cwd=tutorial)
    settings_file = tutorial / "myapp" / "settings.py"
    settings_file.write_text(settings_file.read_text().replace("DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"", "DEBUG = True"))
    assert every_step_done(api.discover(tutorial)) is False


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_sound_on_every_variant_after_migration(name, tmp_path):
    variant = VARIANTS[name]
    root = write_project(tmp_path / name, variant.files)
    write_project(root, variant.untracked, commit=False)
    project = api.discover(root / variant.path)
    if every_step_done(project):
        assert not full_plan_has_work(root / variant.path), "said done before migration"
    api.apply(api.make_plan(project))
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "migrated")
    project = api.discover(root / variant.path)
    if every_step_done(project):
        assert not full_plan_has_work(root / variant.path)


def test_not_vacuous_on_the_variants(tmp_path):
    quick = 0
    for name in ("startproject", "os-path-settings-without-static-root", "crlf-everywhere", "multi-stage-dockerfile"):
        root = write_project(tmp_path / name, VARIANTS[name].files)
        api.apply(api.make_plan(api.discover(root)))
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "migrated")
        quick += every_step_done(api.discover(root))
    assert quick == 4


@pytest.mark.parametrize(
    "line",
    ["SECRET_KEY = myenv.thing('x')", "SECRET_KEY = dict(os.environ)['X']", "DEBUG = True  # os.environ.get('X')"],
)
def test_lookalikes_of_environment_reads_are_not_done(tutorial, line):
    run_cli("apply", "--all", "--commit", cwd=tutorial)
    settings_file = tutorial / "myapp" / "settings.py"
    name = line.split()[0]
    lines = [line if current.startswith(f"{name} = ") else current for current in settings_file.read_text().splitlines()]
    settings_file.write_text("\n".join(lines) + "\n")
    assert every_step_done(api.discover(tutorial)) is False or not full_plan_has_work(tutorial)


ENV_LINES = ["DJANGO_DEBUG=True", "DOMAIN_ALIASES=localhost", "SECURE_SSL_REDIRECT=False", "# comment", "OTHER=1"]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(settings_modules(), st.lists(st.sampled_from(ENV_LINES), unique=True), st.booleans())
def test_sound_on_generated_projects(generated, env_lines, collectstatic):
    chunks, newline, final_newline = generated
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "settings.py").write_bytes(render(chunks, newline, final_newline).encode())
        run = "RUN python manage.py collectstatic --noinput\n" if collectstatic else ""
        (root / "Dockerfile").write_text(f"FROM python\nRUN pip install -r r.txt\n{run}CMD run\n")
        (root / ".env-local").write_text("".join(line + "\n" for line in env_lines))
        project = Project(root=root, import_root=root, settings_paths=(root / "settings.py",))
        if every_step_done(project):
            assert not api.make_plan(project).has_changes


CANONICAL_DEBUG = "DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\""


@pytest.mark.parametrize(
    "change",
    [
        lambda s, e: (s.replace(CANONICAL_DEBUG, "X = 1; DEBUG = True"), e),
        lambda s, e: (s.replace(CANONICAL_DEBUG, "TEMPLATE_DEBUG = DEBUG = True"), e),
        lambda s, e: (s.replace(CANONICAL_DEBUG, "DEBUG = (os.environ.get('DJANGO_DEBUG') == \"True\")"), e.replace("DJANGO_DEBUG=True\n", "")),
        lambda s, e: (s.replace(CANONICAL_DEBUG, CANONICAL_DEBUG + ";"), e.replace("DJANGO_DEBUG=True\n", "")),
        lambda s, e: (s, e.replace("DJANGO_DEBUG=True\n", 'NOTE="see\nDJANGO_DEBUG=True\n"\n')),
        lambda s, e: (s.replace("os.environ.get('SECRET_KEY', 'ic&w1+oze-$=&ws0r9!*cfy#*61v2fp&^%njjev4$%i2gsps6t')", "'x!env(y'"), e),
        lambda s, e: (s.replace("os.environ.get('DATABASE_URL', 'sqlite://:memory:')", "os.environ.get('DATABASE_URL',)"), e),
        lambda s, e: (s.replace("dj_database_url.parse(DATABASE_URL)", "dj_database_url.config(conn_max_age=default_age)"), e),
        lambda s, e: (s.replace(CANONICAL_DEBUG, "DEBUG = True") + "\nprint(dict(\nDEBUG=os.environ.get('X')))\n", e),
        lambda s, e: (s.replace("ALLOWED_HOSTS = [DIVIO_DOMAIN]", "INTERNAL_IPS = ALLOWED_HOSTS = [DIVIO_DOMAIN]"), e),
    ],
)
def test_cases_a_reviewer_found_are_not_called_done(tutorial, change):
    run_cli("apply", "--all", "--commit", cwd=tutorial)
    settings_file, env_file = tutorial / "myapp" / "settings.py", tutorial / ".env-local"
    settings_text, env_text = change(settings_file.read_text(), env_file.read_text())
    settings_file.write_text(settings_text)
    env_file.write_text(env_text)
    assert every_step_done(api.discover(tutorial)) is False or not full_plan_has_work(tutorial)


def test_collectstatic_in_capitals_or_heredocs_is_not_called_done(tutorial):
    run_cli("apply", "--all", "--commit", cwd=tutorial)
    dockerfile = tutorial / "Dockerfile"
    original = dockerfile.read_text()
    dockerfile.write_text(original.replace("RUN python manage.py collectstatic --noinput", "RUN echo COLLECTSTATIC-later"))
    assert every_step_done(api.discover(tutorial)) is False
    dockerfile.write_text(original.replace("COPY . /app", "COPY <<EOF /app/x\nhello\nEOF\nCOPY . /app"))
    assert every_step_done(api.discover(tutorial)) is False


@pytest.mark.parametrize(
    "old, new",
    [
        (CANONICAL_DEBUG, "DEBUG = os.environ.get('DJANGO_DEBUG', 'True') == 'True'"),
        (CANONICAL_DEBUG, "DEBUG = bool(os.getenv('DJANGO_DEBUG'))"),
        ("ALLOWED_HOSTS = [DIVIO_DOMAIN] + DIVIO_DOMAIN_ALIASES + DIVIO_DOMAIN_REDIRECTS",
         "ALLOWED_HOSTS = os.environ.get('DOMAIN', '*').split(',')"),
        ("SECURE_SSL_REDIRECT = os.environ.get('SECURE_SSL_REDIRECT') != \"False\"",
         "SECURE_SSL_REDIRECT = os.environ.get('SECURE_SSL_REDIRECT', 'False') == 'True'"),
    ],
)
def test_an_unsafe_default_is_not_called_done(tutorial, old, new):
    """Fail closed: reading the environment is not enough, the full plan judges the default."""
    run_cli("apply", "--all", "--commit", cwd=tutorial)
    settings_file = tutorial / "myapp" / "settings.py"
    settings_file.write_text(settings_file.read_text().replace(old, new))
    assert full_plan_has_work(tutorial)
    assert every_step_done(api.discover(tutorial)) is False
