"""Instructions a project: a steady measure of the plan's cost, for comparing two versions.

    python bench/instructions.py                    # this checkout, 60 projects
    python bench/instructions.py --source OTHER     # another checkout's refactor_app (its folder)

Wall and CPU time on a shared host drift by up to 30% from minute to minute, so a change worth a
few percent cannot be seen in them. Valgrind's callgrind counts the instructions a process runs,
the same from run to run to within 0.1%. This builds a fleet of clones as bench/run.py does (the
startproject templates and the tutorial, each in its own git repository), plans the dry run of
12 of them in one process to warm it up, then of 60 more, and reports the difference divided by
60: the instructions of one project's dry run (`fleet.run_project`), discovery, plan and diff,
without the interpreter's start or libcst's import. The floor's (a parse and print of one
settings file with libcst) is printed beside it.

System calls are not counted (the kernel's side of a stat or a read), and an instruction of
Python's interpreter takes longer than one of libcst's Rust parser: the floor's instructions and
refactor-app's compare only roughly. Two versions of refactor-app compare well. Needs valgrind.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as bench  # noqa: E402  (bench/run.py: the same fleet)

WARM_UP = 12

PLAN = """
import gc, sys
from pathlib import Path
from refactor_app import fleet
assert fleet.__file__.startswith(sys.argv[1]), fleet.__file__
roots = sorted(Path(sys.argv[2]).iterdir())
gc.set_threshold(5000, *gc.get_threshold()[1:])  # as a fleet's worker has it
for root in roots[:{warm_up}]:
    fleet.run_project(fleet.Task(root, root.name, "dry-run", None, tree="read-only"))
gc.collect()
gc.freeze()
for root in roots[{warm_up}:{warm_up} + int(sys.argv[3])]:
    outcome = fleet.run_project(fleet.Task(root, root.name, "dry-run", None, tree="read-only"))
    assert outcome.error is None, outcome.error
"""

FLOOR = """
import sys
import libcst
paths = sys.argv[1:]
for path in paths:
    with open(path, "rb") as handle:
        libcst.parse_module(handle.read()).code
"""


def instructions(command: list[str], env: dict[str, str], work: Path) -> int:
    """The instructions callgrind counts for `command` (its children not followed)."""
    out = work / "callgrind.out"
    result = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *command],
                            env=env, cwd=work, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command[:3])}... failed under valgrind:\n{result.stderr[-2000:]}")
    out.unlink(missing_ok=True)
    for line in result.stderr.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1].strip().replace(",", ""))
    sys.exit("valgrind printed no instruction count:\n" + result.stderr[-2000:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=HERE.parent,
                        help="the folder holding the refactor_app package to measure (default: this checkout)")
    parser.add_argument("--projects", type=int, default=60, help="projects measured after the warm-up")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed; install it (Debian: apt install valgrind) and run again.")
    source = args.source.resolve()
    if not (source / "refactor_app" / "__init__.py").is_file():
        sys.exit(f"{source} holds no refactor_app package; pass --source the folder of a checkout.")
    # PYTHONHASHSEED: dicts and sets in the same order every run; PYTHONPATH: the checkout measured.
    env = {**bench.ENV, "PYTHONHASHSEED": "0", "PYTHONPATH": str(source)}
    with tempfile.TemporaryDirectory(prefix="refactor-app-instructions-") as folder:
        work = Path(folder)
        templates = work / "git-templates"
        templates.mkdir()
        fleet = work / "clones"
        settings_files = bench.build_clones(fleet, WARM_UP + args.projects, templates)
        # Files written in the same second as the index are "racily clean" to git: their content
        # must be read to tell them unchanged. A user's clone has none; nor should the count,
        # which would otherwise depend on when each second turned.
        time.sleep(1.1)
        for repository in sorted(fleet.iterdir()):
            subprocess.run(["git", "update-index", "-q", "--really-refresh"], cwd=repository, env=bench.ENV,
                           stdout=subprocess.DEVNULL, check=False)
        script = work / "plan.py"
        script.write_text(PLAN.format(warm_up=WARM_UP))
        plan = [sys.executable, str(script), str(source), str(fleet)]
        # Once outside valgrind first: a checkout never run before compiles its modules on the
        # first import and writes their .pyc files, which the count of that run alone would hold.
        subprocess.run([*plan, "0"], env=env, cwd=work, check=True, stdout=subprocess.DEVNULL)
        warm = instructions([*plan, "0"], env, work)
        measured = instructions([*plan, str(args.projects)], env, work)
        floor_script = work / "floor.py"
        floor_script.write_text(FLOOR)
        measured_files = [str(path) for path in settings_files[WARM_UP:]]
        floor_warm = instructions([sys.executable, str(floor_script), *measured_files[:1]], env, work)
        floor = instructions([sys.executable, str(floor_script), *measured_files[:1], *measured_files], env, work)
    per_project = (measured - warm) / args.projects / 1e6
    per_file = (floor - floor_warm) / args.projects / 1e6
    print(f"refactor-app ({source}): {per_project:.2f} M instructions a project's dry run "
          f"(mean of {args.projects}, after {WARM_UP})")
    print(f"floor (libcst parse + print of its settings file): {per_file:.2f} M instructions a file")
    print(f"ratio: {per_project / per_file:.2f}")


if __name__ == "__main__":
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    main()
