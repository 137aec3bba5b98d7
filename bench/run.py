"""Benchmark refactor-app against the floor (libcst parse + print) and django-upgrade.

    pip install -e '.[bench]'
    python bench/run.py [--projects 1000] [--repeat 3] [--jobs N]

Builds, in a temporary folder, a fleet of N projects: copies of the Divio tutorial project and
`startproject` projects of Django 2.2, 3.2, 4.2 and 5.2 (their real settings templates, in
bench/templates/), each with its own SECRET_KEY, a Dockerfile and a committed staticfiles/ where
the tutorial has one. Then times, side by side, each the median of --repeat runs:

  1. one project: `refactor-app apply --all` on a fresh git repository of the tutorial, against
     the floor for its one settings file;
  2. the fleet: `refactor-app apply --all --dry-run --recursive FLEET`, against the floor over
     every settings file in one process, and django-upgrade over the same files;
  3. a finished project: `refactor-app apply --all --check`, against django-upgrade on its settings;
  4. peak memory of the fleet run with N/10 and N projects.

Wall times come from time.perf_counter around each process; peak memory from GNU time's %M
(the largest resident set of the process tree's members).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EXAMPLE = REPO / "refactor_app" / "examples" / "divio-tutorial"
TEMPLATES = HERE / "templates"
DJANGO_VERSIONS = ["2.2", "3.2", "4.2", "5.2"]
DOCKERFILE = """FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["gunicorn", "{name}.wsgi", "--bind", "0.0.0.0:80"]
"""
ENV = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@invalid",
       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@invalid"}
ENV.pop("FORCE_COLOR", None)
# As installed, a package's modules are byte-compiled (pip does it): let Python write the
# .pyc files of an editable install too, instead of compiling them again in every process.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)


def refactor_app_command() -> list[str]:
    script = Path(sys.executable).with_name("refactor-app")
    return [str(script)] if script.exists() else [sys.executable, "-m", "refactor_app"]


def django_upgrade_command() -> list[str] | None:
    script = Path(sys.executable).with_name("django-upgrade")
    return [str(script)] if script.exists() else (["django-upgrade"] if shutil.which("django-upgrade") else None)


def secret_key(rng: random.Random) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789!@#%^&*(-_=+)"
    return "".join(rng.choice(alphabet) for _ in range(50))


def write_startproject(folder: Path, version: str, name: str, rng: random.Random) -> Path:
    template = (TEMPLATES / f"django-{version}-settings.py-tpl").read_text()
    settings = (template.replace("{{ project_name }}", name).replace("{{ django_version }}", f"{version}.0")
                .replace("{{ docs_version }}", version).replace("{{ secret_key }}", secret_key(rng)))
    (folder / name).mkdir(parents=True)
    (folder / name / "__init__.py").write_text("")
    (folder / name / "settings.py").write_text(settings)
    (folder / "manage.py").write_text((TEMPLATES / "manage.py-tpl").read_text().replace("{{ project_name }}", name))
    (folder / "Dockerfile").write_text(DOCKERFILE.format(name=name))
    (folder / "requirements.txt").write_text(f"django~={version}.0\ngunicorn\n")
    return folder / name / "settings.py"


def write_tutorial(folder: Path, rng: random.Random) -> Path:
    shutil.copytree(EXAMPLE, folder, copy_function=shutil.copyfile)
    settings = folder / "myapp" / "settings.py"
    text = settings.read_text()
    old = text.split("SECRET_KEY = '", 1)[1].split("'", 1)[0]
    settings.write_text(text.replace(old, secret_key(rng).replace("'", "")))
    return settings


def build_fleet(folder: Path, count: int) -> list[Path]:
    """`count` projects below `folder`; the settings files, in order."""
    rng = random.Random(20261125)
    settings_files = []
    for index in range(count):
        kind = index % (len(DJANGO_VERSIONS) + 1)
        project = folder / f"client-{index:04d}"
        if kind == len(DJANGO_VERSIONS):
            settings_files.append(write_tutorial(project, rng))
        else:
            settings_files.append(write_startproject(project, DJANGO_VERSIONS[kind], f"site{index}", rng))
    return settings_files


def git_project(folder: Path) -> Path:
    shutil.copytree(EXAMPLE, folder, copy_function=shutil.copyfile)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "before"]):
        subprocess.run(["git", *args], cwd=folder, env=ENV, check=True)
    return folder


def run(command: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """(wall seconds, peak resident KB) of one run; output discarded."""
    rss_file = tempfile.NamedTemporaryFile(delete=False)
    rss_file.close()
    gnu_time = shutil.which("time") or "/usr/bin/time"
    wrapped = [gnu_time, "-f", "%M", "-o", rss_file.name, *command] if Path(gnu_time).exists() else command
    start = time.perf_counter()
    completed = subprocess.run(wrapped, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if completed.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({completed.returncode}): {completed.stderr.decode()[-500:]}")
    try:
        rss = int(Path(rss_file.name).read_text().split()[-1])
    except (ValueError, IndexError):
        rss = 0
    os.unlink(rss_file.name)
    return seconds, rss


def median_run(command, repeat: int, cwd=None, before=None) -> tuple[float, int]:
    results = []
    for _ in range(repeat):
        if before is not None:
            cwd = before()
        results.append(run(command, cwd))
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="refactor-app --jobs (default: its own, the CPU count)")
    args = parser.parse_args()
    tool = refactor_app_command()
    upgrade = django_upgrade_command()
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    rows = []

    with tempfile.TemporaryDirectory(prefix="refactor-app-bench-") as work_folder:
        work = Path(work_folder)
        # Warm-up, untimed: every module of a full run imported once (and byte-compiled).
        run([*tool, "apply", "--all", "--dry-run", str(git_project(work / "warm-up"))])

        # 1. One project, end to end.
        counter = iter(range(10_000))
        fresh = lambda: git_project(work / f"one-{next(counter)}")  # noqa: E731
        one_seconds, _ = median_run([*tool, "apply", "--all"], args.repeat, before=fresh)
        listing = work / "one.txt"
        listing.write_text(str(EXAMPLE / "myapp" / "settings.py"))
        floor_one, _ = median_run([sys.executable, str(HERE / "floor.py"), str(listing)], args.repeat)
        rows.append(("one project: refactor-app apply --all", one_seconds, floor_one, "floor, one settings file", 1.3))

        # 2. The fleet.
        fleet = work / "fleet"
        settings_files = build_fleet(fleet, args.projects)
        listing = work / "fleet.txt"
        listing.write_text("\n".join(str(path) for path in settings_files))
        fleet_seconds, fleet_rss = median_run([*tool, "apply", "--all", "--dry-run", "--recursive", *jobs, str(fleet)], args.repeat)
        floor_fleet, floor_rss = median_run([sys.executable, str(HERE / "floor.py"), str(listing)], args.repeat)
        rows.append((f"fleet of {args.projects}: apply --all --dry-run --recursive", fleet_seconds, floor_fleet,
                     "floor, every settings file in one process", 0.6))
        if upgrade:
            copies = work / "upgrade"
            copies.mkdir()
            copied = []
            for index, path in enumerate(settings_files):
                target = copies / f"settings_{index:04d}.py"
                shutil.copyfile(path, target)
                copied.append(str(target))
            upgrade_fleet, _ = median_run([*upgrade, "--target-version", "4.2", *copied], args.repeat)
            rows.append((f"fleet of {args.projects}: apply --all --dry-run --recursive", fleet_seconds, upgrade_fleet,
                         "django-upgrade over the same settings files", None))

        # The same fleet once migrated: the check a CI job runs over a whole fleet.
        subprocess.run([*tool, "apply", "--all", "--allow-dirty", "--recursive", *jobs, str(fleet)],
                       env=ENV, check=True, capture_output=True)
        finished_fleet, _ = median_run([*tool, "apply", "--all", "--check", "--recursive", *jobs, str(fleet)], args.repeat)
        rows.append((f"finished fleet of {args.projects}: apply --all --check --recursive", finished_fleet, floor_fleet,
                     "floor, every settings file in one process", None))

        # 4. Peak memory, a tenth of the fleet against all of it.
        small = work / "small-fleet"
        build_fleet(small, max(1, args.projects // 10))
        _, small_rss = median_run([*tool, "apply", "--all", "--dry-run", "--recursive", *jobs, str(small)], 1)

        # 3. A finished project, the pre-commit case.
        finished = git_project(work / "finished")
        subprocess.run([*tool, "apply", "--all", "--commit"], cwd=finished, env=ENV, check=True, capture_output=True)
        check_seconds, _ = median_run([*tool, "apply", "--all", "--check"], max(5, args.repeat), cwd=finished)
        if upgrade:
            upgrade_one, _ = median_run([*upgrade, "--target-version", "4.2", "myapp/settings.py"], max(5, args.repeat), cwd=finished)
            rows.append(("finished project: apply --all --check", check_seconds, upgrade_one,
                         "django-upgrade on its settings file", 1.5))

    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs ({_cpu_model()}), Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    print(f"Fleet: {args.projects} projects, {args.repeat} runs each (median), refactor-app jobs: {args.jobs or os.cpu_count()}\n")
    print("| measured | seconds | reference | seconds | ratio | target |")
    print("|---|---|---|---|---|---|")
    for name, seconds, reference, reference_name, target in rows:
        ratio = seconds / reference
        verdict = "" if target is None else (f"<= {target}x: {'met' if ratio <= target else 'missed'}")
        print(f"| {name} | {seconds:.3f} | {reference_name} | {reference:.3f} | {ratio:.2f}x | {verdict} |")
    print(f"\nFleet throughput: {args.projects / fleet_seconds:.0f} projects/s "
          f"(floor: {args.projects / floor_fleet:.0f} settings files/s)")
    print(f"Peak memory (largest process) of the fleet dry run: {small_rss / 1024:.0f} MB with "
          f"{max(1, args.projects // 10)} projects, {fleet_rss / 1024:.0f} MB with {args.projects} "
          f"(floor process: {floor_rss / 1024:.0f} MB)")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
