"""The deploy-ready steps beyond the page (issue 14), on real `django-admin startproject`
projects through the CLI, checked with real Django: `check --deploy`, and the test client in
production (behind a proxy that sets X-Forwarded-Proto) and locally (over plain HTTP)."""

from __future__ import annotations

import json

import pytest

from conftest import git, run_cli
from hardening_checks import LOCAL, PRODUCTION, client_answers, deploy_check, loaded, startproject


def test_steps_lists_them_apart_and_all_alone_leaves_them_out(tmp_path):
    listing = run_cli("steps")
    assert listing.returncode == 0
    heading = listing.stdout.index("Beyond the page")
    for name in ("secure-cookies", "hsts", "proxy-ssl-header", "csrf-trusted-origins"):
        assert listing.stdout.index(name) > heading
    root = startproject(tmp_path)
    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    text = (root / "mysite/settings.py").read_text()
    assert "SESSION_COOKIE_SECURE" not in text and "SECURE_HSTS_SECONDS" not in text


def test_hardening_alone_is_refused(tmp_path):
    root = startproject(tmp_path)
    result = run_cli("apply", "--hardening", cwd=root)
    assert result.returncode == 2
    assert "--all --hardening" in result.stderr


@pytest.mark.parametrize("files", [{"Procfile": "web: gunicorn mysite.wsgi\n"}, {}], ids=["heroku", "no-proxy"])
def test_deploy_check_is_clean_and_requests_work(tmp_path, files):
    root = startproject(tmp_path, **files)
    result = run_cli("apply", "--all", "--hardening", cwd=root)
    assert result.returncode == 0, result.stderr
    check = deploy_check(root, PRODUCTION)
    assert check.returncode == 0, check.stdout + check.stderr
    production = loaded(root, ["CSRF_TRUSTED_ORIGINS", "SESSION_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER"], PRODUCTION)
    assert production["CSRF_TRUSTED_ORIGINS"] == ["https://example.com"]
    assert production["SESSION_COOKIE_SECURE"] is True
    plain = client_answers(root, PRODUCTION, "example.com", {})
    assert plain["get"][0] == 301 and plain["get"][1] == "https://example.com/admin/login/"
    if files:  # behind the proxy: the forwarded HTTPS request is served, cookies Secure, no loop
        assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
        forwarded = client_answers(root, PRODUCTION, "example.com", {"HTTP_X_FORWARDED_PROTO": "https"})
        assert forwarded["get"][0] == 200
        assert forwarded["get"][2]["csrftoken"] is True
        assert forwarded["post"] == 200
    else:  # no proxy shown: the header is never trusted
        assert production["SECURE_PROXY_SSL_HEADER"] is None
        spoofed = client_answers(root, PRODUCTION, "example.com", {"HTTP_X_FORWARDED_PROTO": "https"})
        assert spoofed["get"][0] == 301
    local = loaded(root, ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
                          "SECURE_PROXY_SSL_HEADER"], LOCAL)
    assert local == {"SESSION_COOKIE_SECURE": False, "CSRF_COOKIE_SECURE": False, "SECURE_HSTS_SECONDS": 0,
                     "SECURE_PROXY_SSL_HEADER": None}
    over_http = client_answers(root, LOCAL, "localhost", {})
    assert over_http["get"][0] == 200 and over_http["get"][2]["csrftoken"] is False
    assert over_http["post"] == 200  # the login form again (wrong password), not a CSRF 403
    again = run_cli("apply", "--all", "--hardening", "--check", cwd=root)
    assert again.returncode == 0, again.stdout + again.stderr


def test_csrf_origins_are_bare_hosts_before_django_4(tmp_path):
    root = startproject(tmp_path, requirement="django>=3.1,<3.2")
    assert run_cli("apply", "--step", "csrf-trusted-origins", cwd=root).returncode == 0
    origins = loaded(root, ["CSRF_TRUSTED_ORIGINS"], {"DOMAIN": "example.com", "DOMAIN_ALIASES": "www.example.com"})
    assert origins["CSRF_TRUSTED_ORIGINS"] == ["example.com", "www.example.com"]


@pytest.mark.parametrize("step, line", [
    ("secure-cookies", "SESSION_COOKIE_SECURE = True\nCSRF_COOKIE_SECURE = True"),
    # On when COOKIES is unset (fail closed); `os.environ.get('COOKIES') == 'on'` would not be done.
    ("secure-cookies", "SESSION_COOKIE_SECURE = os.environ.get('COOKIES', 'on') == 'on'\n"
                       "CSRF_COOKIE_SECURE = os.environ.get('COOKIES', 'on') == 'on'"),
    ("hsts", "SECURE_HSTS_SECONDS = int(os.environ['HSTS'])\nSECURE_HSTS_INCLUDE_SUBDOMAINS = False\n"
             "SECURE_HSTS_PRELOAD = False"),
    ("proxy-ssl-header", "SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')"),
    ("csrf-trusted-origins", "CSRF_TRUSTED_ORIGINS = ['https://example.com']"),
])
def test_done_by_hand_is_recognised(tmp_path, step, line):
    root = startproject(tmp_path, **{"Procfile": "web: gunicorn mysite.wsgi\n"})
    settings = root / "mysite/settings.py"
    settings.write_text("import os\n" + settings.read_text() + "\n" + line + "\n")
    git(root, "commit", "-qam", "by hand")
    result = run_cli("status", "--hardening", cwd=root)
    row = next(row for row in result.stdout.splitlines() if row.split()[:1] == [step])
    assert row.split()[1] == "done", row
    assert run_cli("apply", "--step", step, "--check", cwd=root).returncode == 0


def test_heroku_condition_block_counts_as_done(tmp_path):
    root = startproject(tmp_path, **{"Procfile": "web: gunicorn mysite.wsgi\n"})
    settings = root / "mysite/settings.py"
    settings.write_text("import os\n" + settings.read_text() + "\nIS_HEROKU_APP = 'DYNO' in os.environ\n"
                        "if IS_HEROKU_APP:\n    SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')\n")
    git(root, "commit", "-qam", "heroku's spelling")
    row = next(row for row in run_cli("status", "--hardening", cwd=root).stdout.splitlines()
               if row.startswith("proxy-ssl-header"))
    assert row.split()[1] == "done", row


def test_ssl_redirect_warning_names_the_step(tmp_path):
    root = startproject(tmp_path, **{"render.yaml": "services: []\n"})
    result = run_cli("apply", "--step", "ssl-redirect", "--dry-run", cwd=root)
    assert "--step proxy-ssl-header" in result.stderr


def test_hsts_zero_is_read_from_the_environment(tmp_path):
    root = startproject(tmp_path)
    settings = root / "mysite/settings.py"
    settings.write_text(settings.read_text() + "\nSECURE_HSTS_SECONDS = 0\n")
    git(root, "commit", "-qam", "hsts off")
    assert run_cli("apply", "--step", "hsts", cwd=root).returncode == 0
    assert loaded(root, ["SECURE_HSTS_SECONDS"], {"SECURE_HSTS_SECONDS": "60"}) == {"SECURE_HSTS_SECONDS": 60}
    assert loaded(root, ["SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD"], {}) == {
        "SECURE_HSTS_SECONDS": 0, "SECURE_HSTS_PRELOAD": False}


def test_bare_hosts_on_django_4_are_not_done(tmp_path):
    root = startproject(tmp_path, requirement="Django==4.2.11")
    settings = root / "mysite/settings.py"
    settings.write_text(settings.read_text() + "\nCSRF_TRUSTED_ORIGINS = ['example.com']\n")
    git(root, "commit", "-qam", "old spelling")
    row = next(row for row in run_cli("status", "--hardening", cwd=root).stdout.splitlines()
               if row.startswith("csrf-trusted-origins"))
    assert row.split()[1:3] == ["not", "applicable"] and "https://HOST" in row, row


def test_verify_deploy_names_the_steps_then_is_clean(tmp_path):
    root = startproject(tmp_path, **{"Procfile": "web: gunicorn mysite.wsgi\n"})
    assert run_cli("apply", "--all", cwd=root).returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the page's six")
    before = run_cli("verify", "--deploy", cwd=root)
    assert before.returncode == 1, before.stdout + before.stderr
    assert "security.W012" in before.stdout and "--step secure-cookies" in before.stdout
    assert "security.W004" in before.stdout and "--step hsts" in before.stdout
    # Behind Heroku's proxy the page's six leave the redirect out (it would loop without the
    # header): the deploy check names both steps.
    assert "security.W008" in before.stdout and "--step proxy-ssl-header --step ssl-redirect" in before.stdout
    assert run_cli("apply", "--all", "--hardening", cwd=root).returncode == 0
    after = run_cli("verify", "--deploy", cwd=root)
    # Checked with the HSTS values README documents for production, which the settings now read.
    assert after.returncode == 0, after.stdout + after.stderr
    assert "SECURE_HSTS_SECONDS=31536000" in after.stdout and "OK: no deploy warnings." in after.stdout
    assert "Deploy warning" not in after.stdout and "forever" not in after.stdout


def test_verify_deploy_says_when_the_settings_do_not_load(tmp_path):
    root = startproject(tmp_path)
    settings = root / "mysite/settings.py"
    settings.write_text(settings.read_text() + "\nif os.environ.get('DATABASE_URL'):\n    raise RuntimeError('no such service')\n"
                        .replace("os.environ", "__import__('os').environ"))
    git(root, "commit", "-qam", "settings that need a service")
    result = run_cli("verify", "--deploy", cwd=root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "could not run on mysite.settings: RuntimeError: no such service" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


# --- aldryn-django and Divio ----------------------------------------------------------------------

def test_aldryn_project_keeps_what_aldryn_django_sets(tmp_path):
    """aldryn-django trusts Divio's proxy and reads SECURE_HSTS_SECONDS itself: nothing is added
    that would override it. SESSION_COOKIE_SECURE is off while its variable is unset: said, not
    overridden. What aldryn-django leaves alone (the CSRF cookie, the HSTS flags) is added."""
    from test_aldryn_heroku import aldryn_project, states

    root = aldryn_project(tmp_path / "aldryn")
    result = run_cli("status", "--hardening", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    found = states(json.loads(result.stdout))
    assert found["proxy-ssl-header"][0] == "done" and "aldryn-django" in found["proxy-ssl-header"][1]
    assert "forever" not in found["ssl-redirect"][1]
    assert found["hsts"][0] == "pending" and "SECURE_HSTS_SECONDS is set by aldryn-django" in found["hsts"][1]
    assert "SESSION_COOKIE_SECURE is set by aldryn-django" in found["secure-cookies"][1]
    applied = run_cli("apply", "--all", "--hardening", cwd=root)
    assert applied.returncode == 0, applied.stderr
    assert "set SESSION_COOKIE_SECURE=True in each environment served over HTTPS" in applied.stdout + applied.stderr
    text = (root / "settings.py").read_text()
    load_line = text.index("aldryn_addons.settings.load(locals())")
    for added in ("CSRF_COOKIE_SECURE =", "SECURE_HSTS_INCLUDE_SUBDOMAINS =", "SECURE_HSTS_PRELOAD ="):
        assert text.index(added) > load_line, added
    for kept in ("SESSION_COOKIE_SECURE =", "SECURE_HSTS_SECONDS =", "SECURE_PROXY_SSL_HEADER ="):
        assert kept not in text


@pytest.mark.parametrize("marker", [
    {".gitignore": "# Divio\n.divio\n/data\n"},
    {"docker-compose.yml": "services:\n  db:\n    image: postgres\n    environment:\n      SERVICE_MANAGER: \"fsm-postgres\"\n"},
])
def test_divio_projects_get_the_proxy_header(tmp_path, marker):
    root = startproject(tmp_path, **marker)
    status = run_cli("status", cwd=root)
    assert "Divio's proxy" in status.stdout + status.stderr or "forever" in status.stdout, status.stdout
    applied = run_cli("apply", "--all", "--hardening", cwd=root)
    assert applied.returncode == 0, applied.stderr
    assert "forever" not in applied.stdout + applied.stderr
    assert "# Divio's proxy ends HTTPS" in (root / "mysite/settings.py").read_text()
    production = loaded(root, ["SECURE_PROXY_SSL_HEADER"], PRODUCTION)
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert loaded(root, ["SECURE_PROXY_SSL_HEADER"], LOCAL)["SECURE_PROXY_SSL_HEADER"] is None


def test_no_platform_no_proxy_header(tmp_path):
    root = startproject(tmp_path)
    status = run_cli("status", "--hardening", cwd=root)
    row = next(row for row in status.stdout.splitlines() if row.startswith("proxy-ssl-header"))
    assert "not applicable" in row and "TLS-terminating proxy" in row, row
    assert "forever" not in status.stdout


@pytest.mark.parametrize("files, expected", [
    ({".do/app.yaml": "name: sample-django\nservices:\n- name: web\n"}, ["DigitalOcean App Platform"]),
    ({".do/deploy.template.yaml": "spec:\n  name: sample\n"}, ["DigitalOcean App Platform"]),
    ({"railway.json": "{}\n"}, ["Railway"]),
    ({"railway.toml": "[deploy]\n"}, ["Railway"]),
    ({"app.yaml": "runtime: python312\nentrypoint: gunicorn -b :$PORT mysite.wsgi\n"}, ["Google App Engine"]),
    ({"app.yaml": "name: not-app-engine\n"}, []),  # some other tool's app.yaml
    # App Platform builds a Procfile too: its own spec names the platform.
    ({"Procfile": "web: gunicorn mysite.wsgi\n", ".do/app.yaml": "name: x\n"}, ["DigitalOcean App Platform", "Heroku"]),
])
def test_platforms_whose_proxy_ends_tls(tmp_path, files, expected):
    from refactor_app.platforms import tls_proxy_platforms

    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert tls_proxy_platforms(tmp_path) == expected


# --- with --commit and over a fleet ---------------------------------------------------------------

def test_commit_makes_one_commit_per_step_in_order(tmp_path):
    root = startproject(tmp_path, **{"Procfile": "web: gunicorn mysite.wsgi\n"})
    result = run_cli("apply", "--all", "--hardening", "--commit", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    subjects = git(root, "log", "--format=%s").splitlines()[::-1]
    from refactor_app.steps import HARDENING_STEPS, STEPS

    # No Dockerfile (collectstatic has nothing to do); staticfiles only adds its ignore line. Behind
    # Heroku's proxy the header is committed before the redirect: no commit holds a redirect loop.
    titles = {step.name: step.title for step in (*STEPS, *HARDENING_STEPS)}
    assert subjects[1:6] == [titles[name] for name in ("debug", "allowed-hosts", "secret-key", "proxy-ssl-header",
                                                       "ssl-redirect")], subjects
    assert subjects[6] == "Ignore collected static files (/staticfiles)", subjects
    assert subjects[7:] == [step.title for step in HARDENING_STEPS if step.name != "proxy-ssl-header"], subjects
    assert git(root, "status", "--porcelain") == ""
    again = run_cli("apply", "--all", "--hardening", "--check", cwd=root)
    assert again.returncode == 0, again.stdout + again.stderr


def test_fleet_runs_the_hardening_steps_in_every_project(tmp_path):
    projects = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        projects.append(startproject(tmp_path / name, **{"Procfile": "web: gunicorn mysite.wsgi\n"}))
    dry = run_cli("apply", "--all", "--hardening", "--dry-run", "-r", str(tmp_path), cwd=tmp_path)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert dry.stdout.count("+SECURE_PROXY_SSL_HEADER = (") == 2 and dry.stdout.count("+SECURE_HSTS_SECONDS =") == 2
    plain = run_cli("apply", "--all", "--dry-run", "-r", str(tmp_path), cwd=tmp_path)
    assert "SECURE_HSTS_SECONDS" not in plain.stdout
    applied = run_cli("apply", "--all", "--hardening", "-r", str(tmp_path), cwd=tmp_path)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    for root in projects:
        values = loaded(root, ["SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE"], PRODUCTION)
        assert values == {"SECURE_HSTS_SECONDS": 31536000, "SESSION_COOKIE_SECURE": True}


@pytest.mark.parametrize("spelling", [
    "env.bool('SESSION_COOKIE_SECURE', default=False)",
    "bool(os.getenv('SESSION_COOKIE_SECURE'))",
    "os.environ.get('SESSION_COOKIE_SECURE', 'False') == 'True'",
])
def test_cookie_read_off_when_unset_is_made_safe_in_its_own_spelling(tmp_path, spelling):
    """Fail closed: a hand-made read that leaves the cookie insecure with its variable unset is
    not done; the default changes, the variable keeps working, local work turns it off."""
    from dotenv import dotenv_values

    root = startproject(tmp_path)
    settings = root / "mysite/settings.py"
    settings.write_text(settings.read_text() + f"\nimport os, environ\nenv = environ.Env()\nSESSION_COOKIE_SECURE = {spelling}\n")
    git(root, "commit", "-qam", "cookie by hand")
    result = run_cli("apply", "--all", "--hardening", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert loaded(root, ["SESSION_COOKIE_SECURE"], PRODUCTION) == {"SESSION_COOKIE_SECURE": True}
    assert loaded(root, ["SESSION_COOKIE_SECURE"], {**PRODUCTION, "SESSION_COOKIE_SECURE": "False"}) == {
        "SESSION_COOKIE_SECURE": False}
    local = {key: value for key, value in dotenv_values(root / ".env-local").items() if value is not None}
    assert loaded(root, ["SESSION_COOKIE_SECURE"], local) == {"SESSION_COOKIE_SECURE": False}


def test_verify_deploy_leaves_a_gitignored_local_module_out(tmp_path):
    """As verify's production runs do: a git-ignored local.py imported inside try is local
    work's, production never has it (its DEBUG = True must not reach the deploy check)."""
    root = startproject(tmp_path, **{".gitignore": "mysite/local.py\n"})
    settings = root / "mysite/settings.py"
    settings.write_text(settings.read_text() + "\ntry:\n    from .local import *\nexcept ImportError:\n    pass\n")
    (root / "mysite/local.py").write_text("DEBUG = True\n")
    git(root, "commit", "-qam", "a local override")
    assert run_cli("apply", "--all", "--hardening", cwd=root).returncode == 0
    git(root, "commit", "-qam", "migrated")
    result = run_cli("verify", "--deploy", cwd=root)
    assert "security.W018" not in result.stdout, result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
