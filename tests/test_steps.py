"""Each step on small projects through the Python API: what it rewrites, and what it leaves alone."""

from __future__ import annotations

import pytest

from conftest import git
from project_builder import DOCKERFILE, STARTPROJECT_SETTINGS, startproject
from refactor_app import api
from refactor_app.plan import State


def plan_for(root, steps=None):
    return api.make_plan(api.discover(root), steps)


def result_of(plan, name):
    return next(result for result in plan.results if result.name == name)


def settings_after(root, steps):
    plan = plan_for(root, steps)
    api.apply(plan)
    return (root / "mysite" / "settings.py").read_text()


def test_startproject_settings_get_import_os_and_every_setting(tmp_path):
    root = startproject(tmp_path, Dockerfile=DOCKERFILE)
    text = settings_after(root, None)
    assert text.startswith('"""\nDjango settings for mysite project.\n"""\n\nimport os\nfrom pathlib import Path\n')
    assert "SECRET_KEY = os.environ.get('SECRET_KEY', \"django-insecure-abc123\")\n" in text
    assert "DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"\n" in text
    assert "ALLOWED_HOSTS = [DIVIO_DOMAIN] + DIVIO_DOMAIN_ALIASES + DIVIO_DOMAIN_REDIRECTS\n" in text
    assert "# Redirect to HTTPS by default, unless explicitly disabled\nSECURE_SSL_REDIRECT" in text
    # Everything the steps do not own is still there, in order.
    for line in STARTPROJECT_SETTINGS.splitlines():
        if not line.startswith(("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS")):
            assert line in text.splitlines()
    compile(text, "settings.py", "exec")
    assert plan_for(root).has_changes is False


def test_collectstatic_without_database_url_only_edits_the_dockerfile(tmp_path):
    root = startproject(tmp_path, Dockerfile=DOCKERFILE)
    result = result_of(plan_for(root, ["collectstatic"]), "collectstatic")
    assert result.state is State.PENDING
    assert [edit.display_path for edit in result.edits] == ["Dockerfile"]
    assert result.edits[0].after.decode() == DOCKERFILE.replace(
        "CMD", "RUN python manage.py collectstatic --noinput\nCMD"
    )
    assert "no DATABASE_URL setting" not in result.reason


@pytest.mark.parametrize(
    "line, reason",
    [
        ("DEBUG = os.getenv('DEBUG') == '1'", "os.getenv"),
        ("DEBUG = env.bool('DJANGO_DEBUG', default=False)", "env.bool"),
        ("DEBUG = config('DEBUG', default=False, cast=bool)", "config"),
        # (bool(os.environ.get('DEBUG')) is on for DEBUG=False: pending, see test_fail_closed.py)
        ("DEBUG = os.environ.get('DEBUG', 'False').lower() in ('1', 'true')", "os.environ.get"),
        ("DEBUG = os.environ['DEBUG'] == 'on'", "os.environ[...]"),
    ],
)
def test_debug_done_by_hand_is_recognised(tmp_path, line, reason):
    settings = "import os\n" + STARTPROJECT_SETTINGS.replace("DEBUG = True", line)
    root = startproject(tmp_path, settings)
    result = result_of(plan_for(root, ["debug"]), "debug")
    assert result.state is State.DONE
    assert reason in result.reason
    assert result.edits == []
    assert not (root / ".env-local").exists()


def test_debug_computed_otherwise_is_not_applicable(tmp_path):
    settings = STARTPROJECT_SETTINGS.replace("DEBUG = True", "DEBUG = 'runserver' in sys.argv")
    result = result_of(plan_for(startproject(tmp_path, settings), ["debug"]), "debug")
    assert result.state is State.NOT_APPLICABLE
    assert "'runserver' in sys.argv" in result.reason


def test_canonical_debug_without_env_local_line_adds_only_that_line(tmp_path):
    settings = "import os\n" + STARTPROJECT_SETTINGS.replace(
        "DEBUG = True", "DEBUG = os.environ.get('DJANGO_DEBUG') == 'True'"
    )
    root = startproject(tmp_path, settings, **{".env-local": "# local\nDJANGO_DEBUG=False\n"})
    result = result_of(plan_for(root, ["debug"]), "debug")
    assert result.state is State.DONE, "an existing key is left as the user set it"

    root2 = startproject(tmp_path / "two", settings)
    result = result_of(plan_for(root2, ["debug"]), "debug")
    assert result.state is State.PENDING
    assert [edit.display_path for edit in result.edits] == [".env-local"]
    assert result.edits[0].before is None and result.edits[0].after == b"DJANGO_DEBUG=True\n"


def test_annotated_debug(tmp_path):
    settings = STARTPROJECT_SETTINGS.replace("DEBUG = True", "DEBUG: bool = True")
    text = settings_after(startproject(tmp_path, settings), ["debug"])
    assert "DEBUG: bool = os.environ.get('DJANGO_DEBUG') == \"True\"\n" in text


def test_no_debug_setting_is_not_applicable(tmp_path):
    settings = STARTPROJECT_SETTINGS.replace("DEBUG = True\n", "")
    result = result_of(plan_for(startproject(tmp_path, settings), ["debug"]), "debug")
    assert result.state is State.NOT_APPLICABLE and "Django's default" in result.reason


def test_allowed_hosts_with_real_hosts_is_not_dropped(tmp_path):
    settings = STARTPROJECT_SETTINGS.replace("ALLOWED_HOSTS = []", "ALLOWED_HOSTS = ['example.com', 'localhost']")
    result = result_of(plan_for(startproject(tmp_path, settings), ["allowed-hosts"]), "allowed-hosts")
    assert result.state is State.NOT_APPLICABLE
    assert "example.com" in result.reason and result.edits == []


@pytest.mark.parametrize(
    "value",
    ["['*']", "[]", "('*',)", "[\n    'localhost',\n    '127.0.0.1',\n]"],
)
def test_allowed_hosts_literal_local_lists_are_replaced(tmp_path, value):
    settings = STARTPROJECT_SETTINGS.replace("ALLOWED_HOSTS = []", f"ALLOWED_HOSTS = {value}")
    text = settings_after(startproject(tmp_path, settings), ["allowed-hosts"])
    assert "ALLOWED_HOSTS = [DIVIO_DOMAIN] + DIVIO_DOMAIN_ALIASES + DIVIO_DOMAIN_REDIRECTS\n\nINSTALLED_APPS" in text


def test_allowed_hosts_from_environment_is_done(tmp_path):
    settings = "import os\n" + STARTPROJECT_SETTINGS.replace(
        "ALLOWED_HOSTS = []", "HOSTS = os.environ.get('HOSTS', '')\nALLOWED_HOSTS = HOSTS.split(',')"
    )
    result = result_of(plan_for(startproject(tmp_path, settings), ["allowed-hosts"]), "allowed-hosts")
    assert result.state is State.DONE and "os.environ.get" in result.reason


@pytest.mark.parametrize(
    "literal",
    ["'abc'", '"abc"', "'''abc'''", "'ab' 'c'", "(\n    'ab'\n    'c'\n)", "get_random_secret_key()"],
)
def test_secret_key_keeps_the_old_value_exactly_as_the_fallback(tmp_path, literal):
    settings = STARTPROJECT_SETTINGS.replace('SECRET_KEY = "django-insecure-abc123"', f"SECRET_KEY = {literal}")
    text = settings_after(startproject(tmp_path, settings), ["secret-key"])
    assert f"SECRET_KEY = os.environ.get('SECRET_KEY', {literal})\n" in text


def test_ssl_redirect_literal_is_rewritten_in_place(tmp_path):
    settings = STARTPROJECT_SETTINGS + "\nSECURE_SSL_REDIRECT = True  # always\n"
    root = startproject(tmp_path, settings)
    text = settings_after(root, ["ssl-redirect"])
    assert text.endswith(
        "\n# Redirect to HTTPS by default, unless explicitly disabled\n"
        "SECURE_SSL_REDIRECT = os.environ.get('SECURE_SSL_REDIRECT') != \"False\"  # always\n"
    )
    assert (root / ".env-local").read_text() == "SECURE_SSL_REDIRECT=False\n"


def test_ssl_redirect_goes_after_allowed_hosts(tmp_path):
    text = settings_after(startproject(tmp_path), ["ssl-redirect"])
    assert (
        "ALLOWED_HOSTS = []\n\n# Redirect to HTTPS by default, unless explicitly disabled\n"
        "SECURE_SSL_REDIRECT = os.environ.get('SECURE_SSL_REDIRECT') != \"False\"\n\nINSTALLED_APPS"
    ) in text


def test_settings_package_edits_the_module_that_assigns_each_setting(tmp_path):
    base = STARTPROJECT_SETTINGS.replace("parent.parent", "parent.parent.parent")
    from project_builder import MANAGE_PY, write_project

    root = write_project(
        tmp_path / "pkg",
        {
            "manage.py": MANAGE_PY,
            "mysite/__init__.py": "",
            "mysite/settings/__init__.py": "from .base import *  # noqa\n\nDEBUG = False\n",
            "mysite/settings/base.py": base,
        },
    )
    plan = plan_for(root)
    files = {result.name: result.files for result in plan.results}
    assert files["debug"] == ["mysite/settings/__init__.py", ".env-local"]
    assert files["secret-key"] == ["mysite/settings/base.py"]
    assert files["allowed-hosts"] == ["mysite/settings/base.py", ".env-local"]
    api.apply(plan)
    init = (root / "mysite/settings/__init__.py").read_text()
    # The new SECURE_SSL_REDIRECT goes into the module production runs, not the base it shares.
    assert init == (
        "import os\nfrom .base import *  # noqa\n\nDEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"\n"
        "\n# Redirect to HTTPS by default, unless explicitly disabled\n"
        "SECURE_SSL_REDIRECT = os.environ.get('SECURE_SSL_REDIRECT') != \"False\"\n"
    )
    assert "SECURE_SSL_REDIRECT" not in (root / "mysite/settings/base.py").read_text()
    assert plan_for(root).has_changes is False


def test_every_single_step_plan_together_equals_all(tmp_path):
    from conftest import EXAMPLE, committed_project

    root = committed_project(EXAMPLE, tmp_path / "t")
    everything = plan_for(root)
    for result in everything.results:
        alone = result_of(plan_for(root, [result.name]), result.name)
        assert (alone.state, alone.reason) == (result.state, result.reason)


# --- collectstatic: where the RUN line goes and how it is spelled ---------------------------

def dockerfile_after(tmp_path, dockerfile_text, settings=STARTPROJECT_SETTINGS, **files):
    root = startproject(tmp_path, settings, Dockerfile=dockerfile_text, **files)
    api.apply(plan_for(root, ["collectstatic"]))
    return (root / "Dockerfile").read_text()


def test_collectstatic_goes_after_the_code_is_copied(tmp_path):
    before = (
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
        "COPY . .\nUSER app\nCMD [\"gunicorn\", \"mysite.wsgi\"]\n"
    )
    assert dockerfile_after(tmp_path, before) == before.replace(
        "COPY . .\n", "COPY . .\nRUN python manage.py collectstatic --noinput\n"
    )


def test_collectstatic_without_workdir_names_manage_py_in_the_image(tmp_path):
    before = "FROM python:3.12\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nCMD gunicorn --chdir /app mysite.wsgi\n"
    assert "RUN python /app/manage.py collectstatic --noinput\nCMD" in dockerfile_after(tmp_path, before)


def test_collectstatic_multi_stage_edits_the_final_stage(tmp_path):
    before = (
        "FROM python:3.12 AS build\nRUN pip wheel -r requirements.txt -w /wheels\n\n"
        "FROM python:3.12-slim\nCOPY --from=build /wheels /wheels\nRUN pip3 install /wheels/*\n"
        "WORKDIR /srv\nCOPY . /srv/\nENTRYPOINT [\"python3\", \"-m\", \"gunicorn\"]\n"
    )
    after = dockerfile_after(tmp_path, before)
    assert after == before.replace("COPY . /srv/\n", "COPY . /srv/\nRUN python3 manage.py collectstatic --noinput\n")


def test_collectstatic_uses_the_commands_runner(tmp_path):
    before = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN uv sync --frozen\nCMD [\"uv\", \"run\", \"gunicorn\", \"mysite.wsgi\"]\n"
    assert "RUN uv sync --frozen\nRUN uv run python manage.py collectstatic --noinput\nCMD" in dockerfile_after(tmp_path, before)


def test_collectstatic_without_cmd_goes_at_the_end(tmp_path):
    before = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt \\\n    --no-cache-dir"
    assert dockerfile_after(tmp_path, before) == before + "\nRUN python manage.py collectstatic --noinput"


def test_collectstatic_already_in_the_dockerfile_is_done(tmp_path):
    before = DOCKERFILE.replace("CMD", "RUN DJANGO_SETTINGS_MODULE=mysite.settings python manage.py collectstatic --clear --noinput\nCMD")
    root = startproject(tmp_path, Dockerfile=before)
    result = result_of(plan_for(root, ["collectstatic"]), "collectstatic")
    assert result.state is State.DONE and "runs collectstatic" in result.reason


@pytest.mark.parametrize("run, script", [
    ("RUN ./scripts/build.sh", "scripts/build.sh"),
    ("RUN sh scripts/build.sh && rm -rf /tmp/*", "scripts/build.sh"),
    ("RUN chmod +x bin/release && ./bin/release", "bin/release"),
])
def test_collectstatic_run_by_a_script_of_the_project_is_done(tmp_path, run, script):
    """A red-team run: RUN ./scripts/build.sh, whose script runs collectstatic, got a second line."""
    before = DOCKERFILE.replace("CMD", f"{run}\nCMD")
    root = startproject(tmp_path, Dockerfile=before, **{
        script: "#!/bin/sh\nset -e\npython manage.py collectstatic --noinput\n"})
    result = result_of(plan_for(root, ["collectstatic"]), "collectstatic")
    assert result.state is State.DONE and f"runs {script}, which runs collectstatic" in result.reason
    assert result.edits == []


def test_collectstatic_a_script_that_does_not_collect_still_gets_the_line(tmp_path):
    before = DOCKERFILE.replace("CMD", "RUN ./scripts/build.sh\nCMD")
    root = startproject(tmp_path, Dockerfile=before, **{"scripts/build.sh": "#!/bin/sh\npip check\n"})
    result = result_of(plan_for(root, ["collectstatic"]), "collectstatic")
    assert result.state is State.PENDING, result.reason


@pytest.mark.parametrize("command, files, where", [
    ('CMD ["sh", "-c", "python manage.py collectstatic --noinput && gunicorn mysite.wsgi"]', {},
     "Dockerfile's CMD runs collectstatic"),
    ("CMD python manage.py collectstatic --noinput && gunicorn mysite.wsgi", {}, "Dockerfile's CMD runs collectstatic"),
    ('ENTRYPOINT ["/app/docker-entrypoint.sh"]\nCMD ["gunicorn", "mysite.wsgi"]',
     {"docker-entrypoint.sh": "#!/bin/sh\npython manage.py migrate\npython manage.py collectstatic --noinput\nexec \"$@\"\n"},
     "Dockerfile's ENTRYPOINT runs docker-entrypoint.sh, which runs collectstatic"),
    ('CMD ["./bin/start.sh"]', {"bin/start.sh": "#!/bin/sh\npython manage.py collectstatic --noinput\nexec gunicorn mysite.wsgi\n"},
     "Dockerfile's CMD runs bin/start.sh, which runs collectstatic"),
])
def test_collectstatic_run_when_the_container_starts_is_done(tmp_path, command, files, where):
    """A red-team run: collectstatic at container start (CMD, an entrypoint script) got a build line too."""
    root = startproject(tmp_path, Dockerfile=DOCKERFILE.replace("CMD gunicorn mysite.wsgi\n", command + "\n"), **files)
    assert command in (root / "Dockerfile").read_text()
    result = result_of(plan_for(root, ["collectstatic"]), "collectstatic")
    assert result.state is State.DONE and f"{where} when the container starts" in result.reason, result.reason
    assert result.edits == []
    assert "DATABASE_URL" not in result.reason  # the build imports nothing: no fallback to give


def test_collectstatic_run_by_the_compose_command_through_a_copied_script_is_done(tmp_path):
    """cookiecutter-django: compose runs /start, which a COPY line put in the image and which collects."""
    dockerfile = DOCKERFILE.replace("COPY . /app\n", "COPY ./compose/production/django/start /start\nCOPY . /app\n")
    root = startproject(tmp_path, **{
        "compose/production/django/Dockerfile": dockerfile,
        "compose/production/django/start": "#!/bin/bash\nset -o errexit\npython /app/manage.py collectstatic --noinput\n",
        "docker-compose.production.yml": "services:\n  django:\n    build:\n      context: .\n"
                                         "      dockerfile: ./compose/production/django/Dockerfile\n    command: /start\n",
    })
    result = result_of(plan_for(root, ["collectstatic"]), "collectstatic")
    assert result.state is State.DONE, result.reason
    assert ("docker-compose.production.yml's command runs compose/production/django/start, which runs collectstatic "
            "when the container starts") in result.reason


def test_collectstatic_run_by_local_works_compose_command_still_gets_the_line(tmp_path):
    """docker-compose.yml's command is local work's: production runs the image's own CMD."""
    root = startproject(tmp_path, Dockerfile=DOCKERFILE, **{
        "docker-compose.yml": "services:\n  web:\n    build: .\n    command: sh -c \"python manage.py collectstatic "
                              "--noinput && python manage.py runserver 0.0.0.0:8000\"\n"})
    result = result_of(plan_for(root, ["collectstatic"]), "collectstatic")
    assert result.state is State.PENDING and "RUN python manage.py collectstatic --noinput" in result.reason, result.reason


@pytest.mark.parametrize("script", [
    "#!/bin/sh\n# python manage.py collectstatic --noinput  (done in the build)\nexec gunicorn mysite.wsgi\n",
    "#!/bin/sh\nexec \"$@\"\n",
])
def test_collectstatic_a_start_script_that_does_not_collect_still_gets_the_line(tmp_path, script):
    dockerfile = DOCKERFILE.replace("CMD gunicorn mysite.wsgi\n", 'ENTRYPOINT ["./entrypoint.sh"]\n')
    root = startproject(tmp_path, Dockerfile=dockerfile, **{"entrypoint.sh": script})
    result = result_of(plan_for(root, ["collectstatic"]), "collectstatic")
    assert result.state is State.PENDING and "RUN python manage.py collectstatic --noinput" in result.reason, result.reason


def test_collectstatic_start_script_outside_the_repository_is_not_read(tmp_path):
    outside = tmp_path / "outside.sh"
    outside.write_text("#!/bin/sh\npython manage.py collectstatic --noinput\n")
    dockerfile = DOCKERFILE.replace("CMD gunicorn mysite.wsgi\n", 'CMD ["./start.sh"]\n')
    root = startproject(tmp_path / "repo", Dockerfile=dockerfile)
    (root / "start.sh").symlink_to(outside)
    result = result_of(plan_for(root, ["collectstatic"]), "collectstatic")
    assert result.state is State.PENDING, result.reason


def test_collectstatic_adds_static_root_when_startproject_left_it_out(tmp_path):
    settings = STARTPROJECT_SETTINGS.replace('STATIC_ROOT = BASE_DIR / "staticfiles"\n', "")
    root = startproject(tmp_path, settings, Dockerfile=DOCKERFILE)
    result = result_of(plan_for(root, ["collectstatic"]), "collectstatic")
    assert "STATIC_ROOT = BASE_DIR / 'staticfiles' (collectstatic needs it)" in result.reason
    api.apply(plan_for(root, ["collectstatic"]))
    assert (root / "mysite/settings.py").read_text().endswith('STATIC_URL = "static/"\nSTATIC_ROOT = BASE_DIR / \'staticfiles\'\n')


def test_collectstatic_without_the_staticfiles_app_is_not_applicable(tmp_path):
    settings = STARTPROJECT_SETTINGS.replace('INSTALLED_APPS = ["django.contrib.staticfiles"]', "INSTALLED_APPS = []")
    root = startproject(tmp_path, settings, Dockerfile=DOCKERFILE)
    result = result_of(plan_for(root, ["collectstatic"]), "collectstatic")
    assert result.state is State.NOT_APPLICABLE and "INSTALLED_APPS" in result.reason


@pytest.mark.parametrize(
    "static_root, folder",
    [
        ("BASE_DIR / 'staticfiles'", "staticfiles"),
        ("BASE_DIR / 'static' / 'collected'", "static/collected"),
        ("os.path.join(BASE_DIR, 'collected')", "collected"),
        ("str(BASE_DIR / 'out')", "out"),
        ("'relative'", "relative"),
        ("os.path.join(os.path.dirname(BASE_DIR), 'static')", None),
        ("BASE_DIR.parent / 'static'", None),
        ("os.environ.get('STATIC_ROOT', os.path.join(BASE_DIR, 'staticfiles'))", None),
        ("'/var/www/static'", None),
        ("BASE_DIR / '..' / 'static'", None),
        ("BASE_DIR", None),
    ],
)
def test_static_root_folder_is_only_taken_when_plainly_inside_the_project(tmp_path, static_root, folder):
    from refactor_app.steps.staticfiles import static_root_folder
    from refactor_app.workspace import Workspace

    settings = "import os\n" + STARTPROJECT_SETTINGS.replace('STATIC_ROOT = BASE_DIR / "staticfiles"', f"STATIC_ROOT = {static_root}")
    root = startproject(tmp_path, settings, commit=False)
    assert static_root_folder(Workspace(api.discover(root))) == folder


def test_static_root_outside_the_project_never_removes_the_users_static_folder(tmp_path):
    settings = "import os\n" + STARTPROJECT_SETTINGS.replace(
        'STATIC_ROOT = BASE_DIR / "staticfiles"',
        "STATIC_ROOT = os.path.join(os.path.dirname(BASE_DIR), 'static')\nSTATICFILES_DIRS = [BASE_DIR / 'static']",
    )
    root = startproject(tmp_path, settings, **{"static/css/site.css": "body {}\n"})
    result = result_of(plan_for(root, ["staticfiles"]), "staticfiles")
    assert result.state is State.NOT_APPLICABLE and result.removals == [] and result.edits == []


def test_allowed_hosts_keeps_its_trailing_comment_and_declines_shared_assignments(tmp_path):
    settings = STARTPROJECT_SETTINGS.replace("ALLOWED_HOSTS = []", "ALLOWED_HOSTS = ['*']  # TODO: restrict before launch")
    text = settings_after(startproject(tmp_path / "a", settings), ["allowed-hosts"])
    assert "ALLOWED_HOSTS = [DIVIO_DOMAIN] + DIVIO_DOMAIN_ALIASES + DIVIO_DOMAIN_REDIRECTS  # TODO: restrict before launch\n" in text

    shared = STARTPROJECT_SETTINGS.replace("ALLOWED_HOSTS = []", "INTERNAL_IPS = ALLOWED_HOSTS = ['127.0.0.1']")
    result = result_of(plan_for(startproject(tmp_path / "b", shared), ["allowed-hosts"]), "allowed-hosts")
    assert result.state is State.NOT_APPLICABLE and "together with other names" in result.reason


@pytest.mark.parametrize(
    "text, words",
    [
        ("# TODO\n", "no FROM instruction"),
        ("", "no FROM instruction"),
        ("FROM python\nWORKDIR [\"/app\nCOPY . .\nCMD run\n", None),
        ("FROM python\nCOPY <<EOF /app/.env\nDJANGO_DEBUG=False\nEOF\nCMD run\n", "heredocs"),
        ("FROM python\nRUN <<EOF\npip install -r requirements.txt\nEOF\nCMD run\n", "heredocs"),
    ],
)
def test_odd_dockerfiles_are_declined_or_edited_without_a_crash(tmp_path, text, words):
    root = startproject(tmp_path, Dockerfile=text)
    result = result_of(plan_for(root, ["collectstatic"]), "collectstatic")
    if words is None:
        assert result.state is State.PENDING
    else:
        assert result.state is State.NOT_APPLICABLE and words in result.reason and result.edits == []


@pytest.mark.parametrize(
    "addition, words",
    [
        ("import sys\nif 'runserver' in sys.argv:\n    DEBUG = True\n", "also sets DEBUG inside an if/try block"),
        ("try:\n    from .local import *\nexcept ImportError:\n    pass\n", "may take DEBUG from .local"),
    ],
)
def test_settings_the_steps_cannot_see_into_are_named(tmp_path, addition, words):
    settings = "import os\n" + STARTPROJECT_SETTINGS.replace("DEBUG = True", "DEBUG = os.environ.get('DJANGO_DEBUG') == 'True'")
    root = startproject(tmp_path, settings + addition, **{".env-local": "DJANGO_DEBUG=True\n", "mysite/local.py": "DEBUG = True\n"})
    plan = plan_for(root, ["debug"])
    result = result_of(plan, "debug")
    assert words in result.reason and "check those by hand" in result.reason
    assert any(words in warning for warning in plan.warnings)


def test_debug_only_inside_a_block_is_not_called_djangos_default(tmp_path):
    settings = STARTPROJECT_SETTINGS.replace("DEBUG = True", "if True:\n    DEBUG = True")
    result = result_of(plan_for(startproject(tmp_path, settings), ["debug"]), "debug")
    assert result.state is State.NOT_APPLICABLE
    assert "also sets DEBUG inside an if/try block" in result.reason and "default" not in result.reason


def test_wildcard_added_after_the_done_allowed_hosts_is_declined(tmp_path):
    from conftest import EXAMPLE, committed_project

    root = committed_project(EXAMPLE, tmp_path / "t")
    api.apply(api.make_plan(api.discover(root)))
    settings_file = root / "myapp" / "settings.py"
    settings_file.write_text(settings_file.read_text() + "\nALLOWED_HOSTS += ['*']\n")
    result = result_of(plan_for(root, ["allowed-hosts"]), "allowed-hosts")
    assert result.state is State.NOT_APPLICABLE and "adds '*' to ALLOWED_HOSTS further down" in result.reason


@pytest.mark.parametrize("where", ["info-exclude", "global-excludes"])
def test_staticfiles_ignored_only_outside_the_gitignore_still_gets_its_pattern(tutorial, where, tmp_path):
    # Only .gitignore is committed: git's other ignore files do not stop the folder being committed by others.
    if where == "info-exclude":
        (tutorial / ".git" / "info" / "exclude").write_text("staticfiles/\n")
    else:
        (tmp_path / "global-ignore").write_text("staticfiles\n")
        git(tutorial, "config", "core.excludesFile", str(tmp_path / "global-ignore"))
    plan = api.make_plan(api.discover(tutorial), ["staticfiles"])
    assert ".gitignore: + /staticfiles" in result_of(plan, "staticfiles").reason


def test_staticfiles_pattern_already_in_the_gitignore_by_wildcard_is_recognised(tutorial):
    with open(tutorial / ".gitignore", "a") as handle:
        handle.write("/static*/\n")
    plan = api.make_plan(api.discover(tutorial), ["staticfiles"])
    assert ".gitignore" not in result_of(plan, "staticfiles").reason


@pytest.mark.parametrize("fallback, warned", [
    ("SECRET_KEY", True),  # the base's literal is what production runs with when the variable is unset
    ("None", False),
])
def test_a_production_module_falling_back_to_the_bases_committed_key_is_warned_of(tmp_path, fallback, warned):
    """A red-team run: base.py commits a key, production.py reads DJANGO_SECRET_KEY with
    SECRET_KEY (the base's) as the fallback; status said done and nothing warned."""
    from project_builder import MANAGE_PY, write_project

    base = STARTPROJECT_SETTINGS.replace("parent.parent", "parent.parent.parent")
    root = write_project(tmp_path / "split", {
        "manage.py": MANAGE_PY.replace("mysite.settings", "mysite.settings.production"),
        "mysite/__init__.py": "", "mysite/settings/__init__.py": "", "mysite/settings/base.py": base,
        "mysite/settings/production.py": "import os\n\nfrom .base import *  # noqa\n\n"
                                         f"SECRET_KEY = os.environ.get('DJANGO_SECRET_KEY', {fallback})\n",
    })
    plan = api.make_plan(api.discover(root), ["secret-key"])
    assert plan.results[0].state is State.DONE, plan.results[0].reason
    leaked = [warning for warning in plan.warnings if "mysite/settings/base.py has been committed" in warning]
    assert bool(leaked) is warned, plan.warnings


def test_an_annotated_allowed_hosts_keeps_its_annotation(tmp_path):
    """A red-team run: `ALLOWED_HOSTS: list[str] = [...]` lost its annotation when rewritten."""
    settings = STARTPROJECT_SETTINGS.replace("ALLOWED_HOSTS = []", "ALLOWED_HOSTS: list[str] = []")
    root = startproject(tmp_path, settings)
    assert api.make_plan(api.discover(root), ["allowed-hosts"]).results[0].state is State.PENDING
    from conftest import run_cli

    assert run_cli("apply", "--step", "allowed-hosts", cwd=root).returncode == 0
    text = (root / "mysite" / "settings.py").read_text()
    assert "\nALLOWED_HOSTS: list[str] = [DIVIO_DOMAIN] + DIVIO_DOMAIN_ALIASES + DIVIO_DOMAIN_REDIRECTS\n" in text
    again = api.make_plan(api.discover(root), ["allowed-hosts"])
    assert again.results[0].state is State.DONE and not again.has_changes, again.results[0].reason


def test_a_redirect_that_follows_debug_says_it_reads_the_environment_through_debug(tmp_path):
    """A red-team run: `SECURE_SSL_REDIRECT = not DEBUG` was described as reading
    SECURE_SSL_REDIRECT from the environment (os.environ.get); it reads DJANGO_DEBUG, through DEBUG."""
    settings = STARTPROJECT_SETTINGS.replace("DEBUG = True", "DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"") \
        .replace("from pathlib import Path", "import os\nfrom pathlib import Path") + "\nSECURE_SSL_REDIRECT = not DEBUG\n"
    root = startproject(tmp_path, settings)
    result = result_of(plan_for(root, ["ssl-redirect"]), "ssl-redirect")
    assert result.state is State.DONE, result.reason
    assert "already reads SECURE_SSL_REDIRECT from the environment, through DEBUG (os.environ.get)" in result.reason
    direct = startproject(tmp_path / "direct", STARTPROJECT_SETTINGS.replace(
        "from pathlib import Path", "import os\nfrom pathlib import Path")
        + "\nSECURE_SSL_REDIRECT = os.environ.get('HTTPS', 'on') == 'on'\n")
    reason = result_of(plan_for(direct, ["ssl-redirect"]), "ssl-redirect").reason
    assert "already reads SECURE_SSL_REDIRECT from the environment (os.environ.get)" in reason, reason
