"""The acceptance matrix of issue 12 ("Production-true"): refactor-app must edit the settings module
production runs, so that production is safe under an empty environment and unchanged under its own
variables, while development still works and the modules only development or tests load are left
byte for byte.

Each fixture (tests/production_fixtures.py) is committed to a new git repository, migrated with
`python -m refactor_app apply --all` in a subprocess, committed, and migrated again. Real Django then
loads the settings in subprocesses (one per tree, module and environment, shared by the checks):

- production-empty: the production module under an empty environment (PATH, HOME, PYTHONPATH and
  the variables it cannot start without): DEBUG False, no '*' in ALLOWED_HOSTS, SECURE_SSL_REDIRECT on;
- production-deployment: under the deployment's own variables, the values the deployment controls
  are those the tree before the migration had;
- development-local: manage.py's module under .env-local (and the env files the project's local
  setup loads): DEBUG on, localhost allowed, and `/` answers 200 to Host: localhost;
- left-alone: the modules only development or tests load are byte-identical;
- second-apply: a second `apply --all` exits 0 and changes nothing;
- status-names: `status` names the production module and each module left alone (outside the step lines);
- image-build: where the Dockerfile's final stage runs collectstatic after the migration, that
  command works as the image build runs it (the stage's ENV and the line's own variables only);
- all-done / warning: for projects real Django cannot load here (Aldryn, django-heroku).

test_fixture_works_before_the_migration checks the fixtures themselves: development answered 200
and the deployment loaded before refactor-app touched them.

A check that fails today is marked xfail(strict=True) in TODAY with what is missing: when the
feature lands it passes, the strict mark fails, and the mark is removed.
"""

from __future__ import annotations

import functools
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import git, git_status, run_cli
from dockerfile_parse import DockerfileParser
from production_fixtures import FIXTURES, Fixture
from project_builder import write_project

pytest.importorskip("django")
pytest.importorskip("environ")
pytest.importorskip("decouple")
from dotenv import dotenv_values  # noqa: E402

STEP_NAMES = ("debug", "allowed-hosts", "secret-key", "ssl-redirect", "collectstatic", "staticfiles")

# What fails today, fixture by fixture: (fixture, check) -> what is missing. Refreshed by hand when
# the feature lands (a strict xfail that passes fails the suite and names itself).
def build_fails(why: str) -> str:
    return f"issue 13: the RUN collectstatic the migration adds cannot import the settings in the image build ({why})"


TODAY: dict[tuple[str, str], str] = {}


# --- One migrated project per fixture, shared by its checks ---------------------------------------

@dataclass
class Run:
    fixture: Fixture
    root: Path  # the repository refactor-app migrated (committed after the first apply)
    before: Path  # the same files, never migrated
    secrets: Path  # the deployment's secret files
    status: subprocess.CompletedProcess  # `status` before the migration
    first: subprocess.CompletedProcess
    changed_by_first: list[str]  # git status --porcelain after the first apply
    second: subprocess.CompletedProcess
    status_after_second: list[str]

    def import_root(self, tree: Path) -> Path:
        return tree / self.fixture.import_root

    def module_file(self, dotted: str) -> str:
        """The module's file, as status shows it (relative to the project folder)."""
        base = Path(self.fixture.import_root, *dotted.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if (self.before / candidate).is_file():
                return candidate.as_posix()
        raise AssertionError(f"{dotted} is not in the fixture")

    def environment(self, variables: dict[str, str]) -> dict[str, str]:
        return {name: value.replace("{secrets}", str(self.secrets)) for name, value in variables.items()}


_RUNS: dict[str, Run] = {}


def migrated(name: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    if name not in _RUNS:
        fixture = FIXTURES[name]
        work = tmp_path_factory.mktemp(name)
        before = write_project(work / "before", fixture.files, commit=False)
        root = write_project(work / "project", fixture.files)
        secrets = work / "secrets"
        secrets.mkdir()
        for secret, content in fixture.secret_files.items():
            (secrets / secret).write_text(content)
        status = run_cli("status", cwd=root)
        first = run_cli("apply", "--all", cwd=root)
        changed = git_status(root)
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", "refactor-app apply --all")
        second = run_cli("apply", "--all", cwd=root)
        _RUNS[name] = Run(fixture, root, before, secrets, status, first, changed, second, git_status(root))
    return _RUNS[name]


# --- Real Django in a subprocess ------------------------------------------------------------------

LOADER = r"""
import json, sys

result = {}
try:
    from django.conf import settings

    for name in ("DEBUG", "ALLOWED_HOSTS", "SECRET_KEY", "SECURE_SSL_REDIRECT"):
        result[name] = getattr(settings, name)
    result["ALLOWED_HOSTS"] = list(settings.ALLOWED_HOSTS)
    from django.http.request import validate_host

    # What runserver accepts: Django's own local names when DEBUG is on and the list is empty.
    effective = result["ALLOWED_HOSTS"] or ([".localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
    result["localhost_allowed"] = validate_host("localhost", effective)
    if sys.argv[1] == "request":
        import django
        from django.test import Client
        from django.test.utils import setup_test_environment

        django.setup()
        setup_test_environment()
        # setup_test_environment appends 'testserver', and a list no longer empty loses the DEBUG
        # fallback above: keep what runserver would accept.
        settings.ALLOWED_HOSTS = [*effective, "testserver"]
        result["status"] = Client().get("/", HTTP_HOST="localhost").status_code
except Exception as exc:  # reported by the test, with the environment it ran under
    result = {"error": f"{type(exc).__name__}: {exc}"}
print()
print(json.dumps(result, default=repr))
"""


@functools.cache
def _load(import_root: Path, module: str, environment: tuple[tuple[str, str], ...], request: bool) -> dict:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/nonexistent"),
           "PYTHONPATH": str(import_root), **dict(environment), "DJANGO_SETTINGS_MODULE": module}
    result = subprocess.run([sys.executable, "-c", LOADER, "request" if request else "values"], cwd=import_root,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert "error" not in loaded, (module, dict(environment), loaded["error"])
    return loaded


def load(run: Run, tree: Path, module: str, variables: dict[str, str], request: bool = False) -> dict:
    return _load(run.import_root(tree), module, tuple(sorted(run.environment(variables).items())), request)


def local_environment(run: Run, tree: Path | None = None) -> dict[str, str]:
    """The env files the project's local setup loads, then .env-local as refactor-app left it."""
    variables: dict[str, str] = {}
    for name in (*run.fixture.local_env_files, ".env-local"):
        path = (tree or run.root) / name
        if path.is_file():
            variables.update({key: value for key, value in dotenv_values(path).items() if value is not None})
    return variables


# --- The checks -----------------------------------------------------------------------------------

def assert_applied(run: Run) -> None:
    assert run.first.returncode == 0, run.first.stderr
    assert "Traceback" not in run.first.stderr


def check_production_empty(run: Run) -> None:
    assert_applied(run)
    loaded = load(run, run.root, run.fixture.production, run.fixture.required)
    assert loaded["DEBUG"] is False, loaded
    if "*" in loaded["ALLOWED_HOSTS"]:
        # Only where the '*' is set inside an if/try block the steps do not rewrite (Heroku's
        # template: `if IS_HEROKU_APP: ALLOWED_HOSTS = ["*"]`), and then the user is told: the
        # step is not applicable, naming the block, never done.
        hosts = _step_lines(run.status.stdout + run.status.stderr)
        line = next(line for line in hosts if line.split()[0] == "allowed-hosts")
        assert line.split()[1:3] == ["not", "applicable"] and "inside an if/try block" in line, line
    if run.fixture.redirect_declined:
        # Declined where the redirect would do nothing, or loop: the user is told why, never "done".
        lines = _step_lines(run.status.stdout + run.status.stderr)
        line = next(line for line in lines if line.split()[0] == "ssl-redirect")
        assert line.split()[1:3] == ["not", "applicable"] and run.fixture.redirect_declined in line, line
        return
    assert loaded["SECURE_SSL_REDIRECT"] is True, loaded


def check_production_deployment(run: Run) -> None:
    assert_applied(run)
    fixture = run.fixture
    before = load(run, run.before, fixture.production, fixture.deployment)
    after = load(run, run.root, fixture.production, fixture.deployment)
    assert {name: after[name] for name in fixture.compared} == {name: before[name] for name in fixture.compared}
    assert {name: after[name] for name in fixture.after_deployment} == fixture.after_deployment


def check_development_local(run: Run) -> None:
    assert_applied(run)
    loaded = load(run, run.root, run.fixture.development, local_environment(run), request=run.fixture.request)
    assert loaded["DEBUG"] is True, loaded
    assert loaded["localhost_allowed"], loaded
    if run.fixture.request:
        assert loaded["status"] == 200, loaded


def check_left_alone(run: Run) -> None:
    assert_applied(run)
    changed = [path for path in run.fixture.left_alone if (run.root / path).read_bytes() != (run.before / path).read_bytes()]
    assert changed == [], run.first.stderr


def check_second_apply(run: Run) -> None:
    assert_applied(run)
    assert run.second.returncode == 0, run.second.stderr
    assert "Traceback" not in run.second.stderr
    assert run.status_after_second == [], run.status_after_second


def _step_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.split()[:1] and line.split()[0] in STEP_NAMES]


def check_status_names(run: Run) -> None:
    assert run.status.returncode == 0, run.status.stderr
    output = run.status.stdout + run.status.stderr
    steps = _step_lines(output)
    other = [line for line in output.splitlines() if line not in steps]
    production = run.module_file(run.fixture.production)
    assert any(production in line for line in other), output
    for module in run.fixture.left_alone:
        assert any(module in line for line in other), (module, output)
        # ... and never as a file a step edits (the bracketed list ending a step line).
        assert not any(module in line.rsplit("[", 1)[-1] for line in steps if line.endswith("]")), (module, output)


def collectstatic_in_final_stage(dockerfile: Path) -> tuple[dict[str, str], list[str]] | None:
    """(the final stage's ENV plus the line's own VAR=value words, the command) of the RUN line
    that calls collectstatic, or None."""
    if not dockerfile.is_file():
        return None
    parser = DockerfileParser(fileobj=io.BytesIO(dockerfile.read_bytes()))
    structure = parser.structure
    last_from = max(index for index, item in enumerate(structure) if item["instruction"] == "FROM")
    for item in structure[last_from:]:
        if item["instruction"] == "RUN" and "collectstatic" in item["value"]:
            command = next(part for part in item["value"].split("&&") if "collectstatic" in part)
            words = shlex.split(command)
            variables = dict(parser.envs)
            while words and "=" in words[0] and words[0].split("=", 1)[0].isidentifier():
                name, value = words.pop(0).split("=", 1)
                variables[name] = value
            return variables, words
    return None


def check_image_build(run: Run) -> None:
    assert_applied(run)
    found = collectstatic_in_final_stage(run.root / "Dockerfile")
    assert found is not None, "no collectstatic in the Dockerfile's final stage: " + run.first.stderr
    variables, words = found
    build = run.root.parent / "image"
    shutil.copytree(run.root, build, ignore=shutil.ignore_patterns(".git"), dirs_exist_ok=True)
    if words[0] in ("python", "python3"):
        words[0] = sys.executable
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/nonexistent"), **variables}
    result = subprocess.run(words, cwd=build, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr.strip().splitlines()[-1:]


def check_all_done(run: Run) -> None:
    assert run.status.returncode == 0, run.status.stderr
    lines = {line.split()[0]: line for line in _step_lines(run.status.stdout)}
    assert lines, run.status.stdout
    for line in lines.values():
        # Done by aldryn-django; or declined because aldryn-django's own default is unsafe
        # (fail closed: it allows '*' hosts and no HTTPS redirect while its variables are unset).
        assert line.split()[1] == "done" or (line.split()[1:3] == ["not", "applicable"] and "aldryn" in line), line
    assert_applied(run)
    assert run.changed_by_first == [], run.changed_by_first


def check_warning(run: Run) -> None:
    assert_applied(run)
    assert run.fixture.expected_warning in run.first.stdout + run.first.stderr, run.first.stderr


CHECKS = {
    "production-empty": check_production_empty,
    "production-deployment": check_production_deployment,
    "development-local": check_development_local,
    "left-alone": check_left_alone,
    "second-apply": check_second_apply,
    "status-names": check_status_names,
    "image-build": check_image_build,
    "all-done": check_all_done,
    "warning": check_warning,
}


def builds_with_collectstatic(fixture: Fixture) -> bool:
    """Does (or will) the final stage of the project's Dockerfile run collectstatic? The line the
    collectstatic step adds needs manage.py."""
    return "Dockerfile" in fixture.files and any(name.rsplit("/", 1)[-1] == "manage.py" for name in fixture.files)


def checks_for(fixture: Fixture) -> list[str]:
    if fixture.production is None:  # real Django cannot load it here: the CLI's answers only
        return [*(["all-done"] if fixture.all_done else []), *(["warning"] if fixture.expected_warning else []),
                "second-apply"]
    return ["production-empty", "production-deployment", "development-local",
            *(["left-alone"] if fixture.left_alone else []), "second-apply", "status-names",
            *(["image-build"] if builds_with_collectstatic(fixture) else [])]


def cases():
    for name, fixture in FIXTURES.items():
        for check in checks_for(fixture):
            missing = TODAY.get((name, check))
            marks = [pytest.mark.xfail(strict=True, reason=missing)] if missing else []
            yield pytest.param(name, check, id=f"{name}:{check}", marks=marks)


@pytest.mark.parametrize("name, check", list(cases()))
def test_production_matrix(name, check, tmp_path_factory):
    CHECKS[check](migrated(name, tmp_path_factory))


@pytest.mark.parametrize("name", [name for name, fixture in FIXTURES.items() if fixture.production])
def test_fixture_works_before_the_migration(name, tmp_path_factory):
    """The fixtures are sound: before refactor-app, development answered 200 to localhost and the
    deployment's variables loaded production, so a failing check is refactor-app's doing."""
    run = migrated(name, tmp_path_factory)
    fixture = run.fixture
    load(run, run.before, fixture.production, fixture.deployment)
    development = load(run, run.before, fixture.development, local_environment(run, run.before), fixture.request)
    # Truthy: DEBUG read as a plain string ('True') is on for Django.
    assert development["DEBUG"] and development["localhost_allowed"], development
    if fixture.request:
        assert development["status"] == 200, development


def test_the_matrix_has_twenty_real_shapes():
    assert len(FIXTURES) >= 20
    assert set(TODAY) <= {(name, check) for name, fixture in FIXTURES.items() for check in checks_for(fixture)}
