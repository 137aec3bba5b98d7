"""Property-based tests over generated settings modules: apply is idempotent, the lines the
steps do not own come out byte-identical and in order, and the result parses."""

from __future__ import annotations

import codecs
import os
import tempfile
from pathlib import Path

import libcst
from hypothesis import HealthCheck, event, given, settings, strategies as st

from refactor_app import api
from refactor_app.errors import RefactorError
from refactor_app.project import Project

# More with PROPERTY_EXAMPLES=1500 python -m pytest tests/test_properties.py tests/test_quickcheck.py
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "150"))
STEPS = ["debug", "allowed-hosts", "secret-key", "ssl-redirect", "collectstatic"]

HEADERS = [
    "", '"""Settings."""\n\n', '"""\nMulti-line\ndocstring.\n"""\n', "# -*- coding: utf-8 -*-\n",
    "from __future__ import annotations\n\n",
]
IMPORT_BLOCKS = [
    "", "import os\n", "from pathlib import Path\n", "import os\nfrom pathlib import Path\n",
    "from os import environ, getenv\n", "import sys\nimport os.path\n", "import dj_database_url\n",
]
# Statements the steps own: they may be rewritten.
OWNED = {
    "DEBUG": ["DEBUG = True", "DEBUG = (  # on for now\n    True\n)", "DEBUG = False", "DEBUG: bool = True", "DEBUG = os.getenv('DEBUG') == '1'",
              "DEBUG = bool(int(os.environ.get('DEBUG', '0')))"],
    "ALLOWED_HOSTS": ["ALLOWED_HOSTS = []", "ALLOWED_HOSTS = ['*']", "ALLOWED_HOSTS = [\n    'localhost',\n    '127.0.0.1',\n]",
                      "ALLOWED_HOSTS = ('*',)", "ALLOWED_HOSTS = ['example.com']",
                      "ALLOWED_HOSTS = os.environ.get('HOSTS', '').split(',')",
                      "ALLOWED_HOSTS = [\n    # review apps\n    '*',  # all\n]"],
    "SECRET_KEY": ["SECRET_KEY = 'abc'", 'SECRET_KEY = "a\'b"', "SECRET_KEY = '''x\ny'''", "SECRET_KEY = ('a'\n    'b')",
                   "SECRET_KEY = os.environ['SECRET_KEY']", "SECRET_KEY = r'\\d+'"],
    "SECURE_SSL_REDIRECT": ["SECURE_SSL_REDIRECT = True", "SECURE_SSL_REDIRECT = False  # local",
                            "SECURE_SSL_REDIRECT = os.getenv('SSL') == 'on'"],
    "DATABASE_URL": ["DATABASE_URL = os.environ.get('DATABASE_URL')", "DATABASE_URL = os.environ['DATABASE_URL']",
                     "DATABASE_URL = os.getenv('DATABASE_URL', 'sqlite://')", "DATABASE_URL = 'sqlite:///db.sqlite3'"],
}
OTHER = [
    "# A comment of the user's", "\n", "\n\n", "X = 1", "TIME_ZONE = 'UTC'  # trailing comment",
    "INSTALLED_APPS = [\n    'django.contrib.staticfiles',\n]",
    "if os.environ.get('CI'):\n    DEBUG_TOOLBAR = False", "def helper():\n    return 'x'",
    "MIDDLEWARE = (\n\t'a',\n\t'b',\n)", "LOGGING = {'version': 1}  ;  Y = 2", "try:\n    from .local import *\nexcept ImportError:\n    pass",
    "STATIC_URL = '/static/'", "STATIC_ROOT = BASE_DIR / 'staticfiles'",
]

COMMENTS = ["# flush\n", "  # two spaces\n", "    # four spaces\n", "\t# a tab\n", "        # eight\n", "\n    # after a blank\n"]
TAILS = ["", "\n    # SENTRY_DSN = 'x'\n    # more\n", "  # odd\n", "\n# end\n", "    # last, indented\n"]


@st.composite
def settings_modules(draw):
    chunks: list[tuple[bool, str]] = []  # (owned, text)
    header = draw(st.sampled_from(HEADERS))
    imports = draw(st.sampled_from(IMPORT_BLOCKS))
    chunks.append((False, header))
    chunks.append((True, imports))  # `import os` may be added to this block
    chunks.append((False, "BASE_DIR = Path(__file__).resolve().parent.parent\n" if "Path" in imports else "BASE_DIR = '.'\n"))
    owned_names = draw(st.lists(st.sampled_from(sorted(OWNED)), unique=True))
    pieces = [(True, draw(st.sampled_from(OWNED[name]))) for name in owned_names]
    pieces += [(False, text) for text in draw(st.lists(st.sampled_from(OTHER), max_size=8))]
    order = draw(st.permutations(pieces))
    for owned, text in order:
        chunks.append((owned, text if text.startswith("\n") else text + "\n"))
    # Comments at every indentation, between statements and after the last (libcst's own
    # round trip loses some of those: the plan must then refuse, never drop them).
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(3, len(chunks)))
        chunks.insert(position, (False, draw(st.sampled_from(COMMENTS))))
    chunks.append((False, draw(st.sampled_from(TAILS))))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    final_newline = draw(st.booleans())
    return chunks, newline, final_newline


def render(chunks, newline, final_newline) -> str:
    text = "".join(text for _, text in chunks)
    if not final_newline:
        text = text.rstrip("\n") if text.strip() else text
    return text.replace("\n", newline)


def plan_for(root: Path):
    project = Project(root=root, import_root=root, settings_paths=(root / "settings.py",))
    return api.make_plan(project, STEPS)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(settings_modules(), st.booleans())
def test_apply_is_idempotent_keeps_unowned_lines_and_parses(generated, bom):
    generated = (*generated, bom)
    chunks, newline, final_newline, bom = generated
    source = render(chunks, newline, final_newline)
    data = (codecs.BOM_UTF8 if bom else b"") + source.encode()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "settings.py").write_bytes(data)
        (root / "Dockerfile").write_bytes(b"FROM python\nRUN pip install -r r.txt\nCMD run\n")
        try:
            api.apply(plan_for(root), allow_dirty=True)
        except RefactorError as exc:
            # Refused only where libcst's own round trip loses a line, and then nothing is written.
            assert "would change" in str(exc)
            assert libcst.parse_module(data).bytes != data
            assert (root / "settings.py").read_bytes() == data
            event("refused: libcst would drop a line")
            return
        result = (root / "settings.py").read_bytes().decode("utf-8-sig")
        comments = [line.strip() for line in source.splitlines() if line.strip().startswith("#")]
        assert [line.strip() for line in result.splitlines() if line.strip() in comments] == comments, "no comment lost"

        compile(result, "settings.py", "exec")
        assert plan_for(root).has_changes is False, "a second run changes nothing"

    # Every statement the steps do not own is still there, byte for byte and in order.
    position = 0
    for owned, text in chunks:
        if owned or not text.strip():
            continue
        piece = text.strip("\n").replace("\n", newline)
        found = result.find(piece, position)
        assert found >= 0, f"lost or reordered {piece!r}"
        position = found + len(piece)
    if newline == "\r\n" and "\r\n" in source:  # (a one-line file without a final newline has no convention)
        assert result.count("\n") == result.count("\r\n"), "only CRLF line endings"
    assert result.endswith(newline) == source.endswith(newline), "the final newline convention is kept"
    # The rewrites did happen (the property is not vacuous).
    if any(text == "DEBUG = True\n" for _, text in chunks):
        assert "os.environ.get('DJANGO_DEBUG') == \"True\"" in result
    if any(text == "SECRET_KEY = 'abc'\n" for _, text in chunks):
        assert "os.environ.get('SECRET_KEY', 'abc')" in result
