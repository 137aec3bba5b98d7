"""project.settings_module_name reads manage.py and wsgi.py with the module's name written as a
placeholder first (a fleet's are then parsed once per template): it must say what a parse of the
file itself says, whatever else the file holds."""

from __future__ import annotations

import pytest

from refactor_app import project as project_module
from refactor_app.errors import RefactorError

MANAGE = """#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    {line}
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
"""

FILES = {
    "setdefault": MANAGE.format(line="os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site7.settings')"),
    "double quotes": MANAGE.format(line='os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site7.settings.production")'),
    "assignment": MANAGE.format(line="os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.local'"),
    "commented out first": "# os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'old.settings')\n"
                           + MANAGE.format(line="os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'new.settings')"),
    "named in a docstring first": '"""Run with DJANGO_SETTINGS_MODULE="doc.settings" set."""\n'
                                  + MANAGE.format(line="os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'real.settings')"),
    "two, the first wins": MANAGE.format(
        line="os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'one.settings')\n"
             "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'two.settings')"),
    "from a variable": MANAGE.format(line="os.environ.setdefault('DJANGO_SETTINGS_MODULE', NAME)"),
    "a path, not a module": MANAGE.format(line="os.environ.setdefault('DJANGO_SETTINGS_MODULE', '../x/settings')"),
    "a syntax error after it": MANAGE.format(line="os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'a.settings')") + "def (:\n",
    "the placeholder itself": MANAGE.format(
        line="os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'refactor_app_settings_module')"),
    "triple quotes": MANAGE.format(line="os.environ.setdefault('DJANGO_SETTINGS_MODULE', '''tq.settings''')"),
    "nothing": "print('hello')\n",
}


def answer(path, required):
    try:
        return project_module.settings_module_name(path, required)
    except RefactorError as exc:
        return f"error: {exc}"


@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("required", [True, False])
def test_it_says_what_a_parse_of_the_file_says(name, required, tmp_path, monkeypatch):
    path = tmp_path / "manage.py"
    path.write_text(FILES[name])
    project_module._settings_module_value.cache_clear()
    read_with_placeholder = answer(path, required)
    project_module._settings_module_value.cache_clear()
    monkeypatch.setattr(project_module, "_NAMED_MODULE", project_module.re.compile(rb"(?!)"))  # never matches
    assert read_with_placeholder == answer(path, required)


def test_a_template_is_parsed_once(tmp_path):
    project_module._settings_module_value.cache_clear()
    for number in range(5):
        path = tmp_path / f"manage{number}.py"
        path.write_text(MANAGE.format(line=f"os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site{number}.settings')"))
        assert project_module.settings_module_name(path, True) == f"site{number}.settings"
    assert project_module._settings_module_value.cache_info().misses == 1
