"""Benchmark refactor-app on fleets as users have them, against the floor (libcst parse + print).

    pip install -e '.[bench]'
    python bench/run.py [--projects 1000] [--repeat 3] [--jobs N] [--refactor-app COMMAND]

Builds, in a temporary folder, fleets of copies of the Divio tutorial project and `startproject`
projects of Django 2.2, 3.2, 4.2 and 5.2 (their real settings templates, in bench/templates/),
each with its own SECRET_KEY, a Dockerfile and a committed staticfiles/ where the tutorial has
one, in git as users keep them:

  (a) clones: N projects, each its own git repository (an organisation's clones);
  (b) monorepo: one git repository holding the N projects.

At N = 100 and N = --projects (both, so that the cost per project can be compared), times side
by side, each the median of --repeat runs of a fresh process:

  - `refactor-app apply --all --dry-run -r FLEET` (stdout to /dev/null), on (a) and (b);
  - `refactor-app apply --all -r FLEET`, the real run (writes and git rm), on (a) and (b), each
    run on a fresh copy of the fleet;
  - the floor (floor.py) over the same N settings files in one process, also run right before
    each dry run and apply: those rows' ratio is the median of each run's time over the floor's
    just before it (the machine's speed drifts from minute to minute on a shared host), and their
    "floor (s)" the median of those floors;
  - CPU time (user + system, the whole process tree) and peak memory (the largest process of
    the tree), from GNU time's %U, %S and %M.

and, once: one project end to end, a finished fleet's --check, a finished project's --check
against django-upgrade, and the dry run of a fleet outside git (the fleet the first bench had).
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EXAMPLE = REPO / "refactor_app" / "examples" / "divio-tutorial"
TEMPLATES = HERE / "templates"
DJANGO_VERSIONS = ["2.2", "3.2", "4.2", "5.2"]
SMALL_FLEET = 100
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

# Targets (issue 15), each a ratio.
DRY_RUN_TARGET = 1.0  # dry run, (a) and (b), against the floor
APPLY_TARGET = 2.0  # real apply, (a), against the floor
GROWTH_TARGET = 1.2  # cost per project at N against N = 100
MEMORY_TARGET = 1.2  # peak memory at N against N = 100 ("flat")


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
    """`count` projects below `folder` (the same ones for the same count); the settings files, in order."""
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


def commit(folder: Path, templates: Path) -> None:
    """`folder` as a git repository with one commit of all it holds (no sample hooks: smaller copies)."""
    for args in (["init", "-q", f"--template={templates}"], ["add", "-A"], ["commit", "-q", "-m", "before"]):
        subprocess.run(["git", *args], cwd=folder, env=ENV, check=True, stdout=subprocess.DEVNULL)


def build_clones(folder: Path, count: int, templates: Path) -> list[Path]:
    """(a): `count` projects, each its own git repository."""
    settings_files = build_fleet(folder, count)
    projects = sorted(folder.iterdir())
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(lambda project: commit(project, templates), projects))
    return settings_files


def build_monorepo(folder: Path, count: int, templates: Path) -> list[Path]:
    """(b): one git repository holding `count` projects."""
    settings_files = build_fleet(folder, count)
    commit(folder, templates)
    return settings_files


def git_project(folder: Path) -> Path:
    shutil.copytree(EXAMPLE, folder, copy_function=shutil.copyfile)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "before"]):
        subprocess.run(["git", *args], cwd=folder, env=ENV, check=True)
    return folder


def fresh_copy(source: Path, target: Path) -> Path:
    """A fresh copy of a fleet at `target` (the one before removed), its repositories included
    (cp -a is several times faster than copytree), each repository's index refreshed as a clone's
    is: a copy gives every file a new inode and ctime, and git status would otherwise read every
    tracked file again to see that it is unchanged (a user's clone has no such stale index)."""
    shutil.rmtree(target, ignore_errors=True)
    if shutil.which("cp"):
        subprocess.run(["cp", "-a", str(source), str(target)], check=True)
    else:
        shutil.copytree(source, target, symlinks=True)
    repositories = [target] if (target / ".git").exists() else [path.parent for path in target.glob("*/.git")]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(lambda repository: subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=repository,
                                                        env=ENV, stdout=subprocess.DEVNULL), repositories))
    return target


class Run(NamedTuple):
    seconds: float  # wall
    cpu: float  # user + system seconds of the process and every process it waited for
    rss: int  # peak resident KB of the largest process of its tree
    # With a floor run right before each run (median_run's `floor`): the median of those floors'
    # seconds, and the median of each run's seconds over its own floor's.
    floor: float | None = None
    ratio: float | None = None


def run(command: list[str], cwd: Path | None = None, expect: tuple[int, ...] = (0, 1)) -> Run:
    """One run, its output discarded."""
    usage_file = tempfile.NamedTemporaryFile(delete=False)
    usage_file.close()
    gnu_time = shutil.which("time") or "/usr/bin/time"
    wrapped = ([gnu_time, "-f", "%U %S %M", "-o", usage_file.name, *command] if Path(gnu_time).exists()
               else command)
    start = time.perf_counter()
    completed = subprocess.run(wrapped, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if completed.returncode not in expect:
        raise SystemExit(f"{' '.join(command)} failed ({completed.returncode}): {completed.stderr.decode()[-1500:]}")
    try:
        user, system, rss = Path(usage_file.name).read_text().split()[-3:]
        cpu, peak = float(user) + float(system), int(rss)
    except (ValueError, IndexError):
        cpu, peak = 0.0, 0
    os.unlink(usage_file.name)
    return Run(seconds, cpu, peak)


def median_run(command, repeat: int, cwd=None, before=None, expect=(0, 1), floor=None) -> Run:
    """The median wall and CPU time of `repeat` runs and their largest peak memory. `before()`,
    untimed, runs ahead of each and returns the folder the command is given (appended to it).
    `floor`: a command run right before each run, so that each run has a floor timed in the same
    state of the machine (whose speed drifts from minute to minute on a shared host)."""
    results, floors = [], []
    for _ in range(repeat):
        folder = [str(before())] if before is not None else []
        if floor is not None:
            floors.append(run(floor).seconds)
        results.append(run([*command, *folder], cwd, expect))
    measured = Run(statistics.median(r.seconds for r in results), statistics.median(r.cpu for r in results),
                   max(r.rss for r in results))
    if not floors:
        return measured
    return measured._replace(floor=statistics.median(floors),
                             ratio=statistics.median(r.seconds / f for r, f in zip(results, floors)))


def measure_size(work: Path, count: int, args, tool: list[str], jobs: list[str], templates: Path) -> dict:
    """Every fleet measurement at one size: {(fleet, run): (seconds, peak KB)}, the floor's too."""
    results: dict = {}
    clones, mono = work / f"clones-{count}", work / f"monorepo-{count}"
    started = time.perf_counter()
    settings_files = build_clones(clones, count, templates)
    build_monorepo(mono, count, templates)
    print(f"  built {count} clones and a monorepo of {count} in {time.perf_counter() - started:.0f} s",
          file=sys.stderr, flush=True)
    listing = work / f"floor-{count}.txt"
    listing.write_text("\n".join(str(path) for path in settings_files))
    floor = [sys.executable, str(HERE / "floor.py"), str(listing)]
    results["floor"] = median_run(floor, args.repeat)
    for name, fleet in (("clones", clones), ("monorepo", mono)):
        results[name, "dry-run"] = median_run([*tool, "apply", "--all", "--dry-run", "-r", *jobs, str(fleet)],
                                              args.repeat, floor=floor)
        copy = work / f"{name}-{count}-applied"
        results[name, "apply"] = median_run([*tool, "apply", "--all", "-r", *jobs], args.repeat,
                                            before=lambda: fresh_copy(fleet, copy), expect=(0,), floor=floor)
        print(f"  {name} of {count}: dry run {results[name, 'dry-run'].seconds:.2f} s, apply "
              f"{results[name, 'apply'].seconds:.2f} s (floor {results['floor'].seconds:.2f} s)", file=sys.stderr, flush=True)
    if count == args.projects:
        # The clones once applied: a finished fleet's --check, what a CI job runs.
        results["clones", "check"] = median_run(
            [*tool, "apply", "--all", "--check", "-r", *jobs, str(work / f"clones-{count}-applied")], args.repeat)
        # The first bench's fleet, in no git repository: what git costs, by difference.
        outside = work / f"outside-{count}"
        build_fleet(outside, count)
        results["outside git", "dry-run"] = median_run(
            [*tool, "apply", "--all", "--dry-run", "-r", *jobs, str(outside)], args.repeat)
        shutil.rmtree(outside)
    for folder in (clones, mono, work / f"clones-{count}-applied", work / f"monorepo-{count}-applied"):
        shutil.rmtree(folder, ignore_errors=True)
    return results


def verdict(value: float, target: float) -> str:
    return f"<= {target}x: {'met' if value <= target else 'MISSED'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=1000, help="the large fleet's size (the small one has 100)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="refactor-app --jobs (default: its own, the CPU count)")
    parser.add_argument("--refactor-app", dest="tool", default=None,
                        help="the refactor-app command to time (default: the one beside this Python), e.g. another "
                             "checkout's, to compare two versions side by side")
    args = parser.parse_args()
    tool = args.tool.split() if args.tool else refactor_app_command()
    upgrade = django_upgrade_command()
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    sizes = sorted({min(SMALL_FLEET, args.projects), args.projects})
    started = time.perf_counter()
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None

    with tempfile.TemporaryDirectory(prefix="refactor-app-bench-") as work_folder:
        work = Path(work_folder)
        templates = work / "git-templates"
        templates.mkdir()
        # Warm-up, untimed: every module of a full run imported once (and byte-compiled).
        run([*tool, "apply", "--all", "--dry-run", str(git_project(work / "warm-up"))])

        by_size = {}
        for count in sizes:
            by_size[count] = measure_size(work, count, args, tool, jobs, templates)

        # One project, end to end.
        one = work / "one"
        fresh = lambda: (shutil.rmtree(one, ignore_errors=True), git_project(one))[1]  # noqa: E731
        one_project = median_run([*tool, "apply", "--all"], args.repeat, before=fresh).seconds
        listing = work / "one.txt"
        listing.write_text(str(EXAMPLE / "myapp" / "settings.py"))
        floor_one = median_run([sys.executable, str(HERE / "floor.py"), str(listing)], args.repeat).seconds

        # A finished project, the pre-commit case.
        finished = git_project(work / "finished")
        subprocess.run([*tool, "apply", "--all", "--commit"], cwd=finished, env=ENV, check=True, capture_output=True)
        check_one = median_run([*tool, "apply", "--all", "--check"], max(5, args.repeat), cwd=finished).seconds
        upgrade_one = None
        if upgrade:
            upgrade_one = median_run([*upgrade, "--target-version", "4.2", "myapp/settings.py"], max(5, args.repeat),
                                     cwd=finished).seconds

    load_after = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs ({_cpu_model()}), Python {platform.python_version()}, "
          f"git {_git_version()}, {platform.system()} {platform.release()}")
    print(f"{args.repeat} runs each (median), refactor-app jobs: {args.jobs or os.cpu_count()}; "
          f"load average {_load(load_before)} before, {_load(load_after)} after; "
          f"{time.perf_counter() - started:.0f} s in all\n")

    print("| fleet | N | run | seconds | ms a project | floor (s) | ratio | CPU s (floor) | peak MB | target |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for count in sizes:
        results = by_size[count]
        floor = results["floor"]
        for (fleet, what), measured in ((key, value) for key, value in results.items() if key != "floor"):
            ratio = measured.ratio if measured.ratio is not None else measured.seconds / floor.seconds
            floor_seconds = measured.floor if measured.floor is not None else floor.seconds
            target = ""
            if what == "dry-run" and fleet in ("clones", "monorepo"):
                target = verdict(ratio, DRY_RUN_TARGET)
            elif what == "apply" and fleet == "clones":
                target = verdict(ratio, APPLY_TARGET)
            command = {"dry-run": "apply --all --dry-run -r", "apply": "apply --all -r",
                       "check": "apply --all --check -r (finished)"}[what]
            print(f"| {fleet} | {count} | {command} | {measured.seconds:.3f} | {1000 * measured.seconds / count:.2f} | "
                  f"{floor_seconds:.3f} | {ratio:.2f}x | {measured.cpu:.2f} ({floor.cpu:.2f}) | "
                  f"{measured.rss / 1024:.0f} | {target} |")
        print(f"| floor | {count} | parse + print, one process | {floor.seconds:.3f} | "
              f"{1000 * floor.seconds / count:.2f} | | | {floor.cpu:.2f} | {floor.rss / 1024:.0f} | |")

    if len(sizes) == 2:
        small, large = sizes
        print(f"\nGrowth, N = {small} -> {large}:\n")
        print("| fleet | run | ms a project | ratio | peak MB | ratio | targets |")
        print("|---|---|---|---|---|---|---|")
        for key in by_size[small]:
            if key == "floor" or key not in by_size[large]:
                continue
            before, after = by_size[small][key], by_size[large][key]
            per_small, per_large = before.seconds / small, after.seconds / large
            growth, memory = per_large / per_small, after.rss / max(before.rss, 1)
            print(f"| {key[0]} | {key[1]} | {1000 * per_small:.2f} -> {1000 * per_large:.2f} | {growth:.2f}x | "
                  f"{before.rss / 1024:.0f} -> {after.rss / 1024:.0f} | {memory:.2f}x | time "
                  f"{verdict(growth, GROWTH_TARGET)}; memory {verdict(memory, MEMORY_TARGET)} |")
        if small < SMALL_FLEET:
            print(f"(with fewer than {SMALL_FLEET} projects the small fleet is mostly start-up: no verdict to read)")

    print("\n| one project | seconds | reference | seconds | ratio |")
    print("|---|---|---|---|---|")
    print(f"| apply --all, fresh repository of the tutorial | {one_project:.3f} | floor, its settings file | "
          f"{floor_one:.3f} | {one_project / floor_one:.2f}x |")
    if upgrade_one is not None:
        print(f"| apply --all --check, finished project | {check_one:.3f} | django-upgrade on its settings file | "
              f"{upgrade_one:.3f} | {check_one / upgrade_one:.2f}x |")


def _load(load) -> str:
    return "n/a" if load is None else "/".join(f"{value:.2f}" for value in load)


def _git_version() -> str:
    try:
        return subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.split()[-1]
    except (OSError, IndexError):
        return "unknown"


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
