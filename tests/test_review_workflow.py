"""The review workflow: one commit per step, interactive review in a real terminal, JSON for
scripts, verify, and the pre-commit guard."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from conftest import REPO, git, git_status, run_cli
from golden_cases import GIT_ENV, GOLDEN, tree_files

REFERENCE = tree_files(GOLDEN / "divio-tutorial-all" / "after")
SCHEMA = json.loads((REPO / "refactor_app" / "schema" / "output.schema.json").read_text())
TITLES = [
    "Set DEBUG using an environment variable",
    "Restrict ALLOWED_HOSTS to the environment's domains",
    "Configure SECRET_KEY from the environment",
    "Configure SSL redirects",
    "Add collectstatic to the build",
    "Remove collected static files from the repository",
]


def log_subjects(root: Path) -> list[str]:
    return git(root, "log", "--format=%s").splitlines()


# --- --commit --------------------------------------------------------------------------------

def test_commit_makes_one_commit_per_step_that_reads_like_the_page(tutorial):
    result = run_cli("apply", "--all", "--commit", cwd=tutorial)
    assert result.returncode == 0, result.stderr
    assert log_subjects(tutorial)[:6] == list(reversed(TITLES))
    assert git_status(tutorial) == [] and tree_files(tutorial) == REFERENCE
    debug_commit = git(tutorial, "show", "--name-status", "--format=%B", "HEAD~5")
    assert "refactor-app step debug: myapp/settings.py: DEBUG = True becomes on only when DJANGO_DEBUG=True" in debug_commit
    assert "M\t.env-local\nM\tmyapp/settings.py" in debug_commit
    staticfiles_commit = git(tutorial, "show", "--name-status", "--format=", "HEAD")
    assert "D\tstaticfiles/staticfiles.json" in staticfiles_commit and "M\t.gitignore" in staticfiles_commit
    assert "Each step is its own commit" in result.stderr

    again = run_cli("apply", "--all", "--commit", cwd=tutorial)
    assert again.returncode == 0 and "Nothing applied" in again.stderr
    assert len(log_subjects(tutorial)) == 7


def step_states(root: Path) -> dict[str, str]:
    lines = run_cli("status", cwd=root).stdout.splitlines()[1:7]
    return {line.split()[0]: line.split()[1] for line in lines}


# debug and allowed-hosts add .env-local lines (and allowed-hosts a settings block) right next to
# lines later steps add, in the order the page's reference result has them; git's merge will not
# revert one side of two touching edits on its own, so those two revert cleanly only after the
# later steps (see test_reverting_from_the_newest_step_back_undoes_one_step_at_a_time).
@pytest.mark.parametrize("name", ["secret-key", "ssl-redirect", "collectstatic", "staticfiles"])
def test_git_revert_undoes_exactly_one_step(tutorial, name):
    run_cli("apply", "--all", "--commit", cwd=tutorial)
    title = TITLES[["debug", "allowed-hosts", "secret-key", "ssl-redirect", "collectstatic", "staticfiles"].index(name)]
    sha = git(tutorial, "log", "--format=%H", f"--grep={title}", "--fixed-strings").strip()
    git(tutorial, "revert", "--no-edit", sha)
    assert [step for step, state in step_states(tutorial).items() if state != "done"] == [name]


def test_reverting_from_the_newest_step_back_undoes_one_step_at_a_time(tutorial):
    run_cli("apply", "--all", "--commit", cwd=tutorial)
    names = ["debug", "allowed-hosts", "secret-key", "ssl-redirect", "collectstatic", "staticfiles"]
    for count in range(1, 7):
        git(tutorial, "revert", "--no-edit", "HEAD" + "~1" * (2 * (count - 1)))
        pending = [step for step, state in step_states(tutorial).items() if state == "pending"]
        assert pending == names[6 - count:], count
    assert tree_files(tutorial) == tree_files(tutorial)  # and the files are the original project's:
    from conftest import EXAMPLE
    assert {k: v[0] for k, v in tree_files(tutorial).items()} == {k: v[0] for k, v in tree_files(EXAMPLE).items()}


def test_commit_refuses_a_dirty_tree_even_with_allow_dirty(tutorial):
    (tutorial / "requirements.txt").write_text("django\n")
    result = run_cli("apply", "--all", "--commit", "--allow-dirty", cwd=tutorial)
    assert result.returncode == 2 and "uncommitted changes (requirements.txt)" in result.stderr
    assert len(log_subjects(tutorial)) == 1


def test_commit_only_the_chosen_steps(tutorial):
    result = run_cli("apply", "--step", "secret-key", "--step", "debug", "--commit", cwd=tutorial)
    assert result.returncode == 0, result.stderr
    assert log_subjects(tutorial)[:2] == [TITLES[2], TITLES[0]]


# --- --interactive, in a real pseudo-terminal ----------------------------------------------

class Terminal:
    """refactor-app running in a pseudo-terminal, answered like a person at its prompts."""

    def __init__(self, args, cwd, env=None):
        self.master, slave = pty.openpty()
        full_env = {**os.environ, **GIT_ENV, "TERM": "xterm", "COLUMNS": "120", **(env or {})}
        full_env.pop("NO_COLOR", None) if not env or "NO_COLOR" not in env else None
        self.process = subprocess.Popen(
            [sys.executable, "-m", "refactor_app", *args], cwd=cwd, env=full_env,
            stdin=slave, stdout=slave, stderr=slave, close_fds=True,
        )
        os.close(slave)
        self.output = b""

    def read_until(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.output:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {text!r} in {self.output[-2000:]!r}"
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    assert text.encode() in self.output, f"ended without {text!r}: {self.output[-2000:]!r}"
                self.output += chunk
        return self.output.decode(errors="replace")

    def answer(self, prompt: str, reply: str) -> None:
        self.read_until(prompt)
        self.output = self.output[self.output.index(prompt.encode()) + len(prompt):]
        os.write(self.master, reply.encode() + b"\r")

    def finish(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.output += os.read(self.master, 65536)
                except OSError:
                    break
        code = self.process.wait(timeout=max(1, deadline - time.monotonic()))
        os.close(self.master)
        return code


def test_interactive_apply_skip_quit(tutorial):
    terminal = Terminal(["apply", "--all", "--interactive"], tutorial)
    terminal.answer("Apply debug? [a]pply / [s]kip / [q]uit: ", "a")
    terminal.answer("Apply allowed-hosts? [a]pply / [s]kip / [q]uit: ", "s")
    terminal.answer("Apply secret-key? [a]pply / [s]kip / [q]uit: ", "q")
    assert terminal.finish() == 0
    assert "Applied 1 step before quitting" in terminal.output.decode(errors="replace")
    assert sorted(git_status(tutorial)) == [" M .env-local", " M myapp/settings.py"]
    settings = (tutorial / "myapp/settings.py").read_text()
    assert "DEBUG = os.environ.get('DJANGO_DEBUG')" in settings
    assert "ALLOWED_HOSTS = ['*']" in settings and "SECRET_KEY = 'ic&" in settings


def test_interactive_shows_a_coloured_diff_and_commits_accepted_steps(tutorial):
    terminal = Terminal(["apply", "--all", "--interactive", "--commit"], tutorial)
    screen = terminal.read_until("Apply debug?")
    assert "\x1b[" in screen and "+DEBUG = os.environ.get" in screen
    terminal.answer("Apply debug? [a]pply / [s]kip / [q]uit: ", "apply")
    terminal.answer("Apply allowed-hosts? [a]pply / [s]kip / [q]uit: ", "maybe")
    terminal.answer("Please answer a, s or q.", "")
    terminal.answer("Apply allowed-hosts? [a]pply / [s]kip / [q]uit: ", "skip")
    for name in ("secret-key", "ssl-redirect", "collectstatic"):
        terminal.answer(f"Apply {name}? [a]pply / [s]kip / [q]uit: ", "s")
    terminal.answer("Apply staticfiles? [a]pply / [s]kip / [q]uit: ", "a")
    assert terminal.finish() == 0
    assert log_subjects(tutorial)[:2] == [TITLES[5], TITLES[0]]
    assert git_status(tutorial) == []


def test_interactive_refuses_without_a_terminal(tutorial):
    result = run_cli("apply", "--all", "--interactive", cwd=tutorial)
    assert result.returncode == 2
    assert result.stderr == (
        "error: --interactive needs a terminal to ask in; review with --dry-run and apply with --step NAME instead.\n"
    )


def test_colour_in_a_terminal_and_not_with_no_color(tutorial):
    coloured = Terminal(["apply", "--all", "--dry-run"], tutorial)
    assert coloured.finish() == 0 and b"\x1b[32m+DEBUG" in coloured.output
    plain = Terminal(["apply", "--all", "--dry-run"], tutorial, env={"NO_COLOR": "1"})
    colours = re.compile(rb"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7]|4[0-8]|10[0-7])(?:;[0-9;]*)?m")
    assert plain.finish() == 0 and not colours.search(plain.output), "NO_COLOR: bold may stay, colour goes"
    assert b"+DEBUG = os.environ.get" in plain.output


# --- --format json ------------------------------------------------------------------------------

def json_of(result):
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    return document


def test_json_status_dry_run_check_apply_validate_against_the_schema(tutorial):
    status = json_of(run_cli("status", "--format", "json", cwd=tutorial))
    assert status["mode"] == "status" and status["changed"] is True
    assert [step["state"] for step in status["steps"]] == ["pending"] * 6
    assert status["settings"] == ["myapp/settings.py"]

    dry = json_of(run_cli("apply", "--all", "--dry-run", "--format", "json", cwd=tutorial))
    debug = dry["steps"][0]
    assert debug["files"] == ["myapp/settings.py", ".env-local"] and debug["applied"] is False
    assert "+DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"\n" in debug["diff"]
    assert dry["removals"][0]["folder"] == "staticfiles" and len(dry["removals"][0]["files"]) == 17
    assert dry["steps"][5]["removed_files"] == dry["removals"][0]["files"]
    assert "treat it as leaked" in dry["warnings"][0]
    assert git_status(tutorial) == []

    check = run_cli("apply", "--all", "--check", "--format", "json", cwd=tutorial)
    assert check.returncode == 1 and json_of(check)["mode"] == "check"

    applied = json_of(run_cli("apply", "--all", "--format", "json", cwd=tutorial))
    assert applied["changed"] is True and all(step["applied"] for step in applied["steps"])
    assert tree_files(tutorial) == REFERENCE
    git(tutorial, "commit", "-qam", "done")
    again = json_of(run_cli("apply", "--all", "--format", "json", cwd=tutorial))
    assert again["changed"] is False and again["diff"] == ""
    assert [step["state"] for step in again["steps"]] == ["done"] * 6


def test_json_with_commit_names_each_commit(tutorial):
    document = json_of(run_cli("apply", "--all", "--commit", "--format", "json", cwd=tutorial))
    shas = [step["commit"] for step in document["steps"]]
    assert shas == git(tutorial, "log", "--format=%H", "-6").split()[::-1]


def test_json_error_document(tmp_path):
    result = run_cli("status", "--format", "json", cwd=tmp_path)
    assert result.returncode == 2
    document = json_of(result)
    assert document["exit_code"] == 2 and document["error"].startswith("no manage.py in")


# --- verify ----------------------------------------------------------------------------------

def migrated(tutorial):
    assert run_cli("apply", "--all", cwd=tutorial).returncode == 0
    return tutorial


def test_verify_passes_a_migrated_project_and_warns_about_the_committed_key(tutorial):
    result = run_cli("verify", cwd=migrated(tutorial))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "refactor-app verify: myapp.settings"
    table = {line.split("  ")[0]: line for line in lines[2:7]}
    # local, production-like, production with its variables unset (fail closed)
    assert table["DEBUG"].split()[1:] == ["True", "False", "False"]
    assert "['', 'localhost', '127.0.0.1']" in table["ALLOWED_HOSTS"] and "['www.example.com']" in table["ALLOWED_HOSTS"]
    assert table["SECURE_SSL_REDIRECT"].split()[1:] == ["False", "True", "True"]
    assert "sqlite://:memory:" in table["DATABASE_URL"]
    assert table["SECRET_KEY from"].split("  ")[0] == "SECRET_KEY from"
    assert [cell.strip() for cell in table["SECRET_KEY from"].split("  ")[1:] if cell.strip()] == [
        "fallback in settings", "environment", "fallback in settings"]
    assert "Warning: the SECRET_KEY in myapp/settings.py has been committed to the repository" in result.stdout
    # The page's six leave Divio's proxy without SECURE_PROXY_SSL_HEADER: said as apply says it.
    assert "Warning: production runs behind Divio's proxy" in result.stdout
    assert result.stdout.rstrip().endswith("OK: production runs with DEBUG off, only its own hosts and its own SECRET_KEY.")


@pytest.mark.parametrize(
    "old, new, problem",
    [
        ("DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"", "DEBUG = True", "production would run with DEBUG on"),
        ("ALLOWED_HOSTS = [DIVIO_DOMAIN] + DIVIO_DOMAIN_ALIASES + DIVIO_DOMAIN_REDIRECTS", "ALLOWED_HOSTS = ['*']",
         "production would accept any host"),
        ("SECRET_KEY = os.environ.get('SECRET_KEY', ", "SECRET_KEY = str(", "production would not use its own SECRET_KEY"),
        ("SECURE_SSL_REDIRECT = os.environ.get('SECURE_SSL_REDIRECT') != \"False\"", "SECURE_SSL_REDIRECT = False",
         "production would not redirect to HTTPS"),
        # Django tests `if settings.DEBUG`: the string "False" is on.
        ("DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"", "DEBUG = 'False'", "production would run with DEBUG on"),
    ],
)
def test_verify_fails_each_production_risk(tutorial, old, new, problem):
    settings = migrated(tutorial) / "myapp" / "settings.py"
    settings.write_text(settings.read_text().replace(old, new))
    result = run_cli("verify", cwd=tutorial)
    assert result.returncode == 1
    assert f"Problem: {problem}" in result.stdout


def test_verify_says_when_the_settings_cannot_be_imported(tutorial):
    settings = migrated(tutorial) / "myapp" / "settings.py"
    settings.write_text("import package_that_is_not_installed\n" + settings.read_text())
    result = run_cli("verify", cwd=tutorial)
    assert result.returncode == 2
    assert "cannot import the settings module myapp.settings" in result.stderr
    assert "No module named 'package_that_is_not_installed'" in result.stderr and "--python" in result.stderr


# --- the warning and the pre-commit guard ---------------------------------------------------------

def test_apply_warns_that_the_committed_key_is_leaked(tutorial):
    result = run_cli("apply", "--all", cwd=tutorial)
    assert "Warning: the SECRET_KEY in myapp/settings.py has been committed to the repository" in result.stderr


def test_pre_commit_hook_guards_against_debug_coming_back(tutorial):
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text()
    entry = next(line.split(":", 1)[1].strip() for line in hooks.splitlines() if line.strip().startswith("entry:"))
    assert entry == "refactor-app apply --all --check"
    args = entry.split()[1:]
    assert run_cli(*args, cwd=migrated(tutorial)).returncode == 0
    settings = tutorial / "myapp" / "settings.py"
    settings.write_text(settings.read_text().replace("DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"", "DEBUG = True"))
    guarded = run_cli(*args, cwd=tutorial)
    assert guarded.returncode == 1 and "+DEBUG = os.environ.get" in guarded.stdout


def test_a_failing_commit_undoes_its_step_and_keeps_the_earlier_commits(tutorial):
    hook = tutorial / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\n# refuse the third commit\n[ $(git rev-list --count HEAD) -ge 3 ] && echo 'HOOK SAYS NO' >&2 && exit 1\nexit 0\n")
    hook.chmod(0o755)
    result = run_cli("apply", "--all", "--commit", cwd=tutorial)
    assert result.returncode == 2
    assert "git commit failed: HOOK SAYS NO" in result.stderr
    assert "The secret-key step was undone; the 2 steps before it stay committed." in result.stderr
    assert git_status(tutorial) == [] and log_subjects(tutorial)[:2] == [TITLES[1], TITLES[0]]
    hook.unlink()
    assert run_cli("apply", "--all", "--commit", cwd=tutorial).returncode == 0
    assert tree_files(tutorial) == REFERENCE


def test_commit_on_a_dirty_tree_says_allow_dirty_does_not_help(tutorial):
    (tutorial / "requirements.txt").write_text("django\n")
    result = run_cli("apply", "--all", "--commit", cwd=tutorial)
    assert "as --commit needs a clean tree whatever --allow-dirty says" in result.stderr


def test_ctrl_d_at_the_prompt_quits_like_q(tutorial):
    terminal = Terminal(["apply", "--all", "--interactive"], tutorial)
    terminal.answer("Apply debug? [a]pply / [s]kip / [q]uit: ", "a")
    terminal.read_until("Apply allowed-hosts? [a]pply / [s]kip / [q]uit: ")
    os.write(terminal.master, b"\x04")
    assert terminal.finish() == 0
    screen = terminal.output.decode(errors="replace")
    assert "Applied 1 step before quitting" in screen and "internal error" not in screen
    assert sorted(git_status(tutorial)) == [" M .env-local", " M myapp/settings.py"]


def test_verify_of_an_unmigrated_project_names_its_problems(tutorial):
    # The production-like run sets DATABASE_URL, as production does: the tutorial's
    # dj_database_url.parse(os.environ.get('DATABASE_URL')) imports, and its values are judged.
    result = run_cli("verify", cwd=tutorial)
    assert result.returncode == 1
    assert "Problem: production would run with DEBUG on" in result.stdout
    assert "production would accept any host" in result.stdout
    assert "hard-coded in settings" in result.stdout


def test_unknown_step_with_commit_is_bad_input(tutorial):
    result = run_cli("apply", "--step", "debugg", "--commit", cwd=tutorial)
    assert result.returncode == 2 and "unknown step debugg" in result.stderr
    assert len(log_subjects(tutorial)) == 1


def test_commit_leaves_a_gitignored_env_local_out_of_the_commits(tutorial):
    git(tutorial, "rm", "-q", "--cached", ".env-local")
    with open(tutorial / ".gitignore", "a") as handle:
        handle.write(".env*\n")
    git(tutorial, "commit", "-q", "-am", "keep .env-local local")
    result = run_cli("apply", "--all", "--commit", cwd=tutorial)
    assert result.returncode == 0, result.stderr
    assert log_subjects(tutorial)[:6] == list(reversed(TITLES))
    assert "DJANGO_DEBUG=True" in (tutorial / ".env-local").read_text()
    assert ".env-local" not in git(tutorial, "ls-files")
    assert git_status(tutorial) == []
