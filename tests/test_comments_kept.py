"""No comment lost: libcst drops indented comments after a module's last statement from its
tree, and the last check before anything is written (editors/fidelity.py) refuses a rewrite
that would lose any line no step owns."""

from __future__ import annotations

import codecs

import libcst
import pytest

from conftest import EXAMPLE, committed_project, git_status, run_cli
from golden_cases import copy_tree
from refactor_app.editors.fidelity import lines_lost

TAIL = b"\nSENTRY = 1\n\n    # SENTRY_DSN = 'https://key@sentry.io/1'\n    # SENTRY_ENVIRONMENT = 'prod'\n"
OWNED = {"DEBUG", "ALLOWED_HOSTS"}


def test_libcst_itself_loses_the_lines():
    # The upstream reproduction: libcst's own round trip drops the blank line and `# a`.
    source = "X = 1\n\nY = True\n\n    # a\n    # b\n"
    assert libcst.parse_module(source).code != source


@pytest.mark.parametrize("before, after, lost", [
    (b"A = 1\n# keep\nDEBUG = True\n", b"import os\nA = 1\n# keep\nDEBUG = os.environ.get('D') == 'True'\n", []),
    (b"A = 1\n# keep\nDEBUG = True\n", b"A = 1\nDEBUG = False\n", [2]),
    (b"DEBUG = True\n\n    # a\n    # b\n", b"DEBUG = False\n    # b\n", [2, 3]),
    # Inside an owned statement anything may change; outside it nothing may.
    (b"ALLOWED_HOSTS = [\n    'x',  # old\n]\nB = 2  # mine\n", b"ALLOWED_HOSTS = []\nB = 2\n", [4]),
    (b"ALLOWED_HOSTS = [\n    'x',  # old\n]\nB = 2  # mine\n", b"ALLOWED_HOSTS = []\nB = 2  # mine\n", []),
    # Line endings, a BOM, and a last line gaining its newline are not losses of a line.
    (codecs.BOM_UTF8 + b"A = 1\r\nDEBUG = True", codecs.BOM_UTF8 + b"import os\r\nA = 1\r\nDEBUG = 1\r\nX = 2", []),
    (b"if A:\n    B = 1\n  # odd\nDEBUG = True\n", b"if A:\n    B = 1\nDEBUG = 0\n", [3]),
])
def test_lines_lost(before, after, lost):
    assert lines_lost(before, after, OWNED) == lost


def tutorial_with(tmp_path, name: str, tail: bytes, bom: bool = False, final_newline: bool = True):
    source = tmp_path / "source"
    copy_tree(EXAMPLE, source)
    settings = source / "myapp" / "settings.py"
    data = settings.read_bytes() + tail
    if bom:
        data = codecs.BOM_UTF8 + data
    if not final_newline:
        data = data.rstrip(b"\n")
    settings.write_bytes(data)
    return committed_project(source, tmp_path / name)


@pytest.mark.parametrize("bom, final_newline", [(False, True), (True, True), (False, False), (True, False)])
def test_indented_comments_after_the_last_statement_are_kept(tmp_path, bom, final_newline):
    root = tutorial_with(tmp_path, "project", TAIL, bom, final_newline)
    settings = root / "myapp" / "settings.py"
    before = settings.read_bytes()
    assert libcst.parse_module(before).bytes != before  # libcst alone would lose lines of the tail

    result = run_cli("apply", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    after = settings.read_bytes()
    assert b"os.environ.get('DJANGO_DEBUG')" in after
    tail = TAIL if final_newline else TAIL.rstrip(b"\n")
    assert after.endswith(tail), after[-200:]
    assert after.startswith(codecs.BOM_UTF8) == bom
    assert run_cli("apply", "--all", "--check", cwd=root).returncode == 0


def test_a_rewrite_that_would_drop_a_line_is_refused_and_nothing_written(tmp_path):
    # A BOM makes libcst print the whole module, and it drops a form feed before the first
    # statement: the last check refuses the rewrite, in a dry run as in a real one.
    source = tmp_path / "source"
    copy_tree(EXAMPLE, source)
    settings = source / "myapp" / "settings.py"
    settings.write_bytes(codecs.BOM_UTF8 + b"\x0c" + settings.read_bytes())
    root = committed_project(source, tmp_path / "project")
    settings = root / "myapp" / "settings.py"
    before = settings.read_bytes()
    assert libcst.parse_module(before).bytes != before

    for args in (["apply", "--all", "--dry-run"], ["apply", "--all"], ["apply", "--all", "--commit"]):
        result = run_cli(*args, cwd=root)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert "myapp/settings.py would change line 1" in result.stderr, result.stderr
        assert settings.read_bytes() == before
        assert git_status(root) == []
