"""The staticfiles step removes and ignores the folder collectstatic really writes: STATIC_ROOT as
the settings compute it from `__file__` (BASE_DIR in its spellings, cookiecutter-django's ROOT_DIR,
django-environ's `environ.Path(__file__) - 3`), checked by running Django's own collectstatic
afterwards; it warns when nothing will collect the folder it takes out of git; its commit says
what it did; its reasons say "by hand" only where something is committed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import git, run_cli
from project_builder import write_project

MANAGE = """import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{module}")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
"""

# What every layout's settings end with: enough for Django to run collectstatic.
COMMON = """SECRET_KEY = "not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["example.com"]
SECURE_SSL_REDIRECT = True
INSTALLED_APPS = ["django.contrib.staticfiles"]
STATIC_URL = "/static/"
"""

DOCKERFILE = "FROM python:3.12\nWORKDIR /app\nCOPY . /app\nRUN pip install django\nCMD gunicorn x.wsgi\n"


def _layout(module: str, settings: dict[str, str], assets: str, collected: str, manage_dir: str = "",
            extra: dict[str, str] | None = None):
    """A project: manage.py (in `manage_dir`), settings files, one source asset in `assets/`, and
    the folder collectstatic writes (`collected`, from the project's top) committed with a file."""
    prefix = f"{manage_dir}/" if manage_dir else ""
    files = {f"{prefix}manage.py": MANAGE.format(module=module), **settings,
             f"{assets}/site.css": "body { color: red }\n", f"{collected}/site.css": "old collected copy\n",
             "Dockerfile": DOCKERFILE, **(extra or {})}
    return files, collected


LAYOUTS = {
    "startproject pathlib": _layout(
        "mysite.settings",
        {"mysite/__init__.py": "", "mysite/settings.py": "from pathlib import Path\n\n"
         "BASE_DIR = Path(__file__).resolve().parent.parent\n" + COMMON
         + "STATICFILES_DIRS = [BASE_DIR / 'assets']\nSTATIC_ROOT = BASE_DIR / 'staticfiles'\n"},
        "assets", "staticfiles"),
    "os.path dirname(dirname(abspath))": _layout(
        "mysite.settings",
        {"mysite/__init__.py": "", "mysite/settings.py": "import os\n\n"
         "BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\n" + COMMON
         + "STATICFILES_DIRS = [os.path.join(BASE_DIR, 'assets')]\nSTATIC_ROOT = os.path.join(BASE_DIR, 'static_collected')\n"},
        "assets", "static_collected"),
    "settings package, .parent.parent.parent": _layout(
        "mysite.settings.production",
        {"mysite/__init__.py": "", "mysite/settings/__init__.py": "",
         "mysite/settings/base.py": "from pathlib import Path\n\n"
         "BASE_DIR = Path(__file__).resolve().parent.parent.parent\n" + COMMON
         + "STATICFILES_DIRS = [BASE_DIR / 'assets']\nSTATIC_ROOT = BASE_DIR / 'staticfiles'\n",
         "mysite/settings/production.py": "from .base import *  # noqa\n"},
        "assets", "staticfiles"),
    # BASE_DIR is the package's folder here, not manage.py's: the collected folder is mysite/staticfiles
    # (a top-level staticfiles/ of the user's stays committed).
    "settings package, .parent.parent": _layout(
        "mysite.settings.production",
        {"mysite/__init__.py": "", "mysite/settings/__init__.py": "",
         "mysite/settings/base.py": "from pathlib import Path\n\n"
         "BASE_DIR = Path(__file__).resolve().parent.parent\n" + COMMON
         + "STATICFILES_DIRS = [BASE_DIR.parent / 'assets']\nSTATIC_ROOT = BASE_DIR / 'staticfiles'\n",
         "mysite/settings/production.py": "from .base import *  # noqa\n"},
        "assets", "mysite/staticfiles", extra={"staticfiles/keep.txt": "the user's own, not collected\n"}),
    "cookiecutter-django BASE_DIR resolve(strict=True)": _layout(
        "config.settings.production",
        {"config/__init__.py": "", "config/settings/__init__.py": "",
         "config/settings/base.py": "from pathlib import Path\n\n"
         "BASE_DIR = Path(__file__).resolve(strict=True).parent.parent.parent\nAPPS_DIR = BASE_DIR / 'myproject'\n"
         + COMMON + "STATICFILES_DIRS = [str(APPS_DIR / 'static')]\nSTATIC_ROOT = str(BASE_DIR / 'staticfiles')\n",
         "config/settings/production.py": "from .base import *  # noqa\n"},
        "myproject/static", "staticfiles"),
    "cookiecutter-django ROOT_DIR and APPS_DIR": _layout(
        "config.settings.production",
        {"config/__init__.py": "", "config/settings/__init__.py": "",
         "config/settings/base.py": "from pathlib import Path\n\n"
         "ROOT_DIR = Path(__file__).resolve(strict=True).parent.parent.parent\nAPPS_DIR = ROOT_DIR / 'myproject'\n"
         + COMMON + "STATICFILES_DIRS = [str(APPS_DIR / 'static')]\nSTATIC_ROOT = str(APPS_DIR / 'collected')\n",
         "config/settings/production.py": "from .base import *  # noqa\n"},
        "myproject/static", "myproject/collected"),
    "django-environ environ.Path(__file__) - 3": _layout(
        "config.settings.production",
        {"config/__init__.py": "", "config/settings/__init__.py": "",
         "config/settings/base.py": "import environ\n\n"
         "ROOT_DIR = environ.Path(__file__) - 3\nAPPS_DIR = ROOT_DIR.path('myproject')\n"
         + COMMON + "STATICFILES_DIRS = [str(APPS_DIR.path('static'))]\nSTATIC_ROOT = str(ROOT_DIR('staticfiles'))\n",
         "config/settings/production.py": "from .base import *  # noqa\n"},
        "myproject/static", "staticfiles"),
    # manage.py in src/: BASE_DIR is src/, STATIC_ROOT one folder above it, at the repository's top.
    "src layout, STATIC_ROOT above BASE_DIR": _layout(
        "mysite.settings",
        {"src/mysite/__init__.py": "", "src/mysite/settings.py": "from pathlib import Path\n\n"
         "BASE_DIR = Path(__file__).resolve().parent.parent\n" + COMMON
         + "STATICFILES_DIRS = [BASE_DIR / 'assets']\nSTATIC_ROOT = BASE_DIR.parent / 'public' / 'static'\n"},
        "src/assets", "public/static", manage_dir="src"),
    "BASE_DIR imported by name": _layout(
        "mysite.settings",
        {"mysite/__init__.py": "", "mysite/paths.py": "import os\n\nBASE_DIR = os.path.dirname(os.path.dirname(__file__))\n",
         "mysite/settings.py": "import os\n\nfrom mysite.paths import BASE_DIR\n" + COMMON
         + "STATICFILES_DIRS = [os.path.join(BASE_DIR, 'assets')]\nSTATIC_ROOT = os.path.join(BASE_DIR, 'collected')\n"},
        "assets", "collected"),
}


def _django(root: Path, manage_dir: str, *args: str) -> subprocess.CompletedProcess:
    folder = root / manage_dir if manage_dir else root
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=folder, env=environment,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_folder_removed_and_ignored_is_the_one_collectstatic_writes(tmp_path, layout):
    files, collected = LAYOUTS[layout]
    root = write_project(tmp_path / "project", files)
    manage_dir = "src" if layout.startswith("src layout") else ""
    # Django's own answer, before: where STATIC_ROOT is
    where = _django(root, manage_dir, "shell", "-c", "from django.conf import settings; print(settings.STATIC_ROOT)")
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.splitlines()[-1]).resolve() == (root / collected).resolve()

    result = run_cli("apply", "--step", "staticfiles", "--commit", cwd=root)
    assert result.returncode == 0, result.stderr
    assert git(root, "ls-files", "--", collected) == "", "the collected folder is out of git"
    assert f"/{collected}\n" in (root / ".gitignore").read_text()
    if (root / "staticfiles" / "keep.txt").exists():
        assert git(root, "ls-files", "--", "staticfiles") == "staticfiles/keep.txt\n", "a folder of the user's stays"

    # Django collects into the ignored folder: nothing new for git to see.
    run = _django(root, manage_dir, "collectstatic", "--noinput")
    assert run.returncode == 0, run.stderr
    assert (root / collected / "site.css").read_text() == "body { color: red }\n"
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert run_cli("apply", "--step", "staticfiles", "--check", cwd=root).returncode == 0


@pytest.mark.parametrize(
    "static_root, folder",
    [
        ("Path(__file__).resolve().parent.parent / 'staticfiles'", "staticfiles"),
        ("Path(__file__).resolve().parents[1] / 'out'", "out"),
        ("os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'out')", "out"),
        ("os.path.join(BASE_DIR, 'static', '..', 'out')", "out"),
        ("f'{BASE_DIR}/out'", "out"),
        ("str(BASE_DIR) + '/out'", "out"),
        ("BASE_DIR.joinpath('a', 'b')", "a/b"),
        ("Path(__file__).resolve().parent / 'collected'", "mysite/collected"),
        ("os.environ.get('STATIC_ROOT')", None),
        ("Path.cwd() / 'static'", None),
    ],
)
def test_static_root_spellings(tmp_path, static_root, folder):
    from project_builder import STARTPROJECT_SETTINGS, startproject

    from refactor_app import api
    from refactor_app.steps.staticfiles import static_root_folder
    from refactor_app.workspace import Workspace

    settings = "import os\n" + STARTPROJECT_SETTINGS.replace('STATIC_ROOT = BASE_DIR / "staticfiles"', f"STATIC_ROOT = {static_root}")
    root = startproject(tmp_path, settings, commit=False)
    assert static_root_folder(Workspace(api.discover(root))) == folder


# --- nothing collects the folder ---------------------------------------------------------------

TUTORIAL_LIKE = {
    "manage.py": MANAGE.format(module="mysite.settings"),
    "mysite/__init__.py": "",
    "mysite/settings.py": "from pathlib import Path\n\n# collectstatic puts the files in STATIC_ROOT\n"
                          "BASE_DIR = Path(__file__).resolve().parent.parent\n" + COMMON
                          + "STATIC_ROOT = BASE_DIR / 'staticfiles'\n",
    "staticfiles/admin/css/base.css": "collected\n",
    "README.md": "Run `python manage.py collectstatic` before deploying.\n",
}
NOBODY = "nothing in the project runs collectstatic"


@pytest.mark.parametrize(
    "extra, warned",
    [
        ({}, "there is no Dockerfile"),
        ({"Procfile": "release: python manage.py collectstatic --noinput\nweb: gunicorn mysite.wsgi\n"}, None),
        ({"bin/post_compile": "#!/bin/sh\npython manage.py collectstatic --noinput\n"}, None),
        ({"docker-compose.yml": "services:\n  web:\n    image: x\n    command: sh -c 'python manage.py collectstatic --noinput && gunicorn mysite.wsgi'\n"}, None),
        ({"render.yaml": "services:\n  - type: web\n    buildCommand: pip install -r requirements.txt && python manage.py collectstatic --no-input\n"}, None),
        ({"fly.toml": "[deploy]\n  release_command = 'python manage.py collectstatic --noinput'\n"}, None),
        ({"tasks.py": "def deploy(c):\n    c.run('python manage.py collectstatic --noinput')\n"}, None),
        ({"Dockerfile": DOCKERFILE}, None),  # the collectstatic step adds the line in the same run
        # a Procfile: Heroku's Python buildpack collects on every build...
        ({"Procfile": "web: gunicorn mysite.wsgi\n"}, None),
        # ...unless told not to
        ({"Procfile": "web: gunicorn mysite.wsgi\n", "app.json": '{"env": {"DISABLE_COLLECTSTATIC": "1"}}\n'},
         "there is no Dockerfile"),
    ],
)
def test_a_warning_when_the_collected_folder_leaves_git_and_nothing_collects_it(tmp_path, extra, warned):
    root = write_project(tmp_path / "project", {**TUTORIAL_LIKE, **extra})
    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    assert git(root, "ls-files", "--", "staticfiles") == ""
    warnings = [line for line in result.stderr.splitlines() if NOBODY in line]
    if warned is None:
        assert warnings == [], result.stderr
    else:
        assert len(warnings) == 1 and warnings[0].startswith("Warning: staticfiles/ leaves the repository")
        assert warned in warnings[0] and "python manage.py collectstatic --noinput" in warnings[0]


def test_the_warning_names_a_dockerfile_that_does_not_collect_when_its_step_is_not_run(tmp_path):
    root = write_project(tmp_path / "project", {**TUTORIAL_LIKE, "Dockerfile": DOCKERFILE})
    result = run_cli("apply", "--step", "staticfiles", cwd=root)
    assert result.returncode == 0, result.stderr
    assert f"Warning: staticfiles/ leaves the repository, but {NOBODY} (the Dockerfile does not run it" in result.stderr
    # nothing removed: no warning
    git(root, "commit", "-qam", "removed")
    again = run_cli("status", cwd=root)
    assert NOBODY not in again.stdout + again.stderr


# --- the commit says what the step did ---------------------------------------------------------

def test_the_commit_says_ignore_when_nothing_is_removed_and_remove_when_files_are(tmp_path):
    clean = write_project(tmp_path / "clean", {k: v for k, v in TUTORIAL_LIKE.items() if not k.startswith("staticfiles/")})
    result = run_cli("apply", "--all", "--commit", cwd=clean)
    assert result.returncode == 0, result.stderr
    subject = git(clean, "log", "-1", "--format=%s")
    assert subject == "Ignore collected static files (/staticfiles)\n"
    assert git(clean, "show", "--format=", "--name-status", "HEAD") == "M\t.gitignore\n" or \
        git(clean, "show", "--format=", "--name-status", "HEAD") == "A\t.gitignore\n"

    committed = write_project(tmp_path / "committed", TUTORIAL_LIKE)
    result = run_cli("apply", "--all", "--commit", cwd=committed)
    assert result.returncode == 0, result.stderr
    assert git(committed, "log", "-1", "--format=%s") == "Remove collected static files from the repository\n"
    assert "D\tstaticfiles/admin/css/base.css\n" in git(committed, "show", "--format=", "--name-status", "HEAD")


def test_json_gives_the_title_the_commit_would_have(tmp_path):
    import json

    clean = write_project(tmp_path / "clean", {k: v for k, v in TUTORIAL_LIKE.items() if not k.startswith("staticfiles/")})
    document = json.loads(run_cli("status", "--format", "json", cwd=clean).stdout)
    step = next(step for step in document["steps"] if step["name"] == "staticfiles")
    assert step["title"] == "Ignore collected static files (/staticfiles)"


# --- "by hand" only where something is committed -----------------------------------------------

def _staticfiles_line(root: Path) -> str:
    status = run_cli("status", cwd=root)
    assert status.returncode == 0, status.stderr
    return next(line for line in status.stdout.splitlines() if line.startswith("staticfiles"))


def test_nothing_committed_means_nothing_to_do_by_hand(tmp_path):
    outside = {**TUTORIAL_LIKE, "mysite/settings.py": TUTORIAL_LIKE["mysite/settings.py"].replace(
        "STATIC_ROOT = BASE_DIR / 'staticfiles'", "STATIC_ROOT = '/var/www/static'")}
    line = _staticfiles_line(write_project(tmp_path / "outside", outside))
    assert "not applicable" in line and "/var/www/static, outside the project folder, and nothing in it is committed" in line
    assert "by hand" not in line

    plain = write_project(tmp_path / "plain", TUTORIAL_LIKE, commit=False)
    line = _staticfiles_line(plain)
    assert "is not in a git repository, so nothing in staticfiles/ is committed" in line and "by hand" not in line


def test_a_committed_folder_outside_the_project_is_left_to_the_user_with_what_to_do(tmp_path):
    repo = tmp_path / "mono"
    settings = TUTORIAL_LIKE["mysite/settings.py"].replace(
        "STATIC_ROOT = BASE_DIR / 'staticfiles'", "STATIC_ROOT = BASE_DIR.parent / 'public'")
    write_project(repo, {**{f"web/{k}": v for k, v in TUTORIAL_LIKE.items()}, "web/mysite/settings.py": settings,
                         "public/a.css": "x\n", "public/b.css": "y\n"})
    line = _staticfiles_line(repo / "web")
    assert "STATIC_ROOT is ../public, outside the project folder" in line
    assert "git tracks 2 files in it" in line and "git rm -r --cached ../public" in line and "by hand" in line
    assert git(repo, "ls-files", "--", "public") == "public/a.css\npublic/b.css\n"


def test_a_committed_link_as_static_root_is_left_alone_and_called_a_link_not_a_submodule(tmp_path):
    """STATIC_ROOT's folder is a symlink committed to git, leading outside the repository: the
    step leaves it (and what it leads to) alone, and says it is a link."""
    outside = tmp_path / "shared-static"
    (outside / "admin").mkdir(parents=True)
    (outside / "admin" / "base.css").write_text("kept\n")
    files = {name: text for name, text in TUTORIAL_LIKE.items() if not name.startswith("staticfiles/")}
    project = write_project(tmp_path / "site", files, commit=False)
    (project / "staticfiles").symlink_to(outside)
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "project")
    line = _staticfiles_line(project)
    assert "not applicable" in line
    assert f"is a link committed to git, to {outside}" in line, line
    assert "submodule" not in line
    result = run_cli("apply", "--all", cwd=project)
    assert result.returncode == 0, result.stderr
    assert git(project, "ls-files", "--", "staticfiles") == "staticfiles\n"
    assert (project / "staticfiles").is_symlink() and (outside / "admin" / "base.css").read_text() == "kept\n"


def test_the_quick_check_never_calls_a_cookiecutter_root_dir_project_done_while_its_folder_is_committed(tmp_path):
    """quickcheck.py answers "every step done?" without libcst; it must find the same folder."""
    settings = ("from pathlib import Path\n\nROOT_DIR = Path(__file__).resolve(strict=True).parent.parent\n"
                'SECRET_KEY = "abc"\nDEBUG = True\nALLOWED_HOSTS = ["*"]\nINSTALLED_APPS = ["django.contrib.staticfiles"]\n'
                "STATIC_URL = '/static/'\nSTATIC_ROOT = str(ROOT_DIR / 'collected')\n"
                "STATICFILES_DIRS = [str(ROOT_DIR / 'assets')]\n")
    files, _ = _layout("mysite.settings", {"mysite/__init__.py": "", "mysite/settings.py": settings}, "assets", "collected")
    root = write_project(tmp_path / "project", files)
    others = [arg for name in ("debug", "allowed-hosts", "secret-key", "ssl-redirect", "collectstatic")
              for arg in ("--step", name)]
    assert run_cli("apply", *others, "--commit", cwd=root).returncode == 0
    from refactor_app import api
    from refactor_app.quickcheck import every_step_done

    assert not every_step_done(api.discover(root))
    check = run_cli("apply", "--all", "--check", cwd=root)
    assert check.returncode == 1, check.stderr
    assert "git rm -r collected" in check.stdout
    assert run_cli("apply", "--all", "--commit", cwd=root).returncode == 0
    done = run_cli("apply", "--all", "--check", cwd=root)
    assert done.returncode == 0 and "Nothing to do" in done.stderr
    assert every_step_done(api.discover(root)), "the quick answer, once it is so"
