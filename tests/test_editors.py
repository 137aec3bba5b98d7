"""The file editors on their own: each keeps every byte it does not mean to change."""

from __future__ import annotations

import pytest

from refactor_app.editors import dockerfile, dotenv, gitignore
from refactor_app.editors import settings as settings_editor
from refactor_app.textfile import append_line, decode, split_lines


# --- .env files ----------------------------------------------------------------------------

def test_dotenv_appends_and_keeps_comments_quotes_and_export():
    text = "# local only\nexport DATABASE_URL='postgres://x'\n\nA=\"quoted value\"\n"
    assert dotenv.ensure_key(text, "DJANGO_DEBUG", "True", "\n") == text + "DJANGO_DEBUG=True\n"


def test_dotenv_leaves_an_existing_key_as_the_user_set_it():
    for text in ("DJANGO_DEBUG=False\n", "export DJANGO_DEBUG='yes'\n", "DJANGO_DEBUG=\n"):
        assert dotenv.ensure_key(text, "DJANGO_DEBUG", "True", "\n") == text


def test_dotenv_keeps_crlf_and_a_missing_final_newline():
    assert dotenv.ensure_key("A=1\r\nB=2", "C", "3", "\r\n") == "A=1\r\nB=2\r\nC=3"
    assert dotenv.ensure_key("", "C", "3", "\n") == "C=3\n"


def test_dotenv_inserts_before_later_keys_and_their_comment():
    text = "A=1\n\n# no https locally\nSECURE_SSL_REDIRECT=False\n"
    result = dotenv.ensure_key(text, "DJANGO_DEBUG", "True", "\n", before_keys=["SECURE_SSL_REDIRECT"])
    assert result == "A=1\n\nDJANGO_DEBUG=True\n# no https locally\nSECURE_SSL_REDIRECT=False\n"


def test_dotenv_key_lines():
    assert dotenv.key_lines("\n\nA=1\n# c\nexport B=2\nC='multi\nline'\nD=4\n") == {"A": 2, "B": 4, "C": 5, "D": 7}


# --- .gitignore ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "patterns, ignored",
    [
        ("/staticfiles\n", True), ("staticfiles/\n", True), ("/static*\n", True), ("staticfiles\n", True),
        ("**/staticfiles/\n", True), ("static\n", False), ("/data\n", False), ("", False),
        ("staticfiles/\n!staticfiles/\n", False),
        # comment and blank lines only: nothing ignored (answered without pathspec)
        ("# staticfiles\n\n   \r\n", False), ("\n", False),
        # not comments: an escaped #, a # after a space; a line of a tab is a pattern too
        ("\\#x\n staticfiles\n", False), ("\t\n*files\n", True), ("#c\r\nstaticfiles\r\n", True),
    ],
)
def test_gitignore_recognises_patterns_that_cover_the_folder(patterns, ignored):
    assert gitignore.ignores_folder(patterns, "staticfiles") is ignored


def test_gitignore_add_pattern_keeps_line_endings():
    assert gitignore.add_pattern("a\r\nb\r\n", "/staticfiles", "\r\n") == "a\r\nb\r\n/staticfiles\r\n"
    assert gitignore.add_pattern("a", "/staticfiles", "\n") == "a\n/staticfiles"


# --- Dockerfiles -----------------------------------------------------------------------------

MULTI_STAGE = """\
# syntax=docker/dockerfile:1
FROM node:20 AS assets
RUN npm ci && \\
    npm run build

FROM python:3.12-slim
WORKDIR /app
RUN pip install --no-cache-dir \\
        -r requirements.txt
COPY . .
CMD ["gunicorn", "mysite.wsgi"]
"""


def test_dockerfile_final_stage_and_install_line():
    stage = dockerfile.final_stage(dockerfile.instructions(MULTI_STAGE))
    assert [i.keyword for i in stage] == ["FROM", "WORKDIR", "RUN", "COPY", "CMD"]
    install = stage[2]
    assert dockerfile.is_dependency_install(install)
    assert (install.first_line, install.last_line) == (7, 8)


def test_dockerfile_image_environment_is_the_final_stages_env_lines():
    text = ("FROM python:3.12 AS build\nENV SECRET_KEY=build-stage-only\n"
            "FROM python:3.12-slim\nARG HOME_DIR=/app\nENV PYTHONUNBUFFERED 1\n"
            "ENV APP_HOME=${HOME_DIR}/src DJANGO_SECRET_KEY=\"a b\"\nENV SECRET_KEY \"old-style value\"\n")
    environment = dockerfile.image_environment(dockerfile.final_stage(dockerfile.instructions(text)))
    assert {name: env.value for name, env in environment.items()} == {
        "PYTHONUNBUFFERED": "1", "APP_HOME": "/app/src", "DJANGO_SECRET_KEY": "a b", "SECRET_KEY": "old-style value"}
    assert environment["SECRET_KEY"].line == 6 and "HOME_DIR" not in environment  # ARG is gone at run time


def test_dockerfile_insert_line_keeps_everything_else():
    result = dockerfile.insert_line(MULTI_STAGE, 9, "RUN x", "\n")
    assert split_lines(result) == split_lines(MULTI_STAGE)[:9] + ["RUN x\n"] + split_lines(MULTI_STAGE)[9:]
    assert dockerfile.insert_line("FROM a", 1, "RUN x", "\n") == "FROM a\nRUN x"


@pytest.mark.parametrize(
    "command", ["pip install -r requirements.txt", "pip3 install .", "pipenv install --system --deploy",
                "poetry install --no-root", "uv sync --frozen", "python -m pip install -r req.txt"],
)
def test_dockerfile_dependency_installs(command):
    instruction = dockerfile.Instruction("RUN", command, 0, 0)
    assert dockerfile.is_dependency_install(instruction)


# --- settings modules ----------------------------------------------------------------------

def parse(code: str):
    return settings_editor.parse_module(code.encode(), "settings.py")


@pytest.mark.parametrize(
    "before, after",
    [
        ('"""Doc."""\n\nfrom pathlib import Path\n', '"""Doc."""\n\nimport os\nfrom pathlib import Path\n'),
        ("import sys\n", "import os\nimport sys\n"),
        ('"""Doc."""\nX = 1\n', '"""Doc."""\n\nimport os\nX = 1\n'),
        ("X = 1\n", "import os\nX = 1\n"),
        ("from __future__ import annotations\nX = 1\n", "from __future__ import annotations\n\nimport os\nX = 1\n"),
        ("# settings\n\nimport sys\n", "# settings\n\nimport os\nimport sys\n"),
        ("import os\nX = 1\n", "import os\nX = 1\n"),
        ("import sys, os\n", "import sys, os\n"),
    ],
)
def test_ensure_import_os(before, after):
    assert settings_editor.ensure_import(parse(before), "os").code == after


def test_assignments_are_module_level_only():
    module = parse("DEBUG = True\nif x:\n    DEBUG = False\ndef f():\n    DEBUG = 1\nA = DEBUG = 2\n")
    assert [a.index for a in settings_editor.assignments(module, "DEBUG")] == [0, 3]


def test_environment_reads():
    def reads(code):
        return settings_editor.environment_reads(settings_editor.expression(code))

    assert reads("os.environ.get('X') == 'True'") == ["os.environ.get"]
    assert reads("os.environ['X']") == ["os.environ[...]"]
    assert reads("env.bool('X')") == ["env.bool"]
    assert reads("config('X', cast=bool)") == ["config"]
    assert reads("True") == [] and reads("['*']") == [] and reads("settings.get('X')") == []


def test_same_expression_ignores_quotes_and_layout():
    node = settings_editor.expression("os.environ.get(\n  \"DJANGO_DEBUG\"\n) == 'True'")
    assert settings_editor.same_expression(node, "os.environ.get('DJANGO_DEBUG') == \"True\"")


def test_syntax_error_names_the_line_python_names():
    from refactor_app.errors import RefactorError

    with pytest.raises(RefactorError, match=r"settings.py has a syntax error at line 2 \("):
        settings_editor.parse_module(b"X = 1\nY = = 2\n", "settings.py")


# --- text files ----------------------------------------------------------------------------

def test_split_lines_only_at_newlines():
    assert split_lines("a\x0cb\r\nc\n") == ["a\x0cb\r\n", "c\n"]
    assert split_lines("a\nb") == ["a\n", "b"] and split_lines("") == []


def test_decode_detects_bom_and_newline():
    text, text_format = decode(b"\xef\xbb\xbfA=1\r\n", "x")
    assert text == "A=1\r\n" and text_format.bom and text_format.newline == "\r\n"
    assert text_format.encode(text + "B=2\r\n") == b"\xef\xbb\xbfA=1\r\nB=2\r\n"


def test_append_line():
    assert append_line("a\n", "b", "\n") == "a\nb\n"
    assert append_line("a", "b", "\n") == "a\nb"
