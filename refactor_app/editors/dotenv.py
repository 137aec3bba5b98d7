"""`.env` files (docker-compose `env_file`): add a KEY=VALUE line, keep everything else.

python-dotenv's own parser reads the file, so `export KEY=...`, quotes, comments and
multi-line values are understood the way the tools that load the file understand them.
"""

from __future__ import annotations

import functools
import io
from typing import Collection

from dotenv.parser import parse_stream

from refactor_app.textfile import append_line, split_lines


@functools.lru_cache(maxsize=32)
def _bindings(text: str) -> tuple:
    # Steps ask about the same .env-local text several times a run: parse each text once.
    return tuple(parse_stream(io.StringIO(text)))


def key_lines(text: str) -> dict[str, int]:
    """Each key set in the file and the index of the line it is set on (first setting wins)."""
    found: dict[str, int] = {}
    line = 0
    for binding in _bindings(text):
        original = binding.original.string
        leading_blank = len(original) - len(original.lstrip("\r\n"))
        key_line = line + original[:leading_blank].count("\n")
        if binding.key is not None and binding.key not in found:
            found[binding.key] = key_line
        line += original.count("\n")
    return found


def values(text: str) -> dict[str, str | None]:
    """Each key and its value as python-dotenv reads it (None for a bare `KEY`)."""
    found: dict[str, str | None] = {}
    for binding in _bindings(text):
        if binding.key is not None and binding.key not in found:
            found[binding.key] = binding.value
    return found


def ensure_key(text: str, key: str, value: str, newline: str, before_keys: Collection[str] = ()) -> str:
    """Text with `KEY=VALUE` added unless KEY is already set (a user's value is never changed).

    The new line goes above the first of `before_keys` present (and above the comment lines
    right over it), so lines added one step at a time end in the same order as all at once.
    """
    keys = key_lines(text)
    if key in keys:
        return text
    new_line = f"{key}={value}"
    anchors = [keys[name] for name in before_keys if name in keys]
    if not anchors:
        return append_line(text, new_line, newline)
    lines = split_lines(text)
    position = min(anchors)
    while position > 0 and lines[position - 1].lstrip().startswith("#"):
        position -= 1
    lines.insert(position, new_line + newline)
    return "".join(lines)
