"""The installed package carries the demo project: users have no ../shared."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import EXAMPLE, REPO


def test_wheel_contains_the_whole_example_dotfiles_included(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = tmp_path.glob("refactor_app-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    prefix = "refactor_app/examples/divio-tutorial/"
    expected = {prefix + path.relative_to(EXAMPLE).as_posix() for path in EXAMPLE.rglob("*") if path.is_file()}
    assert {prefix + ".env-local", prefix + ".gitignore", prefix + "staticfiles/staticfiles.json"} <= expected
    assert expected <= names
