"""Nothing outside the repository is read for editing or written: links that leave it, settings
names that climb out of it, and files that are not regular files (FIFO, device, socket, huge)
are refused with exit 2 before anything is read or written."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from conftest import EXAMPLE, git, git_status, run_cli
from golden_cases import GIT_ENV, committed_project, copy_tree, tree_files

BASHRC = b"# a stand-in for ~/.bashrc\nexport PATH=$HOME/bin:$PATH\n"
OUTSIDE_SETTINGS = b"DEBUG = True\nALLOWED_HOSTS = ['*']\nSECRET_KEY = 'outside'\n"
COMMANDS = (["apply", "--all"], ["apply", "--all", "--dry-run"], ["status"])


def assert_refused(result, *fragments):
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stderr.startswith("error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


@pytest.fixture
def layout(tmp_path):
    """The tutorial committed in work/proj, and an `outside` folder next to work/ with a
    ~/.bashrc stand-in and a settings module (work/other/settings.py) outside the repository."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "bashrc").write_bytes(BASHRC)
    other = tmp_path / "work" / "other"
    other.mkdir(parents=True)
    (other / "__init__.py").write_bytes(b"")
    (other / "settings.py").write_bytes(OUTSIDE_SETTINGS)
    project = committed_project(EXAMPLE, tmp_path / "work" / "proj")
    return project, outside, other


def commit_all(project, message="odd"):
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", message)


def link(project, name, target):
    path = project / name
    path.unlink(missing_ok=True)
    path.symlink_to(target)


@pytest.mark.parametrize("name", [".env-local", ".gitignore", "Dockerfile"])
def test_a_committed_link_to_an_outside_file_is_refused(layout, name):
    project, outside, _ = layout
    link(project, name, outside / "bashrc")
    commit_all(project, f"{name} is a link")
    before = tree_files(project)
    for args in COMMANDS:
        result = run_cli(*args, cwd=project)
        assert_refused(result, name, str(outside / "bashrc"), "outside the repository")
        assert (outside / "bashrc").read_bytes() == BASHRC
    assert tree_files(project) == before and git_status(project) == []


def test_a_dangling_link_to_outside_is_refused_and_its_target_not_created(layout):
    project, outside, _ = layout
    link(project, ".env-local", outside / "missing")
    commit_all(project)
    for args in COMMANDS:
        result = run_cli(*args, cwd=project)
        assert_refused(result, ".env-local", str(outside / "missing"))
    assert not (outside / "missing").exists() and not (outside / "missing").is_symlink()
    assert sorted(p.name for p in outside.iterdir()) == ["bashrc"]


def test_a_link_to_an_outside_folder_is_refused(layout):
    """A linked folder on the way counts too: config/ -> outside, .env-local -> config/env."""
    project, outside, _ = layout
    (project / "config").symlink_to(outside)
    link(project, ".env-local", "config/bashrc")
    commit_all(project)
    result = run_cli("apply", "--all", cwd=project)
    assert_refused(result, ".env-local", str(outside / "bashrc"))
    assert (outside / "bashrc").read_bytes() == BASHRC


def test_a_link_that_stays_inside_the_repository_is_followed(layout):
    project, outside, _ = layout
    (project / "config").mkdir()
    (project / ".env-local").rename(project / "config" / "env-local")
    link(project, ".env-local", "config/env-local")
    commit_all(project)
    result = run_cli("apply", "--all", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / ".env-local").is_symlink()
    assert "DJANGO_DEBUG=True" in (project / "config" / "env-local").read_text()


def test_a_settings_module_linked_outside_is_refused(layout):
    project, _, other = layout
    link(project, "myapp/settings.py", other / "settings.py")
    commit_all(project)
    for args in COMMANDS:
        result = run_cli(*args, cwd=project)
        assert_refused(result, "myapp/settings.py", str(other / "settings.py"))
    assert (other / "settings.py").read_bytes() == OUTSIDE_SETTINGS


@pytest.mark.parametrize("value", ["../../other/settings", "/etc/passwd", "myapp/settings", "myapp..settings", ""])
def test_settings_module_name_that_is_a_path(layout, value):
    project, _, other = layout
    manage = project / "manage.py"
    manage.write_text(manage.read_text().replace("'myapp.settings'", repr(value)))
    commit_all(project)
    for args in COMMANDS:
        result = run_cli(*args, cwd=project)
        assert_refused(result, "manage.py", repr(value), "dotted")
    assert (other / "settings.py").read_bytes() == OUTSIDE_SETTINGS


def test_wsgi_naming_a_path_is_refused(layout):
    project, _, other = layout
    wsgi = project / "myapp" / "wsgi.py"
    wsgi.write_text("import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', '../../other/settings')\n")
    commit_all(project)
    result = run_cli("apply", "--all", cwd=project)
    assert_refused(result, "myapp/wsgi.py", "'../../other/settings'")
    assert (other / "settings.py").read_bytes() == OUTSIDE_SETTINGS


def test_a_relative_star_import_climbing_out_of_the_repository_is_refused(layout):
    project, _, other = layout
    settings = project / "myapp" / "settings.py"
    settings.write_text(settings.read_text() + "\nfrom ...other.settings import *\n")
    commit_all(project)
    before = tree_files(project)
    for args in COMMANDS:
        result = run_cli(*args, cwd=project)
        assert_refused(result, "myapp/settings.py", "...other.settings", "outside the repository")
    assert (other / "settings.py").read_bytes() == OUTSIDE_SETTINGS
    assert tree_files(project) == before and git_status(project) == []


def test_a_relative_star_import_inside_the_repository_still_works(layout):
    project, _, _ = layout
    (project / "myapp" / "base.py").write_bytes(OUTSIDE_SETTINGS)
    settings = project / "myapp" / "settings.py"
    settings.write_text(settings.read_text() + "\nfrom .base import *\n")
    commit_all(project)
    result = run_cli("apply", "--all", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "DJANGO_DEBUG" in (project / "myapp" / "base.py").read_text()


def test_settings_option_outside_the_repository_is_refused(layout):
    project, _, other = layout
    for args in COMMANDS:
        result = run_cli(*args, "--settings", str(other / "settings.py"), cwd=project)
        assert_refused(result, f"--settings {other / 'settings.py'}", "outside the repository", str(project))
    assert (other / "settings.py").read_bytes() == OUTSIDE_SETTINGS
    assert git_status(project) == []


def test_without_git_the_project_folder_is_the_limit(tmp_path):
    project = tmp_path / "plain"
    copy_tree(EXAMPLE, project)
    outside = tmp_path / "bashrc"
    outside.write_bytes(BASHRC)
    link(project, ".env-local", outside)
    result = run_cli("apply", "--all", "--allow-dirty", cwd=project)
    assert_refused(result, ".env-local", str(outside), "outside the project folder")
    assert outside.read_bytes() == BASHRC


def run_with_timeout(*args, cwd, timeout=30):
    """The CLI with a short timeout: a FIFO that blocks the reader must fail the test, not hang it."""
    env = {**os.environ, **GIT_ENV}
    env.pop("FORCE_COLOR", None)
    try:
        return subprocess.run([sys.executable, "-m", "refactor_app", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"refactor-app {' '.join(args)} hung (more than {timeout} s)")


@pytest.mark.parametrize("name", [".env-local", "Dockerfile", ".gitignore", "myapp/settings.py"])
def test_a_fifo_is_refused_without_blocking(layout, name):
    project, _, _ = layout
    path = project / name
    path.unlink()
    os.mkfifo(path)
    for args in (["status"], ["apply", "--all", "--dry-run"], ["apply", "--all", "--allow-dirty"]):
        result = run_with_timeout(*args, cwd=project)
        assert_refused(result, name, "is a FIFO")


def test_a_socket_is_refused(layout):
    project, _, _ = layout
    (project / ".env-local").unlink()
    server = socket.socket(socket.AF_UNIX)
    previous = os.getcwd()
    os.chdir(project)  # a socket path is limited to about 100 bytes: bind it relative
    try:
        server.bind(".env-local")
    finally:
        os.chdir(previous)
    try:
        result = run_with_timeout("status", cwd=project)
        assert_refused(result, ".env-local", "is a socket")
    finally:
        server.close()


@pytest.mark.parametrize("name", ["manage.py", "Dockerfile", "docker-compose.yml"])
def test_a_link_to_a_device_is_refused_without_reading(layout, name):
    """manage.py and docker-compose.yml are only read (never edited), so a link out of the
    repository is allowed for them; a device is not, and /dev/zero would never end."""
    project, _, _ = layout
    link(project, name, "/dev/zero")
    commit_all(project)
    for args in (["status"], ["apply", "--all"]):
        result = run_with_timeout(*args, cwd=project)
        assert_refused(result, name, "is a character device")


@pytest.mark.parametrize("name", [".env-local", "myapp/settings.py"])
def test_a_huge_file_is_refused_without_reading(layout, name):
    project, _, _ = layout
    path = project / name
    with open(path, "ab") as handle:
        handle.truncate(11 * 1024 * 1024)  # sparse: costs no disk
    result = run_with_timeout("apply", "--all", "--dry-run", cwd=project)
    assert_refused(result, name, "11.0 MB", "10 MB")


def test_boundary_real_path_is_realpath(tmp_path):
    """The cheap resolution the checks use gives os.path.realpath's answer: plain files, links
    in and out, linked folders, dangling links, missing folders, a file used as a folder."""
    from refactor_app.boundary import find_boundary

    top = tmp_path / "repo"
    (top / ".git").mkdir(parents=True)
    (top / "a" / "b").mkdir(parents=True)
    (top / "a" / "b" / "f.py").write_text("x")
    (top / "file").write_text("x")
    (tmp_path / "out").mkdir()
    (top / "in-link").symlink_to("a/b/f.py")
    (top / "out-link").symlink_to(tmp_path / "out")
    (top / "a" / "up").symlink_to("..")
    (top / "dangling").symlink_to("../out/missing")
    boundary = find_boundary(top / "a")
    assert boundary.folder == str(top.resolve()) and boundary.in_git
    for relative in ("a/b/f.py", "in-link", "out-link/x", "a/up/b/f.py", "dangling", "missing/x", "file/x",
                     "a/../file", "a/b"):
        path = top / relative
        assert boundary.real_path(path) == os.path.realpath(path), relative
        assert boundary.contains(path) == os.path.realpath(path).startswith(str(top.resolve()) + os.sep), relative


def test_a_link_swapped_in_after_planning_is_refused_at_the_write(tmp_path):
    # The file on disk has the planned bytes, but through a link to a file outside: the last
    # read before writing checks where the file is, not only what it holds.
    root = committed_project(EXAMPLE, tmp_path / "proj")
    from refactor_app import api
    from refactor_app.errors import RefactorError

    plan = api.make_plan(api.discover(root))
    outside = tmp_path / "outside-env"
    outside.write_bytes((root / ".env-local").read_bytes())
    (root / ".env-local").unlink()
    (root / ".env-local").symlink_to(outside)
    with pytest.raises(RefactorError, match=r"\.env-local"):
        api.apply(plan, allow_dirty=True)
    assert outside.read_bytes() == (EXAMPLE / ".env-local").read_bytes()
    assert (root / "myapp" / "settings.py").read_bytes() == (EXAMPLE / "myapp" / "settings.py").read_bytes()
