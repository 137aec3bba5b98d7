"""`.gitignore`: is a folder already ignored, and add a pattern for it.

pathspec implements git's own matching rules (anchoring, `dir/`, wildcards, negation), so a
folder already covered by another pattern (`staticfiles/`, `/static*`) is recognised.
"""

from __future__ import annotations

from refactor_app.textfile import append_line


def ignores_folder(text: str, folder: str) -> bool:
    """Would git ignore the files inside `folder` (a path relative to the .gitignore's folder)?"""
    lines = [line.strip() for line in text.splitlines()]
    if not any(line.startswith("!") for line in lines) and {folder, f"/{folder}", f"{folder}/", f"/{folder}/"} & set(lines):
        return True  # the folder named outright, nothing re-included: no need to load pathspec
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(text.splitlines())
    return spec.match_file(f"{folder}/refactor-app-probe")


def add_pattern(text: str, pattern: str, newline: str) -> str:
    return append_line(text, pattern, newline)
