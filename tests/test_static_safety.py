"""The staticfiles step removes collected output only, never source code; the .gitignore pattern
it adds means exactly STATIC_ROOT's folder (issue 11: "Safety first")."""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import EXAMPLE, committed_project, git, git_status, run_cli
from golden_cases import tree_files
from project_builder import STARTPROJECT_SETTINGS, startproject
from refactor_app import api
from refactor_app.editors import gitignore
from refactor_app.plan import State

COLLECTED = {"staticfiles/admin/css/base.css": "body {}\n", "staticfiles/staticfiles.json": "{}\n"}


def with_static_root(static_root: str, extra: str = "") -> str:
    return "import os\n" + STARTPROJECT_SETTINGS.replace(
        'STATIC_ROOT = BASE_DIR / "staticfiles"', f"STATIC_ROOT = {static_root}{extra}"
    )


def with_admin(settings: str) -> str:
    """The settings with django.contrib.admin installed, as a project whose collected files hold admin/ has it."""
    return settings.replace('INSTALLED_APPS = ["django.contrib.staticfiles"]',
                            'INSTALLED_APPS = ["django.contrib.admin", "django.contrib.staticfiles"]')


def staticfiles_result(root):
    plan = api.make_plan(api.discover(root), ["staticfiles"])
    return next(result for result in plan.results if result.name == "staticfiles"), plan


def assert_refused(root, *words):
    result, plan = staticfiles_result(root)
    assert result.state is State.NOT_APPLICABLE, result.reason
    assert result.removals == [] and result.edits == [] and plan.removals == [] and plan.edits == []
    for word in words:
        assert word in result.reason, result.reason
    return result


# --- source folders are refused ----------------------------------------------------------------


@pytest.mark.parametrize(
    "static_root, files, words",
    [
        # The settings package: Python files, the settings module, a package.
        ("BASE_DIR / 'mysite'", {}, ("mysite/", "mysite/settings.py")),
        # An app.
        ("os.path.join(BASE_DIR, 'blog')", {"blog/__init__.py": "", "blog/models.py": "x = 1\n"}, ("blog/", "Python")),
        # A folder of Python files that is no package.
        ("BASE_DIR / 'scripts'", {"scripts/deploy.py": "print(1)\n"}, ("scripts/deploy.py",)),
        # The project's templates, by the folder's name or by a templates/ folder at its top.
        ("BASE_DIR / 'templates'", {"templates/base.html": "<html>\n"}, ("templates/base.html", "templates")),
        ("BASE_DIR / 'frontend'", {"frontend/templates/index.html": "<html>\n", "frontend/app.css": "a {}\n"},
         ("frontend/templates/index.html",)),
        # An app's static folder: source collectstatic copies from.
        ("BASE_DIR / 'blog' / 'static'", {"blog/__init__.py": "", "blog/static/blog/site.css": "a {}\n"},
         ("blog/static/", "blog")),
    ],
)
def test_source_folders_are_not_removed(tmp_path, static_root, files, words):
    root = startproject(tmp_path, with_static_root(static_root), **files)
    assert_refused(root, *words)


def test_the_folder_of_manage_py_through_a_link_is_refused(tmp_path):
    root = startproject(tmp_path, with_static_root("BASE_DIR / 'here'"), commit=False)
    os.symlink(".", root / "here")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "project")
    assert_refused(root, "here/", "project folder")


def test_source_only_on_disk_is_refused_and_not_ignored(tmp_path):
    # Nothing committed in the folder yet: git rm removes nothing, but .gitignore would hide the code.
    root = startproject(tmp_path, with_static_root("BASE_DIR / 'tools'"))
    (root / "tools").mkdir()
    (root / "tools" / "backup.py").write_text("print('backup')\n")
    assert_refused(root, "tools/backup.py")


@pytest.mark.parametrize(
    "dirs, static_root",
    [
        ("[BASE_DIR / 'static']", "BASE_DIR / 'static'"),
        ("(os.path.join(BASE_DIR, 'static'),)", "os.path.join(BASE_DIR, 'static')"),
        ("[('vendor', BASE_DIR / 'static')]", "BASE_DIR / 'static'"),
        ("[BASE_DIR / 'assets' / 'src']", "BASE_DIR / 'assets'"),  # the source folder is inside it
    ],
)
def test_a_staticfiles_dirs_source_folder_is_refused(tmp_path, dirs, static_root):
    files = {"static/css/site.css": "body {}\n", "assets/src/site.css": "body {}\n"}
    root = startproject(tmp_path, with_static_root(static_root, f"\nSTATICFILES_DIRS = {dirs}"), **files)
    assert_refused(root, "STATICFILES_DIRS")


@pytest.mark.parametrize(
    "static_root, files",
    [
        ("BASE_DIR / 'staticfiles'", COLLECTED),
        # A common spelling: collected into static/, which STATICFILES_DIRS does not name.
        ("BASE_DIR / 'static'", {"static/admin/css/base.css": "body {}\n", "static/staticfiles.json": "{}\n"}),
        # An app's templates copied as static files sit below the top: still collected output.
        ("BASE_DIR / 'staticfiles'", {**COLLECTED, "staticfiles/spa/templates/view.html": "<p>\n"}),
        # Collected into a folder below the source folder: only the collected files go.
        ("BASE_DIR / 'static' / 'collected'", {"static/site.css": "a {}\n", "static/collected/site.css": "a {}\n"}),
    ],
)
def test_collected_output_is_still_removed(tmp_path, static_root, files):
    extra = "\nSTATICFILES_DIRS = [BASE_DIR / 'static']" if "collected" in static_root else ""
    root = startproject(tmp_path, with_admin(with_static_root(static_root, extra)), **files)
    result, _ = staticfiles_result(root)
    assert result.state is State.PENDING and result.removals, result.reason


@pytest.mark.parametrize(
    "package, why",
    [("myapp", "holds the settings module myapp/settings.py"), ("uploader", "holds Python files (uploader/")],
)
def test_cli_never_removes_the_settings_package_or_an_app(tmp_path, package, why):
    """As a user: the tutorial project, STATIC_ROOT pointing at its settings package (or its
    app), every step applied and committed. No Python file leaves the disk or git, .gitignore
    does not get the folder, and status says why."""
    root = committed_project(EXAMPLE, tmp_path / "tutorial")
    settings = root / "myapp" / "settings.py"
    text = settings.read_text()
    assert "STATIC_ROOT = os.path.join(BASE_DIR, 'staticfiles')" in text
    settings.write_text(text.replace("os.path.join(BASE_DIR, 'staticfiles')", f"os.path.join(BASE_DIR, '{package}')"))
    git(root, "commit", "-q", "-am", "STATIC_ROOT in the settings package")
    python_files = sorted(name for name in tree_files(root) if name.endswith(".py"))
    gitignore_before = (root / ".gitignore").read_text()

    applied = run_cli("apply", "--all", "--commit", cwd=root)
    assert applied.returncode == 0, applied.stderr
    assert "Traceback" not in applied.stderr
    assert sorted(name for name in tree_files(root) if name.endswith(".py")) == python_files
    assert sorted(name for name in git(root, "ls-files").splitlines() if name.endswith(".py")) == python_files
    assert git(root, "log", "--diff-filter=D", "--name-only", "--format=") == ""
    assert (root / ".gitignore").read_text() == gitignore_before
    assert git_status(root) == []

    status = run_cli("status", cwd=root)
    assert status.returncode == 0, status.stderr
    line = next(line for line in status.stdout.splitlines() if line.startswith("staticfiles"))
    assert "not applicable" in line and f"STATIC_ROOT is {package}/, which {why}" in line, line
    assert "that is source, not collectstatic's output" in line, line


# --- .gitignore patterns mean exactly the folder -------------------------------------------------

ODD_NAMES = [
    # name, a folder a loose pattern would also match
    ("a[b]", "ab"),
    ("st*tic", "stXtic"),
    ("what?", "whatX"),
    ("back\\slash", "backslash"),
    ("!bang", "bang"),
    ("#hash", "hash"),
    ("trailing ", "trailing"),
    ("two  ", "two"),
    ("nbsp\u00a0", "nbsp"),
    ("sub/[x]", "sub/x"),
]


@pytest.mark.parametrize("name, lookalike", ODD_NAMES)
def test_gitignore_pattern_means_exactly_the_folder_for_git_and_for_the_check(tmp_path, name, lookalike):
    root = tmp_path / "repo"
    for folder in (name, lookalike):
        (root / folder).mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    text = gitignore.add_pattern("", gitignore.folder_pattern(name), "\n")
    (root / ".gitignore").write_text(text, encoding="utf-8")

    def git_ignores(folder):
        return subprocess.run(["git", "check-ignore", "-q", "--", f"{folder}/probe"], cwd=root).returncode == 0

    assert git_ignores(name) and not git_ignores(lookalike), text
    assert gitignore.ignores_folder(text, name) is True
    assert gitignore.ignores_folder(text, lookalike) is False


def test_gitignore_check_agrees_with_git_on_unescaped_lines(tmp_path):
    # A user's `/a[b]` is a character class: it ignores ab/, not a[b]/.
    assert gitignore.ignores_folder("/a[b]\n", "a[b]") is False
    assert gitignore.ignores_folder(" /staticfiles\n", "staticfiles") is False  # a leading space is part of the pattern
    assert gitignore.ignores_folder("/staticfiles   \n", "staticfiles") is True  # trailing spaces are not


def test_odd_folder_name_gets_an_escaped_pattern_and_is_then_done(tmp_path):
    files = {"a[b]/admin/base.css": "body {}\n", "ab/keep.css": "a {}\n"}
    root = startproject(tmp_path, with_static_root("BASE_DIR / 'a[b]'"), **files)
    result, plan = staticfiles_result(root)
    assert result.state is State.PENDING and ".gitignore: + /a\\[b]" in result.reason
    api.apply(plan)
    assert (root / ".gitignore").read_text() == "/a\\[b]\n"
    assert (root / "ab" / "keep.css").exists()
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "applied")
    again, _ = staticfiles_result(root)
    assert again.state is State.DONE, again.reason


@pytest.mark.parametrize("name", ["static\nfiles", "static\rfiles", "static\n/etc"])
def test_a_line_break_in_the_folder_name_is_refused(tmp_path, name):
    root = startproject(tmp_path, with_static_root(f"BASE_DIR / {name!r}"), **COLLECTED)
    assert_refused(root, "line break")
    assert not (root / ".gitignore").exists()


@pytest.mark.parametrize("line", ["/a[b]\n", " /staticfiles\n"])
def test_quickcheck_is_not_fooled_by_a_line_git_reads_otherwise(tmp_path, line):
    """The pre-commit fast path must not call the step done where git does not ignore the folder."""
    from refactor_app.quickcheck import every_step_done

    folder = "a[b]" if "[" in line else "staticfiles"
    root = startproject(tmp_path, with_static_root(f"BASE_DIR / {folder!r}"), Dockerfile="FROM python\nCOPY . .\nCMD run\n")
    api.apply(api.make_plan(api.discover(root)))
    (root / ".gitignore").write_text(line)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "migrated, the folder 'ignored' by hand")
    assert api.make_plan(api.discover(root)).has_changes, "git does not ignore the folder: the step is pending"
    assert every_step_done(api.discover(root)) is False


OWN_FILES = {"static/css/site.css": "body {}\n", "static/js/app.js": "1;\n", "static/img/logo.png": "png\n"}


def test_a_static_root_named_static_holding_the_projects_own_files_is_refused(tmp_path):
    """STATIC_ROOT = BASE_DIR / 'static', served as it is, holding hand-written CSS and JS: no
    installed app and no STATICFILES_DIRS folder gives collectstatic those files, so they are the
    project's own, and neither git rm nor .gitignore touches them (a new user's run lost them)."""
    settings = with_admin(with_static_root("BASE_DIR / 'static'"))
    root = startproject(tmp_path, settings, **OWN_FILES, **{"static/admin/css/base.css": "body {}\n"})
    assert_refused(root, "holds static/css/site.css and 2 more", "files of the project's own")
    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    assert sorted(git(root, "ls-files", "--", "static").split()) == sorted([*OWN_FILES, "static/admin/css/base.css"])
    assert all((root / name).is_file() for name in OWN_FILES)
    gitignore_file = root / ".gitignore"
    assert not gitignore_file.exists() or "/static" not in gitignore_file.read_text().split()


@pytest.mark.parametrize("own", ["staticfiles/robots.txt", "staticfiles/img/logo.png"])
def test_a_collected_folder_holding_a_file_put_there_by_hand_is_refused(tmp_path, own):
    """A red-team run: staticfiles/ held collected admin files and a robots.txt and a logo put there
    by hand, found in no app and no STATICFILES_DIRS folder; git rm -r deleted them, and no
    collectstatic would ever write them again."""
    settings = with_admin(with_static_root("BASE_DIR / 'staticfiles'"))
    root = startproject(tmp_path, settings, **{own: "mine\n", "staticfiles/admin/css/base.css": "body {}\n"})
    assert_refused(root, f"holds {own}, which", "a file of the project's own",
                   "move such files into an app's static/ folder or a folder STATICFILES_DIRS names")
    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / own).is_file() and "staticfiles/admin/css/base.css" in git(root, "ls-files", "--", "staticfiles")


def test_every_file_of_the_projects_own_is_counted_in_the_reason(tmp_path):
    """A re-check: the reason named one file, and after moving it the next run named another."""
    settings = with_admin(with_static_root("BASE_DIR / 'staticfiles'"))
    files = {"staticfiles/img/logo.png": "png\n", "staticfiles/robots.txt": "x\n", "staticfiles/admin/css/base.css": "a\n"}
    root = startproject(tmp_path, settings, **files)
    assert_refused(root, "holds staticfiles/img/logo.png and 1 more, which", "files of the project's own")


@pytest.mark.parametrize("app, collected", [
    ("drf_yasg", "staticfiles/drf-yasg/swagger-ui.css"),  # the package's static folder spells it with a hyphen
    ("django_summernote", "staticfiles/summernote/summernote.css"),
    ("wagtail.admin", "staticfiles/wagtailadmin/css/core.css"),
])
def test_a_collected_folder_of_third_party_apps_namespaces_is_removed(tmp_path, app, collected):
    settings = with_admin(with_static_root("BASE_DIR / 'staticfiles'")).replace(
        '"django.contrib.staticfiles"]', f'"django.contrib.staticfiles", "{app}"]')
    root = startproject(tmp_path, settings, **{collected: "x\n", "staticfiles/admin/css/base.css": "body {}\n"})
    result, _ = staticfiles_result(root)
    assert result.state is State.PENDING and result.removals, result.reason


@pytest.mark.parametrize("where", ["app", "dirs"])
def test_a_static_root_named_static_holding_what_collectstatic_copies_is_removed(tmp_path, where):
    """The same files, when a local app's static/ folder or a STATICFILES_DIRS folder has them
    (hashed and compressed copies too, as ManifestStaticFilesStorage and whitenoise write them):
    collected output, removed."""
    source = "shop/static" if where == "app" else "assets"
    files = {f"{source}/css/site.css": "body {}\n", "shop/__init__.py": "",
             "static/css/site.css": "body {}\n", "static/css/site.0123456789ab.css": "body {}\n",
             "static/css/site.0123456789ab.css.gz": "gz\n", "static/admin/css/base.css": "body {}\n",
             "static/staticfiles.json": "{}\n"}
    extra = "\nSTATICFILES_DIRS = [BASE_DIR / 'assets']" if where == "dirs" else ""
    settings = with_admin(with_static_root("BASE_DIR / 'static'", extra)).replace(
        '"django.contrib.staticfiles"]', '"django.contrib.staticfiles", "shop"]')
    root = startproject(tmp_path, settings, **files)
    result, _ = staticfiles_result(root)
    assert result.state is State.PENDING and result.removals, result.reason
