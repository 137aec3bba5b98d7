"""Dockerfiles: find the final build stage's instructions and insert a line among them.

dockerfile-parse reads the instructions (line continuations, comments, parser directives);
the edit itself is a line insertion, so every other byte of the file stays as it was.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from refactor_app.textfile import append_line, split_lines


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, RUN, CMD, ...
    value: str  # the arguments, continuations joined
    first_line: int  # 0-based, inclusive
    last_line: int


def instructions(text: str) -> list[Instruction]:
    from dockerfile_parse import DockerfileParser

    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")))
    return [
        Instruction(item["instruction"].upper(), item["value"], item["startline"], item["endline"])
        for item in parser.structure
        if item["instruction"] != "COMMENT"
    ]


def final_stage(all_instructions: list[Instruction]) -> list[Instruction]:
    """The instructions from the last FROM on: the stage that becomes the image."""
    starts = [i for i, instruction in enumerate(all_instructions) if instruction.keyword == "FROM"]
    return all_instructions[starts[-1] :] if starts else all_instructions


_INSTALL = re.compile(r"\b(pip3?|pipenv|poetry|uv)\b.*\b(install|sync)\b")


def is_dependency_install(instruction: Instruction) -> bool:
    return instruction.keyword == "RUN" and bool(_INSTALL.search(instruction.value))


def insert_line(text: str, before_line: int, line: str, newline: str) -> str:
    """Insert `line` so that it becomes line number `before_line` (0-based)."""
    lines = split_lines(text)
    if before_line >= len(lines):
        return append_line(text, line, newline)
    lines.insert(before_line, line + newline)
    return "".join(lines)
