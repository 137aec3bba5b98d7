"""Bad input: one plain line naming the file and the fix, exit code 2, no traceback, nothing written."""

from __future__ import annotations

import shutil

import pytest

from conftest import git, git_status, run_cli
from golden_cases import tree_files


def assert_plain_error(result, *fragments):
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_syntax_error_in_settings(tutorial):
    settings = tutorial / "myapp" / "settings.py"
    settings.write_text(settings.read_text().replace("DEBUG = True", "DEBUG = = True"))
    git(tutorial, "commit", "-q", "-am", "broken")
    before = tree_files(tutorial)
    for args in (["apply", "--all"], ["apply", "--all", "--dry-run"], ["status"]):
        result = run_cli(*args, cwd=tutorial)
        assert_plain_error(result, "myapp/settings.py has a syntax error at line 29", "py_compile")
    assert tree_files(tutorial) == before and git_status(tutorial) == []


def test_no_manage_py_and_no_settings_option(tmp_path):
    result = run_cli("status", cwd=tmp_path)
    assert_plain_error(result, f"no manage.py in {tmp_path.resolve()}", "--settings")


def test_path_that_does_not_exist(tmp_path):
    result = run_cli("apply", "--all", str(tmp_path / "nowhere"))
    assert_plain_error(result, "nowhere does not exist")


def test_settings_option_that_does_not_exist(tutorial):
    result = run_cli("status", "--settings", "myapp/nope.py", cwd=tutorial)
    assert_plain_error(result, "--settings myapp/nope.py: no such file")


def test_manage_py_naming_a_missing_module(tutorial):
    manage = tutorial / "manage.py"
    manage.write_text(manage.read_text().replace("myapp.settings", "myapp.settings.dev"))
    result = run_cli("status", cwd=tutorial)
    assert_plain_error(result, "'myapp.settings.dev'", "myapp/settings/dev.py", "--settings")


def test_manage_py_without_settings_module(tutorial):
    (tutorial / "manage.py").write_text("print('hello')\n")
    result = run_cli("status", cwd=tutorial)
    assert_plain_error(result, "manage.py does not set DJANGO_SETTINGS_MODULE")


def test_missing_dockerfile_makes_collectstatic_not_applicable(tutorial):
    git(tutorial, "rm", "-q", "Dockerfile")
    git(tutorial, "commit", "-q", "-m", "no docker")
    status = run_cli("status", cwd=tutorial)
    line = next(line for line in status.stdout.splitlines() if line.startswith("collectstatic"))
    assert line.split()[1:3] == ["not", "applicable"]
    assert "no Dockerfile" in line
    result = run_cli("apply", "--all", cwd=tutorial)
    assert result.returncode == 0, result.stderr
    assert not (tutorial / "Dockerfile").exists()
    assert "os.environ.get('DATABASE_URL')\n" in (tutorial / "myapp" / "settings.py").read_text()


@pytest.mark.parametrize("kind", ["binary", "folder", "not-utf8"])
def test_unreadable_dockerfile_stops_before_writing(tutorial, kind):
    dockerfile = tutorial / "Dockerfile"
    dockerfile.unlink()
    if kind == "binary":
        dockerfile.write_bytes(b"FROM python:3.8\n\x00\x01\x02")
        expected = "Dockerfile looks like a binary file"
    elif kind == "folder":
        dockerfile.mkdir()
        (dockerfile / "x").write_text("x")
        expected = "Dockerfile is a folder"
    else:
        dockerfile.write_bytes("FROM python:3.8\n# caf\xe9\n".encode("latin-1"))
        expected = "Dockerfile is not UTF-8 text"
    git(tutorial, "add", "-A")
    git(tutorial, "commit", "-q", "-m", "odd Dockerfile")
    before = tree_files(tutorial)
    result = run_cli("apply", "--all", cwd=tutorial)
    assert_plain_error(result, expected)
    assert tree_files(tutorial) == before and git_status(tutorial) == []


def test_not_a_git_repository(tmp_path):
    from conftest import EXAMPLE
    from golden_cases import copy_tree

    project = tmp_path / "plain"
    copy_tree(EXAMPLE, project)
    before = tree_files(project)

    status = run_cli("status", cwd=project)
    assert status.returncode == 0
    line = next(line for line in status.stdout.splitlines() if line.startswith("staticfiles"))
    assert "not applicable" in line and "is not in a git repository" in line

    refused = run_cli("apply", "--all", cwd=project)
    assert_plain_error(refused, "is not in a git repository", "git init", "--allow-dirty")
    assert tree_files(project) == before

    forced = run_cli("apply", "--all", "--allow-dirty", cwd=project)
    assert forced.returncode == 0, forced.stderr
    assert (project / "staticfiles").is_dir(), "git rm is not possible without git: staticfiles/ stays"
    assert "/staticfiles" not in (project / ".gitignore").read_text()
    assert "DJANGO_DEBUG=True" in (project / ".env-local").read_text()


def test_modified_staticfiles_are_not_dropped(tutorial):
    (tutorial / "staticfiles" / "staticfiles.json").write_text("{}")
    result = run_cli("apply", "--all", "--allow-dirty", cwd=tutorial)
    assert_plain_error(result, "staticfiles/ has uncommitted changes (staticfiles/staticfiles.json)")
    assert git_status(tutorial) == [" M staticfiles/staticfiles.json"]


def test_repository_without_commits(tmp_path):
    from conftest import EXAMPLE
    from golden_cases import copy_tree

    project = tmp_path / "fresh"
    copy_tree(EXAMPLE, project)
    git(project, "init", "-q")
    result = run_cli("apply", "--all", "--step", "debug", cwd=project)
    assert result.returncode == 2
    result = run_cli("apply", "--step", "debug", cwd=project)
    assert_plain_error(result, "has no commits yet")
    shutil.rmtree(project / ".git")


def test_settings_file_that_is_not_text(tutorial):
    (tutorial / "myapp" / "settings.py").write_bytes(b"\xff\xfe bad")
    result = run_cli("status", cwd=tutorial)
    assert_plain_error(result, "myapp/settings.py cannot be decoded", "UTF-8")


@pytest.mark.parametrize("kind", ["file", "unwritable"])
def test_demo_into_a_bad_place(tmp_path, kind):
    if kind == "file":
        target = tmp_path / "a-file"
        target.write_text("x")
        expected = "is a file"
    else:
        target = "/proc/refactor-app-demo"
        expected = "cannot create the demo project"
    result = run_cli("demo", str(target))
    assert_plain_error(result, expected)


def test_run_from_a_subfolder_finds_the_project_above(tutorial):
    result = run_cli("status", cwd=tutorial / "myapp")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"refactor-app status: {tutorial}"
    assert "no Dockerfile" not in result.stdout


def test_settings_option_from_elsewhere_uses_the_project_around_the_settings(tutorial, tmp_path):
    result = run_cli("status", "--settings", str(tutorial / "myapp" / "settings.py"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"refactor-app status: {tutorial}"
    assert "no Dockerfile" not in result.stdout
