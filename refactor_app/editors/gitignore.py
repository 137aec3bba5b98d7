"""`.gitignore`: is a folder already ignored, and add a pattern for it.

pathspec implements git's own matching rules (anchoring, `dir/`, wildcards, negation), so a
folder already covered by another pattern (`staticfiles/`, `/static*`) is recognised. The lines
are handed to it as git reads them (see `_as_git_reads_it`), so that its answer and git's agree.
"""

from __future__ import annotations

import functools

from refactor_app.textfile import append_line

WILDCARDS = "[*?\\"  # special anywhere in a pattern; a backslash makes each literal


def fits_one_line(folder: str) -> bool:
    """Can a .gitignore line name `folder`? Not with a line break (or another control
    character) in it: that would end the pattern and start a second one."""
    return len(f"-{folder}-".splitlines()) == 1 and not any(ord(char) < 32 or ord(char) == 127 for char in folder)


def folder_pattern(folder: str) -> str:
    """`/folder`: that folder at the top, and nothing else. Wildcards and backslashes are
    escaped, and so are trailing spaces, which git would drop. (`!` and `#` are special only
    at the start of a line, and the pattern starts with `/`.)"""
    if not fits_one_line(folder):
        raise ValueError(f"a .gitignore line cannot name {folder!r}")
    escaped = "".join(f"\\{char}" if char in WILDCARDS else char for char in folder)
    body = escaped.rstrip(" ")
    return "/" + body + "\\ " * (len(escaped) - len(body))


def names_folder_outright(text: str, folder: str) -> bool:
    """Does a line of `text` name `folder` as `folder_pattern` would, or as `folder`,
    `folder/`, `/folder/`, with nothing re-included (no `!` line)? A plain string test, no pathspec."""
    lines = [_git_trim(line) for line in _git_lines(text)]
    if any(line.startswith("!") for line in lines):
        return False
    pattern = folder_pattern(folder)
    return bool({pattern, pattern[1:], f"{pattern}/", f"{pattern[1:]}/"} & set(lines))


def ignores_folder(text: str, folder: str) -> bool:
    """Would git ignore the files inside `folder` (a path relative to the .gitignore's folder)?"""
    if names_folder_outright(text, folder):
        return True  # the folder named outright, nothing re-included: no need to load pathspec
    spec = _spec(text)
    return spec is not None and spec.match_file(f"{folder}/refactor-app-probe")


@functools.lru_cache(maxsize=32)  # by text: a fleet's .gitignore files are often one and the same
def _spec(text: str):
    """pathspec's reading of the patterns, or None when there are none (blank and comment lines
    only, or no file): then nothing is ignored, and pathspec need not even be loaded."""
    lines = _git_lines(text)
    if all(not _git_trim(line) or line.startswith("#") for line in lines):
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines([_as_git_reads_it(line) for line in lines])


def add_pattern(text: str, pattern: str, newline: str) -> str:
    return append_line(text, pattern, newline)


def _git_lines(text: str) -> list[str]:
    """The lines as git splits them: at each LF, a CR before it dropped."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def _git_trim(line: str) -> str:
    """Git drops a line's trailing spaces, except one a backslash escapes (and those before it)."""
    trimmed = line.rstrip(" ")
    if trimmed != line and (len(trimmed) - len(trimmed.rstrip("\\"))) % 2:
        trimmed += " "
    return trimmed


def _as_git_reads_it(line: str) -> str:
    """The line's pattern as git reads it, spelled so that pathspec reads the same: pathspec
    drops any trailing whitespace (a tab, a no-break space) unless the line ends in `\\ `, but
    git keeps it. Trailing whitespace, escaped or not, becomes a character class: `[\\t]`."""
    line = _git_trim(line)
    tail = ""
    while line and line[-1].isspace():
        char, line = line[-1], line[:-1]
        if (len(line) - len(line.rstrip("\\"))) % 2:
            line = line[:-1]  # the backslash that escaped it
        tail = f"[{char}]{tail}"
    return line + tail
