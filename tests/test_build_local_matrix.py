"""Acceptance matrix for issue 13: after `refactor-app apply --all`, the image production builds
still imports the settings and collects static files, and local work still runs with DEBUG on,
localhost allowed and no HTTPS redirect, through what the project really loads.

Each fixture (tests/build_local_fixtures.py) is written to a temporary git repository and migrated
once through the CLI; its checks share that run:

- image-build: the final stage of the Dockerfile production builds, replayed on the disk (its
  WORKDIR and its COPY/ADD from the build context, minus .dockerignore), runs its collectstatic
  line as `--dry-run` under an empty environment (PATH, HOME, PYTHONPATH, plus the stage's ENV and
  the line's own VAR=value words) with real Django. Where the line is missing, the step must
  have declined naming each variable the settings need at import (or, for an image that never
  copies the code, saying so).
- local: what local work loads (the local compose service's env_file and environment, the env
  files the settings read themselves, .env-local where compose or the printed command loads it),
  parsed by python-dotenv, gives manage.py's module DEBUG True, localhost allowed, no HTTPS
  redirect, and a 200 from Django's test client for http://localhost/.
- untouched: production and example env files, production compose files and every Dockerfile but
  production's are byte for byte as before.
- second-run: a second `apply --all` changes nothing.
- printed-command: a command apply prints in a note for local work runs (under `sh -e`, with
  `runserver` replaced by `shell -c` printing the settings) and gives those same values.
"""

from __future__ import annotations

import io
import json
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec
import pytest
import yaml
from build_local_fixtures import BuildLocalFixture, FIXTURES
from conftest import git, git_status, run_cli
from dockerfile_parse import DockerfileParser
from project_builder import write_project
from test_production_matrix import _load, _step_lines, assert_applied, collectstatic_in_final_stage

pytest.importorskip("django")
pytest.importorskip("environ")
pytest.importorskip("decouple")
pytest.importorskip("dj_database_url")
from dotenv import dotenv_values  # noqa: E402

def not_loaded(where: str) -> str:
    return f"issue 13: local values go to .env-local, which nothing loads ({where})"


SET_A = "issue 13: the note's `set -a; . ./.env-local` is not valid shell for DOMAIN_ALIASES=localhost, 127.0.0.1"
FROM_APP = "issue 13: the note's `. ./.env-local` is relative to app/ (the project folder), not where apply ran"


def not_found(dockerfile: str) -> str:
    return f"issue 13: {dockerfile} is not found (collectstatic: no Dockerfile in the project folder)"


def cannot_import(why: str) -> str:
    return f"issue 13: the RUN collectstatic added cannot import the settings in the image build ({why})"


# What fails today, fixture by fixture: (fixture, check) -> what is missing. A strict xfail that
# passes fails the suite and names itself: remove its line when the feature lands.
TODAY: dict[tuple[str, str], str] = {}


# --- One migrated project per fixture, shared by its checks ---------------------------------------

@dataclass
class Run:
    fixture: BuildLocalFixture
    work: Path  # scratch space for this fixture (the image, the probe)
    root: Path  # the repository refactor-app migrated (committed after the first apply)
    before: Path  # the same files, never migrated
    first: subprocess.CompletedProcess
    second: subprocess.CompletedProcess
    status_after_second: list[str]

    @property
    def output(self) -> str:
        return self.first.stdout + self.first.stderr


_RUNS: dict[str, Run] = {}


def migrated(name: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    if name not in _RUNS:
        fixture = FIXTURES[name]
        work = tmp_path_factory.mktemp(name)
        before = write_project(work / "before", fixture.files, commit=False)
        root = write_project(work / "project", fixture.files)
        first = run_cli("apply", "--all", cwd=root)
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", "refactor-app apply --all")
        second = run_cli("apply", "--all", cwd=root)
        _RUNS[name] = Run(fixture, work, root, before, first, second, git_status(root))
    return _RUNS[name]


def step_line(run: Run, step: str) -> str | None:
    return next((line for line in _step_lines(run.output) if line.split()[0] == step), None)


# --- What local work loads ------------------------------------------------------------------------

def env_file_values(path: Path) -> dict[str, str]:
    return {key: value for key, value in dotenv_values(path).items() if value is not None}


def compose_environment(tree: Path, compose_file: str, service: str) -> dict[str, str]:
    """The variables compose gives `service`: its env_files in order, then `environment` (which wins)."""
    path = tree / compose_file
    definition = yaml.safe_load(path.read_text())["services"][service]
    entries = definition.get("env_file") or []
    variables: dict[str, str] = {}
    for entry in [entries] if isinstance(entries, (str, dict)) else entries:
        name, required = (entry, True) if isinstance(entry, str) else (entry["path"], entry.get("required", True))
        env_file = path.parent / name
        if env_file.is_file():
            variables.update(env_file_values(env_file))
        else:
            assert not required, f"{compose_file} names env_file {name}, which is missing: compose refuses to start"
    environment = definition.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment if "=" in item)
    variables.update({key: str(value) for key, value in environment.items() if value is not None})
    return variables


def local_environment(run: Run, tree: Path, commands: Sequence[str] = ()) -> dict[str, str]:
    """The settings' own env files first (load_dotenv and read_env never override the process
    environment), then compose's variables; where nothing loads local values (local work is then
    the command apply printed), .env-local when that command loads it."""
    fixture = run.fixture
    variables: dict[str, str] = {}
    for name in fixture.settings_env_files:
        if (tree / name).is_file():
            variables.update(env_file_values(tree / name))
    if fixture.local_compose:
        variables.update(compose_environment(tree, *fixture.local_compose))
    if fixture.command_expected and any(".env-local" in command for command in commands) \
            and (tree / ".env-local").is_file():
        variables.update(env_file_values(tree / ".env-local"))
    return variables


def printed_commands(output: str) -> list[str]:
    """Commands for local work in apply's notes: `quoted` ones, else the text after the note's
    last colon, when they name manage.py, dotenv or .env-local. Docker commands cannot run here:
    for compose, the local check reads what compose loads instead."""
    commands = []
    for line in output.splitlines():
        if not line.startswith("Note:"):
            continue
        spans = re.findall(r"`([^`]+)`", line) or [line.rsplit(": ", 1)[-1]]
        commands += [span.strip() for span in spans if re.search(r"manage\.py|dotenv|\.env-local", span)
                     and not span.strip().startswith(("docker ", "docker-compose "))]
    return commands


def load_local(run: Run, tree: Path, variables: dict[str, str]) -> dict:
    return _load(tree / run.fixture.import_root, run.fixture.development, tuple(sorted(variables.items())), True)


def assert_local_values(loaded: dict) -> None:
    assert loaded["DEBUG"] is True, loaded
    assert loaded["localhost_allowed"], loaded
    assert loaded["SECURE_SSL_REDIRECT"] is False, loaded
    assert loaded["status"] == 200, loaded


# --- The image build, replayed on the disk ----------------------------------------------------------

def _substitute(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: values.get(m.group(1) or m.group(2), ""), text)


def _copy_into_image(value: str, context: Path, image: Path, workdir: str, values: dict[str, str],
                     ignored: pathspec.GitIgnoreSpec) -> None:
    """COPY/ADD from the build context (not from another stage) into the image folder."""
    words = json.loads(value) if value.lstrip().startswith("[") else shlex.split(value)
    if any(word.startswith("--from") for word in words):
        return
    *sources, destination = [_substitute(word, values) for word in words if not word.startswith("--")]
    target = image / posixpath.join(workdir, destination).lstrip("/")
    into_folder = destination.endswith("/") or len(sources) > 1 or target.is_dir()
    for source in sources:
        matches = sorted(context.glob(source)) if any(c in source for c in "*?[") else [context / source]
        for match in matches:
            if match.is_dir():
                for file in sorted(match.rglob("*")):
                    relative = file.relative_to(context).as_posix()
                    if file.is_file() and ".git" not in file.parts[len(context.parts):] \
                            and not ignored.match_file(relative):
                        copied = target / file.relative_to(match)
                        copied.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(file, copied)
            elif match.is_file():
                copied = target / match.name if into_folder else target
                copied.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(match, copied)


def build_image(run: Run) -> tuple[Path, str]:
    """The image's files up to the final stage's collectstatic line: (image folder, WORKDIR)."""
    fixture = run.fixture
    parser = DockerfileParser(fileobj=io.BytesIO((run.root / fixture.production_dockerfile).read_bytes()))
    structure = parser.structure
    last_from = max(index for index, item in enumerate(structure) if item["instruction"] == "FROM")
    values = {**parser.args, **parser.envs}
    context = run.root / fixture.build_context
    dockerignore = context / ".dockerignore"
    # .dockerignore's patterns read as .gitignore's: the same for the fixtures' top-level names.
    ignored = pathspec.GitIgnoreSpec.from_lines(dockerignore.read_text().splitlines() if dockerignore.is_file() else [])
    image = run.work / "image"
    shutil.rmtree(image, ignore_errors=True)
    image.mkdir()
    workdir = "/"
    for item in structure[last_from + 1:]:
        instruction, value = item["instruction"], item["value"]
        if instruction == "RUN" and "collectstatic" in value:
            return image, workdir
        if instruction == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, _substitute(value, values)))
            (image / workdir.lstrip("/")).mkdir(parents=True, exist_ok=True)
        elif instruction in ("COPY", "ADD"):
            _copy_into_image(value, context, image, workdir, values, ignored)
    raise AssertionError(f"no collectstatic line in {fixture.production_dockerfile}'s final stage")


def run_collectstatic(run: Run, variables: dict[str, str], words: list[str]) -> subprocess.CompletedProcess:
    image, workdir = build_image(run)
    cwd = image / workdir.lstrip("/")
    if words[:2] in (["uv", "run"], ["poetry", "run"], ["pipenv", "run"]):
        words = words[2:]
    assert words[0] in ("python", "python3"), words
    words = [sys.executable, *(str(image / word.lstrip("/")) if word.startswith("/") else word for word in words[1:])]
    manage = next(word for word in words if word.endswith("manage.py"))
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/nonexistent"),
           "PYTHONPATH": str((cwd / manage).parent),
           **{name: value for name, value in variables.items() if name != "PATH"}}
    return subprocess.run([*words, "--dry-run"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


# --- The checks -----------------------------------------------------------------------------------

def check_image_build(run: Run) -> None:
    assert_applied(run)
    fixture = run.fixture
    found = collectstatic_in_final_stage(run.root / fixture.production_dockerfile)
    step = step_line(run, "collectstatic") or "(no collectstatic line in apply's output)"
    if fixture.build_declined:
        assert found is None, f"{fixture.production_dockerfile} never copies the code, yet runs collectstatic"
        assert "not applicable" in step and re.search(r"cop(y|ies)|mount|volume", step, re.I), step
        return
    if fixture.collects_at_start:
        assert found is None, f"{fixture.production_dockerfile} got a collectstatic line, yet the container collects at start"
        assert " done " in step and f"{fixture.collects_at_start}, which runs collectstatic when the container starts" in step, step
        return
    if found is None:
        # The third way: decline, naming each variable the import needs.
        needs = fixture.build_needs
        declined = "not applicable" in step and needs and all(name in step for name in needs)
        assert declined, f"no collectstatic in {fixture.production_dockerfile}'s final stage: {step}"
        return
    variables, words = found
    result = run_collectstatic(run, variables, words)
    assert result.returncode == 0, (variables, " ".join(words), result.stderr.strip().splitlines()[-1:])


def check_local(run: Run) -> None:
    assert_applied(run)
    variables = local_environment(run, run.root, printed_commands(run.output))
    assert_local_values(load_local(run, run.root, variables))


def check_untouched(run: Run) -> None:
    assert_applied(run)
    fixture = run.fixture
    kept = [*fixture.protected, *(name for name in fixture.dockerfiles if name != fixture.production_dockerfile)]
    changed = [name for name in kept if (run.root / name).read_bytes() != (run.before / name).read_bytes()]
    assert changed == [], run.first.stderr


def check_second_run(run: Run) -> None:
    assert_applied(run)
    assert run.second.returncode == 0, run.second.stderr
    assert "Traceback" not in run.second.stderr
    assert run.status_after_second == [], run.status_after_second


PROBE = """import json
from django.conf import settings
from django.http.request import validate_host
from django.test import Client
from django.test.utils import setup_test_environment

effective = list(settings.ALLOWED_HOSTS) or ([".localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
result = {"DEBUG": settings.DEBUG, "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
          "localhost_allowed": validate_host("localhost", effective)}
setup_test_environment()
settings.ALLOWED_HOSTS = [*effective, "testserver"]
result["status"] = Client().get("/", HTTP_HOST="localhost").status_code
print("PROBE " + json.dumps(result))
"""


def run_printed_command(run: Run, command: str) -> dict:
    """The command as a person would paste it, with runserver replaced by a `shell -c` that
    prints what runserver would run with (or that command run after it, when it only loads)."""
    probe = run.work / "probe.py"
    probe.write_text(PROBE)
    shell = "shell -c " + shlex.quote(f"exec(open({str(probe)!r}).read())")
    if re.search(r"\brunserver\b", command):
        script = re.sub(r"\brunserver\b[^;&|]*", shell, command)
    else:
        script = f"{command}\npython {run.fixture.manage_path} {shell}"
    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "HOME": os.environ.get("HOME", "/nonexistent")}
    result = subprocess.run(["sh", "-e", "-c", script], cwd=run.root, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, (command, result.stderr.strip().splitlines()[-3:])
    assert "not found" not in result.stderr, (command, result.stderr)
    probed = [line for line in result.stdout.splitlines() if line.startswith("PROBE ")]
    assert probed, (command, result.stdout, result.stderr)
    return json.loads(probed[-1][len("PROBE "):])


def check_printed_command(run: Run) -> None:
    assert_applied(run)
    commands = printed_commands(run.output)
    if run.fixture.command_expected:
        notes = [line for line in run.output.splitlines() if line.startswith("Note:")]
        assert commands, f"nothing loads local values, and apply printed no command for local work: {notes}"
    for command in commands:
        assert_local_values(run_printed_command(run, command))


CHECKS = {
    "image-build": check_image_build,
    "local": check_local,
    "untouched": check_untouched,
    "second-run": check_second_run,
    "printed-command": check_printed_command,
}


def checks_for(fixture: BuildLocalFixture) -> list[str]:
    has_other_dockerfiles = len(fixture.dockerfiles) > 1
    return ["image-build", "local", *(["untouched"] if fixture.protected or has_other_dockerfiles else []),
            "second-run", "printed-command"]


def cases():
    for name, fixture in FIXTURES.items():
        for check in checks_for(fixture):
            missing = TODAY.get((name, check))
            marks = [pytest.mark.xfail(strict=True, reason=missing)] if missing else []
            yield pytest.param(name, check, id=f"{name}:{check}", marks=marks)


@pytest.mark.parametrize("name, check", list(cases()))
def test_build_local_matrix(name, check, tmp_path_factory):
    CHECKS[check](migrated(name, tmp_path_factory))


@pytest.mark.parametrize("name", list(FIXTURES))
def test_fixture_works_before_the_migration(name, tmp_path_factory):
    """The fixtures are sound: before refactor-app, what local work loads ran manage.py's module
    with DEBUG on, localhost allowed and no redirect, so a failing check is refactor-app's doing."""
    run = migrated(name, tmp_path_factory)
    loaded = load_local(run, run.before, local_environment(run, run.before))
    # Truthy: DEBUG read as a plain string ('1') is on for Django.
    assert loaded["DEBUG"] and loaded["localhost_allowed"] and not loaded["SECURE_SSL_REDIRECT"], loaded
    assert loaded["status"] == 200, loaded


def test_the_matrix_has_twelve_real_shapes():
    assert len(FIXTURES) >= 12
    assert set(TODAY) <= {(name, check) for name, fixture in FIXTURES.items() for check in checks_for(fixture)}
