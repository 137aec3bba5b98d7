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


def assert_same_plan(project: Project, step_names=None):
    partial = api.make_plan(project, step_names)
    full = api.make_plan(project, step_names, parse_all=True)
    assert plan_signature(partial) == plan_signature(full)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_variant_plans_the_same_as_with_a_full_parse(name, tmp_path):
    variant = VARIANTS[name]
    root = write_project(tmp_path / name, variant.files)
    write_project(root, variant.untracked, commit=False)
    assert_same_plan(api.discover(root / variant.path))


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
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_layouts_print_back_and_plan_the_same(name, tmp_path):
    source = TRICKY[name].encode()
    module, pieces = settings_editor.parse_settings(source, "settings.py", ALL_READ)
    # As libcst prints it (libcst itself drops a last lone \r).
    assert module.bytes == settings_editor.parse_module(source, "settings.py").bytes
    assert_renders_like_libcst(module, pieces)
    assert_module_plans_the_same(tmp_path, source)


@pytest.mark.parametrize("source", [
    "# -*- coding: latin-1 -*-\nTIME_ZONE = 'Zürich'\nDEBUG = True\n".encode("latin-1"),
    b"\xef\xbb\xbfTIME_ZONE = 'UTC'\nDEBUG = True\n",
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
    assert_renders_like_libcst(module, pieces)
    assert_module_plans_the_same(tmp_path, source)


def assert_renders_like_libcst(module, pieces):
    """Copying unchanged statements from the source prints what libcst's codegen prints."""
    assert settings_editor.render(module, pieces) == module.bytes
    if not module.body:
        return
    new = settings_editor.statements("\n# added\nADDED = 1\n")
    edits = [
        settings_editor.append(module, new),
        settings_editor.insert_after(module, 0, new),
        settings_editor.replace_statement(module, len(module.body) - 1, new),
        settings_editor.ensure_import(module, "os"),
        settings_editor.ensure_comment_above(module, 0, "# a comment"),
    ]
    for edited in edits:
        assert settings_editor.render(edited, pieces) == edited.bytes


def assert_module_plans_the_same(root, source: bytes):
    (root / "settings.py").write_bytes(source)
    (root / "Dockerfile").write_bytes(b"FROM python\nRUN pip install -r r.txt\nCMD run\n")
    project = Project(root=root, import_root=root, settings_paths=(root / "settings.py",))
    assert_same_plan(project, ["debug", "allowed-hosts", "secret-key", "ssl-redirect", "collectstatic"])


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
    assert module.bytes == data
    assert_renders_like_libcst(module, pieces)
    assert_module_plans_the_same(tmp_path_factory.mktemp("generated"), data)
