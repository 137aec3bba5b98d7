"""refactor-app under the batch engines organisations already use, run the way each engine runs it.

multi-gitter: contrib/multi-gitter/refactor-app.sh in a clone of a bare repository, between
multi-gitter's own git steps (lindell/multi-gitter, internal/multigitter/run.go and the `cmd`
git backend): clone the default branch at depth 1, check out the feature branch, run the script
there with REPOSITORY=owner/name; a non-zero exit is the repository's error; a clean tree is "no
changes"; otherwise `git add .`, `git commit --no-verify -m MESSAGE`, `git push origin HEAD`.

Sourcegraph Batch Changes: contrib/sourcegraph/batch-change.yaml's step in a workspace prepared as
src prepares one (the repository's archive committed to a new git repository), its changes then
taken as `git add --all` and `git diff --cached --no-prefix --binary`.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml
from conftest import git
from golden_cases import GIT_ENV, GOLDEN, REPO, committed_project, copy_tree
from project_builder import MANAGE_PY, STARTPROJECT_SETTINGS, write_project

SCRIPT = REPO / "contrib" / "multi-gitter" / "refactor-app.sh"
SPEC = REPO / "contrib" / "sourcegraph" / "batch-change.yaml"
DOCKERFILE = REPO / "contrib" / "sourcegraph" / "Dockerfile"
BEFORE = GOLDEN / "divio-tutorial-all" / "before"
AFTER = GOLDEN / "divio-tutorial-all" / "after"

BRANCH = "multi-gitter-branch"  # multi-gitter's default --branch
MESSAGE = "Apply refactor-app's last step"  # the README's --commit-message
TUTORIAL_COMMITS = [
    "Set DEBUG using an environment variable",
    "Restrict ALLOWED_HOSTS to the environment's domains",
    "Configure SECRET_KEY from the environment",
    "Configure SSL redirects",
    "Add collectstatic to the build",
    "Remove collected static files from the repository",
]


def engine_env(**extra: str) -> dict[str, str]:
    """The environment an engine passes on to the script: the machine's own, with refactor-app on
    PATH and a git identity (the tests' own)."""
    env = {**os.environ, **GIT_ENV}
    for name in ("FORCE_COLOR", "REPOSITORY", "REFACTOR_APP_OPTIONS", "REFACTOR_APP_KEEP_COMMITS"):
        env.pop(name, None)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **extra}


def publish(project: Path, remotes: Path, name: str) -> Path:
    """`project` (a repository with a main branch) pushed to a new bare repository."""
    bare = remotes / f"{name}.git"
    bare.mkdir(parents=True)
    git(bare, "init", "-q", "--bare", "-b", "main")
    git(project, "push", "-q", str(bare), "main")
    return bare


class Run(NamedTuple):
    exit_code: int
    result: str  # multi-gitter's outcome for the repository: "error", "no changes" or "pushed"
    log: str  # the script's output, which multi-gitter logs
    clone: Path


def multi_gitter_run(bare: Path, repository: str, work: Path, **env: str) -> Run:
    """One repository of `multi-gitter run contrib/multi-gitter/refactor-app.sh --branch BRANCH
    --commit-message MESSAGE`."""
    clone = work / "clones" / repository.replace("/", "-")
    if clone.exists():
        shutil.rmtree(clone)  # each run starts from a new clone, as multi-gitter's does
    clone.parent.mkdir(parents=True, exist_ok=True)
    # A file:// URL: a local path would ignore --depth, which a clone over the network honours.
    git(work, "clone", "-q", bare.as_uri(), "--branch", "main", "--single-branch", "--depth", "1", str(clone))
    git(clone, "checkout", "-q", "-b", BRANCH)
    done = subprocess.run([str(SCRIPT)], cwd=clone, env=engine_env(REPOSITORY=repository, **env),
                          capture_output=True, text=True, timeout=600)
    log = done.stdout + done.stderr
    if done.returncode != 0:
        return Run(done.returncode, "error", log, clone)
    if not git(clone, "status", "-s"):
        return Run(0, "no changes", log, clone)
    git(clone, "add", ".")
    git(clone, "commit", "-q", "--no-verify", "-m", MESSAGE)
    git(clone, "push", "-q", "--no-verify", "origin", "HEAD")
    return Run(0, "pushed", log, clone)


def pushed_commits(bare: Path) -> list[str]:
    """The subjects of the commits on the feature branch, oldest first; [] when none was pushed."""
    if not git(bare, "branch", "--list", BRANCH):
        return []
    return git(bare, "log", "--reverse", "--format=%s", f"main..{BRANCH}").splitlines()


def tree_of(repository: Path, revision: str, folder: str = "") -> dict[str, bytes]:
    """Every file of `revision` (below `folder`), as git holds it."""
    archive = subprocess.run(["git", "archive", "--format=tar", revision, *([folder] if folder else [])],
                             cwd=repository, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return {member.name.removeprefix(folder): tar.extractfile(member).read()
                for member in tar.getmembers() if member.isfile()}


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in folder.rglob("*") if path.is_file() and ".git" not in path.relative_to(folder).parts}


def settings_choice_project(root: Path) -> Path:
    """manage.py names a local module, and no deployment file names production's: refactor-app asks."""
    settings = STARTPROJECT_SETTINGS.replace(".parent.parent", ".parent.parent.parent")  # one folder deeper
    return write_project(root, {
        "manage.py": MANAGE_PY.replace('"mysite.settings"', '"mysite.settings.dev"'),
        "mysite/__init__.py": "",
        "mysite/settings/__init__.py": "",
        "mysite/settings/dev.py": settings,
        "mysite/settings/deploy.py": settings,
    })


# multi-gitter


def test_the_tutorial_project_becomes_one_commit_per_step_the_last_one_multi_gitters(tmp_path):
    bare = publish(committed_project(BEFORE, tmp_path / "tutorial"), tmp_path / "remotes", "tutorial")
    run = multi_gitter_run(bare, "acme/tutorial", tmp_path)
    assert (run.exit_code, run.result) == (0, "pushed"), run.log
    # Released multi-gitter opens a pull request only for changes the script leaves uncommitted:
    # the last step's are handed back to it, and it commits them under --commit-message.
    assert pushed_commits(bare) == [*TUTORIAL_COMMITS[:-1], MESSAGE]
    assert f'the last one ("{TUTORIAL_COMMITS[-1]}") staged' in run.log
    last = git(bare, "show", "--format=", "--name-status", BRANCH).splitlines()
    assert "M\t.gitignore" in last and sum(line.startswith("D\tstaticfiles/") for line in last) == 17
    assert len(last) == 18
    assert tree_of(bare, BRANCH) == files_of(AFTER)


def test_keep_commits_leaves_every_step_its_commit_and_released_multi_gitter_sees_no_changes(tmp_path):
    bare = publish(committed_project(BEFORE, tmp_path / "tutorial"), tmp_path / "remotes", "tutorial")
    run = multi_gitter_run(bare, "acme/tutorial", tmp_path, REFACTOR_APP_KEEP_COMMITS="1")
    assert (run.exit_code, run.result) == (0, "no changes"), run.log
    assert git(run.clone, "log", "--reverse", "--format=%s", f"origin/main..{BRANCH}").splitlines() == TUTORIAL_COMMITS
    assert tree_of(run.clone, "HEAD") == files_of(AFTER)
    assert pushed_commits(bare) == []


def test_an_already_migrated_project_has_nothing_to_do_and_no_pull_request(tmp_path):
    bare = publish(committed_project(AFTER, tmp_path / "migrated"), tmp_path / "remotes", "migrated")
    run = multi_gitter_run(bare, "acme/migrated", tmp_path)
    assert (run.exit_code, run.result) == (0, "no changes"), run.log
    assert "nothing to apply" in run.log
    assert git(run.clone, "rev-parse", "HEAD") == git(run.clone, "rev-parse", "origin/main")
    assert pushed_commits(bare) == []


def test_bad_settings_fail_the_repository_with_refactor_apps_exit_code_and_push_nothing(tmp_path):
    project = committed_project(BEFORE, tmp_path / "broken")
    settings = project / "myapp" / "settings.py"
    settings.write_text(settings.read_text() + "\nDEBUG = (\n")
    git(project, "commit", "-q", "-am", "a syntax error")
    bare = publish(project, tmp_path / "remotes", "broken")
    run = multi_gitter_run(bare, "acme/broken", tmp_path)
    assert (run.exit_code, run.result) == (2, "error"), run.log
    assert "myapp/settings.py" in run.log and "refactor-app failed (exit 2)" in run.log
    assert git(run.clone, "status", "--porcelain") == ""  # nothing written
    assert pushed_commits(bare) == []


def test_a_repository_without_manage_py_is_not_a_django_project_and_is_skipped(tmp_path):
    project = write_project(tmp_path / "docs", {"README.md": "# Documentation\n", "docs/index.md": "hello\n"})
    bare = publish(project, tmp_path / "remotes", "docs")
    run = multi_gitter_run(bare, "acme/docs", tmp_path)
    assert (run.exit_code, run.result) == (0, "no changes"), run.log
    assert "not a Django project" in run.log
    assert pushed_commits(bare) == []


def test_a_project_that_needs_a_settings_choice_fails_until_the_options_file_gives_it(tmp_path):
    bare = publish(settings_choice_project(tmp_path / "choice"), tmp_path / "remotes", "choice")
    run = multi_gitter_run(bare, "acme/choice", tmp_path)
    assert (run.exit_code, run.result) == (2, "error"), run.log
    assert "--settings mysite/settings/deploy.py" in run.log

    options = tmp_path / "refactor-app-options"
    options.write_text("# repository   refactor-app arguments\n"
                       "acme/other     --settings elsewhere/settings.py\n"
                       "acme/choice    --settings mysite/settings/deploy.py\r\n")
    run = multi_gitter_run(bare, "acme/choice", tmp_path, REFACTOR_APP_OPTIONS=str(options))
    assert (run.exit_code, run.result) == (0, "pushed"), run.log
    # No Dockerfile (collectstatic does not apply) and no committed staticfiles/: the last step
    # only ignores the folder.
    assert pushed_commits(bare) == [*TUTORIAL_COMMITS[:4], MESSAGE]
    assert "Ignore collected static files (/staticfiles)" in run.log
    pushed = tree_of(bare, BRANCH)
    assert "DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"" in pushed["mysite/settings/deploy.py"].decode()
    assert pushed["mysite/settings/dev.py"] == tree_of(bare, "main")["mysite/settings/dev.py"]


def test_a_repository_of_several_projects_runs_each_project_its_options_file_names(tmp_path):
    monorepo = tmp_path / "monorepo"
    copy_tree(BEFORE, monorepo / "shop")
    copy_tree(BEFORE, monorepo / "blog")
    write_project(monorepo, {})
    bare = publish(monorepo, tmp_path / "remotes", "monorepo")
    run = multi_gitter_run(bare, "acme/monorepo", tmp_path)
    assert (run.exit_code, run.result) == (2, "error"), run.log
    assert "several Django projects" in run.log

    options = tmp_path / "refactor-app-options"
    options.write_text("acme/monorepo shop\nacme/monorepo blog\n")
    run = multi_gitter_run(bare, "acme/monorepo", tmp_path, REFACTOR_APP_OPTIONS=str(options))
    assert (run.exit_code, run.result) == (0, "pushed"), run.log
    assert pushed_commits(bare) == [*TUTORIAL_COMMITS, *TUTORIAL_COMMITS[:-1], MESSAGE]
    assert tree_of(bare, BRANCH, "shop/") == tree_of(bare, BRANCH, "blog/") == files_of(AFTER)


def test_an_options_file_that_cannot_be_read_fails_before_anything_runs(tmp_path):
    bare = publish(committed_project(BEFORE, tmp_path / "tutorial"), tmp_path / "remotes", "tutorial")
    run = multi_gitter_run(bare, "acme/tutorial", tmp_path, REFACTOR_APP_OPTIONS=str(tmp_path / "missing"))
    assert (run.exit_code, run.result) == (2, "error"), run.log
    assert "cannot read REFACTOR_APP_OPTIONS" in run.log
    assert git(run.clone, "rev-parse", "HEAD") == git(run.clone, "rev-parse", "origin/main")


# Sourcegraph Batch Changes


def load_spec() -> dict:
    spec = yaml.safe_load(SPEC.read_text())
    # YAML 1.1 (PyYAML) reads the key `on` as True; Sourcegraph reads it as the string.
    if True in spec:
        spec["on"] = spec.pop(True)
    return spec


def test_the_batch_spec_has_what_batch_changes_requires():
    spec = load_spec()
    assert set(spec) <= {"version", "name", "description", "on", "workspaces", "steps", "transformChanges",
                         "importChangesets", "changesetTemplate"}
    assert spec["version"] == 2 and re.fullmatch(r"[\w.-]+", spec["name"])
    (query,) = spec["on"]
    assert set(query) == {"repositoriesMatchingQuery"} and "manage\\.py" in query["repositoriesMatchingQuery"]
    (step,) = spec["steps"]
    assert set(step) <= {"run", "container", "env", "files", "outputs", "if", "mount"} and step["container"]
    assert "refactor-app apply --all" in step["run"] and "--commit" not in step["run"]  # Batch Changes commits
    template = spec["changesetTemplate"]
    assert set(template) <= {"title", "body", "branch", "commit", "published"}
    assert template["title"] and template["branch"] and template["commit"]["message"]
    assert set(re.findall(r"outputs\.(\w+)", template["body"])) <= set(step["outputs"])
    # The image the Dockerfile's own comment builds is the one the step runs in.
    assert f"-t {step['container']} " in DOCKERFILE.read_text()


SRC_GIT_ENV = {  # src's own git commands in the workspace run with this environment, and no other
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG": os.devnull, "GIT_TERMINAL_PROMPT": "0",
    "GIT_AUTHOR_NAME": "Sourcegraph", "GIT_AUTHOR_EMAIL": "batch-changes@sourcegraph.com",
    "GIT_COMMITTER_NAME": "Sourcegraph", "GIT_COMMITTER_EMAIL": "batch-changes@sourcegraph.com",
}


def src(workspace: Path, *args: str, user: int | None = None) -> str:
    """git as src runs it in the workspace (as `user`: the one who runs src, who owns it)."""
    env = {"PATH": os.environ["PATH"], **SRC_GIT_ENV}
    return subprocess.run(["git", *args], cwd=workspace, env=env, check=True, capture_output=True,
                          user=user).stdout.decode()


def src_workspace(project: Path, workspace: Path) -> Path:
    """The workspace as src prepares it: the repository's archive unpacked (no .git), its files
    committed to a new git repository."""
    workspace.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=zip", "HEAD"], cwd=project, capture_output=True, check=True)
    zipfile.ZipFile(io.BytesIO(archive.stdout)).extractall(workspace)
    src(workspace, "init", "-q")
    src(workspace, "add", "--force", "--all")
    src(workspace, "commit", "--quiet", "--all", "-m", "sourcegraph-batch-changes")
    return workspace


def run_step(run: str, workspace: Path, home: Path) -> subprocess.CompletedProcess:
    """The step's `run`, written to a file and given to bash in the workspace, as src does in the
    container: there HOME is the image's, with no git configuration but what the step writes."""
    home.mkdir(exist_ok=True)
    script = home / "step.sh"
    script.write_text(run)
    env = engine_env(HOME=str(home))
    env.pop("GIT_CONFIG_GLOBAL")
    return subprocess.run(["bash", str(script)], cwd=workspace, env=env, capture_output=True, text=True, timeout=600)


def changeset_diff(workspace: Path, user: int | None = None) -> str:
    src(workspace, "add", "--all", user=user)
    return src(workspace, "diff", "--cached", "--no-prefix", "--binary", user=user)


@pytest.mark.parametrize("case", ["tutorial", "migrated", "broken"])
def test_the_batch_spec_step_makes_the_migration_diff_or_none_or_fails(tmp_path, case):
    project = committed_project(AFTER if case == "migrated" else BEFORE, tmp_path / "project")
    if case == "broken":
        (project / "myapp" / "settings.py").write_text("DEBUG = (\n")
        git(project, "commit", "-q", "-am", "a syntax error")
    workspace = src_workspace(project, tmp_path / "workspace")
    (step,) = load_spec()["steps"]
    done = run_step(step["run"], workspace, tmp_path / "home")
    if case == "broken":
        assert done.returncode == 2 and "myapp/settings.py" in done.stderr
        return
    assert done.returncode == 0, done.stderr
    diff = changeset_diff(workspace)
    if case == "migrated":
        assert diff == ""  # no changeset
        return
    # The diff, applied to the repository as it was, gives the migrated project.
    check = src_workspace(project, tmp_path / "check")
    subprocess.run(["git", "apply", "-p0", "--index", "-"], cwd=check, input=diff.encode(), check=True)
    assert files_of(check) == files_of(AFTER)
    # The report the changeset's body quotes (outputs.report: the step's stderr).
    assert "staticfiles    applied" in done.stderr and "SECRET_KEY" in done.stderr


OWNER = 1000  # the user who runs src, and owns the workspace; the step runs as root


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="giving the workspace to another user, as src's bind mount does, needs root")
def test_the_batch_spec_step_runs_in_a_workspace_another_user_owns(tmp_path):
    project = committed_project(BEFORE, tmp_path / "project")
    # Outside pytest's own folders, which only root may enter.
    with tempfile.TemporaryDirectory(prefix="src-workspace-") as top:
        workspace = src_workspace(project, Path(top) / "workspace")
        for folder, folders, files in os.walk(top):
            for name in [folder, *(os.path.join(folder, entry) for entry in folders + files)]:
                os.lchown(name, OWNER, OWNER)
        plain = run_step("refactor-app apply --all\n", workspace, tmp_path / "plain-home")
        assert plain.returncode == 2 and "safe.directory" in plain.stderr  # why the step marks it safe
        (step,) = load_spec()["steps"]
        done = run_step(step["run"], workspace, tmp_path / "home")
        assert done.returncode == 0, done.stderr
        diff = changeset_diff(workspace, user=OWNER)
    assert "+DEBUG = os.environ.get('DJANGO_DEBUG') == \"True\"" in diff
    assert "deleted file mode 100644" in diff  # git rm staticfiles, in the index src reads


def test_the_image_installs_refactor_app_from_the_files_it_copies(tmp_path):
    """The Dockerfile's COPY lines bring every file the package needs (no docker here: the same
    files, built into a wheel)."""
    text = DOCKERFILE.read_text()
    assert re.search(r"apt-get install .*\bgit\b", text)  # refactor-app runs git
    context = tmp_path / "image"
    for line in text.splitlines():
        if line.startswith("COPY "):
            *sources, target = line.split()[1:]
            for source in sources:
                destination = context / target.lstrip("/")
                destination = destination / Path(source).name if target.endswith("/") else destination
                destination.parent.mkdir(parents=True, exist_ok=True)
                copy = shutil.copytree if (REPO / source).is_dir() else shutil.copyfile
                copy(REPO / source, destination)
    (package,) = re.findall(r"pip install --no-cache-dir (\S+)", text)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path / "wheel"),
                    str(context / package.lstrip("/"))], check=True, capture_output=True, timeout=300)
    (wheel,) = (tmp_path / "wheel").glob("refactor_app-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"refactor_app/cli.py", "refactor_app/schema/output.schema.json",
            "refactor_app/examples/divio-tutorial/manage.py"} <= names
