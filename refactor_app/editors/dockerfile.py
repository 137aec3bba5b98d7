"""Dockerfiles: find the final build stage's instructions and insert a line among them.

dockerfile-parse reads the instructions (line continuations, comments, parser directives);
the edit itself is a line insertion, so every other byte of the file stays as it was.
"""

from __future__ import annotations

import io
import json
import posixpath
import re
import shlex
from typing import NamedTuple

from refactor_app.textfile import append_line, split_lines


class Instruction(NamedTuple):
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


_HEREDOC = re.compile(r"<<-?\s*['\"]?[A-Za-z_]\w*")


def uses_heredocs(text: str) -> bool:
    """BuildKit heredocs (RUN <<EOF ... EOF): their bodies are not instructions, but
    dockerfile-parse reads them as if they were, so such files are not edited."""
    return any(
        _HEREDOC.search(line) and re.match(r"\s*(RUN|COPY|ADD)\b", line, re.IGNORECASE)
        for line in text.split("\n")
    )


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


def _arguments(instruction: Instruction) -> list[str]:
    """An instruction's arguments: JSON (exec) form or shell words, without --flags."""
    value = instruction.value.strip()
    words = None
    if value.startswith("["):
        try:
            loaded = json.loads(value)
            words = [str(word) for word in loaded] if isinstance(loaded, list) else None
        except ValueError:
            words = None
    if words is None:
        try:
            words = shlex.split(value, posix=True)
        except ValueError:  # an unclosed quote: take the words as they stand
            words = value.split()
    return [word for word in words if not word.startswith("--")]


def working_directory(stage: list[Instruction], before: int) -> str:
    """The WORKDIR in effect before stage[before] (Docker's default is /)."""
    directory = "/"
    for instruction in stage[:before]:
        if instruction.keyword == "WORKDIR":
            arguments = _arguments(instruction)
            if arguments:
                directory = posixpath.normpath(posixpath.join(directory, arguments[0]))
    return directory


def image_path(stage: list[Instruction], before: int, project_path: str) -> str | None:
    """Where a project file (path relative to the build context) is in the image before
    stage[before], from the COPY/ADD instructions of the build context; None if never copied."""
    found = None
    target = posixpath.normpath(project_path)
    for index, instruction in enumerate(stage[:before]):
        if instruction.keyword not in ("COPY", "ADD") or "--from" in instruction.value:
            continue
        arguments = _arguments(instruction)
        if len(arguments) < 2:
            continue
        *sources, destination = arguments
        destination = posixpath.join(working_directory(stage, index), destination)
        for source in sources:
            source = posixpath.normpath(source)
            if source == ".":
                found = posixpath.normpath(posixpath.join(destination, target))
            elif target == source:
                into_folder = destination.endswith("/") or len(sources) > 1
                found = posixpath.join(destination, posixpath.basename(target)) if into_folder else destination
            elif target.startswith(source + "/"):
                found = posixpath.normpath(posixpath.join(destination, target[len(source) + 1 :]))
    return found
