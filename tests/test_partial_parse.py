"""Settings statements no step reads are parsed as text only (editors.settings.parse_settings).

The contract: the plan is the same as with every statement parsed by libcst, and an untouched
module prints back byte for byte. Checked on every variant, the golden example with each step
alone, generated modules, and hand-picked tricky layouts."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from project_builder import write_project
from test_build_import import SPELLINGS as BUILD_SPELLINGS
from test_build_import import project_files as build_project_files
from test_properties import HEADERS, IMPORT_BLOCKS, OTHER, OWNED, render
from test_variants import VARIANTS

from refactor_app import api
from refactor_app.editors import settings as settings_editor
from refactor_app.errors import RefactorError
from refactor_app.project import Project
from refactor_app.steps import STEP_NAMES, settings_read

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "150"))
ALL_READ = settings_read()


def plan_signature(plan: api.Plan):
    """Everything a plan tells the user and writes."""
    return (
        [(r.name, r.state, r.reason, [(e.display_path, e.before, e.after) for e in r.edits], r.removals)
         for r in plan.results],
        [(e.display_path, e.before, e.after) for e in plan.edits],
        plan.removals, plan.warnings, plan.notes,
    )


def assert_same_plan(project: Project, step_names=None, libcst_prints_back: bool = True):
    partial = api.make_plan(project, step_names)
    if libcst_prints_back:
        assert plan_signature(partial) == plan_signature(api.make_plan(project, step_names, parse_all=True))
        return
    # The full parse loses bytes (see LIBCST_DROPS): its rewrite is refused, or makes the same decisions.
    try:
        full = api.make_plan(project, step_names, parse_all=True)
    except RefactorError as exc:
        assert "would change" in str(exc)
    else:
        assert [(r.name, r.state, r.reason) for r in partial.results] == [(r.name, r.state, r.reason) for r in full.results]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_variant_plans_the_same_as_with_a_full_parse(name, tmp_path):
    variant = VARIANTS[name]
    root = write_project(tmp_path / name, variant.files)
    write_project(root, variant.untracked, commit=False)
    assert_same_plan(api.discover(root / variant.path))


# Settings where a statement a step rewrites (or one sharing its line) holds what the build needs.
BUILD_SHARED_LINES = {
    "debug-shares-a-line": 'import os\nSECRET_KEY = "x"\nDEBUG = True; EMAIL_PORT = int(os.environ["EMAIL_PORT"])\n'
                           'ALLOWED_HOSTS = []\n',
    "hosts-share-a-line": 'import os\nSECRET_KEY = "x"\nDEBUG = False\n'
                          'ALLOWED_HOSTS = []; HOSTS = os.getenv("HOSTS")  # hosts\nNAMES = HOSTS.split(",")\n',
    "key-shares-a-line": 'import os\nSECRET_KEY = "abc"; ADMIN_URL = os.environ.get("ADMIN").strip()\nDEBUG = False\n'
                         'ALLOWED_HOSTS = []\n',
}


def build_import_sources():
    for spelling in BUILD_SPELLINGS:
        yield spelling.name, build_project_files(spelling)
    base = build_project_files(BUILD_SPELLINGS[0])
    for name, body in BUILD_SHARED_LINES.items():
        yield name, {**base, "mysite/settings.py": 'from pathlib import Path\n\nBASE_DIR = Path(__file__).resolve().parent.parent\n'
                     + body + 'STATIC_ROOT = BASE_DIR / "staticfiles"\n'}


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("name, files", list(build_import_sources()), ids=[name for name, _ in build_import_sources()])
def test_the_build_import_scan_reads_the_same_as_from_a_full_parse(name, files, newline, tmp_path, monkeypatch):
    """collectstatic's scan of the settings as the steps left them (steps/build_import.py) reuses
    Python's parse of the statements no step changed: the made-up values and the declines it
    finds must be those of a parse of the whole printed module (a full parse's plan)."""
    root = write_project(tmp_path / "project", {path: text.replace("\n", newline) for path, text in files.items()})
    taken = []
    python_statements = settings_editor.python_statements
    monkeypatch.setattr(settings_editor, "python_statements",
                        lambda *args: taken.append(python_statements(*args)) or taken[-1])
    plan = api.make_plan(api.discover(root))
    assert taken and taken[0] is not None  # the partial parse's scan took the shortcut (the full one cannot)
    assert_same_plan(api.discover(root))
    if name in BUILD_SHARED_LINES:
        collectstatic = next(result for result in plan.results if result.name == "collectstatic")
        assert collectstatic.state.value == "pending" and "=" in collectstatic.reason, collectstatic.reason


@pytest.mark.parametrize("step", [None, *STEP_NAMES])
def test_the_tutorial_plans_the_same_for_each_step(step, tutorial):
    assert_same_plan(api.discover(tutorial), None if step is None else [step])


def test_most_of_a_startproject_module_stays_text(tutorial):
    source = (tutorial / "myapp" / "settings.py").read_bytes()
    module, pieces = settings_editor.parse_settings(source, "settings.py", ALL_READ)
    assert pieces is not None and settings_editor.render(module, pieces) == source
    opaque = [s for s in module.body if isinstance(s, settings_editor.OpaqueStatement)]
    assert len(opaque) >= len(module.body) // 3
    # What the steps read is text only as a plain assignment, parsed when a step looks at it.
    assert all(s.assigns is not None for s in opaque if "DEBUG" in s.text or "ALLOWED_HOSTS" in s.text)
    assert {"INSTALLED_APPS", "MIDDLEWARE"} <= {s.assigns for s in opaque}
    assert module.bytes == source


def test_text_statements_in_a_row_share_one_marker_line(tutorial, monkeypatch):
    source = (tutorial / "myapp" / "settings.py").read_bytes()
    skeletons = []
    parse = settings_editor.cst.parse_module
    monkeypatch.setattr(settings_editor.cst, "parse_module", lambda code, **kw: skeletons.append(code) or parse(code, **kw))
    monkeypatch.setattr(settings_editor, "_parse_chunks", lambda *args: None)  # the skeleton whole
    module, _ = settings_editor.parse_settings(source, "settings.py", ALL_READ)
    opaque = [s for s in module.body if isinstance(s, settings_editor.OpaqueStatement)]
    markers = skeletons[0].count(settings_editor._MARKER.encode())
    assert 0 < markers < len(opaque) / 2


def test_a_step_looking_up_a_setting_it_did_not_declare_is_a_bug(tutorial):
    from refactor_app.workspace import Workspace

    ws = Workspace(api.discover(tutorial), frozenset({"DEBUG"}))
    assert ws.find_setting("DEBUG") is not None
    with pytest.raises(AssertionError, match="TIME_ZONE is not among"):
        ws.find_setting("TIME_ZONE")


TRICKY = {
    "decorators and classes":
        "import os\n@decorator\n# between\n@other(1)\ndef f():\n    DEBUG = 1\n\nclass A:\n    X = 1\nDEBUG = True\n",
    "semicolons": "import os\nX = 1; DEBUG = True\nY = 2 ; Z = 3\n",
    "crlf and tabs": "import os\r\nMIDDLEWARE = [\r\n\t'a',\r\n]\r\nDEBUG = True\r\n",
    "no final newline, text last": "DEBUG = True\nTIME_ZONE = 'UTC'",
    "no final newline, block last": "DEBUG = True\nif X:\n    Y = 1",
    "only text": "TIME_ZONE = 'UTC'\nUSE_TZ = True\n",
    "header comments then text": "# -*- coding: utf-8 -*-\n# header\n\nTIME_ZONE = 'UTC'\nDEBUG = True\n",
    "indented comments after a block":
        "if X:\n    Y = 1\n    # still the block's\n\n  # odd\n# the next one's\nDEBUG = True\n",
    "backslash continuation": "TIME_ZONE = \\\n    'UTC'\nDEBUG = \\\n    True\n",
    "strings that mention settings": "DOC = '''\nDEBUG = True\n'''\nTIME_ZONE = 'UTC'  # DEBUG\nDEBUG = True\n",
    "names read through others": "FLAG = os.environ.get('D')\nON = FLAG == '1'\nDEBUG = ON\nOTHER = 1\n",
    "star import in a block": "try:\n    from .local import *\nexcept ImportError:\n    pass\nDEBUG = True\n",
    "form feed": "X = 1\n\x0c\nDEBUG = True\n",
    "lone carriage returns": "X = 1\rDEBUG = True\r",
    "empty": "",
    "comments only": "# nothing here\n",
    # Found by review: line endings, what libcst gives a block, docstrings, names, libcst's quirks.
    "mixed endings, text first": "X = 1\r\nSECURE_SSL_REDIRECT = (\n    True\n)\n",
    "mixed endings, text after": "import os\nDEBUG = (\r\n    True\r\n)\r\n",
    "comment at a def's indent": "def f():\n    pass\n    # Redirect to HTTPS by default, unless explicitly disabled\n"
                                 "SECURE_SSL_REDIRECT = True\n",
    "comment less indented than the block": "if X:\n    pass\n  # Redirect to HTTPS by default, unless explicitly disabled\n"
                                            "SECURE_SSL_REDIRECT = True\n",
    "form feed comment after a block": "if X:\n    pass\n\x0c# Redirect to HTTPS by default, unless explicitly disabled\n"
                                       "SECURE_SSL_REDIRECT = True\n",
    "tab comment after a space block": "if X:\n    pass\n\t# Redirect to HTTPS by default, unless explicitly disabled\n"
                                       "SECURE_SSL_REDIRECT = True\n",
    "block comments around a column-0 one": "if X:\n    pass\n    # a\n# Redirect to HTTPS by default, unless explicitly disabled\n"
                                            "    # c\nSECURE_SSL_REDIRECT = True\n",
    "parsed block, then text": "if DEBUG:\n    pass\n    # Redirect to HTTPS by default, unless explicitly disabled\n"
                               "SECURE_SSL_REDIRECT = (\n    True\n)\n",
    "def with a comment last": "DEBUG = True\ndef f():\n    pass\n    # t\n",
    "block with an odd comment last": "DEBUG = True\nif X:\n    pass\n  # odd\n",
    "bytes docstring": 'b"doc"\nDEBUG = True\n',
    "f-string docstring": '"a" f"b"\nDEBUG = True\n',
    "non-ASCII name read through": 'import os\nÄFLAG = Z = os.environ.get("D")\nDEBUG = ÄFLAG\n',
    "full-width name": "ＤＥＢＵＧ = True\n",
    "full-width name read through": 'import os\nＦＬＡＧ = os.environ.get("D")\nDEBUG = ＦＬＡＧ\n',
    "backslash line after a block": "if X:\n    pass\n\\\nDEBUG = True\n",
    "whitespace line at the end": "DEBUG = True\nif X:\n    pass\n\n    \n",
    # Text statements in a row share one marker line in the skeleton, unless something parts them.
    "text in a row": "DEBUG = True\nA = [\n    1,\n]\nB = 2\n\n# c\nC = 3\nD = 4\nALLOWED_HOSTS = []\nE = 5\n",
    "text in a row, endings differ": "DEBUG = True\nA = 1\r\nB = 2\nC = 3\r\nD = (\r\n    4)\nALLOWED_HOSTS = []\n",
    "text in a row, the last without a newline": "DEBUG = True\nA = 1\nB = 2\nC = 3",
    "text in a row, an odd comment between": "DEBUG = True\nif X:\n    pass\n  # odd\nA = 1\nB = 2\n    # odd\nC = 3\n",
    "a continuation into a blank line": "import os\nINSTALLED_APPS = 'a', \\\n    'b', \\\n\nDEBUG = True\n",
    "a continuation into a blank line, read": "import os\nALLOWED_HOSTS = 'a', \\\n    'b', \\\n\nDEBUG = True\n",
    "a semicolon continued onto the next line": "import os\nX = 1; \\\nY = 2\nZ = 3\nDEBUG = True\n",
    "a comment ending in a backslash before a blank line": "X = [\n    1,\n]  # c\\\n\nY = 2\nDEBUG = True\n",
    "text in a row from the first line": "A = 1\nB = 2\n\nC = 3\nDEBUG = True\n",
}


# Sources libcst does not print back as they are (it drops the bytes named), so a full parse
# loses them; copying unchanged statements from the source keeps them.
LIBCST_DROPS = {
    "X = 1\n\\\nDEBUG = True\n": "\\\n",  # a lone backslash line
    "\x0cX = (\n1)\nDEBUG = True\n": "\x0cX",  # a form feed before the first statement
    "DEBUG = True\nX = (\n    1\n)  # c\\\n": "# c\\\n",  # the final newline after a comment ending in \\
}


@pytest.mark.parametrize("source", sorted(LIBCST_DROPS))
def test_bytes_libcst_would_drop_are_kept(source, tmp_path):
    data = source.encode()
    assert settings_editor.parse_module(data, "settings.py").bytes != data
    (tmp_path / "settings.py").write_bytes(data)
    project = Project(root=tmp_path, import_root=tmp_path, settings_paths=(tmp_path / "settings.py",))
    partial = api.make_plan(project, ["debug"])
    kept = LIBCST_DROPS[source].encode()
    assert kept in partial.edits[0].after
    # A full parse would print the module without them: the last check refuses that rewrite,
    # unless what goes is a bare line continuation, which says nothing.
    try:
        api.make_plan(project, ["debug"], parse_all=True)
    except RefactorError as exc:
        assert "would change" in str(exc)
    else:
        assert kept.strip() == b"\\"


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_layouts_print_back_and_plan_the_same(name, tmp_path):
    source = TRICKY[name].encode()
    module, pieces = settings_editor.parse_settings(source, "settings.py", ALL_READ)
    # As libcst prints it (libcst itself drops a last lone \r).
    assert module.bytes == settings_editor.parse_module(source, "settings.py").bytes
    assert_renders_like_libcst(module, pieces, source)
    assert_module_plans_the_same(tmp_path, source)


@pytest.mark.parametrize("source", [
    "# -*- coding: latin-1 -*-\nTIME_ZONE = 'Zürich'\nDEBUG = True\n".encode("latin-1"),
    b"\xef\xbb\xbfTIME_ZONE = 'UTC'\nDEBUG = True\n",
    # A latin-1 name read through: names are compared as the file's encoding spells them.
    "# -*- coding: latin-1 -*-\nimport os\nÄFLAG = ZZ = os.environ.get('Q')\nDEBUG = ÄFLAG\n".encode("latin-1"),
    b"TIME_ZONE = 'UTC'\nDEBUG = (\n",  # a syntax error: the full parse reports it
])
def test_encodings_and_errors(source, tmp_path):
    try:
        module, pieces = settings_editor.parse_settings(source, "settings.py", ALL_READ)
    except RefactorError:
        with pytest.raises(RefactorError):
            settings_editor.parse_module(source, "settings.py")
        return
    assert module.bytes == source
    assert_renders_like_libcst(module, pieces, source)
    assert_module_plans_the_same(tmp_path, source)


def assert_renders_like_libcst(module, pieces, source: bytes):
    """Every kind of edit the steps make, on the partial tree (printed by copying unchanged
    statements from the source) and on a full parse (printed by libcst): the same bytes."""
    full = settings_editor.parse_module(source, "settings.py")
    if full.bytes != source:
        return  # libcst itself does not print this source back: nothing to compare with
    assert settings_editor.render(module, pieces) == source
    assert len(module.body) == len(full.body)
    new = settings_editor.statements("\n# added\nADDED = 1\n")
    value = settings_editor.expression("os.environ.get('X') == 'True'")

    def edits(tree):
        yield settings_editor.append(tree, new)
        yield settings_editor.ensure_import(tree, "os")
        for index, statement in enumerate(module.body):
            if isinstance(statement, settings_editor.OpaqueStatement) and statement.assigns is None:
                continue  # text only: no step edits it (statement_at refuses)
            yield settings_editor.insert_after(tree, index, new)
            yield settings_editor.replace_statement(tree, index, new)
            yield settings_editor.ensure_comment_above(tree, index, "# Redirect to HTTPS by default, unless explicitly disabled")
        # The assignments the partial tree indexes (all but text-only statements').
        index = settings_editor.assignment_index(tree)
        for name, places in sorted(settings_editor.assignment_index(module).items()):
            for place in places:
                where = next(a for a in index[name] if (a.index, a.small_index) == (place.index, place.small_index))
                yield settings_editor.replace_value(tree, where, value)

    partial_edits, full_edits = list(edits(module)), list(edits(full))
    assert len(partial_edits) == len(full_edits)
    for partial, expected in zip(partial_edits, full_edits):
        assert settings_editor.render(partial, pieces) == expected.bytes


def assert_module_plans_the_same(root, source: bytes):
    (root / "settings.py").write_bytes(source)
    (root / "Dockerfile").write_bytes(b"FROM python\nRUN pip install -r r.txt\nCMD run\n")
    project = Project(root=root, import_root=root, settings_paths=(root / "settings.py",))
    try:
        prints_back = settings_editor.parse_module(source, "settings.py").bytes == source
    except RefactorError:
        prints_back = True
    assert_same_plan(project, ["debug", "allowed-hosts", "secret-key", "ssl-redirect", "collectstatic"], prints_back)


# Generated modules: the property tests' pieces, plus layouts that decide what stays text.
MORE = [
    "FLAG = os.environ.get('FLAG') == '1'", "DEBUG = FLAG", "ALLOWED_HOSTS = HOSTS", "HOSTS = ['*']",
    "@decorator\ndef view():\n    return DEBUG", "class Config:\n    DEBUG = True",
    "if DEBUG:\n    INSTALLED_APPS += ['debug_toolbar']", "ALLOWED_HOSTS += ['*']", "ALLOWED_HOSTS.append('x')",
    "for app in []:\n    pass\n    # trailing, indented", "X = 1; DEBUG = False",
    "TEMPLATES = [{\n    'OPTIONS': {'debug': True},\n}]",
    "# Redirect to HTTPS by default, unless explicitly disabled", "DATABASES = {'default': dj_database_url.config()}",
    "STATIC_URL = '/static/'", "SECRET = SECRET_KEY", "with open('x') as f:\n    SECRET_KEY = f.read()",
    "'''A string statement that is not a docstring.'''", "T = \\\n    1",
    "def g():\n    pass\n    # Redirect to HTTPS by default, unless explicitly disabled", "if X:\n    pass\n  # odd",
    "\x0c# after a form feed", "ÄX = os.environ.get('A')", "DEBUG = ÄX", "b'bytes'", "M = (\r\n    1\r\n)",
]


@st.composite
def settings_modules(draw):
    chunks = [(False, draw(st.sampled_from(HEADERS))), (True, draw(st.sampled_from(IMPORT_BLOCKS)))]
    names = draw(st.lists(st.sampled_from(sorted(OWNED)), unique=True))
    owned = [draw(st.sampled_from(OWNED[name])) for name in names]
    other = draw(st.lists(st.sampled_from(OTHER + MORE), max_size=10))
    for text in draw(st.permutations(owned + other)):
        chunks.append((False, text if text.startswith("\n") else text + "\n"))
    return render(chunks, draw(st.sampled_from(["\n", "\r\n"])), draw(st.booleans()))


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(source=settings_modules())
def test_generated_modules_print_back_and_plan_the_same(source, tmp_path_factory):
    data = source.encode()
    module, pieces = settings_editor.parse_settings(data, "settings.py", ALL_READ)
    assert_renders_like_libcst(module, pieces, data)
    assert_module_plans_the_same(tmp_path_factory.mktemp("generated"), data)


LIST_VALUES = [
    "['a', 'b']", "('a',)", "'a', 'b'", "[]", "(['a'])", "['a' 'b', u'c']", "[\n    'a',  # one\n    'b',\n]",
    "['a', *MORE]", "['a', f'b']", "['a' f'{x}']", "[b'a']", "['a', 1]", "['a', None]", "['a', ...]",
    "['a', name]", "['a'] + MORE", "list('ab')", "{'a'}", "['\\x61', r'\\d']",
]


@pytest.mark.parametrize("value", LIST_VALUES)
@pytest.mark.parametrize("annotated", [False, True])
def test_a_list_read_from_text_is_the_list_libcst_reads(value, annotated):
    # INSTALLED_APPS is read with Python's parser while it is text, with libcst once parsed.
    target = "INSTALLED_APPS: list = " if annotated else "INSTALLED_APPS = "
    source = f"import os\n\n# the apps\n{target}{value}\nDEBUG = True\n".encode()
    names = frozenset({"DEBUG"})
    module, _ = settings_editor.parse_settings(source, "settings.py", names)
    [(opaque_assignment)] = settings_editor.assignment_index(module)["INSTALLED_APPS"]
    assert isinstance(opaque_assignment.found_in, settings_editor.OpaqueStatement)
    full, _ = settings_editor.parse_settings(source, "settings.py", None)
    [(full_assignment)] = settings_editor.assignment_index(full)["INSTALLED_APPS"]
    expected = settings_editor.string_list(full_assignment.value)
    assert settings_editor.assigned_strings(opaque_assignment) == expected
    assert settings_editor.assigned_strings(full_assignment) == expected


def assert_same_skeleton(source: bytes, monkeypatch) -> bool:
    """The skeleton put together from each statement's own (cached) parse is the module libcst
    makes of the whole skeleton: the same nodes, header, footer and settings. True when the
    statement-by-statement parse was taken."""
    with monkeypatch.context() as patch:
        patch.setattr(settings_editor, "_parse_chunks", lambda *args: None)
        whole = settings_editor.parse_settings(source, "settings.py", ALL_READ)[0]
    taken = []
    parse_chunks = settings_editor._parse_chunks
    with monkeypatch.context() as patch:
        patch.setattr(settings_editor, "_parse_chunks", lambda *args: taken.append(parse_chunks(*args)) or taken[-1])
        pieced = settings_editor.parse_settings(source, "settings.py", ALL_READ)[0]
        again = settings_editor.parse_settings(source, "settings.py", ALL_READ)[0]  # from the cache
    for module in (pieced, again):
        assert module.deep_equals(whole)
        for lines, expected in ((module.header, whole.header), (module.footer, whole.footer)):
            assert len(lines) == len(expected) and all(line.deep_equals(other) for line, other in zip(lines, expected))
        assert (module.encoding, module.default_indent, module.default_newline, module.has_trailing_newline) == (
            whole.encoding, whole.default_indent, whole.default_newline, whole.has_trailing_newline)
        assert len({id(statement) for statement in module.body}) == len(module.body)
    return bool(taken) and taken[0] is not None


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(source=settings_modules())
def test_generated_modules_parse_statement_by_statement_as_whole(source, monkeypatch):
    assert_same_skeleton(source.encode(), monkeypatch)


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_layouts_parse_statement_by_statement_as_whole(name, monkeypatch):
    assert_same_skeleton(TRICKY[name].encode() if isinstance(TRICKY[name], str) else TRICKY[name], monkeypatch)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_variant_parses_statement_by_statement_as_whole(name, monkeypatch):
    for path, text in VARIANTS[name].files.items():
        if path.endswith(".py") and "settings" in path:
            assert_same_skeleton(text.encode() if isinstance(text, str) else text, monkeypatch)


def test_a_startproject_module_is_parsed_statement_by_statement(tutorial, monkeypatch):
    assert assert_same_skeleton((tutorial / "myapp" / "settings.py").read_bytes(), monkeypatch)


# A docstring or `NAME = 'text'` is parsed with '' for its string, once, and the string put back.
LITERALS = {
    "docstring": b'"""\nSettings for site7.\n"""\n\nimport os\nSECRET_KEY = \'abc\'\nDEBUG = True\n',
    "quotes and prefixes": b"SECRET_KEY = r'a\\b'\nX = \"it's\"\nY = u'\\'q\\''\nDEBUG = True\n",
    "parenthesised, commented, semicolon": b"SECRET_KEY = ('abc')  # why\nX = 'a';\nDEBUG = True\n",
    "continued line": b"SECRET_KEY = \\\n    'abc'\nDEBUG = True\n",
    "annotated": b"SECRET_KEY: str = 'abc'\nDEBUG = True\n",
    "not ASCII": "SECRET_KEY = 'é€'\nDEBUG = True\n".encode(),
    "concatenated": b"SECRET_KEY = ('abc'\n    'def')\nX = 'a' 'b'\nDEBUG = True\n",
    "CRLF inside the docstring only": b'"""Settings\r\nfor site7."""\nimport os\nDEBUG = True\n',
    "CRLF everywhere": b'"""Settings\r\nfor site7.\r\n"""\r\nSECRET_KEY = \'abc\'\r\nDEBUG = True\r\n',
    "an encoding line in the docstring": b'"""\n# -*- coding: latin-1 -*-\n"""\nDEBUG = True\n',
    "f-string and bytes": b"SECRET_KEY = f'{1}'\nX = b'abc'\nDEBUG = True\n",
    "triple-quoted value": b"SECRET_KEY = '''a\n'b'\n'''\nDEBUG = True\n",
    "comment lines above": b"import os\n\n# keep it secret\n# really\nSECRET_KEY = 'abc'  # here\n\nDEBUG = True\n",
    # the same statement with the same comment above it, twice: two nodes, not one shared
    "the same commented lines twice": b"import os\n\n# on\nDEBUG = True\n\n# on\nDEBUG = True\n"
                                      b"# k\nSECRET_KEY = 'abc'\n# k\nSECRET_KEY = 'abc'\n",
}


@pytest.mark.parametrize("name", sorted(LITERALS))
def test_a_string_put_back_parses_as_whole(name, monkeypatch):
    assert_same_skeleton(LITERALS[name], monkeypatch)


def test_a_new_secret_key_and_docstring_need_no_parse(monkeypatch):
    # What tells one startproject module from another (its name, its secret key) costs no libcst
    # parse once the template's statements are known.
    def module(number):
        return (f'"""\nDjango settings for site{number} project.\n"""\n\nimport os\n\n'
                f"# SECURITY WARNING: keep it secret!\nSECRET_KEY = 'key-{number}'\n\nDEBUG = True\n").encode()
    names = frozenset({"DEBUG", "SECRET_KEY"})
    for number in (1, 2):
        settings_editor.parse_settings(module(number), "settings.py", names)
    parses = []
    parse_module = settings_editor.cst.parse_module
    monkeypatch.setattr(settings_editor.cst, "parse_module", lambda *args: parses.append(args) or parse_module(*args))
    parsed, _ = settings_editor.parse_settings(module(3), "settings.py", names)
    assert parses == []
    assert parsed.code == module(3).decode()
    [(secret)] = settings_editor.assignment_index(parsed)["SECRET_KEY"]
    assert settings_editor.string_literal(secret.value) == "key-3"


def test_every_step_reads_the_settings_it_anchors_new_lines_on():
    """A red-team run: csrf-trusted-origins on Heroku's template (ALLOWED_HOSTS only inside an if
    block) looked up its next anchor, SECURE_SSL_REDIRECT, which it did not read: exit 3."""
    import importlib

    from refactor_app.steps import ALL_STEPS

    for step in ALL_STEPS:
        anchors = getattr(importlib.import_module(f"refactor_app.steps.{step.module}"), "ANCHORS", ())
        assert set(anchors) <= step.reads, (step.name, set(anchors) - step.reads)


def test_csrf_trusted_origins_with_allowed_hosts_only_in_a_block(tmp_path):
    from project_builder import STARTPROJECT_SETTINGS, startproject
    from test_cli import run_cli

    settings = STARTPROJECT_SETTINGS.replace("ALLOWED_HOSTS = []", 'if "DYNO" in os.environ:\n    ALLOWED_HOSTS = ["*"]')
    root = startproject(tmp_path, "import os\n" + settings + "SECURE_SSL_REDIRECT = True\n")
    result = run_cli("apply", "--step", "csrf-trusted-origins", "--dry-run", cwd=root)
    assert result.returncode == 0, result.stderr
